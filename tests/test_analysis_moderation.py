"""Moderation: both tracks side by side, and the agreed level recorded with the independent levels kept."""

from __future__ import annotations

import pytest

from kloe_nb.analysis import moderation_items, record_agreed
from kloe_nb.assessment import Assessment, Evidence, KloeRecord, Organisation
from kloe_nb.errors import KloeError
from kloe_nb.framework import load_framework


def _ac(levels: dict[str, int], *, track: str = "", assessor: str = "Ann", period: str = "2008/09") -> Assessment:
    kloes = {kloe_id: KloeRecord(level=level, strengths=f"{assessor} on {kloe_id}") for kloe_id, level in levels.items()}
    return Assessment(
        framework="ac-benefits",
        organisation=Organisation(code="00AB", name="Barnsley"),
        period=period,
        assessor=assessor,
        track=track,
        kloes=kloes,
    )


def test_items_list_every_scored_kloe_with_both_levels_and_records():
    framework = load_framework("ac-benefits")
    lead = _ac({"2.1": 3, "2.2": 2, "2.3": 2})
    other = _ac({"2.1": 2, "2.2": 2, "4.1": 3}, track="B", assessor="Bob")
    other.kloes["2.1"].evidence.append(Evidence(source="Performance indicators", note="BV78a"))
    items = {item.kloe_id: item for item in moderation_items(framework, lead, other)}
    assert "1.1" not in items and "5.1" not in items  # context only, and a parent heading: not scored
    assert list(items)[:3] == ["2.1", "2.2", "2.3"]
    first = items["2.1"]
    assert first.levels == {"": 3, "B": 2} and first.disagree and not first.moderated and first.agreed is None
    assert first.records["B"].evidence[0].note == "BV78a" and first.records[""].strengths == "Ann on 2.1"
    assert first.assessors == {"": "Ann", "B": "Bob"}
    assert first.group_title and first.title
    assert not items["2.2"].disagree  # same level
    assert not items["2.3"].disagree and items["2.3"].levels == {"": 2, "B": None}  # only one levelled
    assert not items["4.1"].disagree


def test_recording_the_agreed_level_keeps_the_independent_levels_and_moderating_again_keeps_the_originals():
    framework = load_framework("ac-benefits")
    lead = _ac({"2.1": 3, "2.2": 2})
    other = _ac({"2.1": 1}, track="B", assessor="Bob")
    agreed = record_agreed(lead, other, "2.1", 2, "Evidence supports Fair", "Moderator Mo")
    assert lead.kloes["2.1"].level == 3 and lead.kloes["2.1"].moderation is None  # the original is untouched
    record = agreed.kloes["2.1"]
    assert record.level == 2 and record.strengths == "Ann on 2.1"
    assert record.moderation.levels == {"": 3, "B": 1}
    assert record.moderation.assessors == {"": "Ann", "B": "Bob"}
    assert (record.moderation.note, record.moderation.moderated_by) == ("Evidence supports Fair", "Moderator Mo")
    item = next(i for i in moderation_items(framework, agreed, other) if i.kloe_id == "2.1")
    assert item.moderated and item.agreed == 2 and item.levels == {"": 3, "B": 1} and item.disagree

    again = record_agreed(agreed, other.model_copy(update={"assessor": "Bob B"}), "2.1", 3, "Second look", "Moderator Max")
    assert again.kloes["2.1"].level == 3
    assert again.kloes["2.1"].moderation.levels == {"": 3, "B": 1}  # the originals, not the agreed 2
    assert again.kloes["2.1"].moderation.assessors == {"": "Ann", "B": "Bob"}
    assert (again.kloes["2.1"].moderation.note, again.kloes["2.1"].moderation.moderated_by) == ("Second look", "Moderator Max")


def test_a_kloe_only_the_other_track_levelled_can_be_agreed():
    lead = _ac({})
    other = _ac({"6.2": 4}, track="B", assessor="Bob")
    agreed = record_agreed(lead, other, "6.2", 4, "Agreed with Bob", "Mo", framework=load_framework("ac-benefits"))
    assert agreed.kloes["6.2"].level == 4 and agreed.kloes["6.2"].moderation.levels == {"": None, "B": 4}


@pytest.mark.parametrize(
    ("kloe_id", "level", "words"),
    [
        ("2.1", 5, "5 is not a level of its scale (1, 2, 3, 4)"),
        ("2.1", 0, "0 is not a level of its scale"),
        ("2.1", True, "True is not a level of its scale"),
        ("1.1", 3, "KLOE 1.1 is not scored (context only)"),
        ("5.1", 3, "KLOE 5.1 is not scored"),
        ("9.9", 3, "framework ac-benefits has no KLOE '9.9'"),
    ],
)
def test_record_agreed_refuses_what_cannot_be_an_agreed_level(kloe_id, level, words):
    lead = _ac({"2.1": 3})
    other = _ac({"2.1": 1}, track="B", assessor="Bob")
    with pytest.raises(KloeError) as error:
        record_agreed(lead, other, kloe_id, level, "note", "Mo")
    assert words in str(error.value) and "00AB 2008/09" in str(error.value)


def test_the_two_must_be_the_lead_and_a_named_track_of_the_same_council_and_period():
    framework = load_framework("ac-benefits")
    lead = _ac({"2.1": 3})
    with pytest.raises(KloeError, match="named track"):
        moderation_items(framework, lead, _ac({"2.1": 2}))
    with pytest.raises(KloeError, match="must be the lead"):
        record_agreed(_ac({}, track="C"), _ac({}, track="B"), "2.1", 2, "", "Mo")
    with pytest.raises(KloeError, match="same council, period and framework"):
        record_agreed(lead, _ac({"2.1": 2}, track="B", period="2007/08"), "2.1", 2, "", "Mo")
