"""Each council set against its peer group: per judgement and per KLOE, the group's median and the difference.

A peer group (county, district, unitary, metropolitan, Welsh...) is compared only with itself.
The median of the councils' decided levels is the group's middle; a council's difference
from it says whether it stands above, at or below its peers. A group of one council has no
peers to speak of, and the page says so rather than showing a council equal to itself.
"""

from __future__ import annotations

from functools import lru_cache
from statistics import median

from kloe_nb.comparison.views import LeagueRow, PeerCell, PeerGroup, PeerRow
from kloe_nb.framework.model import Framework, Judgement

MINUS = "\u2212"


def number_text(value: float, signed: bool = False) -> str:
    """2 -> '2', 2.5 -> '2.5'; signed: '+1', '−0.5' (a true minus sign), '=' for zero."""
    if signed and value == 0:
        return "="
    text = f"{value:+.1f}" if signed else f"{value:.1f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return text.replace("-", MINUS)


def _levels_text(value: float) -> str:
    amount = number_text(abs(value))
    return f"{amount} level{'s' if abs(value) != 1 else ''}"


@lru_cache(maxsize=4096)
def peer_cell(level: int | None, middle: float | None) -> PeerCell:
    """A council's level against the group's median, in symbols and in words.

    Kept once per (level, median): a page of 400 councils asks for 20,000 cells of a few
    dozen kinds, and a ``PeerCell`` is immutable, so sharing one is safe.
    """
    if level is None:
        return PeerCell(None, None, "", "", "", "not yet levelled")
    if middle is None:
        return PeerCell(level, None, "", str(level), "", f"{level}")
    difference = level - middle
    position = "above" if difference > 0 else "below" if difference < 0 else "at"
    words = (
        f"at the group median {number_text(middle)}" if position == "at" else f"{_levels_text(difference)} {position} the group median {number_text(middle)}"
    )
    sign = number_text(difference, signed=True)
    return PeerCell(level, difference, position, f"{level} ({sign})", sign, f"{level}: {words}")


def _median(levels: list[int | None]) -> float | None:
    known = [level for level in levels if level is not None]
    return float(median(known)) if known else None


def _judgement_level(row: LeagueRow, index: int) -> int | None:
    cell = row.cells[index]
    return cell.level if not cell.needs_decision else None


def peer_groups(framework: Framework, judgements: list[Judgement], league: list[LeagueRow]) -> tuple[list[PeerGroup], list[str]]:
    """Every peer group of the compared councils (by name), and the councils that have no group."""
    members: dict[str, list[LeagueRow]] = {}
    for row in league:
        if row.group:
            members.setdefault(row.group, []).append(row)
    kloe_ids = [kloe.id for _, kloe in framework.iter_kloes() if kloe.scored]
    groups = []
    for name in sorted(members, key=lambda text: (text.casefold(), text)):
        rows = sorted(members[name], key=lambda row: (row.name.casefold(), row.code))
        if len(rows) < 2:
            groups.append(PeerGroup(name, 1, [], {}, [], rows[0].name))
            continue
        judgement_medians = [_median([_judgement_level(row, index) for row in rows]) for index in range(len(judgements))]
        kloe_medians = {kloe_id: _median([row.kloe_level(kloe_id) for row in rows]) for kloe_id in kloe_ids}
        peer_rows = [
            PeerRow(
                row.code,
                row.name,
                [peer_cell(_judgement_level(row, index), judgement_medians[index]) for index in range(len(judgements))],
                {kloe_id: peer_cell(row.kloe_level(kloe_id), kloe_medians[kloe_id]) for kloe_id in kloe_ids},
            )
            for row in rows
        ]
        groups.append(
            PeerGroup(
                name,
                len(rows),
                [number_text(value) if value is not None else "" for value in judgement_medians],
                {kloe_id: number_text(value) if value is not None else "" for kloe_id, value in kloe_medians.items()},
                peer_rows,
                "",
            )
        )
    ungrouped = sorted(row.name for row in league if not row.group)
    return groups, ungrouped
