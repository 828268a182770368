"""wao-housing: every row of the Wales Audit Office housing KLOE tables, in the seed's words.

Counts are read from the seed (004_9d6156c9eb967c4b.txt): one KLOE per table row, seven KLOE
documents; tools/extract_wao_housing.py also checks word for word that every word of every
table cell is in the YAML (its coverage report shows no missing and no extra words).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import REPO_ROOT
from kloe_nb.framework import load_framework

SEED = "004_9d6156c9eb967c4b.txt"
ROWS_PER_GROUP = {"1.2": 6, "1.3": 5, "1.4": 6, "1.5": 8, "2.2": 10, "2.3": 5, "2.10/2.11": 10}


@pytest.fixture(scope="module")
def framework():
    return load_framework("wao-housing")


def test_seven_kloe_documents_with_every_table_row(framework):
    assert {group.id: len(group.kloes) for group in framework.groups} == ROWS_PER_GROUP
    assert sum(ROWS_PER_GROUP.values()) == len(framework.iter_kloes()) == 50
    assert [g.title for g in framework.groups][:4] == ["Rents and Service Charges", "Letting Housing", "Managing Housing", "Maintaining Housing"]


def test_service_kloes_use_the_service_scale_and_2_10_the_prospects_scale(framework):
    judgement_of = {group.id: group.judgement for group in framework.groups}
    assert judgement_of == {**{g: "J1" for g in ROWS_PER_GROUP if g != "2.10/2.11"}, "2.10/2.11": "J2"}
    service = [(lv.level, lv.label) for lv in framework.scale("wao-service").levels]
    assert service == [(4, "Excellent"), (3, "Good"), (2, "Satisfactory"), (1, "Has scope for considerable improvement")]
    prospects = [(lv.level, lv.label) for lv in framework.scale("wao-prospects").levels]
    assert prospects == [
        (4, "Demonstrates strong corporate and strategic capabilities"),
        (3, "Is raising standards in service delivery"),
        (2, "Shows weaknesses in processes and performance"),
        (1, "Fails to demonstrate capability"),
    ]


def test_every_kloe_is_scored_and_describes_levels_4_and_2(framework):
    for _, kloe in framework.iter_kloes():
        assert kloe.scored
        assert sorted(kloe.descriptors) == [2, 4], kloe.id


@pytest.mark.parametrize(
    ("kloe_id", "level", "start"),
    [
        ("1.5-gas-servicing", 4, "Annually services and carries out safety checks to all internal gas appliances"),
        ("1.5-gas-servicing", 2, "Annually services gas appliances in accordance with statutory requirements."),
        ("1.2-debt-advice", 4, "Carries out benefit assessment with potential new tenants to identify if a property is affordable."),
        ("1.3-void-property-management", 2, "Relies on ad hoc arrangements to identify and deal with vacations and unauthorised occupation."),
        ("1.4-estate-management", 4, "Has estates which are clean, tidy and attractive."),
        ("2.2-complaints", 2, "Is not open to complaints and is reactive in its approach."),
        ("2.3-partnerships", 4, "Works with a wide base of other community organisations to ensure that services are tailored to local need."),
        ("2.10/2.11-quality-of-plans", 2, "Does not have robust plans, nor a range of actions for the short"),
    ],
)
def test_statements_sit_under_their_kloe_and_level_only(framework, kloe_id, level, start):
    kloe = framework.kloe(kloe_id)
    other = 2 if level == 4 else 4
    assert any(statement.startswith(start) for statement in kloe.descriptors[level])
    assert not any(statement.startswith(start) for statement in kloe.descriptors[other])


def test_rows_keep_their_questions_as_prompts(framework):
    assert framework.kloe("1.5-gas-servicing").prompts == ["Does the organisation comply with gas safety regulations?"]
    assert framework.kloe("2.10/2.11-track-record").section == "What is the evidence of service improvements?"


def test_yaml_is_what_the_extraction_script_produces():
    result = subprocess.run([sys.executable, str(REPO_ROOT / "tools" / "extract_wao_housing.py"), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
