"""The Wales Audit Office Housing KLOEs (seed 004_9d6156c9eb967c4b.txt) as frameworks/wao-housing.yaml.

The counts below were taken by reading the seed's tables: they are the spec the transcription
is checked against, not numbers read back from the YAML.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seedtext import find_in_seed  # noqa: E402

from kloe_nb.framework import load_framework  # noqa: E402

SEED = "004_9d6156c9eb967c4b.txt"


@pytest.fixture(scope="module")
def framework():
    return load_framework("wao-housing")


def kloe(framework, kloe_id):
    return framework.kloe(kloe_id)


# --- structure ---------------------------------------------------------------------------------

KLOES_PER_GROUP = {
    "1.2": 6,  # access, diversity, accounting and collection, arrears recovery, debt advice, VFM
    "1.3": 5,  # access, diversity, housing register, void property management, VFM
    "1.4": 6,  # access, diversity, tenancy management, enforcing/ASB, estate management, VFM
    "1.5": 8,  # access, diversity, capital improvement, responsive, voids, gas, aids, VFM
    "2.2": 10,  # access, diversity, governance, access to service, information, complaints, consultation, resources, impact, VFM
    "2.3": 5,  # governance, access and customer care, service user involvement, partnerships, harassment
    "2.10/2.11": 10,  # the ten areas the document lists
}


def test_metadata_names_the_seed_and_its_draft_status(framework):
    assert framework.id == "wao-housing"
    assert framework.version == "2"  # 2: statements split and joined as the bulleted printings give them
    assert framework.title == "Housing Key Lines of Enquiry"
    assert framework.publisher == "Wales Audit Office"
    assert framework.date == "November 2005"
    assert framework.source.document == SEED
    assert framework.source.note == "This document is a draft version pending further discussions ."


def test_groups_are_the_seven_kloe_documents_in_order_with_their_kloe_counts(framework):
    assert [g.id for g in framework.groups] == list(KLOES_PER_GROUP)
    assert {g.id: len(g.kloes) for g in framework.groups} == KLOES_PER_GROUP
    assert len(framework.iter_kloes()) == 50


def test_group_titles_numbers_and_judgements(framework):
    titles = {g.id: g.title for g in framework.groups}
    assert titles == {
        "1.2": "Rents and Service Charges",
        "1.3": "Letting Housing",
        "1.4": "Managing Housing",
        "1.5": "Maintaining Housing",
        "2.2": "Relationship to Tenants",
        "2.3": "Equal Opportunities",
        "2.10/2.11": "Performance Management and Continuous Improvement",
    }
    for group in framework.groups:
        assert group.kind == "theme"
        assert group.number == group.id
        assert group.judgement == ("J2" if group.id == "2.10/2.11" else "J1")


def test_group_intro_is_the_areas_list(framework):
    group = next(g for g in framework.groups if g.id == "1.5")
    assert group.intro[0] == "The Maintaining Housing KLOE is intended to cover the following areas:"
    assert "gas servicing" in group.intro
    assert group.intro[-1] == "value for Money."
    prospects = next(g for g in framework.groups if g.id == "2.10/2.11")
    assert prospects.intro[1:] == [
        "track record;",
        "service user benefits;",
        "learning;",
        "use of continuous improvement principles;",
        "contents of plans;",
        "quality of plans;",
        "ambitions;",
        "prioritisation;",
        "capacity; and",
        "performance management.",
    ]


def test_kloe_ids_are_group_plus_heading_slug(framework):
    ids = [k.id for _, k in framework.iter_kloes()]
    assert len(ids) == len(set(ids))
    for expected in (
        "1.2-access-customer-care-user-focus",
        "1.2-current-and-former-tenant-arrears-recovery",
        "1.3-the-housing-register-the-housing-allocations",
        "1.4-enforcing-tenancy-conditions-and-dealing-with",
        "1.5-gas-servicing",
        "2.2-impact-of-resident-involvement",
        "2.3-harassment-and-domestic-violence",
        "2.10/2.11-track-record",
        "2.10/2.11-performance-management",
    ):
        assert expected in ids
    for group, k in framework.iter_kloes():
        assert k.id.startswith(group.id + "-")
        assert len(k.id) <= 80


def test_every_kloe_is_scored_with_both_levels(framework):
    for _, k in framework.iter_kloes():
        assert k.scored
        assert sorted(k.descriptors) == [2, 4], k.id
        assert k.prompts, k.id


def test_prospects_kloes_sit_under_the_three_questions(framework):
    sections = {k.id: k.section for g, k in framework.iter_kloes() if g.id == "2.10/2.11"}
    evidence = "What is the evidence of service improvements?"
    plans = "How good are the current improvement plans?"
    delivered = "Will improvements be delivered?"
    assert sections == {
        "2.10/2.11-track-record": evidence,
        "2.10/2.11-service-user-benefits": evidence,
        "2.10/2.11-learning": evidence,
        "2.10/2.11-use-of-continuous-improvement-principles": plans,
        "2.10/2.11-contents-of-plans": plans,
        "2.10/2.11-quality-of-plans": plans,
        "2.10/2.11-ambitions": delivered,
        "2.10/2.11-prioritisation": delivered,
        "2.10/2.11-capacity": delivered,
        "2.10/2.11-performance-management": delivered,
    }


# --- scales and judgements ---------------------------------------------------------------------


def test_service_scale_labels_and_headings(framework):
    scale = framework.scale("wao-service")
    assert [(lv.level, lv.label) for lv in scale.levels] == [
        (4, "Excellent"),
        (3, "Good"),
        (2, "Satisfactory"),
        (1, "Has scope for considerable improvement"),
    ]
    headings = {lv.level: lv.heading for lv in scale.levels}
    assert headings[4] == "AN ORGANISATION DELIVERING AN EXCELLENT SERVICE"
    assert headings[2] == "AN ORGANISATION DELIVERING A SATISFACTORY SERVICE"


def test_prospects_scale_labels_and_headings(framework):
    scale = framework.scale("wao-prospects")
    assert [(lv.level, lv.label) for lv in scale.levels] == [
        (4, "Demonstrates strong corporate and strategic capabilities"),
        (3, "Is raising standards in service delivery"),
        (2, "Shows weaknesses in processes and performance"),
        (1, "Fails to demonstrate capability"),
    ]
    headings = {lv.level: lv.heading for lv in scale.levels}
    assert headings[4] == "An organisation which demonstrates strong corporate and strategic capabilities"
    assert headings[2] == "An organisation which shows weaknesses in processes and performance"


def test_judgements(framework):
    assert [(j.id, j.title, j.scale, j.rule) for j in framework.judgements] == [
        ("J1", "How good is the service?", "wao-service", None),
        ("J2", "What are the prospects for improvement?", "wao-prospects", None),
    ]


# --- spot checks: a distinctive statement under the right KLOE and level, not the other ---------

SPOT_CHECKS = [
    # (kloe id, level, statement quoted from the seed)
    ("1.2-current-and-former-tenant-arrears-recovery", 4, "Adapts its approach to arrears management based upon an analysis of reasons for non-payment."),
    ("1.2-current-and-former-tenant-arrears-recovery", 2, "Does not routinely take prompt action when accounts fall into arrears."),
    (
        "1.2-debt-advice",
        4,
        "Helps service users in arrears to stay in their homes by providing advice and assistance on debt "
        "management and pursuing debt collection strategies that sensitively balance the pursuit of debt "
        "against the needs of vulnerable tenants.",
    ),
    ("1.3-void-property-management", 2, "Provides only basic information about the property it is offering to an applicant."),
    ("1.3-the-housing-register-the-housing-allocations", 4, "Meets or exceeds targets specified in service standards."),
    (
        "1.4-enforcing-tenancy-conditions-and-dealing-with",
        4,
        "Uses the full range of remedies as appropriate to address ASB, including mediation, injunctions and "
        "exclusion orders, acceptable behaviour contracts (ABCs), anti-social behaviour orders (ASBOs), "
        "possession proceedings and introductory/ starter tenancies – and publicises to the wider community "
        "the successful use of such remedies.",
    ),
    ("1.4-estate-management", 2, "Can show little evidence of preventative initiatives working jointly with local communities and other organisations."),
    (
        "1.5-gas-servicing",
        4,
        "Annually services and carries out safety checks to all internal gas appliances and carries out all necessary repairs and replacements promptly.",
    ),
    ("1.5-gas-servicing", 2, "Annually services gas appliances in accordance with statutory requirements."),
    ("1.5-value-for-money", 2, "Often overspends its project and programme budgets."),
    ("2.2-diversity", 2, "Has a few local compacts/ agreements in place but no clear plan for introducing the remainder where residents want them."),
    ("2.2-complaints", 4, "Implements promptly, and in full, determinations made by the Social Housing Ombudsman."),
    (
        "2.2-access-to-the-service",
        4,
        "Makes it easy for residents to access the service by telephone, in person or electronically, including "
        "outside normal office hours – all of which are dealt with efficiently and effectively",
    ),
    ("2.3-harassment-and-domestic-violence", 4, "Promptly deals with offensive graffiti and vandalism committed with intent to harass."),
    ("2.3-access-and-customer-care", 2, "Has vulnerable tenants who are not getting adequate support."),
    (
        "2.10/2.11-use-of-continuous-improvement-principles",
        2,
        "Has carried out limited consultation about the service and/or improvement plan(s) and it is not clear "
        "how stakeholders or hard-to-reach groups have been identified and consulted. The approach adopted to "
        "consultation and engagement with customers and other stakeholders is not adequate. Insufficient "
        "information is provided and time allowed. The organisation cannot show comprehensively how "
        "consultation has influenced what it plans to do.",
    ),
    (
        "2.10/2.11-capacity",
        4,
        "Has formed successful partnerships with external companies, other service providers and the voluntary "
        "and community sectors. These partnerships enable the organisation to provide more efficient and high "
        "quality services.",
    ),
    (
        "2.10/2.11-performance-management",
        2,
        "Has considered risks in the market, and its funding streams, in developing its Business and Delivery Plan(s), but does not review them regularly.",
    ),
]


@pytest.mark.parametrize(("kloe_id", "level", "statement"), SPOT_CHECKS)
def test_spot_statement_sits_under_its_kloe_and_level_only(framework, kloe_id, level, statement):
    k = kloe(framework, kloe_id)
    other = 2 if level == 4 else 4
    assert statement in k.descriptors[level]
    assert statement not in k.descriptors[other]
    assert find_in_seed(statement, SEED)


def test_spot_checks_cover_every_group_twice(framework):
    per_group = {}
    for kloe_id, _, _ in SPOT_CHECKS:
        group = kloe_id.split("-", 1)[0]
        per_group[group] = per_group.get(group, 0) + 1
    assert {g: n >= 2 for g, n in per_group.items()} == {g: True for g in KLOES_PER_GROUP}


STATEMENT_COUNTS = {
    "1.2-current-and-former-tenant-arrears-recovery": {4: 9, 2: 12},
    "1.5-gas-servicing": {4: 2, 2: 2},
    "1.5-aids-and-adaptations": {4: 2, 2: 1},
    "2.2-access-customer-care-user-focus": {4: 16, 2: 20},
    "2.3-partnerships": {4: 8, 2: 4},
    "2.10/2.11-track-record": {4: 2, 2: 2},
    "2.10/2.11-capacity": {4: 12, 2: 12},
}


@pytest.mark.parametrize("kloe_id", list(STATEMENT_COUNTS))
def test_statement_counts_per_level(framework, kloe_id):
    k = kloe(framework, kloe_id)
    assert {level: len(s) for level, s in k.descriptors.items()} == STATEMENT_COUNTS[kloe_id]


# --- page breaks and irregular places ----------------------------------------------------------


def test_gas_servicing_row(framework):
    k = kloe(framework, "1.5-gas-servicing")
    assert k.title == "Gas servicing"
    assert k.prompts == ["Does the organisation comply with gas safety regulations?"]
    assert k.descriptors[2][1] == ("May rely on possession action or other less satisfactory remedies to gain access where service users refuse it.")


def test_questions_split_by_page_breaks_are_rejoined(framework):
    assert ("How does the organisation ensure contact with its various communities? What is it doing to involve other agencies and partners?") in kloe(
        framework, "2.3-partnerships"
    ).prompts
    assert kloe(framework, "2.10/2.11-ambitions").prompts == [
        "How strong is the leadership of the organisation and does it have a clear vision and ambitions "
        "for the future, that provide clear, challenging, robust and realistic aims?;"
    ]
    assert kloe(framework, "2.10/2.11-ambitions").descriptors[2][0].endswith("do not fully reflect national and local priorities.")


def test_continuation_rows_add_prompts_to_the_row_before(framework):
    access = kloe(framework, "2.2-access-customer-care-user-focus")
    assert access.prompts[-1] == ("Does the organisation comply with the statutory requirements and good practice in resident involvement?")
    prioritisation = kloe(framework, "2.10/2.11-prioritisation")
    assert prioritisation.prompts[-1].startswith("Are service priorities consistent with corporate priorities")


def test_run_in_headings_are_split_from_their_questions(framework):
    track = kloe(framework, "2.10/2.11-track-record")
    assert track.title == "Track record"
    assert track.prompts[0] == "How effectively has the organisation successfully implemented:"


def test_italic_note_is_guidance(framework):
    k = kloe(framework, "2.3-access-and-customer-care")
    assert k.guidance == ["‘access’ here includes physical access and relates in part to the DDA"]


def test_the_relationship_to_residents_heading_is_noted(framework):
    group = next(g for g in framework.groups if g.id == "2.2")
    assert any("2.2 Relationship to Residents" in note for note in group.notes)


# --- fidelity ----------------------------------------------------------------------------------


def test_every_statement_title_prompt_and_guidance_is_in_the_seed(framework):
    missing = []
    for _group, k in framework.iter_kloes():
        texts = [k.title, *k.prompts, *k.guidance, *(s for ss in k.descriptors.values() for s in ss)]
        if k.section:
            texts.append(k.section)
        missing += [(k.id, t) for t in texts if not find_in_seed(t, SEED)]
    assert missing == []


def test_group_labels_intro_and_description_are_in_the_seed(framework):
    texts = [*framework.description, framework.title, framework.source.note]
    for group in framework.groups:
        texts += [group.title, *group.intro]
    for judgement in framework.judgements:
        texts.append(judgement.title)
    for scale in framework.scales:
        for lv in scale.levels:
            if lv.heading:
                texts.append(lv.heading)
            # labels may capitalise their first letter
            texts.append(lv.label[:1].lower() + lv.label[1:])
    assert [t for t in texts if not find_in_seed(t, SEED)] == []


def test_no_statement_keeps_markup_or_bullets(framework):
    for _, k in framework.iter_kloes():
        for text in [k.title, *k.prompts, *(s for ss in k.descriptors.values() for s in ss)]:
            assert "<" not in text and "•" not in text and text == text.strip(), (k.id, text)


def test_statements_split_and_joined_as_the_bulleted_printings_give_them(framework):
    plans = kloe(framework, "2.10/2.11-contents-of-plans").descriptors[4]
    assert plans[2].endswith("the views of customers, staff and other stakeholders.")
    assert plans[3] == "Service and/or improvement plans include realistic and achievable actions to address these weaknesses."
    assert plans[4].startswith("The organisation has set future objectives and new targets")
    ambitions = kloe(framework, "2.10/2.11-ambitions").descriptors[4]
    assert ambitions[0].startswith("Has a good understanding of the local context in which it operates. Has a good understanding of the priorities")
    for kloe_id in ("1.3-diversity", "1.4-diversity", "1.5-diversity", "2.2-diversity"):
        first = kloe(framework, kloe_id).descriptors[2][0]
        assert " Has resources identified, but may not have allocated them yet" in first, kloe_id
    principles = next(k for _, k in framework.iter_kloes() if k.title == "Use of continuous improvement principles")
    assert "in an ad-hoc way. In preparing plans for individual service areas" in principles.descriptors[2][0]
