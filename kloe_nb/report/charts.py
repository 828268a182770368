"""Charts as inline SVG: the level of each KLOE of a question or theme, as horizontal bars.

No plotting library: the geometry is computed here and the SVG is written by a Jinja
template (``report_chart.svg.j2``), so every label is escaped like any other text and a chart
costs microseconds and a few hundred bytes. Each bar also carries its level as text, so the
chart reads the same in print, in black and white and to a screen reader (``<title>``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from kloe_nb.framework.model import Scale
from kloe_nb.render.labels import level_name

ROW_HEIGHT = 22
LABEL_WIDTH = 290
BAR_WIDTH = 360
TEXT_WIDTH = 230
MAX_LABEL = 40


class Levelled(Protocol):
    """What a chart needs of a KLOE."""

    number: str
    title: str
    level: int | None


@dataclass(frozen=True)
class Bar:
    """One KLOE's bar: its label, level, words and geometry."""

    label: str
    full_label: str
    level: int | None
    text: str
    y: int
    width: int


@dataclass(frozen=True)
class Chart:
    """A question's chart: its bars and the size of the drawing."""

    title: str
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    bar_width: int
    ticks: list[tuple[int, int]]  # (level, x offset inside the bar area)


def _short(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def level_chart(title: str, scale: Scale | None, kloes: list[Levelled]) -> Chart:
    """The bars of one question or theme: one per scored KLOE, its length the level on the scale."""
    levels = sorted(level.level for level in scale.levels) if scale else [1, 2, 3, 4]
    top = max(levels)
    bars = []
    for row, kloe in enumerate(kloes):
        label = f"{kloe.number} {kloe.title}" if kloe.number else kloe.title
        width = round(BAR_WIDTH * kloe.level / top) if kloe.level else 0
        text = level_name(scale, kloe.level) if kloe.level is not None else "not yet assessed"
        bars.append(Bar(_short(label), label, kloe.level, text, row * ROW_HEIGHT, width))
    ticks = [(level, round(BAR_WIDTH * level / top)) for level in levels]
    return Chart(
        title=title,
        bars=bars,
        width=LABEL_WIDTH + BAR_WIDTH + TEXT_WIDTH,
        height=len(bars) * ROW_HEIGHT + 18,
        label_width=LABEL_WIDTH,
        bar_width=BAR_WIDTH,
        ticks=ticks,
    )
