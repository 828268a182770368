"""What a section notebook displays: tagged HTML sections and a JSON summary, for any kind of page.

A page notebook (the council report, the comparison) holds no logic: each cell calls one
method of a ``SectionNotebook`` and displays the ``Section`` it returns. The section's HTML is
tagged in the output's metadata (``kloe_report: {"section": ...}``); the exporter places only
outputs so tagged, in order, and ignores anything else a cell prints. The last cell displays a
``SummaryOutput``: data for the batch index and the command line, not shown on the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from kloe_nb.render.environment import environment

#: The key in an output's metadata that marks it as a page section.
OUTPUT_MARK = "kloe_report"
SUMMARY_SECTION = "summary"


@dataclass
class Section:
    """One displayed part of a page (HTML for people, a one-line summary for plain text).

    ``page`` is what the header section tells the page template: ``title``, ``illustrative``
    and ``stylesheets`` (names of stylesheets in ``render/templates`` the page also carries).
    """

    name: str
    html: Markup
    page: dict[str, Any] = field(default_factory=dict)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict[str, Any], dict[str, Any]]:
        return (
            {"text/html": str(self.html), "text/plain": f"[report section {self.name!r}: {len(self.html):,} characters of HTML]"},
            {OUTPUT_MARK: {"section": self.name, **self.page}},
        )


@dataclass
class SummaryOutput:
    """A page's results as data (the last cell; not shown on the page)."""

    data: dict[str, Any]

    def plain_text(self) -> str:
        """The one line a terminal or plain-text view shows."""
        return f"{len(self.data)} fields"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict[str, Any], dict[str, Any]]:
        return (
            {"application/json": self.data, "text/plain": self.plain_text()},
            {OUTPUT_MARK: {"section": SUMMARY_SECTION}},
        )


def is_tagged(output: Mapping[str, Any]) -> bool:
    """An output the page package tagged: a display of a ``Section`` or ``SummaryOutput``."""
    return isinstance(output.get("metadata", {}).get(OUTPUT_MARK), dict) and output.get("output_type") in ("display_data", "execute_result")


def tagged_outputs(nb: Mapping[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(mark, data) of every output the page package tagged, in notebook order (an executed notebook: nbformat's or plain JSON)."""
    return [
        (output["metadata"][OUTPUT_MARK], output.get("data", {}))
        for cell in nb.get("cells", [])
        if cell.get("cell_type") == "code"
        for output in cell.get("outputs", [])
        if is_tagged(output)
    ]


def summary(nb: Mapping[str, Any]) -> dict[str, Any] | None:
    """The JSON summary the page notebook's last cell emitted, or None (read here, not in the exporter: ``kloe run --resume`` needs no nbconvert)."""
    for mark, data in tagged_outputs(nb):
        if mark.get("section") == SUMMARY_SECTION and isinstance(data.get("application/json"), dict):
            return dict(data["application/json"])
    return None


def render_template(template_name: str, context: object) -> Markup:
    """A section template rendered with the shared escaping environment (the context as ``r``)."""
    return Markup(environment().get_template(template_name).render(r=context))  # noqa: S704 - rendered by the escaping environment


def compile_templates(prefix: str) -> list[str]:
    """Compile now every template whose name starts with ``prefix`` (a kernel warmed before it answers: ``batch/kernel_launcher.py``), so the first page does not."""
    env = environment()
    names = env.list_templates(filter_func=lambda name: name.startswith(prefix))
    for name in names:
        env.get_template(name)
    return names


class SectionNotebook:
    """Base of the objects a page notebook's cells call: one method per section, in page order."""

    def render_section(self, name: str) -> Markup:
        """The section's HTML, empty where the page has nothing for it."""
        raise NotImplementedError

    def _section(self, name: str, **page: Any) -> Section | None:
        html = self.render_section(name)
        return Section(name, html, page) if html else None
