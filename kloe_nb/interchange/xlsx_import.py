"""``kloe import`` of an Excel workbook into the store: a revision like any save, a new council, or nothing at all.

A workbook records the store revision it was exported at; the import saves based on that
revision, so the store's stale-revision rule applies as it does to the form. If the store has
moved on since the export, the two are merged where they changed different fields (the form's
three-way merge, ``assessment.fields.merge``) and refused, every clashing field named with both
values, where they changed the same one; nothing is saved then. A workbook whose fields are what
the store already has adds no revision ("no changes"). A council the store does not have is
created from the workbook (its first revision).

A blank template (``kloe template``) records no revision. Over a stored assessment it is read as
edits of an empty one (the project's choice, so that a template never silently overwrites what
someone else recorded): what the template leaves blank keeps the store's value, what it fills in
where the store has nothing is added, and a field both hold with different values is refused,
named, unless the import is told to ``replace`` (then the template's values are saved over the
current revision, as a JSON file is; the old values stay in the history).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kloe_nb.assessment.fields import IDENTITY_FIELDS, changed_fields, find_conflicts, merge
from kloe_nb.assessment.model import Assessment
from kloe_nb.errors import KloeError
from kloe_nb.interchange.merge import WorkbookRead, carry_over
from kloe_nb.store.base import AssessmentKey, AssessmentStore, StaleRevisionError, StoredAssessment
from kloe_nb.store.stale import council, describe


class WorkbookConflictError(KloeError):
    """The store changed since the workbook was exported, in fields the workbook changed too: nothing was saved."""


@dataclass(frozen=True)
class Imported:
    """What an import did: ``created`` a new assessment, ``saved`` a revision, ``merged`` with a newer one, found it ``unchanged``;
    for a template over a stored assessment, ``added`` what it filled in or ``replaced`` the stored fields."""

    outcome: Literal["created", "saved", "merged", "added", "replaced", "unchanged"]
    stored: StoredAssessment
    """The current revision after the import (the one already there when unchanged)."""
    exported_at: int | None = None
    """The revision the workbook was exported at, where it records one."""
    merged_with: StoredAssessment | None = None
    """For ``merged``: the newer revision in the store the workbook's changes were merged into."""


def unchanged(before: Assessment, after: Assessment) -> bool:
    """No field differs (``fields.changed_fields``: an absent field and a blank one are the same)."""
    return not changed_fields(before.model_dump(mode="json"), after.model_dump(mode="json"))


def import_workbook(store: AssessmentStore, read: WorkbookRead, author: str | None = None, *, replace: bool = False) -> Imported:
    """Save what the workbook holds over the stored assessment (or as a new one); raise ``WorkbookConflictError`` on a clash.

    ``replace`` matters only for a workbook that records no revision (a template): save its
    fields over the current revision instead of refusing where they differ from the store's.
    """
    key = AssessmentKey.of(read.assessment)
    current = store.find(key)
    if current is None:
        return Imported("created", store.save(read.assessment, based_on=None, author=author), read.revision)
    if read.revision is None:
        return _import_template(store, current, read, author, replace)
    based_on = read.revision
    if based_on > current.revision:
        raise WorkbookConflictError(
            f"NOT SAVED: {council(key)}: the workbook was exported at revision {based_on}, but the store has only {current.revision} "
            "revisions (was the store restored from a backup, or is this another store?); nothing was saved. "
            "Export the workbook again from this store, copy your changes into it, and import that."
        )
    base = current.assessment if based_on == current.revision else store.at_revision(key, based_on)
    mine = carry_over(base, read)
    if unchanged(current.assessment, mine):
        return Imported("unchanged", current, read.revision)
    try:
        return Imported("saved", store.save(mine, based_on=based_on, author=author), read.revision)
    except StaleRevisionError as stale:
        theirs = stale.current
        if theirs is None:
            raise
        clashes = [conflict for conflict in stale.conflicts if conflict.key[0] not in IDENTITY_FIELDS]
        if clashes:
            raise WorkbookConflictError(_clash_message(key, based_on, theirs, stale)) from None
        merged = merge(base, theirs.assessment, mine)
        if unchanged(theirs.assessment, merged):
            return Imported("unchanged", theirs, read.revision)
        saved = store.save(merged, based_on=theirs.revision, author=author)
        return Imported("merged", saved, read.revision, theirs)


def _import_template(store: AssessmentStore, current: StoredAssessment, read: WorkbookRead, author: str | None, replace: bool) -> Imported:
    """A workbook with no revision over a stored assessment: edits of an empty one, or (``replace``) saved over it."""
    if replace:
        mine = carry_over(current.assessment, read)
        if unchanged(current.assessment, mine):
            return Imported("unchanged", current)
        return Imported("replaced", store.save(mine, based_on=current.revision, author=author))
    empty = current.assessment.model_copy(update={"kloes": {}, "judgements": {}, "flags": []})
    mine = carry_over(empty, read)
    clashes = find_conflicts(empty.model_dump(mode="json"), current.assessment.model_dump(mode="json"), mine.model_dump(mode="json"), IDENTITY_FIELDS)
    if clashes:
        lines = [f"{clash.label}: in the store {describe(clash.theirs)}, in the workbook {describe(clash.mine)}" for clash in clashes]
        raise WorkbookConflictError(
            f"NOT SAVED: {council(AssessmentKey.of(current.assessment))}: the workbook is a blank template (it records no store "
            f"revision) and the store already holds this assessment (revision {current.revision} by {current.saved_by} at "
            f"{current.saved_at}) with other values in {len(clashes)} field(s); nothing was saved.\n  "
            + "\n  ".join(lines)
            + "\n  Export the assessment from the store (kloe export --format xlsx), copy your changes into it, and import that; "
            "or import again with --replace to save the template's values over the store's (the store's history keeps the old ones)."
        )
    merged = merge(empty, current.assessment, mine)
    if unchanged(current.assessment, merged):
        return Imported("unchanged", current)
    return Imported("added", store.save(merged, based_on=current.revision, author=author), merged_with=current)


def _clash_message(key: AssessmentKey, based_on: int, theirs: StoredAssessment, stale: StaleRevisionError) -> str:
    """Each field both the store and the workbook changed since the export, with both values and who set the store's."""
    lines = [
        f"{conflict.label}: in the store {describe(conflict.theirs)} (revision {conflict.their_revision} by {conflict.their_author} "
        f"at {conflict.their_time}), in the workbook {describe(conflict.mine)}"
        for conflict in stale.conflicts
        if conflict.key[0] not in IDENTITY_FIELDS
    ]
    return (
        f"NOT SAVED: {council(key)}: the workbook was exported at revision {based_on}; since then the store has revision "
        f"{theirs.revision} (by {theirs.saved_by} at {theirs.saved_at}), and both changed the same fields; nothing was saved.\n  "
        + "\n  ".join(lines)
        + "\n  Export the workbook again (kloe export --format xlsx), copy your changes into it, and import that; "
        "or make them in the form."
    )
