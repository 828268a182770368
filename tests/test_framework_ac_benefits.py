"""The Audit Commission benefit service inspection KLOE (frameworks/ac-benefits.yaml) against its seed.

The expected ids, counts and statements below are hard-coded from a reading of the seed
frameworks/sources/000_014e849d60115a45.txt: they are the spec the YAML must meet.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seedtext import SEEDS_DIR, find_in_seed, normalise  # noqa: E402

from kloe_nb.framework import load_framework  # noqa: E402

SEED = "000_014e849d60115a45.txt"
YAML_PATH = Path(__file__).resolve().parents[1] / "frameworks" / "ac-benefits.yaml"

EXPECTED_GROUPS = {
    "Q1": ("1", "What has the service aimed to achieve?", "J1", False, ["1.1", "1.2", "1.3"]),
    "Q2": (
        "2",
        "Is the service meeting the needs of the community and users?",
        "J1",
        True,
        ["2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "2.8"],
    ),
    "Q3": ("3", "Is the service delivering value for money?", "J1", True, ["3.1", "3.2"]),
    "Q4": ("4", "What is the service track record in delivering improvement?", "J2", True, ["4.1", "4.2", "4.3", "4.4"]),
    "Q5": (
        "5",
        "How well does the service manage performance?",
        "J2",
        True,
        ["5.1", "5.1.1", "5.1.2", "5.1.3", "5.2", "5.2.1", "5.2.2", "5.2.3", "5.2.4"],
    ),
    "Q6": ("6", "Does the service have the capacity to improve?", "J2", True, ["6.1", "6.2", "6.3", "6.4"]),
}
UNSCORED = {"1.1", "1.2", "1.3", "5.1", "5.2"}

# (level 3 statements, level 2 statements) per scored KLOE, counted from the seed.
STATEMENT_COUNTS = {
    "2.1": (3, 4),
    "2.2": (6, 8),
    "2.3": (1, 1),
    "2.4": (2, 2),
    "2.5": (8, 8),
    "2.6": (5, 7),
    "2.7": (8, 15),  # the two lead-ins are headings (test_fraud_lead_ins_head_their_lists)
    "2.8": (2, 2),
    "3.1": (11, 9),
    "3.2": (5, 6),
    "4.1": (1, 1),
    "4.2": (1, 1),
    "4.3": (1, 1),
    "4.4": (4, 3),
    "5.1.1": (3, 3),
    "5.1.2": (6, 6),
    "5.1.3": (1, 1),
    "5.2.1": (4, 4),
    "5.2.2": (11, 11),
    "5.2.3": (3, 3),
    "5.2.4": (4, 4),
    "6.1": (3, 3),
    "6.2": (7, 7),
    "6.3": (2, 1),
    "6.4": (1, 1),
}


@pytest.fixture(scope="module")
def fw():
    return load_framework("ac-benefits")


def statements(fw, kloe_id: str, level: int) -> list[str]:
    return fw.kloe(kloe_id).descriptors.get(level, [])


def assert_at(fw, kloe_id: str, level: int, statement: str) -> None:
    """`statement` is one whole statement of kloe_id at `level` and is not at the other level."""
    other = 5 - level  # 2 <-> 3
    assert statement in statements(fw, kloe_id, level), f"{statement[:60]!r} not at {kloe_id} level {level}"
    assert statement not in statements(fw, kloe_id, other), f"{statement[:60]!r} also at {kloe_id} level {other}"


# -- identity --------------------------------------------------------------------------------
def test_framework_identity_and_source(fw):
    assert fw.id == "ac-benefits"
    assert fw.version == "2"  # 2: 2.7's fraud and error lead-ins became headings
    assert fw.title == "Benefit service inspections"
    assert fw.publisher == "Audit Commission"
    assert fw.date == "undated"  # the seed prints no date
    assert fw.source.document == SEED
    assert fw.source.title == "Benefit service inspections"


def test_no_cell_taken_from_another_seed(fw):
    # Every Judgement 2 cell is present in 000; 001 was only read for checking.
    assert fw.other_sources == []
    assert all(not kloe.descriptor_sources for _, kloe in fw.iter_kloes())


def test_description_is_background_focus_and_descriptor_paragraphs(fw):
    assert len(fw.description) == 5
    assert fw.description[0].startswith("Every council that administers the benefit scheme")
    assert "the right benefits to the right people at the right time. This" in fw.description[0]
    assert fw.description[3] == (
        "Our Judgement 2 KLOE and descriptors are used for all service inspections. These help us assess the prospects for future improvements."
    )
    assert fw.description[4].endswith("using the descriptors as guidance")


# -- scales and judgements ---------------------------------------------------------------------
def test_service_scale_labels_and_stars(fw):
    scale = fw.scale("ac-service")
    assert [(lv.level, lv.label, lv.stars) for lv in scale.levels] == [
        (4, "Excellent", 3),
        (3, "Good", 2),
        (2, "Fair", 1),
        (1, "Poor", 0),
    ]
    assert [lv.heading for lv in scale.levels] == [None, "Level 3 Good", "Level 2 Fair", None]
    assert scale.levels[0].descriptor.startswith("A service that delivers well above minimum requirements")
    assert scale.levels[3].descriptor.endswith("makes little or no contribution to wider outcomes for the community.")


def test_prospects_scale_labels_no_stars(fw):
    scale = fw.scale("ac-prospects")
    assert [(lv.level, lv.label, lv.stars) for lv in scale.levels] == [
        (4, "Excellent prospects", None),
        (3, "Promising prospects", None),
        (2, "Uncertain prospects", None),
        (1, "Poor prospects", None),
    ]
    assert [lv.heading for lv in scale.levels] == [
        None,
        "Level 3 Promising prospects",
        "Level 2 Uncertain prospects",
        None,
    ]
    assert scale.levels[2].descriptor.endswith("Enablers of, and barriers to, improvement are finely balanced.")


def test_printed_star_labels_appear_nowhere():
    text = YAML_PATH.read_text(encoding="utf-8")
    assert "★" not in text
    assert "(0 stars)" not in text


def test_judgements(fw):
    assert [(j.id, j.title, j.scale, j.rule) for j in fw.judgements] == [
        ("J1", "How good is the service?", "ac-service", None),
        ("J2", "What prospects are there for improvement?", "ac-prospects", None),
    ]
    assert "What are the prospects for improvement?" in fw.judgement("J2").note


# -- structure -----------------------------------------------------------------------------------
def test_groups_numbers_titles_judgements_and_kloe_ids(fw):
    assert [g.id for g in fw.groups] == list(EXPECTED_GROUPS)
    for group in fw.groups:
        number, title, judgement, scored, kloe_ids = EXPECTED_GROUPS[group.id]
        assert group.kind == "question"
        assert (group.number, group.title, group.judgement, group.scored) == (number, title, judgement, scored)
        assert [k.id for k in group.kloes] == kloe_ids


def test_kloe_counts(fw):
    kloes = [k for _, k in fw.iter_kloes()]
    assert len(kloes) == 30
    # 30 KLOEs less the five the seed does not score (1.1-1.3 context only, umbrellas 5.1 and 5.2)
    assert len([k for k in kloes if k.scored]) == 25
    assert {k.id for k in kloes if not k.scored} == UNSCORED


def test_question_1_is_context_only(fw):
    q1 = fw.groups[0]
    assert q1.scored is False
    assert q1.intro == ["This question is for context only. It will not result in a judgement. It will inform all other judgements"]
    assert q1.evidence_that[0] == "the responsibilities of the council for the service;"
    for kloe in q1.kloes:
        assert kloe.scored is False and kloe.descriptors == {}
        assert kloe.guidance[0] == "Describe the responsibilities of the council for the service;"
        assert kloe.guidance[-1] == "Focus on the profile of the council's local communities."
    assert fw.kloe("1.1").title == "What has the service aimed to achieve in terms of community and user needs?"
    assert len(q1.sources_of_evidence) == 8


def test_umbrella_kloes_and_parents(fw):
    for umbrella in ("5.1", "5.2"):
        kloe = fw.kloe(umbrella)
        assert kloe.scored is False and kloe.descriptors == {}
        assert any("scored through its sub-KLOEs" in n for n in kloe.notes)
    assert [fw.kloe(k).parent for k in ("5.1.1", "5.1.2", "5.1.3")] == ["5.1"] * 3
    assert [fw.kloe(k).parent for k in ("5.2.1", "5.2.2", "5.2.3", "5.2.4")] == ["5.2"] * 4
    parented = {k.id for _, k in fw.iter_kloes() if k.parent}
    assert parented == {"5.1.1", "5.1.2", "5.1.3", "5.2.1", "5.2.2", "5.2.3", "5.2.4"}


def test_question_2_sections(fw):
    sections = {k.id: k.section for k in fw.groups[1].kloes}
    access = "Key lines of enquiry – Access, customer care, user and community focus"
    outcomes = "Key lines of enquiry – Service outcomes for users and the community"
    assert sections == {
        "2.1": access,
        "2.2": access,
        "2.3": access,
        "2.4": access,
        "2.5": "Key line of enquiry – Diversity",
        "2.6": outcomes,
        "2.7": outcomes,
        "2.8": outcomes,
    }


def test_every_scored_kloe_has_exactly_levels_2_and_3(fw):
    for _, kloe in fw.iter_kloes():
        if kloe.scored:
            assert sorted(kloe.descriptors) == [2, 3], kloe.id


@pytest.mark.parametrize("kloe_id", sorted(STATEMENT_COUNTS))
def test_statement_counts_per_level(fw, kloe_id):
    level3, level2 = STATEMENT_COUNTS[kloe_id]
    assert (len(statements(fw, kloe_id, 3)), len(statements(fw, kloe_id, 2))) == (level3, level2)


def test_total_statement_counts(fw):
    # level 3: 51 for Judgement 1 + 52 for Judgement 2; level 2: 62 + 50
    assert sum(len(statements(fw, k, 3)) for k in STATEMENT_COUNTS) == 103
    assert sum(len(statements(fw, k, 2)) for k in STATEMENT_COUNTS) == 112


def test_fraud_lead_ins_head_their_lists_and_are_not_statements(fw):
    kloe = fw.kloe("2.7")
    lead2 = "The service meets satisfactory requirements for minimising fraud and error:"
    lead3 = "The council performs well in minimising fraud and error:"
    assert lead2 not in kloe.descriptors[2] and lead3 not in kloe.descriptors[3]
    runs2, runs3 = kloe.statement_runs(2), kloe.statement_runs(3)
    assert [run.heading for run in runs2] == [None, lead2] and [run.heading for run in runs3] == [None, lead3]
    assert runs2[1].statements[0][1] == "There are robust procedures in place for checking evidence"
    assert runs3[1].statements[0][1].startswith("The service is effective in engaging partner agencies")
    # every statement sits in exactly one run, in order
    assert [i for run in runs2 for i, _ in run.statements] == list(range(len(kloe.descriptors[2])))


def test_titles_from_descriptor_section_with_overview_variants_noted(fw):
    assert fw.kloe("3.1").title.startswith("How do the organisation’s costs compare to others")
    assert any("compare with others" in n for n in fw.kloe("3.1").notes)
    assert fw.kloe("5.1.2").title == "Are aims and future plans coordinated, robust and deliverable?"
    assert any("Are aims and plans coordinated" in n for n in fw.kloe("5.1.2").notes)
    assert fw.kloe("4.3").title.endswith("of this and comparable services?")  # heading run-in removed


# -- spot checks: right KLOE, right level, not the other ---------------------------------------------
def test_q2_spot_checks(fw):
    assert_at(fw, "2.1", 2, "The standards set out in legislation are fully complied with.")
    assert statements(fw, "2.1", 3)[0].startswith("A strategic approach is taken to designing and delivering a high quality")
    assert_at(fw, "2.1", 3, "Staff embed a customer focus in all their work and serve customers well, with dignity, respect and fairness.")
    assert_at(fw, "2.2", 3, "The service effectively targets money advice to those most in need.")
    assert_at(fw, "2.5", 2, "Customer service points comply with the Disability Discrimination Act.")
    assert_at(fw, "2.6", 3, "All work is effectively progressed in fewer than 7 days of receipt.")
    # rejoined across the page break
    assert_at(
        fw,
        "2.7",
        2,
        "Incorrect payments are being identified and actively managed, and the service is using the best mix of interventions based on local risk factors.",
    )
    assert_at(
        fw,
        "2.7",
        3,
        "The council has successfully implemented a business plan to reduce fraud and error based on the DWP action "
        "plan for tackling fraud and error in HB and CTB.",
    )
    assert_at(fw, "2.7", 2, "Systems and procedures for dealing with and reporting fraud or potential fraud are adequate")


def test_q2_evidence_lists(fw):
    q2 = fw.groups[1]
    assert len(q2.evidence_that) == 12
    assert q2.evidence_that[4].startswith("Customers can access the service easily. For example:\n- access points")
    assert q2.evidence_that[4].count("\n- ") == 7
    assert q2.evidence_that[-1] == "Customers are satisfied with the service"
    assert fw.kloe("2.5").evidence_that[-1] == "The service is tailored to meet the diverse needs of all its local communities"
    assert len(q2.sources_of_evidence) == 22


def test_q3_spot_checks(fw):
    assert_at(
        fw,
        "3.1",
        3,
        "Costs compare favourably with other organisations providing similar levels and standards of services, allowing for the local context.",
    )
    assert_at(fw, "3.1", 2, "Service capital projects (if any) are generally completed on time and in budget.")
    assert_at(
        fw,
        "3.2",
        3,
        "Management arrangements for value for money including subsidy arrangements are regularly monitored and "
        "managed, and can show benefits in terms of costs to the service and outcomes for customers.",
    )
    assert_at(fw, "3.2", 2, "Service reviews in benefits have led to some improvements in cost-effectiveness or efficiency.")
    assert len(fw.kloe("3.1").evidence_that) == 7 and len(fw.kloe("3.2").evidence_that) == 8
    assert fw.kloe("3.2").evidence_that[-1] == "Error is being tackled and managed"
    assert fw.groups[2].evidence_that == []


def test_q4_spot_checks(fw):
    assert statements(fw, "4.1", 2)[0].startswith("The service/organisation – Has made changes but delivered improvements of mixed quality.")
    assert statements(fw, "4.1", 3)[0].startswith("The service/organisation – Has implemented changes derived from inspections")
    assert_at(
        fw,
        "4.4",
        3,
        "Has a clear focus on value for money evident in strategic decision-making and day-to-day management and review.",
    )
    assert_at(
        fw,
        "4.4",
        2,
        "Has officers and members who show some awareness of value for money in day to day activities and decision-making.",
    )


def test_q5_spot_checks(fw):
    assert statements(fw, "5.2.1", 2)[-1].startswith("Has taken difficult decisions, but may have avoided other problem areas")
    assert not any(s.startswith("Has taken difficult decisions") for s in statements(fw, "5.2.1", 3))
    assert statements(fw, "5.1.2", 2)[4].endswith("and/or not explicitly identified lower priority areas.")
    assert statements(fw, "5.1.2", 3)[-1].startswith(
        "Can show the links between corporate aims through to community (if applicable), service and individual plans, objectives"
    )
    assert_at(fw, "5.1.3", 2, "The service/organisation: Sets targets which are applied to improve value for money.")
    assert statements(fw, "5.2.2", 3)[4].endswith(
        "for the service. These plans set a framework for the delivery of user-focused achievements in the longer term."
    )
    assert statements(fw, "5.2.2", 2)[-1].startswith("Is starting to embed performance management but has some way to go.")
    learns = statements(fw, "5.2.4", 3)[-1]
    assert learns.startswith("Learns from its own experiences and from that of others, as a result of:\n- systematic analysis")
    assert learns.endswith("\n- external inspections")


def test_q6_spot_checks(fw):
    assert statements(fw, "6.2", 2)[0] == (
        "The service/organisation: Lacks a fully effective strategic HR framework and maximises internal capacity in only an ad-hoc way."
    )
    assert "It works with partners, where appropriate to address issues around recruitment" in statements(fw, "6.2", 3)[0]
    assert statements(fw, "6.2", 3)[-1].endswith("These include, for example, social inclusion, community safety and the needs of young people.")
    assert_at(
        fw,
        "6.3",
        3,
        "Has engaged effectively in strategic partnering, with evidence of improvements in services or facilities",
    )
    # 001's extra uncertain statement is not mixed in
    assert not any("pursues joint procurement" in s for s in statements(fw, "6.3", 2))


def test_no_statement_is_a_stray_continuation(fw):
    continuations = (
        "priority areas.",
        "interventions based",
        "to reduce fraud",
        "way to go",
        "appropriate to address",
        "inclusion, community",
        "which fully reflect",
        "service. These plans",
        "involvement of its",
    )
    for _, kloe in fw.iter_kloes():
        for level, items in kloe.descriptors.items():
            for s in items:
                assert not s.startswith(continuations), (kloe.id, level, s[:40])
                assert s == s.strip() and "  " not in s and "<" not in s and "**" not in s and "•" not in s


# -- fidelity --------------------------------------------------------------------------------------
def all_texts(fw):
    for level in (lv for scale in fw.scales for lv in scale.levels):
        yield from (t for t in (level.label, level.descriptor, level.heading) if t)
    for judgement in fw.judgements:
        yield judgement.title
    for group in fw.groups:
        yield group.title
        yield from group.intro + group.evidence_that + group.sources_of_evidence
        for kloe in group.kloes:
            yield kloe.title
            if kloe.section:
                yield kloe.section
            yield from kloe.prompts + kloe.evidence_that + kloe.sources_of_evidence + kloe.guidance
            for items in kloe.descriptors.values():
                yield from items


def test_every_text_is_the_seeds_words(fw):
    failures = [t[:80] for t in all_texts(fw) if not find_in_seed(t, SEED)]
    assert failures == []


def test_description_is_the_seeds_words(fw):
    # seedtext.normalise turns the seed's '**right ... time**.' emphasis into 'time .', so compare
    # the description against the seed with the '**' markers deleted instead.
    seed = normalise((SEEDS_DIR / SEED).read_text(encoding="utf-8").replace("**", ""))
    for paragraph in fw.description:
        assert normalise(paragraph) in seed, paragraph[:80]


def test_ids_and_numbers_are_quoted_in_yaml():
    text = YAML_PATH.read_text(encoding="utf-8")
    assert not re.search(r"^\s*-?\s*(id|number|parent|version|date): [0-9]", text, re.M)
