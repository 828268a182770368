"""An executed page notebook (report or comparison) as one self-contained HTML page, with nbconvert.

nbconvert's ``lab`` and ``classic`` templates link require.js and MathJax from CDNs (even with
``require_js_url=""``) and inline 264 KB of JupyterLab CSS; their HTMLExporter also re-parses
every page with BeautifulSoup. So the page is made by a plain ``TemplateExporter`` with the
template folder ``render/nbconvert/kloe``: it extends the workbook's own ``base.html.j2``
(Content-Security-Policy, inline stylesheet with print rules), places only the sections the
page package tagged (``sections.py``), and shows no code and no prompts. The untagged outputs
are dropped by a preprocessor (``TaggedOutputsOnly``) before the template sees the notebook. The Jinja environment autoescapes
and shows bidi controls, like every other page of the workbook.

One exporter is meant to be reused for many notebooks: the first export in a process costs
~0.2 s (templates compiled), later ones a few milliseconds. ``PageRenderer.render`` hands
nbconvert only the cells with tagged outputs (what ``TaggedOutputsOnly`` keeps anyway), so
nbconvert's deep copy and its validation see a small notebook, and it validates once, after
its preprocessors, not after each one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from nbconvert.exporters import TemplateExporter
from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode
from traitlets import default

from kloe_nb import __version__
from kloe_nb.render.environment import compact_css, finalize
from kloe_nb.render.inert import require_inert
from kloe_nb.render.sections import SUMMARY_SECTION, is_tagged, summary, tagged_outputs

__all__ = ["PageExporter", "PageInfo", "PageRenderer", "PlacedSection", "page_info", "placed_cells", "sections", "summary", "tagged_outputs"]
RENDER_DIR = Path(__file__).resolve().parent
NBCONVERT_DIR = RENDER_DIR / "nbconvert"
TEMPLATES_DIR = RENDER_DIR / "templates"
_STYLESHEET_NAME = re.compile(r"^[a-z][a-z0-9_-]*\.css$")


@dataclass(frozen=True)
class PlacedSection:
    """One page section as the page template places it."""

    name: str
    html: Markup


@dataclass(frozen=True)
class PageInfo:
    """What the page needs besides its sections: the title, the illustrative mark, extra stylesheets.

    ``stylesheets`` are names of files in ``render/templates`` (the comparison asks for
    ``compare.css``); any other name a notebook gives is ignored, so a page never includes a
    file from elsewhere.
    """

    title: str
    illustrative: bool
    stylesheets: tuple[str, ...] = ()


def sections(nb: NotebookNode) -> list[PlacedSection]:
    """The HTML sections to place on the page (the summary is data, not shown)."""
    placed = []
    for mark, data in tagged_outputs(nb):
        name = str(mark.get("section", ""))
        html = data.get("text/html")
        if name and name != SUMMARY_SECTION and isinstance(html, (str, list)):
            placed.append(PlacedSection(name, Markup("".join(html) if isinstance(html, list) else html)))  # noqa: S704 - rendered by the escaping page templates
    return placed


def _known_stylesheets(names: object) -> tuple[str, ...]:
    if not isinstance(names, list):
        return ()
    return tuple(name for name in names if isinstance(name, str) and _STYLESHEET_NAME.match(name) and (TEMPLATES_DIR / name).is_file())


def page_info(nb: NotebookNode) -> PageInfo:
    """The page title, whether the data is illustrative, and extra stylesheets, from the header section's metadata."""
    for mark, _ in tagged_outputs(nb):
        if mark.get("section") == "header":
            return PageInfo(str(mark.get("title") or "KLOE report"), bool(mark.get("illustrative")), _known_stylesheets(mark.get("stylesheets")))
    return PageInfo("KLOE report", False)


def placed_cells(nb: NotebookNode) -> list[NotebookNode]:
    """One code cell per cell with tagged outputs, holding only those outputs (the page's whole content)."""
    cells: list[NotebookNode] = []
    for cell in nb.cells:
        outputs = [output for output in cell.get("outputs", []) if is_tagged(output)]
        if cell.get("cell_type") == "code" and outputs:
            cells.append(NotebookNode(id=f"placed-{len(cells)}", cell_type="code", metadata={}, source="", outputs=outputs, execution_count=None))
    return cells


class TaggedOutputsOnly(Preprocessor):
    """Keeps only the outputs the page package tagged; drops code cells left with none, and all other cells."""

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        nb.cells = placed_cells(nb)
        return nb, resources


class PageExporter(TemplateExporter):
    """nbconvert exporter for page notebooks (see the module docstring)."""

    output_mimetype = "text/html"
    export_from_notebook = None  # type: ignore[assignment]  # not offered in nbconvert's own menus (None is what it means)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.register_preprocessor(TaggedOutputsOnly, enabled=True)

    @default("optimistic_validation")
    def _optimistic_validation_default(self) -> bool:
        return True  # one validation after the preprocessors, not one after each

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
        environment: jinja2.Environment = super()._create_environment()
        environment.autoescape = True
        environment.finalize = finalize
        environment.undefined = jinja2.StrictUndefined
        environment.globals.update(version=__version__, kloe_sections=sections, kloe_page=page_info)
        environment.filters["compact_css"] = compact_css
        return environment


class PageRenderer:
    """Renders executed page notebooks to HTML text, reusing one exporter."""

    def __init__(self) -> None:
        self._exporter = PageExporter()

    def warm_up(self) -> None:
        """Compile the page templates now (an empty page, not kept), so the first real page is as quick as the rest."""
        self._exporter.from_notebook_node(NotebookNode(cells=[], metadata={}, nbformat=4, nbformat_minor=5))

    def render(self, nb: NotebookNode, what: str = "report") -> str:
        """The page; UnsafePageError instead if it could run code or reach the network."""
        placed = NotebookNode(
            cells=placed_cells(nb), metadata=nb.get("metadata", {}), nbformat=nb.get("nbformat", 4), nbformat_minor=nb.get("nbformat_minor", 5)
        )
        html, _ = self._exporter.from_notebook_node(placed)
        return require_inert(html, what)
