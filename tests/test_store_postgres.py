"""PostgreSQL's own faults (issue 13): a server stopped, a connection dropped, a wrong password or
database, machines saving and creating at the same moment, roles that may only read, schema versions.

Every test runs against the real throwaway server of tests/pgserver.py (the contract shared with
SQLite is in test_store.py). The password is never in any message.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
import time

import psycopg
import pytest
from builders import FAST
from pgserver import PASSWORD

from kloe_nb.assessment import Assessment, KloeRecord, Organisation
from kloe_nb.errors import IncompatibleStoreError, NotFoundError, StoreBusyError, StoreError, StoreWriteError
from kloe_nb.form.autosave import SaveTiming
from kloe_nb.form.session import FormSession
from kloe_nb.framework.loader import load_framework_by_id
from kloe_nb.store import AssessmentKey, StaleRevisionError, open_store, revision_codec, revision_rows
from kloe_nb.store import postgres as store_postgres
from kloe_nb.store.address import display
from kloe_nb.store.postgres import PostgreSQLStore

KEY = AssessmentKey("hi-prospects", "00123", "2008/09")
FORM_KEY = AssessmentKey("ac-benefits", "00123", "")


def make(level: int | None = 2) -> Assessment:
    return Assessment(
        framework="hi-prospects",
        organisation=Organisation(code="00123", name="Ynys Môn"),
        period="2008/09",
        assessor="alice",
        kloes={"track-record": KloeRecord(level=level)},
    )


def encoded(number: int, assessment: Assessment) -> tuple[bool, bytes, int, bytes]:
    """(snapshot, body, document_crc, changes) of a revision written as another machine's save writes it: a full copy."""
    text = assessment.model_dump_json()
    stored = revision_codec.encode(number, None, json.loads(text), text)
    return stored.snapshot, stored.body, stored.crc, revision_rows.pack_changes([])


def wait_for(predicate, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise AssertionError("timed out")
        time.sleep(0.01)


def backend_waiting_on_a_lock(admin: psycopg.Connection, pid: int) -> bool:  # type: ignore[type-arg]
    row = admin.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
    return row is not None and row[0] == "Lock"


# -- connecting -------------------------------------------------------------------------------------


def test_a_password_in_the_url_never_shows(pg_server):
    database = pg_server.new_database()
    url = pg_server.url(database, password=PASSWORD)
    with open_store(url) as store:
        store.save(make(), based_on=None)
        assert store.path == f"postgresql://kloe_admin@127.0.0.1:{pg_server.port}/{database}"
        assert PASSWORD not in repr(store) and PASSWORD not in str(store.path)
        with pytest.raises(StaleRevisionError) as stale:
            store.save(make(3), based_on=None)
        with pytest.raises(NotFoundError) as missing:
            store.load(AssessmentKey("hi-prospects", "99999"))
    assert PASSWORD not in str(stale.value) and PASSWORD not in str(missing.value)
    assert display(url) == f"postgresql://kloe_admin@127.0.0.1:{pg_server.port}/{database}"
    assert display(f"{url}?sslmode=require&password=x") == f"postgresql://kloe_admin@127.0.0.1:{pg_server.port}/{database}?sslmode=require"


def test_a_wrong_password_names_server_database_and_role_never_the_password(pg_server):
    database = pg_server.new_database()
    with pytest.raises(StoreError) as caught:
        open_store(pg_server.url(database, password="Wr0ng-Secret"))
    message = str(caught.value)
    assert message == (
        f"the store postgresql://kloe_admin@127.0.0.1:{pg_server.port}/{database} could not be opened: the server refused the "
        f"password of the role 'kloe_admin' for database '{database}' on the PostgreSQL server 127.0.0.1:{pg_server.port}: "
        "check the password in ~/.pgpass (or PGPASSWORD); put none in the store's URL"
    )
    assert "Wr0ng-Secret" not in message and PASSWORD not in message


def test_a_missing_database_and_a_stopped_port_are_said_plainly(pg_server):
    with pytest.raises(StoreError, match=f"the PostgreSQL server 127.0.0.1:{pg_server.port} has no database 'nowhere': check the name, or create it"):
        open_store(pg_server.url("nowhere"))
    with pytest.raises(StoreError, match="could not reach database 'kloe' on the PostgreSQL server 127.0.0.1:9 .*is the server running"):
        open_store("postgresql://kloe_admin:pw@127.0.0.1:9/kloe")


def test_the_command_line_says_a_wrong_password_in_one_line_without_a_traceback(pg_server):
    database = pg_server.new_database()
    with open_store(pg_server.url(database)) as store:
        store.save(make(), based_on=None)
    for url in (pg_server.url(database, password="Wr0ng-Secret"), pg_server.url("nowhere", password="Wr0ng-Secret")):
        result = subprocess.run(
            [sys.executable, "-m", "kloe_nb.cli.main", "--store", url, "score", "--framework", "hi-prospects", "--org", "00123"],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr and "Wr0ng-Secret" not in result.stderr + result.stdout
        assert result.stderr.startswith("kloe: the store postgresql://kloe_admin@127.0.0.1:")
        assert "'nowhere'" in result.stderr or f"'{database}'" in result.stderr


# -- faults while saving ----------------------------------------------------------------------------


def test_the_server_stopped_during_a_save_loop_says_not_saved_keeps_the_edit_and_saves_when_back(pg_server, pg_url):
    framework = load_framework_by_id("ac-benefits").framework
    session = FormSession(framework, open_store(pg_url), FORM_KEY, council_name="Ynys Môn", assessor="alice", owns_store=True, timing=FAST)
    try:
        session.set_level("2.1", 2)
        assert session.flush().state == "saved"
        pg_server.stop()
        try:
            session.set_level("2.1", 3)
            status = session.flush()
            assert status.state == "error" and status.message.startswith("NOT SAVED")
            assert "PostgreSQL server 127.0.0.1" in status.message and "kept" in status.message and "retrying" in status.message
            time.sleep(0.3)  # a few retries while the server is down
            assert session.status.state == "error" and session.record("2.1").level == 3
        finally:
            pg_server.start()
        wait_for(lambda: session.status.state == "saved")
    finally:
        session.close()
    with open_store(pg_url) as store:
        stored = store.load(FORM_KEY)
        assert stored.revision == 2 and stored.assessment.kloes["2.1"].level == 3
        assert [r.number for r in store.history(FORM_KEY)] == [1, 2]  # only whole revisions


def test_a_connection_dropped_mid_transaction_keeps_the_previous_revision_and_the_next_save_works(pg_server, pg_url):
    with open_store(pg_url) as store:
        store.save(make(2), based_on=None)
        pid = store._connection.info.backend_pid
        with pg_server.admin(pg_url.rsplit("/", 1)[1]) as admin, psycopg.connect(pg_url) as blocker:
            blocker.execute("SELECT 1 FROM assessments FOR UPDATE")  # holds the row: our save waits inside its transaction
            errors: list[BaseException] = []
            saver = threading.Thread(target=lambda: _collect(errors, lambda: store.save(make(3), based_on=1)))
            saver.start()
            wait_for(lambda: backend_waiting_on_a_lock(admin, pid))
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            saver.join(10)
            blocker.rollback()
        [error] = errors
        assert isinstance(error, StoreWriteError)
        assert str(error).startswith("NOT SAVED: hi-prospects council 00123 2008/09 could not be saved in the store postgresql://kloe_admin@")
        assert "the connection to the database" in str(error) and "was lost" in str(error) and str(error).endswith("(what the store had is intact)")
        assert store.load(KEY).revision == 1  # a new connection, the old revision whole
        assert store.save(make(3), based_on=1).revision == 2


def _collect(errors: list[BaseException], call) -> None:  # type: ignore[no-untyped-def]
    try:
        call()
    except BaseException as error:  # noqa: BLE001 - handed to the test
        errors.append(error)


def test_an_assessment_held_by_another_transaction_is_busy_not_lost(pg_url, monkeypatch):
    monkeypatch.setattr(store_postgres, "LOCK_TIMEOUT_SECONDS", 0.3)
    with open_store(pg_url) as store:
        store.save(make(2), based_on=None)
        with psycopg.connect(pg_url) as blocker:
            blocker.execute("SELECT 1 FROM assessments FOR UPDATE")
            with pytest.raises(StoreBusyError, match="is busy .*Nothing was changed: try again"):
                store.save(make(3), based_on=1)
            assert store.load(KEY).revision == 1  # reading is never blocked
        assert store.save(make(3), based_on=1).revision == 2


def test_a_save_waiting_for_another_machines_save_is_refused_when_that_one_commits(pg_url):
    with open_store(pg_url) as store, psycopg.connect(pg_url) as other:
        store.save(make(2), based_on=None)
        # another machine's save, halfway: row locked, revision 2 written, not yet committed
        (assessment_id,) = other.execute("SELECT id FROM assessments FOR UPDATE").fetchone()
        theirs = encoded(2, make(4))
        other.execute(
            "INSERT INTO revisions SELECT assessment_id, 2, 1, saved_at, 'bob', framework, framework_version, framework_sha256, "
            "%s, %s, %s, %s FROM revisions WHERE assessment_id = %s",
            (*theirs, assessment_id),
        )
        other.execute("UPDATE assessments SET current_revision = 2, document = %s", (revision_codec.pack(make(4).model_dump_json().encode()),))
        errors: list[BaseException] = []
        saver = threading.Thread(target=lambda: _collect(errors, lambda: store.save(make(3), based_on=1, author="carol")))
        saver.start()
        time.sleep(0.3)
        assert saver.is_alive()  # waiting for the row
        other.commit()
        saver.join(10)
        [error] = errors
        assert isinstance(error, StaleRevisionError) and error.current.revision == 2 and error.current.saved_by == "bob"
        assert [(c.theirs, c.mine) for c in error.conflicts] == [(4, 3)]


@pytest.mark.parametrize("theirs_commit", [True, False])
def test_creating_an_assessment_another_machine_is_creating_gives_one_winner(pg_url, theirs_commit):
    with open_store(pg_url) as store, psycopg.connect(pg_url) as other:
        other.execute("INSERT INTO assessments (framework, org_code, period, track, current_revision) VALUES ('hi-prospects', '00123', '2008/09', '', 1)")
        other.execute(
            "INSERT INTO revisions VALUES (currval('assessments_id_seq'), 1, NULL, '2026-01-01T00:00:00.000+00:00', 'bob', 'hi-prospects', '', '', "
            "%s, %s, %s, %s)",
            encoded(1, make(4)),
        )
        outcome: list[object] = []
        saver = threading.Thread(target=lambda: _collect(outcome, lambda: outcome.append(store.save(make(3), based_on=None))))
        saver.start()
        time.sleep(0.3)
        assert saver.is_alive()  # waiting at the unique key
        other.commit() if theirs_commit else other.rollback()
        saver.join(10)
        [result] = outcome
        if theirs_commit:
            assert isinstance(result, StaleRevisionError) and "already in the store" in str(result) and "revision 1 by bob" in str(result)
            assert store.load(KEY).assessment.kloes["track-record"].level == 4
        else:
            assert result.revision == 1 and store.load(KEY).assessment.kloes["track-record"].level == 3


CREATOR = textwrap.dedent(
    """
    import sys
    from kloe_nb.assessment import Assessment, KloeRecord, Organisation
    from kloe_nb.store import StaleRevisionError, open_store
    url, level = sys.argv[1], int(sys.argv[2])
    doc = Assessment(framework="hi-prospects", organisation=Organisation(code="00123", name="Ynys Môn"), period="2008/09",
                     assessor=f"writer{level}", kloes={"track-record": KloeRecord(level=level)})
    with open_store(url) as store:
        print("ready", flush=True)
        sys.stdin.readline()
        try:
            print("saved", store.save(doc, based_on=None).revision)
        except StaleRevisionError as error:
            print("refused", error.current.revision)
    """
)


def test_two_machines_creating_the_same_assessment_at_once_one_wins(pg_url):
    for _round in range(3):
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute("DROP TABLE IF EXISTS revisions, assessments, kloe_store")
        writers = {
            level: subprocess.Popen([sys.executable, "-c", CREATOR, pg_url, str(level)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            for level in (3, 4)
        }
        for writer in writers.values():
            assert writer.stdout.readline().strip() == "ready"
        for writer in writers.values():
            writer.stdin.write("\n")
            writer.stdin.flush()
        outputs = sorted(writer.communicate(timeout=60)[0].strip() for writer in writers.values())
        assert outputs == ["refused 1", "saved 1"]
        with open_store(pg_url) as store:
            assert len(store.history(KEY)) == 1


SAVER = textwrap.dedent(
    """
    import sys
    from kloe_nb.store import AssessmentKey, open_store
    with open_store(sys.argv[1]) as store:
        stored = store.load(AssessmentKey("ac-benefits", "00123", ""))
        doc = stored.assessment.model_copy(deep=True)
        doc.kloes["2.1"].level = 4
        print(store.save(doc, based_on=stored.revision, author="bob").revision)
    """
)


def test_a_form_on_one_connection_is_refused_a_stale_save_after_another_process_saved(pg_url):
    framework = load_framework_by_id("ac-benefits").framework
    session = FormSession(framework, open_store(pg_url), FORM_KEY, council_name="Ynys Môn", assessor="alice", owns_store=True, timing=SaveTiming(interval=60))
    try:
        session.set_level("2.1", 2)
        assert session.flush().state == "saved"
        other = subprocess.run([sys.executable, "-c", SAVER, pg_url], capture_output=True, text=True, timeout=60)
        assert other.stdout.strip() == "2", other.stderr
        session.set_level("2.1", 3)
        status = session.flush()
        assert status.state == "conflict" and status.message.startswith("NOT SAVED") and "nothing was overwritten" in status.message
        assert "bob" in status.message and "KLOE 2.1 level" in status.message
        assert [(c.theirs, c.mine) for c in status.conflicts] == [(4, 3)]
    finally:
        session.close()
    with open_store(pg_url) as store:
        assert store.load(FORM_KEY).assessment.kloes["2.1"].level == 4 and store.load(FORM_KEY).revision == 2


# -- read-only, roles --------------------------------------------------------------------------------


def test_a_read_only_store_cannot_write_even_through_its_connection(pg_url):
    with open_store(pg_url) as store:
        store.save(make(), based_on=None)
    with open_store(pg_url, read_only=True) as store:
        with pytest.raises(StoreWriteError, match="opened read-only, so nothing was saved"):
            store.save(make(3), based_on=1)
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            store._connection.execute("UPDATE assessments SET current_revision = 5")


def test_opening_an_empty_database_read_only_creates_nothing(pg_url):
    with pytest.raises(NotFoundError, match="no assessment store in the database .*kloe store init"):
        open_store(pg_url, read_only=True)
    with psycopg.connect(pg_url) as connection:
        assert connection.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone() == (0,)


def test_a_reader_role_can_read_but_not_save_and_is_told_plainly(pg_server, pg_url):
    role = f"reader_{pg_url.rsplit('_', 1)[1]}"
    pg_server.new_role(role, "Re4der-pw")
    with open_store(pg_url) as store:
        store.save(make(), based_on=None)
        assert store.grant(reader=role) == [f"{role} may only read"]
    reader_url = pg_url.replace("kloe_admin@", f"{role}@")
    with open_store(reader_url, read_only=True) as store:
        assert store.load(KEY).revision == 1
    with open_store(reader_url) as store:  # opened for saving (the form): the save is refused, plainly
        with pytest.raises(StoreWriteError) as caught:
            store.save(make(3), based_on=1)
    message = str(caught.value)
    assert message.startswith("NOT SAVED: hi-prospects council 00123 2008/09 could not be saved in the store postgresql://")
    assert f"the role {role!r} may only read this store" in message and f"--writer {role}" in message
    assert "Re4der-pw" not in message


def test_a_role_that_may_not_create_tables_is_told_who_can(pg_server, pg_url):
    role = f"nobody_{pg_url.rsplit('_', 1)[1]}"
    pg_server.new_role(role, "N0body-pw")
    with pytest.raises(StoreError, match=f"the role '{role}' may not create its tables .*Nothing was changed: have the database's owner run 'kloe store init"):
        open_store(pg_url.replace("kloe_admin@", f"{role}@"))


# -- schema versions ---------------------------------------------------------------------------------


def test_programs_opening_a_new_database_at_the_same_time_all_succeed(pg_url):
    barrier, errors = threading.Barrier(4), []

    def opener() -> None:
        barrier.wait()
        try:
            PostgreSQLStore(pg_url).close()
        except Exception as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)

    threads = [threading.Thread(target=opener) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with psycopg.connect(pg_url) as connection:
        assert connection.execute("SELECT schema_version FROM kloe_store").fetchall() == [(len(store_postgres.MIGRATIONS),)]


def test_a_store_from_a_newer_version_is_refused_and_left_alone(pg_url):
    with open_store(pg_url) as store:
        store.save(make(), based_on=None)
    with psycopg.connect(pg_url) as connection:
        connection.execute("UPDATE kloe_store SET schema_version = 99")
    for read_only in (False, True):
        with pytest.raises(
            IncompatibleStoreError, match=rf"written by a newer kloe-workbook \(schema version 99; this one knows up to {len(store_postgres.MIGRATIONS)}\)"
        ):
            open_store(pg_url, read_only=read_only)
    with psycopg.connect(pg_url) as connection:
        assert connection.execute("SELECT schema_version FROM kloe_store").fetchone() == (99,)


def test_another_applications_tables_are_not_taken_over(pg_url):
    with psycopg.connect(pg_url) as connection:
        connection.execute("CREATE TABLE assessments (id INTEGER)")
    with pytest.raises(IncompatibleStoreError, match="already has tables named assessments that are not a kloe-workbook store's. Nothing was changed"):
        open_store(pg_url)
    with psycopg.connect(pg_url) as connection:
        assert connection.execute("SELECT to_regclass('kloe_store')").fetchone() == (None,)


def test_a_new_migration_is_one_more_function_in_the_list(pg_url, monkeypatch):
    with open_store(pg_url) as store:
        store.save(make(), based_on=None)
    calls = []

    shipped = len(store_postgres.MIGRATIONS)

    def migration_next(cursor) -> None:  # type: ignore[no-untyped-def]
        calls.append(shipped + 1)
        cursor.execute("CREATE INDEX revisions_by_author ON revisions (saved_by)")

    monkeypatch.setattr(store_postgres, "MIGRATIONS", [*store_postgres.MIGRATIONS, migration_next])
    with pytest.raises(IncompatibleStoreError, match=f"has schema version {shipped} and this kloe-workbook reads version {shipped + 1}"):
        open_store(pg_url, read_only=True)  # a reader never migrates
    with open_store(pg_url) as store:
        assert store.load(KEY).revision == 1
    with open_store(pg_url):
        pass
    assert calls == [shipped + 1]
    with psycopg.connect(pg_url) as connection:
        assert connection.execute("SELECT schema_version FROM kloe_store").fetchone() == (shipped + 1,)
