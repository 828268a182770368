"""The data a council's report shows: plain dataclasses, built by ``context.build_context``.

Templates lay these out; every word in them comes from the framework file or from what the
analyst recorded, already chosen and ordered, so templates hold no rules of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from kloe_nb.assessment.model import Evidence
from kloe_nb.framework.model import Framework
from kloe_nb.render.charts import Chart
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
    at_boundary: bool = False  # one KLOE moving one level would change the suggestion (see SensitivityView)
    provisional: str = ""  # "provisional: 2 of 10 KLOEs levelled" where the suggestion rests on only some KLOEs


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
    falls_short: list[MetGroup]
    described: bool
    evidence: list[Evidence]
    strengths: str
    areas_for_improvement: str
    current_position: str
    rationale: str
    moderation: str = ""  # "agreed in moderation: A 2, B 3 → 3" where the level was agreed in moderation
    moderation_note: str = ""  # why, and who moderated
    actions: int = 0  # how many actions of the improvement plan address this KLOE
    counts: str = ""  # what one more verdict would do ("falling short of one more ... would make it 2"); the groups above give the counts
    mixed: bool = False  # statements marked in both columns
    anchor: str = ""  # the row's id on the page (``anchors.kloe_anchors``)

    @property
    def recorded(self) -> bool:
        """Anything at all was recorded against the KLOE (an unscored group shows only these rows)."""
        return bool(
            self.level is not None or self.met or self.evidence or self.strengths or self.areas_for_improvement or self.current_position or self.actions
        )


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
    anchor: str = ""  # the KLOE's row on the page, where the text is
    whole: bool = False  # the text is all the KLOE's areas for improvement (the row shows it: a link is enough)


@dataclass
class ActionView:
    """One action of the improvement plan, with the KLOE it belongs to and what it still lacks."""

    kloe: str  # before the title: its number, or its group's label where the title alone is shared ("Theme 1.2")
    title: str
    group: str
    area: str
    action: str
    owner: str
    due: str
    priority: str
    resources: str
    measure: str
    missing: str  # "no owner, no due date" ("" when every SMART field is filled in)
    anchor: str = ""  # the KLOE's row on the page


@dataclass
class SensitivityView:
    """What single KLOE move would change one judgement's suggestion, in the framework's words."""

    id: str
    title: str
    suggested_text: str
    at_boundary: bool
    sentences: list[str]


@dataclass
class TravelCell:
    """One period's level of one judgement or KLOE, with the arrow from the period before."""

    level: int | None
    text: str
    arrow: str  # "↑", "↓", "→" or "" (no level in this period or the one before)


@dataclass
class TravelRow:
    """A judgement or KLOE across the periods: each level, and the last change in an arrow and in words."""

    id: str
    number: str
    title: str
    cells: list[TravelCell]
    direction: str  # "up", "down", "same" or "" (not comparable)
    arrow: str
    change: str  # "up from 2 Fair ★", "down from 3", "same", "not assessed in 2007/08" (since the period before)
    overall: str  # "up 2 levels" since the first period, "up 1 level since 2007/08" from a later one ("" with fewer than two levels)


@dataclass
class TravelGroup:
    """The KLOE rows of one question or theme."""

    heading: str
    rows: list[TravelRow]


@dataclass
class TravelView:
    """Direction of travel: this council's periods up to this report's, per judgement and KLOE."""

    periods: list[str]
    assessors: list[str]
    current: str  # this report's period
    previous: str  # the period before it ("" with one period)
    judgements: list[TravelRow]
    groups: list[TravelGroup]
    counts: str  # "Since 2007/08: 6 KLOEs up, 2 down, 22 the same."
    charts: list[Markup]  # one trend chart per scale of the judgements (none with one period)
    kloe_keys: list[tuple[str, str]] = field(default_factory=list)  # (whose, "1 Poor, 2 Fair, ..."): the KLOE table gives levels as numbers

    @property
    def has_history(self) -> bool:
        """At least two periods: there is a direction to show."""
        return len(self.periods) >= 2


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
    actions: list[ActionView] = field(default_factory=list)  # the improvement plan, in priority order
    unplanned: list[ImprovementPoint] = field(default_factory=list)  # areas for improvement with no action yet
    sensitivity: list[SensitivityView] = field(default_factory=list)
    travel: TravelView | None = None  # None when the report was not given the council's other periods
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def unplanned_by_group(self) -> list[tuple[str, list[ImprovementPoint]]]:
        """The areas without an action, under their question or theme, in framework order."""
        grouped: dict[str, list[ImprovementPoint]] = {}
        for point in self.unplanned:
            grouped.setdefault(point.group, []).append(point)
        return list(grouped.items())

    @property
    def title(self) -> str:
        """The page title: council and framework."""
        return f"{self.name} – {self.framework.title}"
