"""The generic Audit Commission Judgement 2 KLOE (seed 001_b03b6d61303c8cf7.txt), as transcribed.

The ids, counts and spot checks below are hard-coded from a reading of the seed: they are the
specification the framework file must meet.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seedtext import SEEDS_DIR, find_in_seed, normalise  # noqa: E402

from kloe_nb.framework import load_framework  # noqa: E402

SEED = "001_b03b6d61303c8cf7.txt"
OTHER = "000_014e849d60115a45.txt"
PROMISING, UNCERTAIN = 3, 2

EXPECTED_KLOES = {
    "Q4": ["4.1", "4.2", "4.3", "4.4"],
    "Q5": ["5.1", "5.1.1", "5.1.2", "5.1.3", "5.2", "5.2.1", "5.2.2", "5.2.3", "5.2.4"],
    "Q6": ["6.1", "6.2", "6.3", "6.4"],
}


@pytest.fixture(scope="module")
def framework():
    return load_framework("ac-judgement2")


def statements(framework, kloe_id: str, level: int) -> list[str]:
    return framework.kloe(kloe_id).descriptors.get(level, [])


def under(framework, kloe_id: str, level: int, text: str) -> bool:
    """True if some statement of the KLOE at this level contains the text (whitespace-normalised)."""
    wanted = normalise(text)
    return any(wanted in normalise(s) for s in statements(framework, kloe_id, level))


# ----------------------------------------------------------------------------- structure
def test_framework_identity_and_sources(framework):
    assert framework.id == "ac-judgement2"
    assert framework.version == "1"
    assert framework.title == "Judgement 2 (Prospects for Improvement) KLOE and detailed descriptors"
    assert framework.publisher == "Audit Commission"
    assert framework.date == "undated"
    assert framework.source.document == SEED
    assert [s.document for s in framework.other_sources] == [OTHER]


def test_groups_are_key_questions_4_to_6_under_judgement_2(framework):
    assert [(g.id, g.kind, g.number, g.judgement) for g in framework.groups] == [
        ("Q4", "question", "4", "J2"),
        ("Q5", "question", "5", "J2"),
        ("Q6", "question", "6", "J2"),
    ]
    assert [g.title for g in framework.groups] == [
        "What is the service track record in delivering improvement?",
        "How well does the service manage performance?",
        "Does the service have the capacity to improve?",
    ]


def test_kloe_ids_and_counts_per_group(framework):
    assert {g.id: [k.id for k in g.kloes] for g in framework.groups} == EXPECTED_KLOES
    assert [len(g.kloes) for g in framework.groups] == [4, 9, 4]
    assert len(framework.iter_kloes()) == 17


def test_umbrella_questions_5_1_and_5_2_are_unscored_with_no_descriptors(framework):
    scored = [k.id for _, k in framework.iter_kloes() if k.scored]
    assert len(scored) == 15
    for umbrella in ("5.1", "5.2"):
        kloe = framework.kloe(umbrella)
        assert kloe.scored is False
        assert kloe.descriptors == {}
        assert any("sub-KLOE" in note for note in kloe.notes)


def test_sub_kloes_name_their_umbrella_as_parent(framework):
    parents = {k.id: k.parent for _, k in framework.iter_kloes() if k.parent}
    assert parents == {
        "5.1.1": "5.1",
        "5.1.2": "5.1",
        "5.1.3": "5.1",
        "5.2.1": "5.2",
        "5.2.2": "5.2",
        "5.2.3": "5.2",
        "5.2.4": "5.2",
    }


def test_every_scored_kloe_has_promising_and_uncertain_statements_only(framework):
    for _, kloe in framework.iter_kloes():
        if kloe.scored:
            assert sorted(kloe.descriptors) == [UNCERTAIN, PROMISING], kloe.id
            assert all(kloe.descriptors[level] for level in kloe.descriptors), kloe.id


def test_prospects_scale_levels_labels_and_headings(framework):
    scale = framework.scale("ac-prospects")
    assert [(lv.level, lv.label, lv.stars) for lv in scale.levels] == [
        (4, "Excellent prospects", None),
        (3, "Promising prospects", None),
        (2, "Uncertain prospects", None),
        (1, "Poor prospects", None),
    ]
    headings = {lv.level: lv.heading for lv in scale.levels}
    assert headings[3] == "AN ORGANISATION WITH PROMISING PROSPECTS FOR IMPROVEMENT"
    assert headings[2] == "AN ORGANISATION WITH UNCERTAIN PROSPECTS FOR IMPROVEMENT"
    assert headings[4] is None and headings[1] is None
    assert all(lv.descriptor for lv in scale.levels)
    assert OTHER in scale.note


def test_judgement_2_uses_the_prospects_scale_without_a_rule(framework):
    assert [j.id for j in framework.judgements] == ["J2"]
    judgement = framework.judgement("J2")
    assert judgement.title == "What are the prospects for improvement?"
    assert judgement.scale == "ac-prospects"
    assert judgement.rule is None


# ----------------------------------------------------------------------------- statement counts
@pytest.mark.parametrize(
    "kloe_id, promising, uncertain",
    [
        ("4.1", 1, 1),
        ("4.4", 4, 3),
        ("5.1.1", 3, 3),
        ("5.1.2", 6, 6),
        ("5.2.1", 4, 4),
        ("5.2.2", 11, 11),
        ("5.2.4", 4, 4),
        ("6.2", 7, 7),
        ("6.3", 2, 2),
        ("6.4", 1, 1),
    ],
)
def test_statement_counts_per_level(framework, kloe_id, promising, uncertain):
    assert len(statements(framework, kloe_id, PROMISING)) == promising
    assert len(statements(framework, kloe_id, UNCERTAIN)) == uncertain


def test_total_statement_counts(framework):
    kloes = [k for _, k in framework.iter_kloes()]
    assert sum(len(k.descriptors.get(PROMISING, [])) for k in kloes) == 52
    assert sum(len(k.descriptors.get(UNCERTAIN, [])) for k in kloes) == 51


# ----------------------------------------------------------------------------- spot checks
@pytest.mark.parametrize(
    "kloe_id, level, text",
    [
        # Key Question 4
        ("4.1", PROMISING, "focusing on the most disadvantaged and those in priority need."),
        ("4.1", UNCERTAIN, "The organisation may have expended energy but there are few better outcomes for users."),
        ("4.4", PROMISING, "has a clear focus on VFM evident in strategic decision-making and day-to-day management and review."),
        ("4.4", UNCERTAIN, "has officers and members who show some awareness of VFM in day to day activities and decision-making."),
        # Key Question 5
        ("5.1.3", PROMISING, "These are robust and SMART."),
        ("5.1.3", UNCERTAIN, "The service/organisation: sets targets which are applied to improve value for money."),
        ("5.2.1", PROMISING, "creating a climate of openness, transparency and mutual respect"),
        ("5.2.1", UNCERTAIN, "which may be traditional, rigid and/or silo-based"),
        ("5.2.3", PROMISING, "is routinely generating surpluses through improving efficiency"),
        ("5.2.3", UNCERTAIN, "its approach is at times piecemeal"),
        # Key Question 6
        ("6.1", PROMISING, "uses ICT effectively to deliver service objectives and improvements."),
        ("6.1", UNCERTAIN, "this may be fortuitous rather than a result of conscious and systematic forward planning"),
        ("6.3", PROMISING, "has engaged effectively in strategic partnering, with evidence of improvements in services or facilities"),
        ("6.3", UNCERTAIN, "pursues joint procurement with appropriate partners"),
    ],
)
def test_distinctive_statement_sits_at_its_level_and_not_the_other(framework, kloe_id, level, text):
    other = UNCERTAIN if level == PROMISING else PROMISING
    assert under(framework, kloe_id, level, text)
    assert not under(framework, kloe_id, other, text)


def test_lead_in_stays_with_the_first_statement_as_printed(framework):
    assert statements(framework, "4.1", PROMISING)[0].startswith("The service /organisation: has implemented changes")
    assert statements(framework, "6.4", UNCERTAIN) == [
        "The service/organisation: seeks external funding where appropriate to support local service priorities."
    ]


def test_statements_split_by_page_breaks_are_rejoined(framework):
    assert under(framework, "4.3", UNCERTAIN, "User satisfaction is mixed and service users and communities")
    assert under(framework, "5.1.2", UNCERTAIN, "the service can make corporately or how related national")
    assert under(framework, "5.2.1", UNCERTAIN, "to ensure it can recruit and retain councillors")
    assert under(framework, "5.2.2", UNCERTAIN, "Its plans set out some of the practical tasks necessary")
    assert under(framework, "5.2.4", UNCERTAIN, "but learning is not systematic and the service")
    assert under(framework, "6.2", PROMISING, "key equalities and other relevant legislation")
    assert under(framework, "6.2", UNCERTAIN, "cross-cutting issues such as community safety.")


def test_learning_sub_items_stay_in_their_bullet(framework):
    learns = statements(framework, "5.2.4", PROMISING)[-1]
    lines = learns.splitlines()
    assert lines[0] == "learns from its own experiences and from that of others, as a result of:"
    assert lines[1:] == [
        "systematic analysis of its own success and failures",
        "user feedback, including complaints, compliments, comments and suggestions",
        "staff feedback, including suggestions",
        "assembling and sharing best practice of other service providers in the public, private or voluntary sectors",
        "outcomes of Best Value and other review mechanisms",
        "external inspections",
    ]


def test_typos_are_kept_as_printed(framework):
    assert under(framework, "6.1", UNCERTAIN, "operational roles of councilllors and/or board members")
    assert under(framework, "6.2", UNCERTAIN, "Assets are managed, athlough not in line with best practice")


# ----------------------------------------------------------------------------- provenance
def test_empty_5_1_1_promising_cell_is_filled_from_000_and_recorded(framework):
    kloe = framework.kloe("5.1.1")
    assert kloe.descriptor_sources == {PROMISING: OTHER}
    assert any(OTHER in note for note in kloe.notes)
    assert statements(framework, "5.1.1", PROMISING)[0].startswith("The service/organisation: Has a clear vision")
    # 001's own uncertain cell is kept, not 000's
    assert UNCERTAIN not in kloe.descriptor_sources
    assert statements(framework, "5.1.1", UNCERTAIN)[0].startswith("has a vision of what it wants to achieve")


def test_only_5_1_1_takes_a_cell_from_another_seed(framework):
    taken = {k.id: dict(k.descriptor_sources) for _, k in framework.iter_kloes() if k.descriptor_sources}
    assert taken == {"5.1.1": {PROMISING: OTHER}}


# ----------------------------------------------------------------------------- fidelity
def test_every_statement_is_in_its_seed(framework):
    missing = []
    for _, kloe in framework.iter_kloes():
        for level, items in kloe.descriptors.items():
            seed = kloe.descriptor_sources.get(level, SEED)
            missing += [(kloe.id, level, s[:60]) for s in items if not find_in_seed(s, seed)]
    assert missing == []


def test_kloe_and_group_titles_are_in_the_seed(framework):
    for group in framework.groups:
        assert find_in_seed(group.title, SEED), group.id
        for kloe in group.kloes:
            assert find_in_seed(kloe.title, SEED, max_pieces=1), kloe.id


def test_scale_labels_descriptors_and_headings_are_in_their_seeds(framework):
    scale = framework.scale("ac-prospects")
    for lv in scale.levels:
        assert find_in_seed(lv.label, OTHER, max_pieces=1)
        assert find_in_seed(lv.descriptor, OTHER, max_pieces=1)
        if lv.heading:
            assert find_in_seed(lv.heading, SEED, max_pieces=1)
    assert find_in_seed(framework.judgement("J2").title, OTHER, max_pieces=1)


def _seed_cell_words() -> list[str]:
    """Every word of the seed's descriptor cells (not the KLOE cells or header rows), in order."""
    words: list[str] = []
    for line in (SEEDS_DIR / SEED).read_text(encoding="utf-8").splitlines():
        cells = line.split("\t")
        if len(cells) < 3 or "PROSPECTS FOR IMPROVEMENT" in line:
            continue
        for cell in cells[-2:]:
            words += normalise(cell).split()
    return words


def test_every_word_of_the_seed_cells_is_transcribed(framework):
    transcribed: list[str] = []
    for _, kloe in framework.iter_kloes():
        for level, items in kloe.descriptors.items():
            if kloe.descriptor_sources.get(level, SEED) == SEED:
                transcribed += normalise(" ".join(items)).split()
    seed_words = _seed_cell_words()
    assert len(transcribed) == len(seed_words)
    assert sorted(transcribed) == sorted(seed_words)


def test_no_bullet_glyph_or_markup_left_in_statements(framework):
    for _, kloe in framework.iter_kloes():
        for items in kloe.descriptors.values():
            for s in items:
                assert not re.search(r"[\u2022\uf0b7<>*]", s), (kloe.id, s[:40])
                assert s == s.strip()
