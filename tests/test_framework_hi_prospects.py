"""The Housing Inspectorate Judgement Two KLOE (frameworks/hi-prospects.yaml) against its seed.

The expected ids, counts and statements below are hard-coded from a reading of the seed
frameworks/sources/003_9076d7d260bc82b7.txt: they are the spec the YAML must meet.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seedtext import find_in_seed  # noqa: E402

from kloe_nb.framework import load_framework  # noqa: E402

SEED = "003_9076d7d260bc82b7.txt"

EXPECTED_GROUPS = {
    "q1": ("1", "What is the evidence of service improvements?", ["track-record", "service-user-benefits", "learning"]),
    "q2": (
        "2",
        "How good are the current improvement plans?",
        ["best-value-principles", "contents-of-plans", "quality-of-plans"],
    ),
    "q3": ("3", "Will improvements be delivered?", ["ambitions", "prioritisation", "capacity", "performance-management"]),
}

# (level 4 count, level 2 count) per KLOE, counted from the seed's <li> bullets after rejoins.
EXPECTED_COUNTS = {
    "track-record": (2, 2),
    "service-user-benefits": (3, 4),
    "learning": (3, 4),
    "best-value-principles": (6, 6),
    "contents-of-plans": (6, 5),
    "quality-of-plans": (1, 2),
    "ambitions": (5, 5),
    "prioritisation": (1, 2),
    "capacity": (14, 14),
    "performance-management": (14, 15),
}


@pytest.fixture(scope="module")
def framework():
    return load_framework("hi-prospects")


def statements(framework, kloe_id, level):
    return framework.kloe(kloe_id).descriptors.get(level, [])


def test_identity_fields_match_the_seed(framework):
    assert framework.id == "hi-prospects"
    assert framework.version == "1"
    assert framework.title == "'What are the prospects for improvement?' KLOE"
    assert framework.publisher == "Housing Inspectorate"
    assert framework.date == "undated"
    assert framework.source.document == SEED
    assert framework.description[0].startswith("This Key Line of Enquiry (KLOE) on Judgement Two")


def test_scale_has_four_labelled_levels_and_headings_only_on_the_described_ones(framework):
    scale = framework.scale("hi-prospects")
    assert [(lv.level, lv.label) for lv in scale.levels] == [
        (4, "Excellent prospects"),
        (3, "Promising prospects"),
        (2, "Uncertain prospects"),
        (1, "Poor prospects"),
    ]
    headings = {lv.level: lv.heading for lv in scale.levels}
    assert headings == {
        4: "An organisation with excellent prospects for improvement",
        3: None,
        2: "An organisation with uncertain prospects for improvement",
        1: None,
    }
    assert all(lv.stars is None and lv.descriptor is None for lv in scale.levels)
    assert scale.note and "levels 4 and 2 only" in scale.note


def test_single_judgement_two_without_rule(framework):
    assert [j.id for j in framework.judgements] == ["J2"]
    j2 = framework.judgement("J2")
    assert j2.title == "What are the prospects for improvement?"
    assert j2.scale == "hi-prospects"
    assert j2.scored and j2.rule is None


def test_three_questions_with_their_kloes_in_seed_order(framework):
    assert [g.id for g in framework.groups] == ["q1", "q2", "q3"]
    for group in framework.groups:
        number, title, kloe_ids = EXPECTED_GROUPS[group.id]
        assert group.kind == "question"
        assert group.number == number
        assert group.title == title
        assert group.judgement == "J2"
        assert [k.id for k in group.kloes] == kloe_ids
    assert len(framework.iter_kloes()) == 10


def test_every_kloe_is_scored_unnumbered_and_described_at_levels_4_and_2_only(framework):
    for _, kloe in framework.iter_kloes():
        assert kloe.scored
        assert kloe.number is None
        assert sorted(kloe.descriptors) == [2, 4], kloe.id
        assert all(kloe.descriptors[level] for level in (4, 2)), kloe.id


def test_statement_counts_per_level(framework):
    counts = {k.id: (len(k.descriptors[4]), len(k.descriptors[2])) for _, k in framework.iter_kloes()}
    assert counts == EXPECTED_COUNTS
    assert sum(c[0] for c in counts.values()) == 55
    assert sum(c[1] for c in counts.values()) == 59


def test_kloe_titles_are_the_bold_area_names(framework):
    titles = [k.title for _, k in framework.iter_kloes()]
    assert titles == [
        "Track record",
        "Service user benefits",
        "Learning",
        "Use of best value principles",
        "Contents of plans",
        "Quality of plans",
        "Ambitions",
        "Prioritisation",
        "Capacity",
        "Performance management",
    ]


def test_prompts_keep_bullets_and_rejoin_questions_split_by_page_breaks(framework):
    assert framework.kloe("track-record").prompts[0] == "How effectively has the organisation successfully implemented:"
    assert len(framework.kloe("track-record").prompts) == 3
    assert framework.kloe("service-user-benefits").prompts == [
        "How extensively has the organisation delivered clear and discernible benefits for all customers of the service in the last two years?"
    ]
    assert framework.kloe("best-value-principles").prompts == [
        "How thoroughly has the organisation applied the principles of best value in preparing its service and/ or improvement plans?"
    ]
    contents = framework.kloe("contents-of-plans").prompts
    assert contents[0] == "How much have the organisations' plans for services and improvement:"
    assert contents[1].startswith("taken account of changes in the external environment")
    assert len(contents) == 4
    prioritisation = framework.kloe("prioritisation").prompts
    assert len(prioritisation) == 2
    assert prioritisation[0].endswith("so that it has a clear basis for service priorities?")
    assert prioritisation[1].startswith("Are service priorities consistent with corporate priorities")
    assert len(framework.kloe("capacity").prompts) == 4
    assert len(framework.kloe("ambitions").prompts) == 2


# (kloe, level, distinctive start of a statement) -- one per group at least, each at one level only.
SPOT_CHECKS = [
    ("track-record", 4, "Has fully integrated recommendations and action points"),
    ("track-record", 2, "A mixed picture emerges of some actions"),
    ("learning", 2, "Changes to services only occur when risks are exposed"),
    ("service-user-benefits", 4, "Has delivered clear benefits as measured through national and local indicators"),
    ("best-value-principles", 2, "Has undertaken little benchmarking"),
    ("contents-of-plans", 4, "Has a good understanding of its key service strengths and weaknesses, including costs."),
    ("quality-of-plans", 4, "The plans can be described as genuinely SMART"),
    ("ambitions", 2, "Has ad hoc arrangements for users and other stakeholders"),
    ("capacity", 4, "Has invested in up-to-date ICT"),
    ("performance-management", 2, "May have appointed internal auditors"),
]


@pytest.mark.parametrize(("kloe_id", "level", "words"), SPOT_CHECKS)
def test_distinctive_statement_sits_under_its_kloe_and_level_only(framework, kloe_id, level, words):
    other = 2 if level == 4 else 4
    assert any(words in s for s in statements(framework, kloe_id, level))
    assert not any(words in s for s in statements(framework, kloe_id, other))
    elsewhere = [k.id for _, k in framework.iter_kloes() if k.id != kloe_id for s in k.descriptors.get(level, []) if words in s]
    assert elsewhere == []


# Statements split across a page break, rejoined into one.
REJOINED = [
    (
        "service-user-benefits",
        2,
        "Has completed some key actions, some of which have resulted in improvements to the quality of life of some customers, but for others including the most disadvantaged, the impact has been minimal.",
    ),
    ("best-value-principles", 4, "Reviews have taken a broad, overarching strategic approach to looking at services. It can demonstrate"),
    ("best-value-principles", 2, "have not been done in a overarching strategic way, but in an ad-hoc way."),
    (
        "contents-of-plans",
        4,
        "Regularly looks at good practice in other organisations including, where appropriate, outside the housing sector, in preparing its plans.",
    ),
    ("contents-of-plans", 2, "In developing plans the organisation does not look to the best performers."),
    ("capacity", 4, "responsibilities and accountabilities, and the boundaries between them."),
    ("capacity", 2, "The officer and Board/ councillors structures do not assist effective decision making and delegation."),
    ("performance-management", 4, "Targets reflect the desire to achieve and sustain excellence."),
    ("performance-management", 2, "Compares its performance with others, but this tends to be only its neighbours and does not include the best performers."),
]


@pytest.mark.parametrize(("kloe_id", "level", "words"), REJOINED)
def test_statement_split_by_a_page_break_is_rejoined(framework, kloe_id, level, words):
    assert any(words in s for s in statements(framework, kloe_id, level))
    assert framework.kloe(kloe_id).notes, "a rejoin should be recorded in the KLOE's notes"


def test_no_statement_is_a_bare_page_break_fragment(framework):
    for _, kloe in framework.iter_kloes():
        for level, items in kloe.descriptors.items():
            for s in items:
                assert s[0].isupper(), (kloe.id, level, s)
                assert "<" not in s and "•" not in s and "◆" not in s, (kloe.id, s)


def test_every_text_is_the_seeds_words(framework):
    texts = [framework.title, framework.source.title, *framework.description]
    texts += [g.title for g in framework.groups]
    texts += [lv.heading for lv in framework.scale("hi-prospects").levels if lv.heading]
    for _, kloe in framework.iter_kloes():
        texts += [kloe.title, *kloe.prompts]
        texts += [s for items in kloe.descriptors.values() for s in items]
    missing = [t for t in texts if not find_in_seed(t, SEED)]
    assert missing == []


def test_described_level_labels_echo_the_column_headings(framework):
    for lv in framework.scale("hi-prospects").levels:
        if lv.heading:
            assert lv.label.lower() in lv.heading.lower()


def test_yaml_is_what_the_extraction_script_generates():
    import importlib.util

    import yaml

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("extract_hi_prospects", root / "tools" / "extract_hi_prospects.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    on_disk = yaml.safe_load((root / "frameworks" / "hi-prospects.yaml").read_text(encoding="utf-8"))
    assert on_disk == module.build()
