"""Independent scoring and moderation in the form, with real SQLite stores and the bundled frameworks.

A second assessor's track starts empty and saves under its own key; the moderation view
lists exactly the KLOEs where the two disagree, side by side, records the agreed level
into the lead with the independent levels kept, refuses a stale save without overwriting
anything, and says plainly what is missing when a scoring is not in the store.
"""

from __future__ import annotations

import time

import ipywidgets as W
import pytest
from builders import FAST

from kloe_nb.analysis import agreement
from kloe_nb.errors import KloeError, NotFoundError
from kloe_nb.form import SaveTiming, build_form, open_form, open_moderation
from kloe_nb.form.app import AssessmentForm, url_parameters
from kloe_nb.form.moderation import URL_PARAMETERS as MODERATION_PARAMETERS
from kloe_nb.form.moderation import ModerationView, build_moderation
from kloe_nb.form.widgets import BLANK
from kloe_nb.store import AssessmentKey, open_store

LEAD = {"2.1": 3, "2.2": 3, "2.3": 2, "2.4": 3, "2.5": 1}
SECOND = {"2.1": 2, "2.2": 3, "2.3": 4, "2.4": 3, "2.6": 2}


@pytest.fixture
def forms(tmp_path):
    opened: list[AssessmentForm | ModerationView] = []

    def open_one(assessor: str = "alice", track: str = "", timing: SaveTiming = FAST, period: str = "2008/09") -> AssessmentForm:
        form = build_form("ac-benefits", "00AB", "Ynys Môn", tmp_path / "kloe.db", assessor, period=period, track=track, timing=timing)
        opened.append(form)
        return form

    def moderate(assessor: str = "carol", track: str = "B", period: str = "2008/09") -> ModerationView:
        view = build_moderation("ac-benefits", "00AB", tmp_path / "kloe.db", period=period, track=track, assessor=assessor)
        opened.append(view)
        return view

    open_one.moderate = moderate  # type: ignore[attr-defined]
    yield open_one
    for item in opened:
        item.close()


def key(track: str = "", period: str = "2008/09") -> AssessmentKey:
    return AssessmentKey("ac-benefits", "00AB", period, track)


def stored(tmp_path, track: str = ""):
    with open_store(tmp_path / "kloe.db") as store:
        return store.find(key(track))


def record_button(box) -> W.Button:
    return next(w for w in walk(box.widget) if isinstance(w, W.Button) and w.description == "Record agreed level")


def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def score(form: AssessmentForm, levels: dict[str, int], strengths: str = "") -> None:
    for kloe_id, level in levels.items():
        form.navigator.go(kloe_id)
        form.panels[kloe_id].level.value = level
        if strengths:
            form.panels[kloe_id].texts["strengths"].value = f"{strengths} on {kloe_id}"
    form.session.flush()
    assert form.session.status.state == "saved", form.session.status.message


@pytest.fixture
def two_scorings(forms):
    """Alice's lead assessment and Bob's independent track B of the same council and period."""
    lead = forms("alice")
    score(lead, LEAD, "Alice's <b>finding</b>")
    lead.session.set_met("2.1", 3, 0, True)
    lead.session.add_evidence("2.1", "Interviews with staff")
    lead.session.flush()
    lead.close()
    second = forms("bob", track="B")
    score(second, SECOND, "Bob's finding")
    second.close()
    return forms


# -- independent scoring -----------------------------------------------------------------------
def test_an_independent_track_starts_empty_and_saves_under_its_own_key(forms, tmp_path):
    lead = forms("alice")
    score(lead, LEAD, "lead")
    lead_revision = lead.session.revision
    lead.close()

    second = forms("bob", track="B")
    assert second.session.key == key("B")
    assert second.session.assessment.kloes == {} and second.session.assessment.track == "B"  # not copied from the lead
    header = second.widget.children[1].value
    assert "independent scoring, track B" in header
    assert "also holds the lead assessment" in header and "notebooks/moderate.ipynb" in header
    assert "new independent scoring (track B) of 00AB" in second.status.value
    second.navigator.go("2.1")
    assert second.panels["2.1"].level.value == BLANK and second.panels["2.1"].texts["strengths"].value == ""
    second.panels["2.1"].level.value = 1
    second.session.flush()
    second.close()

    assert stored(tmp_path, "B").assessment.track == "B" and stored(tmp_path, "B").assessment.kloes["2.1"].level == 1
    assert set(stored(tmp_path, "B").assessment.kloes) == {"2.1"}
    lead_now = stored(tmp_path)
    assert lead_now.revision == lead_revision and lead_now.assessment.kloes["2.1"].level == 3  # the lead is untouched

    again = forms("alice")  # the lead's header now names the other scoring and the moderation notebook
    header = again.widget.children[1].value
    assert "independent scoring track B" in header and "notebooks/moderate.ipynb" in header
    assert "This is an independent scoring" not in header
    bob_again = forms("bob", track="B")
    assert bob_again.session.revision == stored(tmp_path, "B").revision and "restored revision" in bob_again.status.value


def test_a_track_without_a_lead_says_moderation_needs_one(forms):
    second = forms("bob", track="B", period="2009/10")
    header = second.widget.children[1].value
    assert "independent scoring, track B" in header and "no lead assessment of this council and period yet" in header


@pytest.mark.parametrize("bad", [" B", "B ", "x" * 41, "B\tC", 2])
def test_a_bad_track_name_is_refused_with_a_message(tmp_path, bad):
    with pytest.raises(KloeError, match="track"):
        build_form("ac-benefits", "00AB", "Ynys Môn", tmp_path / "kloe.db", "bob", track=bad)
    assert not (tmp_path / "kloe.db").exists()


def test_voila_may_choose_the_track_but_not_the_store():
    voila = {"SERVER_SOFTWARE": "voila/0.5.13", "QUERY_STRING": "council_code=00AB&track=B&store=/etc/x&period=2008%2F09"}
    assert url_parameters(voila) == {"council_code": "00AB", "track": "B", "period": "2008/09"}
    assert url_parameters(voila, MODERATION_PARAMETERS) == {"council_code": "00AB", "track": "B", "period": "2008/09"}


# -- the moderation view -----------------------------------------------------------------------
def test_moderation_lists_exactly_the_disagreeing_kloes_side_by_side(two_scorings):
    view = two_scorings.moderate()
    assert list(view.boxes) == ["2.1", "2.3"]  # 2.2 and 2.4 agree; 2.5 and 2.6 were levelled by one only
    first = view.boxes["2.1"]
    compare = next(w.value for w in first.widget.children if isinstance(w, W.HTML) and "kloe-moderation-compare" in w.value)
    assert "Lead assessment" in compare and "by alice" in compare and "Independent scoring, track B" in compare and "by bob" in compare
    assert "3 Good ★★" in compare and "2 Fair ★" in compare
    assert "Alice&#x27;s &lt;b&gt;finding&lt;/b&gt; on 2.1" in compare and "<b>finding</b>" not in compare  # escaped
    assert "Bob&#x27;s finding on 2.1" in compare and "Interviews with staff" in compare
    statement = view.framework.kloe("2.1").descriptors[3][0]
    assert statement[:40].replace("'", "&#x27;") in compare
    assert "They disagree" in first.status.value
    # the level picker offers only the KLOE's scale, blank until chosen
    assert first.level.value == BLANK
    assert [value for _, value in first.level.options] == [BLANK, 4, 3, 2, 1]
    assert [label for label, _ in first.level.options][1:] == ["4 Excellent ★★★", "3 Good ★★", "2 Fair ★", "1 Poor 0 stars"]
    # agreement on this council: 4 KLOEs levelled by both, 2 the same, 3 within one level
    expected = agreement([3, 3, 2, 3], [2, 3, 4, 3])
    stats = view.stats.value
    assert "4 KLOEs levelled by both" in stats and "exact agreement 50%" in stats and "within one level 75%" in stats
    assert f"weighted kappa {expected.kappa:.2f}" in stats
    assert "2 KLOEs where they disagree: 0 agreed in moderation, 2 still to agree" in stats
    assert "Levelled by one assessor only" in stats and "2.5, 2.6" in stats
    assert "alice" in view.header.value and "bob" in view.header.value and "carol" in view.header.value


def test_recording_the_agreed_level_saves_it_into_the_lead_with_the_independent_levels(two_scorings, tmp_path):
    view = two_scorings.moderate()
    before = stored(tmp_path)
    track_before = stored(tmp_path, "B")
    box = view.boxes["2.3"]
    box.level.value = 3
    box.note.value = "Bob's evidence on processing times settles it"
    record_button(box).click()
    assert view.guard.message.value == ""
    assert "Recorded 3 Good ★★ as the agreed level of KLOE 2.3" in view.message.value

    after = stored(tmp_path)
    assert after.revision == before.revision + 1 and after.saved_by == "carol"
    record = after.assessment.kloes["2.3"]
    assert record.level == 3
    assert record.moderation.levels == {"": 2, "B": 4}  # the independent levels as they were
    assert record.moderation.assessors == {"": "alice", "B": "bob"}
    assert (record.moderation.note, record.moderation.moderated_by) == ("Bob's evidence on processing times settles it", "carol")
    assert record.strengths == "Alice's <b>finding</b> on 2.3"  # the rest of the lead's record is kept
    assert stored(tmp_path, "B").revision == track_before.revision  # the independent scoring is never changed

    # shown as agreed on this page; the statistics still use the independent levels
    assert "Agreed in moderation: 3 Good ★★" in view.boxes["2.3"].status.value and "settles it" in view.boxes["2.3"].status.value
    assert "exact agreement 50%" in view.stats.value and "1 agreed in moderation, 1 still to agree" in view.stats.value

    again = two_scorings.moderate()  # a fresh view: agreed KLOEs only with the filter
    assert list(again.boxes) == ["2.1"]
    again.show_agreed.value = True
    assert list(again.boxes) == ["2.1", "2.2", "2.3", "2.4"]
    assert "Agreed in moderation" in again.boxes["2.3"].status.value and "Both assessors: 3 Good" in again.boxes["2.2"].status.value
    assert again.boxes["2.2"].level is None  # nothing to agree where they gave the same level
    # moderating again keeps the original independent levels
    again.boxes["2.3"].level.value = 2
    again.boxes["2.3"].note.value = "Re-moderated"
    again.record("2.3")
    record = stored(tmp_path).assessment.kloes["2.3"]
    assert record.level == 2 and record.moderation.levels == {"": 2, "B": 4} and record.moderation.note == "Re-moderated"


def test_recording_without_a_level_says_choose_one_and_saves_nothing(two_scorings, tmp_path):
    view = two_scorings.moderate()
    revision = stored(tmp_path).revision
    view.record("2.1")
    assert "Choose the agreed level of KLOE 2.1 first" in view.boxes["2.1"].result.value
    assert stored(tmp_path).revision == revision


def test_an_agreed_level_needs_a_note_saying_why(two_scorings, tmp_path):
    view = two_scorings.moderate()
    revision = stored(tmp_path).revision
    view.boxes["2.1"].level.value = 3
    view.boxes["2.1"].note.value = "   "
    view.record("2.1")
    assert "Write in the note why KLOE 2.1 is agreed at this level" in view.boxes["2.1"].result.value
    assert stored(tmp_path).revision == revision


def test_agreement_figures_resting_on_few_kloes_carry_a_caution(two_scorings):
    view = two_scorings.moderate()
    assert "Caution: these figures rest on only" in view.stats.value and "fewer than 10" in view.stats.value


def test_a_stale_save_is_refused_reloaded_and_never_overwrites(two_scorings, tmp_path):
    view = two_scorings.moderate()
    loaded = view.lead.revision
    lead = two_scorings("alice")  # meanwhile, Alice changes her lead assessment in the form
    lead.navigator.go("2.1")
    lead.panels["2.1"].level.value = 2
    lead.panels["2.1"].texts["strengths"].value = "Alice changed her mind"
    lead.session.flush()
    alice_revision = stored(tmp_path).revision
    assert alice_revision > loaded  # one or two revisions, as the autosave's timing falls

    box = view.boxes["2.1"]
    box.level.value = 4
    box.note.value = "Carol's note"
    record_button(box).click()
    message = view.message.value
    assert "NOT RECORDED" in message and f"loaded revision {loaded}" in message and "alice" in message
    assert "nothing was overwritten" in message and "record its agreed level again" in message
    now = stored(tmp_path)
    assert now.revision == alice_revision
    assert (now.assessment.kloes["2.1"].level, now.assessment.kloes["2.1"].moderation) == (2, None)
    assert now.assessment.kloes["2.1"].strengths == "Alice changed her mind"

    # reloaded: the page shows Alice's new revision; 2.1 now agrees (2 and 2) so it leaves the list,
    # and what Carol chose is kept for when it shows again
    assert view.lead.revision == alice_revision and list(view.boxes) == ["2.3"]
    assert view.picks["2.1"] == (4, "Carol's note")
    view.boxes["2.3"].level.value = 3
    view.boxes["2.3"].note.value = "Settled on the evidence"
    view.record("2.3")
    assert stored(tmp_path).revision == alice_revision + 1
    assert stored(tmp_path).assessment.kloes["2.1"].strengths == "Alice changed her mind"


def test_an_open_lead_form_merges_the_agreed_level_with_its_own_edits(two_scorings, tmp_path):
    lead = two_scorings("alice", timing=SaveTiming(interval=60))
    view = two_scorings.moderate()
    view.boxes["2.3"].level.value = 3
    view.boxes["2.3"].note.value = "Settled on the evidence"
    view.record("2.3")
    lead.navigator.go("2.4")
    lead.panels["2.4"].texts["strengths"].value = "typed while moderation ran"
    lead.session.flush()  # stale: merged (different fields), then saved
    started = time.monotonic()
    while lead.session.unsaved or lead.session.status.state != "saved":
        assert time.monotonic() - started < 5, lead.session.status.message
        time.sleep(0.005)
    record = stored(tmp_path).assessment.kloes
    assert record["2.3"].level == 3 and record["2.3"].moderation is not None
    assert record["2.4"].strengths == "typed while moderation ran"
    lead.navigator.go("2.3")
    assert lead.panels["2.3"].level.value == 3
    note = lead.panels["2.3"].moderated.value  # the lead form says the level was agreed in moderation
    assert "Agreed in moderation by carol" in note and "lead 2 Fair ★, track B 4 Excellent ★★★" in note and "3 Good ★★" in note


def test_a_missing_lead_or_track_is_named_with_how_to_create_it(forms, tmp_path, capsys):
    with pytest.raises(NotFoundError) as raised:
        forms.moderate()
    message = str(raised.value)
    assert "no lead assessment of council 00AB (period '2008/09') for framework ac-benefits" in message
    assert "no independent scoring track 'B'" in message
    assert "notebooks/assess.ipynb" in message and 'track = "B"' in message and 'period = "2008/09"' in message
    score(forms("alice"), {"2.1": 3})
    with pytest.raises(NotFoundError) as raised:
        forms.moderate(track="C")
    assert "no lead assessment" not in str(raised.value) and "track 'C'" in str(raised.value)
    with pytest.raises(KloeError, match="name the independent scoring"):
        forms.moderate(track="")
    shown = open_moderation("ac-benefits", "00AB", tmp_path / "kloe.db", period="2008/09", track="C")
    shown_text = capsys.readouterr().out
    assert shown is None and ("could not be opened" in shown_text or "HTML" in shown_text)  # outside a kernel: its repr


def test_open_form_passes_the_track_through(tmp_path):
    form = open_form("ac-benefits", "00AB", "Ynys Môn", tmp_path / "kloe.db", "bob", track="B", display=False)
    try:
        assert form.session.key.track == "B"
    finally:
        form.close()
