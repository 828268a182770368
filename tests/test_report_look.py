"""What a reader sees of a report in a real browser (Debian's Chromium), on screen and on paper.

Each test reads the layout Chromium computes, not the markup: trend-chart labels drawn whole and
inside their chart, the bar chart's scale in the muted colour, print sizes and line breaks in the
KLOE tables, and an improvement plan whose every entry names one KLOE. Print is Chromium's print
media emulation at the width of an A4 page inside the print dialog's default margins.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from builders import page_of, stored
from conftest import REPO_ROOT

from kloe_nb.framework import load_framework
from kloe_nb.framework.labels import level_name
from kloe_nb.framework.loader import bundled_ids
from kloe_nb.render.charts import trend_chart
from kloe_nb.render.environment import environment
from kloe_nb.render.stylesheet import compact_css
from kloe_nb.report import Report
from kloe_nb.report.anchors import kloe_anchors

pytestmark = pytest.mark.browser

EXAMPLES = REPO_ROOT / "examples" / "assessments"
#: 190 mm: A4 less Chromium's default print margins, in CSS pixels.
PRINT_WIDTH = 718
#: The largest example report of each framework (wao-housing's has the longest level names).
COUNCILS = [
    ("wao-housing", "EX-WA02", "2008/09"),
    ("ac-benefits", "EX-AC01", "2008/09"),
    ("hi-prospects", "EX-HI02", "2008/09"),
    ("caa-2009", "EX-CA03", "2009/10"),
    ("ac-judgement2", "EX-J202", "2008/09"),
]


def documents(framework: str, code: str) -> list[dict[str, Any]]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(EXAMPLES.glob(f"{framework}--{code}--*.json"))]


@pytest.fixture(scope="module")
def example_pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each council's report of COUNCILS, as the batch makes it, written to a file."""
    from kloe_nb.render.exporter import PageRenderer

    renderer, pages = PageRenderer(), {}
    for framework, code, period in COUNCILS:
        folder = tmp_path_factory.mktemp(code)
        html, _ = page_of(Report.load(framework, code, str(stored(folder, *documents(framework, code))), period), renderer)
        pages[code] = folder / "report.html"
        pages[code].write_text(html, encoding="utf-8")
    return pages


def words(text: str) -> str:
    return " ".join(text.split())


# -- bar charts: the scale's numbers muted, the KLOE names in ink ----------------------------
def test_bar_chart_tick_labels_are_muted_and_kloe_names_are_ink(example_pages):
    from browser import open_file_page

    with open_file_page(example_pages["EX-AC01"]) as (page, visit):
        colours = page.evaluate(
            """() => {
            const colour = name => { const probe = document.createElement('span'); probe.style.color = `var(${name})`; document.body.append(probe);
                                     const value = getComputedStyle(probe).color; probe.remove(); return value; };
            const fills = selector => [...new Set([...document.querySelectorAll(selector)].map(text => getComputedStyle(text).fill))];
            return {muted: colour('--muted'), ink: colour('--ink'), ticks: fills('.report-chart .tick-label text'), names: fills('.report-chart .name text')};
        }"""
        )
    assert colours["muted"] != colours["ink"]
    assert colours["ticks"] == [colours["muted"]]
    assert colours["names"] == [colours["ink"]]


# -- print: small text smaller than the table's, level words never split ---------------------
@pytest.mark.parametrize("code", [code for _, code, _ in COUNCILS])
def test_in_print_the_kloe_tables_small_text_is_smaller_than_their_text(example_pages, code):
    from browser import open_file_page

    with open_file_page(example_pages[code]) as (page, visit):
        page.set_viewport_size({"width": PRINT_WIDTH, "height": 1000})
        page.emulate_media(media="print")
        sizes = page.evaluate(
            """() => {
            const size = element => parseFloat(getComputedStyle(element).fontSize);
            const table = document.querySelector('table.report-kloes td');
            const small = [...document.querySelectorAll('.report-kloes .note, .report-kloes small, .report-kloes dt')];
            return {table: size(table), small: small.map(element => [element.textContent.slice(0, 40), size(element)])};
        }"""
        )
    assert sizes["table"] == pytest.approx(8.5 * 96 / 72, abs=0.01)  # 8.5pt
    assert sizes["small"]  # every report has notes, counts or dates in its tables
    assert [(text, size) for text, size in sizes["small"] if size >= sizes["table"]] == []


#: Every word in the elements a selector picks, with the number of line boxes it takes (1: not split).
READ_WORDS = """(selector) => {
    const found = [];
    for (const part of document.querySelectorAll(selector)) {
        const walker = document.createTreeWalker(part, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (const match of node.data.matchAll(/\\S+/g)) {
                const range = document.createRange();
                range.setStart(node, match.index);
                range.setEnd(node, match.index + match[0].length);
                found.push([match[0], range.getClientRects().length]);
            }
        }
    }
    return found;
}"""
#: A KLOE table's Level cells: the level and the suggested level (their notes are free text).
LEVEL_CELLS = "table.report-kloes tbody td:nth-child(2) > b, table.report-kloes tbody td:nth-child(2) > small"


@pytest.mark.parametrize("code", [code for _, code, _ in COUNCILS])
def test_in_print_no_word_of_a_level_or_a_column_heading_is_split_across_lines(example_pages, code, artifacts_dir):
    from browser import open_file_page

    with open_file_page(example_pages[code]) as (page, visit):
        page.set_viewport_size({"width": PRINT_WIDTH, "height": 1000})
        page.emulate_media(media="print")
        levels = page.evaluate(READ_WORDS, LEVEL_CELLS)
        headings = page.evaluate(READ_WORDS, "table.report-kloes thead th, .report-plan-table thead th")
        page.locator("table.report-kloes").first.screenshot(path=str(artifacts_dir / f"print-kloes-{code}.png"))
    assert len(levels) > 10 and {"Level", "Priority"} <= {word for word, _ in headings}
    assert [word for word, lines in levels + headings if lines != 1] == []


# -- the plan on paper: every entry names one KLOE --------------------------------------------
def wao_plan_document() -> dict[str, Any]:
    """An action on every KLOE of wao-housing: "Diversity", "Value for money" and others are the titles of KLOEs of several themes."""
    framework = load_framework("wao-housing")
    return {
        "framework": "wao-housing",
        "organisation": {"code": "TT09", "name": "Testbury County Borough Council"},
        "period": "2008/09",
        "illustrative": True,
        "kloes": {
            kloe.id: {
                "level": 2,
                "areas_for_improvement": f"Improve {index}.",
                "actions": [{"area": f"Improve {index}.", "action": f"Action {index}", "priority": "high"}],
            }
            for index, (group, kloe) in enumerate(framework.iter_kloes())
        },
    }


def test_in_print_every_plan_entry_of_wao_housing_names_a_unique_kloe(tmp_path, renderer):
    from browser import open_file_page

    framework = load_framework("wao-housing")
    assert len({kloe.title for _, kloe in framework.iter_kloes()}) < len(framework.iter_kloes())  # what this test is about
    html, _ = page_of(Report.load("wao-housing", "TT09", str(stored(tmp_path, wao_plan_document())), "2008/09"), renderer)
    path = tmp_path / "plan.html"
    path.write_text(html, encoding="utf-8")
    with open_file_page(path) as (page, visit):
        page.emulate_media(media="print")
        entries = page.evaluate(
            "() => [...document.querySelectorAll('.report-plan-table tbody th')].map(cell => [cell.innerText, cell.querySelector('a').hash.slice(1)])"
        )
    anchors = kloe_anchors(framework)
    by_anchor = {anchors[kloe.id]: kloe for _, kloe in framework.iter_kloes()}
    assert len(entries) == len(by_anchor)
    named: dict[str, set[str]] = {}
    for text, anchor in entries:
        assert by_anchor[anchor].title in text  # the KLOE in the framework's own words
        named.setdefault(words(text), set()).add(by_anchor[anchor].id)
    assert {text: ids for text, ids in named.items() if len(ids) > 1} == {}  # on paper, with no links to follow
    assert len(named) == len(by_anchor)


# -- trend charts: every label whole and inside the drawing -----------------------------------
PERIODS = ["2006/07", "2007/08", "2008/09"]


def framework_trend_charts() -> list[tuple[str, list[str], str]]:
    """(framework, the labels it must show, SVG) for a chart per scale of every bundled framework's judgements
    (as the report draws them) and one of all its judgements on no shared scale (as the comparison may).

    Every level of the scale is a label; the last series stops a period early, so its label says so;
    the chart on no scale also names a long series that has no level at all.
    """
    charts = []
    for framework_id in bundled_ids():
        framework = load_framework(framework_id)
        by_scale: dict[str, list[str]] = {}
        for judgement in framework.judgements:
            by_scale.setdefault(judgement.scale or "", []).append(judgement.title)
        for scale_id, titles in [*by_scale.items(), ("", [judgement.title for judgement in framework.judgements])]:
            scale = framework.scale(scale_id) if scale_id else None
            levels = sorted(level.level for level in scale.levels) if scale else [1, 2, 3, 4]
            series: list[tuple[str, list[int | None]]] = [(title, [levels[-1], levels[0], levels[index % len(levels)]]) for index, title in enumerate(titles)]
            series[-1] = (series[-1][0], [levels[0], levels[-1], None])
            shown = [level_name(scale, level) for level in levels] + [f"{title} (to {PERIODS[1]})" if title == series[-1][0] else title for title in titles]
            if not scale_id:  # and a series never assessed, named under the plot
                series.append(("Never assessed: " + ", ".join(titles), [None, None, None]))
                shown.append("No level in any period: Never assessed: " + ", ".join(titles))
            charts.append((framework_id, shown, str(trend_chart(PERIODS, series, scale, f"{framework.title}: direction of travel"))))
    return charts


def chart_page(tmp_path: Path, charts: list[str]) -> Path:
    """A page of trend charts styled as a report's, each in a report figure."""
    css, _, _ = environment().loader.get_source(environment(), "style.css")  # type: ignore[union-attr]
    body = "".join(f'<figure class="report-figure">{chart}</figure>' for chart in charts)
    path = tmp_path / "charts.html"
    path.write_text(
        f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><style>{compact_css(css)}</style></head><body>{body}</body></html>', encoding="utf-8"
    )
    return path


#: Each trend chart's viewBox, and each text's box (in the chart's own units) and the words it shows (its <title>s left out).
READ_TREND_CHARTS = """() => [...document.querySelectorAll('svg.trend-chart')].map(svg => ({
    box: [svg.viewBox.baseVal.width, svg.viewBox.baseVal.height],
    texts: [...svg.querySelectorAll('text')].map(text => {
        const b = text.getBBox();
        const shown = [...text.childNodes].filter(node => node.nodeName !== 'title').map(node => node.textContent).join(' ');
        return {shown, left: b.x, top: b.y, right: b.x + b.width, bottom: b.y + b.height};
    }),
}))"""


def check_trend_charts(charts: list[dict[str, Any]]) -> list[str]:
    """Every text inside its chart's viewBox and clear of every other text: what is wrong, in words."""
    problems = []
    for chart in charts:
        width, height = chart["box"]
        texts = chart["texts"]
        for text in texts:
            if text["left"] < 0 or text["top"] < 0 or text["right"] > width or text["bottom"] > height:
                problems.append(
                    f"{text['shown']!r} at {text['left']:.0f}..{text['right']:.0f} x {text['top']:.0f}..{text['bottom']:.0f} outside 0..{width} x 0..{height}"
                )
        for index, one in enumerate(texts):
            for other in texts[index + 1 :]:
                overlap_x = min(one["right"], other["right"]) - max(one["left"], other["left"])
                overlap_y = min(one["bottom"], other["bottom"]) - max(one["top"], other["top"])
                if overlap_x > 0.5 and overlap_y > 0.5:
                    problems.append(f"{one['shown']!r} overlaps {other['shown']!r}")
    return problems


def test_trend_chart_labels_of_every_bundled_framework_are_whole_and_inside_the_chart(tmp_path, artifacts_dir):
    from browser import open_file_page

    charts = framework_trend_charts()
    with open_file_page(chart_page(tmp_path, [svg for _, _, svg in charts])) as (page, visit):
        drawn = page.evaluate(READ_TREND_CHARTS)
        page.screenshot(path=str(artifacts_dir / "trend-charts.png"), full_page=True)
    assert len(drawn) == len(charts)
    for (framework_id, shown, _), chart in zip(charts, drawn):
        texts = [words(text["shown"]) for text in chart["texts"]]
        assert [label for label in shown if label not in texts] == [], framework_id  # each label in full, none shortened
        assert check_trend_charts([chart]) == [], framework_id


def test_the_wao_housing_reports_trend_charts_show_the_scales_labels_whole(example_pages):
    from browser import open_file_page

    framework = load_framework("wao-housing")
    with open_file_page(example_pages["EX-WA02"]) as (page, visit):
        drawn = page.evaluate(READ_TREND_CHARTS)
    assert len(drawn) == 2
    texts = {words(text["shown"]) for chart in drawn for text in chart["texts"]}
    assert {level_name(scale, level.level) for scale in framework.scales for level in scale.levels} <= texts
    assert check_trend_charts(drawn) == []
