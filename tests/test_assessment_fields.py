"""One home for an assessment's fields: differences, conflicts and the three-way merge read them the same way."""

from __future__ import annotations

from kloe_nb.assessment.fields import (
    IDENTITY_FIELDS,
    Conflict,
    changed_fields,
    describe_path,
    find_conflicts,
    flatten_fields,
    merge,
)
from kloe_nb.assessment.model import Assessment, JudgementDecision, KloeRecord, Organisation


def assessment(**kloes: KloeRecord) -> Assessment:
    return Assessment(framework="ac-benefits", organisation=Organisation(code="A1", name="Aldermere"), period="2008/09", kloes=kloes)


def test_kloe_ids_with_dots_stay_one_key_and_read_as_people_name_them():
    flat = flatten_fields(assessment(**{"2.1": KloeRecord(level=3, strengths="Clear plans")}).to_json_data())
    assert flat[("kloes", "2.1", "level")] == 3 and flat[("organisation", "code")] == "A1"
    assert describe_path("kloes.2.1.areas_for_improvement") == "KLOE 2.1 areas for improvement"


def test_a_difference_lists_changed_fields_top_level_first_and_blank_equals_absent():
    before = assessment(**{"2.1": KloeRecord(level=2)}).to_json_data()
    after = {**assessment(**{"2.1": KloeRecord(level=3, strengths="")}).to_json_data(), "period": "2009/10"}
    changes = changed_fields(before, after)
    assert [(change.path, change.before, change.after) for change in changes] == [("period", "2008/09", "2009/10"), ("kloes.2.1.level", 2, 3)]
    assert changes[1].label == "KLOE 2.1 level"


def test_both_sides_changing_a_field_differently_is_one_typed_conflict_the_same_change_is_none():
    base = assessment(**{"2.1": KloeRecord(level=2), "2.2": KloeRecord(level=2)}).to_json_data()
    theirs = assessment(**{"2.1": KloeRecord(level=3), "2.2": KloeRecord(level=3)}).to_json_data()
    mine = assessment(**{"2.1": KloeRecord(level=4), "2.2": KloeRecord(level=3)}).to_json_data()
    assert find_conflicts(base, theirs, mine) == [Conflict(("kloes", "2.1", "level"), 2, 3, 4)]
    assert find_conflicts(base, theirs, mine)[0].label == "KLOE 2.1 level"


def test_a_merge_keeps_every_change_of_both_sides_and_prefer_settles_a_conflict():
    base = assessment(**{"2.1": KloeRecord(level=2), "2.2": KloeRecord(level=2)})
    theirs = assessment(**{"2.1": KloeRecord(level=3), "2.2": KloeRecord(level=2)})
    mine = assessment(**{"2.1": KloeRecord(level=4), "2.2": KloeRecord(level=2, strengths="Fast")}).model_copy(
        update={"judgements": {"J1": JudgementDecision(level=3, rationale="Strong")}}
    )
    kept_theirs = merge(base, theirs, mine)
    assert kept_theirs.kloes["2.1"].level == 3 and kept_theirs.kloes["2.2"].strengths == "Fast"
    assert kept_theirs.judgements["J1"].rationale == "Strong"
    assert merge(base, theirs, mine, prefer="mine").kloes["2.1"].level == 4


def test_identity_fields_never_conflict_and_stay_as_stored_in_a_merge():
    base = assessment()
    theirs = base.model_copy(update={"assessor": "alice"})
    mine = base.model_copy(update={"assessor": "bob", "kloes": {"2.1": KloeRecord(level=3)}})
    assert find_conflicts(base.to_json_data(), theirs.to_json_data(), mine.to_json_data(), IDENTITY_FIELDS) == []
    merged = merge(base, theirs, mine)
    assert merged.assessor == "alice" and merged.kloes["2.1"].level == 3
