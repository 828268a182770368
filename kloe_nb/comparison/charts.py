"""The comparison's charts as inline SVG: how many councils reached each level of a judgement.

Like the report's charts, no plotting library: the geometry is computed here and drawn by a
Jinja template (``compare_bars.svg.j2``), so every label is escaped text, and each bar carries
its count as text (and a ``<title>``), so the chart reads the same printed in black and
white and to a screen reader. Trend charts are the shared page layer's (``render.charts.trend_chart``).
"""

from __future__ import annotations

from dataclasses import dataclass

ROW_HEIGHT = 22
MAX_LABEL_WIDTH = 300
CHARACTER_WIDTH = 7  # about one character of the chart's 12px font
BAR_WIDTH = 220
TEXT_WIDTH = 40
MAX_LABEL = 44


@dataclass(frozen=True)
class CountBar:
    """One level's bar: its label, how many councils, and its geometry."""

    label: str
    full_label: str
    count: int
    level: int | None  # the level it stands for (colours the bar); None for "needs a decision" and "not yet assessed"
    y: int
    width: int


@dataclass(frozen=True)
class BarChart:
    """A judgement's distribution chart: its bars and the size of the drawing."""

    title: str
    bars: list[CountBar]
    width: int
    height: int
    label_width: int
    total: int


def _short(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def count_chart(title: str, rows: list[tuple[str, int, int | None]]) -> BarChart:
    """Bars for (label, count, level) rows, the longest bar the largest count."""
    top = max((count for _, count, _ in rows), default=0) or 1
    longest = max((len(_short(label)) for label, _, _ in rows), default=1)
    label_width = min(MAX_LABEL_WIDTH, CHARACTER_WIDTH * longest + 16)
    bars = [
        CountBar(_short(label), label, count, level, index * ROW_HEIGHT, round(BAR_WIDTH * count / top)) for index, (label, count, level) in enumerate(rows)
    ]
    return BarChart(
        title=title,
        bars=bars,
        width=label_width + BAR_WIDTH + TEXT_WIDTH,
        height=len(bars) * ROW_HEIGHT + 4,
        label_width=label_width,
        total=sum(count for _, count, _ in rows),
    )
