"""A score as the words a page shows ('2 Fair \u2605', 'needs a decision: 3 or 4'), for every kind of page."""

from __future__ import annotations

from kloe_nb.framework.labels import level_name
from kloe_nb.framework.model import Scale
from kloe_nb.scoring.score import LevelScore


def level_text(scale: Scale | None, result: LevelScore) -> str:
    """A score as words: '2 Fair ★', 'needs a decision: 3 or 4', 'not yet assessed', 'not scored'."""
    if not result.scored:
        return "not scored"
    if result.needs_judgement:
        return "needs a decision: " + " or ".join(level_name(scale, option) for option in result.options)
    if result.level is None:
        return "not yet assessed"
    return level_name(scale, result.level)
