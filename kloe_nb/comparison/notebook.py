"""What the cells of ``notebooks/compare.ipynb`` call: one object per comparison, one method per section.

Like the council report: each section is a ``render.sections.Section``, placed by the shared
exporter; the header's tag asks for ``compare.css`` as well.
The last cell emits a JSON summary (councils, ranks, parameters as received) for the command
line and tests.
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from markupsafe import Markup

from kloe_nb.comparison.context import build_context
from kloe_nb.comparison.data import gather
from kloe_nb.comparison.page import render_section
from kloe_nb.comparison.views import ComparisonContext
from kloe_nb.render.sections import Section, SectionNotebook, SummaryOutput
from kloe_nb.store.address import display

#: The stylesheet a comparison page carries besides the shared one.
STYLESHEETS = ["compare.css"]
#: A report a council's name may link to: a plain file name beside the page (what ``kloe run`` writes, ``<slug>.html``).
_REPORT_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*\.html$")


def report_links_from(text: str) -> dict[str, str]:
    """The ``report_links`` parameter read: JSON ``{council code: "<slug>.html"}``, or "" for none.

    ``kloe compare`` passes the reports that are beside the page; any name that is not a plain
    ``.html`` file name there (a path, a URL) is ignored, so a link never leaves the folder.
    """
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(value, dict):
        return {}
    return {str(code): name for code, name in value.items() if isinstance(name, str) and _REPORT_NAME.match(name)}


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while the comparison is read and built, then as it was.

    Reading 1,200 assessments and building the page's data makes millions of objects and keeps
    hundreds of thousands (the scores, the rows) to the end; each collection in the middle
    walks all that is alive to free almost nothing (what a parse leaves is freed as it goes,
    by reference counting). Paused, ``Comparison.load`` of 400 councils takes about 0.1 s
    less (of 1 s); the few cycles left (some 24,000 small objects) go at the next collection.
    A caller that turned the collector off keeps it off.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class ComparisonSummary(SummaryOutput):
    """The comparison as data (not shown on the page)."""

    def plain_text(self) -> str:
        ranked = ", ".join(f"{row['rank'] or '-'} {row['code']}" for row in self.data["councils"])
        return f"{self.data['framework']}: {len(self.data['councils'])} councils compared: {ranked}"


class Comparison(SectionNotebook):
    """Councils compared against one framework: ``Comparison.load(...)`` then one method per section."""

    def __init__(self, context: ComparisonContext, parameters: dict[str, str]) -> None:
        self.context = context
        self.parameters = parameters

    @classmethod
    def load(cls, framework: str, store: str, group: str = "", councils: str = "", generated: datetime | None = None, report_links: str = "") -> Comparison:
        """Every council's latest lead assessment from the store, scored and ranked (ComparisonError/NotFoundError if none).

        ``report_links``: see ``report_links_from``; the councils named there link to their reports.
        """
        with collector_paused():
            context = build_context(gather(framework, store, group, councils), generated, report_links_from(report_links))
        parameters = {"framework": framework, "store": display(store), "group": group, "councils": councils}  # no password
        if report_links:
            parameters["report_links"] = report_links
        return cls(context, parameters)

    def render_section(self, name: str) -> Markup:
        return render_section(name, self.context)

    def header(self) -> Section | None:
        """Framework and source, store, councils and periods compared, generated time; the illustrative banner."""
        return self._section("header", title=self.context.title, illustrative=self.context.illustrative, stylesheets=STYLESHEETS)

    def league(self) -> Section | None:
        """Councils ranked by their judgements, then by mean KLOE level, with each judgement's direction of travel."""
        return self._section("league")

    def distribution(self) -> Section | None:
        """How many councils reached each level of each judgement: a bar chart and a table."""
        return self._section("distribution")

    def heatmap(self) -> Section | None:
        """KLOE levels by council: one coloured cell per KLOE, with the level as text."""
        return self._section("heatmap")

    def peers(self) -> Section | None:
        """Each council against its peer group's median, per judgement and per KLOE."""
        return self._section("peers")

    def travel(self) -> Section | None:
        """Direction of travel: each council's judgement levels per period, as a table and a chart."""
        return self._section("travel")

    def agreement(self) -> Section | None:
        """Agreement between independent assessors (only where the store holds second scorings)."""
        return self._section("agreement")

    def provenance(self) -> Section | None:
        """Framework, source document, store, package version, generated time."""
        return self._section("footer")

    def summary(self) -> ComparisonSummary:
        """The comparison as data for the command line (the last cell; not shown on the page)."""
        c = self.context
        councils = [
            {
                "code": row.code,
                "name": row.name,
                "group": row.group,
                "period": row.period,
                "revision": row.revision,
                "rank": row.rank,
                "judgements": {column.id: {"level": cell.level, "text": cell.text, "direction": cell.direction} for column, cell in zip(c.columns, row.cells)},
                "mean": row.mean,
            }
            for row in c.league
        ]
        return ComparisonSummary(
            {
                "framework": c.framework.id,
                "group": c.group,
                "periods": c.periods,
                "councils": councils,
                "excluded": [{"code": item.code, "name": item.name, "reason": item.reason} for item in c.excluded],
                "illustrative": c.illustrative,
                "generated": c.generated,
                "parameters": dict(self.parameters),
            }
        )
