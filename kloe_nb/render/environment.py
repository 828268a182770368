"""The Jinja environment shared by every HTML page: autoescaping on, templates from the package.

Everything a page shows that came from a file or a person is escaped by Jinja's autoescape;
templates never mark such text safe. Two things autoescape does not cover: bidirectional-override
characters (U+202E and friends), which can make text read backwards or hide what follows them,
are shown as a visible ``[U+202E]`` by ``finalize``; and pages carry a Content-Security-Policy
that forbids scripts and any network load (checked by ``inert.require_inert`` before writing).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup

from kloe_nb import __version__
from kloe_nb.framework.naming import group_heading, group_label, kloe_heading, kloe_label, kloe_number
from kloe_nb.render.stylesheet import compact_css as compact_css  # the exporter registers it as a filter too

#: Embedding, override and isolate controls: they change how the text around them is ordered.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def show_bidi_controls(text: str) -> str:
    """The text with each bidi control replaced by a visible ``[U+202E]`` (the stored text is untouched)."""
    return BIDI_CONTROLS.sub(lambda match: f"[U+{ord(match.group()):04X}]", text)


def finalize(value: Any) -> Any:
    """Jinja ``finalize``: applied to every ``{{ value }}`` before autoescaping.

    Markup (already-rendered HTML from our own templates) passes through; any other text has its
    bidi controls made visible, then Jinja escapes it.
    """
    if isinstance(value, str) and not isinstance(value, Markup):
        return show_bidi_controls(value)
    return value


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The one environment every page is rendered with (autoescape, StrictUndefined, ``finalize``, and the naming filters of ``framework/naming.py``)."""
    env = jinja2.Environment(
        finalize=finalize,
        loader=jinja2.PackageLoader("kloe_nb.render", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "j2"), default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["version"] = __version__
    env.filters.update(
        compact_css=compact_css, kloe_number=kloe_number, kloe_heading=kloe_heading, kloe_label=kloe_label, group_heading=group_heading, group_label=group_label
    )
    return env
