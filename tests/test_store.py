"""The SQLite store: revisions, stale saves refused, faults survived (RELIABILITY.md 8, 10, 18-21)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap

import pytest

from kloe_nb.assessment import Assessment, Evidence, FrameworkVersion, KloeRecord, Organisation
from kloe_nb.errors import CorruptStoreError, NotFoundError, StaleRevisionError, StoreBusyError, StoreError, StoreWriteError
from kloe_nb.store import AssessmentKey, StoreWarning, open_store, restore_backup
from kloe_nb.store.safety import backup_path, on_network_file_system, refresh_backup
from kloe_nb.store.sqlite import SQLiteStore

KEY = AssessmentKey("hi-prospects", "00123", "2008/09")


def make(level: int | None = 2, **fields) -> Assessment:
    return Assessment(
        framework="hi-prospects",
        organisation=Organisation(code="00123", name="Ynys Môn"),
        period="2008/09",
        assessor="alice",
        kloes={"track-record": KloeRecord(level=level, **fields)},
    )


@pytest.fixture
def store_path(tmp_path):
    return tmp_path / "kloe.db"


def test_create_load_and_codes_keep_leading_zeros(store_path):
    with open_store(store_path) as store:
        saved = store.save(make(), based_on=None)
        assert saved.revision == 1 and saved.saved_by == "alice"
    with open_store(store_path) as store:
        loaded = store.load(KEY)
    assert loaded.assessment == make() and loaded.revision == 1
    assert loaded.assessment.organisation.code == "00123"


def test_missing_assessment_names_it(store_path):
    with open_store(store_path) as store, pytest.raises(NotFoundError, match="no assessment for hi-prospects 00123 2008/09"):
        store.load(KEY)


def test_every_save_adds_a_revision_with_who_when_and_what(store_path):
    with open_store(store_path) as store:
        store.save(make(2), based_on=None)
        store.save(make(3), based_on=1, author="bob")
        store.save(make(3, strengths="Clear plans"), based_on=2)
        history = store.history(KEY)
    assert [(r.number, r.saved_by, r.based_on) for r in history] == [(1, "alice", None), (2, "bob", 1), (3, "alice", 2)]
    assert [(c.path, c.before, c.after) for c in history[1].changes] == [("kloes.track-record.level", 2, 3)]
    assert [(c.path, c.after) for c in history[2].changes] == [("kloes.track-record.strengths", "Clear plans")]
    assert all(r.saved_at.endswith("+00:00") for r in history)


def test_an_unchanged_save_adds_nothing(store_path):
    with open_store(store_path) as store:
        store.save(make(), based_on=None)
        assert store.save(make(), based_on=1).revision == 1
        assert len(store.history(KEY)) == 1


def test_restore_adds_a_new_revision_and_keeps_history(store_path):
    with open_store(store_path) as store:
        store.save(make(2), based_on=None)
        store.save(make(4), based_on=1)
        restored = store.restore(KEY, 1, based_on=2, author="carol")
        assert restored.revision == 3 and restored.assessment.kloes["track-record"].level == 2
        assert store.at_revision(KEY, 2).kloes["track-record"].level == 4
        with pytest.raises(NotFoundError, match="has no revision 9"):
            store.at_revision(KEY, 9)


def test_a_stale_save_from_a_second_notebook_is_refused_naming_the_kloe_and_both_values(store_path):
    first, second = SQLiteStore(store_path), None
    first.save(make(2), based_on=None)
    second = SQLiteStore(store_path)
    base = second.load(KEY).revision
    first.save(make(3), based_on=1, author="alice")
    with pytest.raises(StaleRevisionError) as caught:
        second.save(make(4), based_on=base, author="bob")
    message = str(caught.value)
    assert "NOT SAVED" in message and "nothing was overwritten" in message
    assert "kloes.track-record.level: theirs 3 (revision 2 by alice" in message and "yours 4" in message
    assert caught.value.current.revision == 2
    assert caught.value.conflicts == [("kloes.track-record.level", 3, 4)]
    assert first.load(KEY).assessment.kloes["track-record"].level == 3
    first.close(), second.close()


def test_creating_an_assessment_that_exists_is_refused(store_path):
    with open_store(store_path) as store:
        store.save(make(), based_on=None)
        with pytest.raises(StaleRevisionError, match="already in the store"):
            store.save(make(3), based_on=None)


WRITER = textwrap.dedent(
    """
    import sys
    from kloe_nb.assessment import Assessment, KloeRecord, Organisation
    from kloe_nb.errors import StaleRevisionError
    from kloe_nb.store import open_store
    path, level = sys.argv[1], int(sys.argv[2])
    with open_store(path) as store:
        base = store.load(__import__("kloe_nb.store", fromlist=["AssessmentKey"]).AssessmentKey("hi-prospects", "00123", "2008/09")).revision
        sys.stdout.write("loaded\\n"); sys.stdout.flush()
        sys.stdin.readline()
        doc = Assessment(framework="hi-prospects", organisation=Organisation(code="00123", name="Ynys Môn"), period="2008/09",
                         assessor="alice", kloes={"track-record": KloeRecord(level=level)})
        try:
            print("saved", store.save(doc, based_on=base).revision)
        except StaleRevisionError:
            print("refused")
    """
)


def test_two_writer_processes_one_is_refused_and_nothing_is_lost(store_path):
    with open_store(store_path) as store:
        store.save(make(1), based_on=None)
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(store_path), str(level)], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True) for level in (3, 4)]
    for writer in writers:
        assert writer.stdout.readline().strip() == "loaded"
    outputs = []
    for writer in writers:
        writer.stdin.write("\n")
        writer.stdin.flush()
        outputs.append(writer.communicate(timeout=30)[0].strip())
    assert sorted(outputs) == ["refused", "saved 2"]
    with open_store(store_path) as store:
        assert len(store.history(KEY)) == 2
        assert store.load(KEY).assessment.kloes["track-record"].level == (3 if outputs[0] == "saved 2" else 4)


def test_a_locked_store_gives_a_clear_busy_message(store_path):
    with open_store(store_path) as store:
        store.save(make(), based_on=None)
    blocker = sqlite3.connect(store_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        store = SQLiteStore(store_path, busy_timeout=0.2)
        with pytest.raises(StoreBusyError, match="is busy .* Nothing was changed; try again"):
            store.save(make(3), based_on=1)
        store.close()
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


def test_disk_full_rolls_back_and_keeps_the_previous_revision(store_path):
    store = SQLiteStore(store_path)
    store.save(make(2), based_on=None)
    pages = store._connection.execute("PRAGMA page_count").fetchone()[0]
    store._connection.execute(f"PRAGMA max_page_count = {pages}")
    big = make(3, strengths="x" * 90_000)
    with pytest.raises(StoreWriteError, match="NOT SAVED: .* full.* the previous revision is intact"):
        store.save(big, based_on=1)
    store._connection.execute("PRAGMA max_page_count = 1073741823")
    assert store.load(KEY).revision == 1
    assert store.save(big, based_on=1).revision == 2  # once space returns the same save succeeds
    store.close()


def test_a_corrupt_store_is_set_aside_never_replaced_and_the_backup_offered(store_path):
    with open_store(store_path) as store:
        store.save(make(2), based_on=None)
    with open_store(store_path) as store:  # a healthy, non-empty store is backed up on open
        pass
    assert backup_path(store_path).exists()
    store_path.write_bytes(store_path.read_bytes()[:1000])  # truncated
    for suffix in ("-wal", "-shm"):
        store_path.with_name(store_path.name + suffix).unlink(missing_ok=True)
    with pytest.raises(CorruptStoreError) as caught:
        open_store(store_path)
    message = str(caught.value)
    assert str(store_path) in message and "moved aside" in message and "nothing was deleted" in message
    assert f"{backup_path(store_path)}: copy it to {store_path}" in message
    assert not store_path.exists()
    assert len([p for p in store_path.parent.glob("kloe.db.corrupt-*") if not p.name.endswith(("-wal", "-shm"))]) == 1
    restore_backup(store_path)
    with open_store(store_path) as store:
        assert store.load(KEY).assessment.kloes["track-record"].level == 2


def test_a_text_file_in_place_of_the_store_is_refused(store_path):
    store_path.write_text("code,name\n1,Town\n")
    with pytest.raises(CorruptStoreError, match="not a SQLite database.*no backup"):
        open_store(store_path)
    assert list(store_path.parent.glob("kloe.db.corrupt-*"))[0].read_text() == "code,name\n1,Town\n"


def test_a_store_from_a_newer_version_is_refused(store_path):
    connection = sqlite3.connect(store_path)
    connection.execute("PRAGMA user_version = 99")
    connection.close()
    with pytest.raises(StoreError, match="written by a newer kloe-workbook \\(schema 99"):
        open_store(store_path)
    assert store_path.exists()


def test_an_empty_old_version_store_is_migrated(store_path):
    sqlite3.connect(store_path).close()  # user_version 0, no tables
    with open_store(store_path) as store:
        assert store.save(make(), based_on=None).revision == 1
    assert sqlite3.connect(store_path).execute("PRAGMA user_version").fetchone()[0] == 1


def test_network_shares_are_recognised():
    mounts = "server:/export /mnt/team nfs4 rw 0 0\n/dev/sda1 / ext4 rw 0 0\n//nas/share /mnt/smb cifs rw 0 0\n"
    from pathlib import Path

    assert on_network_file_system(Path("/mnt/team/kloe.db"), mounts)
    assert on_network_file_system(Path("/mnt/smb/sub/kloe.db"), mounts)
    assert not on_network_file_system(Path("/home/me/kloe.db"), mounts)


@pytest.mark.parametrize(
    "text",
    ["emoji 😀🏴", "line one\r\nline two\r\n", "right-to-left \u202egnp.exe", "x" * 90_000, "<script>alert(1)</script> {{ x }}"],
)
def test_odd_text_round_trips_byte_for_byte(store_path, text):
    evidence = [Evidence(source="Inspection", reference=text, note=text)]
    with open_store(store_path) as store:
        store.save(make(3, strengths=text, evidence=evidence), based_on=None)
    with open_store(store_path) as store:
        record = store.load(KEY).assessment.kloes["track-record"]
    assert record.strengths == text and record.evidence[0].note == text


def test_the_framework_version_is_recorded(store_path):
    stamped = make().model_copy(update={"framework_version": FrameworkVersion(version="1", sha256="ab" * 32)})
    with open_store(store_path) as store:
        store.save(stamped, based_on=None)
        assert store.load(KEY).assessment.framework_version.sha256 == "ab" * 32
        row = store._connection.execute("SELECT framework_version, framework_sha256 FROM revisions").fetchone()
    assert row == ("1", "ab" * 32)


def test_latest_revisions_for_resume(store_path):
    with open_store(store_path) as store:
        store.save(make(2), based_on=None)
        store.save(make(3), based_on=1)
        latest = store.latest_revisions("hi-prospects")
    assert list(latest) == [KEY] and latest[KEY][0] == 2
