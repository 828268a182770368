"""What the comparison page shows, as plain dataclasses built by ``context.build_context``.

Templates lay these out; every word about the framework (titles, labels) was taken from the
framework file by ``context``, and every name from the store, so templates hold no rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from kloe_nb.comparison.charts import BarChart
from kloe_nb.comparison.heatmap import HeatColumn
from kloe_nb.framework.model import Framework


@dataclass(frozen=True)
class Column:
    """A scored judgement as a column: its id, title and where it sits in the ranking."""

    id: str
    title: str
    number: int  # 1-based position in the ranking (the league table's column order)


@dataclass(frozen=True)
class JudgementCell:
    """One council's judgement in the league table: its level in words and its direction of travel."""

    level: int | None
    text: str  # "2 Fair ★", "needs a decision: 2 or 3", "not yet assessed"
    needs_decision: bool
    direction: str  # "up" | "down" | "same" | "" (no earlier period, or a level missing)
    direction_text: str  # "up from 2", "down from 3", "same as 2", "" ...
    direction_title: str  # the previous period's level in words, for the tooltip


@dataclass
class LeagueRow:
    """One council of the league table."""

    code: str
    name: str
    group: str
    period: str
    revision: int
    rank: int | None  # None: not ranked (a judgement needs a decision or is not yet assessed)
    rank_text: str  # "1", "=2", "not ranked"
    tied: bool
    cells: list[JudgementCell]
    mean: float | None
    mean_text: str
    levelled: int
    scored: int
    kloe_levels: dict[str, int | None]
    report: str = ""  # the council's report beside the page ("<slug>.html"), linked from its name; "" = not linked
    kloe_moves: str = ""  # how many KLOEs went up and down since its previous period ("3 up, 1 down since 2007/08"), "" without one

    def kloe_level(self, kloe_id: str) -> int | None:
        """The KLOE's level (what the shared heatmap asks of a row)."""
        return self.kloe_levels.get(kloe_id)


@dataclass(frozen=True)
class Ordering:
    """The councils in one order, with the id its column heading links to.

    The league table is shown once, in rank order; every other order is a list of the councils'
    names (each linking to its row), under a heading per value where the order has values
    (each level of a judgement, each peer group).
    """

    id: str
    title: str
    rows: list[LeagueRow]
    parts: list[tuple[str, list[LeagueRow]]] = field(default_factory=list)  # (heading, councils), "" heading for one plain list


@dataclass(frozen=True)
class Distribution:
    """How many councils reached each level of one judgement: a bar chart and the same as a table."""

    title: str
    rows: list[tuple[str, int]]  # (level in words, councils), best first, then undecided and not assessed
    chart: BarChart


@dataclass(frozen=True)
class HeatBlock:
    """The heatmap's rows for one peer group (or every council, when none has a group).

    Each cell is (css class, text): the level, coloured, and where the group has a median,
    "+" or "−" after a level above or below the group's median for that KLOE.
    """

    title: str  # the peer group, "" when the comparison has no groups
    note: str  # "the only council in this group", "not in any peer group", ""
    medians: list[str]  # the group's median per KLOE column, in column order; [] when there is no median row
    rows: list[tuple[LeagueRow, list[tuple[str, str]]]]


@dataclass(frozen=True)
class PeerCell:
    """One council's level of a judgement or KLOE against its peer group's median."""

    level: int | None
    difference: float | None
    position: str  # "above" | "at" | "below" | "" (no level, or no median)
    text: str  # "3 (+1)", "2 (=)", "" ...
    short: str  # the difference alone ("+1", "=", "−0.5"), where the level is shown elsewhere (the KLOE table)
    title: str  # the same in words


@dataclass(frozen=True)
class PeerRow:
    """A council of a peer group, with a cell per judgement and per KLOE."""

    code: str
    name: str
    judgements: list[PeerCell]
    kloes: dict[str, PeerCell]


@dataclass(frozen=True)
class PeerGroup:
    """One peer group: its medians, and each council set against them; or why it cannot be."""

    name: str
    councils: int
    judgement_medians: list[str]  # as text ("2.5", "" where no council has a level)
    kloe_medians: dict[str, str]
    rows: list[PeerRow]
    alone: str  # the only council's name when the group has one council, else ""


@dataclass(frozen=True)
class TravelRow:
    """A judgement's level in each period of one council, and the change over the run."""

    title: str
    levels: list[str]  # in words, per period ("" where not decided)
    change: str  # "up 1 since 2006/07", "same as in 2006/07", ""
    direction: str
    id: str = ""  # the judgement's id
    numbers: list[str] = field(default_factory=list)  # its level per period of the whole comparison (``travel_periods``), "" where none
    sign: str = ""  # the change over the periods as a number: "+1", "−2", "=" ("" when it has no level)


@dataclass(frozen=True)
class KloeMove:
    """A KLOE that moved over the council's last step."""

    label: str  # the KLOE's number, or the start of its title where the source does not number it
    title: str
    before: int
    after: int


@dataclass(frozen=True)
class Travel:
    """One council's direction of travel: a table of judgement levels per period, a chart, the KLOEs that moved."""

    code: str
    name: str
    periods: list[str]
    rows: list[TravelRow]
    chart: Markup | None
    kloes_up: list[KloeMove]
    kloes_down: list[KloeMove]
    previous: str  # the period before the latest
    moved: bool = False  # a judgement's level changed since the previous period: the page draws its chart and lists its KLOEs that moved
    steady: bool = False  # every judgement at the same level in every period (the page names it rather than repeat its levels)
    report: str = ""  # its report beside the page, whose direction of travel the page links to; ""
    anchor: str = ""  # the id of its chart and KLOE moves on the page ("t1"...), when it moved

    def row(self, judgement_id: str) -> TravelRow | None:
        """The judgement's row (None if the council has no such judgement)."""
        return next((row for row in self.rows if row.id == judgement_id), None)


@dataclass(frozen=True)
class AgreementRow:
    """Agreement of one pair of assessors (or overall) in words and numbers."""

    who: str
    councils: str
    compared: int
    exact: str
    within_one: str
    kappa: str
    note: str


@dataclass(frozen=True)
class AgreementView:
    """The assessor agreement section (only when the store holds independent second scorings)."""

    councils: int
    overall: AgreementRow
    pairs: list[AgreementRow]
    whole_store: bool  # the figures cover every council of the framework, not only the peer group shown


@dataclass
class ComparisonContext:
    """Everything the comparison page shows (see ``context.build_context``)."""

    framework: Framework
    sha256: str
    store: str
    group: str
    councils_csv: str
    generated: str
    package_version: str
    illustrative: bool
    periods: list[str]
    columns: list[Column]
    ranked_by: str  # how the ranking reads the judgements, in words
    league: list[LeagueRow]
    orderings: list[Ordering]
    has_groups: bool
    has_direction: bool
    excluded: list[Any]
    distributions: list[Distribution]
    heat_groups: list[tuple[str, list[HeatColumn]]]
    heat_blocks: list[HeatBlock]
    peer_groups: list[PeerGroup]
    ungrouped: list[str]  # councils with no peer group
    travel: list[Travel]
    travel_periods: list[str]  # every period of the councils with a direction of travel, oldest first
    scale_keys: list[tuple[str, str]]  # (judgement title, its levels in words: "1 Poor, 2 Fair, ..."), for tables that give levels as numbers
    one_period: list[str]  # councils assessed in one period only
    agreement: AgreementView | None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def has_report_links(self) -> bool:
        """Some council's name links to its report."""
        return any(row.report for row in self.league)

    @property
    def heat_width(self) -> int:
        """How many KLOE columns the heatmap has."""
        return sum(len(columns) for _, columns in self.heat_groups)

    @property
    def title(self) -> str:
        """The page title: the framework and the group compared."""
        within = f" – {self.group}" if self.group else ""
        return f"Comparison of councils{within} – {self.framework.title}"
