"""A history read as people made it: a burst of autosaves by one person is one entry.

The form autosaves every few seconds while an analyst types, so a few minutes' work on one
KLOE is dozens of revisions. ``bursts`` groups consecutive revisions by one author, each
saved within ``gap`` (10 minutes) of the one before, and gives each group's combined
changes: every field it touched, from its value before the burst to its value after (a
field typed into and then put back as it was is left out). An assessment's first revision
(it was created) is always an entry of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from kloe_nb.assessment.fields import FieldChange, same
from kloe_nb.store.base import RevisionInfo

#: Saves further apart than this start a new entry.
BURST_GAP = timedelta(minutes=10)


@dataclass(frozen=True)
class Burst:
    """Consecutive revisions by one author, each within the gap of the one before."""

    revisions: list[RevisionInfo]

    @property
    def first(self) -> RevisionInfo:
        return self.revisions[0]

    @property
    def last(self) -> RevisionInfo:
        return self.revisions[-1]

    @property
    def changes(self) -> list[FieldChange]:
        """Each field the burst changed, from before its first revision to after its last, in the order first changed."""
        combined: dict[str, list[Any]] = {}
        for revision in self.revisions:
            for change in revision.changes:
                combined.setdefault(change.path, [change.before, change.after])[1] = change.after
        return [FieldChange(path, before, after) for path, (before, after) in combined.items() if not same(before, after)]


def _when(revision: RevisionInfo) -> datetime | None:
    try:
        return datetime.fromisoformat(revision.saved_at)
    except ValueError:
        return None


def _continues(previous: RevisionInfo, revision: RevisionInfo, gap: timedelta) -> bool:
    before, after = _when(previous), _when(revision)
    if previous.number == 1 or revision.saved_by != previous.saved_by or before is None or after is None:
        return False
    try:
        return timedelta(0) <= after - before <= gap
    except TypeError:  # one time with a zone, one without
        return False


def bursts(history: list[RevisionInfo], gap: timedelta = BURST_GAP) -> list[Burst]:
    """The history (oldest first) as bursts of saves, oldest first."""
    groups: list[list[RevisionInfo]] = []
    for revision in history:
        if groups and _continues(groups[-1][-1], revision, gap):
            groups[-1].append(revision)
        else:
            groups.append([revision])
    return [Burst(group) for group in groups]
