"""The PostgreSQL store: a team on several machines shares one database, with SQLite's guarantees.

Each save is one transaction adding a revision, stored as in SQLite (``revision_codec``: a
delta against the previous revision, a full copy every ``SNAPSHOT_EVERY``, the current
document whole on the assessments row; ``revision_rows`` has the steps both share). The
compare-and-set holds across machines: the assessment's row is locked (``SELECT ... FOR
UPDATE``) before its current revision is compared with the one the edit was based on, the
update checks the revision it replaces, and (assessment, number) is the revisions' primary
key. Two machines creating the same assessment meet at its unique key (``INSERT ... ON
CONFLICT DO NOTHING``): one wins, the other is refused with ``StaleRevisionError``.

Connection settings are libpq's: the URL is passed through as given, so ``PG*`` variables and
``.pgpass`` work as for ``psql``. Everything shown to a person names the store as ``path``, the
URL without its password (``postgresql://user@host:5432/db``). The schema version is kept in
the table ``kloe_store``; ``MIGRATIONS`` lists the steps (migration N takes version N-1 to N),
run under an advisory lock so two programs opening a new database at once do not collide.
A store opened read-only sets ``default_transaction_read_only``, so a role with SELECT only
can run reports, and nothing it does can write.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

import psycopg
from psycopg import errors as pg_errors
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from kloe_nb.assessment.fields import FieldChange, changed_fields
from kloe_nb.assessment.model import Assessment
from kloe_nb.errors import CorruptStoreError, IncompatibleStoreError, NotFoundError, StoreBusyError, StoreError, StoreWriteError
from kloe_nb.store import revision_codec, revision_rows
from kloe_nb.store.base import AssessmentKey, ImportedRevision, RevisionInfo, StoredAssessment, login_name
from kloe_nb.store.common import RevisionStore
from kloe_nb.store.stale import council, not_in_store, stale_error

CONNECT_TIMEOUT_SECONDS = 10
LOCK_TIMEOUT_SECONDS = 5.0
#: The advisory lock taken while migrating ("KLOE" in ASCII, as SQLite's application id).
MIGRATION_LOCK = 0x4B4C4F45
ORDER = 'framework COLLATE "C", org_code COLLATE "C", period COLLATE "C", track COLLATE "C"'  # SQLite's byte order


# -- schema -------------------------------------------------------------------------------------


def _migration_1(cursor: psycopg.Cursor[Any]) -> None:
    """The initial schema, as SQLite's: one row per assessment, one per revision (the full document each time)."""
    cursor.execute(
        """
        CREATE TABLE assessments (
            id BIGSERIAL PRIMARY KEY,
            framework TEXT NOT NULL,
            org_code TEXT NOT NULL,
            period TEXT NOT NULL DEFAULT '',
            track TEXT NOT NULL DEFAULT '',
            current_revision INTEGER NOT NULL,
            UNIQUE (framework, org_code, period, track)
        )
        """
    )
    cursor.execute(
        """
        CREATE TABLE revisions (
            assessment_id BIGINT NOT NULL REFERENCES assessments (id),
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
        )
        """
    )


def _migration_2(cursor: psycopg.Cursor[Any]) -> None:
    """Revisions as deltas with a full copy every few (revision_codec), the current document on the assessments row.

    As SQLite's migration 2, and re-encoding the same way (``revision_rows``): every revision
    of version 1 in order, inside the migration's one transaction, so a program killed during
    it leaves the version 1 store as it was. The table is altered, not replaced, so the grants
    of ``kloe store init --writer/--reader`` still hold.
    """
    cursor.execute("ALTER TABLE revisions ADD COLUMN snapshot BOOLEAN, ADD COLUMN body BYTEA, ADD COLUMN document_crc BIGINT, ADD COLUMN packed_changes BYTEA")
    cursor.execute("ALTER TABLE assessments ADD COLUMN document BYTEA")
    cursor.execute(
        "CREATE TEMPORARY TABLE kloe_encoded (assessment_id BIGINT, number INTEGER, snapshot BOOLEAN, body BYTEA, document_crc BIGINT, "
        "changes BYTEA) ON COMMIT DROP"
    )
    for assessment_id, current in cursor.execute("SELECT id, current_revision FROM assessments ORDER BY id").fetchall():
        rows = cursor.execute("SELECT number, document, changes FROM revisions WHERE assessment_id = %s ORDER BY number", (assessment_id,)).fetchall()
        upgrade, encoded = revision_rows.Version1Assessment(assessment_id), []
        for number, text, changes in rows:
            stored, packed = upgrade.encode(number, text, changes)
            encoded.append((assessment_id, number, stored.snapshot, stored.body, stored.crc, packed))
            if number == current:
                cursor.execute("UPDATE assessments SET document = %s WHERE id = %s", (revision_codec.pack(text.encode()), assessment_id))
        with cursor.copy("COPY kloe_encoded FROM STDIN") as copy:
            for item in encoded:
                copy.write_row(item)
    cursor.execute(
        "UPDATE revisions r SET snapshot = e.snapshot, body = e.body, document_crc = e.document_crc, packed_changes = e.changes "
        "FROM kloe_encoded e WHERE r.assessment_id = e.assessment_id AND r.number = e.number"
    )
    cursor.execute("ALTER TABLE revisions DROP COLUMN document, DROP COLUMN changes")
    cursor.execute("ALTER TABLE revisions RENAME COLUMN packed_changes TO changes")
    # A column type change with an expression is the form of ALTER TABLE that rewrites every row
    # in the transaction: rows are written without the dropped documents, so the table is as small
    # as a new one at once (DROP COLUMN alone keeps their bytes until each row is next updated).
    cursor.execute(
        "ALTER TABLE revisions ALTER COLUMN document_crc TYPE BIGINT USING document_crc + 0, "
        "ALTER COLUMN snapshot SET NOT NULL, ALTER COLUMN body SET NOT NULL, ALTER COLUMN document_crc SET NOT NULL, "
        "ALTER COLUMN changes SET NOT NULL, ADD CHECK (snapshot OR number > 1)"
    )


#: Schema steps in order; ``kloe_store.schema_version`` is how many have been applied.
#: To change the schema, append a function: never edit one that has shipped.
MIGRATIONS: list[Callable[[psycopg.Cursor[Any]], None]] = [_migration_1, _migration_2]
TABLES = ("kloe_store", "assessments", "revisions")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Where:
    """Which server and database a URL means, as libpq would resolve it (for messages: no password)."""

    user: str
    host: str
    port: str
    dbname: str

    @classmethod
    def of(cls, url: str) -> Where:
        try:
            given = conninfo_to_dict(url)
        except psycopg.ProgrammingError:
            given = {}
        user = str(given.get("user") or os.environ.get("PGUSER") or login_name())
        host = str(given.get("host") or os.environ.get("PGHOST") or "localhost")
        port = str(given.get("port") or os.environ.get("PGPORT") or "5432")
        dbname = str(given.get("dbname") or os.environ.get("PGDATABASE") or user)
        return cls(user, host, port, dbname)

    @classmethod
    def connected(cls, connection: psycopg.Connection[Any]) -> Where:
        info = connection.info
        return cls(info.user, info.host, str(info.port), info.dbname)

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"

    def url(self) -> str:
        """``postgresql://user@host:port/db`` (a socket folder given %-encoded, as libpq reads it)."""
        host = quote(self.host, safe="") if self.host.startswith("/") else self.host
        return f"postgresql://{quote(self.user, safe='')}@{host}:{self.port}/{quote(self.dbname, safe='')}"


def _secrets(url: str) -> list[str]:
    found = []
    try:
        found.append(str(conninfo_to_dict(url).get("password") or ""))
    except psycopg.ProgrammingError:
        pass
    found.append(os.environ.get("PGPASSWORD", ""))
    return [secret for secret in found if secret]


class PostgreSQLStore(RevisionStore):
    """An assessment store in a PostgreSQL database (see the module docstring).

    One object holds one connection; it may be shared by threads (operations take a lock).
    A connection the server dropped is replaced at the next operation: a save that failed
    says NOT SAVED and can simply be tried again.
    """

    path: str

    def __init__(self, url: str, *, read_only: bool = False, connect_timeout: float = CONNECT_TIMEOUT_SECONDS) -> None:
        self._url = url
        self._secrets = _secrets(url)
        self.where = Where.of(url)
        self.path = self.where.url()
        self.read_only = read_only
        self.connect_timeout = connect_timeout
        self._lock = threading.RLock()
        self._connection: psycopg.Connection[Any] | None = None
        try:
            self._connect()
            self._migrate()
        except psycopg.Error as error:
            self._close_quietly()
            raise self._cannot_open(error) from None
        except BaseException:
            self._close_quietly()
            raise

    # -- connecting ----------------------------------------------------------------------------
    def _connect(self) -> psycopg.Connection[Any]:
        connection = psycopg.connect(self._url, autocommit=True, connect_timeout=max(1, round(self.connect_timeout)), application_name="kloe-workbook")
        self._connection = connection
        self.where = Where.connected(connection)
        self.path = self.where.url()
        connection.execute(f"SET lock_timeout = {int(LOCK_TIMEOUT_SECONDS * 1000)}")
        if self.read_only:
            connection.execute("SET default_transaction_read_only = on")
        return connection

    @property
    def _db(self) -> psycopg.Connection[Any]:
        """The connection; a new one when the server dropped the last (a restart, a dropped network)."""
        connection = self._connection
        if connection is None or connection.closed or connection.broken:
            self._close_quietly()
            return self._connect()
        return connection

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "********")
        return text.strip().replace("\n", " ")

    def _reason(self, error: psycopg.Error) -> str:
        """Why the server could not be used, in plain words naming server, database and role (never the password)."""
        text = self._scrub(str(error))
        where = self.where
        database = f"database {where.dbname!r} on the PostgreSQL server {where.server}"
        if "password authentication failed" in text or isinstance(error, pg_errors.InvalidPassword):
            return (
                f"the server refused the password of the role {where.user!r} for {database}: check the password "
                "in ~/.pgpass (or PGPASSWORD); put none in the store's URL"
            )
        if "no password supplied" in text:
            return f"{database} needs a password for the role {where.user!r} and none was given: put it in ~/.pgpass (or PGPASSWORD)"
        if isinstance(error, pg_errors.InvalidCatalogName) or ("database" in text and "does not exist" in text):
            return f"the PostgreSQL server {where.server} has no database {where.dbname!r}: check the name, or create it (createdb {where.dbname})"
        if 'role "' in text and "does not exist" in text:
            return f"the PostgreSQL server {where.server} has no role {where.user!r}: check the user name in the store's URL (or PGUSER)"
        if "no pg_hba.conf entry" in text or "not permitted" in text or isinstance(error, pg_errors.InvalidAuthorizationSpecification):
            return f"the server refused the role {where.user!r} access to {database} ({text})"
        if isinstance(error, psycopg.OperationalError):
            return f"could not reach {database} ({text}): is the server running, and are host and port right?"
        return f"{database}: {text}"

    def _cannot_open(self, error: psycopg.Error) -> StoreError:
        if isinstance(error, pg_errors.InsufficientPrivilege):
            return StoreError(
                f"the store {self.path} could not be set up: the role {self.where.user!r} may not create its tables "
                f"({self._scrub(str(error))}). Nothing was changed: have the database's owner run 'kloe store init {self.path}'"
            )
        return StoreError(f"the store {self.path} could not be opened: {self._reason(error)}")

    # -- schema ------------------------------------------------------------------------------
    def _schema_version(self, cursor: psycopg.Cursor[Any]) -> int:
        if cursor.execute("SELECT to_regclass('kloe_store')").fetchone() == (None,):
            return 0
        row = cursor.execute("SELECT schema_version FROM kloe_store").fetchone()
        return 0 if row is None else int(row[0])

    def _migrate(self) -> None:
        connection = self._db
        cursor = connection.cursor()
        version = self._schema_version(cursor)
        if version == len(MIGRATIONS):
            return
        if self.read_only:
            if version == 0:
                raise NotFoundError(
                    f"no assessment store in the database {self.where.dbname!r} on {self.where.server} ({self.path}): "
                    f"create one with 'kloe store init {self.path}', or import assessments with 'kloe import'"
                )
            if version < len(MIGRATIONS):
                raise IncompatibleStoreError(
                    f"the store {self.path} has schema version {version} and this kloe-workbook reads version {len(MIGRATIONS)}. "
                    "Nothing was changed: a command that saves (kloe import) upgrades it, with a role that may."
                )
        with self._lock:
            # A session lock taken before the transaction: the transaction then sees the catalog as the
            # program that held the lock left it (a lock taken inside it would not refresh its view of tables).
            cursor.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
            try:
                self._migrate_locked(connection, cursor)
            finally:
                if not connection.broken:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))

    def _migrate_locked(self, connection: psycopg.Connection[Any], cursor: psycopg.Cursor[Any]) -> None:
        with connection.transaction():
            version = self._schema_version(cursor)  # again, under the lock: another program may have migrated
            if version > len(MIGRATIONS):
                raise IncompatibleStoreError(
                    f"the store {self.path} was written by a newer kloe-workbook (schema version {version}; this "
                    f"one knows up to {len(MIGRATIONS)}). Nothing was changed: upgrade kloe-workbook to open it."
                )
            if version == len(MIGRATIONS):
                return
            if version == 0:
                theirs = [name for name in TABLES[1:] if cursor.execute("SELECT to_regclass(%s)", (name,)).fetchone() != (None,)]
                if theirs:
                    raise IncompatibleStoreError(
                        f"the database {self.where.dbname!r} on {self.where.server} already has tables named {', '.join(theirs)} "
                        "that are not a kloe-workbook store's. Nothing was changed: give --store another database "
                        "(or a schema of its own: ?options=-csearch_path%3Dkloe)."
                    )
                cursor.execute("CREATE TABLE kloe_store (schema_version INTEGER NOT NULL, application TEXT NOT NULL DEFAULT 'kloe-workbook')")
                cursor.execute("INSERT INTO kloe_store (schema_version) VALUES (0)")
            for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
                migration(cursor)
                cursor.execute("UPDATE kloe_store SET schema_version = %s", (number,))

    # -- errors and transactions -------------------------------------------------------------
    def _busy(self) -> StoreBusyError:
        return StoreBusyError(
            f"the store {self.path} is busy (another program holds this assessment); waiting did not help within "
            f"{LOCK_TIMEOUT_SECONDS:g} s. Nothing was changed: try again in a moment."
        )

    def _lost(self) -> None:
        """Forget a connection that failed, so the next operation opens a new one."""
        if self._connection is not None and (self._connection.broken or self._connection.closed):
            self._close_quietly()

    @contextmanager
    def _reading(self) -> Iterator[psycopg.Cursor[Any]]:
        """One read-only snapshot of the store; psycopg errors become StoreErrors."""
        with self._lock:
            try:
                connection = self._db
                with connection.transaction(), connection.cursor() as cursor:
                    yield cursor
            except psycopg.Error as error:
                self._lost()
                if isinstance(error, pg_errors.LockNotAvailable):
                    raise self._busy() from None
                raise StoreError(f"the store {self.path} could not be read: {self._reason(error)}") from None

    @contextmanager
    def _writing(self, key: AssessmentKey) -> Iterator[tuple[psycopg.Cursor[Any], dict[str, int]]]:
        """One transaction; any error rolls it back. Yields a cursor and a dict to note the current revision in."""
        noted: dict[str, int] = {}
        if self.read_only:
            raise StoreWriteError(f"the store {self.path} was opened read-only, so nothing was saved: open it for saving (the form, kloe import)")
        with self._lock:
            try:
                connection = self._db
                with connection.transaction(), connection.cursor() as cursor:
                    yield cursor, noted
            except psycopg.Error as error:
                dropped = self._connection is not None and self._connection.broken
                self._lost()
                raise self._not_saved(key, noted, error, dropped=dropped) from None

    def _not_saved(self, key: AssessmentKey, noted: dict[str, int], error: psycopg.Error, *, dropped: bool = False) -> StoreError:
        """NOT SAVED, why and what to do; ``dropped``: an open connection broke (a restart, pg_terminate_backend, the network)."""
        previous = noted.get("current")
        intact = f"the previous revision {previous} is intact" if previous else "nothing of it had been stored before"
        if not previous and "new" not in noted:  # it failed before the store said what it has
            intact = "what the store had is intact"
        if isinstance(error, pg_errors.LockNotAvailable):
            return self._busy()
        if isinstance(error, (pg_errors.UniqueViolation, pg_errors.SerializationFailure, pg_errors.DeadlockDetected)):
            return StoreBusyError(f"NOT SAVED: {council(key)}: someone else saved it in the store {self.path} at the same moment ({intact}); save again")
        if isinstance(error, (pg_errors.InsufficientPrivilege, pg_errors.ReadOnlySqlTransaction)):
            why = (
                f"the role {self.where.user!r} may only read this store ({self._scrub(str(error))}); ask its owner to grant "
                f"it writing (kloe store init {self.path} --writer {self.where.user})"
            )
        elif dropped:
            why = (
                f"the connection to the database {self.where.dbname!r} on the PostgreSQL server {self.where.server} was lost "
                f"({self._scrub(str(error))}); keep your edit: it is saved once the server can be reached again"
            )
        elif isinstance(error, (psycopg.OperationalError, psycopg.InterfaceError)):
            why = f"{self._reason(error)}; keep your edit: it is saved once the server can be reached again"
        else:
            why = self._scrub(str(error))
        return StoreWriteError(f"NOT SAVED: {council(key)} could not be saved in the store {self.path}: {why} ({intact})")

    # -- reading -----------------------------------------------------------------------------
    def _row(self, cursor: psycopg.Cursor[Any], key: AssessmentKey, *, lock: bool = False) -> tuple[int, int] | None:
        row = cursor.execute(
            "SELECT id, current_revision FROM assessments WHERE framework = %s AND org_code = %s AND period = %s AND track = %s"
            + (" FOR UPDATE" if lock else ""),
            (key.framework, key.org_code, key.period, key.track),
        ).fetchone()
        return None if row is None else (int(row[0]), int(row[1]))

    def _revision(self, cursor: psycopg.Cursor[Any], assessment_id: int, number: int) -> tuple[str, str] | None:
        """(saved_at, saved_by) of a revision, or None if there is no such revision."""
        row = cursor.execute("SELECT saved_at, saved_by FROM revisions WHERE assessment_id = %s AND number = %s", (assessment_id, number)).fetchone()
        return None if row is None else (str(row[0]), str(row[1]))

    def _text(self, cursor: psycopg.Cursor[Any], key: AssessmentKey, assessment_id: int, number: int) -> str | None:
        """The document text exactly as revision ``number`` saved it (None: no such revision); as SQLiteStore._text.

        The current revision is kept whole on the assessments row; any other is rebuilt from
        the snapshot at or before it and the deltas after that (at most SNAPSHOT_EVERY - 1).
        """
        cached = cursor.execute(
            "SELECT r.document_crc, a.document FROM assessments a JOIN revisions r ON r.assessment_id = a.id AND r.number = a.current_revision "
            "WHERE a.id = %s AND a.current_revision = %s",
            (assessment_id, number),
        ).fetchone()
        text = revision_rows.cached_text(*cached) if cached is not None else None
        if text is not None:
            return text
        chain = [
            revision_codec.StoredBody(int(row[0]), bool(row[1]), bytes(row[2]), int(row[3]))
            for row in cursor.execute(
                "SELECT number, snapshot, body, document_crc FROM revisions WHERE assessment_id = %s AND number <= %s AND number >= "
                "(SELECT max(number) FROM revisions WHERE assessment_id = %s AND number <= %s AND snapshot) ORDER BY number",
                (assessment_id, number, assessment_id, number),
            ).fetchall()
        ]
        if not chain or chain[-1].number != number:
            return None
        try:
            return revision_codec.decode(chain)
        except revision_codec.DamagedRevision as error:
            raise CorruptStoreError(
                f"revision {number} of {key} in the store {self.path} cannot be read: revision {error.number} is damaged "
                f"({error}). The revisions from the next full copy on (one is kept every {revision_codec.SNAPSHOT_EVERY} revisions) "
                "and the current one are unaffected"
            ) from None

    def _changes(self, key: AssessmentKey, number: int, blob: bytes) -> list[list[Any]]:
        """A revision's stored change entries (``revision_codec.encode_changes``): each names its field second."""
        try:
            changes: list[list[Any]] = revision_codec.unpack_json(bytes(blob))
        except ValueError as error:
            raise self._damaged_changes(key, number, error) from None
        return changes

    def _damaged_changes(self, key: AssessmentKey, number: int, error: ValueError) -> CorruptStoreError:
        return CorruptStoreError(
            f"the change list of revision {number} of {key} in the store {self.path} is damaged ({error.args[0]}); "
            "the documents of every revision are unaffected (they can be loaded and restored)"
        )

    def _stored(self, cursor: psycopg.Cursor[Any], key: AssessmentKey, assessment_id: int, number: int) -> StoredAssessment:
        row = self._revision(cursor, assessment_id, number)
        text = self._text(cursor, key, assessment_id, number) if row is not None else None
        if row is None or text is None:
            raise CorruptStoreError(f"the store {self.path} has lost revision {number} of {key}; nothing was changed")
        saved_at, saved_by = row
        return StoredAssessment(key, self._parse(key, number, text), number, saved_at, saved_by)

    def find(self, key: AssessmentKey) -> StoredAssessment | None:
        """The current revision of an assessment, or None if the store has none."""
        with self._reading() as cursor:
            row = self._row(cursor, key)
            return None if row is None else self._stored(cursor, key, *row)

    def keys(self, framework: str | None = None) -> list[AssessmentKey]:
        """Every stored assessment (of one framework), sorted by framework, code, period, track (as SQLite: by bytes)."""
        where = " WHERE framework = %s" if framework is not None else ""
        with self._reading() as cursor:
            rows = cursor.execute(
                f"SELECT framework, org_code, period, track FROM assessments{where} ORDER BY {ORDER}", (framework,) if framework is not None else ()
            ).fetchall()
        return [AssessmentKey(*row) for row in rows]

    def latest_revisions(self, framework: str | None = None) -> dict[AssessmentKey, tuple[int, str]]:
        """(current revision, saved_at) of every assessment of a framework, without reading any document."""
        where = " WHERE a.framework = %s" if framework is not None else ""
        order = ", ".join(f"a.{part}" for part in ORDER.split(", "))
        with self._reading() as cursor:
            rows = cursor.execute(
                "SELECT a.framework, a.org_code, a.period, a.track, r.number, r.saved_at FROM assessments a "
                f"JOIN revisions r ON r.assessment_id = a.id AND r.number = a.current_revision{where} ORDER BY {order}",
                (framework,) if framework is not None else (),
            ).fetchall()
        return {AssessmentKey(*row[:4]): (int(row[4]), str(row[5])) for row in rows}

    def history(self, key: AssessmentKey) -> list[RevisionInfo]:
        """Every revision of an assessment, oldest first: who, when, based on what, which fields changed."""
        with self._reading() as cursor:
            row = self._row(cursor, key)
            if row is None:
                raise NotFoundError(f"no assessment for {key} in the store {self.path}")
            rows = cursor.execute(
                "SELECT number, saved_at, saved_by, based_on, changes FROM revisions WHERE assessment_id = %s ORDER BY number", (row[0],)
            ).fetchall()
        try:
            lists = revision_codec.unpack_json_many([bytes(row[4]) for row in rows])
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
        with self._reading() as cursor:
            row = self._row(cursor, key)
            if row is None:
                raise NotFoundError(f"no assessment for {key} in the store {self.path}")
            text = self._text(cursor, key, row[0], number)
            if text is None:
                raise NotFoundError(f"{key} has no revision {number} (it has revisions 1-{row[1]})")
            return text

    # -- writing -----------------------------------------------------------------------------
    def save(self, assessment: Assessment, *, based_on: int | None, author: str | None = None, track: str | None = None) -> StoredAssessment:
        """Add a revision, or refuse a save based on a stale revision (nothing is overwritten); as SQLiteStore.save."""
        if track is not None and track != assessment.track:
            assessment = assessment.model_copy(deep=True)
            assessment.track = track  # validated on assignment
        key = AssessmentKey.of(assessment)
        text = assessment.model_dump_json()
        document = json.loads(text)
        author = author or assessment.assessor or login_name()
        version = assessment.framework_version
        with self._writing(key) as (cursor, noted):
            row = self._row(cursor, key, lock=True)
            noted["new"] = int(row is None)
            if row is not None:
                noted["current"] = row[1]
            if row is None:
                if based_on is not None:  # ``current`` None: the form then saves its edit as a new assessment
                    raise not_in_store(key, self.path, based_on)
                created = cursor.execute(
                    "INSERT INTO assessments (framework, org_code, period, track, current_revision) VALUES (%s, %s, %s, %s, 0) "
                    "ON CONFLICT (framework, org_code, period, track) DO NOTHING RETURNING id",
                    (key.framework, key.org_code, key.period, key.track),
                ).fetchone()
                if created is None:  # another machine created it at this very moment and committed first
                    row = self._row(cursor, key, lock=True)
                    assert row is not None  # its insert committed, or ours would not have met it
                else:
                    assessment_id, current, current_document = int(created[0]), 0, None
            if row is not None:
                assessment_id, current = row
                noted["current"] = current
                current_text = self._text(cursor, key, assessment_id, current)
                if current_text is None:
                    raise CorruptStoreError(f"the store {self.path} has lost revision {current} of {key}")
                current_document = json.loads(current_text)
                if document == current_document and based_on is not None:
                    return self._stored(cursor, key, assessment_id, current)  # nothing to save (even if theirs got here first)
                if based_on != current:
                    raise self._stale(cursor, key, assessment_id, based_on, current, current_document, document)
            number, saved_at = current + 1, _now()
            changes = [(change.path, change.before, change.after) for change in changed_fields(current_document, document)]
            self._insert_revision(cursor, key, assessment_id, number, based_on, saved_at, author, version, current_document, document, text, changes)
            cursor.execute(
                "UPDATE assessments SET current_revision = %s, document = %s WHERE id = %s AND current_revision = %s",
                (number, revision_codec.pack(text.encode()), assessment_id, current),
            )
            if cursor.rowcount != 1:  # cannot happen under the row lock; if it ever did, nothing is written
                raise StoreBusyError(f"NOT SAVED: {council(key)}: someone else saved it in the store {self.path} at the same moment; save again")
        return StoredAssessment(key, Assessment.model_validate_json(text), number, saved_at, author)

    def _insert_revision(
        self,
        cursor: psycopg.Cursor[Any],
        key: AssessmentKey,
        assessment_id: int,
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
        """One revision row, encoded by ``revision_codec`` (a delta against ``previous``, or a full copy), as SQLite's."""
        recent: list[list[Any]] = []
        if number > 1:
            blobs = cursor.execute(
                "SELECT changes FROM revisions WHERE assessment_id = %s AND number > %s AND number < %s",
                (assessment_id, number - 1 - revision_codec.DERIVE_WITHIN, number),
            ).fetchall()
            recent = revision_rows.usable_entries(blob for (blob,) in blobs)
        entries = revision_codec.encode_changes(changes, revision_codec.listed_in(recent))
        stored = revision_codec.encode(number, previous, document, text)
        cursor.execute(
            "INSERT INTO revisions (assessment_id, number, based_on, saved_at, saved_by, framework, framework_version, "
            "framework_sha256, snapshot, body, document_crc, changes) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                assessment_id,
                number,
                based_on,
                saved_at,
                author,
                key.framework,
                version.version if version else "",
                version.sha256 if version else "",
                stored.snapshot,
                stored.body,
                stored.crc,
                revision_rows.pack_changes(entries),
            ),
        )

    def _stale(
        self,
        cursor: psycopg.Cursor[Any],
        key: AssessmentKey,
        assessment_id: int,
        based_on: int | None,
        current: int,
        current_document: dict[str, Any],
        mine: dict[str, Any],
    ) -> StoreError:
        current_stored = self._stored(cursor, key, assessment_id, current)
        start = based_on or 0
        base_text = self._text(cursor, key, assessment_id, start) if 0 < start < current else None
        base = json.loads(base_text) if base_text else {}
        touched: dict[str, tuple[int, str, str]] = {}
        for number, saved_by, saved_at, changes in cursor.execute(
            "SELECT number, saved_by, saved_at, changes FROM revisions WHERE assessment_id = %s AND number > %s AND number <= %s ORDER BY number",
            (assessment_id, start, current),
        ).fetchall():
            for entry in self._changes(key, number, changes):
                touched[entry[1]] = (number, saved_by, saved_at)
        return stale_error(key, self.path, based_on, current_stored, current_document, base, mine, touched)

    # -- moving between stores (kloe store copy, kloe store check) -----------------------------
    def revisions_of(self, key: AssessmentKey) -> list[ImportedRevision]:
        """Every revision of an assessment as stored (document text exactly, changes in full), oldest first."""
        with self._reading():
            return [
                ImportedRevision(info.number, info.based_on, info.saved_at, info.saved_by, self.document_text(key, info.number), info.changes)
                for info in self.history(key)
            ]

    def import_revisions(self, key: AssessmentKey, revisions: Sequence[ImportedRevision]) -> None:
        """Write an assessment's whole history as another store holds it (numbers, authors, times kept).

        Not a save: nothing is compared, so it is only for ``kloe store copy``, into a store that
        does not have the assessment (refused, naming it, if it does). Revisions are encoded as a
        save encodes them (``revision_codec``), so the copy is as small as the original.
        """
        with self._writing(key) as (cursor, _noted):
            created = cursor.execute(
                "INSERT INTO assessments (framework, org_code, period, track, current_revision) VALUES (%s, %s, %s, %s, %s) "
                "ON CONFLICT (framework, org_code, period, track) DO NOTHING RETURNING id",
                (key.framework, key.org_code, key.period, key.track, revisions[-1].number),
            ).fetchone()
            if created is None:
                raise StoreWriteError(f"NOT COPIED: {council(key)} is already in the store {self.path}; nothing was overwritten")
            assessment_id, previous = int(created[0]), None
            for revision in revisions:
                version = self._parse(key, revision.number, revision.document).framework_version
                document = json.loads(revision.document)
                changes = [(change.path, change.before, change.after) for change in revision.changes]
                self._insert_revision(
                    cursor,
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
            cursor.execute("UPDATE assessments SET document = %s WHERE id = %s", (revision_codec.pack(revisions[-1].document.encode()), assessment_id))

    def engine_check(self) -> list[str]:
        """Problems the database itself sees (SQLite's integrity_check; here: the tables and the schema version)."""
        with self._reading() as cursor:
            missing = [name for name in TABLES if cursor.execute("SELECT to_regclass(%s)", (name,)).fetchone() == (None,)]
            if missing:
                return [f"tables missing: {', '.join(missing)}"]
            version = self._schema_version(cursor)
            orphans = cursor.execute("SELECT count(*) FROM revisions r LEFT JOIN assessments a ON a.id = r.assessment_id WHERE a.id IS NULL").fetchone()
        problems = [] if version == len(MIGRATIONS) else [f"schema version {version}, expected {len(MIGRATIONS)}"]
        if orphans and orphans[0]:
            problems.append(f"{orphans[0]} revisions belong to no assessment")
        return problems

    def grant(self, writer: str = "", reader: str = "") -> list[str]:
        """Let ``writer`` read and save, ``reader`` only read (roles that exist); what was granted, in words."""
        done = []
        with self._lock:
            try:
                connection = self._db
                with connection.transaction(), connection.cursor() as cursor:
                    schema = cursor.execute("SELECT current_schema()").fetchone()
                    for role, tables_privileges, label in ((writer, "SELECT, INSERT, UPDATE", "read and save"), (reader, "SELECT", "only read")):
                        if not role:
                            continue
                        if cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is None:
                            raise StoreError(
                                f"the PostgreSQL server {self.where.server} has no role {role!r}: create it first "
                                f"(CREATE ROLE {role} LOGIN), then run kloe store init again. Nothing was granted"
                            )
                        who = sql.Identifier(role)
                        cursor.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(self.where.dbname), who))
                        cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(str(schema[0] if schema else "public")), who))
                        cursor.execute(sql.SQL("GRANT SELECT ON kloe_store TO {}").format(who))
                        cursor.execute(sql.SQL(f"GRANT {tables_privileges} ON assessments, revisions TO {{}}").format(who))
                        if role == writer:
                            cursor.execute(sql.SQL("GRANT USAGE ON SEQUENCE assessments_id_seq TO {}").format(who))
                        done.append(f"{role} may {label}")
            except psycopg.Error as error:
                self._lost()
                raise StoreError(f"could not grant access to the store {self.path}: {self._reason(error)}") from None
        return done

    # -- lifetime ------------------------------------------------------------------------------
    def _close_quietly(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except psycopg.Error:
                pass
            self._connection = None

    def __repr__(self) -> str:
        return f"PostgreSQLStore({self.path!r})"
