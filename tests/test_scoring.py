"""Scoring follows the seeds' rules, case by case, and holds its properties for any valid assessment."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from kloe_nb.assessment import Assessment, Flag, JudgementDecision, KloeRecord, Organisation
from kloe_nb.framework import load_framework
from kloe_nb.scoring import ScoringError, require_valid_scores, score, suggest_kloe_level
from kloe_nb.scoring.rules import Rule, average, combination_table, lower_median

ORG = Organisation(code="00123", name="Test Council")


def assessment(framework_id: str, kloes: dict[str, KloeRecord] | None = None, **judgements: JudgementDecision) -> Assessment:
    return Assessment(framework=framework_id, organisation=ORG, kloes=kloes or {}, judgements=judgements)


def all_levelled(framework_id: str, level: int) -> dict[str, KloeRecord]:
    framework = load_framework(framework_id)
    return {kloe.id: KloeRecord(level=level) for _, kloe in framework.iter_kloes() if kloe.scored}


# --- KLOE suggestions from ticked statements -------------------------------------------------


def _met_all(kloe, *levels):
    return {level: list(range(len(kloe.descriptors[level]))) for level in levels}


# Under the 'threshold' reading (frameworks written as cumulative minimum requirements); the
# best-fit reading of the bundled frameworks is tested in test_scoring_best_fit.py.


def test_threshold_reading_needs_every_statement_of_a_level_and_those_below():
    framework = load_framework("ac-benefits")
    kloe = framework.kloe("2.1")
    scale = framework.scale("ac-service")
    assert suggest_kloe_level(kloe, KloeRecord(), scale, "threshold").level is None  # nothing ticked: not assessed
    assert suggest_kloe_level(kloe, KloeRecord(met=_met_all(kloe, 2)), scale).level == 2
    all_but_one_of_2 = {2: list(range(len(kloe.descriptors[2]) - 1))}
    assert suggest_kloe_level(kloe, KloeRecord(met=all_but_one_of_2), scale, "threshold").level == 1
    assert suggest_kloe_level(kloe, KloeRecord(met=_met_all(kloe, 2, 3)), scale).level == 3


def test_threshold_reading_strengths_at_a_higher_level_do_not_compensate_but_are_reported():
    framework = load_framework("ac-benefits")
    kloe = framework.kloe("2.1")
    met = {3: list(range(len(kloe.descriptors[3]))), 2: [0]}  # all of level 3, one of level 2
    suggestion = suggest_kloe_level(kloe, KloeRecord(met=met), framework.scale("ac-service"), "threshold")
    assert suggestion.level == 1
    assert suggestion.higher_met is True


def test_threshold_reading_housing_inspectorate_promising_sits_between_uncertain_and_excellent():
    framework = load_framework("hi-prospects")
    kloe = framework.kloe("track-record")
    scale = framework.scale("hi-prospects")
    assert suggest_kloe_level(kloe, KloeRecord(met=_met_all(kloe, 2)), scale, "threshold").level == 2
    assert suggest_kloe_level(kloe, KloeRecord(met={**_met_all(kloe, 2), 4: [0]}), scale, "threshold").level == 3
    assert suggest_kloe_level(kloe, KloeRecord(met=_met_all(kloe, 2, 4)), scale, "threshold").level == 4


def test_ac_level_4_is_never_suggested_from_statements():
    framework = load_framework("ac-benefits")
    kloe = framework.kloe("2.2")
    suggestion = suggest_kloe_level(kloe, KloeRecord(met=_met_all(kloe, 2, 3)), framework.scale("ac-service"))
    assert suggestion.level == 3


# --- the rules --------------------------------------------------------------------------------


def test_lower_median_rounds_down_between_two_middle_levels():
    rule = Rule(name="lower_median")
    assert lower_median([2, 3], rule) == [2]
    assert lower_median([1, 4, 4], rule) == [4]
    assert lower_median([1, 1, 4], rule) == [1]


def test_average_rounds_half_up_and_three_scores_never_make_a_half():
    rule = Rule(name="average", rounding="half_up")
    assert average([2, 2, 3], rule) == [2]
    assert average([2, 3, 3], rule) == [3]
    assert average([2, 3], rule) == [3]


# --- AC -----------------------------------------------------------------------------------------


def test_ac_question_1_is_context_only_and_never_contributes():
    framework = load_framework("ac-benefits")
    kloes = all_levelled("ac-benefits", 3)
    with pytest.raises(ValidationError):
        KloeRecord(level=0)
    bad = assessment("ac-benefits", {**kloes, "1.1": KloeRecord(level=1)})
    scores = score(framework, bad)
    assert any("1.1 is context only" in problem for problem in scores.problems)
    good = score(framework, assessment("ac-benefits", kloes))
    assert good.groups["Q1"].scored is False and good.groups["Q1"].level is None
    assert "1.1" not in good.judgements["J1"].missing


def test_ac_judgements_carry_labels_and_stars():
    framework = load_framework("ac-benefits")
    scores = score(framework, assessment("ac-benefits", all_levelled("ac-benefits", 2)))
    j1, j2 = scores.judgements["J1"], scores.judgements["J2"]
    assert (j1.suggested, j1.level, j1.label, j1.stars) == (2, 2, "Fair", 1)
    assert (j2.suggested, j2.level, j2.label, j2.stars) == (2, 2, "Uncertain prospects", None)
    assert scores.complete


def test_poor_has_zero_stars():
    framework = load_framework("ac-benefits")
    j1 = score(framework, assessment("ac-benefits", all_levelled("ac-benefits", 1))).judgements["J1"]
    assert (j1.label, j1.stars) == ("Poor", 0)


def test_a_decision_that_differs_needs_a_rationale():
    framework = load_framework("ac-benefits")
    kloes = all_levelled("ac-benefits", 2)
    without = score(framework, assessment("ac-benefits", kloes, J1=JudgementDecision(level=3)))
    with pytest.raises(ScoringError, match=r"J1 \(How good is the service\?\): the decided level 3 differs from the suggested 2; record a rationale"):
        require_valid_scores(without)
    with_rationale = score(framework, assessment("ac-benefits", kloes, J1=JudgementDecision(level=3, rationale="Strong recent outcomes")))
    j1 = require_valid_scores(with_rationale).judgements["J1"]
    assert (j1.suggested, j1.level, j1.differs, j1.label) == (2, 3, True, "Good")


def test_unknown_kloe_is_kept_and_scoring_refuses_until_resolved():
    framework = load_framework("ac-benefits")
    kloes = {**all_levelled("ac-benefits", 3), "2.9": KloeRecord(level=3, strengths="kept")}
    recorded = assessment("ac-benefits", kloes)
    assert recorded.kloes["2.9"].strengths == "kept"
    scores = score(framework, recorded)
    assert scores.unknown_kloes == ["2.9"]
    with pytest.raises(ScoringError, match="KLOEs not in framework ac-benefits .*: 2.9"):
        require_valid_scores(scores)


def test_not_yet_assessed_kloes_are_pending_not_scores():
    framework = load_framework("ac-benefits")
    scores = score(framework, assessment("ac-benefits", {"2.1": KloeRecord(level=3)}))
    j1 = scores.judgements["J1"]
    assert j1.assessed == 1 and "2.2" in j1.missing
    assert scores.complete is False and scores.problems == []
    require_valid_scores(scores)  # pending work is not an error


# --- CAA ----------------------------------------------------------------------------------------

CAA_THEMES = {
    "managing_finances": ("1.1", "1.2", "1.3"),
    "governing_the_business": ("2.1", "2.2", "2.3", "2.4"),
    "managing_resources": ("3.1", "3.2", "3.3"),
    "managing_performance": ("4.1", "4.2"),
}


def caa(finances: int, governing: int, resources: int, performance: int, **judgements: JudgementDecision) -> Assessment:
    levels = {"managing_finances": finances, "governing_the_business": governing, "managing_resources": resources, "managing_performance": performance}
    kloes = {kloe: KloeRecord(level=levels[theme]) for theme, ids in CAA_THEMES.items() for kloe in ids}
    return assessment("caa-2009", kloes, **judgements)


def test_caa_use_of_resources_is_the_average_of_the_three_themes():
    framework = load_framework("caa-2009")
    scores = score(framework, caa(2, 3, 3, 3))
    assert [scores.judgements[t].level for t in ("managing_finances", "governing_the_business", "managing_resources")] == [2, 3, 3]
    assert scores.judgements["use_of_resources"].level == 3
    assert score(framework, caa(2, 2, 3, 3)).judgements["use_of_resources"].level == 2


@pytest.mark.parametrize(
    ("uor", "mp", "expected"), [(1, 4, [1]), (4, 1, [1]), (2, 2, [2]), (3, 3, [3]), (4, 4, [4]), (2, 3, [2, 3]), (3, 4, [3, 4]), (4, 2, [2, 3])]
)
def test_caa_organisational_assessment_follows_the_table(uor, mp, expected):
    framework = load_framework("caa-2009")
    table = framework.tables[0]
    assert combination_table([uor, mp], framework.judgement("organisational_assessment").rule, table) == expected
    oa = score(framework, caa(uor, uor, uor, mp)).judgements["organisational_assessment"]
    assert oa.options == expected
    assert oa.needs_judgement is (len(expected) == 2)
    assert oa.level == (expected[0] if len(expected) == 1 else None)


def test_caa_two_option_cell_needs_a_decision_within_the_options_with_a_rationale():
    framework = load_framework("caa-2009")
    no_reason = score(framework, caa(2, 2, 2, 3, organisational_assessment=JudgementDecision(level=3)))
    with pytest.raises(ScoringError, match="choosing 3 of 2 or 3 needs a rationale"):
        require_valid_scores(no_reason)
    outside = score(framework, caa(2, 2, 2, 3, organisational_assessment=JudgementDecision(level=4, rationale="x")))
    with pytest.raises(ScoringError, match="decision 4 is not one of the options 2 or 3"):
        require_valid_scores(outside)
    decided = require_valid_scores(
        score(framework, caa(2, 2, 2, 3, organisational_assessment=JudgementDecision(level=3, rationale="Managing performance is strong")))
    )
    oa = decided.judgements["organisational_assessment"]
    assert (oa.level, oa.needs_judgement, oa.options) == (3, False, [2, 3])


def test_caa_area_assessment_is_flags_never_a_score():
    framework = load_framework("caa-2009")
    recorded = caa(3, 3, 3, 3).model_copy(update={"flags": [Flag(colour="red", subject="Housing need", reason="slipping", criteria=[1])]})
    scores = score(framework, recorded)
    area = scores.judgements["area_assessment"]
    assert area.scored is False and area.level is None and area.suggested is None
    red = next(kind for kind in framework.flags.kinds if kind.colour == "red")
    assert scores.flags == [{"colour": "red", "subject": "Housing need", "reason": "slipping", "criteria": [red.criteria[1]]}]
    with pytest.raises(ScoringError):
        require_valid_scores(score(framework, assessment("caa-2009", {"A1.1": KloeRecord(level=2)})))


# --- properties over any valid assessment ------------------------------------------------------

FRAMEWORK_IDS = ["ac-benefits", "ac-judgement2", "caa-2009", "hi-prospects", "wao-housing"]
LEVEL = st.one_of(st.none(), st.integers(1, 4))


@st.composite
def valid_assessments(draw, framework_id: str):
    framework = load_framework(framework_id)
    kloes = {}
    for _group, kloe in framework.iter_kloes():
        if not kloe.scored:
            continue
        met = {level: draw(st.lists(st.integers(0, len(s) - 1), max_size=len(s), unique=True)) for level, s in kloe.descriptors.items()}
        kloes[kloe.id] = KloeRecord(level=draw(LEVEL), met=met)
    return framework, assessment(framework_id, kloes)


@pytest.mark.parametrize("framework_id", FRAMEWORK_IDS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_scoring_never_crashes_on_a_valid_assessment(framework_id, data):
    framework, recorded = data.draw(valid_assessments(framework_id))
    scores = score(framework, recorded)
    for judgement in scores.judgements.values():
        assert judgement.level is None or 1 <= judgement.level <= 4
        assert all(1 <= option <= 4 for option in judgement.options)


@pytest.mark.parametrize("framework_id", FRAMEWORK_IDS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_raising_any_kloe_level_never_lowers_a_suggestion(framework_id, data):
    framework = load_framework(framework_id)
    scored = [kloe.id for _, kloe in framework.iter_kloes() if kloe.scored]
    levels = {kloe_id: data.draw(st.integers(1, 4)) for kloe_id in scored}
    raised_id = data.draw(st.sampled_from(scored))
    raised = {**levels, raised_id: min(4, levels[raised_id] + data.draw(st.integers(1, 3)))}
    before = score(framework, assessment(framework_id, {k: KloeRecord(level=v) for k, v in levels.items()}))
    after = score(framework, assessment(framework_id, {k: KloeRecord(level=v) for k, v in raised.items()}))
    for judgement_id, was in before.judgements.items():
        now = after.judgements[judgement_id]
        if was.options and now.options:
            assert min(now.options) >= min(was.options) and max(now.options) >= max(was.options), judgement_id


@settings(max_examples=200, deadline=None)
@given(uor=st.integers(1, 4), mp=st.integers(1, 4))
def test_a_1_in_either_caa_input_always_gives_1(uor, mp):
    framework = load_framework("caa-2009")
    options = combination_table([uor, mp], framework.judgement("organisational_assessment").rule, framework.tables[0])
    if 1 in (uor, mp):
        assert options == [1]
    else:
        assert 1 not in options and (uor == mp) == (len(options) == 1)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_threshold_reading_ticking_more_statements_never_lowers_a_kloe_suggestion(data):
    framework = load_framework(data.draw(st.sampled_from(["ac-benefits", "hi-prospects", "wao-housing"])))
    group, kloe = data.draw(st.sampled_from([pair for pair in framework.iter_kloes() if pair[1].descriptors]))
    scale = framework.scale_for_group(group)
    met = {level: data.draw(st.lists(st.integers(0, len(s) - 1), unique=True)) for level, s in kloe.descriptors.items()}
    more = {level: sorted(set(indexes) | set(data.draw(st.lists(st.integers(0, len(kloe.descriptors[level]) - 1))))) for level, indexes in met.items()}
    before = suggest_kloe_level(kloe, KloeRecord(met=met), scale, "threshold").level
    after = suggest_kloe_level(kloe, KloeRecord(met=more), scale, "threshold").level
    assert before is None or (after is not None and after >= before)


@pytest.mark.parametrize("framework_id", FRAMEWORK_IDS)
def test_every_rule_a_framework_names_is_registered(framework_id):
    from kloe_nb.scoring import RULES

    for judgement in load_framework(framework_id).judgements:
        if judgement.rule:
            assert judgement.rule.name in RULES, (judgement.id, judgement.rule.name)
