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
