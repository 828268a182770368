"""What the comparison page shows, as plain data: built from the gathered councils.

Pure functions of their inputs (and the clock, for the generated time, which callers may
pass). Every label is the framework's (``level_name``); every name is the store's. The league
order is ``ranking.py``'s, the peer-group medians ``peers.py``'s; this module puts the parts
together: league table and its orderings, distributions, the heatmap's columns, direction
of travel and assessor agreement.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from kloe_nb import __version__
from kloe_nb.analysis.agreement import Agreement, AgreementReport
from kloe_nb.analysis.periods import period_sort_key
from kloe_nb.analysis.trend import Movement
from kloe_nb.comparison.charts import count_chart
from kloe_nb.comparison.data import CouncilData, Gathered
from kloe_nb.comparison.heatmap import HeatColumn, heat_columns
from kloe_nb.comparison.peers import MINUS, peer_groups
from kloe_nb.comparison.ranking import decided, judgement_key, mean_key, mean_level, rank, ranking_judgements
from kloe_nb.comparison.views import (
    AgreementRow,
    AgreementView,
    Column,
    ComparisonContext,
    Distribution,
    HeatBlock,
    JudgementCell,
    KloeMove,
    LeagueRow,
    Ordering,
    PeerGroup,
    Travel,
    TravelRow,
)
from kloe_nb.framework.labels import level_name
from kloe_nb.framework.model import Framework, Judgement, Scale
from kloe_nb.framework.naming import kloe_number
from kloe_nb.render.labels import level_text

NEEDS_DECISION = "needs a decision"
NOT_ASSESSED = "not yet assessed"


def _scale(framework: Framework, judgement: Judgement) -> Scale | None:
    return framework.scale(judgement.scale) if judgement.scale else None


def _movement(council: CouncilData, judgement_id: str) -> Movement | None:
    return next((item for item in council.trend.judgements if item.id == judgement_id), None)


def _direction(council: CouncilData, judgement_id: str, scale: Scale | None) -> tuple[str, str, str]:
    """(direction, words, tooltip) of a judgement's last step, versus the council's previous period."""
    movement = _movement(council, judgement_id)
    if movement is None or not council.trend.has_history:
        return "", "", ""
    previous, before = council.trend.periods[-2], movement.levels[-2]
    if before is None:
        return "", f"no level in {previous}" if movement.levels[-1] is not None else "", ""
    title = f"{previous}: {level_name(scale, before)}"
    if movement.step is None:
        return "", "", title
    if movement.step > 0:
        return "up", f"up from {before}", title
    if movement.step < 0:
        return "down", f"down from {before}", title
    return "same", f"unchanged at {before}", title


def _league_rows(framework: Framework, judgements: list[Judgement], councils: list[CouncilData]) -> list[LeagueRow]:
    keys, rankable, rows = [], [], []
    for council in councils:
        cells = []
        for judgement in judgements:
            scale = _scale(framework, judgement)
            result = council.scores.judgements.get(judgement.id)
            direction, words, title = _direction(council, judgement.id, scale)
            text = level_text(scale, result) if result is not None else NOT_ASSESSED
            cells.append(JudgementCell(result.level if result else None, text, bool(result and result.needs_judgement), direction, words, title))
        mean, levelled, scored = mean_level(council.scores)
        results = [council.scores.judgements.get(judgement.id) for judgement in judgements]
        keys.append((*(judgement_key(result) for result in results), mean_key(mean)))
        rankable.append(all(decided(result) for result in results))
        kloe_levels = {kloe_id: result.level for kloe_id, result in council.scores.kloes.items() if result.scored}
        mean_text = f"{mean:.2f}" if mean is not None else ""
        rows.append(
            LeagueRow(
                council.code,
                council.name,
                council.group,
                council.period,
                council.revision,
                None,
                "",
                False,
                cells,
                mean,
                mean_text,
                levelled,
                scored,
                kloe_levels,
            )
        )
    places = rank(keys, rankable)
    for row, place in zip(rows, places):
        row.rank, row.tied = place.rank, place.tied
        row.rank_text = "not ranked" if place.rank is None else f"={place.rank}" if place.tied else str(place.rank)
    return [row for _, row in sorted(zip(places, rows), key=lambda pair: pair[0].position)]


def _parts(rows: list[LeagueRow], heading: Any) -> list[tuple[str, list[LeagueRow]]]:
    """Consecutive rows with the same heading, as (heading, rows)."""
    parts: list[tuple[str, list[LeagueRow]]] = []
    for row in rows:
        text = heading(row)
        if parts and parts[-1][0] == text:
            parts[-1][1].append(row)
        else:
            parts.append((text, [row]))
    return parts


def _orderings(columns: list[Column], league: list[LeagueRow]) -> list[Ordering]:
    """The league table by rank (the default), name, group, each judgement (best first) and mean level.

    Only the rank order is a table; the others list the councils, under a heading per group
    and per level of the judgement (``Ordering.parts``).
    """
    position = {row.code: index for index, row in enumerate(league)}
    by_name = sorted(league, key=lambda row: (row.name.casefold(), position[row.code]))
    found = [
        Ordering("league-rank", "rank", league, [("", league)]),
        Ordering("league-name", "council", by_name, [("", by_name)]),
    ]
    if any(row.group for row in league):
        by_group = sorted(league, key=lambda row: (row.group.casefold() or "\uffff", position[row.code]))
        found.append(Ordering("league-group", "group", by_group, _parts(by_group, lambda row: row.group or "not in any peer group")))
    for index, column in enumerate(columns):

        def best_first(row: LeagueRow, at: int = index) -> tuple[Any, ...]:
            cell = row.cells[at]
            key = (0, -cell.level) if cell.level is not None and not cell.needs_decision else (1,) if cell.needs_decision else (2,)
            return (key, position[row.code])

        ordered = sorted(league, key=best_first)
        found.append(Ordering(f"league-j{column.number}", column.title, ordered, _parts(ordered, lambda row, at=index: row.cells[at].text)))
    by_mean = sorted(league, key=lambda row: (mean_key(row.mean), position[row.code]))
    found.append(Ordering("league-mean", "mean KLOE level", by_mean, [("", by_mean)]))
    return found


def _heat_blocks(league: list[LeagueRow], groups: list[PeerGroup], heat: list[tuple[str, list[HeatColumn]]]) -> list[HeatBlock]:
    """The heatmap's rows: per peer group (its median row, then its councils in league order), else every council in league order."""
    ids = [column.id for _, columns in heat for column in columns]

    def plain(row: LeagueRow) -> list[tuple[str, str]]:
        levels = [row.kloe_level(kloe_id) for kloe_id in ids]
        return [(f"h{level}", str(level)) if level else ("h0", "") for level in levels]

    if not groups:
        return [HeatBlock("", "", [], [(row, plain(row)) for row in league])]
    order = {row.code: index for index, row in enumerate(league)}
    by_code = {row.code: row for row in league}
    marks = {"above": "+", "below": MINUS}
    blocks = []
    for group in groups:
        if group.alone:
            only = next(row for row in league if row.group == group.name)
            blocks.append(HeatBlock(group.name, "the only council in this peer group", [], [(only, plain(only))]))
            continue
        rows = []
        for peer in sorted(group.rows, key=lambda item: order[item.code]):
            cells = []
            for kloe_id in ids:
                cell = peer.kloes[kloe_id]
                cells.append((f"h{cell.level}", f"{cell.level}{marks.get(cell.position, '')}") if cell.level else ("h0", ""))
            rows.append((by_code[peer.code], cells))
        blocks.append(HeatBlock(group.name, "", [group.kloe_medians[kloe_id] for kloe_id in ids], rows))
    ungrouped = [row for row in league if not row.group]
    if ungrouped:
        blocks.append(HeatBlock("", "not in any peer group", [], [(row, plain(row)) for row in ungrouped]))
    return blocks


def _distributions(framework: Framework, councils: list[CouncilData]) -> list[Distribution]:
    found = []
    for judgement in framework.judgements:
        scale = _scale(framework, judgement)
        if not judgement.scored or scale is None:
            continue
        results = [council.scores.judgements.get(judgement.id) for council in councils]
        rows: list[tuple[str, int, int | None]] = []
        for level in sorted((item.level for item in scale.levels), reverse=True):
            rows.append((level_name(scale, level), sum(1 for result in results if decided(result) and result.level == level), level))
        undecided = sum(1 for result in results if result is not None and result.needs_judgement)
        missing = sum(1 for result in results if not decided(result) and not (result is not None and result.needs_judgement))
        rows += [(NEEDS_DECISION, undecided, None)] * bool(undecided) + [(NOT_ASSESSED, missing, None)] * bool(missing)
        found.append(Distribution(judgement.title, [(label, count) for label, count, _ in rows], count_chart(judgement.title, rows)))
    return found


def _change_text(movement: Movement, periods: list[str]) -> tuple[str, str]:
    """The change over the council's whole run of periods, in words ("up 1 since 2006/07")."""
    if movement.overall is None:
        return "", ""
    first = next(periods[index] for index, level in enumerate(movement.levels) if level is not None)
    if movement.overall > 0:
        return f"up {movement.overall} since {first}", "up"
    if movement.overall < 0:
        return f"down {-movement.overall} since {first}", "down"
    return f"unchanged since {first}", "same"


def _change_sign(movement: Movement) -> str:
    """The same change as a signed number ("+1", "−2", "=")."""
    if movement.overall is None:
        return ""
    return "=" if movement.overall == 0 else f"+{movement.overall}" if movement.overall > 0 else f"{MINUS}{-movement.overall}"


def _kloe_labels(framework: Framework) -> dict[str, str]:
    """Each KLOE's short name in the lists of KLOEs that moved: its number, else its group's number and a short title."""
    return {kloe.id: kloe_number(kloe) or " ".join(part for part in (group.number, _short(kloe.title, 24)) if part) for group, kloe in framework.iter_kloes()}


def _travel(framework: Framework, council: CouncilData, periods: list[str], labels: dict[str, str]) -> Travel:
    """One council's direction of travel; its chart only when a judgement moved since its previous period (as the league table's arrows).

    ``labels``: ``_kloe_labels(framework)``, made once for every council.
    """
    from kloe_nb.render.charts import trend_chart

    trend = council.trend
    by_id = {judgement.id: judgement for judgement in framework.judgements}
    rows, series, scales = [], [], set()
    moved, steady = False, True
    for movement in trend.judgements:
        judgement = by_id[movement.id]
        scale = _scale(framework, judgement)
        scales.add(judgement.scale)
        words = [level_name(scale, level) if level is not None else "" for level in movement.levels]
        change, direction = _change_text(movement, trend.periods)
        own = dict(zip(trend.periods, movement.levels))
        numbers = [str(own[period]) if own.get(period) is not None else "" for period in periods]
        moved = moved or bool(movement.step)
        steady = steady and len({level for level in movement.levels if level is not None}) <= 1
        rows.append(TravelRow(movement.title, words, change, direction, movement.id, numbers, _change_sign(movement)))
        series.append((movement.title, list(movement.levels)))
    named = [scale_id for scale_id in scales if scale_id is not None]
    shared = framework.scale(named[0]) if len(scales) == 1 and named else None
    chart = trend_chart(list(trend.periods), series, shared, f"{council.name}: judgements by period") if moved else None
    moves = [
        KloeMove(labels[item.id], item.title, item.levels[-2], item.levels[-1])
        for item in trend.kloes
        if item.step and item.levels[-2] is not None and item.levels[-1] is not None
    ]
    return Travel(
        council.code,
        council.name,
        list(trend.periods),
        rows,
        chart,
        [move for move in moves if move.after > move.before],
        [move for move in moves if move.after < move.before],
        trend.periods[-2],
        moved,
        steady and not moved,
    )


def _travels(framework: Framework, councils: list[CouncilData], links: dict[str, str]) -> tuple[list[Travel], list[str]]:
    """Every council with earlier periods, by name, and the periods they cover."""
    with_history = sorted((council for council in councils if council.trend.has_history), key=lambda c: (c.name.casefold(), c.code))
    periods = sorted({period for council in with_history for period in council.trend.periods}, key=period_sort_key)
    travels: list[Travel] = []
    labels = _kloe_labels(framework)
    for council in with_history:
        travel = _travel(framework, council, periods, labels)
        anchor = f"t{len(travels) + 1}" if travel.moved else ""
        travels.append(replace(travel, report=links.get(council.code, ""), anchor=anchor))
    return travels, periods


def _scale_keys(framework: Framework, judgements: list[Judgement]) -> list[tuple[str, str]]:
    """Each judgement's levels in words, for the tables that show levels as numbers."""
    keys = []
    for judgement in judgements:
        scale = _scale(framework, judgement)
        if scale is not None:
            keys.append((judgement.title, ", ".join(level_name(scale, level.level) for level in sorted(scale.levels, key=lambda item: item.level))))
    return keys


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _percent(share: float | None) -> str:
    return f"{share:.0%}" if share is not None else "–"


def _agreement_row(who: str, councils: str, result: Agreement) -> AgreementRow:
    kappa = f"{result.kappa:.2f}" if result.kappa is not None else "–"
    return AgreementRow(who, councils, result.compared, _percent(result.exact), _percent(result.within_one), kappa, result.note)


def _agreement(report: AgreementReport | None, group: str) -> AgreementView | None:
    if report is None or report.councils == 0:
        return None
    overall = _agreement_row("Every pair of assessors", f"{report.councils} council assessment{'s' if report.councils != 1 else ''}", report.overall)
    pairs = [_agreement_row(" and ".join(pair.assessors), ", ".join(pair.councils), pair.agreement) for pair in report.pairs]
    return AgreementView(report.councils, overall, pairs, bool(group))


def _ranked_by(columns: list[Column]) -> str:
    titles = [f"“{column.title}”" for column in columns]
    return ", then ".join([*titles, "the mean KLOE level"])


def build_context(gathered: Gathered, generated: datetime | None = None, report_links: dict[str, str] | None = None) -> ComparisonContext:
    """Everything the comparison page shows (see the module docstring).

    ``report_links``: council code -> its report's file name beside the page (``kloe run``'s
    ``<slug>.html``); those councils' names link to their reports.
    """
    framework = gathered.record.framework
    councils = gathered.councils
    links = report_links or {}
    judgements = ranking_judgements(framework)
    columns = [Column(judgement.id, judgement.title, number) for number, judgement in enumerate(judgements, start=1)]
    league = _league_rows(framework, judgements, councils)
    groups, ungrouped = peer_groups(framework, judgements, league)
    heat = heat_columns(framework)
    travel, travel_periods = _travels(framework, councils, links)
    moves = {item.code: item for item in travel}
    for row in league:
        row.report = links.get(row.code, "")
        if row.code in moves:
            item = moves[row.code]
            row.kloe_moves = f"KLOEs since {item.previous}: {len(item.kloes_up)} up, {len(item.kloes_down)} down"
    generated = generated or datetime.now(timezone.utc)
    return ComparisonContext(
        framework=framework,
        sha256=gathered.record.sha256,
        store=gathered.store,
        group=gathered.group,
        councils_csv=gathered.councils_csv,
        generated=generated.strftime("%Y-%m-%d %H:%M UTC"),
        package_version=__version__,
        illustrative=any(council.illustrative for council in councils),
        periods=sorted({council.period for council in councils}, key=period_sort_key),
        columns=columns,
        ranked_by=_ranked_by(columns),
        league=league,
        orderings=_orderings(columns, league),
        has_groups=any(row.group for row in league),
        has_direction=bool(travel),
        excluded=list(gathered.excluded),
        distributions=_distributions(framework, councils),
        heat_groups=heat,
        heat_blocks=_heat_blocks(league, groups, heat),
        peer_groups=groups,
        ungrouped=ungrouped,
        travel=travel,
        travel_periods=travel_periods,
        scale_keys=_scale_keys(framework, judgements),
        one_period=[council.name for council in councils if not council.trend.has_history],
        agreement=_agreement(gathered.agreement, gathered.group),
    )
