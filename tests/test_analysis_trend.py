"""Direction of travel: periods in order, decided levels per period, steps and overall change."""

from __future__ import annotations

from kloe_nb.analysis import load_trend, period_sort_key, trend_from_assessments
from kloe_nb.analysis.trend import movement
from kloe_nb.assessment import Assessment, JudgementDecision, KloeRecord, Organisation
from kloe_nb.framework import load_framework
from kloe_nb.store import open_store


def test_periods_sort_by_year_whatever_way_they_are_written():
    written = ["2008/09", "", "2009", "Autumn review", "2006/07", "2009-10", "2007/08", "2010/11"]
    assert sorted(written, key=period_sort_key) == ["", "2006/07", "2007/08", "2008/09", "2009", "2009-10", "2010/11", "Autumn review"]
    assert period_sort_key("2009/10") < period_sort_key("2010-11")
    assert period_sort_key(" 2007/08 ") == period_sort_key("2007/08")


def test_a_movement_steps_over_the_last_two_periods_and_spans_the_assessed_ones():
    up = movement("2.1", "kloe", "t", [2, None, 2, 3])
    assert (up.step, up.overall, up.direction) == (1, 1, "up")
    gap = movement("2.1", "kloe", "t", [3, 2, None])
    assert (gap.step, gap.overall, gap.direction) == (None, -1, "")
    same = movement("2.1", "kloe", "t", [4, 4])
    assert same.direction == "same"
    down = movement("2.1", "kloe", "t", [4, 2])
    assert down.direction == "down" and down.step == -2
    alone = movement("2.1", "kloe", "t", [None, 3])
    assert (alone.step, alone.overall) == (None, None)


def _caa(period: str, uor: int, mp: int, *, decision: int | None = None, assessor: str = "Ann", track: str = "") -> Assessment:
    framework = load_framework("caa-2009")
    kloes = {}
    for group, kloe in framework.iter_kloes():
        if kloe.scored:
            kloes[kloe.id] = KloeRecord(level=mp if group.id == "managing_performance" else uor)
    judgements = {"organisational_assessment": JudgementDecision(level=decision, rationale="strong delivery")} if decision else {}
    return Assessment(
        framework="caa-2009",
        organisation=Organisation(code="E07000001", name="Eastshire"),
        period=period,
        assessor=assessor,
        track=track,
        kloes=kloes,
        judgements=judgements,
    )


def test_a_trend_from_a_store_is_oldest_first_with_assessors_revisions_and_decided_levels(tmp_path):
    framework = load_framework("caa-2009")
    with open_store(tmp_path / "kloe.db") as store:
        store.save(_caa("2008/09", 3, 3, assessor="Cat"), based_on=None)
        first = store.save(_caa("2006/07", 2, 2, assessor="Ann"), based_on=None)
        store.save(_caa("2006/07", 2, 2, assessor="Ann").model_copy(update={"assessor": "Ann Jones"}), based_on=first.revision)
        store.save(_caa("2007/08", 2, 3, assessor="Bob"), based_on=None)  # a "2 or 3" cell, not decided
        store.save(_caa("2007/08", 4, 4, track="B", assessor="Dan"), based_on=None)  # another track: not the lead's trend
        store.save(_caa("2006/07", 1, 1, assessor="Eve").model_copy(update={"organisation": Organisation(code="OTHER", name="Other")}), based_on=None)
        trend = load_trend(store, framework, "E07000001")
        upto = load_trend(store, framework, "E07000001", upto="2007/08")
        second = load_trend(store, framework, "E07000001", track="B")
        nothing = load_trend(store, framework, "NOBODY")
    assert trend.periods == ["2006/07", "2007/08", "2008/09"]
    assert trend.assessors == ["Ann Jones", "Bob", "Cat"]
    assert trend.revisions == [2, 1, 1]
    assert trend.name == "Eastshire" and trend.has_history
    judgements = {m.id: m for m in trend.judgements}
    assert "area_assessment" not in judgements  # not scored
    assert judgements["use_of_resources"].levels == [2, 2, 3]
    assert judgements["use_of_resources"].direction == "up"
    oa = judgements["organisational_assessment"]
    assert oa.levels == [2, None, 3]  # 2007/08: the table allows 2 or 3 and nobody decided
    assert (oa.step, oa.overall, oa.direction) == (None, 1, "")
    kloes = {m.id: m for m in trend.kloes}
    assert [m.id for m in trend.kloes][:3] == ["1.1", "1.2", "1.3"] and "A1.1" not in kloes
    assert kloes["4.1"].levels == [2, 3, 3] and kloes["4.1"].direction == "same" and kloes["4.1"].overall == 1
    assert upto.periods == ["2006/07", "2007/08"]
    assert second.periods == ["2007/08"] and not second.has_history
    assert nothing.periods == [] and not nothing.has_history and nothing.org_code == "NOBODY"


def test_a_judgement_decision_is_the_level_of_its_period():
    framework = load_framework("caa-2009")
    trend = trend_from_assessments(framework, [_caa("2008/09", 2, 3, decision=3), _caa("2007/08", 2, 2)])
    assert trend.periods == ["2007/08", "2008/09"]
    assert trend.revisions == [0, 0]
    oa = next(m for m in trend.judgements if m.id == "organisational_assessment")
    assert oa.levels == [2, 3] and oa.direction == "up"
