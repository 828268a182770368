"""The league table's order: councils by their judgements, best first, then by the mean KLOE level.

Which judgement counts first comes from the framework's own rules, not from a list in code:
a judgement that no other judgement's rule reads is a headline (AC's two judgements; CAA's
organisational assessment), so it is read first; then the judgements those read (CAA's Use of
Resources and Managing performance), then theirs (the three Use of Resources themes), each
tier in framework order. For a framework whose judgements stand alone this is simply
framework order.

A judgement that needs a decision (a CAA "2 or 3" cell) has no level yet: it ranks after
every council decided on that judgement (the higher option first), and one not yet assessed
after those. Councils whose keys are equal share a rank ("=2"); a council with any judgement
undecided or not assessed is listed in that order but not given a rank number.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import fmean
from typing import Any, TypeGuard

from kloe_nb.framework.model import Framework, Judgement
from kloe_nb.scoring.score import LevelScore, Scores


def ranking_judgements(framework: Framework) -> list[Judgement]:
    """The scored judgements in the order the ranking reads them (see the module docstring)."""
    scored = [judgement for judgement in framework.judgements if judgement.scored and judgement.scale]
    readers: dict[str, list[str]] = {}
    for judgement in framework.judgements:
        for input_id in judgement.rule.inputs if judgement.rule else []:
            readers.setdefault(input_id, []).append(judgement.id)
    depth: dict[str, int] = {}

    def depth_of(judgement_id: str, trail: tuple[str, ...] = ()) -> int:
        if judgement_id not in depth:
            above = [reader for reader in readers.get(judgement_id, []) if reader not in trail]
            depth[judgement_id] = 1 + max((depth_of(reader, (*trail, judgement_id)) for reader in above), default=-1)
        return depth[judgement_id]

    order = {judgement.id: index for index, judgement in enumerate(framework.judgements)}
    return sorted(scored, key=lambda judgement: (depth_of(judgement.id), order[judgement.id]))


def judgement_key(result: LevelScore | None) -> tuple[int, ...]:
    """Sorts a judgement best first: decided levels, then undecided cells (higher options first), then not assessed."""
    if result is not None and result.level is not None and not result.needs_judgement:
        return (0, -result.level)
    if result is not None and result.needs_judgement and result.options:
        return (1, -max(result.options), -min(result.options))
    return (2,)


def decided(result: LevelScore | None) -> TypeGuard[LevelScore]:
    """The judgement has a level (not a cell awaiting a decision, not missing)."""
    return result is not None and result.level is not None and not result.needs_judgement


def mean_level(scores: Scores) -> tuple[float | None, int, int]:
    """The mean decided level of the scored KLOEs, how many are levelled, and how many are scored."""
    levels = [result.level for result in scores.kloes.values() if result.scored and result.level is not None]
    scored = sum(1 for result in scores.kloes.values() if result.scored)
    return (fmean(levels) if levels else None), len(levels), scored


def mean_key(mean: float | None) -> tuple[int, float]:
    """Higher means first; a council with no KLOE levelled last (rounded, so float noise never splits a tie)."""
    return (0, -round(mean, 9)) if mean is not None else (1, 0.0)


@dataclass(frozen=True)
class Ranked:
    """A council's place: its position in the order, and its rank number (None: not ranked)."""

    position: int
    rank: int | None
    tied: bool


def rank(keys: list[tuple[Any, ...]], rankable: list[bool]) -> list[Ranked]:
    """Places for councils given their sort keys (same order as given): competition ranking, "=2" for ties."""
    order = sorted(range(len(keys)), key=lambda index: keys[index])
    places: list[Ranked | None] = [None] * len(keys)
    counts: dict[tuple[Any, ...], int] = {}
    for index in range(len(keys)):
        if rankable[index]:
            counts[keys[index]] = counts.get(keys[index], 0) + 1
    first_at: dict[tuple[Any, ...], int] = {}
    number = 0
    for position, index in enumerate(order):
        if rankable[index]:
            number += 1
            first_at.setdefault(keys[index], number)
            places[index] = Ranked(position, first_at[keys[index]], counts[keys[index]] > 1)
        else:
            places[index] = Ranked(position, None, False)
    return [place for place in places if place is not None]
