"""Every bundled framework: loads cleanly, and every word in it is the source document's.

The per-framework tests (test_framework_<id>.py) check counts and placements; this one
checks all five the same way: no text that is not in the seed it claims to come from.
"""

from __future__ import annotations

import pytest
from seedtext import SEEDS_DIR, find_in_seed, seed_text

from kloe_nb.framework.loader import bundled_ids, load_framework_by_id

EXPECTED_IDS = ["ac-benefits", "ac-judgement2", "caa-2009", "hi-prospects", "wao-housing"]


def test_the_five_frameworks_are_bundled():
    assert bundled_ids() == EXPECTED_IDS


def _texts(framework):
    """(where, text, seed) for every transcribed text of a framework."""
    main = framework.source.document
    for scale in framework.scales:
        for level in scale.levels:
            if level.descriptor:
                yield f"scale {scale.id} level {level.level} descriptor", level.descriptor
    for group, kloe in framework.iter_kloes():
        yield f"group {group.id} title", group.title
        for field in ("intro", "evidence_that", "sources_of_evidence"):
            for text in getattr(group, field):
                yield f"group {group.id} {field}", text
        yield f"KLOE {kloe.id} title", kloe.title
        for field in ("prompts", "focus", "evidence_that", "sources_of_evidence", "guidance"):
            for text in getattr(kloe, field):
                yield f"KLOE {kloe.id} {field}", text
        for level, statements in kloe.descriptors.items():
            seed = kloe.descriptor_sources.get(level, main)
            for statement in statements:
                yield f"KLOE {kloe.id} level {level} [{seed}]", statement


@pytest.mark.parametrize("framework_id", EXPECTED_IDS)
def test_every_text_is_the_seeds_words(framework_id):
    record = load_framework_by_id(framework_id)
    framework = record.framework
    seeds = [framework.source.document, *(source.document for source in framework.other_sources)]
    assert all((SEEDS_DIR / seed).exists() for seed in seeds)
    missing = []
    for where, text in _texts(framework):
        seed_named = where[where.find("[") + 1 : where.find("]")] if "[" in where else None
        candidates = [seed_named] if seed_named else seeds
        if not any(find_in_seed(text, seed) for seed in candidates):
            missing.append(f"{where}: {text[:90]}")
    assert missing == []


@pytest.mark.parametrize("framework_id", EXPECTED_IDS)
def test_scale_labels_are_words_of_the_seeds(framework_id):
    """Labels may be capitalised; the Housing Inspectorate's levels 3 and 1 carry the AC's labels (issue 2)."""
    framework = load_framework_by_id(framework_id).framework
    all_seeds = " ".join(seed_text(path.name).lower() for path in sorted(SEEDS_DIR.glob("*.txt")))
    for scale in framework.scales:
        for level in scale.levels:
            if level.label:
                assert level.label.lower() in all_seeds, f"{scale.id} level {level.level}: {level.label}"


@pytest.mark.parametrize("framework_id", EXPECTED_IDS)
def test_cells_taken_from_another_seed_name_a_declared_source(framework_id):
    framework = load_framework_by_id(framework_id).framework
    declared = {source.document for source in framework.other_sources}
    for _, kloe in framework.iter_kloes():
        for level, seed in kloe.descriptor_sources.items():
            assert seed in declared, f"KLOE {kloe.id} level {level} names {seed}, not in other_sources"
            assert kloe.notes, f"KLOE {kloe.id} takes a cell from {seed} without a note saying so"


@pytest.mark.parametrize("framework_id", EXPECTED_IDS)
def test_scored_kloes_have_descriptors_where_the_source_gives_them(framework_id):
    framework = load_framework_by_id(framework_id).framework
    for _group, kloe in framework.iter_kloes():
        if kloe.scored and framework.id != "caa-2009":
            assert kloe.descriptors, f"scored KLOE {kloe.id} has no descriptors"
        if not kloe.scored:
            assert not kloe.descriptors or framework.id == "caa-2009", kloe.id
