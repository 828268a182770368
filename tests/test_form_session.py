"""The session behind the form, without widgets: edits checked, saved within a second, nothing lost.

RELIABILITY.md scenarios as the form meets them: 6 (bad levels never become a score), 18 (disk
full: NOT SAVED, the edit kept, saved once space returns), 20 (two copies of one council: a
stale save merges different fields, shows both values of the same field and overwrites
nothing; a locked store says it is retrying), 22 (a restart restores the exact values and
revision; a normal kernel exit saves what the last interval had not).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest
from builders import FAST

from kloe_nb.assessment import Assessment, KloeRecord, Organisation
from kloe_nb.errors import InvalidInputError
from kloe_nb.form.autosave import SaveTiming
from kloe_nb.form.session import FormSession
from kloe_nb.framework.loader import load_framework_by_id
from kloe_nb.store import AssessmentKey, open_store
from kloe_nb.store.sqlite import SQLiteStore

KEY = AssessmentKey("ac-benefits", "00123", "")


@pytest.fixture
def framework():
    return load_framework_by_id("ac-benefits").framework


@pytest.fixture
def store_path(tmp_path):
    return tmp_path / "kloe.db"


@pytest.fixture
def sessions(framework, store_path):
    """Open sessions on the same council (each with its own store connection, like two kernels)."""
    opened: list[FormSession] = []

    def open_session(timing: SaveTiming = FAST, store: SQLiteStore | None = None, fw=framework, key=KEY, assessor: str = "") -> FormSession:
        session = FormSession(
            fw,
            store or open_store(store_path),
            key,
            council_name="Ynys Môn",
            assessor=assessor or f"analyst{len(opened) + 1}",
            owns_store=True,
            timing=timing,
        )
        opened.append(session)
        return session

    yield open_session
    for session in opened:
        session.close()


def stored(store_path, key=KEY):
    with open_store(store_path) as store:
        return store.find(key)


def wait_for(predicate, timeout: float = 5.0) -> float:
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise AssertionError("timed out")
        time.sleep(0.005)
    return time.monotonic() - started


# -- scenario 6: bad input never becomes a score ---------------------------------------------
@pytest.mark.parametrize("bad", [0, 5, 3.5, "three", True, "3.5", [3], -1])
def test_a_bad_level_is_refused_naming_the_kloe_and_nothing_is_stored(sessions, store_path, bad):
    session = sessions()
    with pytest.raises(InvalidInputError) as raised:
        session.set_level("2.1", bad)
    message = str(raised.value)
    assert "kloes.2.1.level" in message and "00123" in message and "leave it blank (not yet assessed)" in message
    session.flush()
    assert stored(store_path) is None
    assert session.scores().kloes["2.1"].level is None


@pytest.mark.parametrize("blank", [None, "", "  "])
def test_blank_means_not_yet_assessed(sessions, blank):
    session = sessions()
    session.set_level("2.1", 3)
    session.set_level("2.1", blank)
    assert session.record("2.1").level is None and session.kloe_status("2.1") == "not started"
    assert session.scores().kloes["2.1"].level is None


def test_levels_statements_and_context_only_kloes_are_checked_against_the_framework(sessions):
    session = sessions()
    with pytest.raises(InvalidInputError, match="context only"):
        session.set_level("1.1", 3)  # AC Question 1 is context only
    with pytest.raises(InvalidInputError, match="no level 4 descriptors"):
        session.set_met("2.1", 4, 0, True)
    with pytest.raises(InvalidInputError, match="statement 99 does not exist"):
        session.set_met("2.1", 3, 99, True)
    with pytest.raises(InvalidInputError, match="has no KLOE '9.9'"):
        session.set_level("9.9", 3)
    with pytest.raises(InvalidInputError, match="NUL"):
        session.set_kloe_text("2.1", "strengths", "bad\x00text")
    assert session.assessment.kloes == {}


# -- saving ---------------------------------------------------------------------------------
def test_a_change_is_in_the_store_within_a_second_with_its_revision(sessions, store_path):
    session = sessions(SaveTiming())  # the real timing: at most one second late
    session.set_level("2.1", 3)
    waited = wait_for(lambda: session.status.state == "saved")
    assert waited < 1.0
    saved = stored(store_path)
    assert saved.revision == 1 and saved.assessment.kloes["2.1"].level == 3
    assert session.status.message.startswith("saved at ") and "(revision 1)" in session.status.message


def test_typing_is_saved_at_most_one_interval_late(sessions, store_path):
    session = sessions(SaveTiming(interval=0.2))
    text = ""
    for letter in "Clear service standards, published and met":
        text += letter
        session.set_kloe_text("2.1", "strengths", text)
        time.sleep(0.02)
    last_edit = time.monotonic()
    wait_for(lambda: session.status.state == "saved" and not session.unsaved)
    assert time.monotonic() - last_edit < 0.2 + 0.25
    saved = stored(store_path)
    assert saved.assessment.kloes["2.1"].strengths == text
    assert 1 < saved.revision < len(text)  # keystrokes were gathered, and saved as they came


def test_every_kind_of_edit_is_restored_exactly_with_its_revision(sessions, store_path):
    first = sessions()
    first.set_level("2.1", 3)
    first.set_met("2.1", 3, 0, True)
    first.set_met("2.1", 2, 1, True)
    first.add_evidence("2.1", "Interviews with staff")
    first.set_evidence("2.1", 0, "reference", "Committee report, 12 May, p.4")
    first.set_evidence("2.1", 0, "note", "<script>alert(1)</script> kept as typed")
    first.set_kloe_text("2.1", "rationale", "Strong customer focus")
    first.set_kloe_text("1.1", "strengths", "Context noted")
    first.set_judgement_level("J1", 2)
    first.set_judgement_rationale("J1", "Weak outcomes")
    assert first.flush().state == "saved"
    expected, revision = first.assessment, first.revision
    first.close()
    second = sessions()
    assert second.assessment == expected and second.revision == revision
    assert second.status.state == "loaded" and f"restored revision {revision}" in second.status.message
    assert stored(store_path).assessment.kloes["2.1"].evidence[0].note == "<script>alert(1)</script> kept as typed"


def test_a_date_seen_that_is_not_a_real_date_is_refused_and_the_saved_one_kept(sessions, store_path):
    session = sessions()
    session.add_evidence("2.1", "Minutes")
    assert session.set_evidence("2.1", 0, "date_seen", "01/03/2009")
    session.flush()
    with pytest.raises(InvalidInputError) as raised:
        session.set_evidence("2.1", 0, "date_seen", "31/02/2008")
    assert "kloes.2.1.evidence[0].date_seen" in str(raised.value)
    assert "not saved: '31/02/2008' is not a date: February 2008 has no day 31" in str(raised.value)
    with pytest.raises(InvalidInputError, match="is not a date the workbook reads: write the day it was seen as 2009-03-01"):
        session.set_evidence("2.1", 0, "date_seen", "last spring")
    assert session.record("2.1").evidence[0].date_seen == "01/03/2009" and not session.unsaved
    assert session.set_evidence("2.1", 0, "date_seen", "")  # blank: no date yet
    assert session.set_evidence("2.1", 0, "date_seen", "1 March 2009")
    session.flush()
    assert stored(store_path).assessment.kloes["2.1"].evidence[0].date_seen == "1 March 2009"


def test_a_stored_free_text_date_seen_still_loads_and_is_kept(sessions, store_path):
    from kloe_nb.assessment.model import Evidence

    with open_store(store_path) as store:
        store.save(
            Assessment(
                framework="ac-benefits",
                organisation=Organisation(code="00123", name="Ynys Môn"),
                kloes={"2.1": KloeRecord(evidence=[Evidence(source="Minutes", date_seen="spring 2009")])},
            ),
            based_on=None,
        )
    session = sessions()
    assert session.status.state == "loaded" and session.record("2.1").evidence[0].date_seen == "spring 2009"
    session.set_evidence("2.1", 0, "note", "cabinet minutes")  # another field of the row saves; the old text stays
    session.flush()
    assert stored(store_path).assessment.kloes["2.1"].evidence[0].model_dump() == {
        "source": "Minutes",
        "reference": "",
        "note": "cabinet minutes",
        "date_seen": "spring 2009",
    }


# -- where the form reopens --------------------------------------------------------------------
def test_a_new_session_opens_at_the_kloe_last_changed_not_the_first_left_to_level(sessions):
    first = sessions(assessor="alice")
    assert first.opening_kloe() == "2.1"  # nothing saved yet: the first scored KLOE not yet levelled
    first.set_level("2.1", 3)
    first.flush()
    first.set_kloe_text("2.4", "strengths", "Clear standards")
    first.flush()
    first.set_level("2.3", 2)
    first.flush()
    first.set_judgement_rationale("J1", "Weak outcomes")  # not a KLOE: passed over
    first.flush()
    first.close()
    assert sessions(assessor="alice").opening_kloe() == "2.3"  # the analyst's last change, though 2.2 is the first left to level


def test_reopening_passes_over_other_peoples_saves_and_reads_ids_with_dots_and_slashes(sessions, store_path):
    wao = load_framework_by_id("wao-housing").framework
    key = AssessmentKey("wao-housing", "00123")
    mine = sessions(fw=wao, key=key, assessor="alice")
    mine.set_kloe_text("2.10/2.11-performance-management", "strengths", "Targets met")
    mine.flush()
    mine.close()
    with open_store(store_path) as store:  # a moderator's agreed level, saved after: not the analyst's edit
        current = store.find(key)
        assessment = current.assessment.model_copy(deep=True)
        assessment.kloes["1.2-diversity"] = KloeRecord(level=3)
        store.save(assessment, based_on=current.revision, author="moderator")
    assert sessions(fw=wao, key=key, assessor="alice").opening_kloe() == "2.10/2.11-performance-management"


def test_a_revision_changing_several_kloes_reopens_at_the_last_of_them_in_order(sessions, store_path):
    with open_store(store_path) as store:
        assessment = Assessment(
            framework="ac-benefits",
            organisation=Organisation(code="00123", name="Ynys Môn"),
            kloes={"2.6": KloeRecord(level=2), "2.2": KloeRecord(level=3), "2.5": KloeRecord(strengths="noted")},
        )
        store.save(assessment, based_on=None, author="alice")
    assert sessions(assessor="alice").opening_kloe() == "2.6"


def test_without_an_edit_of_its_own_the_session_opens_at_the_first_kloe_left_to_level(sessions, store_path):
    with open_store(store_path) as store:  # imported by someone else: no edit of this analyst's
        assessment = Assessment(
            framework="ac-benefits", organisation=Organisation(code="00123", name="Ynys Môn"), kloes={"2.1": KloeRecord(level=2), "2.6": KloeRecord(level=3)}
        )
        store.save(assessment, based_on=None, author="kloe import")
    assert sessions(assessor="alice").opening_kloe() == "2.2"


def test_a_normal_kernel_exit_saves_what_the_last_interval_had_not(store_path):
    script = textwrap.dedent(
        f"""
        from kloe_nb.form.autosave import SaveTiming
        from kloe_nb.form.session import FormSession
        from kloe_nb.framework.loader import load_framework_by_id
        from kloe_nb.store import AssessmentKey, open_store
        session = FormSession(load_framework_by_id("ac-benefits").framework, open_store({str(store_path)!r}),
                              AssessmentKey("ac-benefits", "00123"), owns_store=True, timing=SaveTiming(interval=60))
        session.set_level("2.1", 2)
        session.set_level("2.2", 4)  # within the interval: only saved by the exit hook
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    saved = stored(store_path)
    assert saved.assessment.kloes["2.2"].level == 4


def test_unknown_kloes_from_an_older_framework_are_kept(sessions, store_path):
    with open_store(store_path) as store:
        store.save(
            Assessment(
                framework="ac-benefits", organisation=Organisation(code="00123", name="Ynys Môn"), kloes={"9.9": KloeRecord(level=2, strengths="old KLOE")}
            ),
            based_on=None,
        )
    session = sessions()
    assert session.unknown_kloes() == ["9.9"]
    session.set_level("2.1", 3)
    session.flush()
    assert stored(store_path).assessment.kloes["9.9"].strengths == "old KLOE"


def test_judgement_decisions_and_flags(sessions):
    caa = load_framework_by_id("caa-2009").framework
    session = sessions(fw=caa, key=AssessmentKey("caa-2009", "00123"))
    with pytest.raises(InvalidInputError, match="needs a subject"):
        session.add_flag("red", "  ")
    with pytest.raises(InvalidInputError, match="'amber' is not a flag colour"):
        session.add_flag("amber", "Housing")
    index = session.add_flag("red", "Affordable housing", "Too few homes")
    session.set_flag_criterion(index, 1, True)
    session.set_flag_criterion(index, 0, True)
    with pytest.raises(InvalidInputError, match="criterion 7 does not exist"):
        session.set_flag_criterion(index, 7, True)
    with pytest.raises(InvalidInputError, match="needs a subject"):
        session.set_flag(index, "subject", "")
    assert session.flags()[0].criteria == [0, 1] and session.flags()[0].subject == "Affordable housing"
    session.set_flag(index, "colour", "green")  # a colour change clears criteria of the other colour
    assert session.flags()[0].criteria == []
    with pytest.raises(InvalidInputError, match="is not scored"):
        session.set_judgement_level("area_assessment", 3)
    for kloe_id, level in (
        ("1.1", 3),
        ("1.2", 3),
        ("1.3", 3),
        ("2.1", 2),
        ("2.2", 2),
        ("2.3", 2),
        ("2.4", 2),
        ("3.1", 3),
        ("3.2", 3),
        ("3.3", 3),
        ("4.1", 2),
        ("4.2", 2),
    ):
        session.set_level(kloe_id, level)
    organisational = session.scores().judgements["organisational_assessment"]
    assert organisational.needs_judgement and organisational.options == [2, 3]
    session.set_judgement_level("organisational_assessment", 3)
    session.set_judgement_rationale("organisational_assessment", "Strong performance management")
    assert session.scores().judgements["organisational_assessment"].level == 3
    assert session.flush().state == "saved"


# -- scenario 18: disk full -------------------------------------------------------------------
def test_disk_full_says_not_saved_keeps_the_edit_and_saves_once_space_returns(sessions, store_path):
    session = sessions()
    session.set_level("2.1", 2)
    session.flush()
    connection = session.store._connection
    pages = connection.execute("PRAGMA page_count").fetchone()[0]
    connection.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full
    session.set_kloe_text("2.1", "strengths", "A long finding. " + os.urandom(16_000).hex())  # random: compression cannot make it fit
    status = session.flush()
    assert status.state == "error"
    assert status.message.startswith("NOT SAVED") and "full" in status.message and "retrying" in status.message
    assert "kept" in status.message
    assert stored(store_path).revision == 1 and stored(store_path).assessment.kloes["2.1"].strengths == ""
    assert session.record("2.1").strengths.startswith("A long finding.")
    connection.execute("PRAGMA max_page_count = 1073741823")  # space returns
    wait_for(lambda: session.status.state == "saved")
    assert stored(store_path).revision == 2
    assert stored(store_path).assessment.kloes["2.1"].strengths.startswith("A long finding.")


# -- scenario 20: two copies of one council, a locked store ---------------------------------------
def test_a_locked_store_says_it_is_retrying_and_saves_when_free(sessions, store_path):
    session = sessions(store=SQLiteStore(store_path, busy_timeout=0.05))
    session.set_level("2.1", 2)
    session.flush()
    blocker = sqlite3.connect(store_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        session.set_level("2.1", 3)
        status = session.flush()
        assert status.state == "error" and "busy" in status.message and "retrying" in status.message
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    wait_for(lambda: session.status.state == "saved")
    assert stored(store_path).assessment.kloes["2.1"].level == 3


def test_a_stale_save_of_different_fields_is_merged_and_overwrites_nothing(sessions, store_path):
    mine, theirs = sessions(SaveTiming(interval=60)), sessions(SaveTiming(interval=60))
    theirs.set_level("2.2", 4)
    theirs.flush()
    reloads = []
    mine.on_reload(lambda: reloads.append(True))
    mine.set_level("2.1", 2)
    mine.set_kloe_text("2.1", "strengths", "Clear standards")
    status = mine.flush()
    wait_for(lambda: mine.status.state == "saved")
    saved = stored(store_path)
    assert saved.assessment.kloes["2.2"].level == 4 and saved.assessment.kloes["2.1"].level == 2
    assert mine.assessment.kloes["2.2"].level == 4  # their change is shown in my form
    assert reloads and status.revision in (1, 2)


def test_a_stale_save_of_the_same_field_shows_both_values_and_overwrites_nothing(sessions, store_path):
    mine, theirs = sessions(SaveTiming(interval=60)), sessions(SaveTiming(interval=60))
    theirs.set_level("2.1", 3)
    theirs.set_kloe_text("2.1", "strengths", "Their finding")
    theirs.flush()
    mine.set_level("2.1", 2)
    mine.set_kloe_text("2.1", "areas_for_improvement", "My other edit")
    status = mine.flush()
    assert status.state == "conflict" and status.message.startswith("NOT SAVED")
    assert "analyst2" in status.message and "KLOE 2.1 level" in status.message and "nothing was overwritten" in status.message
    assert [(c.key, c.theirs, c.mine) for c in status.conflicts] == [(("kloes", "2.1", "level"), 3, 2)]
    assert stored(store_path).revision == 1 and stored(store_path).assessment.kloes["2.1"].level == 3
    mine.set_kloe_text("2.1", "current_position", "typed during the conflict")  # kept, not saved yet
    assert mine.flush().state == "conflict" and stored(store_path).revision == 1
    mine.resolve("theirs")
    wait_for(lambda: mine.status.state == "saved")
    record = stored(store_path).assessment.kloes["2.1"]
    assert (record.level, record.strengths, record.areas_for_improvement, record.current_position) == (
        3,
        "Their finding",
        "My other edit",
        "typed during the conflict",
    )


def test_keeping_mine_in_a_conflict_saves_mine_as_a_new_revision(sessions, store_path):
    mine, theirs = sessions(SaveTiming(interval=60)), sessions(SaveTiming(interval=60))
    mine.set_level("2.1", 1)
    mine.flush()
    theirs_before = theirs.revision
    theirs.set_level("2.1", 4)
    mine.set_level("2.1", 2)
    mine.flush()
    assert theirs_before is None  # theirs opened before the council existed in the store
    assert theirs.flush().state == "conflict"
    theirs.resolve("mine")
    wait_for(lambda: theirs.status.state == "saved")
    with open_store(store_path) as store:
        history = store.history(KEY)
        assert store.load(KEY).assessment.kloes["2.1"].level == 4
        assert store.at_revision(KEY, 2).kloes["2.1"].level == 2  # their revision is still in the history
    assert len(history) == 3
