"""The comparison page: gathering councils from a real store, ranking, peer groups, direction of
travel, agreement, and the page as one inert, self-contained HTML document.

Every store here is a real SQLite store in tmp_path, filled with assessments built from the
model for real bundled frameworks (no example files: those change on their own). The page is
built without a kernel (the ``Comparison`` sections the notebook cells display, placed in a
notebook as their outputs and rendered by the same exporter), as tests/test_report.py does;
tests/test_cli_compare.py runs the real notebook through ``kloe compare``.
"""

from __future__ import annotations

import gc
import os
import re
import subprocess
import sys
from datetime import datetime, timezone

import nbformat
import papermill
import pytest
from builders import ac, ac_store, caa, save_all
from conftest import REPO_ROOT
from htmlcheck import inert_problems
from nbformat.v4 import new_code_cell, new_notebook, new_output

from kloe_nb import scoring
from kloe_nb.assessment.model import KloeRecord, Moderation
from kloe_nb.comparison import Comparison, ComparisonError
from kloe_nb.comparison import data as comparison_data
from kloe_nb.comparison import notebook as comparison_notebook
from kloe_nb.comparison.peers import number_text, peer_cell
from kloe_nb.comparison.ranking import rank, ranking_judgements
from kloe_nb.errors import KloeError, NotFoundError
from kloe_nb.framework import load_framework
from kloe_nb.render.exporter import PageRenderer, page_info, sections
from kloe_nb.render.inert import inert_problems as fast_inert_problems
from kloe_nb.store.common import RevisionStore

NOTEBOOK = REPO_ROOT / "notebooks" / "compare.ipynb"
GENERATED = datetime(2010, 3, 31, 12, 0, tzinfo=timezone.utc)
HOSTILE = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "javascript:alert(1)",
    '<iframe src="https://evil.example"></iframe>',
    "</body></html><p>after</p>",
    "{{ 7*7 }} {% raw %}",
    "left \u202e right-to-left override",
]


# -- building real assessments ------------------------------------------------------------------


def page_of(comparison: Comparison, renderer: PageRenderer | None = None) -> tuple[str, nbformat.NotebookNode]:
    """The page as ``kloe compare`` makes it, from the notebook's cells' displays (without a kernel)."""
    cells = []
    for part in (
        comparison.header(),
        comparison.league(),
        comparison.distribution(),
        comparison.heatmap(),
        comparison.peers(),
        comparison.travel(),
        comparison.agreement(),
        comparison.provenance(),
        comparison.summary(),
    ):
        cell = new_code_cell("comparison.section()")
        if part is not None:
            data, metadata = part._repr_mimebundle_()
            cell.outputs = [new_output("execute_result", data=data, metadata=metadata, execution_count=1)]
        cells.append(cell)
    nb = new_notebook(cells=cells)
    return (renderer or PageRenderer()).render(nb, "comparison"), nb


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def section_html(html: str, section_id: str) -> str:
    start = html.index(f'id="{section_id}"')
    return html[start : html.index("</section>", start)]


# -- gathering and ranking ------------------------------------------------------------------------
def test_each_council_is_compared_at_its_latest_period_and_ranked_by_judgements_then_mean(tmp_path):
    comparison = Comparison.load("ac-benefits", str(ac_store(tmp_path)), generated=GENERATED)
    league = comparison.context.league
    assert [(row.code, row.period) for row in league] == [("D4", "2008/09"), ("A1", "2008/09"), ("C3", "2008/09"), ("B2", "2008/09"), ("E5", "2008/09")]
    # D4 is best on J1 (4); A1 and C3 are level on everything (3, 3 and every KLOE at 3): they share second place.
    assert [row.rank_text for row in league] == ["1", "=2", "=2", "4", "5"]
    assert [cell.text for cell in league[0].cells] == ["4 Excellent ★★★", "2 Uncertain prospects"]
    assert league[-1].mean is not None and 1 < league[-1].mean < 2  # E5: one KLOE at 2, the rest at 1
    assert comparison.context.periods == ["2008/09"]
    summary = comparison.summary().data
    assert [council["rank"] for council in summary["councils"]] == [1, 2, 2, 4, 5]


def test_direction_of_travel_per_judgement_against_the_councils_previous_period(tmp_path):
    context = Comparison.load("ac-benefits", str(ac_store(tmp_path))).context
    rows = {row.code: row for row in context.league}
    a1, b2, c3 = rows["A1"].cells, rows["B2"].cells, rows["C3"].cells
    assert (a1[0].direction, a1[0].direction_text) == ("up", "up from 2")  # J1 2 in 2007/08 -> 3
    assert (a1[1].direction, a1[1].direction_text) == ("same", "unchanged at 3")
    assert a1[0].direction_title == "2007/08: 2 Fair ★"
    assert (b2[1].direction, b2[1].direction_text) == ("down", "down from 3")
    assert (c3[0].direction, c3[0].direction_text) == ("", "")  # one period only
    travel = {item.code: item for item in context.travel}
    assert sorted(travel) == ["A1", "B2"] and context.one_period == ["Cindervale", "Dunmarsh", "Eltonbury"]
    assert travel["A1"].periods == ["2006/07", "2007/08", "2008/09"]
    assert [row.levels for row in travel["A1"].rows] == [
        ["2 Fair ★", "2 Fair ★", "3 Good ★★"],
        ["2 Uncertain prospects", "3 Promising prospects", "3 Promising prospects"],
    ]
    assert [row.change for row in travel["A1"].rows] == ["up 1 since 2006/07", "up 1 since 2006/07"]
    assert travel["A1"].previous == "2007/08" and travel["A1"].kloes_up and not travel["A1"].kloes_down


def test_a_caa_cell_that_needs_a_decision_is_shown_as_such_and_ranked_after_decided_councils(tmp_path):
    store = save_all(
        tmp_path / "kloe.db",
        caa("K1", "Kestrel", "2009/10", 2, 3),  # Use of Resources 2, Managing performance 3: the table says 2 or 3
        caa("L2", "Larkspur", "2009/10", 2, 2),
        caa("M3", "Morwen", "2009/10", 2, 3, decisions={"organisational_assessment": (3, "Strong partnership delivery")}),
        caa("N4", "Nettlecombe", "2009/10", 1, 1),
    )
    context = Comparison.load("caa-2009", str(store)).context
    # the headline (a judgement no other rule reads) first, then what it reads, then the themes
    assert [column.id for column in context.columns] == [
        "organisational_assessment",
        "use_of_resources",
        "managing_performance",
        "managing_finances",
        "governing_the_business",
        "managing_resources",
    ]
    assert [row.code for row in context.league] == ["M3", "L2", "N4", "K1"]
    assert [row.rank_text for row in context.league] == ["1", "2", "3", "not ranked"]
    assert context.league[-1].cells[0].text == "needs a decision: 3 or 2".replace("3 or 2", "2 or 3")
    assert context.league[-1].cells[0].needs_decision
    organisational = context.distributions[-1]
    assert organisational.title == "Organisational assessment"
    assert dict(organisational.rows) == {"4": 0, "3": 1, "2": 1, "1": 1, "needs a decision": 1}


def test_ranking_reads_the_frameworks_own_rules_and_ties_share_a_rank():
    assert [j.id for j in ranking_judgements(load_framework("ac-benefits"))] == ["J1", "J2"]
    assert [j.id for j in ranking_judgements(load_framework("wao-housing"))] == ["J1", "J2"]
    places = rank([(1,), (0,), (1,), (2,), (0,)], [True, True, True, True, False])  # the last is listed, not ranked
    assert [(place.position, place.rank, place.tied) for place in places] == [(2, 2, True), (0, 1, False), (3, 2, True), (4, 4, False), (1, None, False)]


def test_a_group_restricts_the_comparison_and_an_unknown_group_lists_the_groups_there_are(tmp_path):
    store = ac_store(tmp_path)
    context = Comparison.load("ac-benefits", str(store), group="Unitaries").context
    assert [row.code for row in context.league] == ["D4", "E5"] and context.group == "Unitaries"
    with pytest.raises(ComparisonError) as error:
        Comparison.load("ac-benefits", str(store), group="Unitary")
    message = str(error.value)
    assert "'Unitary'" in message and "did you mean 'Unitaries'?" in message
    assert "'Districts' (3 councils)" in message and "'Unitaries' (2 councils)" in message


def test_a_councils_csv_overrides_the_stored_peer_groups(tmp_path):
    store = ac_store(tmp_path)
    councils = tmp_path / "councils.csv"
    councils.write_text("code,name,group\nA1,Aldermere,Shire districts\nB2,Brackenford,Shire districts\nC3,Cindervale,\n", encoding="utf-8")
    context = Comparison.load("ac-benefits", str(store), group="Shire districts", councils=str(councils)).context
    assert sorted(row.code for row in context.league) == ["A1", "B2"]
    assert context.councils_csv == str(councils)
    everyone = Comparison.load("ac-benefits", str(store), councils=str(councils)).context
    assert {row.code: row.group for row in everyone.league}["C3"] == "Districts"  # a blank group in the CSV says nothing


def test_peer_groups_show_the_median_and_each_councils_difference_and_say_when_a_group_has_one_council(tmp_path):
    store = save_all(
        tmp_path / "kloe.db",
        ac("A1", "Aldermere", "2008/09", 3, 3, group="Districts"),
        ac("B2", "Brackenford", "2008/09", 2, 3, group="Districts", kloes={"2.1": 4}),
        ac("C3", "Cindervale", "2008/09", 2, 2, group="Districts"),
        ac("D4", "Dunmarsh", "2008/09", 4, 2, group="Unitaries"),
        ac("E5", "Eltonbury", "2008/09", 1, 1),
    )
    context = Comparison.load("ac-benefits", str(store)).context
    districts, unitaries = context.peer_groups
    assert (districts.name, districts.councils, districts.judgement_medians) == ("Districts", 3, ["2", "3"])
    rows = {row.code: row for row in districts.rows}
    assert [(cell.text, cell.position) for cell in rows["A1"].judgements] == [("3 (+1)", "above"), ("3 (=)", "at")]
    assert [(cell.text, cell.position) for cell in rows["C3"].judgements] == [("2 (=)", "at"), ("2 (\u22121)", "below")]
    assert districts.kloe_medians["2.1"] == "3" and rows["B2"].kloes["2.1"].text == "4 (+1)"  # 3, 4 and 2
    assert rows["B2"].kloes["2.1"].title == "4: 1 level above the group median 3"
    assert rows["C3"].kloes["2.1"].title == "2: 1 level below the group median 3"
    assert unitaries.alone == "Dunmarsh" and not unitaries.rows
    assert context.ungrouped == ["Eltonbury"]
    html = Comparison.load("ac-benefits", str(store))._section("peers").html  # type: ignore[union-attr]
    assert "Dunmarsh is the only council in this peer group, so there is no group to set it against." in html
    assert "Not in any peer group: Eltonbury." in html


def test_medians_and_differences_in_words():
    assert (number_text(2.0), number_text(2.5), number_text(0.5, signed=True), number_text(-1.0, signed=True)) == ("2", "2.5", "+0.5", "\u22121")
    assert peer_cell(3, 2.5).text == "3 (+0.5)" and peer_cell(3, 2.5).title == "3: 0.5 levels above the group median 2.5"
    assert peer_cell(None, 2.0).position == "" and peer_cell(2, None).text == "2"


def test_councils_that_cannot_be_compared_are_left_out_with_the_reason(tmp_path):
    store = save_all(
        tmp_path / "kloe.db",
        ac("A1", "Aldermere", "2008/09", 3, 3),
        ac("B2", "Brackenford", "2008/09", None, None),  # nothing levelled
        ac("C3", "Cindervale", "2008/09", 2, 2, decisions={"J1": (3, "")}),  # a decision without its rationale
    )
    comparison = Comparison.load("ac-benefits", str(store))
    assert [row.code for row in comparison.context.league] == ["A1"]
    reasons = {item.code: item.reason for item in comparison.context.excluded}
    assert reasons["B2"].startswith("nothing assessed yet")
    assert "problems to resolve first" in reasons["C3"] and "rationale" in reasons["C3"]
    html, _ = page_of(comparison)
    assert 'id="excluded"' in html and "Brackenford" in html


def test_no_council_to_compare_and_no_store_are_errors_that_say_so(tmp_path):
    store = save_all(tmp_path / "kloe.db", ac("A1", "Aldermere", "2008/09", 3, 3))
    with pytest.raises(ComparisonError, match="no council has an assessment of hi-prospects"):
        Comparison.load("hi-prospects", str(store))
    with pytest.raises(NotFoundError, match="no assessment store"):
        Comparison.load("ac-benefits", str(tmp_path / "missing.db"))
    assert not (tmp_path / "missing.db").exists()
    with pytest.raises(NotFoundError, match="unknown framework 'ac-benefit'"):
        Comparison.load("ac-benefit", str(store))


def test_agreement_between_independent_assessors_is_shown_only_when_there_are_second_scorings(tmp_path, renderer):
    store = tmp_path / "kloe.db"
    lead = ac("A1", "Aldermere", "2008/09", 3, 3, assessor="Ann")
    second = ac("A1", "Aldermere", "2008/09", 3, 2, track="B", assessor="Bob", kloes={"2.1": 2, "2.2": 4})
    save_all(store, lead, ac("C3", "Cindervale", "2008/09", 2, 2))
    html, _ = page_of(Comparison.load("ac-benefits", str(store)), renderer)
    assert 'id="agreement"' not in html
    save_all(store, second)
    comparison = Comparison.load("ac-benefits", str(store))
    view = comparison.context.agreement
    assert view is not None and view.councils == 1
    assert view.pairs[0].who == "Ann and Bob" and view.pairs[0].councils == "A1 2008/09"
    assert view.overall.compared == 25 and view.overall.exact == f"{(25 - 2 - 15) / 25:.0%}" and view.overall.within_one == "100%"
    html, _ = page_of(comparison, renderer)
    agreement = section_html(html, "agreement")
    assert "quadratic-weighted Cohen's kappa" in agreement and "Ann and Bob" in agreement
    assert [row.code for row in comparison.context.league] == ["A1", "C3"]  # the second scoring is not a council of its own


def test_agreement_keeps_the_levels_from_before_moderation(tmp_path):
    store = tmp_path / "kloe.db"
    second = ac("A1", "Aldermere", "2008/09", 3, 3, track="B", assessor="Bob", kloes={"2.1": 1})
    lead = ac("A1", "Aldermere", "2008/09", 3, 3, assessor="Ann")
    lead.kloes["2.1"] = KloeRecord(level=2, moderation=Moderation(levels={"": 3, "B": 1}, assessors={"": "Ann", "B": "Bob"}, note="agreed 2"))
    save_all(store, lead, second)
    view = Comparison.load("ac-benefits", str(store)).context.agreement
    assert view is not None and view.overall.compared == 25
    assert view.overall.exact == f"{24 / 25:.0%}" and view.overall.within_one == f"{24 / 25:.0%}"  # 3 against 1, as scored


# -- reading the store once; the quick input check ---------------------------------------------------
def _counting(monkeypatch: pytest.MonkeyPatch) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """Every stored assessment parsed and every assessment scored, as (council, period, track), from here on."""
    parsed: list[tuple[str, str, str]] = []
    scored: list[tuple[str, str, str]] = []
    parse, score = RevisionStore._parse, scoring.score

    def counted_parse(self, key, number, document):  # type: ignore[no-untyped-def]
        parsed.append((key.org_code, key.period, key.track))
        return parse(self, key, number, document)

    def counted_score(framework, assessment, *args, **kwargs):  # type: ignore[no-untyped-def]
        scored.append((assessment.organisation.code, assessment.period, assessment.track))
        return score(framework, assessment, *args, **kwargs)

    monkeypatch.setattr(RevisionStore, "_parse", counted_parse)
    monkeypatch.setattr(scoring, "score", counted_score)  # what the direction of travel calls
    monkeypatch.setattr(comparison_data, "score", counted_score)
    return parsed, scored


def test_gathering_reads_and_scores_each_stored_assessment_once(tmp_path, monkeypatch):
    store = ac_store(tmp_path)
    save_all(store, ac("A1", "Aldermere", "2008/09", 3, 2, track="B", assessor="Bob"), ac("B2", "Brackenford", "2007/08", 3, 3, track="B"))
    parsed, scored = _counting(monkeypatch)
    gathered = comparison_data.gather("ac-benefits", store)
    leads = [("A1", period, "") for period in ("2006/07", "2007/08", "2008/09")] + [("B2", "2007/08", ""), ("B2", "2008/09", "")]
    leads += [(code, "2008/09", "") for code in ("C3", "D4", "E5")]
    assert sorted(parsed) == sorted([*leads, ("A1", "2008/09", "B"), ("B2", "2007/08", "B")])  # each once, second scorings too
    assert sorted(scored) == sorted(leads)  # each lead once (a second scoring is compared level by level, not scored)
    assert gathered.agreement is not None and gathered.agreement.councils == 2
    assert [council.trend.periods for council in gathered.councils if council.code == "A1"] == [["2006/07", "2007/08", "2008/09"]]


def test_the_input_check_stops_at_the_first_council_it_can_compare(tmp_path, monkeypatch):
    store = save_all(
        tmp_path / "kloe.db",
        ac("A1", "Aldermere", "2008/09", None, None),  # nothing levelled: not comparable
        ac("B2", "Brackenford", "2007/08", 3, 3, group="Districts"),
        ac("B2", "Brackenford", "2008/09", 3, 2, group="Districts"),
        ac("C3", "Cindervale", "2008/09", 2, 2, group="Unitaries"),
    )
    parsed, _ = _counting(monkeypatch)
    comparison_data.check_comparable("ac-benefits", store)
    assert parsed == [("A1", "2008/09", ""), ("B2", "2008/09", "")]
    parsed.clear()
    comparison_data.check_comparable("ac-benefits", store, group="Unitaries")
    assert parsed == [("A1", "2008/09", ""), ("B2", "2008/09", ""), ("C3", "2008/09", "")]


@pytest.mark.parametrize(
    "framework, group, words",
    [
        ("ac-benefits", "Unitary", "did you mean 'Unitaries'?"),  # a group nobody is in
        ("ac-benefits", "Districts", "none of the councils in the peer group 'Districts'"),  # nobody there can be compared
        ("hi-prospects", "", "no council has an assessment of hi-prospects"),  # nobody assessed against it
        ("ac-benefit", "", "unknown framework 'ac-benefit'"),
    ],
)
def test_the_input_check_refuses_exactly_as_gathering_does(tmp_path, framework, group, words):
    store = save_all(
        tmp_path / "kloe.db",
        ac("A1", "Aldermere", "2008/09", None, None, group="Districts"),
        ac("B2", "Brackenford", "2008/09", 2, 2, decisions={"J1": (3, "")}, group="Districts"),  # a decision without its rationale
        ac("C3", "Cindervale", "2008/09", 2, 2, group="Unitaries"),
    )
    with pytest.raises(KloeError) as gathering:
        comparison_data.gather(framework, store, group)
    with pytest.raises(KloeError) as checking:
        comparison_data.check_comparable(framework, store, group)
    assert type(checking.value) is type(gathering.value) and str(checking.value) == str(gathering.value)
    assert words in str(checking.value)
    if "none of the councils" in words:
        assert "A1 (Aldermere): nothing assessed yet" in str(checking.value) and "B2 (Brackenford): the assessment has problems" in str(checking.value)


def test_a_comparison_with_assessor_agreement_imports_no_scikit_learn(tmp_path):
    """scikit-learn takes over a second to import; the comparison (kernel side) needs none of it."""
    store = ac_store(tmp_path)
    save_all(store, ac("A1", "Aldermere", "2008/09", 3, 2, track="B", assessor="Bob"))
    code = (
        "import sys\n"
        "from kloe_nb.batch.comparison import COMPARISON_MODULES\n"
        "for name in COMPARISON_MODULES: __import__(name)\n"
        "from kloe_nb.comparison import Comparison\n"
        f"comparison = Comparison.load('ac-benefits', {str(store)!r})\n"
        "assert comparison.context.agreement is not None\n"
        "[getattr(comparison, name)() for name in ('header', 'league', 'distribution', 'heatmap', 'peers', 'travel', 'agreement', 'summary')]\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] in ('sklearn', 'scipy')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_loading_pauses_the_garbage_collector_and_leaves_it_as_it_was(tmp_path):
    store = ac_store(tmp_path)
    seen: list[bool] = []
    real_gather = comparison_notebook.gather

    def watched(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(gc.isenabled())
        return real_gather(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(comparison_notebook, "gather", watched)
        assert gc.isenabled()
        Comparison.load("ac-benefits", str(store))
        assert seen == [False] and gc.isenabled()
        with pytest.raises(ComparisonError):
            Comparison.load("hi-prospects", str(store))  # nobody assessed against it
        assert gc.isenabled()
        gc.disable()
        try:
            Comparison.load("ac-benefits", str(store))
            assert not gc.isenabled()  # a caller that turned it off keeps it off
        finally:
            gc.enable()


# -- the page ---------------------------------------------------------------------------------------
def test_the_page_shows_every_section_and_is_inert_illustrative_and_self_contained(tmp_path, renderer):
    store = save_all(
        tmp_path / "kloe.db",
        ac("A1", "Aldermere", "2007/08", 2, 2, group="Districts", illustrative=True),
        ac("A1", "Aldermere", "2008/09", 3, 2, group="Districts", illustrative=True),
        ac("B2", "Brackenford", "2008/09", 2, 3, group="Districts", illustrative=True),
    )
    html, nb = page_of(Comparison.load("ac-benefits", str(store), generated=GENERATED), renderer)
    assert inert_problems(html) == [] and fast_inert_problems(html) == []
    assert [section.name for section in sections(nb)] == ["header", "league", "distribution", "heatmap", "peers", "travel", "footer"]
    assert page_info(nb).stylesheets == ("compare.css",) and page_info(nb).illustrative
    head = html[: html.index("</head>")]
    assert ".compare-league" in head and head.count("<style>") == 2  # the shared stylesheet, then compare.css
    text = text_of(html)
    assert "Illustrative example data." in text
    assert "Comparison of councils" in text and "Benefit service inspections" in text and "000_014e849d60115a45.txt" in text
    assert "2 compared, every council in the store" in text and "Generated 2010-03-31 12:00 UTC" in text
    assert "▲ up from 2" in text and "Aldermere" in text
    assert html.count('class="report-chart compare-bars"') == 2 and "Councils at each level: How good is the service?" in html
    heatmap = section_html(html, "heatmap")
    # A1: J1's 10 KLOEs at 3, J2's 15 at 2; B2 the other way; one peer group, so each KLOE's median is 2.5 and every level is marked
    assert heatmap.count("class=h3>3+") == 25 and heatmap.count("class=h2>2\u2212") == 25 and "Group median" in heatmap
    assert 'class="kloe-head" title="Are the needs of citizens' in heatmap and 'scope="row"' in heatmap
    assert "Group median" in section_html(html, "peers")
    travel = section_html(html, "travel")
    assert "svg" in travel and "Aldermere: judgements by period" in travel and "Assessed in one period only: Brackenford" in travel
    footer = html[html.index('<footer class="provenance">') :]
    assert "ac-benefits" in footer and "kloe-workbook" in footer and str(store) in footer
    assert len(html.encode()) < 150_000


def test_a_real_assessment_has_no_illustrative_banner_and_a_single_period_no_travel(tmp_path, renderer):
    store = save_all(tmp_path / "kloe.db", ac("A1", "Aldermere", "2008/09", 3, 2), ac("B2", "Brackenford", "2008/09", 2, 2))
    html, _ = page_of(Comparison.load("ac-benefits", str(store)), renderer)
    assert "Illustrative example data" not in html
    assert "assessed in one period only, so there is no direction of travel yet" in text_of(html)
    assert "No council compared here has a peer group." in text_of(html)


def test_hostile_council_names_and_groups_are_shown_as_text_everywhere(tmp_path, renderer):
    name = "<script>alert('name')</script> Council " + " ".join(HOSTILE)
    group = '<img src=x onerror="alert(2)"> group'
    store = save_all(
        tmp_path / "kloe.db",
        ac("<b>X1</b>", name, "2007/08", 2, 2, group=group, assessor=HOSTILE[1]),
        ac("<b>X1</b>", name, "2008/09", 3, 2, group=group, assessor=HOSTILE[1]),
        ac("Y2", "Yarrow \u202e evil", "2008/09", 2, 2, group=group),
        ac("<b>X1</b>", name, "2008/09", 2, 2, group=group, track="B", assessor=HOSTILE[0]),
    )
    comparison = Comparison.load("ac-benefits", str(store), group=group)
    html, _ = page_of(comparison, renderer)
    assert inert_problems(html) == [] and fast_inert_problems(html) == []
    assert not re.search(r"<(script|iframe|img)\b", html, re.I)
    assert not re.search(r"""(href|src)\s*=\s*["']?\s*(javascript|data):""", html, re.I)
    assert "&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt; Council" in html
    assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt; group" in html
    assert "&lt;b&gt;X1&lt;/b&gt;" in html
    assert "{{ 7*7 }}" in html and ">49<" not in html
    assert "\u202e" not in html and "Yarrow [U+202E] evil" in html
    assert html.count("</body>") == 1
    assert 'id="agreement"' in html and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in section_html(html, "agreement")


def test_outputs_the_comparison_did_not_tag_never_reach_the_page(tmp_path, renderer):
    store = save_all(tmp_path / "kloe.db", ac("A1", "Aldermere", "2008/09", 3, 2))
    _, nb = page_of(Comparison.load("ac-benefits", str(store)), renderer)
    stray = new_code_cell("display(HTML(...))")
    stray.outputs = [
        new_output("display_data", data={"text/html": "<script>alert(1)</script><b>stray</b>"}),
        new_output("stream", name="stdout", text="<script>printed</script>"),
    ]
    nb.cells.insert(2, stray)
    html = renderer.render(nb)
    assert "stray" not in html and "printed" not in html


def test_a_report_page_does_not_carry_the_comparison_stylesheet(tmp_path, renderer):
    from builders import page_of as report_page

    from kloe_nb.report import Report

    store = save_all(tmp_path / "kloe.db", ac("A1", "Aldermere", "2008/09", 3, 2))
    html, nb = report_page(Report.load("ac-benefits", "A1", str(store)), renderer)
    assert page_info(nb).stylesheets == () and ".compare-league" not in html


def test_no_label_or_kloe_is_written_into_the_comparison_code():
    from builders import string_constants

    literals = set().union(*(string_constants(path) for path in (REPO_ROOT / "kloe_nb" / "comparison").glob("*.py")))
    words = " ".join(literals).lower()
    for framework_id in ("ac-benefits", "ac-judgement2", "hi-prospects", "wao-housing", "caa-2009"):
        framework = load_framework(framework_id)
        for label in {level.label.lower() for scale in framework.scales for level in scale.levels if level.label}:
            assert not re.search(rf"\b{re.escape(label)}\b", words), label
        assert not {kloe.id for _, kloe in framework.iter_kloes()} & literals
        assert not {judgement.id for judgement in framework.judgements} & literals


# -- the notebook ------------------------------------------------------------------------------------
def test_the_notebook_declares_its_parameters_each_with_help():
    declared = papermill.inspect_notebook(str(NOTEBOOK))
    assert list(declared) == ["framework", "store", "group", "councils", "report_links"]
    assert all(item["help"] and item["inferred_type_name"] == "str" for item in declared.values())
    assert declared["group"]["default"] == '""' and declared["councils"]["default"] == '""' and declared["report_links"]["default"] == '""'


def test_the_notebook_cells_only_call_the_package():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code[0].metadata["tags"] == ["parameters"]
    for cell in code[1:]:
        assert not re.search(r"^\s*(def|class|for|while|if|with|try|import os|lambda)\b", cell.source, re.M), cell.source
        assert all(not output for output in cell.get("outputs", []))
    calls = re.findall(r"comparison\.(\w+)\(\)", "\n".join(cell.source for cell in code))
    assert calls == ["header", "league", "distribution", "heatmap", "peers", "travel", "agreement", "provenance", "summary"]


# -- the page's size: one league table, orderings as lists, a compact heatmap -------------------
def test_the_league_table_is_shown_once_and_each_other_order_lists_every_council_by_name(tmp_path, renderer):
    store = ac_store(tmp_path)
    comparison = Comparison.load("ac-benefits", str(store), generated=GENERATED)
    html, _ = page_of(comparison, renderer)
    assert html.count('<table class="compare-league') == 1
    league = section_html(html, "league")
    for ordering in comparison.context.orderings[1:]:
        start = html.index(f'<section class="compare-order" id="{ordering.id}"')
        listed = html[start : html.index("</section>", start)]
        assert f'href="#{ordering.id}"' in league  # the column heading links to it
        names = [row.name for row in ordering.rows]
        assert sorted(names) == sorted(row.name for row in comparison.context.league)
        positions = [listed.index(f">{name}") if f">{name}" in listed else listed.index(name) for name in names]
        assert positions == sorted(positions)  # in the ordering's order
    by_judgement = next(o for o in comparison.context.orderings if o.id == "league-j1")
    assert [title for title, _ in by_judgement.parts] == sorted({row.cells[0].text for row in comparison.context.league}, key=lambda t: -int(t[0]))


def test_report_links_link_names_to_plain_sibling_reports_only(tmp_path, renderer):
    store = ac_store(tmp_path)
    links = '{"A1": "a1.html", "B2": "https://evil.example/b2.html", "C3": "../c3.html", "D4": "javascript:alert(1)", "ZZ": "zz.html"}'
    comparison = Comparison.load("ac-benefits", str(store), generated=GENERATED, report_links=links)
    assert {row.code: row.report for row in comparison.context.league if row.report} == {"A1": "a1.html"}
    html, _ = page_of(comparison, renderer)
    assert inert_problems(html) == [] and fast_inert_problems(html) == []
    assert set(re.findall(r'href="([^#"][^"]*)"', html)) <= {"a1.html", "a1.html#travel"} and '<a href="a1.html">' in html
    assert Comparison.load("ac-benefits", str(store), report_links="not json").context.has_report_links is False
    plain, _ = page_of(Comparison.load("ac-benefits", str(store), generated=GENERATED), renderer)
    assert not re.search(r'href="[^#"]', plain)


def _many_councils(tmp_path, count: int):  # type: ignore[no-untyped-def]
    """``count`` councils of the largest framework (wao-housing, 50 scored KLOEs), three periods each, in four groups."""
    import random

    from kloe_nb.assessment.model import Assessment, Organisation
    from kloe_nb.store import open_store

    framework = load_framework("wao-housing")
    scored = [kloe.id for _, kloe in framework.iter_kloes() if kloe.scored]
    rng = random.Random(6)
    store = tmp_path / f"many-{count}.db"
    with open_store(store) as opened:
        for number in range(1, count + 1):
            base = rng.randint(1, 4)
            for period in ("2006/07", "2007/08", "2008/09"):
                levels = {kloe_id: min(4, max(1, base + rng.choice([-1, 0, 0, 1]))) for kloe_id in scored}
                organisation = Organisation(code=f"B{number:04d}", name=f"Bench Council {number}", group=f"Group {number % 4}")
                assessment = Assessment(
                    framework="wao-housing",
                    organisation=organisation,
                    period=period,
                    assessor="Lead",
                    kloes={k: KloeRecord(level=v) for k, v in levels.items()},
                )
                opened.save(assessment, based_on=None, author="test")
    return store


def test_the_page_grows_by_under_2_kb_per_council(tmp_path, renderer):
    sizes = {}
    for count in (30, 90):
        html, _ = page_of(Comparison.load("wao-housing", str(_many_councils(tmp_path, count)), generated=GENERATED), renderer)
        assert inert_problems(html) == [] and fast_inert_problems(html) == []
        sizes[count] = len(html.encode())
        assert all(f"Bench Council {number}<" in html or f"Bench Council {number}," in html for number in range(1, count + 1))
    growth = (sizes[90] - sizes[30]) / 60
    print(f"comparison page: {sizes[30]:,} bytes for 30 councils, {sizes[90]:,} for 90: {growth:,.0f} bytes per extra council")
    assert growth < 2048  # it was ~13,000 (the league table six times, a KLOE table per peer group, a chart per council)
