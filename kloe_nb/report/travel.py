"""Direction of travel as a report shows it: a council's ``Trend`` laid out per period, in arrows and words.

The trend itself (levels per period, the last step) is computed by ``kloe_nb.analysis.trend``;
this module only words it (KLOEs never levelled in any period are left out). Every change is given as an arrow *and* in words ("up from 2 Fair ★"),
so the table reads the same printed in black and white; levels are named by the framework's
own scale labels. The chart has one line per judgement, one chart per scale.
"""

from __future__ import annotations

from kloe_nb.analysis.trend import Movement, Trend
from kloe_nb.framework.labels import level_name
from kloe_nb.framework.model import Framework, Scale
from kloe_nb.framework.naming import group_heading, kloe_number
from kloe_nb.render.charts import trend_chart
from kloe_nb.report.views import TravelCell, TravelGroup, TravelRow, TravelView

ARROWS = {"up": "\u2191", "down": "\u2193", "same": "\u2192"}
NOT_ASSESSED = "not assessed"  # a KLOE without a level in a period
NOT_DECIDED = "no level decided"  # a judgement without one (e.g. a CAA "2 or 3" cell not yet decided)


def _direction(before: int | None, after: int | None) -> str:
    if before is None or after is None:
        return ""
    return "up" if after > before else "down" if after < before else "same"


def _levels_word(count: int) -> str:
    return f"{count} level{'s' if count != 1 else ''}"


def change_words(scale: Scale | None, levels: list[int | None], periods: list[str], missing: str = NOT_ASSESSED, numbers: bool = False) -> str:
    """The last change in words: 'up from 2 Fair ★' ('up from 2' with ``numbers``), 'same', 'not assessed in 2007/08'
    (under the heading 'Change since 2007/08')."""
    if len(levels) < 2:
        return ""
    before, after = levels[-2], levels[-1]
    if before is None or after is None:
        return f"{missing} in {periods[-2] if before is None else periods[-1]}"
    direction = _direction(before, after)
    if direction == "same":
        return "same"
    return f"{direction} from {before if numbers else level_name(scale, before)}"


def overall_words(levels: list[int | None], periods: list[str]) -> str:
    """The change from the first assessed period to the last: 'up 2 levels' under the heading 'Since 2006/07',
    'up 2 levels since 2007/08' where the first period assessed is a later one ('' if fewer than two)."""
    assessed = [(period, level) for period, level in zip(periods, levels) if level is not None]
    if len(assessed) < 2:
        return ""
    (first_period, first), (_, last) = assessed[0], assessed[-1]
    since = f" since {first_period}" if first_period != periods[0] else ""
    if last == first:
        return f"no change{since}"
    return f"{'up' if last > first else 'down'} {_levels_word(abs(last - first))}{since}"


def travel_row(movement: Movement, scale: Scale | None, periods: list[str], number: str = "", numbers: bool = False) -> TravelRow:
    """One judgement or KLOE across the periods; with ``numbers``, levels as numbers (the KLOE table, whose key names them once)."""
    missing = NOT_DECIDED if movement.kind == "judgement" else NOT_ASSESSED
    cells = []
    for index, level in enumerate(movement.levels):
        moved = _direction(movement.levels[index - 1] if index else None, level)
        arrow = ARROWS[moved] if moved in ("up", "down") else ""  # a cell shows only a change; the last column says "same"
        text = (str(level) if numbers else level_name(scale, level)) if level is not None else missing
        cells.append(TravelCell(level, text, arrow))
    return TravelRow(
        id=movement.id,
        number=number,
        title=movement.title,
        cells=cells,
        direction=movement.direction,
        arrow=ARROWS.get(movement.direction, ""),
        change=change_words(scale, movement.levels, periods, missing, numbers),
        overall=overall_words(movement.levels, periods),
    )


def _counts(rows: list[TravelRow], previous: str) -> str:
    """'Since 2007/08: 6 KLOEs up, 2 down, 22 the same; 1 not assessed in both periods.'"""
    if not previous or not rows:
        return ""
    tally = {direction: sum(1 for row in rows if row.direction == direction) for direction in ("up", "down", "same", "")}
    text = f"Since {previous}: {tally['up']} KLOE{'' if tally['up'] == 1 else 's'} up, {tally['down']} down, {tally['same']} the same"
    if tally[""]:
        text += f"; {tally['']} not assessed in both periods"
    return text + "."


def travel_view(framework: Framework, trend: Trend, current: str) -> TravelView | None:
    """What the report shows of the trend (None when the store holds no period of this council)."""
    if not trend.periods:
        return None
    periods = list(trend.periods)
    judgement_scales = {j.id: (framework.scale(j.scale) if j.scale else None) for j in framework.judgements}
    judgements = [travel_row(m, judgement_scales.get(m.id), periods) for m in trend.judgements]
    by_kloe = {m.id: m for m in trend.kloes}
    groups = []
    keys: dict[str, list[str]] = {}  # scale labels -> the groups whose KLOEs use them
    for group in framework.groups:
        scale = framework.scale_for_group(group)
        levelled = [kloe for kloe in group.kloes if kloe.id in by_kloe and any(level is not None for level in by_kloe[kloe.id].levels)]
        rows = [travel_row(by_kloe[kloe.id], scale, periods, kloe_number(kloe), numbers=True) for kloe in levelled]
        if rows:
            groups.append(TravelGroup(group_heading(group), rows))
            if scale is not None:
                key = ", ".join(level_name(scale, level.level) for level in sorted(scale.levels, key=lambda item: item.level))
                keys.setdefault(key, []).append(framework.judgement(group.judgement).title)
    previous = periods[-2] if len(periods) >= 2 else ""
    charts = []
    if len(periods) >= 2:
        by_scale: dict[str, list[Movement]] = {}
        for m in trend.judgements:
            by_scale.setdefault(framework.judgement(m.id).scale or "", []).append(m)
        for scale_id, movements in by_scale.items():
            scale = framework.scale(scale_id) if scale_id else None
            title = "Direction of travel: " + "; ".join(m.title for m in movements)
            charts.append(trend_chart(periods, [(m.title, list(m.levels)) for m in movements], scale, title))
    return TravelView(
        periods=periods,
        assessors=list(trend.assessors),
        current=current,
        previous=previous,
        judgements=judgements,
        groups=groups,
        counts=_counts([row for group in groups for row in group.rows], previous),
        charts=charts,
        kloe_keys=[(", ".join(dict.fromkeys(whose)), key) for key, whose in keys.items()],
    )
