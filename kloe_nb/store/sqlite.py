"""The SQLite store: one file, every save a transaction adding a revision, stale saves refused.

WAL mode with ``synchronous=FULL``: a save is durable once it returns, and a process killed
in the middle of one leaves the previous revision intact (SQLite's journal guarantees it;
tests/test_store_killed.py kills writers to check). On a network share the rollback journal
is used instead, with a warning. The schema is versioned with ``PRAGMA user_version``;
``MIGRATIONS`` lists the steps in order (migration N takes a store from version N-1 to N).

A revision row holds what changed, not the whole document again: a delta against the
previous revision, with a full copy every ``revision_codec.SNAPSHOT_EVERY`` revisions
(``revision_codec`` says how and why), its change list packed, and the CRC-32 of its
document. The current document is also kept whole (compressed) on the assessments row, so
loading and saving never rebuild it; any other revision is rebuilt from at most
``SNAPSHOT_EVERY - 1`` deltas.

Every sqlite3 error is turned into a ``StoreError`` a person can act on: a locked store
(``StoreBusyError``), a failed write (``StoreWriteError``, nothing changed), a damaged file
(``CorruptStoreError``, set aside on open), a store this version cannot use
(``IncompatibleStoreError``).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from kloe_nb.assessment.fields import FieldChange, changed_fields
from kloe_nb.assessment.model import Assessment
from kloe_nb.errors import (
    CorruptStoreError,
    IncompatibleStoreError,
    NotFoundError,
    StoreBusyError,
    StoreError,
    StoreWriteError,
)
from kloe_nb.store import revision_codec, revision_rows, stale
from kloe_nb.store.base import AssessmentKey, ImportedRevision, RevisionInfo, StaleRevisionError, StoredAssessment, login_name
from kloe_nb.store.common import RevisionStore
from kloe_nb.store.safety import (
    backup_offer,
    header_problem,
    on_network_file_system,
    refresh_backup,
    set_aside,
)

BUSY_TIMEOUT_SECONDS = 5.0
#: Marks the file as a kloe-workbook store (``PRAGMA application_id``; "KLOE" in ASCII).
APPLICATION_ID = 0x4B4C4F45


class StoreWarning(UserWarning):
    """Something about where or how the store is kept that its users should know."""


# -- schema -------------------------------------------------------------------------------------


def _migration_1(connection: sqlite3.Connection) -> None:
    """The initial schema: one row per assessment, one per revision (the full document each time)."""
    _run_statements(
        connection,
        """
        CREATE TABLE assessments (
            id INTEGER PRIMARY KEY,
            framework TEXT NOT NULL,
            org_code TEXT NOT NULL,
            period TEXT NOT NULL DEFAULT '',
            track TEXT NOT NULL DEFAULT '',
            current_revision INTEGER NOT NULL,
            UNIQUE (framework, org_code, period, track)
        );
        CREATE TABLE revisions (
            assessment_id INTEGER NOT NULL REFERENCES assessments (id),
            number INTEGER NOT NULL CHECK (number >= 1),
            based_on INTEGER,
            saved_at TEXT NOT NULL,
            saved_by TEXT NOT NULL,
            framework TEXT NOT NULL,
            framework_version TEXT NOT NULL DEFAULT '',
            framework_sha256 TEXT NOT NULL DEFAULT '',
            document TEXT NOT NULL,
            changes TEXT NOT NULL,
            PRIMARY KEY (assessment_id, number)
        );
        """,
    )
    connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")


def _run_statements(connection: sqlite3.Connection, script: str) -> None:
    """Run a script statement by statement (executescript would commit the open transaction)."""
    for statement in script.split(";"):
        if statement.strip():
            connection.execute(statement)


def _migration_2(connection: sqlite3.Connection) -> None:
    """Revisions as deltas with a full copy every few (revision_codec), the current document on the assessments row.

    Every revision of version 1 is re-encoded in order; a delta is kept only where it rebuilds
    the old text byte for byte. It runs inside the migration's one transaction, so a program
    killed during it leaves the version 1 store as it was.
    """
    _run_statements(
        connection,
        """
        CREATE TABLE revisions_2 (
            assessment_id INTEGER NOT NULL REFERENCES assessments (id),
            number INTEGER NOT NULL CHECK (number >= 1),
            based_on INTEGER,
            saved_at TEXT NOT NULL,
            saved_by TEXT NOT NULL,
            framework TEXT NOT NULL,
            framework_version TEXT NOT NULL DEFAULT '',
            framework_sha256 TEXT NOT NULL DEFAULT '',
            snapshot INTEGER NOT NULL CHECK (snapshot IN (0, 1) AND (snapshot = 1 OR number > 1)),
            body BLOB NOT NULL,
            document_crc INTEGER NOT NULL,
            changes BLOB NOT NULL,
            PRIMARY KEY (assessment_id, number)
        );
        ALTER TABLE assessments ADD COLUMN document BLOB
        """,
    )
    current = dict(connection.execute("SELECT id, current_revision FROM assessments").fetchall())
    upgrade = revision_rows.Version1Assessment(0)
    for row in connection.execute(
        "SELECT assessment_id, number, based_on, saved_at, saved_by, framework, framework_version, framework_sha256, document, changes "
        "FROM revisions ORDER BY assessment_id, number"
    ):
        assessment_id, number, text = row[0], row[1], row[8]
        if assessment_id != upgrade.assessment_id:
            upgrade = revision_rows.Version1Assessment(assessment_id)
        stored, changes = upgrade.encode(number, text, row[9])  # the same steps as PostgreSQL's migration 2
        connection.execute(
            "INSERT INTO revisions_2 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (*row[:8], int(stored.snapshot), stored.body, stored.crc, changes)
        )
        if current.get(assessment_id) == number:
            connection.execute("UPDATE assessments SET document = ? WHERE id = ?", (revision_codec.pack(text.encode()), assessment_id))
    _run_statements(connection, "DROP TABLE revisions; ALTER TABLE revisions_2 RENAME TO revisions")


#: Schema steps in order; the store's ``user_version`` is how many have been applied.
#: To change the schema, append a function: never edit one that has shipped.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_migration_1, _migration_2]


# -- small helpers ------------------------------------------------------------------------------


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


# SQLite's primary result codes (sqlite.org/rescode.html). Python's sqlite3 names them only
# from 3.11, and gives ``sqlite_errorcode`` only from 3.11; on 3.10 the message text decides.
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_NOTADB = 5, 6, 8, 10, 11, 13, 26


def _code(error: sqlite3.Error) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)
    return None if code is None else int(code) & 0xFF


def _is_busy(error: sqlite3.Error) -> bool:
    text = str(error)
    return _code(error) in (SQLITE_BUSY, SQLITE_LOCKED) or "locked" in text or "busy" in text


def _is_corrupt(error: sqlite3.Error) -> bool:
    text = str(error)
    return _code(error) in (SQLITE_CORRUPT, SQLITE_NOTADB) or "malformed" in text or "not a database" in text


def _why_not_written(error: sqlite3.Error) -> str:
    text = str(error)
    if _code(error) == SQLITE_FULL or "database or disk is full" in text:
        return "the disk is full (or the store reached its size limit): free some space, then save again"
    if _code(error) == SQLITE_IOERR or "disk I/O error" in text:
        return f"a disk or network error: {error}; check the disk, then save again"
    if _code(error) == SQLITE_READONLY or "readonly database" in text:
        return f"the store cannot be written ({error}): check the file's permissions"
    return str(error)


# -- the store ----------------------------------------------------------------------------------


class SQLiteStore(RevisionStore):
    """An assessment store in one SQLite file (see the module docstring).

    One object holds one connection; it may be shared by threads (operations take a lock).
    Two notebooks are two objects, or two processes: the store keeps them from overwriting
    each other.
    """

    path: Path

    def __init__(self, path: str | Path, *, busy_timeout: float = BUSY_TIMEOUT_SECONDS, read_only: bool = False) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self.read_only = read_only
        self.journal_mode = ""
        self._lock = threading.RLock()
        existed = self.path.exists()
        try:
            if existed:
                if self.path.is_dir():
                    raise StoreError(f"the store {self.path} is a folder; give the name of a file (e.g. {self.path / 'kloe.db'})")
                problem = header_problem(self.path)
                if problem:
                    raise set_aside(self.path, problem)
            elif read_only:
                raise NotFoundError(f"no assessment store at {self.path}; give --store (or $KLOE_STORE), or import assessments with 'kloe import'")
            else:  # (journal files left without a database are discarded by SQLite itself, under its locks)
                self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"the store {self.path} could not be opened: {error}") from None
        self._connection: sqlite3.Connection | None = None
        try:
            self._open_with_retries()
        except sqlite3.Error as error:
            self._close_quietly()
            if _is_busy(error):
                raise self._busy() from None
            if _is_corrupt(error):
                raise set_aside(self.path, str(error)) from None
            if not read_only and not os.access(self.path.parent, os.W_OK):
                raise StoreWriteError(
                    f"the store {self.path} is in a folder that cannot be written ({error}), so it cannot be saved to. "
                    "Nothing was changed: commands that only read it (score, export, render, run) still work"
                ) from None
            raise StoreError(f"the store {self.path} could not be opened: {error}") from None
        except BaseException:
            self._close_quietly()
            raise
        if existed and not read_only:
            self._refresh_backup()

    # -- opening -----------------------------------------------------------------------------
    def _open_with_retries(self) -> None:
        """Connect, check and migrate, starting again while another program holds a lock.

        Some lock conflicts while opening (two programs switching a new file to WAL at once)
        are reported by SQLite at once rather than after its busy timeout, so opening retries
        with a short pause until the busy timeout has passed.
        """
        deadline = time.monotonic() + self.busy_timeout
        pause = 0.01
        while True:
            try:
                self._connection = self._connect()
                self._check_health()
                self._migrate()
                return
            except sqlite3.Error as error:
                if not _is_busy(error) or time.monotonic() + pause > deadline:
                    raise
                self._close_quietly()
                time.sleep(pause)
                pause = min(pause * 2, 0.2)

    def _connect(self) -> sqlite3.Connection:
        if self.read_only:
            return self._connect_read_only()
        connection = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False)
        self._connection = connection
        connection.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        self._refuse_a_foreign_database(connection)  # before the first write: switching to WAL rewrites the header
        wanted = "wal"
        if on_network_file_system(self.path):
            wanted = "delete"
            warnings.warn(
                f"the store {self.path} is on a network share. SQLite's fast WAL mode needs everyone who uses the "
                "store on one machine, and file locking on network shares is unreliable, so saves there can corrupt "
                "the store: the slower rollback journal is used instead. Keep a team's store on a local disk of the "
                "one machine where the notebooks run (e.g. the JupyterHub server), not on a shared drive.",
                StoreWarning,
                stacklevel=3,
            )
        self.journal_mode = connection.execute(f"PRAGMA journal_mode = {wanted}").fetchone()[0]
        if self.journal_mode != wanted:
            warnings.warn(
                f"the store {self.path} is in {self.journal_mode} mode, not {wanted} (another program has it open)",
                StoreWarning,
                stacklevel=3,
            )
        connection.execute("PRAGMA synchronous = FULL")
        connection.execute("PRAGMA foreign_keys = ON")
        return connection

    def _connect_read_only(self) -> sqlite3.Connection:
        """A connection that cannot write, so a store in a read-only folder or mount can still be read.

        SQLite reads a WAL store through a shared-memory file beside it; where that file cannot be
        made (the folder cannot be written), nobody can be writing the store there either, so it is
        read as an unchanging file (``immutable=1``).
        """
        uri = self.path.absolute().as_uri()
        connection = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False)
        try:
            connection.execute("PRAGMA user_version").fetchone()
        except sqlite3.OperationalError:
            connection.close()
            if os.access(self.path.parent, os.W_OK):
                raise
            connection = sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None, check_same_thread=False)
        self._connection = connection
        connection.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        self._refuse_a_foreign_database(connection)
        self.journal_mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
        return connection

    def _check_health(self) -> None:
        rows = self._db.execute("PRAGMA quick_check").fetchall()
        if [row[0] for row in rows] != ["ok"]:
            details = "; ".join(row[0] for row in rows[:3])
            raise sqlite3.DatabaseError(f"database disk image is malformed: integrity check failed: {details}")

    def _schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _application_id(self) -> int:
        return int(self._db.execute("PRAGMA application_id").fetchone()[0])

    def _not_ours(self, what: str) -> IncompatibleStoreError:
        return IncompatibleStoreError(
            f"{self.path} is a SQLite database but not a kloe-workbook store ({what}). Nothing was changed: give --store a new file name."
        )

    def _refuse_a_foreign_database(self, connection: sqlite3.Connection) -> None:
        """Someone else's SQLite database is refused with reads only, so it is left exactly as it was.

        A store of ours carries the application id from its first migration; a database without
        one is ours to initialise only while it has no tables (a new, empty file).
        """
        # Tables first, then the id: our first migration commits both at once, so a program that is
        # creating this store right now is seen either before (no tables) or after (our id), never between.
        tables = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall()
        application_id = int(connection.execute("PRAGMA application_id").fetchone()[0])
        if application_id == APPLICATION_ID:
            return
        if application_id != 0:
            raise self._not_ours(f"its application id is {application_id:#x}")
        if tables:
            raise self._not_ours(f"it has tables {', '.join(row[0] for row in tables[:5])}")

    def _upgrade_for_reading(self) -> None:
        """A reader of a store written by an older version upgrades it once, where the store can be written.

        The upgrade is what any saving command would do on open (one transaction; the backup is
        refreshed first). Where the store cannot be written, or was written by a newer version,
        the reader is refused with what to do.
        """
        version = self._schema_version()
        if version < len(MIGRATIONS) and os.access(self.path, os.W_OK) and os.access(self.path.parent, os.W_OK):
            SQLiteStore(self.path, busy_timeout=self.busy_timeout).close()
            if self._schema_version() == len(MIGRATIONS):
                return
            version = self._schema_version()
        if version > len(MIGRATIONS):
            raise IncompatibleStoreError(
                f"the store {self.path} was written by a newer kloe-workbook (schema version {version}; this one knows up to "
                f"{len(MIGRATIONS)}). Nothing was changed: upgrade kloe-workbook to open it."
            )
        raise IncompatibleStoreError(
            f"the store {self.path} has schema version {version} and this kloe-workbook reads version {len(MIGRATIONS)}, "
            "and it cannot be upgraded here because it cannot be written. Nothing was changed: open it once where it can "
            "be written (any kloe command does), or copy it somewhere writable."
        )

    def _migrate(self) -> None:
        if self._schema_version() == len(MIGRATIONS):
            return
        if self.read_only:
            self._upgrade_for_reading()
            return
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                version = self._schema_version()  # again, under the write lock: another process may have migrated
                if version > len(MIGRATIONS):
                    maybe = "" if self._application_id() == APPLICATION_ID else ", or it is not a kloe-workbook store at all"
                    raise IncompatibleStoreError(
                        f"the store {self.path} was written by a newer kloe-workbook (schema version {version}; this "
                        f"one knows up to {len(MIGRATIONS)}){maybe}. Nothing was changed: upgrade kloe-workbook to open it."
                    )
                if version == 0:
                    tables = self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
                    if tables:
                        raise self._not_ours(f"it has tables {', '.join(row[0] for row in tables[:5])}")
                for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
                    migration(self._db)
                    self._db.execute(f"PRAGMA user_version = {number}")
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
            if version > 0:
                self._compact()

    def _compact(self) -> None:
        """Give back the space a migration freed (version 2 shrinks every revision), when it is a quarter of the file or more.

        VACUUM is its own transaction: if it cannot run (another program is reading the store) or
        is interrupted, the store is whole and merely keeps its free pages for later saves.
        """
        free, pages = (int(self._db.execute(f"PRAGMA {name}").fetchone()[0]) for name in ("freelist_count", "page_count"))
        if free * 4 >= pages > 0:
            try:
                self._db.execute("VACUUM")
            except sqlite3.OperationalError:
                pass

    def _refresh_backup(self) -> None:
        """Keep ``<path>.bak`` fresh: a healthy store that holds assessments is copied every few minutes."""
        try:
            if self._db.execute("SELECT 1 FROM assessments LIMIT 1").fetchone() is None:
                return
            refresh_backup(self._db, self.path)
        except (sqlite3.Error, OSError) as error:
            warnings.warn(f"could not refresh the backup of {self.path}: {error}", StoreWarning, stacklevel=3)

    @property
    def _db(self) -> sqlite3.Connection:
        if self._connection is None:
            raise StoreError(f"the store {self.path} is closed")
        return self._connection

    # -- errors --------------------------------------------------------------------------------
    def _busy(self) -> StoreBusyError:
        return StoreBusyError(
            f"the store {self.path} is busy (another program is saving); retrying did not help within "
            f"{self.busy_timeout:g} s. Nothing was changed: try again in a moment."
        )

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """Turn sqlite3 errors while reading into StoreErrors."""
        with self._lock:
            try:
                yield
            except sqlite3.Error as error:
                if _is_busy(error):
                    raise self._busy() from None
                if _is_corrupt(error):
                    raise CorruptStoreError(
                        f"the store {self.path} is damaged ({error}); close every notebook using it and open it again "
                        f"to set it aside. {backup_offer(self.path)}"
                    ) from None
                raise StoreError(f"the store {self.path} could not be read: {error}") from None

    @contextmanager
    def _writing(self, key: AssessmentKey) -> Iterator[dict[str, int]]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT``; any error rolls back. Yields a dict to note the current revision in."""
        noted: dict[str, int] = {}
        if self.read_only:
            raise StoreWriteError(f"the store {self.path} was opened read-only, so nothing was saved: open it for saving (the form, kloe import)")
        with self._lock:
            db = self._db
            try:
                db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise (self._busy() if _is_busy(error) else self._not_saved(key, noted, error)) from None
            try:
                yield noted
                db.execute("COMMIT")
            except BaseException as error:
                try:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # SQLite rolls back from the journal when the file is next opened
                if isinstance(error, sqlite3.Error):
                    raise (self._busy() if _is_busy(error) else self._not_saved(key, noted, error)) from None
                raise

    def _not_saved(self, key: AssessmentKey, noted: dict[str, int], error: sqlite3.Error) -> StoreError:
        previous = noted.get("current")
        intact = f"the previous revision {previous} is intact" if previous else "nothing of it had been stored before"
        if _is_corrupt(error):
            return CorruptStoreError(
                f"NOT SAVED: {stale.council(key)}: the store {self.path} is damaged ({error}); keep your edit, close every notebook "
                f"using the store and open it again to set it aside. {backup_offer(self.path)}"
            )
        return StoreWriteError(f"NOT SAVED: {stale.council(key)} could not be saved in the store {self.path}: {_why_not_written(error)} ({intact})")

    # -- reading -----------------------------------------------------------------------------
    def _row(self, key: AssessmentKey) -> tuple[int, int] | None:
        row: tuple[int, int] | None = self._db.execute(
            "SELECT id, current_revision FROM assessments WHERE framework = ? AND org_code = ? AND period = ? AND track = ?",
            (key.framework, key.org_code, key.period, key.track),
        ).fetchone()
        return row

    def _revision(self, assessment_id: int, number: int) -> tuple[str, str, int] | None:
        """(saved_at, saved_by, CRC-32 of the document) of a revision, or None if there is no such revision."""
        row: tuple[str, str, int] | None = self._db.execute(
            "SELECT saved_at, saved_by, document_crc FROM revisions WHERE assessment_id = ? AND number = ?", (assessment_id, number)
        ).fetchone()
        return row

    def _text(self, key: AssessmentKey, assessment_id: int, number: int) -> str | None:
        """The document text exactly as revision ``number`` saved it (None: no such revision).

        The current revision is kept whole on the assessments row; any other is rebuilt from
        the snapshot at or before it and the deltas after that (at most SNAPSHOT_EVERY - 1).
        """
        cached = self._db.execute(
            "SELECT r.document_crc, a.document FROM assessments a JOIN revisions r ON r.assessment_id = a.id AND r.number = a.current_revision "
            "WHERE a.id = ? AND a.current_revision = ?",
            (assessment_id, number),
        ).fetchone()
        if cached is not None and cached[1] is not None:
            try:
                text = revision_codec.unpack(cached[1]).decode()
                if revision_codec.checksum(text) == cached[0]:
                    return text
            except ValueError:
                pass  # a damaged copy of the current document: rebuilt from its revisions below
        chain = [
            revision_codec.StoredBody(*row)
            for row in self._db.execute(
                "SELECT number, snapshot, body, document_crc FROM revisions WHERE assessment_id = ? AND number <= ? AND number >= "
                "(SELECT max(number) FROM revisions WHERE assessment_id = ? AND number <= ? AND snapshot = 1) ORDER BY number",
                (assessment_id, number, assessment_id, number),
            )
        ]
        if not chain or chain[-1].number != number:
            return None
        try:
            return revision_codec.decode(chain)
        except revision_codec.DamagedRevision as error:
            raise CorruptStoreError(
                f"revision {number} of {key} in the store {self.path} cannot be read: revision {error.number} is damaged "
                f"({error}). The revisions from the next full copy on (one is kept every {revision_codec.SNAPSHOT_EVERY} revisions) "
                f"and the current one are unaffected. {backup_offer(self.path)}"
            ) from None

    def _changes(self, key: AssessmentKey, number: int, blob: bytes) -> list[list[Any]]:
        """A revision's stored change entries (``revision_codec.encode_changes``): each names its field second."""
        try:
            changes: list[list[Any]] = revision_codec.unpack_json(blob)
        except ValueError as error:
            raise self._damaged_changes(key, number, error) from None
        return changes

    def _recent_entries(self, assessment_id: int, number: int) -> list[list[Any]]:
        """The stored change entries of the last ``DERIVE_WITHIN`` revisions up to ``number`` (a damaged list counts as none)."""
        rows = self._db.execute(
            "SELECT changes FROM revisions WHERE assessment_id = ? AND number > ? AND number <= ?",
            (assessment_id, number - revision_codec.DERIVE_WITHIN, number),
        )
        return revision_rows.usable_entries(blob for (blob,) in rows)

    def _damaged_changes(self, key: AssessmentKey, number: int, error: ValueError) -> CorruptStoreError:
        return CorruptStoreError(
            f"the change list of revision {number} of {key} in the store {self.path} is damaged ({error.args[0]}); "
            f"the documents of every revision are unaffected (they can be loaded and restored). {backup_offer(self.path)}"
        )

    def _stored(self, key: AssessmentKey, assessment_id: int, number: int) -> StoredAssessment:
        row = self._revision(assessment_id, number)
        text = self._text(key, assessment_id, number) if row is not None else None
        if row is None or text is None:
            raise CorruptStoreError(f"the store {self.path} has lost revision {number} of {key}. {backup_offer(self.path)}")
        saved_at, saved_by, _ = row
        return StoredAssessment(key, self._parse(key, number, text), number, saved_at, saved_by)

    def find(self, key: AssessmentKey) -> StoredAssessment | None:
        """The current revision of an assessment, or None if the store has none."""
        with self._reading():
            row = self._row(key)
            return None if row is None else self._stored(key, *row)

    def keys(self, framework: str | None = None) -> list[AssessmentKey]:
        """Every stored assessment (of one framework), sorted by framework, code, period, track."""
        where = " WHERE framework = ?" if framework is not None else ""
        with self._reading():
            rows = self._db.execute(
                f"SELECT framework, org_code, period, track FROM assessments{where} ORDER BY 1, 2, 3, 4",
                (framework,) if framework is not None else (),
            ).fetchall()
        return [AssessmentKey(*row) for row in rows]

    def latest_revisions(self, framework: str | None = None) -> dict[AssessmentKey, tuple[int, str]]:
        """(current revision, saved_at) of every assessment of a framework, without reading any document."""
        where = " WHERE a.framework = ?" if framework is not None else ""
        with self._reading():
            rows = self._db.execute(
                "SELECT a.framework, a.org_code, a.period, a.track, r.number, r.saved_at FROM assessments a "
                f"JOIN revisions r ON r.assessment_id = a.id AND r.number = a.current_revision{where} ORDER BY 1, 2, 3, 4",
                (framework,) if framework is not None else (),
            ).fetchall()
        return {AssessmentKey(*row[:4]): (row[4], row[5]) for row in rows}

    def history(self, key: AssessmentKey) -> list[RevisionInfo]:
        """Every revision of an assessment, oldest first: who, when, based on what, which fields changed."""
        with self._reading():
            row = self._row(key)
            if row is None:
                raise NotFoundError(f"no assessment for {key} in the store {self.path}")
            rows = self._db.execute(
                "SELECT number, saved_at, saved_by, based_on, changes FROM revisions WHERE assessment_id = ? ORDER BY number",
                (row[0],),
            ).fetchall()
        try:
            lists = revision_codec.unpack_json_many([row[4] for row in rows])
        except ValueError as error:
            raise self._damaged_changes(key, rows[error.args[1]][0], error) from None
        reader, history = revision_codec.ChangeReader(), []
        for (number, saved_at, saved_by, based_on, _), entries in zip(rows, lists, strict=True):
            try:
                changes = [FieldChange(*change) for change in reader.read(entries)]
            except ValueError as error:
                raise self._damaged_changes(key, number, error) from None
            history.append(RevisionInfo(number, saved_at, saved_by, based_on, changes))
        return history

    def document_text(self, key: AssessmentKey, number: int) -> str:
        """The document (JSON) exactly as revision ``number`` saved it, byte for byte."""
        with self._reading():
            row = self._row(key)
            if row is None:
                raise NotFoundError(f"no assessment for {key} in the store {self.path}")
            text = self._text(key, row[0], number)
            if text is None:
                raise NotFoundError(f"{key} has no revision {number} (it has revisions 1-{row[1]})")
            return text

    # -- writing -----------------------------------------------------------------------------
    def save(self, assessment: Assessment, *, based_on: int | None, author: str | None = None, track: str | None = None) -> StoredAssessment:
        """Add a revision, or refuse a save based on a stale revision (nothing is overwritten).

        ``based_on`` is the revision the edit started from (None: a new assessment, refused if
        one exists). A save identical to the current revision adds nothing and returns it.
        ``StaleRevisionError.current`` is the stored assessment now, or None when the store
        does not have it at all (the edit was based on a revision of a store since replaced).
        """
        if track is not None and track != assessment.track:
            assessment = assessment.model_copy(deep=True)
            assessment.track = track  # validated on assignment
        key = AssessmentKey.of(assessment)
        text = assessment.model_dump_json()
        document = json.loads(text)
        author = author or assessment.assessor or login_name()
        version = assessment.framework_version
        with self._writing(key) as noted:
            row = self._row(key)
            if row is None:
                if based_on is not None:  # ``current`` None: the form then saves its edit as a new assessment
                    raise stale.not_in_store(key, str(self.path), based_on)
                assessment_id = self._db.execute(
                    "INSERT INTO assessments (framework, org_code, period, track, current_revision) VALUES (?, ?, ?, ?, 0)",
                    (key.framework, key.org_code, key.period, key.track),
                ).lastrowid
                current, current_document = 0, None
            else:
                assessment_id, current = row
                noted["current"] = current
                current_text = self._text(key, assessment_id, current)
                if current_text is None:
                    raise CorruptStoreError(f"the store {self.path} has lost revision {current} of {key}")
                current_document = json.loads(current_text)
                if document == current_document and based_on is not None:
                    return self._stored(key, assessment_id, current)  # nothing to save (even if theirs got here first)
                if based_on != current:
                    raise self._stale(key, assessment_id, based_on, current, current_document, document)
            number, saved_at = current + 1, _now()
            changes = [(change.path, change.before, change.after) for change in changed_fields(current_document, document)]
            self._insert_revision(key, assessment_id, number, based_on, saved_at, author, version, current_document, document, text, changes)
            self._db.execute(
                "UPDATE assessments SET current_revision = ?, document = ? WHERE id = ?", (number, revision_codec.pack(text.encode()), assessment_id)
            )
        return StoredAssessment(key, Assessment.model_validate_json(text), number, saved_at, author)

    def _insert_revision(
        self,
        key: AssessmentKey,
        assessment_id: int | None,
        number: int,
        based_on: int | None,
        saved_at: str,
        author: str,
        version: Any,
        previous: dict[str, Any] | None,
        document: dict[str, Any],
        text: str,
        changes: list[tuple[str, Any, Any]],
    ) -> None:
        """One revision row, encoded by ``revision_codec`` (a delta against ``previous``, or a full copy)."""
        recent = self._recent_entries(assessment_id, number - 1) if assessment_id is not None and number > 1 else []
        entries = revision_codec.encode_changes(changes, revision_codec.listed_in(recent))
        stored = revision_codec.encode(number, previous, document, text)
        self._db.execute(
            "INSERT INTO revisions (assessment_id, number, based_on, saved_at, saved_by, framework, framework_version, "
            "framework_sha256, snapshot, body, document_crc, changes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                assessment_id,
                number,
                based_on,
                saved_at,
                author,
                key.framework,
                version.version if version else "",
                version.sha256 if version else "",
                int(stored.snapshot),
                stored.body,
                stored.crc,
                revision_rows.pack_changes(entries),
            ),
        )

    def _stale(
        self,
        key: AssessmentKey,
        assessment_id: int,
        based_on: int | None,
        current: int,
        current_document: dict[str, Any],
        mine: dict[str, Any],
    ) -> StaleRevisionError:
        current_stored = self._stored(key, assessment_id, current)
        base_text = self._text(key, assessment_id, based_on) if based_on is not None and 0 < based_on < current else None
        base = json.loads(base_text) if base_text else {}
        touched = self._who_changed(key, assessment_id, based_on or 0, current)
        return stale.stale_error(key, str(self.path), based_on, current_stored, current_document, base, mine, touched)

    def _who_changed(self, key: AssessmentKey, assessment_id: int, after: int, upto: int) -> dict[str, tuple[int, str, str]]:
        """For each field path, the latest revision in (after, upto] that changed it, with author and time."""
        touched: dict[str, tuple[int, str, str]] = {}
        for number, saved_by, saved_at, changes in self._db.execute(
            "SELECT number, saved_by, saved_at, changes FROM revisions WHERE assessment_id = ? AND number > ? AND number <= ? ORDER BY number",
            (assessment_id, after, upto),
        ):
            for entry in self._changes(key, number, changes):
                touched[entry[1]] = (number, saved_by, saved_at)
        return touched

    # -- moving between stores (kloe store copy, kloe store check) -----------------------------
    def revisions_of(self, key: AssessmentKey) -> list[ImportedRevision]:
        """Every revision of an assessment as stored (document text exactly, changes in full), oldest first."""
        with self._reading():
            return [
                ImportedRevision(info.number, info.based_on, info.saved_at, info.saved_by, self.document_text(key, info.number), info.changes)
                for info in self.history(key)
            ]

    def import_revisions(self, key: AssessmentKey, revisions: list[ImportedRevision]) -> None:
        """Write an assessment's whole history as another store holds it (numbers, authors, times kept).

        Not a save: nothing is compared, so it is only for ``kloe store copy``, into a store that
        does not have the assessment (refused, naming it, if it does). Revisions are encoded as a
        save encodes them (``revision_codec``), so the copy is as small as the original.
        """
        with self._writing(key):
            if self._row(key) is not None:
                raise StoreWriteError(f"NOT COPIED: {stale.council(key)} is already in the store {self.path}; nothing was overwritten")
            assessment_id = self._db.execute(
                "INSERT INTO assessments (framework, org_code, period, track, current_revision) VALUES (?, ?, ?, ?, ?)",
                (key.framework, key.org_code, key.period, key.track, revisions[-1].number),
            ).lastrowid
            previous: dict[str, Any] | None = None
            for revision in revisions:
                version = self._parse(key, revision.number, revision.document).framework_version
                document = json.loads(revision.document)
                changes = [(change.path, change.before, change.after) for change in revision.changes]
                self._insert_revision(
                    key,
                    assessment_id,
                    revision.number,
                    revision.based_on,
                    revision.saved_at,
                    revision.saved_by,
                    version,
                    previous,
                    document,
                    revision.document,
                    changes,
                )
                previous = document
            self._db.execute("UPDATE assessments SET document = ? WHERE id = ?", (revision_codec.pack(revisions[-1].document.encode()), assessment_id))

    def engine_check(self) -> list[str]:
        """What SQLite's own ``integrity_check`` finds (nothing: ``[]``)."""
        with self._reading():
            rows = [str(row[0]) for row in self._db.execute("PRAGMA integrity_check").fetchall()]
        return [] if rows == ["ok"] else rows

    # -- lifetime ------------------------------------------------------------------------------
    def _close_quietly(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except sqlite3.Error:
                pass
            self._connection = None

    def __repr__(self) -> str:
        return f"SQLiteStore({str(self.path)!r})"
