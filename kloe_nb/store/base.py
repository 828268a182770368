"""The store interface: what every backend (SQLite today) offers, and the records it returns.

An assessment is identified by framework, organisation code and period (and a ``track`` for
independent second assessments). Every save adds a revision; history is never rewritten.
A save names the revision it was based on; a save based on anything but the current
revision is refused (``StaleRevisionError``), so two people can never overwrite each other.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Protocol, runtime_checkable

from kloe_nb.assessment.fields import Conflict, FieldChange
from kloe_nb.assessment.model import Assessment
from kloe_nb.errors import StoreError


@dataclass(frozen=True, order=True)
class AssessmentKey:
    """Which assessment: framework, organisation code (kept exactly, ``"00123"``), period, track."""

    framework: str
    org_code: str
    period: str = ""
    track: str = ""

    @classmethod
    def of(cls, assessment: Assessment, track: str | None = None) -> AssessmentKey:
        """The key of an assessment: its own track unless another is given."""
        return cls(assessment.framework, assessment.organisation.code, assessment.period, assessment.track if track is None else track)

    def __str__(self) -> str:
        period = f" {self.period}" if self.period else ""
        track = f" [{self.track}]" if self.track else ""
        return f"{self.framework} {self.org_code}{period}{track}"


@dataclass(frozen=True)
class StoredAssessment:
    """An assessment as stored: its current (or a given) revision, when and by whom it was saved."""

    key: AssessmentKey
    assessment: Assessment
    revision: int
    saved_at: str
    saved_by: str


@dataclass(frozen=True)
class RevisionInfo:
    """One entry of an assessment's history (oldest first): who saved what, when, based on which revision."""

    number: int
    saved_at: str
    saved_by: str
    based_on: int | None
    changes: list[FieldChange] = field(default_factory=list)


@dataclass(frozen=True)
class ImportedRevision:
    """One revision as another store holds it: written as it is by ``import_revisions`` (``kloe store copy``)."""

    number: int
    based_on: int | None
    saved_at: str
    saved_by: str
    document: str
    changes: list[FieldChange]


def login_name() -> str:
    """Who is saving when no name was given: the operating system's login name, else "unknown"."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name (e.g. a container with an arbitrary uid)
        return "unknown"


@runtime_checkable
class AssessmentStore(Protocol):
    """What the rest of the workbook may ask of a store (``open_store`` returns one)."""

    path: Any

    def find(self, key: AssessmentKey) -> StoredAssessment | None:
        """The current revision, or None if the store has no such assessment."""
        ...

    def load(self, key: AssessmentKey) -> StoredAssessment:
        """The current revision, or ``NotFoundError`` naming the key."""
        ...

    def save(self, assessment: Assessment, *, based_on: int | None, author: str | None = None, track: str | None = None) -> StoredAssessment:
        """Add a revision (``based_on=None``: create; refused if it exists). Stale: ``StaleRevisionError``.

        ``track`` defaults to the assessment's own; a different one is written into the saved document.
        """
        ...

    def history(self, key: AssessmentKey) -> list[RevisionInfo]:
        """Every revision, oldest first."""
        ...

    def at_revision(self, key: AssessmentKey, number: int) -> Assessment:
        """The assessment as it was saved in revision ``number``."""
        ...

    def restore(self, key: AssessmentKey, number: int, *, based_on: int, author: str | None = None) -> StoredAssessment:
        """Make revision ``number`` current again by adding a new revision equal to it."""
        ...

    def keys(self, framework: str | None = None) -> list[AssessmentKey]:
        """Every stored assessment (of one framework), sorted."""
        ...

    def latest_revisions(self, framework: str | None = None) -> dict[AssessmentKey, tuple[int, str]]:
        """Current revision number and its save time for every assessment (cheap: no documents read)."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> AssessmentStore: ...

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None) -> None: ...


class StaleRevisionError(StoreError):
    """A save was based on an older revision than the store holds: refused, nothing overwritten.

    ``current`` is the stored assessment as it is now (None when the store no longer has it);
    ``conflicts`` lists the fields both saves changed, with both values and which revision set
    theirs, so the form can show them side by side.
    """

    def __init__(self, message: str, current: StoredAssessment | None, conflicts: list[Conflict]) -> None:
        super().__init__(message)
        self.current = current
        self.conflicts = conflicts
