"""The improvement plan in the form: actions added from the areas for improvement, edited,
removed, autosaved and restored from the store; a bad due date is shown at the box, kept
there and never saved; two copies editing actions merge or conflict like any other field.
"""

from __future__ import annotations

import time

import ipywidgets as W
import pytest

from kloe_nb.errors import InvalidInputError
from kloe_nb.form import SaveTiming
from kloe_nb.form.actions_panel import improvement_areas
from kloe_nb.form.app import AssessmentForm
from kloe_nb.form.session import FormSession
from kloe_nb.framework.loader import load_framework_by_id
from kloe_nb.store import AssessmentKey, open_store


def stored(tmp_path, kloe_id="2.1", framework="ac-benefits", code="00AB"):
    with open_store(tmp_path / "kloe.db") as store:
        found = store.find(AssessmentKey(framework, code))
    return found.assessment.record(kloe_id) if found else None


def wait_saved(form: AssessmentForm, timeout: float = 5.0) -> None:
    started = time.monotonic()
    while not (form.session.status.state == "saved" and not form.session.unsaved):
        assert time.monotonic() - started < timeout, f"not saved: {form.session.status.message}"
        time.sleep(0.005)


def adders(panel) -> list[W.Button]:
    return list(panel.actions.adders.children)


def test_areas_for_improvement_become_add_buttons_one_per_line(forms):
    form = forms()
    form.navigator.go("2.1")
    panel = form.panels["2.1"]
    assert [b.description for b in adders(panel)] == ["Add an action"]  # empty: one plain button
    panel.texts["areas_for_improvement"].value = "Backlog of new claims"
    assert [b.description for b in adders(panel)] == ["Add an action"]
    assert "Backlog of new claims" in adders(panel)[0].tooltip
    panel.texts["areas_for_improvement"].value = "- Backlog of new claims\n\n• Overpayments not recovered\n"
    assert [b.description for b in adders(panel)] == [
        "Add an action: Backlog of new claims",
        "Add an action: Overpayments not recovered",
    ]
    adders(panel)[1].click()
    assert form.session.record("2.1").actions[0].area == "Overpayments not recovered"
    assert panel.actions.rows[0].fields["area"].value == "Overpayments not recovered"
    assert improvement_areas(" * one \n2. two") == ["one", "2. two"]


def test_add_edit_and_remove_actions_autosave_and_survive_rebuilding_the_form(forms, tmp_path):
    form = forms()
    form.navigator.go("2.1")
    panel = form.panels["2.1"]
    panel.texts["areas_for_improvement"].value = "Backlog of new claims"
    adders(panel)[0].click()
    row = panel.actions.rows[0]
    assert row.fields["area"].value == "Backlog of new claims"
    assert "not yet SMART: no action, no owner, no due date, no priority, no measure of success" in row.smart.value
    row.fields["action"].value = "Clear the backlog with a temporary team"
    row.fields["owner"].value = "Benefits manager"
    row.fields["due"].value = "2010-03-31"
    row.fields["priority"].value = "high"
    assert "not yet SMART: no measure of success" in row.smart.value
    row.fields["resources"].value = "Two agency staff for 12 weeks"
    row.fields["measure"].value = "New claims processed in 30 days or fewer"
    assert "SMART: every field filled" in row.smart.value
    adders(panel)[0].click()
    panel.actions.rows[1].fields["action"].value = "A second action, to be removed"
    wait_saved(form)
    record = stored(tmp_path)
    assert [a.action for a in record.actions] == ["Clear the backlog with a temporary team", "A second action, to be removed"]
    first = record.actions[0]
    assert (first.area, first.owner, first.due, first.priority) == ("Backlog of new claims", "Benefits manager", "2010-03-31", "high")
    assert (first.resources, first.measure) == ("Two agency staff for 12 weeks", "New claims processed in 30 days or fewer")

    next(w for w in panel.actions.rows[1].widget.children[0].children if isinstance(w, W.Button)).click()  # Remove
    assert len(panel.actions.rows) == 1
    wait_saved(form)
    assert [a.action for a in stored(tmp_path).actions] == ["Clear the backlog with a temporary team"]
    revision = form.session.revision

    again = forms()  # re-running the notebook: built from the store, never from widget state
    assert again.session.revision == revision
    again.navigator.go("2.1")
    restored = again.panels["2.1"].actions.rows
    assert len(restored) == 1
    values = {name: widget.value for name, widget in restored[0].fields.items()}
    assert values == {
        "area": "Backlog of new claims",
        "action": "Clear the backlog with a temporary team",
        "owner": "Benefits manager",
        "due": "2010-03-31",
        "priority": "high",
        "resources": "Two agency staff for 12 weeks",
        "measure": "New claims processed in 30 days or fewer",
    }
    assert "SMART: every field filled" in restored[0].smart.value
    history = [change.path for info in again.session.store.history(again.session.key) for change in info.changes]
    assert "kloes.2.1.actions" in history  # each edit is a revision of the KLOE's actions field


@pytest.mark.parametrize("bad", ["31/03/2010", "2010-02-30", "2010-3-31", "next March", "2010-03-31T00:00"])
def test_a_bad_due_date_is_shown_at_the_box_kept_there_and_never_saved(forms, tmp_path, bad):
    form = forms()
    form.navigator.go("2.1")
    panel = form.panels["2.1"]
    adders(panel)[0].click()
    row = panel.actions.rows[0]
    row.fields["due"].value = "2010-03-31"
    wait_saved(form)
    row.fields["due"].value = bad
    assert "Due date not saved" in row.due_error.value and "YYYY-MM-DD" in row.due_error.value and 'role="alert"' in row.due_error.value
    assert row.fields["due"].value == bad  # what was typed stays, to be corrected
    form.session.flush()
    assert stored(tmp_path).actions[0].due == "2010-03-31" and form.session.record("2.1").actions[0].due == "2010-03-31"
    row.fields["owner"].value = "Revenues manager"  # another field of the row still saves
    adders(panel)[0].click()  # rows are rebuilt: the typed value and its message are kept
    row = panel.actions.rows[0]
    assert row.fields["due"].value == bad and "Due date not saved" in row.due_error.value
    wait_saved(form)
    assert (stored(tmp_path).actions[0].owner, stored(tmp_path).actions[0].due) == ("Revenues manager", "2010-03-31")
    row.fields["due"].value = "2010-06-30"
    assert row.due_error.value == ""
    wait_saved(form)
    assert stored(tmp_path).actions[0].due == "2010-06-30"
    assert form.guard.message.value == ""


def test_action_edits_are_checked_naming_the_field(forms):
    session = forms().session
    index = session.add_action("2.1", "Backlog")
    with pytest.raises(InvalidInputError, match=r"kloes\.2\.1\.actions\[0\]\.priority"):
        session.set_action("2.1", index, "priority", "urgent")
    with pytest.raises(InvalidInputError, match="not an action field"):
        session.set_action("2.1", index, "cost", "£5k")
    with pytest.raises(InvalidInputError, match="there is no action 3"):
        session.set_action("2.1", 3, "owner", "x")
    with pytest.raises(InvalidInputError, match="NUL"):
        session.set_action("2.1", index, "owner", "a\x00b")
    assert session.record("2.1").actions[0].model_dump() == {
        "area": "Backlog",
        "action": "",
        "owner": "",
        "due": "",
        "priority": "",
        "resources": "",
        "measure": "",
    }


def second_copy(tmp_path, assessor: str) -> AssessmentForm:
    """The same council open in another kernel: its own store connection and session."""
    return AssessmentForm(
        FormSession(
            load_framework_by_id("ac-benefits").framework,
            open_store(tmp_path / "kloe.db"),
            AssessmentKey("ac-benefits", "00AB"),
            council_name="Ynys Môn",
            assessor=assessor,
            owns_store=True,
            timing=SaveTiming(interval=60),
        )
    )


def test_two_copies_merge_actions_of_different_kloes_and_conflict_on_the_same(forms, tmp_path):
    first = forms(timing=SaveTiming(interval=60))
    first.session.set_level("2.1", 3)
    first.session.flush()
    second = second_copy(tmp_path, "bob")
    try:
        second.navigator.go("2.2")
        adders(second.panels["2.2"])[0].click()
        second.panels["2.2"].actions.rows[0].fields["action"].value = "Bob's action on 2.2"
        second.session.flush()
        first.navigator.go("2.1")
        adders(first.panels["2.1"])[0].click()
        first.panels["2.1"].actions.rows[0].fields["owner"].value = "Alice's owner"
        first.session.flush()  # stale: merged (different KLOEs), then saved at once
        wait_saved(first)
        assert stored(tmp_path, "2.2").actions[0].action == "Bob's action on 2.2"
        assert stored(tmp_path, "2.1").actions[0].owner == "Alice's owner"

        second.session.flush()
        second.navigator.go("2.1")  # built from its session, which has not seen Alice's action yet
        adders(second.panels["2.1"])[0].click()
        second.panels["2.1"].actions.rows[0].fields["owner"].value = "Bob's owner"
        second.session.flush()
        assert second.session.status.state == "conflict"
        status = second.status.value
        assert "KLOE 2.1 improvement plan" in status and "nothing was overwritten" in status
        assert stored(tmp_path, "2.1").actions[0].owner == "Alice's owner"  # theirs untouched
        second._conflict_box.children[1].click()  # take theirs
        second.session.flush()
        assert second.panels["2.1"].actions.rows[0].fields["owner"].value == "Alice's owner"
        assert stored(tmp_path, "2.1").actions[0].owner == "Alice's owner"
    finally:
        second.close()
