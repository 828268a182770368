"""Sensitivity: which single KLOE moving one level would change a judgement's suggestion.

Inspectors make a rounded judgement; knowing that a judgement sits one step from a
boundary (one KLOE from Fair to Good, a CAA cell that would become "3 or 4") tells them
where the evidence matters most. Suggestions only: judgement decisions are set aside, so
what changes is the framework's own chain of rules (CAA: themes -> Use of Resources
average -> table). KLOEs not yet levelled are not moved; moves stay on the KLOE's scale.
Each move is scored with ``scoring.suggested_options`` (the chain without validation),
fast enough to run on every edit in the form.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kloe_nb.assessment.model import Assessment
from kloe_nb.framework.labels import level_name
from kloe_nb.framework.model import Framework, Judgement, Scale
from kloe_nb.framework.naming import kloe_number, kloe_reference
from kloe_nb.scoring.score import suggested_options


@dataclass(frozen=True)
class Swing:
    """One KLOE moved one level, and the judgement's suggested options before and after."""

    kloe_id: str
    kloe_title: str
    from_level: int
    to_level: int
    before: list[int]
    after: list[int]


@dataclass(frozen=True)
class JudgementSensitivity:
    """A judgement's suggestion now, the single moves that would change it, and those moves in words."""

    judgement_id: str
    title: str
    options: list[int]
    raises: list[Swing]
    lowers: list[Swing]
    sentences: list[str] = field(default_factory=list)

    @property
    def at_boundary(self) -> bool:
        """Some single one-level KLOE move changes the suggestion."""
        return bool(self.raises or self.lowers)


def sensitivity(framework: Framework, assessment: Assessment) -> dict[str, JudgementSensitivity]:
    """For each scored judgement with a scale: its options now and every single KLOE move that changes them."""
    levels: dict[str, int | None] = {}
    moves: list[tuple[str, str, int, int]] = []  # kloe id, title, from, to
    for group, kloe in framework.iter_kloes():
        if not kloe.scored:
            continue
        level = assessment.record(kloe.id).level
        levels[kloe.id] = level
        if level is None:
            continue
        scale = framework.scale_for_group(group)
        allowed = {item.level for item in scale.levels} if scale else set()
        moves += [(kloe.id, kloe.title, level, level + step) for step in (1, -1) if level + step in allowed]
    now = suggested_options(framework, levels)
    swings: dict[str, list[Swing]] = {judgement_id: [] for judgement_id in now}
    for kloe_id, title, from_level, to_level in moves:
        moved = suggested_options(framework, {**levels, kloe_id: to_level})
        for judgement_id, options in moved.items():
            if options != now[judgement_id]:
                swings[judgement_id].append(Swing(kloe_id, title, from_level, to_level, now[judgement_id], options))
    result: dict[str, JudgementSensitivity] = {}
    for judgement in framework.judgements:
        if judgement.id not in now:
            continue
        found = swings[judgement.id]
        raises = [swing for swing in found if swing.to_level > swing.from_level]
        lowers = [swing for swing in found if swing.to_level < swing.from_level]
        result[judgement.id] = JudgementSensitivity(
            judgement.id,
            judgement.title,
            now[judgement.id],
            raises,
            lowers,
            sentences(framework, judgement, now[judgement.id], raises + lowers),
        )
    return result


def _kloe_scale(framework: Framework, kloe_id: str) -> Scale | None:
    for group, kloe in framework.iter_kloes():
        if kloe.id == kloe_id:
            return framework.scale_for_group(group)
    return None


def _names(framework: Framework, ids: list[str]) -> str:
    """'KLOE 2.1', 'any one of KLOE 2.1 or 2.3', '"Track record"' (a KLOE without a number is named by its title)."""
    kloes = [framework.kloe(kloe_id) for kloe_id in ids]
    numbers = [kloe_number(kloe) for kloe in kloes]
    if all(numbers):
        return f"KLOE {numbers[0]}" if len(numbers) == 1 else f"any one of KLOE {', '.join(numbers[:-1])} or {numbers[-1]}"
    names = [kloe_reference(kloe) for kloe in kloes]
    return names[0] if len(names) == 1 else f"any one of {', '.join(names[:-1])} or {names[-1]}"


def _outcome(judgement: Judgement, scale: Scale | None, before: list[int], after: list[int]) -> str:
    """What a move would do to the suggestion, in words."""
    table = judgement.rule is not None and judgement.rule.name == "combination_table"
    if len(after) == 2:
        where = "the table's cell" if table else "the suggestion"
        return f"would make {where} {after[0]} or {after[1]}"
    if not after:
        return "would leave no suggestion"
    name = level_name(scale, after[0])
    if len(before) == 1:
        verb = "raise" if after[0] > before[0] else "lower"
        return f"would {verb} the suggested level to {name}"
    if len(before) == 2:
        where = "the table's cell" if table else "the suggestion"
        return f"would make {where} a single level, {name}"
    return f"would make the suggested level {name}"


def sentences(framework: Framework, judgement: Judgement, options: list[int], swings: list[Swing]) -> list[str]:
    """The swings in plain words, KLOEs making the same move to the same result said together."""
    scale = framework.scale(judgement.scale) if judgement.scale else None
    if not options:
        return ["No suggestion yet (not every level it rests on is recorded), so nothing to test."]
    if not swings:
        return ["No single KLOE moving one level would change it."]
    grouped: dict[tuple[int, int, tuple[int, ...]], list[str]] = {}
    for swing in swings:
        grouped.setdefault((swing.from_level, swing.to_level, tuple(swing.after)), []).append(swing.kloe_id)
    lines = []
    for (from_level, to_level, after), ids in grouped.items():
        kloe_scale = _kloe_scale(framework, ids[0])
        verb = "Raising" if to_level > from_level else "Lowering"
        outcome = _outcome(judgement, scale, options, list(after))
        sentence = f"{verb} {_names(framework, ids)} from {level_name(kloe_scale, from_level)} to {level_name(kloe_scale, to_level)} {outcome}."
        if len(after) == 2 and len(options) == 1:
            sentence = "One step from a boundary: " + sentence[0].lower() + sentence[1:]
        lines.append(sentence)
    return lines
