"""The interactive assessment form (ipywidgets), and the headless session behind it.

``open_form(framework, council_code, council_name, store, assessor, track=...)`` is what
``notebooks/assess.ipynb`` calls, ``open_moderation`` what ``notebooks/moderate.ipynb``
calls. ``FormSession`` (in ``session.py``) is the model: edits, autosave, conflicts; it
does not import ipywidgets, so it can be used and tested without a browser. Only the
modules of this package that build widgets import ipywidgets.
"""

from __future__ import annotations

from typing import Any

from kloe_nb.form.autosave import SaveTiming
from kloe_nb.form.session import FormSession, SaveStatus

__all__ = ["AssessmentForm", "FormSession", "SaveStatus", "SaveTiming", "build_form", "open_form", "open_moderation"]


def __getattr__(name: str) -> Any:
    """The widget side is imported on first use, so ``import kloe_nb.form`` needs no ipywidgets."""
    if name in ("AssessmentForm", "build_form", "open_form"):
        from kloe_nb.form import app

        return getattr(app, name)
    if name == "open_moderation":
        from kloe_nb.form import moderation

        return moderation.open_moderation
    raise AttributeError(name)
