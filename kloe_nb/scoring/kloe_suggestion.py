"""The level a KLOE's ticked descriptor statements suggest.

The sources' practice: a level must hold across the whole KLOE, so a level is suggested only
when all of its statements, and all statements of the described levels below it, are met.
The sources describe two levels per KLOE (2 and 3, or 4 and 2); the rest of the scale is
reached like this:

- nothing ticked: no suggestion (not yet assessed, never a score);
- the lowest described level not fully met: the scale level just below it (e.g. 1, Poor);
- a described level fully met and some, not all, statements of the next described level
  met, with an undescribed level in between (the Housing Inspectorate's 2 -> 4): that
  in-between level (3, Promising);
- the highest described level fully met: that level. Levels above the highest described
  one (AC level 4) are never suggested from statements: the analyst decides them.

``higher_met`` says when statements above the suggestion are met too, so the analyst can
see strengths the suggestion does not count.
"""

from __future__ import annotations

from dataclasses import dataclass

from kloe_nb.assessment.model import KloeRecord
from kloe_nb.framework.model import Kloe, Scale


@dataclass(frozen=True)
class KloeSuggestion:
    level: int | None
    higher_met: bool = False
    reason: str = ""


def suggest_kloe_level(kloe: Kloe, record: KloeRecord, scale: Scale | None) -> KloeSuggestion:
    """The suggested level of one KLOE from the statements marked met."""
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
    return KloeSuggestion(suggestion, higher_met, reason)
