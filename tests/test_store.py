"""The store's contract on both backends, and SQLite's own faults (RELIABILITY.md 8, 10, 18-21).

Tests taking ``store_url`` run twice: on a SQLite file and on a fresh PostgreSQL database of the
test server (tests/pgserver.py). Those taking ``store_path`` are about the SQLite file itself
(locks, damage, backups, network shares); PostgreSQL's own faults are in test_store_postgres.py.
"""

from __future__ import annotations

import getpass
import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
import warnings
from pathlib import Path

import pytest
from pydantic import ValidationError

from kloe_nb.assessment import Assessment, Evidence, FrameworkVersion, JudgementDecision, KloeRecord, Organisation
from kloe_nb.errors import (
    CorruptStoreError,
    IncompatibleStoreError,
    KloeError,
    NotFoundError,
    StoreBusyError,
    StoreError,
    StoreWriteError,
)
from kloe_nb.store import AssessmentKey, AssessmentStore, StaleRevisionError, StoreWarning, describe_path, open_store, restore_backup, safety
from kloe_nb.store import sqlite as store_sqlite
from kloe_nb.store.address import is_server
from kloe_nb.store.safety import backup_path, file_system_type, on_network_file_system
from kloe_nb.store.sqlite import SQLiteStore

KEY = AssessmentKey("hi-prospects", "00123", "2008/09")


def make(level: int | None = 2, code: str = "00123", **fields) -> Assessment:
    return Assessment(
        framework="hi-prospects",
        organisation=Organisation(code=code, name="Ynys Môn"),
        period="2008/09",
        assessor="alice",
        kloes={"track-record": KloeRecord(level=level, **fields)},
    )


def changed(assessment: Assessment, **record_fields) -> Assessment:
    """A copy with the track-record KLOE changed (what the form does between saves)."""
    copy = assessment.model_copy(deep=True)
    for name, value in record_fields.items():
        setattr(copy.kloes["track-record"], name, value)
    return copy


@pytest.fixture
def store_path(tmp_path):
    return tmp_path / "kloe.db"


def corrupt_files(folder: Path) -> list[Path]:
    return [p for p in folder.glob("kloe.db.corrupt-*") if not p.name.endswith(("-wal", "-shm", "-journal"))]


# -- saving and loading ------------------------------------------------------------------------


def test_create_then_load_gives_the_same_assessment_with_leading_zeros_kept(store_url):
    with open_store(store_url) as store:
        assert isinstance(store, AssessmentStore)
        saved = store.save(make(), based_on=None)
        assert (saved.key, saved.revision, saved.saved_by) == (KEY, 1, "alice")
    with open_store(store_url) as store:
        loaded = store.load(KEY)
    assert loaded.assessment == make() and loaded.revision == 1
    assert loaded.assessment.organisation.code == "00123" and loaded.key.org_code == "00123"


def test_codes_differing_only_by_leading_zeros_are_different_assessments(store_url):
    with open_store(store_url) as store:
        store.save(make(2, code="00123"), based_on=None)
        store.save(make(3, code="123"), based_on=None)
        assert [k.org_code for k in store.keys()] == ["00123", "123"]
        assert store.load(KEY).assessment.kloes["track-record"].level == 2


def test_loading_a_missing_assessment_names_it(store_url):
    with open_store(store_url) as store:
        assert store.find(KEY) is None
        with pytest.raises(NotFoundError, match="no assessment for hi-prospects 00123 2008/09"):
            store.load(KEY)


def test_creating_an_assessment_that_exists_is_refused(store_url):
    with open_store(store_url) as store:
        store.save(make(), based_on=None)
        with pytest.raises(StaleRevisionError, match="NOT SAVED: .* already in the store .*revision 1 by alice") as caught:
            store.save(make(3), based_on=None)
        assert caught.value.current.revision == 1
        assert store.load(KEY).assessment.kloes["track-record"].level == 2


def test_a_save_based_on_a_revision_of_an_assessment_the_store_lacks_is_refused(store_url):
    with open_store(store_url) as store:
        with pytest.raises(StaleRevisionError, match="NOT SAVED: .* based on its revision 3") as caught:
            store.save(make(), based_on=3)
        assert caught.value.current is None and store.keys() == []  # the form then saves it as new


def test_history_lists_who_when_and_what_changed(store_url):
    with open_store(store_url) as store:
        first = store.save(make(2), based_on=None).assessment
        second = store.save(changed(first, level=3), based_on=1, author="bob").assessment
        third = changed(second, strengths="Clear plans")
        third.judgements["J2"] = JudgementDecision(level=3, rationale="Promising")
        store.save(third, based_on=2)
        history = store.history(KEY)
    assert [(r.number, r.saved_by, r.based_on) for r in history] == [(1, "alice", None), (2, "bob", 1), (3, "alice", 2)]
    assert [(c.path, c.before, c.after) for c in history[1].changes] == [("kloes.track-record.level", 2, 3)]
    assert [(c.label, c.after) for c in history[2].changes] == [
        ("judgement J2 level", 3),
        ("judgement J2 rationale", "Promising"),
        ("KLOE track-record strengths", "Clear plans"),
    ]
    assert all(r.saved_at.endswith("+00:00") for r in history)
    assert history[0].saved_at <= history[1].saved_at <= history[2].saved_at


def test_field_paths_read_as_words():
    assert describe_path("kloes.2.1.level") == "KLOE 2.1 level"
    assert describe_path("kloes.2.10.areas_for_improvement") == "KLOE 2.10 areas for improvement"
    assert describe_path("judgements.J1.rationale") == "judgement J1 rationale"
    assert describe_path("organisation.name") == "organisation name"


def test_an_author_defaults_to_the_assessor_then_the_login_name(store_url, monkeypatch):
    monkeypatch.setattr(getpass, "getuser", lambda: "os-user")  # what login_name() asks
    anonymous = make().model_copy(update={"assessor": ""})
    with open_store(store_url) as store:
        assert store.save(anonymous, based_on=None).saved_by == "os-user"
        assert store.save(make(), based_on=1).saved_by == "alice"
        assert store.save(make(4), based_on=2, author="carol").saved_by == "carol"


def test_an_unchanged_save_adds_nothing(store_url):
    with open_store(store_url) as store:
        store.save(make(), based_on=None)
        again = store.save(make(), based_on=1)
        assert again.revision == 1 and again.assessment == make()
        assert len(store.history(KEY)) == 1


def test_restore_adds_a_new_revision_and_keeps_history(store_url):
    with open_store(store_url) as store:
        store.save(make(2), based_on=None)
        store.save(make(4), based_on=1)
        restored = store.restore(KEY, 1, based_on=2, author="carol")
        assert (restored.revision, restored.saved_by) == (3, "carol")
        assert restored.assessment == make(2)
        assert [r.number for r in store.history(KEY)] == [1, 2, 3]
        assert store.at_revision(KEY, 2).kloes["track-record"].level == 4
        assert store.history(KEY)[2].changes[0].after == 2
        with pytest.raises(NotFoundError, match="has no revision 9 .*1-3"):
            store.at_revision(KEY, 9)
        with pytest.raises(StaleRevisionError):
            store.restore(KEY, 2, based_on=2)  # restore is a save like any other: stale is refused


def test_tracks_keep_a_second_assessors_work_apart(store_url):
    with open_store(store_url) as store:
        store.save(make(2), based_on=None)
        second = store.save(make(4), based_on=None, author="bob", track="second")
        assert second.key == AssessmentKey("hi-prospects", "00123", "2008/09", "second")
        assert store.load(KEY).assessment.kloes["track-record"].level == 2
        assert store.load(second.key).assessment.kloes["track-record"].level == 4
        assert store.restore(second.key, 1, based_on=1).revision == 1  # unchanged: nothing added


def test_keys_and_latest_revisions_for_resume(store_url):
    with open_store(store_url) as store:
        store.save(make(2), based_on=None)
        store.save(make(3), based_on=1)
        store.save(make(1, code="00999"), based_on=None)
        other = make().model_copy(update={"framework": "ac-benefits"})
        store.save(other, based_on=None)
        latest = store.latest_revisions("hi-prospects")
        assert store.keys("ac-benefits") == [AssessmentKey("ac-benefits", "00123", "2008/09")]
        assert len(store.keys()) == 3
    assert list(latest) == [KEY, AssessmentKey("hi-prospects", "00999", "2008/09")]
    assert latest[KEY][0] == 2 and latest[KEY][1].endswith("+00:00")


def test_the_framework_version_is_recorded_with_each_revision(store_url):
    stamped = make().model_copy(update={"framework_version": FrameworkVersion(version="1.1", sha256="ab" * 32)})
    with open_store(store_url) as store:
        store.save(stamped, based_on=None)
        assert store.load(KEY).assessment.framework_version == FrameworkVersion(version="1.1", sha256="ab" * 32)
        row = store._connection.execute("SELECT framework, framework_version, framework_sha256 FROM revisions").fetchone()
    assert row == ("hi-prospects", "1.1", "ab" * 32)


def test_kloes_the_framework_no_longer_has_are_kept(store_url):
    """Scenario 8: the store never validates against the framework, so nothing is dropped."""
    odd = make()
    odd.kloes["retired-kloe"] = KloeRecord(level=3, strengths="kept")
    with open_store(store_url) as store:
        store.save(odd, based_on=None)
        assert store.load(KEY).assessment.kloes["retired-kloe"].strengths == "kept"


# -- two notebooks, two processes ----------------------------------------------------------------


def test_a_stale_save_from_a_second_notebook_is_refused_naming_the_kloe_and_both_values(store_url):
    first = open_store(store_url)
    first.save(make(2), based_on=None)
    second = open_store(store_url)
    mine = second.load(KEY)
    theirs = first.save(make(3), based_on=1, author="alice")
    with pytest.raises(StaleRevisionError) as caught:
        second.save(changed(mine.assessment, level=4), based_on=mine.revision, author="bob")
    message = str(caught.value)
    assert message.startswith("NOT SAVED: hi-prospects council 00123 2008/09")
    assert "since you loaded revision 1" in message and "nothing was overwritten" in message
    assert f"KLOE track-record level: theirs 3 (revision 2 by alice at {theirs.saved_at}), yours 4" in message
    assert caught.value.current.revision == 2 and caught.value.current.assessment == make(3)
    [conflict] = caught.value.conflicts
    assert (conflict.path, conflict.base, conflict.theirs, conflict.mine) == ("kloes.track-record.level", 2, 3, 4)
    assert (conflict.their_revision, conflict.their_author) == (2, "alice")
    for store in (first, second):
        assert store.load(KEY).assessment.kloes["track-record"].level == 3
        assert len(store.history(KEY)) == 2
    first.close(), second.close()


def test_a_conflict_names_the_revision_that_changed_the_field_and_lists_their_other_changes(store_url):
    with open_store(store_url) as store:
        base = store.save(make(2), based_on=None).assessment
        store.save(changed(base, level=3), based_on=1, author="alice")
        store.save(changed(base, level=3, strengths="Tenant panel"), based_on=2, author="carol")
        with pytest.raises(StaleRevisionError) as caught:
            store.save(changed(base, level=1, evidence=[Evidence(note="x")]), based_on=1, author="bob")
    message = str(caught.value)
    assert "KLOE track-record level: theirs 3 (revision 2 by alice at " in message and "yours 1" in message
    assert "they also changed: KLOE track-record strengths" in message
    assert [c.path for c in caught.value.conflicts] == ["kloes.track-record.level"]


def test_a_stale_save_that_changes_other_fields_is_still_refused(store_url):
    with open_store(store_url) as store:
        base = store.save(make(2), based_on=None).assessment
        store.save(changed(base, level=3), based_on=1)
        with pytest.raises(StaleRevisionError, match="they also changed: KLOE track-record level") as caught:
            store.save(changed(base, strengths="mine"), based_on=1)
        assert caught.value.conflicts == []
        assert store.load(KEY).revision == 2


def test_a_stale_save_identical_to_what_is_stored_returns_the_current_revision(store_url):
    with open_store(store_url) as store:
        store.save(make(2), based_on=None)
        store.save(make(3), based_on=1)
        assert store.save(make(3), based_on=1).revision == 2
        assert len(store.history(KEY)) == 2


WRITER = textwrap.dedent(
    """
    import sys
    from kloe_nb.assessment import Assessment, KloeRecord, Organisation
    from kloe_nb.store import StaleRevisionError
    from kloe_nb.store import AssessmentKey, open_store
    path, level = sys.argv[1], int(sys.argv[2])
    with open_store(path) as store:
        stored = store.load(AssessmentKey("hi-prospects", "00123", "2008/09"))
        print("loaded", flush=True)
        sys.stdin.readline()
        doc = stored.assessment.model_copy(deep=True)
        doc.kloes["track-record"].level = level
        try:
            print("saved", store.save(doc, based_on=stored.revision, author=f"writer{level}").revision)
        except StaleRevisionError as error:
            print("refused", error.current.revision, error.conflicts[0].mine)
    """
)


def test_two_writer_processes_at_once_one_is_refused_and_nothing_is_lost(store_url):
    with open_store(store_url) as store:
        store.save(make(1), based_on=None)
    writers = {
        level: subprocess.Popen([sys.executable, "-c", WRITER, str(store_url), str(level)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for level in (3, 4)
    }
    for writer in writers.values():
        assert writer.stdout.readline().strip() == "loaded"
    for writer in writers.values():  # both go at once
        writer.stdin.write("\n")
        writer.stdin.flush()
    outputs = {level: writer.communicate(timeout=60)[0].strip() for level, writer in writers.items()}
    [winner] = [level for level, output in outputs.items() if output == "saved 2"]
    [loser] = [level for level in outputs if level != winner]
    assert outputs[loser] == f"refused 2 {loser}"  # told the current revision and shown its own value
    with open_store(store_url) as store:
        assert [r.saved_by for r in store.history(KEY)] == ["alice", f"writer{winner}"]
        assert store.load(KEY).assessment.kloes["track-record"].level == winner


def test_a_locked_store_gives_a_clear_busy_message(store_path):
    with open_store(store_path) as store:
        store.save(make(), based_on=None)
    blocker = sqlite3.connect(store_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        store = SQLiteStore(store_path, busy_timeout=0.2)
        started = time.monotonic()
        with pytest.raises(StoreBusyError) as caught:
            store.save(make(3), based_on=1)
        assert time.monotonic() - started >= 0.15  # it did retry
        assert str(caught.value) == (
            f"the store {store_path} is busy (another program is saving); retrying did not help within 0.2 s. Nothing was changed: try again in a moment."
        )
        assert store.load(KEY).revision == 1  # reading still works meanwhile (WAL)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert store.save(make(3), based_on=1).revision == 2  # and once it is free, the same save goes through
    store.close()


def test_a_store_locked_while_opening_is_busy_not_damaged(store_path):
    with open_store(store_path) as store:
        store.save(make(), based_on=None)
    blocker = sqlite3.connect(store_path, isolation_level=None)
    blocker.execute("PRAGMA journal_mode = DELETE")  # a rollback-journal store, as on a share
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreBusyError, match="is busy"):
            SQLiteStore(store_path, busy_timeout=0.2)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert corrupt_files(store_path.parent) == []
    with open_store(store_path) as store:
        assert store.load(KEY).revision == 1


def test_programs_opening_a_new_store_at_the_same_time_all_succeed(tmp_path):
    for round_number in range(3):
        path = tmp_path / f"new{round_number}.db"
        barrier, errors = threading.Barrier(4), []

        def opener(barrier: threading.Barrier = barrier, path: Path = path, errors: list[Exception] = errors) -> None:
            barrier.wait()
            try:
                SQLiteStore(path).close()
            except Exception as error:  # noqa: BLE001 - collected for the assertion
                errors.append(error)

        threads = [threading.Thread(target=opener) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert corrupt_files(tmp_path) == []
        assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == len(store_sqlite.MIGRATIONS)


# -- disk full, damaged files, backups -------------------------------------------------------------


def test_disk_full_rolls_back_and_keeps_the_previous_revision(store_path):
    store = SQLiteStore(store_path)
    store.save(make(2), based_on=None)
    pages = store._connection.execute("PRAGMA page_count").fetchone()[0]
    store._connection.execute(f"PRAGMA max_page_count = {pages}")  # the disk is now full for this writer
    big = make(3, strengths=os.urandom(45_000).hex())  # random: compression cannot make it fit
    with pytest.raises(StoreWriteError) as caught:
        store.save(big, based_on=1)
    assert str(caught.value).startswith(f"NOT SAVED: hi-prospects council 00123 2008/09 could not be saved in the store {store_path}: the disk is full")
    assert str(caught.value).endswith("(the previous revision 1 is intact)")
    with open_store(store_path) as other:  # a second connection sees revision 1, whole
        assert other.load(KEY).assessment == make(2) and len(other.history(KEY)) == 1
    store._connection.execute("PRAGMA max_page_count = 1073741823")  # space freed
    assert store.save(big, based_on=1).revision == 2  # the form retries the same save
    store.close()


def test_disk_full_on_a_new_assessment_stores_none_of_it(store_path):
    with open_store(store_path) as store:
        store.save(make(2), based_on=None)
        store._connection.execute(f"PRAGMA max_page_count = {store._connection.execute('PRAGMA page_count').fetchone()[0]}")
        with pytest.raises(StoreWriteError, match="NOT SAVED: .*nothing of it had been stored before"):
            store.save(make(3, code="00777", strengths=os.urandom(45_000).hex()), based_on=None)
        assert store.keys() == [KEY]


def _truncate_to_1000_bytes(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:1000])


def _truncate_at_a_page_boundary(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 // 4096 * 4096])


def _scribble_over_a_page(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[4096 * 2 : 4096 * 3] = bytes(range(256)) * 16
    path.write_bytes(bytes(data))


def _empty_it(path: Path) -> None:
    path.write_bytes(b"")


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (_truncate_to_1000_bytes, "truncated"),
        (_truncate_at_a_page_boundary, "malformed"),
        (_scribble_over_a_page, "malformed"),
        (_empty_it, "empty \\(0 bytes\\)"),
    ],
)
def test_a_damaged_store_is_set_aside_never_replaced_and_the_backup_offered(store_path, damage, reason):
    with open_store(store_path) as store:
        base = store.save(make(2, strengths="s" * 20_000), based_on=None).assessment
        for level in (3, 4, 1, 2, 3):  # enough pages for the damage to land on data
            base = store.save(changed(base, level=level, areas_for_improvement=f"a{level}" * 5000), based_on=store.load(KEY).revision).assessment
    with open_store(store_path):  # a healthy, non-empty store is backed up on open
        pass
    assert backup_path(store_path).exists()
    damage(store_path)
    damaged = store_path.read_bytes()
    with pytest.raises(CorruptStoreError, match=reason) as caught:
        open_store(store_path)
    message = str(caught.value)
    assert f"the store {store_path} is damaged" in message and "nothing was deleted" in message
    assert f"is {backup_path(store_path)}: restore it with kloe_nb.store.restore_backup" in message
    assert not store_path.exists()  # not replaced by an empty store
    [aside] = corrupt_files(store_path.parent)
    assert aside.read_bytes() == damaged and str(aside) in message
    restore_backup(store_path)
    with open_store(store_path) as store:
        assert store.load(KEY).revision == 6 and store.load(KEY).assessment == base


def test_a_text_file_in_place_of_the_store_is_set_aside_with_no_backup_to_offer(store_path):
    store_path.write_text("code,name\n1,Town\n")
    with pytest.raises(CorruptStoreError, match="not a SQLite database.*no backup"):
        open_store(store_path)
    [aside] = corrupt_files(store_path.parent)
    assert aside.read_text() == "code,name\n1,Town\n"
    assert not store_path.exists()


def test_restoring_a_backup_never_overwrites_a_store(store_path):
    with open_store(store_path) as store:
        store.save(make(), based_on=None)
    with open_store(store_path):
        pass
    with pytest.raises(CorruptStoreError, match="exists; move it away"):
        restore_backup(store_path)
    with pytest.raises(CorruptStoreError, match="no backup"):
        restore_backup(store_path.with_name("other.db"))


def test_the_backup_is_refreshed_on_open_only_when_it_is_old(store_path):
    with open_store(store_path) as store:  # a new store: nothing to back up yet
        store.save(make(2), based_on=None)
    assert not backup_path(store_path).exists()
    with open_store(store_path):
        pass
    backup = backup_path(store_path)
    first = backup.stat().st_mtime
    with open_store(store_path) as store:
        store.save(make(3), based_on=1)
    assert backup.stat().st_mtime == first  # fresh enough: not copied again
    old = time.time() - safety.BACKUP_EVERY_SECONDS - 60
    os.utime(backup, (old, old))
    with open_store(store_path):
        pass
    with sqlite3.connect(backup) as copy:
        assert copy.execute("SELECT current_revision FROM assessments").fetchone()[0] == 2
        assert copy.execute("PRAGMA quick_check").fetchone()[0] == "ok"


def test_an_empty_store_is_created_only_where_there_was_no_file(tmp_path):
    path = tmp_path / "sub" / "folder" / "kloe.db"
    with open_store(path) as store:
        assert store.keys() == []
    assert path.exists()


def test_restoring_a_backup_moves_stray_journal_files_aside(store_path):
    with open_store(store_path) as store:
        store.save(make(), based_on=None)
    with open_store(store_path):
        pass
    store_path.rename(store_path.with_name("elsewhere.db"))
    stray = store_path.with_name("kloe.db-wal")
    stray.write_bytes(b"left over")  # would otherwise be applied to the restored copy
    restore_backup(store_path)
    [orphan] = store_path.parent.glob("kloe.db-wal.orphan-*")
    assert orphan.read_bytes() == b"left over" and not stray.exists()
    with open_store(store_path) as store:
        assert store.load(KEY).revision == 1


# -- schema versions -----------------------------------------------------------------------------


def test_an_old_store_with_no_tables_and_user_version_0_is_migrated(store_path):
    sqlite3.connect(store_path).close()  # user_version 0, no tables
    with open_store(store_path) as store:
        assert store.save(make(), based_on=None).revision == 1
    assert sqlite3.connect(store_path).execute("PRAGMA user_version").fetchone()[0] == len(store_sqlite.MIGRATIONS)


def test_a_store_from_a_newer_version_is_refused_and_left_alone(store_path):
    with open_store(store_path) as store:
        store.save(make(), based_on=None)
    with sqlite3.connect(store_path) as connection:
        connection.execute("PRAGMA user_version = 99")
    before = store_path.read_bytes()
    with pytest.raises(
        IncompatibleStoreError,
        match=rf"written by a newer kloe-workbook \(schema version 99; this one knows up to {len(store_sqlite.MIGRATIONS)}\)\. "
        "Nothing was changed: upgrade kloe-workbook",
    ):
        open_store(store_path)
    assert store_path.read_bytes() == before and corrupt_files(store_path.parent) == []


def test_another_programs_database_is_not_taken_over(store_path):
    with sqlite3.connect(store_path) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER)")
    before = store_path.read_bytes()
    with pytest.raises(IncompatibleStoreError, match="not a kloe-workbook store \\(it has tables invoices\\)"):
        open_store(store_path)
    assert sqlite3.connect(store_path).execute("SELECT name FROM sqlite_master").fetchall() == [("invoices",)]
    # left exactly as it was: not switched to WAL, its change counter not bumped, no journal beside it
    assert store_path.read_bytes() == before and sorted(path.name for path in store_path.parent.iterdir()) == [store_path.name]


def test_a_database_of_another_application_is_left_byte_for_byte(store_path):
    with sqlite3.connect(store_path) as connection:
        connection.execute("PRAGMA application_id = 1234")
    before = store_path.read_bytes()
    with pytest.raises(IncompatibleStoreError, match=r"its application id is 0x4d2\)\. Nothing was changed"):
        open_store(store_path)
    assert store_path.read_bytes() == before and sorted(path.name for path in store_path.parent.iterdir()) == [store_path.name]


def test_a_new_migration_is_one_more_function_in_the_list(store_path, monkeypatch):
    with open_store(store_path) as store:
        store.save(make(), based_on=None)
    calls = []

    def migration_2(connection: sqlite3.Connection) -> None:
        calls.append(2)
        connection.execute("CREATE INDEX revisions_by_author ON revisions (saved_by)")

    monkeypatch.setattr(store_sqlite, "MIGRATIONS", [*store_sqlite.MIGRATIONS, migration_2])
    with open_store(store_path) as store:
        assert store.load(KEY).revision == 1
    with open_store(store_path):
        pass
    assert calls == [2]
    assert sqlite3.connect(store_path).execute("PRAGMA user_version").fetchone()[0] == len(store_sqlite.MIGRATIONS)


# -- network file systems -------------------------------------------------------------------------

MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
server:/export /mnt/team nfs4 rw,relatime 0 0
//nas/share /mnt/smb cifs rw 0 0
me@host:/data /home/me/remote fuse.sshfs rw 0 0
/dev/sdb1 /mnt/team/local\\040disk ext4 rw 0 0
remote: /home/me/gdrive fuse.rclone rw 0 0
/dev/sdc1 /media/usb fuseblk rw 0 0
"""


@pytest.mark.parametrize(
    ("path", "network"),
    [
        ("/mnt/team/kloe.db", True),
        ("/mnt/smb/sub/kloe.db", True),
        ("/home/me/remote/kloe.db", True),
        ("/home/me/gdrive/kloe.db", True),
        ("/home/me/kloe.db", False),
        ("/mnt/teamwork/kloe.db", False),  # a prefix of the name is not the mount point
        ("/mnt/team/local disk/kloe.db", False),  # longest mount point wins; \040 is a space
        ("/media/usb/kloe.db", False),
    ],
)
def test_network_shares_are_recognised(path, network):
    assert on_network_file_system(Path(path), MOUNTS) is network


def test_a_store_on_a_network_share_uses_the_rollback_journal_and_says_so(tmp_path, monkeypatch):
    mounts = tmp_path / "mounts"
    mounts.write_text(f"/dev/sda1 / ext4 rw 0 0\nserver:/export {tmp_path} nfs4 rw 0 0\n")
    monkeypatch.setattr(safety, "MOUNTS_FILE", mounts)
    assert file_system_type(tmp_path) == "nfs4"
    with pytest.warns(StoreWarning, match="network share.*WAL mode needs everyone .* on one machine.*local disk"):
        store = SQLiteStore(tmp_path / "kloe.db")
    with store:
        assert store.journal_mode == "delete"
        assert store.save(make(), based_on=None).revision == 1
    assert not (tmp_path / "kloe.db-wal").exists()


def test_a_local_store_uses_wal_without_a_warning(store_path, monkeypatch):
    mounts = store_path.with_name("mounts")
    mounts.write_text("/dev/sda1 / ext4 rw 0 0\n")
    monkeypatch.setattr(safety, "MOUNTS_FILE", mounts)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with open_store(store_path) as store:
            assert store.journal_mode == "wal"
            assert store._connection.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
            assert store._connection.execute("PRAGMA foreign_keys").fetchone()[0] == 1


# -- odd text, odd names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "emoji 😀🏴󠁧󠁢󠁷󠁬󠁳󠁿 👩🏽‍💻",
        "line one\r\nline two\r\n\ttabbed\r",
        "right-to-left \u202egnp.exe \u2066isolate\u2069 \u200bzero width",
        "long " + "ẞ" * 90_000,
        "<script>alert(1)</script></body> {{ jinja }} '; DROP TABLE revisions; --",
    ],
    ids=["emoji", "crlf", "rtl-override", "90kb", "hostile"],
)
def test_odd_text_round_trips_byte_for_byte(store_url, text):
    evidence = [Evidence(source="Inspection", reference=text, note=text)]
    with open_store(store_url) as store:
        store.save(make(3, strengths=text, evidence=evidence), based_on=None)
    with open_store(store_url) as store:
        record = store.load(KEY).assessment.kloes["track-record"]
        earlier = store.at_revision(KEY, 1).kloes["track-record"]
    assert record.strengths.encode("utf-8") == text.encode("utf-8")
    assert record.evidence[0].note.encode("utf-8") == text.encode("utf-8") == earlier.strengths.encode("utf-8")


def test_text_that_cannot_be_stored_is_refused_before_the_store_is_touched(store_url):
    with open_store(store_url) as store:
        saved = store.save(make(), based_on=None)
        with pytest.raises(ValidationError, match="NUL"):
            saved.assessment.kloes["track-record"].strengths = "a\x00b"
        with pytest.raises(ValidationError, match="lone surrogate"):
            make(strengths="\ud800")
        assert len(store.history(KEY)) == 1


def test_a_folder_given_as_the_store_is_refused_plainly(tmp_path):
    with pytest.raises(StoreError, match="is a folder; give the name of a file"):
        open_store(tmp_path)
    assert tmp_path.is_dir()


def test_open_store_takes_a_path_or_a_sqlite_address(tmp_path):
    with open_store(f"sqlite:{tmp_path / 'a.db'}") as store:
        assert store.path == tmp_path / "a.db"
    with open_store(f"sqlite://{tmp_path / 'b.db'}") as store:
        assert store.path == tmp_path / "b.db"
    with pytest.raises(StoreError, match="unknown kind of store 'mysql'"):
        open_store("mysql://db.example/kloe")
    assert issubclass(StoreError, KloeError)


# -- a store opened read-only (issue 12 item 16) ---------------------------------------------------------
def test_a_read_only_store_reads_and_refuses_to_save_leaving_the_file_as_it_was(store_url):
    with open_store(store_url) as store:
        store.save(make(), based_on=None)
    before = Path(store_url).read_bytes() if not is_server(store_url) else None
    with open_store(store_url, read_only=True) as store:
        assert store.load(KEY).assessment.kloes["track-record"].level == 2
        with pytest.raises(StoreWriteError, match="opened read-only, so nothing was saved"):
            store.save(changed(make(), level=3), based_on=1)
    if before is not None:
        assert Path(store_url).read_bytes() == before
    with open_store(store_url) as store:
        assert store.load(KEY).revision == 1


def test_a_read_only_store_that_does_not_exist_is_not_created(tmp_path):
    missing = tmp_path / "missing.db"
    with pytest.raises(NotFoundError, match="no assessment store at"):
        open_store(missing, read_only=True)
    assert list(tmp_path.iterdir()) == []


def test_a_store_on_a_read_only_mount_opens_read_only_and_says_why_it_cannot_save(tmp_path):
    from mounts import read_only_view

    folder = tmp_path / "share"
    folder.mkdir()
    with open_store(folder / "kloe.db") as store:
        store.save(make(), based_on=None)
    with read_only_view(folder) as view:
        with open_store(view / "kloe.db", read_only=True) as store:
            assert store.load(KEY).revision == 1
        with pytest.raises(StoreWriteError, match="in a folder that cannot be written") as raised:
            open_store(view / "kloe.db")
        assert "Nothing was changed" in str(raised.value)
    assert sorted(path.name for path in folder.iterdir()) == ["kloe.db"]
