"""Report sections as HTML fragments, rendered by the escaping report environment.

The report environment is the shared one (autoescape on, StrictUndefined) with one addition:
``finalize`` shows bidi controls instead of letting them reorder the page. Each section is a
template named ``report_<section>.html.j2``; a section renders to ``Markup`` that the page
template places as it is. Nothing here reads files or the store: the context has it all.
"""

from __future__ import annotations

from markupsafe import Markup

from kloe_nb.report.context import ReportContext
from kloe_nb.report.text import report_environment

SECTIONS = ("header", "judgements", "combination", "sensitivity", "travel", "groups", "flags", "end", "footer")

__all__ = ["SECTIONS", "render_section", "report_environment"]


def render_section(name: str, context: ReportContext) -> Markup:
    """One section of a report as HTML (empty where the framework has nothing for it)."""
    if name not in SECTIONS:
        raise ValueError(f"unknown report section {name!r} (sections: {', '.join(SECTIONS)})")
    if name == "combination" and not context.tables:
        return Markup("")
    if name == "flags" and not context.flags_apply:
        return Markup("")
    if (name == "sensitivity" and not context.sensitivity) or (name == "travel" and context.travel is None):
        return Markup("")
    template = report_environment().get_template(f"report_{name}.html.j2")
    return Markup(template.render(r=context))


