"""The interactive assessment form (ipywidgets), and the headless session behind it.

``open_form(framework, council_code, council_name, store, assessor, track=...)`` is what
``notebooks/assess.ipynb`` calls, ``open_moderation`` what ``notebooks/moderate.ipynb``
calls. ``FormSession`` (in ``session.py``) is the model: edits, autosave, conflicts; it
does not import ipywidgets, so it can be used and tested without a browser. Only the
modules of this package that build widgets import ipywidgets.
"""

from __future__ import annotations

from kloe_nb.form.autosave import SaveTiming
from kloe_nb.form.session import FormSession, SaveStatus
from kloe_nb.reexports import lazy_reexports

__all__ = ["AssessmentForm", "FormSession", "SaveStatus", "SaveTiming", "build_form", "open_form", "open_moderation"]


__getattr__ = lazy_reexports(  # the widget side, imported on first use, so ``import kloe_nb.form`` needs no ipywidgets
    __name__, {"AssessmentForm": "app", "build_form": "app", "open_form": "app", "open_moderation": "moderation"}
)
