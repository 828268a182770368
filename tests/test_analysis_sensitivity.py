"""Sensitivity: which single KLOE moving one level changes a judgement, on the real bundled frameworks."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kloe_nb.analysis import sensitivity
from kloe_nb.assessment import Assessment, JudgementDecision, KloeRecord, Organisation
from kloe_nb.framework import load_framework
from kloe_nb.scoring import score, suggested_options


def _assessment(framework_id: str, levels: dict[str, int | None], judgements: dict[str, JudgementDecision] | None = None) -> Assessment:
    return Assessment(
        framework=framework_id,
        organisation=Organisation(code="X1", name="Exampleshire"),
        kloes={kloe_id: KloeRecord(level=level) for kloe_id, level in levels.items()},
        judgements=judgements or {},
    )


def test_caa_use_of_resources_just_above_a_rounding_edge():
    framework = load_framework("caa-2009")
    # themes: managing finances [2, 3, 3] -> 3 (lower median), governing [3, 3, 3, 3] -> 3, resources [2, 2, 2] -> 2;
    # Use of Resources = (3 + 3 + 2) / 3 = 2.67 -> 3; managing performance [3, 3] -> 3; table (3, 3) -> 3
    levels = {"1.1": 2, "1.2": 3, "1.3": 3, "2.1": 3, "2.2": 3, "2.3": 3, "2.4": 3, "3.1": 2, "3.2": 2, "3.3": 2, "4.1": 3, "4.2": 3}
    # decisions are set aside: the chain is the framework's own rules
    decided = {
        "use_of_resources": JudgementDecision(level=4, rationale="we think so"),
        "organisational_assessment": JudgementDecision(level=4, rationale="we think so"),
    }
    result = sensitivity(framework, _assessment("caa-2009", levels, decided))
    assert set(result) == {
        "managing_finances",
        "governing_the_business",
        "managing_resources",
        "use_of_resources",
        "managing_performance",
        "organisational_assessment",
    }  # not the unscored area assessment
    uor = result["use_of_resources"]
    assert uor.options == [3] and uor.at_boundary and not uor.raises
    # lowering 1.2 or 1.3 makes managing finances 2: (2 + 3 + 2) / 3 = 2.33 -> 2
    assert [(s.kloe_id, s.from_level, s.to_level, s.before, s.after) for s in uor.lowers] == [("1.2", 3, 2, [3], [2]), ("1.3", 3, 2, [3], [2])]
    assert uor.sentences == ["Lowering any one of KLOE 1.2 or 1.3 from 3 to 2 would lower the suggested level to 2."]
    oa = result["organisational_assessment"]
    assert oa.options == [3]
    assert {s.kloe_id for s in oa.lowers} == {"1.2", "1.3", "4.1", "4.2"} and not oa.raises
    assert all(s.after == [2, 3] for s in oa.lowers)
    assert oa.sentences == ["One step from a boundary: lowering any one of KLOE 1.2, 1.3, 4.1 or 4.2 from 3 to 2 would make the table's cell 2 or 3."]
    # raising resources' 2s cannot reach 3 on its own: [2, 2, 3] is still 2
    assert not result["managing_resources"].at_boundary
    assert result["managing_resources"].sentences == ["No single KLOE moving one level would change it."]


def test_a_two_option_cell_that_one_move_settles():
    framework = load_framework("caa-2009")
    # Use of Resources 2, managing performance 3: the table's cell (2, 3) allows 2 or 3
    levels = {k: 2 for k in ("1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3")} | {"4.1": 3, "4.2": 3}
    oa = sensitivity(framework, _assessment("caa-2009", levels))["organisational_assessment"]
    assert oa.options == [2, 3]
    lowers = {(s.kloe_id, tuple(s.after)) for s in oa.lowers}
    assert lowers == {("4.1", (2,)), ("4.2", (2,))}  # table (2, 2) -> 2
    assert "Lowering any one of KLOE 4.1 or 4.2 from 3 to 2 would make the table's cell a single level, 2." in oa.sentences


def test_ac_labels_name_the_levels_and_only_the_kloe_at_the_median_moves_it():
    framework = load_framework("ac-benefits")
    # Judgement 1 reads Q2 and Q3 (ten KLOEs): sorted [1, 1, 1, 1, 2, 3, 3, 3, 3, 3], lower median 2 Fair
    levels = {"2.1": 1, "2.2": 1, "2.3": 2, "2.4": 1, "2.5": 1, "2.6": 3, "2.7": 3, "2.8": 3, "3.1": 3, "3.2": 3}
    j1 = sensitivity(framework, _assessment("ac-benefits", levels))["J1"]
    assert j1.options == [2]
    assert [(s.kloe_id, s.after) for s in j1.raises] == [("2.3", [3])]
    assert [(s.kloe_id, s.after) for s in j1.lowers] == [("2.3", [1])]
    assert j1.sentences == [
        "Raising KLOE 2.3 from 2 Fair ★ to 3 Good ★★ would raise the suggested level to 3 Good ★★.",
        "Lowering KLOE 2.3 from 2 Fair ★ to 1 Poor 0 stars would lower the suggested level to 1 Poor 0 stars.",
    ]
    j2 = sensitivity(framework, _assessment("ac-benefits", levels))["J2"]
    assert j2.options == [] and not j2.at_boundary
    assert j2.sentences == ["No suggestion yet (not every level it rests on is recorded), so nothing to test."]


def test_no_single_move_changes_a_judgement_far_from_its_boundaries():
    framework = load_framework("hi-prospects")
    levels = {kloe.id: 3 for _, kloe in framework.iter_kloes()}
    result = sensitivity(framework, _assessment("hi-prospects", levels))["J2"]
    assert result.options == [3] and not result.at_boundary
    assert result.raises == [] and result.lowers == []
    assert result.sentences == ["No single KLOE moving one level would change it."]


def test_moves_stay_on_the_scale_and_unlevelled_kloes_are_not_moved():
    framework = load_framework("hi-prospects")
    ids = [kloe.id for _, kloe in framework.iter_kloes()]
    levels: dict[str, int | None] = dict.fromkeys(ids[:4], 4) | dict.fromkeys(ids[4:8], 1) | dict.fromkeys(ids[8:], None)
    result = sensitivity(framework, _assessment("hi-prospects", levels))["J2"]
    swings = result.raises + result.lowers
    assert swings
    assert all(1 <= s.to_level <= 4 for s in swings)
    assert not any(s.from_level == 4 and s.to_level > 4 or s.from_level == 1 and s.to_level < 1 for s in swings)
    assert not {s.kloe_id for s in swings} & set(ids[8:])


def test_wao_housing_fifty_kloes():
    framework = load_framework("wao-housing")
    ids = [kloe.id for _, kloe in framework.iter_kloes() if kloe.scored]
    assert len(ids) == 50
    levels = {kloe_id: 2 + index % 2 for index, kloe_id in enumerate(ids)}
    result = sensitivity(framework, _assessment("wao-housing", levels))
    assert set(result) == {"J1", "J2"}
    assert all(sentence.endswith(".") for item in result.values() for sentence in item.sentences)


def test_suggested_options_agree_with_score_without_decisions():
    framework = load_framework("caa-2009")
    levels = {"1.1": 3, "1.2": 2, "1.3": 4, "2.1": 3, "2.2": 3, "2.3": 1, "2.4": 3, "3.1": 2, "3.2": 2, "3.3": 3, "4.1": 4, "4.2": 3}
    scores = score(framework, _assessment("caa-2009", levels))
    options = suggested_options(framework, levels)
    assert options == {j: s.options for j, s in scores.judgements.items() if j in options}


FRAMEWORKS = ["caa-2009", "ac-benefits", "wao-housing", "hi-prospects", "ac-judgement2"]


@st.composite
def assessments(draw):
    framework_id = draw(st.sampled_from(FRAMEWORKS))
    framework = load_framework(framework_id)
    ids = [kloe.id for _, kloe in framework.iter_kloes() if kloe.scored]
    levels = {kloe_id: draw(st.one_of(st.none(), st.integers(1, 4)) if draw(st.booleans()) else st.integers(1, 4)) for kloe_id in ids}
    return framework, levels


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(assessments())
def test_every_swing_really_changes_the_options_and_every_other_move_does_not(case):
    framework, levels = case
    assessment = _assessment(framework.id, levels)
    result = sensitivity(framework, assessment)
    now = score(framework, assessment)
    for judgement_id, item in result.items():
        assert item.options == now.judgements[judgement_id].options
        found = {(s.kloe_id, s.to_level): s for s in item.raises + item.lowers}
        assert all(s.to_level > s.from_level for s in item.raises) and all(s.to_level < s.from_level for s in item.lowers)
        assert item.at_boundary == bool(found)
        for swing in found.values():
            applied = score(framework, _assessment(framework.id, {**levels, swing.kloe_id: swing.to_level}))
            assert swing.before == item.options
            assert applied.judgements[judgement_id].options == swing.after != swing.before
    # every one-level move not listed leaves every judgement's options as they are (checked by a full score)
    for kloe_id, level in levels.items():
        for to_level in (level + 1, level - 1) if level is not None else ():
            if not 1 <= to_level <= 4:
                continue
            moved = score(framework, _assessment(framework.id, {**levels, kloe_id: to_level}))
            for judgement_id, item in result.items():
                listed = any(s.kloe_id == kloe_id and s.to_level == to_level for s in item.raises + item.lowers)
                assert listed == (moved.judgements[judgement_id].options != item.options)
