"""The assessment model's issue-6 fields: peer group, track, improvement-plan actions, moderation."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from kloe_nb.assessment.model import Action, Assessment, KloeRecord, Moderation, Organisation
from kloe_nb.interchange.json_io import read_assessment_json, write_assessment_json
from kloe_nb.store import AssessmentKey, open_store


def assessment(**changes: object) -> Assessment:
    base = Assessment(framework="hi-prospects", organisation=Organisation(code="00123", name="Anytown", group="Shire districts"), period="2008/09")
    return base.model_copy(update=changes)


@pytest.mark.parametrize("due", ["2010-03-31", "", "  "])
def test_a_due_date_is_iso_or_blank(due):
    assert Action(due=due).due == due.strip()


@pytest.mark.parametrize("due", ["31/03/2010", "2010-3-31", "2010-02-30", "next March", "20100331"])
def test_a_due_date_that_is_not_yyyy_mm_dd_is_refused_with_an_example(due):
    with pytest.raises(ValidationError, match="YYYY-MM-DD .*for example 2010-03-31"):
        Action(due=due)


def test_priority_is_one_of_the_three_or_unset():
    assert Action(priority="high").priority == "high"
    with pytest.raises(ValidationError):
        Action(priority="urgent")


def test_an_action_says_which_smart_fields_are_still_blank():
    assert Action(action="Cut the backlog", owner="Benefits manager").missing() == ["due date", "priority", "measure of success"]
    complete = Action(action="Cut the backlog", owner="Benefits manager", due="2010-03-31", priority="high", measure="Backlog under 500 cases")
    assert complete.missing() == []


@pytest.mark.parametrize("track", [" B", "B ", "x" * 41, "B\x07"])
def test_a_track_name_must_be_short_and_printable(track):
    with pytest.raises(ValidationError, match="track name"):
        assessment().model_validate({**assessment().model_dump(), "track": track})


def test_new_fields_round_trip_through_the_interchange_json(tmp_path):
    original = assessment(
        track="B",
        kloes={
            "track-record": KloeRecord(
                level=3,
                actions=[Action(area="Targets", action="Set stretching targets", owner="Head of housing", due="2010-03-31", priority="medium")],
                moderation=Moderation(
                    levels={"": 2, "B": 3}, assessors={"": "Ann", "B": "Bob"}, note="Agreed on the evidence of the 2009 survey.", moderated_by="Cat"
                ),
            )
        },
    )
    path = tmp_path / "a.json"
    write_assessment_json(original, path)
    assert read_assessment_json(path) == original


def test_the_store_keys_a_save_by_the_assessments_own_track(tmp_path):
    with open_store(tmp_path / "kloe.db") as store:
        lead = store.save(assessment(), based_on=None)
        second = store.save(assessment(track="B"), based_on=None)
        overridden = store.save(assessment(), based_on=None, track="C")
        assert lead.key == AssessmentKey("hi-prospects", "00123", "2008/09", "")
        assert second.key.track == "B" and second.assessment.track == "B"
        assert overridden.key.track == "C" and store.load(overridden.key).assessment.track == "C"
        assert AssessmentKey.of(assessment(track="B")) == second.key
        assert store.load(lead.key).assessment.organisation.group == "Shire districts"
