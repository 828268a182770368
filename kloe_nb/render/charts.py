"""Charts as inline SVG: KLOE levels as horizontal bars, and levels over periods as lines.

No plotting library: the geometry is computed here and the SVG is written by a Jinja
template (``report_chart.svg.j2``), so every label is escaped like any other text and a chart
costs microseconds and a few hundred bytes (the bars of one level are one path of strokes, the
labels' common attributes are set once on their group). Each bar also carries its level as text, so the
chart reads the same in print, in black and white and to a screen reader (``<title>``).
The trend chart (``trend_chart``, also used by the comparison page) gives each line its own
dash pattern and marker as well as a colour, and a text label; its labels are shown in full,
wrapped onto lines (``svg_text``), as SVG text does not wrap and a shortened level name is
not the framework's words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from markupsafe import Markup

from kloe_nb.framework.labels import level_name
from kloe_nb.framework.model import Scale
from kloe_nb.render.environment import environment
from kloe_nb.render.svg_text import fitting_width, wrap

ROW_HEIGHT = 22
BAR_MIDDLE = 11  # a bar is 16 high, drawn as a stroke through its middle (CSS stroke-width)
LABEL_WIDTH = 290
BAR_WIDTH = 360
TEXT_WIDTH = 230
MAX_LABEL = 40


class Levelled(Protocol):
    """What a chart needs of a KLOE (read only)."""

    @property
    def number(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def level(self) -> int | None: ...


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

    @property
    def strokes(self) -> list[tuple[int, str]]:
        """(level, path) per level drawn: each bar one horizontal stroke ``M0 <middle>h<width>``, inside the bar area."""
        paths: dict[int, list[str]] = {}
        for bar in self.bars:
            if bar.level and bar.width:
                paths.setdefault(bar.level, []).append(f"M0 {bar.y + BAR_MIDDLE}h{bar.width}")
        return [(level, "".join(parts)) for level, parts in sorted(paths.items(), reverse=True)]


def _short(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def level_chart(title: str, scale: Scale | None, kloes: Sequence[Levelled]) -> Chart:
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


# -- direction of travel: levels over periods, as lines --------------------------------------
TREND_FONT = 12  # the chart's font size (px), as the template sets it
TREND_LINE = 14  # between the lines of a wrapped label
TREND_LEFT = 168  # the scale's labels' least width on the y axis; wider (to TREND_LEFT_MOST) rather than over two lines
TREND_LEFT_MOST = 240
TREND_STEP = 110  # between two periods
TREND_PAD = 24  # inside the plot, before the first and after the last period
TREND_RIGHT = 236  # each line's label's least width; wider (to TREND_RIGHT_MOST) rather than over two lines
TREND_RIGHT_MOST = 300
TREND_TOP = 12
TREND_LEVEL_GAP = 38
TREND_BOTTOM = 30  # the periods under the x axis
TREND_LABEL_GAP = 14  # least vertical distance between two line labels
TREND_EDGE = 4  # between a label and the edge of the drawing
#: Each line's colour, dash pattern and marker: lines stay apart when printed in black and white.
TREND_STYLES = (
    ("#1f4e79", "", "circle"),
    ("#b35900", "7 4", "square"),
    ("#2d7d46", "2 3", "diamond"),
    ("#7b3294", "9 3 2 3", "triangle"),
    ("#404040", "4 2", "circle"),
    ("#a8325e", "1 3", "square"),
)


@dataclass(frozen=True)
class TrendPoint:
    """One period's level on one line."""

    x: float
    y: float
    text: str  # "2006/07: 2 Fair ★" (its <title>)
    marker: str  # circle, square, diamond or triangle


@dataclass(frozen=True)
class TrendLine:
    """One series: the stretches drawn between consecutive assessed periods, its points and its label."""

    name: str
    label: list[str]  # its name in full, wrapped: one <tspan> a line
    stretches: list[str]  # SVG polyline point lists; a period without a level breaks the line
    points: list[TrendPoint]
    colour: str
    dash: str
    label_y: float  # its label's first line
    summary: str  # the whole series in words, for its <title>


@dataclass(frozen=True)
class TrendLevel:
    """One level of the scale: its grid line and its label in full, wrapped, centred on the line."""

    y: float
    label_y: float  # the label's first line
    label: list[str]


@dataclass(frozen=True)
class TrendGeometry:
    """A whole trend chart, laid out: what ``report_trend.svg.j2`` draws."""

    title: str
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    levels: list[TrendLevel]
    periods: list[tuple[float, str]]  # (x, period)
    lines: list[TrendLine]
    label_x: int
    unlevelled: list[str]  # series with no level in any period, in words and wrapped ([] if none)
    unlevelled_y: float


def number(value: float) -> str:
    """A coordinate with at most one decimal and none when it is whole (124.5, 204): the drawing is the same, the page smaller."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _point(x: float, y: float) -> str:
    return f"{number(x)},{number(y)}"


def _marker_points(marker: str, x: float, y: float) -> str:
    if marker == "diamond":
        return f"{_point(x, y - 5)} {_point(x + 5, y)} {_point(x, y + 5)} {_point(x - 5, y)}"
    return f"{_point(x, y - 5)} {_point(x + 5, y + 4)} {_point(x - 5, y + 4)}"  # triangle


def _first_line(y: float, lines: int) -> float:
    """Where the first line of a label of ``lines`` lines goes for the label to be centred on ``y``."""
    return y + 4 - (lines - 1) * TREND_LINE / 2


def _spread_labels(wanted: list[float], lines: list[int], top: float) -> list[float]:
    """Labels' first lines as near the wanted ones as possible, each TREND_LABEL_GAP below the last line of the one above (order kept)."""
    order = sorted(range(len(wanted)), key=lambda index: wanted[index])
    placed = [0.0] * len(wanted)
    floor = top
    for index in order:
        placed[index] = max(wanted[index], floor)
        floor = placed[index] + (lines[index] - 1) * TREND_LINE + TREND_LABEL_GAP
    return placed


def _level_labels(scale: Scale | None, levels: list[int]) -> tuple[int, list[list[str]]]:
    """The y axis's width and each level's label, wrapped onto at most two lines where the width allows."""
    names = [level_name(scale, level) for level in levels]
    width = fitting_width(names, TREND_LEFT, TREND_LEFT_MOST, 2, TREND_FONT)
    return width, [wrap(name, width, TREND_FONT) for name in names]


def trend_layout(periods: list[str], series: list[tuple[str, list[int | None]]], scale: Scale | None, title: str) -> TrendGeometry:
    """Where everything of a trend chart goes (pure geometry; ``trend_chart`` draws it).

    Every label is shown whole (wrapped, never shortened): the margins grow to fit the longest,
    and the levels move apart where a level's label takes more than two lines.
    """
    levels = sorted({level.level for level in scale.levels} if scale else {1, 2, 3, 4})
    low, high = levels[0], levels[-1]
    span = max(high - low, 1)
    axis_width, level_labels = _level_labels(scale, levels)
    most = max(len(label) for label in level_labels)
    gap = max(TREND_LEVEL_GAP, most * TREND_LINE + 8)
    plot_height = gap * span
    plot_width = TREND_STEP * max(len(periods) - 1, 1) + 2 * TREND_PAD
    left = axis_width + 8 + TREND_EDGE
    top = TREND_TOP + (len(level_labels[-1]) - 1) * TREND_LINE // 2  # room above for the top level's label
    right, bottom = left + plot_width, top + plot_height

    def x_of(index: int) -> float:
        if len(periods) == 1:
            return left + plot_width / 2
        return left + TREND_PAD + index * TREND_STEP

    def y_of(level: int) -> float:
        return top + (high - level) / span * plot_height

    drawn = [(name, values) for name, values in series if any(value is not None for value in values)]
    count = len(drawn)
    names, lasts = [], []
    for name, values in drawn:
        last = max(index for index, value in enumerate(values) if value is not None)
        names.append(name if last == len(periods) - 1 else f"{name} (to\u00a0{periods[last]})")
        lasts.append(last)
    label_width = fitting_width(names, TREND_RIGHT, TREND_RIGHT_MOST, 1, TREND_FONT)
    lines, wanted = [], []
    for position, ((name, values), label, last) in enumerate(zip(drawn, names, lasts)):
        colour, dash, marker = TREND_STYLES[position % len(TREND_STYLES)]
        nudge = (position - (count - 1) / 2) * min(3.0, 16.0 / max(count, 1))  # lines at the same level stay visible side by side
        stretches: list[str] = []
        current: list[str] = []
        points: list[TrendPoint] = []
        for index, (period, value) in enumerate(zip(periods, values)):
            if value is None:
                if len(current) > 1:
                    stretches.append(" ".join(current))
                current = []
                continue
            x, y = x_of(index), y_of(value) + nudge
            current.append(_point(x, y))
            points.append(TrendPoint(x, y, f"{period}: {level_name(scale, value)}", marker))
        if len(current) > 1:
            stretches.append(" ".join(current))
        wrapped = wrap(label, label_width, TREND_FONT)
        described = "; ".join(f"{period} {level_name(scale, value) if value is not None else 'not assessed'}" for period, value in zip(periods, values))
        lines.append(TrendLine(name, wrapped, stretches, points, colour, dash, 0.0, f"{name}: {described}"))
        wanted.append(_first_line(y_of(values[last] or 0) + nudge, len(wrapped)))  # values[last] is a level: last is the last period assessed
    placed = _spread_labels(wanted, [len(line.label) for line in lines], TREND_TOP + 4)
    lines = [TrendLine(**{**line.__dict__, "label_y": y}) for line, y in zip(lines, placed)]
    width = right + 10 + label_width + TREND_EDGE
    lowest = max(
        [bottom + TREND_BOTTOM, bottom + 8 + (len(level_labels[0]) - 1) * TREND_LINE // 2]
        + [int(y) + 8 + (len(line.label) - 1) * TREND_LINE for line, y in zip(lines, placed)]
    )
    missing = [name for name, values in series if all(value is None for value in values)]
    unlevelled = wrap("No level in any period: " + ", ".join(missing), width - left - TREND_EDGE, TREND_FONT) if missing else []
    height = lowest + (18 + (len(unlevelled) - 1) * TREND_LINE if unlevelled else 0)
    return TrendGeometry(
        title=title,
        width=width,
        height=height,
        plot_left=left,
        plot_right=right,
        plot_top=top,
        plot_bottom=bottom,
        levels=[TrendLevel(y_of(level), _first_line(y_of(level), len(label)), label) for level, label in zip(levels, level_labels)],
        periods=[(x_of(index), period) for index, period in enumerate(periods)],
        lines=lines,
        label_x=right + 10,
        unlevelled=unlevelled,
        unlevelled_y=lowest + 14,
    )


def trend_chart(periods: list[str], series: list[tuple[str, list[int | None]]], scale: Scale | None, title: str) -> Markup:
    """An inert inline SVG line chart: levels (y, with the scale's labels) over periods (x), one line per series.

    A period without a level leaves a gap in its line; each line is labelled in text at the
    right, and each point carries its period and level in words (``<title>``), so the chart
    reads the same printed in black and white. Every label is escaped by the template.
    """
    geometry = trend_layout(periods, series, scale, title)
    template = environment().get_template("report_trend.svg.j2")
    return Markup(template.render(g=geometry, marker_points=_marker_points, n=number))  # noqa: S704 - rendered by the escaping report environment
