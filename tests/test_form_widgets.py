"""The widget form in-process: built from every framework, values set on the widgets reach the
store and come back in a new form, a stale save is shown with both values, a full disk says
NOT SAVED and keeps the edit, an exception in a callback is shown and the form carries on.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import ipywidgets as W
import pytest
from traitlets import TraitError

from kloe_nb.form import SaveTiming
from kloe_nb.form.app import AssessmentForm, url_parameters
from kloe_nb.framework.loader import bundled_ids, load_framework
from kloe_nb.store import AssessmentKey, open_store

LABELLED = (W.Dropdown, W.Select, W.Checkbox, W.Textarea, W.Text, W.Combobox, W.ToggleButtons, W.Button)


def stored(tmp_path, framework="ac-benefits", code="00AB"):
    with open_store(tmp_path / "kloe.db") as store:
        return store.find(AssessmentKey(framework, code))


def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def wait_for(predicate, timeout=5.0):
    started = time.monotonic()
    while not predicate():
        assert time.monotonic() - started < timeout, "timed out"
        time.sleep(0.005)


@pytest.mark.parametrize("framework_id", bundled_ids())
def test_the_form_builds_for_every_framework_with_every_control_labelled(forms, framework_id):
    form = forms(framework_id)
    framework = load_framework(framework_id)
    for _, kloe in framework.iter_kloes():
        form.navigator.go(kloe.id)
        assert form.kloe_area.children[0] is form.panels[kloe.id].widget
    for view in form.view.options:
        form.view.value = view[1]
    roots = [form.widget, *(panel.widget for panel in form.panels.values())]
    roots += [form.judgements.widget] + ([form.flags.widget] if form.flags else [])
    controls = [w for root in roots for w in walk(root) if isinstance(w, LABELLED)]
    assert controls
    unlabelled = [w for w in controls if not (w.description or "").strip()]
    assert not unlabelled, f"controls without a label: {unlabelled[:3]}"
    statements = sum(len(s) for _, kloe in framework.iter_kloes() for s in kloe.descriptors.values())
    assert sum(len(panel.statements) for panel in form.panels.values()) == statements
    assert form.guard.message.value == ""


def test_the_largest_framework_builds_fast_and_panels_lazily(forms):
    load_framework("wao-housing")  # the file is parsed once per process; time the form, not the YAML
    started = time.perf_counter()
    form = forms("wao-housing")
    elapsed = time.perf_counter() - started
    assert elapsed < 1.5, f"building the form took {elapsed:.2f} s"
    assert len(form.panels) == 1  # only the KLOE on screen is built


def test_widget_values_reach_the_store_and_a_new_form_restores_them(forms, tmp_path):
    form = forms()
    form.navigator.go("2.1")
    panel = form.panels["2.1"]
    panel.level.value = 3
    panel.statements[(3, 0)].value = True
    panel.statements[(2, 0)].value = True
    panel.statements[(2, 1)].value = True  # the lower picture fits better: suggested 2, decided 3
    add_evidence = next(w for w in walk(panel.widget) if isinstance(w, W.Button) and w.description == "Add evidence")
    add_evidence.click()
    source, reference, note, seen = panel.evidence.rows[0].fields.values()
    source.value = panel.sources[0] if panel.sources else "Interviews"
    reference.value = "Committee report, 12 May, p.4"
    note.value = "Standards published"
    panel.texts["strengths"].value = "Clear service standards"
    panel.rationale.value = "Level 3 statements largely met"
    form.view.value = "judgements"
    j1 = form.judgements.boxes[0]
    j1.level.value = 2
    j1.rationale.value = "Outcomes weaker than processes"
    wait_for(lambda: form.session.status.state == "saved" and not form.session.unsaved)
    assert "saved at" in form.status.value

    record = stored(tmp_path).assessment.kloes["2.1"]
    assert record.level == 3 and record.met == {3: [0], 2: [0, 1]}
    assert (record.evidence[0].reference, record.evidence[0].note) == ("Committee report, 12 May, p.4", "Standards published")
    assert record.strengths == "Clear service standards" and record.rationale == "Level 3 statements largely met"
    assert stored(tmp_path).assessment.judgements["J1"].level == 2
    revision = stored(tmp_path).revision

    again = forms()  # re-running the notebook: the previous form is closed, the new one built from the store
    assert form.session.status.state == "closed"
    assert again.session.revision == revision and f"restored revision {revision}" in again.status.value
    again.navigator.go("2.1")
    restored = again.panels["2.1"]
    assert restored.level.value == 3 and restored.statements[(3, 0)].value and restored.statements[(2, 1)].value
    assert not restored.statements[(3, 1)].value
    assert restored.evidence.rows[0].values()[:3] == (source.value, reference.value, note.value)
    assert restored.texts["strengths"].value == "Clear service standards"
    assert "differs from your level" in restored.suggestion.value
    again.view.value = "judgements"
    assert again.judgements.boxes[0].level.value == 2
    assert again.judgements.boxes[0].rationale.value == "Outcomes weaker than processes"
    assert "levelled 3 Good" in again.navigator.kloe_label("2.1")


def test_the_suggestion_and_navigation_follow_the_ticks(forms):
    form = forms("hi-prospects")
    kloe_id = form.navigator.current
    panel = form.panels[kloe_id]
    low = min(form.session.kloe(kloe_id).descriptors)
    assert "none yet" in panel.suggestion.value and "not started" in form.navigator.kloe_label(kloe_id)
    for (level, _index), box in panel.statements.items():
        if level == low:
            box.value = True
    assert f"Suggested: <b>{low}" in panel.suggestion.value
    assert "in progress" in form.navigator.kloe_label(kloe_id)
    panel.level.value = 4
    assert "differs from your level 4" in panel.suggestion.value and panel.rationale.layout.display == "flex"
    assert "levelled 4" in form.navigator.kloe_label(kloe_id)
    assert "9 of 10 scored KLOEs left" in form.navigator.left.value


def test_a_stale_save_between_two_forms_shows_both_values_and_overwrites_nothing(forms, tmp_path):
    first = forms(timing=SaveTiming(interval=60))
    # a second copy in another kernel: its own store connection and session
    from kloe_nb.form.session import FormSession
    from kloe_nb.framework.loader import load_framework_by_id

    second = AssessmentForm(
        FormSession(
            load_framework_by_id("ac-benefits").framework,
            open_store(tmp_path / "kloe.db"),
            AssessmentKey("ac-benefits", "00AB"),
            council_name="Ynys Môn",
            assessor="bob",
            owns_store=True,
            timing=SaveTiming(interval=60),
        )
    )
    try:
        second.navigator.go("2.1")
        second.panels["2.1"].level.value = 4
        second.session.flush()
        first.navigator.go("2.1")
        first.panels["2.1"].level.value = 2
        first.panels["2.1"].texts["strengths"].value = "<b>mine</b>"
        first.session.flush()
        assert first.session.status.state == "conflict"
        status = first.status.value
        assert "NOT SAVED" in status and "bob" in status and "nothing was overwritten" in status
        assert "4 Excellent ★★★" in status and "2 Fair ★" in status  # both values, with their labels
        assert first.widget.children.index(first._conflict_box) == first.widget.children.index(first.status) + 1
        assert stored(tmp_path).assessment.kloes["2.1"].level == 4 and stored(tmp_path).revision == 1
        take_theirs = first._conflict_box.children[1]
        take_theirs.click()
        wait_for(lambda: first.session.status.state == "saved")
        assert first.panels["2.1"].level.value == 4  # the form shows theirs
        assert first._conflict_box not in first.widget.children
        record = stored(tmp_path).assessment.kloes["2.1"]
        assert (record.level, record.strengths) == (4, "<b>mine</b>")  # my other edit kept
    finally:
        second.close()


def test_disk_full_shows_not_saved_keeps_the_edit_and_saves_when_space_returns(forms, tmp_path):
    form = forms()
    form.navigator.go("2.1")
    panel = form.panels["2.1"]
    panel.level.value = 2
    form.session.flush()
    connection = form.session.store._connection
    connection.execute(f"PRAGMA max_page_count = {connection.execute('PRAGMA page_count').fetchone()[0]}")
    panel.texts["strengths"].value = "Detailed finding. " + os.urandom(16_000).hex()  # random: compression cannot make it fit
    form.session.flush()
    assert "NOT SAVED" in form.status.value and "retrying" in form.status.value
    assert panel.texts["strengths"].value.startswith("Detailed finding.")
    assert stored(tmp_path).assessment.kloes["2.1"].strengths == ""
    connection.execute("PRAGMA max_page_count = 1073741823")
    wait_for(lambda: form.session.status.state == "saved")
    assert "saved at" in form.status.value
    assert stored(tmp_path).assessment.kloes["2.1"].strengths.startswith("Detailed finding.")


def test_bad_input_is_reported_at_the_control_and_never_stored(forms, tmp_path):
    form = forms()
    panel = form.panels[form.navigator.current]
    panel.texts["strengths"].value = "pasted\x00binary"
    assert "NUL" in form.guard.message.value and 'role="alert"' in form.guard.message.value
    panel.statements[next(iter(panel.statements))].value = True  # another control: the report stays
    assert "NUL" in form.guard.message.value
    panel.texts["strengths"].value = "fixed"
    assert form.guard.message.value == ""
    with pytest.raises(TraitError):
        panel.level.value = 5  # not one of the picker's choices: the widget refuses it
    form.session.flush()
    record = stored(tmp_path).assessment.kloes[form.navigator.current]
    assert record.strengths == "fixed" and record.level is None


def test_an_exception_in_a_callback_is_shown_and_the_form_carries_on(forms, monkeypatch):
    form = forms()
    panel = form.panels[form.navigator.current]

    def broken(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(form.session, "set_level", broken)
    panel.level.value = 3
    assert "simulated bug" in form.guard.message.value and "RuntimeError" in form.guard.message.value
    assert any("simulated bug" in output.get("text", "") for output in form.guard.output.outputs)
    monkeypatch.undo()
    panel.texts["strengths"].value = "still works"
    form.session.flush()
    assert form.session.status.state == "saved"


def test_flags_panel_for_the_caa_area_assessment(forms, tmp_path):
    form = forms("caa-2009")
    form.view.value = "flags"
    flags = form.flags
    flags.new_subject.value = ""
    next(w for w in walk(flags.widget) if isinstance(w, W.Button) and w.description == "Give flag").click()
    assert "needs a subject" in form.guard.message.value
    flags.new_colour.value = "red"
    flags.new_subject.value = "Affordable housing <script>"
    next(w for w in walk(flags.widget) if isinstance(w, W.Button) and w.description == "Give flag").click()
    row = flags.rows.children[0]
    criteria = [w for w in walk(row) if isinstance(w, W.Checkbox)]
    red = next(kind for kind in load_framework("caa-2009").flags.kinds if kind.colour == "red")
    assert [box.description for box in criteria] == red.criteria
    criteria[2].value = True
    form.session.flush()
    flag = stored(tmp_path, "caa-2009").assessment.flags[0]
    assert (flag.colour, flag.subject, flag.criteria) == ("red", "Affordable housing <script>", [2])
    form.view.value = "summary"
    assert "1 red, 0 green" in form.summary.value and "<script>" not in form.summary.value


def test_summary_is_live_with_labels_stars_and_a_chart(forms):
    form = forms()
    form.view.value = "summary"
    assert "0 of 25 scored KLOEs levelled" in form.summary.value and "<svg" in form.summary.value
    form.view.value = "kloes"
    form.navigator.go("2.1")
    form.panels["2.1"].level.value = 3
    form.view.value = "summary"
    assert "1 of 25 scored KLOEs levelled" in form.summary.value and "3 Good ★★" in form.summary.value
    assert 'role="img"' in form.summary.value


def test_voila_query_string_may_choose_the_council_but_never_the_store():
    voila = {"SERVER_SOFTWARE": "voila/0.5.13", "QUERY_STRING": "council_code=00AB&council_name=Ynys%20M%C3%B4n&store=/etc/x&framework=hi-prospects"}
    assert url_parameters(voila) == {"council_code": "00AB", "council_name": "Ynys Môn", "framework": "hi-prospects"}
    assert url_parameters({"QUERY_STRING": "council_code=00AB"}) == {}  # not under Voilà: ignored
    assert url_parameters({"SERVER_SOFTWARE": "voila/0.5", "QUERY_STRING": "council_code=%0Aevil"}) == {}


def test_only_the_widget_modules_import_ipywidgets():
    code = (
        "import sys; import kloe_nb.form, kloe_nb.form.session, kloe_nb.form.summary, kloe_nb.form.autosave, "
        "kloe_nb.form.sensitivity_html, kloe_nb.form.moderation_html; "
        "assert 'ipywidgets' not in sys.modules, 'the headless session imported ipywidgets'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_a_kernel_restart_saves_what_the_last_interval_had_not(tmp_path):
    """Scenario 22 in a real kernel: an edit still inside the save interval is saved as the kernel shuts down."""
    from jupyter_client.manager import start_new_kernel

    store = tmp_path / "kloe.db"
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        code = (
            "from kloe_nb.form import build_form, SaveTiming\n"
            f"form = build_form('ac-benefits', '00AB', 'Ynys Môn', {str(store)!r}, 'alice', timing=SaveTiming(interval=60))\n"
            "panel = form.panels[form.navigator.current]\n"
            "panel.level.value = 2\n"
            "form.session.flush()  # saved: the next save waits for the 60 s interval\n"
            "panel.texts['strengths'].value = 'typed just before the restart'\n"
            "assert form.session.unsaved\n"
        )
        reply = client.execute_interactive(code, timeout=60)
        assert reply["content"]["status"] == "ok", reply["content"]
        manager.restart_kernel(now=False)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    with open_store(store) as opened:
        record = opened.load(AssessmentKey("ac-benefits", "00AB")).assessment.kloes["2.1"]
    assert (record.level, record.strengths) == (2, "typed just before the restart")


def test_open_form_shows_a_problem_as_a_message_not_a_traceback(tmp_path, capsys):
    from kloe_nb.form import open_form

    assert open_form("ac-benefit", "00AB", "Ynys Môn", tmp_path / "kloe.db") is None
    shown = capsys.readouterr().out
    assert "The form could not be opened" in shown or "HTML" in shown
    with pytest.raises(Exception, match="did you mean 'ac-benefits'"):
        open_form("ac-benefit", "00AB", "Ynys Môn", tmp_path / "kloe.db", display=False)


def test_the_judgement_panel_shows_sensitivity_and_follows_level_changes(forms, monkeypatch):
    """Sentences from analysis.sensitivity, a visible boundary marker, worked out again only when a level changed."""
    import importlib
    from html import escape

    analysis = importlib.import_module("kloe_nb.analysis.sensitivity")  # the module (the package re-exports the function)

    real = analysis.sensitivity
    calls: list[int] = []

    def counted(framework, assessment):
        calls.append(1)
        return real(framework, assessment)

    monkeypatch.setattr(analysis, "sensitivity", counted)
    form = forms()
    for kloe_id, level in {"2.1": 3, "2.2": 3, "2.3": 2, "2.4": 3}.items():
        form.navigator.go(kloe_id)
        form.panels[kloe_id].level.value = level
    assert calls == []  # nothing worked out while the judgements are not shown
    form.view.value = "judgements"
    box, prospects = form.judgements.boxes
    expected = real(form.session.framework, form.session.assessment)
    assert expected["J1"].at_boundary and expected["J1"].sentences
    for sentence in expected["J1"].sentences:
        assert escape(sentence) in box.sensitivity.value
    assert "One step from a boundary" in box.sensitivity.value and "kloe-boundary" in box.sensitivity.value
    assert "kloe-boundary" not in prospects.sensitivity.value
    assert len(calls) == 1

    box.rationale.value = "Typing a rationale"  # keystrokes and decisions never recompute it
    box.level.value = 2
    form.view.value = "kloes"
    form.panels["2.1"].texts["strengths"].value = "typed while the judgements are hidden"
    form.view.value = "judgements"
    assert len(calls) == 1

    form.view.value = "kloes"
    form.navigator.go("2.3")
    form.panels["2.3"].level.value = 3  # a level change: worked out again when the judgements are shown
    assert len(calls) == 1
    form.view.value = "judgements"
    assert len(calls) == 2
    updated = real(form.session.framework, form.session.assessment)["J1"]
    assert updated.sentences != expected["J1"].sentences
    for sentence in updated.sentences:
        assert escape(sentence) in box.sensitivity.value


@pytest.mark.parametrize(("framework_id", "top"), [("hi-prospects", 4), ("wao-housing", 4), ("ac-judgement2", 3), ("ac-benefits", 3)])
def test_ticking_only_the_top_column_suggests_the_top_described_level(forms, tmp_path, framework_id, top):
    """Best fit in the form: a strong organisation ticks the top column's statements and no weakness."""
    form = forms(framework_id)
    kloe_id = next(k for k in form.session.framework.iter_kloes() if k[1].scored and k[1].descriptors)[1].id
    panel = form.panel(kloe_id)
    for (level, _), box in panel.statements.items():
        if level == top:
            box.value = True
    assert f"Suggested: <b>{top}" in panel.suggestion.value
    assert "describe it; 0 of" in panel.suggestion.value
    assert "some higher statements are met too" not in panel.suggestion.value
    assert any("describes this organisation" in child.value for child in walk(panel.widget) if isinstance(child, W.HTML))


def test_falls_short_controls_exclude_describes_and_reach_the_store(forms, tmp_path):
    form = forms("hi-prospects")
    kloe_id = form.navigator.current
    panel = form.panels[kloe_id]
    low = min(form.session.kloe(kloe_id).descriptors)
    assert set(panel.short) == {(low, index) for index in range(len(form.session.kloe(kloe_id).descriptors[low]))}
    panel.statements[(low, 0)].value = True
    panel.short[(low, 0)].value = True  # falling short of it replaces "describes it"
    assert not panel.statements[(low, 0)].value
    for key in panel.short:
        panel.short[key].value = True
    assert "Suggested: <b>1" in panel.suggestion.value and "falls short of" in panel.suggestion.value
    wait_for(lambda: (s := stored(tmp_path, "hi-prospects")) is not None and s.assessment.record(kloe_id).falls_short.get(low))
    record = stored(tmp_path, "hi-prospects").assessment.record(kloe_id)
    assert record.falls_short[low] == sorted(index for (_, index) in panel.short) and not record.met.get(low)


def test_a_lead_in_is_shown_above_its_list_with_no_box_of_its_own(forms):
    form = forms("ac-benefits")
    panel = form.panel("2.7")
    lead = "The service meets satisfactory requirements for minimising fraud and error:"
    shown = [child.value for child in walk(panel.widget) if isinstance(child, W.HTML)]
    assert any(lead in value for value in shown)
    assert all(lead not in str(getattr(box, "description", "")) for box in panel.statements.values())
    assert len([key for key in panel.statements if key[0] == 2]) == len(form.session.framework.kloe("2.7").descriptors[2])


def test_previous_and_next_are_disabled_at_the_first_and_the_last_kloe(forms):
    form = forms()
    navigator = form.navigator
    navigator.go(navigator.order[0])
    assert navigator.previous.disabled and not navigator.next.disabled
    navigator.go(navigator.order[-1])
    assert navigator.next.disabled and not navigator.previous.disabled
    navigator.step(-1)
    assert not navigator.next.disabled and not navigator.previous.disabled


def test_the_level_is_chosen_with_buttons_not_a_select_an_arrow_key_would_change(forms):
    import ipywidgets as W

    form = forms()
    panel = form.panel("2.1")
    assert isinstance(panel.level, W.ToggleButtons) and panel.level.value == ""
    assert panel.level.options[0][0] == "not yet assessed"


def test_a_date_seen_that_is_not_a_date_is_refused_at_its_row_and_the_saved_one_kept(forms, tmp_path):
    form = forms()
    panel = form.panel("2.1")
    panel.evidence.add()
    row = panel.evidence.rows[0]
    row.fields["date_seen"].value = "2009-03-01"
    wait_for(lambda: not form.session.unsaved and form.session.status.state == "saved")
    row.fields["date_seen"].value = "31/02/2008"
    message = row.date_message.value
    assert 'role="alert"' in message
    assert "Date seen not saved: &#x27;31/02/2008&#x27; is not a date: February 2008 has no day 31 (it has 29 days)." in message
    assert "the store keeps the date saved before (2009-03-01)" in message
    assert form.guard.message.value == ""  # said at the row, not in the form's error area
    panel.evidence.add()  # rebuilding the rows keeps what was typed and why it was refused
    row = panel.evidence.rows[0]
    assert row.fields["date_seen"].value == "31/02/2008" and "February 2008 has no day 31" in row.date_message.value
    form.session.flush()
    assert stored(tmp_path).assessment.kloes["2.1"].evidence[0].date_seen == "2009-03-01"  # nothing invalid saved
    row.fields["date_seen"].value = "28/02/2008"
    assert row.date_message.value == ""
    form.session.flush()
    assert stored(tmp_path).assessment.kloes["2.1"].evidence[0].date_seen == "28/02/2008"


def test_a_stored_date_seen_from_before_the_check_shows_as_saved_with_a_note(forms, tmp_path):
    from kloe_nb.assessment.model import Assessment, Evidence, KloeRecord, Organisation

    with open_store(tmp_path / "kloe.db") as store:
        evidence = [Evidence(source="Minutes", date_seen="spring 2009"), Evidence(source="Survey", date_seen="2009-03-01")]
        record = KloeRecord(evidence=evidence)
        store.save(Assessment(framework="ac-benefits", organisation=Organisation(code="00AB", name="Ynys Môn"), kloes={"2.1": record}), based_on=None)
    form = forms()
    panel = form.panel("2.1")
    old, good = panel.evidence.rows
    assert old.fields["date_seen"].value == "spring 2009"
    assert "kept as it was saved, but not read as a date" in old.date_message.value and "spring 2009" in old.date_message.value
    assert good.date_message.value == ""
    assert "saved" not in form.guard.message.value


def test_the_form_reopens_at_the_kloe_last_changed_and_moving_is_not_a_change(forms):
    form = forms()
    assert form.navigator.current == "2.1"  # nothing saved: the first KLOE left to level
    form.navigator.go("2.5")
    form.panels["2.5"].texts["strengths"].value = "Clear standards"
    form.navigator.go("2.7")  # looked at, changed nothing
    wait_for(lambda: not form.session.unsaved and form.session.status.state == "saved")
    again = forms()  # a kernel restart or a reload: a new form from the store
    assert again.navigator.current == "2.5" and again.navigator.kloe.value == "2.5"
    assert again.kloe_area.children[0] is again.panels["2.5"].widget
    assert again.navigator.group.value == again.session.group_of("2.5").id


def test_picking_the_last_kloe_from_the_list_disables_next(forms):
    form = forms()
    navigator = form.navigator
    last = navigator.order[-1]
    navigator.go(navigator.session.group_of(last).kloes[0].id)
    assert not navigator.next.disabled
    navigator.kloe.value = last  # as the browser does: the list's own value, not ``go``
    assert navigator.current == last and navigator.next.disabled and not navigator.previous.disabled
    navigator.kloe.value = navigator.session.group_of(last).kloes[0].id
    assert not navigator.next.disabled
