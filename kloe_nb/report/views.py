"""The data a council's report shows: plain dataclasses, built by ``context.build_context``.

Templates lay these out; every word in them comes from the framework file or from what the
analyst recorded, already chosen and ordered, so templates hold no rules of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kloe_nb.assessment.model import Evidence
from kloe_nb.framework.model import Framework
from kloe_nb.report.charts import Chart
from kloe_nb.scoring.score import Scores


@dataclass
class Provenance:
    """Where every part of a report came from (the footer)."""

    framework_id: str
    framework_title: str
    framework_version: str
    source_document: str
    source_title: str
    sha256: str
    package_version: str
    revision: int
    saved_at: str
    saved_by: str
    generated: str
    recorded_version: str  # the framework version the assessment was saved against ("" if not recorded)


@dataclass
class JudgementView:
    """One judgement as the report shows it: decided and suggested level, what it was derived from, why."""

    id: str
    title: str
    scored: bool
    level: int | None
    level_text: str
    suggested_text: str
    differs: bool
    needs_judgement: bool
    options_text: str
    rationale: str
    derived_from: str
    note: str
    missing: list[str]


@dataclass
class MetGroup:
    """The descriptor statements met at one level of one KLOE."""

    level: int
    heading: str
    statements: list[str]
    total: int

    @property
    def all_met(self) -> bool:
        """Every statement of the level is met (the report then says so rather than listing them)."""
        return len(self.statements) == self.total


@dataclass
class KloeView:
    """One KLOE's row: level, statements met, evidence, strengths, areas for improvement."""

    id: str
    number: str
    title: str
    section: str
    scored: bool
    level: int | None
    level_text: str
    suggested_text: str
    differs: bool
    higher_met: bool
    met: list[MetGroup]
    described: bool
    evidence: list[Evidence]
    strengths: str
    areas_for_improvement: str
    current_position: str
    rationale: str

    @property
    def recorded(self) -> bool:
        """Anything at all was recorded against the KLOE."""
        return bool(self.level is not None or self.met or self.evidence or self.strengths or self.areas_for_improvement
                    or self.current_position)


@dataclass
class GroupView:
    """A question or theme: its suggested level, its chart and its KLOEs."""

    id: str
    kind: str
    heading: str
    judgement_title: str
    scored: bool
    score_text: str
    spread_text: str
    kloes: list[KloeView]
    chart: Chart | None


@dataclass
class TableView:
    """A combination table with the cell of this council's inputs (CAA organisational assessment)."""

    title: str
    row_title: str
    column_title: str
    rows: list[int]
    columns: list[int]
    cells: dict[tuple[int, int], str]
    highlight: tuple[int, int] | None
    rules: list[str]
    result_title: str
    result_text: str


@dataclass
class FlagView:
    """A red or green flag with the framework's criteria that apply."""

    colour: str
    subject: str
    reason: str
    criteria: list[str]


@dataclass
class ImprovementPoint:
    """One area for improvement, with the KLOE it came from."""

    kloe: str
    title: str
    group: str
    text: str


@dataclass
class ReportContext:
    """Everything one council's report shows (see ``build_context``)."""

    code: str
    name: str
    framework: Framework
    period: str
    assessor: str
    illustrative: bool
    assessed_on: str
    sentence: str | None
    judgements: list[JudgementView]
    groups: list[GroupView]
    tables: list[TableView]
    flags: list[FlagView]
    flag_meanings: dict[str, list[str]]
    flags_apply: bool
    improvements: list[ImprovementPoint]
    pending: list[str]
    provenance: Provenance
    scores: Scores
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        """The page title: council and framework."""
        return f"{self.name} – {self.framework.title}"
