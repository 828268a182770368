"""The assessment store: every save a revision, stale saves refused, nothing ever lost.

``open_store(path)`` is the one way in; SQLite is the embedded default (and, for now, the
only backend). Other code depends on the ``AssessmentStore`` interface in ``base.py``.
"""

from __future__ import annotations

from pathlib import Path

from kloe_nb.store.base import AssessmentKey, AssessmentStore, FieldChange, RevisionInfo, StoredAssessment
from kloe_nb.store.safety import restore_backup
from kloe_nb.store.sqlite import SQLiteStore, StoreWarning


def open_store(path: str | Path) -> AssessmentStore:
    """Open (or create) the store at ``path``."""
    return SQLiteStore(path)


__all__ = [
    "AssessmentKey",
    "AssessmentStore",
    "FieldChange",
    "RevisionInfo",
    "SQLiteStore",
    "StoreWarning",
    "StoredAssessment",
    "open_store",
    "restore_backup",
]
