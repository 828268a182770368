"""The level a KLOE's statement verdicts suggest, read the way its framework says.

A framework declares how its descriptors are read (``descriptor_reading``):

**best_fit** (every bundled framework). Each described level is a picture of an organisation
at that level, and the analyst finds which picture fits best. Under a KLOE the analyst marks
a statement as *describing the organisation* (``met``) or, in the lowest described column
only, as one the organisation *falls short of* (``falls_short``). With H the top described
level and L the lowest (the sources describe two):

- s = share of H statements that describe the organisation;
- w = share of L statements that describe it or are fallen short of;
- f = share of L statements fallen short of.

Then, in this order: nothing marked gives no suggestion; f > 1/2 gives the scale level below
L (L where the scale has none below); f > 0 gives L (an organisation below the lower picture in
any respect is not above it); s = 1 and w = 0 gives H; s = 1 or s > w gives the scale level just
above L (3 for the Housing Inspectorate and Wales Audit Office, H itself for the Audit
Commission's 2 | 3 tables); otherwise L. Ties go down. Levels above H (AC level 4) are never
suggested from statements: the analyst decides them. The shares and their order are this
workbook's own rule for finding the best fit; the sources say only that descriptors are
guidance, not a checklist, and that the judgement is a rounded one.

**threshold** (for frameworks written as cumulative minimum requirements). A level is
suggested only when all of its statements and all statements of the described levels below
it are met; an undescribed level between two described ones (2 -> 4) is reached when some of
the upper level's statements are met too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from kloe_nb.assessment.model import KloeRecord
from kloe_nb.framework.model import DescriptorReading, Kloe, Scale


@dataclass(frozen=True)
class VerdictMove:
    """One more statement verdict of a kind, and the suggestion it would give."""

    level: int
    verdict: str  # "met" (describes the organisation) or "falls_short"
    suggestion: int | None
    words: str  # e.g. "one more 'excellent prospects' statement describing it"


@dataclass(frozen=True)
class KloeSuggestion:
    """The suggested level of one KLOE, with the counts behind it in the framework's words."""

    level: int | None
    higher_met: bool = False
    reason: str = ""
    mixed: bool = False
    counts: str = ""
    moves: tuple[VerdictMove, ...] = ()

    @property
    def next_verdict(self) -> str:
        """Whether one more statement verdict would change the suggestion, in words."""
        if not self.counts:
            return ""
        if not self.moves:
            return "no single further verdict would change it"
        return "; ".join(f"{move.words} would make it {'no suggestion' if move.suggestion is None else move.suggestion}" for move in self.moves)


def _words(scale: Scale | None, level: int) -> str:
    """A level's label as the framework gives it ('excellent prospects'), or 'level N'."""
    if scale is not None:
        for scale_level in scale.levels:
            if scale_level.level == level and scale_level.label:
                return f"'{scale_level.label.lower()}'"
    return f"level {level}"


class _Tally(NamedTuple):
    """The verdicts of one KLOE, counted: all the best-fit rule needs."""

    top: int
    low: int
    n_top: int
    n_low: int
    met_top: int
    met_low: int
    short: int


def _tally(kloe: Kloe, record: KloeRecord) -> _Tally | None:
    described = sorted(kloe.descriptors)
    if not described:
        return None
    top, low = described[-1], described[0]
    met_low = len(set(record.met.get(low, ()))) if low != top else 0
    return _Tally(
        top,
        low,
        len(kloe.descriptors[top]),
        len(kloe.descriptors[low]),
        len(set(record.met.get(top, ()))),
        met_low,
        len(set(record.falls_short.get(low, ()))),
    )


def suggest_kloe_level(kloe: Kloe, record: KloeRecord, scale: Scale | None, reading: DescriptorReading = "best_fit") -> KloeSuggestion:
    """The suggested level of one KLOE from its statement verdicts (see the module docstring)."""
    if reading == "threshold":
        return _threshold(kloe, record, scale)
    tally = _tally(kloe, record)
    if tally is None:
        return KloeSuggestion(None, reason="this KLOE has no descriptor statements")
    if not (tally.met_top or tally.met_low or tally.short):
        return KloeSuggestion(None, reason="no statement marked yet")
    levels = sorted(level.level for level in scale.levels) if scale else sorted(kloe.descriptors)
    level, reason = _best_fit(tally, levels)
    top_words, low_words = _words(scale, tally.top), _words(scale, tally.low)
    counts = f"{tally.met_top} of {tally.n_top} {top_words} statements describe it; {tally.met_low} of {tally.n_low} {low_words}"
    if tally.short:
        counts += f"; it falls short of {tally.short} of {tally.n_low} {low_words}"
    unmarked_low = tally.n_low - tally.met_low - tally.short
    candidates = []
    if tally.met_top < tally.n_top:
        candidates.append((tally.top, "met", tally._replace(met_top=tally.met_top + 1), f"one more {top_words} statement describing it"))
    if unmarked_low > 0 and tally.low != tally.top:
        candidates.append((tally.low, "met", tally._replace(met_low=tally.met_low + 1), f"one more {low_words} statement describing it"))
    if unmarked_low > 0:
        candidates.append((tally.low, "falls_short", tally._replace(short=tally.short + 1), f"falling short of one more {low_words} statement"))
    moves = tuple(
        VerdictMove(move_level, verdict, moved_level, words)
        for move_level, verdict, moved, words in candidates
        if (moved_level := _best_fit(moved, levels)[0]) != level
    )
    mixed = bool(tally.met_top and (tally.met_low or tally.short))
    return KloeSuggestion(level, False, reason, mixed, counts, moves)


def _best_fit(tally: _Tally, levels: list[int]) -> tuple[int, str]:
    """The best-fit level and why, from the counted verdicts (at least one verdict given)."""
    # s = met_top / n_top, w = (met_low + short) / n_low, f = short / n_low, compared in whole numbers
    s_over_w = tally.met_top * tally.n_low > (tally.met_low + tally.short) * tally.n_top
    if 2 * tally.short > tally.n_low:
        below = [level for level in levels if level < tally.low]
        return (below[-1] if below else tally.low), "it falls short of more than half the lower picture"
    if tally.short:
        return tally.low, "it falls short of part of the lower picture, so it is not above it"
    whole_top = tally.met_top == tally.n_top
    if whole_top and not (tally.met_low or tally.short):
        return tally.top, "the top picture fits and none of the lower one"
    if whole_top or s_over_w:
        return [level for level in levels if tally.low < level <= tally.top][0], "the top picture fits better than the lower one"
    return tally.low, "the lower picture fits at least as well as the top one"


def _threshold(kloe: Kloe, record: KloeRecord, scale: Scale | None) -> KloeSuggestion:
    """The cumulative reading: a level presupposes every statement of the levels below it."""
    described = sorted(kloe.descriptors)
    met = {level: set(record.met.get(level, ())) for level in described}
    if not described or not any(met.values()):
        return KloeSuggestion(None, reason="no descriptor statements marked met")
    scale_levels = sorted(level.level for level in scale.levels) if scale else described

    def fully_met(level: int) -> bool:
        return len(met[level]) >= len(kloe.descriptors[level])

    reached: int | None = None
    for level in described:
        if not fully_met(level):
            break
        reached = level
    if reached is None:
        below = [level for level in scale_levels if level < described[0]]
        suggestion = below[-1] if below else described[0]
        reason = f"not every level {described[0]} statement is met"
    else:
        suggestion = reached
        reason = f"every statement up to level {reached} is met"
        above = [level for level in described if level > reached]
        if above and met[above[0]]:
            between = [level for level in scale_levels if reached < level < above[0]]
            if between:
                suggestion = between[-1]
                reason += f", and some level {above[0]} statements"
    higher_met = any(met[level] for level in described if level > suggestion)
    counts = "; ".join(f"{len(met[level])} of {len(kloe.descriptors[level])} level {level} statements met" for level in reversed(described))
    return KloeSuggestion(suggestion, higher_met, reason, counts=counts)
