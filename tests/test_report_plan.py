"""The improvement plan in the council report: every action in priority order with what it still lacks,
the areas for improvement that have no action yet, and moderation noted where a level was agreed.
"""

from __future__ import annotations

import re

import pytest
from builders import page_of, stored
from htmlcheck import inert_problems
from pagecells import row_cells, table_rows

from kloe_nb.assessment.model import Action, Assessment
from kloe_nb.framework import load_framework
from kloe_nb.render.exporter import PageRenderer
from kloe_nb.report import Report
from kloe_nb.report.plan import action_views, unplanned_areas


def planned_document() -> dict:
    """Actions on three KLOEs, entered out of order: the report must sort them."""
    return {
        "framework": "ac-benefits",
        "organisation": {"code": "TT03", "name": "Planford District Council"},
        "period": "2008/09",
        "illustrative": True,
        "kloes": {
            "2.1": {
                "level": 2,
                "areas_for_improvement": "Use complaints to change the service.\nPublish what changed.\nTrain staff to handle complaints.",
                "actions": [
                    {"area": "Publish what changed.", "action": "Quarterly 'you said, we did' page", "priority": "low"},
                    {
                        "area": "Use complaints to change the service.",
                        "action": "Monthly complaints review",
                        "owner": "Customer services manager",
                        "due": "2009-09-30",
                        "priority": "high",
                        "resources": "Officer time",
                        "measure": "Every complaint answered in 10 days",
                    },
                ],
            },
            "2.2": {
                "level": 2,
                "areas_for_improvement": "Link the service plan to the budget.",
                "moderation": {
                    "levels": {"": 2, "B": 3},
                    "assessors": {"": "A. Lead", "B": "B. Second"},
                    "note": "the budget papers were not seen by B",
                    "moderated_by": "C. Chair",
                },
            },
            "2.3": {
                "level": 3,
                "areas_for_improvement": "Set stretching targets.",
                "actions": [
                    {
                        "action": "Adopt top-quartile targets",
                        "owner": "Head of benefits",
                        "due": "2009-06-30",
                        "priority": "high",
                        "measure": "Targets adopted",
                    },
                    {"action": "Benchmark with the family group"},
                ],
            },
            "4.1": {
                "level": 2,
                "actions": [{"action": "Review the project plan", "owner": "PMO", "due": "2009-04-01", "priority": "medium", "measure": "Plan signed off"}],
            },
        },
    }


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> str:
    store = stored(tmp_path_factory.mktemp("plan"), planned_document())
    html, _ = page_of(Report.load("ac-benefits", "TT03", str(store)), PageRenderer())
    assert inert_problems(html) == []
    return html


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def plan_rows(html: str) -> list[list[str]]:
    table = html[html.index('<table class="report-plan-table">') :]
    table = table[: table.index("</table>")]
    return [[text_of(cell) for cell in row_cells(row)] for attributes, row in table_rows(table) if "report-priority" in attributes]


def test_actions_are_listed_by_priority_then_due_date_then_kloe(page):
    rows = plan_rows(page)
    assert [row[2].split(" not yet SMART")[0] for row in rows] == [
        "Adopt top-quartile targets",  # high, due 2009-06-30
        "Monthly complaints review",  # high, due 2009-09-30
        "Review the project plan",  # medium
        "Quarterly &#39;you said, we did&#39; page",  # low
        "Benchmark with the family group",  # not set
    ]
    assert rows[1][1:] == [
        "Use complaints to change the service.",
        "Monthly complaints review",
        "Customer services manager",
        "2009-09-30",
        "high",
        "Officer time",
        "Every complaint answered in 10 days",
    ]
    assert rows[1][0].startswith("2.1 ") and rows[4][5] == "not set"


def test_each_action_says_what_it_still_lacks_to_be_smart(page):
    rows = plan_rows(page)
    assert "not yet SMART" not in rows[0][2] and "not yet SMART" not in rows[1][2]
    assert rows[3][2].endswith("not yet SMART: no owner, no due date, no measure of success")
    assert rows[4][2].endswith("not yet SMART: no owner, no due date, no priority, no measure of success")
    assert "5 actions, by priority" in text_of(page) and "2 not yet SMART" in text_of(page)


def row_of(page: str, number: str) -> str:
    """A KLOE's row in its question's table."""
    return next(f"<tr{attributes}>{row}" for attributes, row in table_rows(page) if 'id="k-' in attributes and f'<span class="num">{number}</span>' in row)


def test_areas_without_an_action_are_listed_below_the_plan_and_only_those(page):
    start = page.index("Areas for improvement without an action yet")
    section = page[start : page.index("</ul>\n", start)]
    unplanned = text_of(section)
    anchor = re.search(r'id="(k-[^"]+)"', row_of(page, "2.2")).group(1)
    assert f'<a href="#{anchor}"><span class="num">2.2</span>' in section  # 2.2: no action; its one area is in its row, linked
    assert "Link the service plan to the budget." in text_of(row_of(page, "2.2")) and "Link the service plan" not in unplanned
    assert "2.1 " in unplanned and "Train staff to handle complaints." in unplanned  # 2.1: one of its three areas has no action: quoted
    assert "Publish what changed." not in unplanned and "Use complaints" not in unplanned  # each has an action naming it
    assert "2.3" not in unplanned  # 2.3's one area: its actions name none, so they are for it
    assert page.index('class="report-plan-table"') < start


def test_each_action_links_to_its_kloes_row(page):
    table = page[page.index('<table class="report-plan-table">') :]
    links = re.findall(r'<a href="#(k-[^"]+)"><span class="num">([^<]+)</span>', table[: table.index("</table>")])
    assert [number for _, number in links] == ["2.3", "2.1", "4.1", "2.1", "2.3"]
    for anchor, number in links:
        assert f'id="{anchor}"' in row_of(page, number)


def test_a_kloe_agreed_in_moderation_says_so_in_its_table_row(page):
    row = row_of(page, "2.2")
    assert "agreed in moderation: A. Lead 2, B. Second 3 → 2" in text_of(row)
    assert "(the budget papers were not seen by B; moderated by C. Chair)" in text_of(row)
    assert "2 actions in the improvement plan" in text_of(row_of(page, "2.1"))


def test_no_actions_and_no_areas_say_so():
    framework = load_framework("ac-benefits")
    empty = Assessment.model_validate({"framework": "ac-benefits", "organisation": {"code": "X", "name": "X"}, "kloes": {"2.1": {"level": 2}}})
    assert action_views(framework, empty) == [] and unplanned_areas(framework, empty) == []
    two_areas = empty.model_copy(
        update={
            "kloes": {
                "2.1": empty.kloes["2.1"].model_copy(update={"areas_for_improvement": "• First area\n• Second area", "actions": [Action(action="unnamed")]})
            }
        }
    )
    [left] = unplanned_areas(framework, two_areas)  # two areas: an action naming neither plans neither
    assert left.text == "• First area\n• Second area"


def test_a_plan_entry_is_named_by_its_theme_only_where_its_title_is_shared():
    """wao-housing numbers no KLOE: "Diversity" of Theme 1.2 is told from Theme 1.3's by the theme; "Debt advice" needs nothing."""
    wao = load_framework("wao-housing")
    document = {
        "framework": "wao-housing",
        "organisation": {"code": "TT09", "name": "Testbury"},
        "period": "2008/09",
        "kloes": {kloe_id: {"actions": [{"action": "Do it"}]} for kloe_id in ("1.2-diversity", "1.3-diversity", "1.2-debt-advice")},
    }
    named = [(view.kloe, view.title) for view in action_views(wao, Assessment.model_validate(document))]
    assert named == [("Theme 1.2", "Diversity"), ("", "Debt advice"), ("Theme 1.3", "Diversity")]
    ac = load_framework("ac-benefits")  # numbered KLOEs keep their numbers
    planned = [view.kloe for view in action_views(ac, Assessment.model_validate(planned_document()))]
    assert planned and all(number[0].isdigit() for number in planned)
