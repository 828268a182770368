"""``period_changes``: every field that differs between two periods, with the revision that set it."""

from __future__ import annotations

import pytest

from kloe_nb.analysis import IGNORED_FIELDS, period_changes
from kloe_nb.assessment import Assessment, FrameworkVersion, JudgementDecision, KloeRecord, Organisation
from kloe_nb.errors import NotFoundError
from kloe_nb.store import AssessmentKey, open_store


def _hi(period: str, **kloes: KloeRecord) -> Assessment:
    return Assessment(
        framework="hi-prospects",
        organisation=Organisation(code="W06000001", name="Ynys Môn"),
        period=period,
        assessor="Ann",
        kloes={kloe_id.replace("_", "-"): record for kloe_id, record in kloes.items()},
    )


def _edit(store, period: str, author: str, change) -> None:
    key = AssessmentKey("hi-prospects", "W06000001", period)
    current = store.load(key)
    edited = current.assessment.model_copy(deep=True)
    change(edited)
    store.save(Assessment.model_validate(edited.model_dump()), based_on=current.revision, author=author)


def test_each_change_names_the_revision_who_and_when_that_last_set_it(tmp_path):
    with open_store(tmp_path / "kloe.db") as store:
        store.save(
            _hi("2007/08", learning=KloeRecord(level=2, strengths="Some learning"), capacity=KloeRecord(level=2), ambitions=KloeRecord(level=3)),
            based_on=None,
            author="Ann",
        )
        # the next period starts as a copy, with one field already different (came in with revision 1)
        later = _hi("2008/09", learning=KloeRecord(level=2, strengths="Some learning"), capacity=KloeRecord(level=2), ambitions=KloeRecord(level=4))
        later = later.model_copy(update={"framework_version": FrameworkVersion(version="1"), "illustrative": True})
        store.save(later, based_on=None, author="Ann")
        _edit(store, "2008/09", "Bob", lambda a: setattr(a.kloes["learning"], "level", 3))
        _edit(store, "2008/09", "Cat", lambda a: setattr(a.kloes["learning"], "strengths", "Learns from complaints"))
        _edit(store, "2008/09", "Dan", lambda a: setattr(a.kloes["learning"], "level", 4))  # the last to set it
        _edit(store, "2008/09", "Eve", lambda a: setattr(a.kloes["capacity"], "level", 3))
        _edit(store, "2008/09", "Eve", lambda a: setattr(a.kloes["capacity"], "level", 2))  # back as it was: no change
        _edit(store, "2008/09", "Fay", lambda a: a.judgements.update({"J2": JudgementDecision(level=3, rationale="Plans are sound")}))
        history = store.history(AssessmentKey("hi-prospects", "W06000001", "2008/09"))
        changes = period_changes(store, "hi-prospects", "W06000001", "2007/08", "2008/09")
    by_path = {change.path: change for change in changes}
    assert set(by_path) == {
        "kloes.learning.level",
        "kloes.learning.strengths",
        "kloes.ambitions.level",
        "judgements.J2.level",
        "judgements.J2.rationale",
    }
    assert not set(IGNORED_FIELDS) & set(by_path)  # period, framework version, illustrative differ but are not findings
    level = by_path["kloes.learning.level"]
    assert (level.before, level.after, level.revision, level.changed_by) == (2, 4, 4, "Dan")
    assert level.changed_at == history[3].saved_at
    assert level.label == "KLOE learning level"
    assert (by_path["kloes.learning.strengths"].revision, by_path["kloes.learning.strengths"].changed_by) == (3, "Cat")
    ambitions = by_path["kloes.ambitions.level"]
    assert (ambitions.before, ambitions.after, ambitions.revision, ambitions.changed_by) == (3, 4, 1, "Ann")
    assert by_path["judgements.J2.rationale"].after == "Plans are sound" and by_path["judgements.J2.rationale"].changed_by == "Fay"
    assert [c.path for c in changes][:1] == ["judgements.J2.level"]


def test_each_field_ignored_says_why():
    assert set(IGNORED_FIELDS) == {"period", "framework_version", "illustrative"}
    assert all(len(reason) > 20 for reason in IGNORED_FIELDS.values())


def test_a_missing_period_is_named_with_the_periods_there_are(tmp_path):
    with open_store(tmp_path / "kloe.db") as store:
        store.save(_hi("2007/08", learning=KloeRecord(level=2)), based_on=None)
        with pytest.raises(NotFoundError) as error:
            period_changes(store, "hi-prospects", "W06000001", "2007/08", "2009/10")
        with pytest.raises(NotFoundError) as track_error:
            period_changes(store, "hi-prospects", "W06000001", "2006/07", "2007/08", track="B")
    assert "period 2009/10" in str(error.value) and "it has 2007/08" in str(error.value)
    assert "track B" in str(track_error.value) and "periods 2006/07 and 2007/08" in str(track_error.value)


def test_a_named_track_is_compared_with_its_own_earlier_period(tmp_path):
    with open_store(tmp_path / "kloe.db") as store:
        store.save(_hi("2007/08", learning=KloeRecord(level=2)), based_on=None, track="B", author="Bob")
        store.save(_hi("2008/09", learning=KloeRecord(level=3)), based_on=None, track="B", author="Bob")
        store.save(_hi("2008/09", learning=KloeRecord(level=1)), based_on=None, author="Ann")
        changes = period_changes(store, "hi-prospects", "W06000001", "2007/08", "2008/09", track="B")
    assert [(c.path, c.before, c.after, c.changed_by) for c in changes] == [("kloes.learning.level", 2, 3, "Bob")]
