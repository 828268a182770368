"""The SQLite store: one file, every save a transaction adding a revision, stale saves refused.

WAL mode with ``synchronous=FULL``: a save is durable once it returns, and a process killed
in the middle of one leaves the previous revision intact (SQLite's journal guarantees it;
tests/test_store_killed.py kills writers to check). The schema is versioned with
``PRAGMA user_version``; ``MIGRATIONS`` lists the steps in order.
"""

from __future__ import annotations

import getpass
import json
import sqlite3
import warnings
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import Any

from kloe_nb.assessment.model import Assessment
from kloe_nb.errors import NotFoundError, StaleRevisionError, StoreBusyError, StoreError, StoreWriteError
from kloe_nb.store.base import AssessmentKey, FieldChange, RevisionInfo, StoredAssessment
from kloe_nb.store.diff import changed_fields
from kloe_nb.store.safety import looks_like_sqlite, on_network_file_system, refresh_backup, set_aside

BUSY_TIMEOUT_SECONDS = 5.0


class StoreWarning(UserWarning):
    """Something about where or how the store is kept that its users should know."""


def _migration_1(connection: sqlite3.Connection) -> None:
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
            number INTEGER NOT NULL,
            based_on INTEGER,
            saved_at TEXT NOT NULL,
            saved_by TEXT NOT NULL,
            framework_version TEXT NOT NULL DEFAULT '',
            framework_sha256 TEXT NOT NULL DEFAULT '',
            document TEXT NOT NULL,
            changes TEXT NOT NULL,
            PRIMARY KEY (assessment_id, number)
        );
        """
    )


def _run_statements(connection: sqlite3.Connection, script: str) -> None:
    """Run a script statement by statement (executescript would commit the open transaction)."""
    for statement in script.split(";"):
        if statement.strip():
            connection.execute(statement)


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_migration_1]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _describe(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


class SQLiteStore:
    """An assessment store in one SQLite file (see the module docstring)."""

    def __init__(self, path: str | Path, *, busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        existed = self.path.exists()
        if existed and not looks_like_sqlite(self.path):
            raise set_aside(self.path, "it is not a SQLite database")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection: sqlite3.Connection | None = None
        try:
            self._connection = connection = self._connect()
            self._check_health()
            self._migrate()
        except sqlite3.DatabaseError as error:
            if connection is not None:
                connection.close()
            raise set_aside(self.path, str(error)) from None
        if existed and self.keys():
            try:
                refresh_backup(self._connection, self.path)
            except (sqlite3.Error, OSError) as error:
                warnings.warn(f"could not refresh the backup of {self.path}: {error}", StoreWarning, stacklevel=2)

    # -- opening -----------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False)
        connection.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        if on_network_file_system(self.path):
            warnings.warn(
                f"the store {self.path} is on a network share. SQLite's fast WAL mode needs everyone on one machine "
                "and file locking on network shares is unreliable, so the slower rollback journal is used. "
                "Keep a team's store on a local disk of the machine where the notebooks run (e.g. the JupyterHub server).",
                StoreWarning,
                stacklevel=3,
            )
            connection.execute("PRAGMA journal_mode = DELETE")
        else:
            connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = FULL")
        connection.execute("PRAGMA foreign_keys = ON")
        return connection

    def _check_health(self) -> None:
        result = self._connection.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise sqlite3.DatabaseError(f"integrity check failed: {result}")

    def _migrate(self) -> None:
        version = self._connection.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise StoreError(
                f"the store {self.path} was written by a newer kloe-workbook (schema {version}, this one knows "
                f"{len(MIGRATIONS)}); upgrade kloe-workbook to open it"
            )
        if version == len(MIGRATIONS):
            return
        with self._transaction():
            for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
                migration(self._connection)
                self._connection.execute(f"PRAGMA user_version = {number}")

    # -- transactions ------------------------------------------------------------------------
    def _transaction(self) -> _Transaction:
        return _Transaction(self)

    # -- reading -----------------------------------------------------------------------------
    def _row(self, key: AssessmentKey) -> tuple[int, int] | None:
        return self._connection.execute(
            "SELECT id, current_revision FROM assessments WHERE framework = ? AND org_code = ? AND period = ? AND track = ?",
            (key.framework, key.org_code, key.period, key.track),
        ).fetchone()

    def _revision(self, assessment_id: int, number: int) -> tuple[str, str, str]:
        row = self._connection.execute(
            "SELECT document, saved_at, saved_by FROM revisions WHERE assessment_id = ? AND number = ?", (assessment_id, number)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"revision {number} does not exist")
        return row

    def find(self, key: AssessmentKey) -> StoredAssessment | None:
        """The current revision of an assessment, or None if the store has none."""
        row = self._row(key)
        if row is None:
            return None
        document, saved_at, saved_by = self._revision(row[0], row[1])
        return StoredAssessment(key, Assessment.model_validate_json(document), row[1], saved_at, saved_by)

    def load(self, key: AssessmentKey) -> StoredAssessment:
        """The current revision of an assessment, or NotFoundError naming it."""
        stored = self.find(key)
        if stored is None:
            raise NotFoundError(f"no assessment for {key} in the store {self.path}; import one with 'kloe import'")
        return stored

    def keys(self, framework: str | None = None) -> list[AssessmentKey]:
        query = "SELECT framework, org_code, period, track FROM assessments"
        rows = self._connection.execute(query + (" WHERE framework = ?" if framework else "") + " ORDER BY 1, 2, 3, 4",
                                        (framework,) if framework else ()).fetchall()
        return [AssessmentKey(*row) for row in rows]

    def latest_revisions(self, framework: str | None = None) -> dict[AssessmentKey, tuple[int, str]]:
        rows = self._connection.execute(
            "SELECT a.framework, a.org_code, a.period, a.track, r.number, r.saved_at FROM assessments a "
            "JOIN revisions r ON r.assessment_id = a.id AND r.number = a.current_revision"
            + (" WHERE a.framework = ?" if framework else ""),
            (framework,) if framework else (),
        ).fetchall()
        return {AssessmentKey(*row[:4]): (row[4], row[5]) for row in rows}

    def history(self, key: AssessmentKey) -> list[RevisionInfo]:
        row = self._row(key)
        if row is None:
            raise NotFoundError(f"no assessment for {key} in the store {self.path}")
        return [
            RevisionInfo(number, saved_at, saved_by, based_on, [FieldChange(**change) for change in json.loads(changes)])
            for number, saved_at, saved_by, based_on, changes in self._connection.execute(
                "SELECT number, saved_at, saved_by, based_on, changes FROM revisions WHERE assessment_id = ? ORDER BY number",
                (row[0],),
            )
        ]

    def at_revision(self, key: AssessmentKey, number: int) -> Assessment:
        row = self._row(key)
        if row is None:
            raise NotFoundError(f"no assessment for {key} in the store {self.path}")
        try:
            return Assessment.model_validate_json(self._revision(row[0], number)[0])
        except NotFoundError:
            raise NotFoundError(f"{key} has no revision {number} (it has 1-{row[1]})") from None

    # -- writing -----------------------------------------------------------------------------
    def save(
        self, assessment: Assessment, *, based_on: int | None, author: str | None = None, track: str = ""
    ) -> StoredAssessment:
        """Add a revision, or refuse a save based on a stale revision (nothing is overwritten)."""
        key = AssessmentKey.of(assessment, track)
        document = assessment.model_dump(mode="json")
        author = author or assessment.assessor or getpass.getuser()
        version = assessment.framework_version
        with self._transaction():
            row = self._row(key)
            if row is None:
                if based_on is not None:
                    raise StaleRevisionError(f"{key} is not in the store {self.path} (the save was based on revision {based_on})", None, [])
                assessment_id = self._connection.execute(
                    "INSERT INTO assessments (framework, org_code, period, track, current_revision) VALUES (?, ?, ?, ?, 0)",
                    (key.framework, key.org_code, key.period, key.track),
                ).lastrowid
                current, current_document = 0, None
            else:
                assessment_id, current = row
                current_document = json.loads(self._revision(assessment_id, current)[0])
                if based_on != current:
                    raise self._stale(key, assessment_id, based_on, current, current_document, document)
                if current_document == document:
                    return self._stored(key, assessment_id, current)
            changes = [change.__dict__ for change in changed_fields(current_document, document)]
            self._connection.execute(
                "INSERT INTO revisions (assessment_id, number, based_on, saved_at, saved_by, framework_version, framework_sha256, "
                "document, changes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (assessment_id, current + 1, based_on, _now(), author, version.version if version else "",
                 version.sha256 if version else "", json.dumps(document, ensure_ascii=False), json.dumps(changes, ensure_ascii=False)),
            )
            self._connection.execute("UPDATE assessments SET current_revision = ? WHERE id = ?", (current + 1, assessment_id))
        return self._stored(key, assessment_id, current + 1)

    def restore(self, key: AssessmentKey, number: int, *, based_on: int, author: str | None = None) -> StoredAssessment:
        """Make an earlier revision current again, as a new revision (history is never rewritten)."""
        return self.save(self.at_revision(key, number), based_on=based_on, author=author, track=key.track)

    def _stored(self, key: AssessmentKey, assessment_id: int, number: int) -> StoredAssessment:
        document, saved_at, saved_by = self._revision(assessment_id, number)
        return StoredAssessment(key, Assessment.model_validate_json(document), number, saved_at, saved_by)

    def _stale(
        self, key: AssessmentKey, assessment_id: int, based_on: int | None, current: int,
        current_document: dict[str, Any], mine: dict[str, Any],
    ) -> StaleRevisionError:
        current_stored = self._stored(key, assessment_id, current)
        if based_on is None:
            return StaleRevisionError(
                f"{key} is already in the store (revision {current} by {current_stored.saved_by} at {current_stored.saved_at}); "
                "load it and make your changes to it, or import with a different period",
                current_stored, [],
            )
        base = json.loads(self._revision(assessment_id, based_on)[0]) if 0 < based_on <= current else {}
        theirs = {change.path: change for change in changed_fields(base, current_document)}
        ours = {change.path: change for change in changed_fields(base, mine)}
        conflicts = [(path, theirs[path].after, ours[path].after) for path in theirs if path in ours and theirs[path].after != ours[path].after]
        lines = [
            f"{path}: theirs {_describe(their_value)} (revision {current} by {current_stored.saved_by} at {current_stored.saved_at}), "
            f"yours {_describe(our_value)}"
            for path, their_value, our_value in conflicts
        ] or [f"they changed: {', '.join(sorted(theirs)) or 'nothing visible'}"]
        message = (
            f"NOT SAVED: {key} was changed by someone else since you loaded it (you had revision {based_on}, "
            f"the store has revision {current}); nothing was overwritten.\n  " + "\n  ".join(lines)
            + "\n  Reload to see their changes, then make yours again."
        )
        return StaleRevisionError(message, current_stored, conflicts)

    # -- lifetime ------------------------------------------------------------------------------
    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None) -> None:
        self.close()


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``; any error rolls back and becomes a StoreError a person can read."""

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store

    def __enter__(self) -> None:
        try:
            self.store._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise self._translate(error) from None

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None) -> None:
        connection = self.store._connection
        if kind is None:
            try:
                connection.execute("COMMIT")
                return
            except sqlite3.Error as error:
                value, kind = error, type(error)
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        if isinstance(value, sqlite3.Error):
            raise self._translate(value) from None

    def _translate(self, error: sqlite3.Error) -> StoreError:
        text = str(error)
        if "locked" in text or "busy" in text:
            return StoreBusyError(
                f"the store {self.store.path} is busy (another program is saving); waited {self.store.busy_timeout:g} s. "
                "Nothing was changed; try again in a moment."
            )
        return StoreWriteError(f"NOT SAVED: the store {self.store.path} could not be written ({text}); the previous revision is intact.")
