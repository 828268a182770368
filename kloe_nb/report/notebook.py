"""What the cells of ``notebooks/report.ipynb`` call: one object per council, one method per section.

The notebook holds no logic: a cell loads the report, each following cell shows one section.
Each section is displayed as HTML (``text/html``) tagged in the output's metadata with
``kloe_report: {"section": ...}``; the page template (``exporter.py``) assembles only outputs
so tagged, in order, and ignores everything else a cell might print. The last cell emits a
JSON summary (scores, revision, the parameters as received) that the batch index reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from markupsafe import Markup

from kloe_nb.framework.loader import load_framework_by_id
from kloe_nb.report.context import ReportContext, build_context, summary_data
from kloe_nb.report.lookup import load_with_trend
from kloe_nb.report.page import render_section

#: The key in an output's metadata that marks it as a report section.
OUTPUT_MARK = "kloe_report"
SUMMARY_SECTION = "summary"


@dataclass
class Section:
    """One displayed part of a report (HTML for people, a one-line summary for plain text)."""

    name: str
    html: Markup
    page: dict[str, Any] = field(default_factory=dict)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict[str, Any], dict[str, Any]]:
        return (
            {"text/html": str(self.html), "text/plain": f"[report section {self.name!r}: {len(self.html):,} characters of HTML]"},
            {OUTPUT_MARK: {"section": self.name, **self.page}},
        )


@dataclass
class Summary:
    """The report's scores as data, for the batch index and summary.csv (not shown on the page)."""

    data: dict[str, Any]

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict[str, Any], dict[str, Any]]:
        judgements = ", ".join(f"{key}: {value['text']}" for key, value in self.data["judgements"].items())
        return (
            {"application/json": self.data, "text/plain": f"{self.data['code']} revision {self.data['revision']}: {judgements}"},
            {OUTPUT_MARK: {"section": SUMMARY_SECTION}},
        )


class Report:
    """One council's report: ``Report.load(...)`` then one method per section, in page order."""

    def __init__(self, context: ReportContext, parameters: dict[str, str]) -> None:
        self.context = context
        self.parameters = parameters

    @classmethod
    def load(cls, framework: str, council_code: str, store: str, period: str = "", generated: datetime | None = None) -> Report:
        """Read the council's current revision (and its earlier periods) from the store and score it.

        ReportError or NotFoundError if there can be no report.
        """
        record = load_framework_by_id(framework)
        stored, trend = load_with_trend(store, record.framework, council_code, period)
        context = build_context(record, stored, generated, trend=trend)
        parameters = {"framework": framework, "council_code": council_code, "store": str(store), "period": period}
        return cls(context, parameters)

    def _section(self, name: str, **page: Any) -> Section | None:
        html = render_section(name, self.context)
        return Section(name, html, page) if html else None

    def header(self) -> Section | None:
        """Council, framework and its source, period, assessor, date; the illustrative banner."""
        return self._section("header", title=self.context.title, illustrative=self.context.illustrative)

    def judgements(self) -> Section | None:
        """The judgements in the framework's words: decided and suggested levels, rationales."""
        return self._section("judgements")

    def combination(self) -> Section | None:
        """The combination table with this council's cell highlighted (frameworks that have one)."""
        return self._section("combination")

    def sensitivity(self) -> Section | None:
        """Per judgement: which single KLOE moving one level would change it, and whether it is one step from a boundary."""
        return self._section("sensitivity")

    def direction_of_travel(self) -> Section | None:
        """This council's earlier periods: each judgement and KLOE, what went up or down, and a trend chart."""
        return self._section("travel")

    def questions(self) -> Section | None:
        """Per question or theme: the chart of KLOE levels and the table of KLOEs."""
        return self._section("groups")

    def flags(self) -> Section | None:
        """Red and green flags (frameworks with an unscored, flagged judgement)."""
        return self._section("flags")

    def improvements(self) -> Section | None:
        """The improvement plan (every action, by priority), areas for improvement without an action, and what is still to do."""
        return self._section("end")

    def provenance(self) -> Section | None:
        """Framework, source document, package version, assessment revision, generated time."""
        return self._section("footer")

    def summary(self) -> Summary:
        """The scores as data for the batch index (the last cell; not shown on the page)."""
        return Summary(summary_data(self.context, self.parameters))
