"""The assessment store: every save a revision, stale saves refused, nothing ever lost.

``open_store(path)`` is the one way in: a file is a SQLite store (the embedded default, for a
team on one machine), a ``postgresql://`` URL a PostgreSQL one (a team on several machines).
Other code depends on the ``AssessmentStore`` interface in ``base.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

from kloe_nb.assessment.fields import Conflict, FieldChange, describe_path
from kloe_nb.errors import StoreError
from kloe_nb.store.address import is_server
from kloe_nb.store.base import AssessmentKey, AssessmentStore, RevisionInfo, StaleRevisionError, StoredAssessment
from kloe_nb.store.safety import restore_backup
from kloe_nb.store.sqlite import SQLiteStore, StoreWarning

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")  # two letters or more: "C:\..." is a path


def open_store(path: str | Path, *, read_only: bool = False) -> AssessmentStore:
    """Open (or create) the store at ``path``: a file name, ``sqlite:PATH``, ``sqlite:///abs/path``, or
    ``postgresql://user@host:port/db`` (libpq's URL; PG* variables and ~/.pgpass apply).

    Raises a ``StoreError`` a person can act on: busy, damaged (set aside, backup offered),
    newer than this version, or a kind of database this version cannot use. ``read_only`` is
    for commands that only read: the store must exist, nothing in it or beside it is written
    (no backup refresh), and it can be read where its folder cannot be written.
    """
    if isinstance(path, str):
        match = _SCHEME.match(path)
        if is_server(path):
            from kloe_nb.store.postgres import PostgreSQLStore

            return PostgreSQLStore(path, read_only=read_only)
        if match and match.group(1).lower() == "sqlite":
            path = path[len(match.group(0)) :]
            path = path[2:] if path.startswith("//") else path
        elif match and path[match.end() :].startswith("//"):
            raise StoreError(
                f"unknown kind of store {match.group(1)!r} in {path!r}: only SQLite files (sqlite:PATH) and PostgreSQL (postgresql://user@host/db) are supported"
            )
        if not path:
            raise StoreError("no store file named: give --store PATH (or set KLOE_STORE)")
    return SQLiteStore(path, read_only=read_only)


__all__ = [
    "AssessmentKey",
    "AssessmentStore",
    "Conflict",
    "FieldChange",
    "RevisionInfo",
    "SQLiteStore",
    "StaleRevisionError",
    "StoreWarning",
    "StoredAssessment",
    "describe_path",
    "open_store",
    "restore_backup",
]
