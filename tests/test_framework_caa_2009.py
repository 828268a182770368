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
from kloe_nb.framework import load_framework


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
    assert framework.kloe("1.1").focus[0] == (
        "integrates financial planning with strategic and service planning processes on a medium- to long-term basis;"
    )
    assert len(framework.kloe("2.1").focus) == 6
    assert framework.kloe("3.3").focus[-1] == "has policies that support diversity and good people management."
    assert framework.kloe("4.1").focus == [] and len(framework.kloe("4.2").focus) == 4
    assert framework.kloe("4.1").notes  # says where the theme's one focus list is


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
