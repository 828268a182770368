"""What changed between two periods of a council's assessment, and who changed it when.

``kloe diff`` compares the current revision of the earlier period with the current
revision of the later one, field by field (the store's own flattening, so a field here is
the same field as in ``kloe history``), and for each changed field finds the revision of
the later period's assessment that last set it: who saved it and when. A field that was
already set in the later period's first revision (imported, or copied forward) is
attributed to that first revision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kloe_nb.analysis.periods import period_sort_key
from kloe_nb.assessment.fields import NOT_FINDINGS_BETWEEN_PERIODS, changed_fields
from kloe_nb.errors import NotFoundError
from kloe_nb.store.base import AssessmentKey, AssessmentStore, RevisionInfo

IGNORED_FIELDS = NOT_FINDINGS_BETWEEN_PERIODS
"""Top-level fields left out of a period comparison, with the reason for each (``assessment.fields``)."""


@dataclass(frozen=True)
class PeriodChange:
    """One field that differs between the two periods, and the later period's revision that set it."""

    path: str
    label: str
    before: Any
    after: Any
    revision: int
    changed_by: str
    changed_at: str


def _last_setting(history: list[RevisionInfo], path: str) -> RevisionInfo:
    """The latest revision whose changes include ``path``; the first revision if none did."""
    for revision in reversed(history):
        if any(change.path == path for change in revision.changes):
            return revision
    return history[0]


def period_changes(store: AssessmentStore, framework_id: str, org_code: str, period_from: str, period_to: str, track: str = "") -> list[PeriodChange]:
    """Every changed field from ``period_from`` to ``period_to`` (current revisions), top-level fields first.

    Raises ``NotFoundError`` naming the council, framework and period(s) the store lacks.
    """
    keys = [AssessmentKey(framework_id, org_code, period, track) for period in (period_from, period_to)]
    found = [store.find(key) for key in keys]
    missing = list(dict.fromkeys(key.period or "(no period)" for key, stored in zip(keys, found) if stored is None))
    if missing:
        track_words = f", track {track}" if track else ""
        periods = " and ".join(missing)
        held = sorted({key.period for key in store.keys(framework_id) if key.org_code == org_code and key.track == track}, key=period_sort_key)
        has = f" (it has {', '.join(p or '(no period)' for p in held)})" if held else " (it has no period of that council at all)"
        raise NotFoundError(
            f"the store {store.path} has no assessment of {org_code} against {framework_id}{track_words} "
            f"for period{'s' if len(missing) > 1 else ''} {periods}{has}; check the code and periods, or import that period first"
        )
    before, after = found
    assert before is not None and after is not None
    history = store.history(keys[1])
    changes = changed_fields(before.assessment.to_json_data(), after.assessment.to_json_data())
    result = []
    for change in changes:
        if change.path in IGNORED_FIELDS:
            continue
        setting = _last_setting(history, change.path)
        result.append(
            PeriodChange(
                change.path,
                change.label,
                change.before,
                change.after,
                setting.number,
                setting.saved_by,
                setting.saved_at,
            )
        )
    return result
