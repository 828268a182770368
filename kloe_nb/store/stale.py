"""What a refused save says, the same words from every backend: which council, both values, who set theirs.

A backend finds the revisions (the one the edit was based on, the current one, which revision
last changed each field); this module turns them into the ``StaleRevisionError`` the form shows.
(tests/test_store.py runs both backends on it.)
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from kloe_nb.assessment.fields import Conflict, changed_fields, find_conflicts
from kloe_nb.store.base import AssessmentKey, StaleRevisionError, StoredAssessment


def describe(value: Any) -> str:
    """A value in a message: blank said as such, long text cut."""
    if value is None or value == "":
        return "(blank)"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


def council(key: AssessmentKey) -> str:
    """An assessment named for a person: ``hi-prospects council 00123 2008/09``."""
    return f"{key.framework} council {key.org_code}" + (f" {key.period}" if key.period else "") + (f" [{key.track}]" if key.track else "")


def not_in_store(key: AssessmentKey, where: str, based_on: int) -> StaleRevisionError:
    """An edit based on a revision of an assessment the store does not have (``current`` None: save it as new)."""
    return StaleRevisionError(
        f"NOT SAVED: {council(key)} is not in the store {where}, but your edit was based on its revision "
        f"{based_on} (was the store replaced or restored from a backup?); nothing was overwritten. "
        "Keep your edit and save it as a new assessment (based_on=None).",
        None,
        [],
    )


def with_authors(
    base: dict[str, Any], theirs: dict[str, Any], mine: dict[str, Any], current: StoredAssessment, touched: dict[str, tuple[int, str, str]]
) -> list[Conflict]:
    """The fields both saves changed from ``base``, each with the revision (author, time) that set theirs."""
    conflicts = []
    for found in find_conflicts(base, theirs, mine):
        revision, author, when = touched.get(found.path, (current.revision, current.saved_by, current.saved_at))
        conflicts.append(replace(found, their_revision=revision, their_author=author, their_time=when))
    return conflicts


def stale_error(
    key: AssessmentKey,
    where: str,
    based_on: int | None,
    current: StoredAssessment,
    theirs: dict[str, Any],
    base: dict[str, Any],
    mine: dict[str, Any],
    touched: dict[str, tuple[int, str, str]],
) -> StaleRevisionError:
    """The refusal of a save based on ``based_on`` (None: both created it) while the store has ``current``."""
    by = f"revision {current.revision} by {current.saved_by} at {current.saved_at}"
    conflicts = with_authors(base, theirs, mine, current, touched)
    if based_on is None:
        return StaleRevisionError(
            f"NOT SAVED: {council(key)} is already in the store {where} ({by}); nothing was overwritten. "
            "Load it and make your changes to it, or use a different period.",
            current,
            conflicts,
        )
    if based_on > current.revision:
        why = f"your edit was based on revision {based_on} but the store has only {current.revision} revisions (was it restored from a backup?)"
    else:
        why = f"someone else saved it since you loaded revision {based_on}: the store now has {by}"
    lines = [
        f"{conflict.label}: theirs {describe(conflict.theirs)} (revision {conflict.their_revision} by "
        f"{conflict.their_author} at {conflict.their_time}), yours {describe(conflict.mine)}"
        for conflict in conflicts
    ]
    conflicting = {conflict.path for conflict in conflicts}
    others = [change.label for change in changed_fields(base, theirs) if change.path not in conflicting]
    if others:
        lines.append(f"they also changed: {', '.join(others)}")
    if not lines:
        lines.append("their changes do not show in any field")
    message = (
        f"NOT SAVED: {council(key)}: {why}; nothing was overwritten.\n  "
        + "\n  ".join(lines)
        + "\n  Keep your values (listed above as yours), reload to see theirs, then make your changes again."
    )
    return StaleRevisionError(message, current, conflicts)
