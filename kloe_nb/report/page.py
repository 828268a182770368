"""Report sections as HTML fragments, rendered by the shared escaping environment (``render/``).

Each section is a template named ``report_<section>.html.j2``; a section renders to
``Markup`` that the page template places as it is. Nothing here reads files or the store: the context has it all.
"""

from __future__ import annotations

from markupsafe import Markup

from kloe_nb.render.sections import compile_templates as compile_named
from kloe_nb.render.sections import render_template
from kloe_nb.report.views import ReportContext

SECTIONS = ("header", "judgements", "combination", "sensitivity", "travel", "groups", "flags", "end", "footer")

__all__ = ["SECTIONS", "compile_templates", "render_section"]


def compile_templates() -> None:
    """Compile the report's templates (``report_*``) now: batch kernels do so before they answer (``batch/kernel.py``)."""
    compile_named("report_")


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
    return render_template(f"report_{name}.html.j2", context)
