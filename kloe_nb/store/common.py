"""What every store does the same way, whatever keeps its revisions: read a document, load, restore, close.

A backend (``sqlite.py``, ``postgres.py``) provides ``path``, ``find``, ``document_text``,
``save``, ``_lock`` and ``_close_quietly``; this base turns them into the rest of the
``AssessmentStore`` contract, so the two cannot drift apart in what they say or do.
"""

from __future__ import annotations

import threading
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from pydantic import ValidationError

from kloe_nb.assessment.model import Assessment
from kloe_nb.errors import NotFoundError, StoreError
from kloe_nb.store.base import AssessmentKey, StoredAssessment, login_name

_Store = TypeVar("_Store", bound="RevisionStore")


class RevisionStore:
    """The part of a store built on its backend's find, document_text and save (see the module docstring)."""

    path: Path | str
    _lock: threading.RLock

    def find(self, key: AssessmentKey) -> StoredAssessment | None:
        raise NotImplementedError

    def document_text(self, key: AssessmentKey, number: int) -> str:
        raise NotImplementedError

    def save(self, assessment: Assessment, *, based_on: int | None, author: str | None = None, track: str | None = None) -> StoredAssessment:
        raise NotImplementedError

    def _close_quietly(self) -> None:
        raise NotImplementedError

    def _parse(self, key: AssessmentKey, number: int, document: str) -> Assessment:
        try:
            return Assessment.model_validate_json(document)
        except ValidationError as error:
            raise StoreError(
                f"revision {number} of {key} in the store {self.path} is no longer a valid assessment for this version "
                f"of kloe-workbook ({error.error_count()} problems, first: {error.errors()[0]['msg']}); it is kept unchanged"
            ) from None

    def load(self, key: AssessmentKey) -> StoredAssessment:
        """The current revision of an assessment, or NotFoundError naming it."""
        stored = self.find(key)
        if stored is None:
            raise NotFoundError(f"no assessment for {key} in the store {self.path}; import one with 'kloe import'")
        return stored

    def at_revision(self, key: AssessmentKey, number: int) -> Assessment:
        """The assessment exactly as revision ``number`` saved it."""
        return self._parse(key, number, self.document_text(key, number))

    def restore(self, key: AssessmentKey, number: int, *, based_on: int, author: str | None = None) -> StoredAssessment:
        """Make an earlier revision current again, as a new revision (history is never rewritten)."""
        return self.save(self.at_revision(key, number), based_on=based_on, author=author or login_name(), track=key.track)

    def close(self) -> None:
        with self._lock:
            self._close_quietly()

    def __enter__(self: _Store) -> _Store:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None) -> None:
        self.close()
