"""How levels are named to people: the scale's label and stars, or the number where there is no label."""

from __future__ import annotations

from kloe_nb.framework.model import Scale, ScaleLevel

STAR = "\u2605"


def stars_text(level: ScaleLevel) -> str:
    """'★★★' for 3 stars, '0 stars' for a scale that has stars but none here, '' otherwise."""
    if level.stars is None:
        return ""
    return STAR * level.stars if level.stars else "0 stars"


def level_name(scale: Scale | None, number: int) -> str:
    """'3 Good ★★', 'Uncertain prospects', or '3' where the scale gives no label."""
    if scale is None:
        return str(number)
    for level in scale.levels:
        if level.level == number:
            parts = [str(number), level.label or "", stars_text(level)]
            return " ".join(part for part in parts if part)
    return str(number)
