"""A report keeps every fact of its assessment however small its page is made (issue 16).

Read on the page's text, cell by cell (tags dropped, character references decoded), so the
markup may change freely: each KLOE's row shows its level, every statement verdict (a column
met in full says so with its count), every column's count, the evidence, strengths and areas
for improvement; the plan shows every action; every area without an action is linked to its
KLOE's row; every chart has a bar per scored KLOE with its level.
"""

from __future__ import annotations

import html as html_lib
import json
import re

import pytest
from builders import page_of, stored
from conftest import REPO_ROOT
from pagecells import table_rows

from kloe_nb.framework import load_framework
from kloe_nb.report import Report

EXAMPLES = REPO_ROOT / "examples" / "assessments"
#: The largest report of each framework's examples (the most text per KLOE), and one more.
COUNCILS = [
    ("wao-housing", "EX-WA02", "2008/09"),
    ("wao-housing", "EX-WA04", "2008/09"),
    ("ac-benefits", "EX-AC01", "2008/09"),
    ("hi-prospects", "EX-HI02", "2008/09"),
    ("caa-2009", "EX-CA03", "2009/10"),
    ("ac-judgement2", "EX-J202", "2008/09"),
]


def text_of(fragment: str) -> str:
    """What a reader sees of an HTML fragment: tags dropped, references decoded, white space made one."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def words(text: str) -> str:
    return " ".join(text.split())


def rows_by_id(page: str) -> dict[str, str]:
    """Each KLOE row of the question tables, by its id, as HTML."""
    rows = {}
    for attributes, content in table_rows(page):
        found = re.search(r'\bid="(k-[^"]+)"', attributes)
        if found:
            rows[found.group(1)] = content
    return rows


def documents(framework: str, code: str) -> list[dict]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(EXAMPLES.glob(f"{framework}--{code}--*.json"))]


@pytest.fixture(scope="module", params=COUNCILS, ids=lambda council: council[1])
def report(request, tmp_path_factory, renderer):  # type: ignore[no-untyped-def]
    framework, code, period = request.param
    store = stored(tmp_path_factory.mktemp(code), *documents(framework, code))
    loaded = Report.load(framework, code, str(store), period)
    page, _ = page_of(loaded, renderer)
    lead = next(document for document in documents(framework, code) if document["period"] == period and not document.get("track"))
    return loaded.context, page, lead


def kloe_rows(context, page):  # type: ignore[no-untyped-def]
    """(KLOE view, its row's HTML) for every row the question tables show."""
    rows = rows_by_id(page)
    shown = []
    for group in context.groups:
        for kloe in group.kloes:
            if kloe.anchor in rows:
                shown.append((kloe, rows[kloe.anchor]))
            else:
                assert not group.scored and not kloe.recorded, kloe.id  # only an unscored group leaves out what has nothing recorded
    assert len(shown) >= 10
    return shown


def test_each_kloe_row_shows_its_level_every_verdict_and_every_columns_count(report):
    context, page, lead = report
    framework = load_framework(context.framework.id)
    for kloe, row in kloe_rows(context, page):
        text = text_of(row)
        assert words(kloe.title) in text and words(kloe.level_text) in text
        record = lead["kloes"].get(kloe.id, {})
        marked = record.get("met") or record.get("falls_short")
        descriptors = framework.kloe(kloe.id).descriptors
        for verdict in ("met", "falls_short"):
            for level, indexes in record.get(verdict, {}).items():
                statements = descriptors[int(level)]
                if verdict == "met" and len(indexes) == len(statements) > 1:
                    assert f"all {len(statements)} met" in text
                    continue
                for index in indexes:
                    assert words(statements[index]) in text, (kloe.id, level, index)
        if marked and kloe.scored:
            for level, statements in descriptors.items():
                count = len(set(record.get("met", {}).get(str(level), [])))
                shown = f"all {len(statements)} met" if count == len(statements) > 1 else f"{count} of {len(statements)}"
                assert shown in text, (kloe.id, level, shown)
            assert "statements describe it" not in text  # the counts are given once, by each column's heading
            assert words(kloe.counts) in text  # what one more verdict would do


def test_each_kloe_row_shows_its_evidence_strengths_and_areas_for_improvement(report):
    context, page, lead = report
    for kloe, row in kloe_rows(context, page):
        text = text_of(row)
        record = lead["kloes"].get(kloe.id, {})
        for item in record.get("evidence", []):
            for part in ("source", "reference", "note", "date_seen"):
                assert words(item.get(part, "")) in text, (kloe.id, part)
        for field in ("strengths", "areas_for_improvement", "current_position", "rationale"):
            assert words(record.get(field, "")) in text, (kloe.id, field)
        actions = len(record.get("actions", []))
        if actions:
            assert f"{actions} action{'s' if actions != 1 else ''} in the improvement plan" in text


def test_every_action_is_in_the_plan(report):
    context, page, lead = report
    start = page.index('id="improvement"')
    plan = text_of(page[start : page.index("</section>", start)])
    for record in lead["kloes"].values():
        for action in record.get("actions", []):
            for part in ("area", "action", "owner", "due", "resources", "measure"):
                assert words(action.get(part, "")) in plan, part


def test_every_area_without_an_action_links_to_its_kloes_row_where_its_words_are(report):
    context, page, _ = report
    start = page.index("Areas for improvement without an action yet")
    section = page[start : page.index("</section>", start)]
    rows = rows_by_id(page)
    for point in context.unplanned:
        assert f'href="#{point.anchor}"' in section
        assert words(point.text) in text_of(rows[point.anchor])


def bars(chart: str) -> dict[str, int]:
    """How many bars of each level a chart draws (a <rect> each, or one path per level of ``h``/``v`` runs)."""
    drawn = {str(level): len(re.findall(rf'<rect[^>]*class="bar-{level}"', chart)) for level in range(1, 5)}
    for level, path in re.findall(r'<path[^>]*class="bar-(\d)"[^>]*d="([^"]+)"', chart) + [
        (level, path) for path, level in re.findall(r'<path[^>]*d="([^"]+)"[^>]*class="bar-(\d)"', chart)
    ]:
        drawn[level] += path.count("M")
    return drawn


def test_every_chart_has_a_bar_with_the_level_of_each_scored_kloe(report):
    context, page, _ = report
    charts = re.findall(r'<svg class="report-chart".*?</svg>', page, re.S)
    groups = [group for group in context.groups if group.chart]
    assert len(charts) == len(groups) == sum(1 for group in context.groups if any(kloe.scored for kloe in group.kloes))
    for group, chart in zip(groups, charts):
        scored = [kloe for kloe in group.kloes if kloe.scored]
        assert bars(chart) == {str(level): sum(1 for kloe in scored if kloe.level == level) for level in range(1, 5)}
        text = text_of(chart)
        assert words(group.heading) in text
        for kloe in scored:
            assert words(f"{kloe.number} {kloe.title}".strip()) in text  # in full: the label, or the <title> of a shortened one
            assert words(kloe.level_text.split(" ★")[0] if kloe.level else "not yet assessed") in text


def report_context(framework: str, code: str, period: str, store):  # type: ignore[no-untyped-def]
    return Report.load(framework, code, str(store), period).context


@pytest.mark.browser
def test_chromium_builds_the_same_rows_and_cells_the_tests_read(tmp_path, renderer, artifacts_dir):
    """End tags left out: Chromium's table has each row's cells where the text-level tests find them."""
    from browser import open_file_page
    from pagecells import row_cells

    framework, code, period = COUNCILS[0]
    store = stored(tmp_path, *documents(framework, code))
    page_html, _ = page_of(Report.load(framework, code, str(store), period), renderer)
    path = tmp_path / "report.html"
    path.write_text(page_html, encoding="utf-8")

    def bare(text: str) -> str:  # the characters a reader sees, white space aside
        return "".join(text.split())

    expected = {anchor: [bare(html_lib.unescape(re.sub(r"<[^>]+>", "", cell))) for cell in row_cells(row)] for anchor, row in rows_by_id(page_html).items()}
    with open_file_page(path) as (page, visit):
        built = page.evaluate(
            "() => Object.fromEntries([...document.querySelectorAll('tr[id^=\"k-\"]')].map(row => [row.id, [...row.cells].map(cell => cell.textContent)]))"
        )
        plan = page.evaluate("() => [...document.querySelectorAll('.report-plan-table tbody tr')].map(row => row.cells.length)")
        travel = page.evaluate("() => [...document.querySelectorAll('.report-travel-kloes tbody tr:not(.report-travel-group)')].map(row => row.cells.length)")
        row_headers = page.get_by_role("rowheader").all_inner_texts()
        column_headers = page.get_by_role("columnheader").all_inner_texts()
        page.screenshot(path=str(artifacts_dir / "report-wao-housing.png"), full_page=False)
    assert {anchor: [bare(cell) for cell in cells] for anchor, cells in built.items()} == expected
    assert len(built) >= 40 and all(len(cells) == 6 for cells in built.values())
    assert plan and set(plan) == {8} and travel and set(travel) == {6}  # KLOE, three periods, the change, since the first
    # header cells carry no scope: Chromium still exposes each KLOE's name as its row's header, each heading as its column's
    kloe_titles = [words(kloe.title) for group in report_context(framework, code, period, store).groups for kloe in group.kloes]
    assert all(title in [words(text) for text in row_headers] for title in kloe_titles)
    assert {"KLOE", "Level", "Evidence", "Strengths", "Areas for improvement", "Owner", "Due", "Since 2006/07"} <= {words(text) for text in column_headers}
    assert visit.console_errors == [] and visit.page_errors == [] and all(url.startswith("file://") for url in visit.requests)
