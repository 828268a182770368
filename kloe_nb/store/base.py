"""The store interface: what every backend (SQLite today) offers, and the records it returns.

An assessment is identified by framework, organisation code and period (and a ``track`` for
independent second assessments). Every save adds a revision; history is never rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Protocol

from kloe_nb.assessment.model import Assessment


@dataclass(frozen=True, order=True)
class AssessmentKey:
    framework: str
    org_code: str
    period: str = ""
    track: str = ""

    @classmethod
    def of(cls, assessment: Assessment, track: str = "") -> AssessmentKey:
        return cls(assessment.framework, assessment.organisation.code, assessment.period, track)

    def __str__(self) -> str:
        period = f" {self.period}" if self.period else ""
        track = f" [{self.track}]" if self.track else ""
        return f"{self.framework} {self.org_code}{period}{track}"


@dataclass(frozen=True)
class FieldChange:
    """One field that changed between two revisions (``kloes.2.1.level``: 2 -> 3)."""

    path: str
    before: Any
    after: Any


@dataclass(frozen=True)
class StoredAssessment:
    key: AssessmentKey
    assessment: Assessment
    revision: int
    saved_at: str
    saved_by: str


@dataclass(frozen=True)
class RevisionInfo:
    number: int
    saved_at: str
    saved_by: str
    based_on: int | None
    changes: list[FieldChange] = field(default_factory=list)


class AssessmentStore(Protocol):
    """What the rest of the workbook may ask of a store."""

    path: Any

    def find(self, key: AssessmentKey) -> StoredAssessment | None: ...

    def load(self, key: AssessmentKey) -> StoredAssessment: ...

    def save(
        self, assessment: Assessment, *, based_on: int | None, author: str | None = None, track: str = ""
    ) -> StoredAssessment: ...

    def history(self, key: AssessmentKey) -> list[RevisionInfo]: ...

    def at_revision(self, key: AssessmentKey, number: int) -> Assessment: ...

    def restore(self, key: AssessmentKey, number: int, *, based_on: int, author: str | None = None) -> StoredAssessment: ...

    def keys(self, framework: str | None = None) -> list[AssessmentKey]: ...

    def latest_revisions(self, framework: str | None = None) -> dict[AssessmentKey, tuple[int, str]]: ...

    def close(self) -> None: ...

    def __enter__(self) -> AssessmentStore: ...

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None: ...
