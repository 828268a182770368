"""The best-fit reading: each described level is a picture of an organisation, and the suggestion
is the picture that fits best, never a cumulative checklist (issue 10, point 3)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from kloe_nb.assessment import Assessment, KloeRecord, Organisation
from kloe_nb.framework import load_framework
from kloe_nb.scoring import score, suggest_kloe_level

# framework, KLOE, top described level H, the scale level just above L, the level below L
CASES = [
    ("hi-prospects", "track-record", 4, 3, 1),
    ("wao-housing", None, 4, 3, 1),
    ("ac-judgement2", "4.1", 3, 3, 1),
    ("ac-benefits", "2.1", 3, 3, 1),
]


def _kloe(framework_id: str, kloe_id: str | None):
    framework = load_framework(framework_id)
    for group, kloe in framework.iter_kloes():
        if (kloe_id is None and kloe.descriptors) or kloe.id == kloe_id:
            return framework, kloe, framework.scale_for_group(group)
    raise AssertionError(kloe_id)


def _all(kloe, level: int) -> list[int]:
    return list(range(len(kloe.descriptors[level])))


@pytest.mark.parametrize(("framework_id", "kloe_id", "top", "between", "below"), CASES)
def test_the_cases_of_the_rule(framework_id, kloe_id, top, between, below):
    framework, kloe, scale = _kloe(framework_id, kloe_id)
    low = min(kloe.descriptors)

    def level(**record) -> int | None:
        return suggest_kloe_level(kloe, KloeRecord(**record), scale, framework.descriptor_reading).level

    assert framework.descriptor_reading == "best_fit"
    assert level() is None  # nothing marked
    assert level(met={top: _all(kloe, top)}) == top  # the whole top picture and none of the lower one
    assert level(met={low: _all(kloe, low)}) == low  # the lower picture only
    assert level(met={top: _all(kloe, top), low: [0]}) == between  # the top picture with one lower statement
    if len(kloe.descriptors[top]) > 1:
        assert level(met={top: [0], low: _all(kloe, low)}) == low  # one top statement and the whole lower picture
    assert level(falls_short={low: _all(kloe, low)}) == below  # falls short of the whole lower picture
    if len(kloe.descriptors[low]) >= 3:  # one statement is then no more than half the lower picture
        assert level(met={top: _all(kloe, top)}, falls_short={low: [0]}) == low  # below the lower picture in one respect


def test_a_strong_organisation_needs_to_tick_no_weakness():
    """The issue's own example: both excellent-prospects statements and nothing else."""
    framework, kloe, scale = _kloe("hi-prospects", "track-record")
    suggestion = suggest_kloe_level(kloe, KloeRecord(met={4: [0, 1]}), scale, "best_fit")
    assert suggestion.level == 4
    assert suggestion.counts == "2 of 2 'excellent prospects' statements describe it; 0 of 2 'uncertain prospects'"
    assert not suggestion.mixed and not suggestion.higher_met
    assert "one more 'uncertain prospects' statement describing it would make it 3" in suggestion.next_verdict


def test_a_mixed_picture_says_so():
    framework, kloe, scale = _kloe("hi-prospects", "track-record")
    suggestion = suggest_kloe_level(kloe, KloeRecord(met={4: [0], 2: [1]}), scale, "best_fit")
    assert suggestion.mixed
    assert suggestion.level == 2  # s = w = 1/2: ties go down


def test_ties_go_down_and_ac_level_4_is_never_suggested():
    framework, kloe, scale = _kloe("ac-benefits", "2.1")
    n3, n2 = len(kloe.descriptors[3]), len(kloe.descriptors[2])
    full = suggest_kloe_level(kloe, KloeRecord(met={3: _all(kloe, 3)}), scale)
    assert full.level == 3
    assert all(move.suggestion != 4 for move in full.moves)
    # share of level 3 met equal to share of level 2 met: level 2
    if n3 == n2:
        assert suggest_kloe_level(kloe, KloeRecord(met={3: [0], 2: [0]}), scale).level == 2


def test_a_statement_met_and_fallen_short_of_is_refused_naming_the_kloe_and_statement():
    data = {
        "framework": "hi-prospects",
        "organisation": {"code": "X1", "name": "X"},
        "kloes": {"track-record": {"met": {"2": [1]}, "falls_short": {"2": [1]}}},
    }
    with pytest.raises(ValidationError) as raised:
        Assessment.model_validate_json(json.dumps(data))
    message = str(raised.value)
    assert "track-record" in message and "level 2 statement 1" in message and "keep one of the two" in message


def test_falls_short_only_of_the_lowest_described_level():
    framework = load_framework("hi-prospects")
    assessment = Assessment(
        framework="hi-prospects",
        organisation=Organisation(code="X1", name="X"),
        kloes={"track-record": KloeRecord(falls_short={4: [0]})},
    )
    problems = score(framework, assessment).problems
    assert any("kloes.track-record.falls_short.4" in problem and "lowest described level (2)" in problem for problem in problems)


def test_an_old_interchange_file_scores_as_before_under_threshold():
    """Files written before verdicts had no falls_short: they load unchanged; under threshold they
    score exactly as the cumulative rule did."""
    framework = load_framework("ac-benefits").model_copy(update={"descriptor_reading": "threshold"})
    kloe = framework.kloe("2.1")
    old = {
        "framework": "ac-benefits",
        "organisation": {"code": "X1", "name": "X"},
        "kloes": {"2.1": {"met": {"2": _all(kloe, 2), "3": [0]}, "level": 2}},
    }
    assessment = Assessment.model_validate_json(json.dumps(old))
    assert assessment.kloes["2.1"].falls_short == {}
    assert score(framework, assessment).kloes["2.1"].suggested == 2  # every level 2 statement met, some level 3


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_more_top_never_lowers_more_lower_never_raises(data):
    framework = load_framework(data.draw(st.sampled_from(["ac-benefits", "ac-judgement2", "hi-prospects", "wao-housing"])))
    group, kloe = data.draw(st.sampled_from([pair for pair in framework.iter_kloes() if len(pair[1].descriptors) == 2]))
    scale = framework.scale_for_group(group)
    low, top = sorted(kloe.descriptors)
    indexes_low = list(range(len(kloe.descriptors[low])))
    met_top = data.draw(st.lists(st.sampled_from(range(len(kloe.descriptors[top]))), unique=True))
    marked_low = data.draw(st.lists(st.sampled_from(indexes_low), unique=True))
    split = data.draw(st.integers(0, len(marked_low)))
    record = KloeRecord(met={top: met_top, low: marked_low[:split]}, falls_short={low: marked_low[split:]})

    def suggested(candidate: KloeRecord) -> int:
        level = suggest_kloe_level(kloe, candidate, scale).level
        return 0 if level is None else level

    before = suggested(record)
    spare_top = [i for i in range(len(kloe.descriptors[top])) if i not in met_top]
    if spare_top:
        more_top = record.model_copy(update={"met": {**record.met, top: [*met_top, spare_top[0]]}})
        after = suggested(more_top)
        assert after >= before or before == 0
    spare_low = [i for i in indexes_low if i not in marked_low]
    if spare_low and before:
        as_met = record.model_copy(update={"met": {**record.met, low: [*record.met.get(low, []), spare_low[0]]}})
        as_short = record.model_copy(update={"falls_short": {low: [*record.falls_short.get(low, []), spare_low[0]]}})
        assert suggested(as_met) <= before
        assert suggested(as_short) <= before


@pytest.mark.parametrize("framework_id", ["ac-benefits", "ac-judgement2", "hi-prospects", "wao-housing"])
def test_whole_top_column_gives_the_top_described_level_in_every_kloe(framework_id):
    framework = load_framework(framework_id)
    for group, kloe in framework.iter_kloes():
        if not kloe.scored or not kloe.descriptors:
            continue
        top, low = max(kloe.descriptors), min(kloe.descriptors)
        scale = framework.scale_for_group(group)
        assert suggest_kloe_level(kloe, KloeRecord(met={top: _all(kloe, top)}), scale).level == top, kloe.id
        short = _all(kloe, low)[: len(kloe.descriptors[low]) // 2 + 1]
        assert suggest_kloe_level(kloe, KloeRecord(falls_short={low: short}), scale).level == 1, kloe.id
