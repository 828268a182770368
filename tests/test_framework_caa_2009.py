"""caa-2009: the organisational assessment KLOEs, the combination table, flags and template, from the seed.

Counts read from 002_e78f7ceaf1ef1da2.txt: Appendix B has 12 KLOEs in four themes (3, 4, 3, 2),
Appendix A 23 area-assessment sub-questions (7, 10, 6); the table in section 7.1 has 16 cells,
six of them "2 or 3" / "3 or 4"; seven red-flag criteria and three considerations.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import REPO_ROOT
from seedtext import find_in_seed  # conftest puts tests/ on sys.path

from kloe_nb.framework import load_framework

SEED = "002_e78f7ceaf1ef1da2.txt"


@pytest.fixture(scope="module")
def framework():
    return load_framework("caa-2009")


def test_organisational_kloes_by_theme(framework):
    themes = {g.id: [k.id for k in g.kloes] for g in framework.groups if g.kind == "theme"}
    assert themes == {
        "managing_finances": ["1.1", "1.2", "1.3"],
        "governing_the_business": ["2.1", "2.2", "2.3", "2.4"],
        "managing_resources": ["3.1", "3.2", "3.3"],
        "managing_performance": ["4.1", "4.2"],
    }
    assert all(k.scored and not k.descriptors for g in framework.groups if g.kind == "theme" for k in g.kloes)


def test_kloe_focus_statements_sit_under_their_kloe(framework):
    assert framework.kloe("1.1").focus[0] == ("integrates financial planning with strategic and service planning processes on a medium- to long-term basis;")
    assert len(framework.kloe("2.1").focus) == 6
    assert framework.kloe("3.3").focus[-1] == "has policies that support diversity and good people management."
    # the theme's one focus list, printed after 4.2, is shown with both of its KLOEs
    assert framework.kloe("4.1").focus == framework.kloe("4.2").focus and len(framework.kloe("4.2").focus) == 4
    assert "both 4.1 and 4.2" in framework.kloe("4.1").notes[0]
    assert framework.kloe("4.2").focus_lead == "The organisation is:" and framework.kloe("1.1").focus_lead == "The organisation:"


def test_area_assessment_is_three_unscored_questions(framework):
    area = [g for g in framework.groups if g.judgement == "area_assessment"]
    assert [(g.id, len(g.kloes)) for g in area] == [("area_q1", 7), ("area_q2", 10), ("area_q3", 6)]
    assert not any(g.scored or k.scored for g in area for k in g.kloes)
    assert framework.kloe("A2.8").title == "How well is housing need met?"
    assert framework.judgement("area_assessment").scored is False


def test_judgements_and_their_rules(framework):
    rules = {j.id: (j.rule.name, j.rule.inputs) if j.rule else None for j in framework.judgements}
    assert rules == {
        "managing_finances": None,
        "governing_the_business": None,
        "managing_resources": None,
        "use_of_resources": ("average", ["managing_finances", "governing_the_business", "managing_resources"]),
        "managing_performance": None,
        "organisational_assessment": ("combination_table", ["use_of_resources", "managing_performance"]),
        "area_assessment": None,
    }
    assert framework.scale("caa-score").levels[0].label is None  # the seed gives no labels


def test_the_combination_table_is_the_seeds(framework):
    [table] = framework.tables
    cells = {(c.row, c.column): c.options for c in table.cells}
    assert len(cells) == 16
    assert all(cells[(1, c)] == [1] and cells[(c, 1)] == [1] for c in range(1, 5))
    assert {k for k, v in cells.items() if len(v) == 2} == {(2, 3), (2, 4), (3, 2), (3, 4), (4, 2), (4, 3)}
    assert cells[(2, 4)] == [2, 3] and cells[(3, 4)] == [3, 4] and cells[(4, 2)] == [2, 3]
    assert [cells[(n, n)] for n in range(1, 5)] == [[1], [2], [3], [4]]


def test_flags_carry_the_seeds_criteria(framework):
    kinds = {kind.colour: kind for kind in framework.flags.kinds}
    assert len(kinds["red"].criteria) == 7 and len(kinds["red"].considerations) == 3
    assert kinds["red"].criteria[1] == "Performance is poor, slipping or not improving"
    assert kinds["green"].meaning[0].startswith("Green flags represent exceptional performance or outstanding improvement")


def test_self_assessment_template_is_appendix_c(framework):
    template = framework.self_assessment_template
    assert template.columns == ["KLoE / Criteria", "Current Position", "Evidence", "Areas For Improvement"]
    assert [(s.group, len(s.criteria)) for s in template.sections] == [("area_q1", 7), ("area_q2", 10), ("area_q3", 6)]
    assert template.sections[1].title == "Question 2 - Area Assessment - How well are outcomes and improvements needed to be delivered?"


def test_yaml_is_what_the_extraction_script_produces():
    result = subprocess.run([sys.executable, str(REPO_ROOT / "tools" / "extract_caa_2009.py"), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# -- fidelity and completeness, item by item ------------------------------------------------


def _seed_text_items(framework) -> list[str]:
    """Every text the framework claims is the seed's words (transcription notes excluded)."""
    items = list(framework.description)
    for group in framework.groups:
        items += [group.title, *group.intro]
        for kloe in group.kloes:
            items += [kloe.title, *kloe.focus]
    for table in framework.tables:
        items += table.rules
    items += [framework.flags.note, framework.judgement("area_assessment").note]
    for kind in framework.flags.kinds:
        items += [*kind.meaning, *kind.criteria, *kind.considerations]
    template = framework.self_assessment_template
    items += [template.title, *template.columns]
    for section in template.sections:
        items += [section.title, *section.criteria]
    return items


def test_every_transcribed_text_is_one_unbroken_run_of_the_seeds_words(framework):
    items = _seed_text_items(framework)
    assert len(items) > 140
    assert [item for item in items if not find_in_seed(item, SEED, max_pieces=1)] == []


def test_area_kloe_ids_are_numbered_in_appendix_a_order(framework):
    area = {g.id: [k.id for k in g.kloes] for g in framework.groups if g.judgement == "area_assessment"}
    assert area == {
        "area_q1": [f"A1.{n}" for n in range(1, 8)],
        "area_q2": [f"A2.{n}" for n in range(1, 11)],
        "area_q3": [f"A3.{n}" for n in range(1, 7)],
    }
    assert framework.kloe("A1.1").title == "How well do local partners understand their diverse communities?"
    assert framework.kloe("A3.2").title == (
        "Are local partners taking adequate action to manage, mitigate or address and concerns, risks identified in questions 1 and 2?"
    )  # the seed's "address and concerns" is kept
    assert framework.kloe("A3.6").title.startswith("Are there any significant weaknesses")  # the seed's last line


def test_area_question_titles_are_appendix_a_and_intros_section_7_1(framework):
    titles = {g.id: g.title for g in framework.groups if g.judgement == "area_assessment"}
    assert titles == {
        "area_q1": "How well do local priorities express community needs and aspirations?",
        "area_q2": "How well are the outcomes and improvements needed being delivered?",
        "area_q3": "What are the prospects for future improvements?",
    }
    group = {g.id: g for g in framework.groups}
    assert group["area_q1"].intro[0].startswith("This is about engagement and involvement")
    assert group["area_q2"].intro[0].startswith("This is about accessing current and recent performance")
    assert group["area_q3"].intro[0].startswith("This builds on the first two questions")


def test_template_rows_are_the_area_kloe_questions_as_appendix_c_prints_them(framework):
    group = {g.id: g for g in framework.groups}
    for section in framework.self_assessment_template.sections:
        assert section.criteria == [k.title for k in group[section.group].kloes]
    assert [s.title.split(" - ")[0] for s in framework.self_assessment_template.sections] == [
        "Question 1",
        "Question 2",
        "Question 3",
    ]


def test_focus_counts_and_distinctive_statements(framework):
    counts = {k.id: len(k.focus) for g, k in framework.iter_kloes() if g.kind == "theme"}
    assert counts == {
        "1.1": 4, "1.2": 3, "1.3": 5,
        "2.1": 6, "2.2": 4, "2.3": 4, "2.4": 3,
        "3.1": 3, "3.2": 3, "3.3": 4,
        "4.1": 4, "4.2": 4,
    }  # fmt: skip
    assert "understands the supply market and seeks to influence and develop that market;" in framework.kloe("2.1").focus
    assert framework.kloe("2.4").focus[1].endswith("to manage the risk of fraud and corruption; and")
    assert framework.kloe("3.1").focus[0].startswith("understands and can quantify its use of natural resources")
    assert framework.kloe("4.2").focus[-1] == "tackling inequality and improving outcomes for people in vulnerable circumstances."
    assert [n for n in framework.groups if n.id == "managing_performance"][0].notes  # says where the one focus list is


def test_theme_questions_and_scales(framework):
    group = {g.id: g for g in framework.groups}
    assert group["managing_finances"].intro[0].endswith("How effectively does the organisation manage its finances to deliver value for money?")
    assert [level.level for level in framework.scale("caa-score").levels] == [4, 3, 2, 1]
    assert all(level.label is None for level in framework.scale("caa-score").levels)
    assert framework.scale("caa-score").note
    scored = [j.id for j in framework.judgements if j.scale == "caa-score"]
    assert scored == [
        "managing_finances",
        "governing_the_business",
        "managing_resources",
        "use_of_resources",
        "managing_performance",
        "organisational_assessment",
    ]
    area = framework.judgement("area_assessment")
    assert area.scale is None and area.note == "The Area assessment is not scored but areas will be given green and red flags."
    assert framework.judgement("use_of_resources").rule.rounding == "half_up"
    assert framework.judgement("use_of_resources").rule.note.startswith("The source says: an average of the scores")


def test_table_reads_use_of_resources_down_and_managing_performance_across(framework):
    [table] = framework.tables
    assert (table.id, table.row_input, table.column_input) == (
        "caa-organisational-assessment",
        "use_of_resources",
        "managing_performance",
    )
    assert framework.judgement("organisational_assessment").rule.table == table.id
    assert any(rule.startswith("Where the managing performance theme score and the use of resources scores are different") for rule in table.rules)
    assert any("A score of 1 in either the managing performance or the use of resources" in rule for rule in table.rules)


def test_flag_criteria_and_considerations_in_seed_order(framework):
    kinds = {kind.colour: kind for kind in framework.flags.kinds}
    red, green = kinds["red"], kinds["green"]
    assert red.criteria[0] == "Not enough is being done to tackle the concern;"
    assert red.criteria[5] == "Insufficient account is being taken of inequality and;"  # the seed's punctuation
    assert red.criteria[-1].startswith("Insufficient account is being taken of people whose circumstances")
    assert red.considerations == [
        "The local partnership is aware of the concern",
        "Plans to improve the areas of weakness are robust and if there is evidence of improvement and",
        "Significant weaknesses or failings, such as poor governance are likely to prevent sustained improvement",
    ]
    assert red.meaning[0].startswith("Red flags will be reported where there are significant concerns")
    assert len(green.criteria) == 2 and green.criteria[1].startswith("Good or very good practice is not sufficient")
    assert framework.flags.judgement == "area_assessment"
    assert framework.flags.note.startswith("Red and green flags will be kept under review")
