"""An executed report notebook as one self-contained HTML page, with nbconvert and our own template.

nbconvert's ``lab`` and ``classic`` templates link require.js and MathJax from CDNs (even with
``require_js_url=""``) and inline 264 KB of JupyterLab CSS; their HTMLExporter also re-parses
every page with BeautifulSoup. So the page is made by a plain ``TemplateExporter`` with the
template folder ``render/nbconvert/kloe``: it extends the workbook's own ``base.html.j2``
(Content-Security-Policy, inline stylesheet with print rules), places only the outputs the
report package tagged, and shows no code and no prompts. The Jinja environment autoescapes
and shows bidi controls, like every other page of the workbook.

One exporter is meant to be reused for many notebooks: the first export in a process costs
~0.2 s (templates compiled), later ones a few milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from nbconvert.exporters import TemplateExporter
from nbformat import NotebookNode
from traitlets import default

from kloe_nb import __version__
from kloe_nb.report.notebook import OUTPUT_MARK, SUMMARY_SECTION
from kloe_nb.report.text import finalize, require_inert

RENDER_DIR = Path(__file__).resolve().parents[1] / "render"
NBCONVERT_DIR = RENDER_DIR / "nbconvert"
TEMPLATES_DIR = RENDER_DIR / "templates"


@dataclass(frozen=True)
class PlacedSection:
    """One report section as the page template places it."""

    name: str
    html: Markup


@dataclass(frozen=True)
class PageInfo:
    """What the page needs besides its sections: the title, the illustrative mark, and which kind of page.

    ``kind`` is "report" or "comparison" (a comparison page also carries ``compare.css``).
    """

    title: str
    illustrative: bool
    kind: str = "report"


def tagged_outputs(nb: NotebookNode) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(mark, data) of every output the report package tagged, in notebook order."""
    found = []
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            mark = output.get("metadata", {}).get(OUTPUT_MARK)
            if isinstance(mark, dict) and output.get("output_type") in ("display_data", "execute_result"):
                found.append((mark, output.get("data", {})))
    return found


def sections(nb: NotebookNode) -> list[PlacedSection]:
    """The HTML sections to place on the page (the summary is data, not shown)."""
    placed = []
    for mark, data in tagged_outputs(nb):
        name = str(mark.get("section", ""))
        html = data.get("text/html")
        if name and name != SUMMARY_SECTION and isinstance(html, (str, list)):
            placed.append(PlacedSection(name, Markup("".join(html) if isinstance(html, list) else html)))  # noqa: S704 - rendered by the escaping report templates
    return placed


def page_info(nb: NotebookNode) -> PageInfo:
    """The page title, whether the data is illustrative, and the kind of page, from the header section's metadata."""
    for mark, _ in tagged_outputs(nb):
        if mark.get("section") == "header":
            kind = "comparison" if mark.get("page") == "comparison" else "report"
            return PageInfo(str(mark.get("title") or "KLOE report"), bool(mark.get("illustrative")), kind)
    return PageInfo("KLOE report", False)


def summary(nb: NotebookNode) -> dict[str, Any] | None:
    """The JSON summary the report's last cell emitted, or None."""
    for mark, data in tagged_outputs(nb):
        if mark.get("section") == SUMMARY_SECTION and isinstance(data.get("application/json"), dict):
            return dict(data["application/json"])
    return None


class ReportExporter(TemplateExporter):
    """nbconvert exporter for report notebooks (see the module docstring)."""

    output_mimetype = "text/html"
    export_from_notebook = None  # not offered in nbconvert's own menus

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".html"

    @default("template_name")
    def _template_name_default(self) -> str:
        return "kloe"

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self) -> list[str]:
        return [str(NBCONVERT_DIR)]

    @default("extra_template_paths")
    def _extra_template_paths_default(self) -> list[str]:
        return [str(TEMPLATES_DIR)]

    def _create_environment(self) -> jinja2.Environment:
        environment = super()._create_environment()
        environment.autoescape = True
        environment.finalize = finalize
        environment.undefined = jinja2.StrictUndefined
        environment.globals.update(version=__version__, kloe_sections=sections, kloe_page=page_info)
        return environment


class PageRenderer:
    """Renders executed report notebooks to HTML text, reusing one exporter."""

    def __init__(self) -> None:
        self._exporter = ReportExporter()

    def render(self, nb: NotebookNode, what: str = "report") -> str:
        """The page; UnsafePageError instead if it could run code or reach the network.

        nbconvert deep-copies the notebook it is given; the template reads only the tagged
        outputs, so it is given a notebook of just those (a tenth of the copying).
        """
        html, _ = self._exporter.from_notebook_node(placed_only(nb))
        return require_inert(html, what)


def placed_only(nb: NotebookNode) -> NotebookNode:
    """A notebook holding only the outputs the page template places (same order, same data)."""
    cells = []
    for cell in nb.cells:
        outputs = [
            output for output in cell.get("outputs", [])
            if isinstance(output.get("metadata", {}).get(OUTPUT_MARK), dict) and output.get("output_type") in ("display_data", "execute_result")
        ]
        if cell.get("cell_type") == "code" and outputs:
            cells.append(NotebookNode(id=f"placed-{len(cells)}", cell_type="code", metadata={}, source="", outputs=outputs, execution_count=None))
    return NotebookNode(cells=cells, metadata=NotebookNode(), nbformat=4, nbformat_minor=5)
