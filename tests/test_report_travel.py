"""Direction of travel and sensitivity in the council report: arrows and words per period, the trend chart,
the one-period sentence, and "one step from a boundary" for a CAA assessment.

Stores are built here from small assessments whose levels are chosen for what they prove;
pages are made the way the batch makes them (see tests/test_report.py ``page_of``), and once
through the real notebook on a real kernel.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from builders import page_of, stored
from conftest import REPO_ROOT
from htmlcheck import inert_problems
from pagecells import row_cells, table_rows, text_of

from kloe_nb.analysis import sensitivity
from kloe_nb.assessment.model import Assessment
from kloe_nb.framework import load_framework
from kloe_nb.render.charts import trend_chart
from kloe_nb.render.exporter import summary
from kloe_nb.render.inert import inert_problems as fast_inert_problems
from kloe_nb.report import Report

NOTEBOOK = REPO_ROOT / "notebooks" / "report.ipynb"
PERIODS = ["2006/07", "2007/08", "2008/09"]
#: KLOE levels per period, chosen so each row proves one thing (2.1 up twice, 2.2 the same, 2.3 down, 4.1 missing in the middle, 4.3 first assessed later).
LEVELS = {
    "2.1": [1, 2, 3],
    "2.2": [2, 2, 2],
    "2.3": [3, 3, 2],
    "4.1": [2, None, 2],
    "4.2": [2, 2, 3],
    "4.3": [None, 2, 3],
}
J1 = [2, 2, 3]  # "How good is the service?": decided each period


def ac_document(period: str, index: int) -> dict:
    kloes = {kloe: {"level": levels[index]} for kloe, levels in LEVELS.items() if levels[index] is not None}
    return {
        "framework": "ac-benefits",
        "organisation": {"code": "TT01", "name": "Testbury Borough Council", "group": "Shire districts"},
        "period": period,
        "assessor": f"Assessor {index + 1}",
        "illustrative": True,
        "kloes": kloes,
        "judgements": {"J1": {"level": J1[index], "rationale": "decided for the test"}},
    }


@pytest.fixture
def three_periods(tmp_path) -> Path:
    return stored(tmp_path, *(ac_document(period, index) for index, period in enumerate(PERIODS)))


def travel_section(html: str) -> str:
    start = html.index('<section class="report-travel" id="travel">')
    return html[start : html.index("</section>", start)]


def row_of(section: str, first: str) -> list[str]:
    """The cells after the row header (a KLOE's number, or a judgement's title), as text."""
    for _, row in table_rows(section):
        header, *cells = row_cells(row)
        if header.startswith(f'<span class="num">{first}</span>') or header.strip() == first:
            return [text_of(cell) for cell in cells]
    raise AssertionError(first)


# -- direction of travel -----------------------------------------------------------------------
def test_three_periods_show_each_level_the_arrow_and_the_change_in_words(three_periods, renderer):
    html, nb = page_of(Report.load("ac-benefits", "TT01", str(three_periods), "2008/09"), renderer)
    assert inert_problems(html) == [] and fast_inert_problems(html) == []
    section = travel_section(html)
    for period in PERIODS:
        assert f">{period}" in section
    assert "(this report)" in section and "Assessor 1" in section
    # the KLOE table gives levels as numbers, named once in its key for each judgement's scale
    assert "Change since 2007/08" in section and "Since 2006/07" in section  # the columns' headings say from when
    assert row_of(section, "2.1") == ["1", "2 ↑", "3 ↑", "↑ up from 2", "up 2 levels"]
    assert row_of(section, "2.2") == ["2", "2", "2", "→ same", "no change"]
    assert row_of(section, "2.3") == ["3", "3", "2 ↓", "↓ down from 3", "down 1 level"]
    assert row_of(section, "4.1") == ["2", "not assessed", "2", "not assessed in 2007/08", "no change"]
    assert row_of(section, "4.2")[3] == "↑ up from 2"
    assert row_of(section, "4.3") == ["not assessed", "2", "3 ↑", "↑ up from 2", "up 1 level since 2007/08"]  # not from the heading's period
    key = re.search(r"Levels as numbers: (.*?)</p>", section).group(1)  # type: ignore[union-attr]
    assert "How good is the service?: 1 Poor 0 stars, 2 Fair ★, 3 Good ★★, 4 Excellent ★★★" in key and "2 Uncertain prospects" in key
    assert "2.4" not in re.findall(r'<span class="num">([^<]+)</span>', section)  # never levelled: not listed
    assert "Since 2007/08: 3 KLOEs up, 1 down, 1 the same; 1 not assessed in both periods." in section
    assert row_of(section, "How good is the service?")[-2] == "↑ up from 2 Fair ★"
    assert section.count('<svg class="trend-chart"') == 2  # one chart per scale: service, prospects
    assert summary(nb)["judgements"]["J1"]["direction"] == "up" and summary(nb)["periods"] == PERIODS
    contents = html[html.index('<nav class="contents') : html.index("</nav>")]
    assert '<a href="#travel">Direction of travel</a>' in contents


def test_an_earlier_periods_report_shows_only_the_periods_up_to_it(three_periods, renderer):
    html, _ = page_of(Report.load("ac-benefits", "TT01", str(three_periods), "2007/08"), renderer)
    section = travel_section(html)
    assert "2008/09" not in section and "Change since 2006/07" in section
    assert row_of(section, "2.1")[:3] == ["1", "2 ↑", "↑ up from 1"]


def test_one_period_says_direction_of_travel_needs_an_earlier_assessment(tmp_path, renderer):
    store = stored(tmp_path, ac_document("2008/09", 2))
    html, nb = page_of(Report.load("ac-benefits", "TT01", str(store)), renderer)
    section = travel_section(html)
    text = " ".join(re.sub(r"<[^>]+>", " ", section).split())
    assert "Direction of travel needs an earlier assessment of this council in the store: it holds only 2008/09" in text
    assert "<table" not in section and "<svg" not in section
    assert summary(nb)["judgements"]["J1"]["direction"] == ""


def test_a_second_assessors_track_is_not_a_period(tmp_path, renderer):
    second = ac_document("2007/08", 1) | {"track": "B", "assessor": "Second assessor"}
    store = stored(tmp_path, ac_document("2007/08", 1), second, ac_document("2008/09", 2))
    section = travel_section(page_of(Report.load("ac-benefits", "TT01", str(store), "2008/09"), renderer)[0])
    assert "Second assessor" not in section and section.count("<th>2007/08") == 2  # judgement and KLOE tables


# -- the trend chart (also used by the comparison page) ----------------------------------------
def test_the_trend_chart_draws_gaps_labels_and_escapes_every_label():
    framework = load_framework("ac-benefits")
    svg = str(
        trend_chart(
            PERIODS,
            [("<script>alert(1)</script>", [2, None, 3]), ("Steady", [2, 2, 2]), ("Never", [None, None, None])],
            framework.scale("ac-service"),
            "Chart & <title>",
        )
    )
    assert svg.startswith('<svg class="trend-chart"') and "<script" not in svg and "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "<title>Chart &amp; &lt;title&gt;</title>" in svg
    assert svg.count("<polyline") == 1  # the first series has a gap: no line across 2007/08, only its two points
    assert "2007/08 not assessed" in svg and "No level in any period: Never" in svg
    for label in ("1 Poor 0 stars", "2 Fair ★", "3 Good ★★", "4 Excellent ★★★"):
        assert f">{label}</text>" in svg
    assert 'stroke-dasharray="7 4"' in svg  # the second line is dashed as well as coloured: it reads in black and white
    assert not re.search(r"\son\w+=", svg)
    one = str(trend_chart(["2008/09"], [("Only", [3])], None, "One period"))
    assert "<polyline" not in one and "<circle" in one and ">3</text>" in one  # no labels on the scale: the number


# -- sensitivity -------------------------------------------------------------------------------
def caa_at_a_boundary() -> dict:
    """Every CAA KLOE at 3: the organisational assessment is 3, one step from the table's "2 or 3" cell."""
    framework = load_framework("caa-2009")
    kloes = {kloe.id: {"level": 3} for group, kloe in framework.iter_kloes() if kloe.scored and group.scored and framework.scale_for_group(group)}
    return {
        "framework": "caa-2009",
        "organisation": {"code": "TT02", "name": "Testshire County Council"},
        "period": "2009/10",
        "illustrative": True,
        "kloes": kloes,
    }


def test_sensitivity_sentences_appear_for_a_caa_assessment_at_a_boundary(tmp_path, renderer):
    document = caa_at_a_boundary()
    store = stored(tmp_path, document)
    html, _ = page_of(Report.load("caa-2009", "TT02", str(store)), renderer)
    assert inert_problems(html) == []
    start = html.index('id="sensitivity"')
    section = html[start : html.index("</section>", start)]
    assert "One step from a boundary: lowering any one of KLOE 4.1 or 4.2 from 3 to 2 would make the table&#39;s cell 2 or 3." in section
    expected = sensitivity(load_framework("caa-2009"), Assessment.model_validate(document))
    boundary = [item for item in expected.values() if item.at_boundary]
    assert boundary and section.count("report-boundary-badge") == len(boundary)
    assert "No single KLOE moving one level would change it." in section  # the themes that are not at a boundary
    judgements = html[html.index('id="judgements"') : html.index("</section>", html.index('id="judgements"'))]
    assert judgements.count('href="#sensitivity">one step from a boundary</a>') == len(boundary)


# -- the real notebook -------------------------------------------------------------------------
def test_the_report_notebook_run_on_a_kernel_shows_travel_sensitivity_and_the_plan(three_periods, tmp_path):
    from kloe_nb.batch.single import render_one

    output, executed = tmp_path / "TT01.html", tmp_path / "TT01.ipynb"
    result = render_one("ac-benefits", "TT01", three_periods, output, NOTEBOOK, period="2008/09", save_notebook=executed)
    assert result.status == "ok", result.reason
    html = output.read_text(encoding="utf-8")
    assert inert_problems(html) == [] and fast_inert_problems(html) == []
    for section_id in ("judgements", "sensitivity", "travel", "improvement"):
        assert f'id="{section_id}"' in html
    assert html.index('id="sensitivity"') < html.index('id="travel"') < html.index('id="g-1"') < html.index('id="improvement"')
    assert "↑ up from 2 Fair ★" in " ".join(re.sub(r"<[^>]+>", " ", travel_section(html)).split())
    assert result.summary["judgements"]["J1"]["direction"] == "up"


def test_a_judgement_not_yet_decided_in_an_earlier_period_says_so(tmp_path, renderer):
    later = caa_at_a_boundary()
    earlier = caa_at_a_boundary() | {"period": "2008/09"}
    earlier["kloes"] = {kloe: {"level": 2 if kloe[0] in "123" else 3} for kloe in later["kloes"]}  # UoR 2, MP 3: the "2 or 3" cell
    store = stored(tmp_path, earlier, later)
    section = travel_section(page_of(Report.load("caa-2009", "TT02", str(store), "2009/10"), renderer)[0])
    assert row_of(section, "Organisational assessment") == [
        "no level decided",
        "3",
        "no level decided in 2008/09",
    ]


def test_the_trend_chart_shows_every_label_in_full_wrapped_at_spaces():
    """wao-housing's prospects levels are longer than the y axis: each is wrapped onto tspans, none is shortened."""
    framework = load_framework("wao-housing")
    scale = framework.scale("wao-prospects")
    title = "What are the prospects for improvement?"
    svg = str(trend_chart(PERIODS, [(title, [1, 2, None])], scale, "Prospects"))
    assert "…" not in svg and "<tspan" in svg
    texts = [" ".join(re.sub(r"<[^>]+>", " ", text).split()) for text in re.findall(r"<text\b[^>]*>(.*?)</text>", svg)]
    for level in scale.levels:
        assert f"{level.level} {level.label}" in texts
    assert f"{title} (to 2007/08)" in [text.replace("\u00a0", " ") for text in texts]


def test_wrapped_lines_keep_every_word_whole_and_within_the_width():
    from kloe_nb.render.svg_text import fitting_width, text_width, wrap

    text = "4 Demonstrates strong corporate and strategic capabilities"
    lines = wrap(text, 170, 12)
    assert " ".join(lines) == text and len(lines) == 3 and all(text_width(line, 12) <= 170 for line in lines)
    assert wrap("Accommodation", 20, 12) == ["Accommodation"]  # a word wider than the width is never cut
    assert wrap("Managing finances (to\u00a02008/09)", 150, 12) == ["Managing finances", "(to\u00a02008/09)"]
    width = fitting_width([text], 168, 240, 2, 12)
    assert 168 < width < 240 and len(wrap(text, width, 12)) == 2 and len(wrap(text, width - 4, 12)) == 3
