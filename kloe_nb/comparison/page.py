"""Comparison sections as HTML fragments, rendered by the shared escaping environment (``render/``).

Each section is a template named ``compare_<section>.html.j2`` (autoescape on, bidi controls
made visible, StrictUndefined), rendered to ``Markup`` that the page template places as it
is. Nothing here reads files or the store: the context has it all. A section with nothing to
show (no direction of travel yet, no second scorings) renders empty and is left out.
"""

from __future__ import annotations

from markupsafe import Markup

from kloe_nb.comparison.views import ComparisonContext
from kloe_nb.render.sections import render_template

SECTIONS = ("header", "league", "distribution", "heatmap", "peers", "travel", "agreement", "footer")


def render_section(name: str, context: ComparisonContext) -> Markup:
    """One section of the comparison as HTML (empty where there is nothing for it)."""
    if name not in SECTIONS:
        raise ValueError(f"unknown comparison section {name!r} (sections: {', '.join(SECTIONS)})")
    if name == "agreement" and context.agreement is None:
        return Markup("")
    return render_template(f"compare_{name}.html.j2", context)
