"""What the cells of ``notebooks/report.ipynb`` call: one object per council, one method per section.

The notebook holds no logic: a cell loads the report, each following cell shows one section
(``render.sections``: tagged HTML that the shared exporter places). The last cell emits a JSON
summary (scores, revision, the parameters as received) that the batch index reads.
"""

from __future__ import annotations

from datetime import datetime

from markupsafe import Markup

from kloe_nb.analysis.trend import load_with_trend
from kloe_nb.framework.loader import load_framework_by_id
from kloe_nb.render.sections import Section, SectionNotebook, SummaryOutput
from kloe_nb.report.context import build_context, summary_data
from kloe_nb.report.page import render_section
from kloe_nb.report.views import ReportContext


class Summary(SummaryOutput):
    """The report's scores as data, for the batch index and summary.csv (not shown on the page)."""

    def plain_text(self) -> str:
        judgements = ", ".join(f"{key}: {value['text']}" for key, value in self.data["judgements"].items())
        return f"{self.data['code']} revision {self.data['revision']}: {judgements}"


class Report(SectionNotebook):
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
        stored, scores, trend = load_with_trend(store, record.framework, council_code, period)
        context = build_context(record, stored, generated, trend=trend, scores=scores)
        parameters = {"framework": framework, "council_code": council_code, "store": str(store), "period": period}
        return cls(context, parameters)

    def render_section(self, name: str) -> Markup:
        return render_section(name, self.context)

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
