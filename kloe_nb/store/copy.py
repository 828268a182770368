"""Moving a team's store to another backend, and checking a store whole (``kloe store copy``, ``kloe store check``).

A copy writes every revision as the source holds it (number, author, time, document, changes)
through each backend's narrow ``import_revisions``, never through ``save``: a save would stamp
the time of the copy. It only fills an empty store, so nothing is ever overwritten, and it
ends by reading the destination back: the counts and the sha256 of every revision's document
must match the source's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from kloe_nb.errors import StoreError
from kloe_nb.store.base import AssessmentKey, ImportedRevision


class CopyableStore(Protocol):
    """What both backends offer for copying, besides the ``AssessmentStore`` contract."""

    path: Any

    def keys(self, framework: str | None = None) -> list[AssessmentKey]: ...

    def latest_revisions(self, framework: str | None = None) -> dict[AssessmentKey, tuple[int, str]]: ...

    def revisions_of(self, key: AssessmentKey) -> list[ImportedRevision]: ...

    def import_revisions(self, key: AssessmentKey, revisions: Sequence[ImportedRevision]) -> None: ...

    def at_revision(self, key: AssessmentKey, number: int) -> Any: ...

    def load(self, key: AssessmentKey) -> Any: ...

    def engine_check(self) -> list[str]: ...


@dataclass
class Inventory:
    """What a store holds: assessments, revisions, one sha256 over every revision (and problems found)."""

    assessments: int = 0
    revisions: int = 0
    digests: dict[tuple[AssessmentKey, int], str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        whole = hashlib.sha256()
        for (key, number), digest in sorted(self.digests.items()):
            whole.update(f"{key.framework}\0{key.org_code}\0{key.period}\0{key.track}\0{number}\0{digest}\n".encode())
        return whole.hexdigest()


def _digest(revision: ImportedRevision) -> str:
    meta = f"{revision.number}\0{revision.based_on}\0{revision.saved_at}\0{revision.saved_by}\0"
    return hashlib.sha256(meta.encode() + revision.document.encode("utf-8")).hexdigest()


def inventory(store: CopyableStore, *, parse: bool = False) -> Inventory:
    """Every revision's digest (number, base, time, author and document); ``parse``: also check each is readable
    and that each assessment's revisions run 1..n with n its current revision."""
    found = Inventory()
    latest = store.latest_revisions()
    keys = store.keys()
    found.assessments = len(keys)
    for key in keys:
        try:
            revisions = store.revisions_of(key)
        except StoreError as error:
            found.problems.append(f"{key}: {error}")
            continue
        found.revisions += len(revisions)
        for revision in revisions:
            found.digests[(key, revision.number)] = _digest(revision)
        if not parse:
            continue
        numbers = [revision.number for revision in revisions]
        if numbers != list(range(1, len(numbers) + 1)):
            found.problems.append(f"{key}: its revisions are numbered {numbers[:10]}, not 1 to {len(numbers)}")
        if key not in latest:  # its current revision names one it does not have
            found.problems.append(f"{key}: its current revision is not among its revisions 1-{len(numbers)}: {_load_error(store, key)}")
        elif latest[key][0] != numbers[-1]:
            found.problems.append(f"{key}: its current revision is {latest[key][0]}, but its last revision is {numbers[-1]}")
        for number in numbers:
            try:
                store.at_revision(key, number)
            except StoreError as error:
                found.problems.append(f"{key} revision {number}: {error}")
    return found


def _load_error(store: CopyableStore, key: AssessmentKey) -> str:
    try:
        store.load(key)
    except StoreError as error:
        return str(error)
    return "it loads, though"


def check_store(store: CopyableStore) -> Inventory:
    """The store checked whole: the database's own check, every revision readable, current revisions consistent."""
    engine = store.engine_check()
    found = inventory(store, parse=True)
    found.problems[:0] = [f"the database's own check: {problem}" for problem in engine]
    return found


def copy_store(source: CopyableStore, destination: CopyableStore) -> Inventory:
    """Copy every assessment with every revision into an empty ``destination``; the source's inventory.

    Raises StoreError when the destination holds anything (nothing is copied), or when reading it
    back does not give the same counts and digests (naming the first that differ).
    """
    already = destination.keys()
    if already:
        raise StoreError(
            f"the store {destination.path} already holds {len(already)} assessment{'s' if len(already) != 1 else ''} "
            f"(e.g. {already[0]}); kloe store copy only fills an empty store, so nothing was copied. Give a new one."
        )
    before = inventory(source)
    copied = 0
    for key in source.keys():
        try:
            destination.import_revisions(key, source.revisions_of(key))
        except StoreError as error:
            raise StoreError(
                f"the copy stopped after {copied} of {before.assessments} assessments: {error}. The source is unchanged; "
                f"empty or replace {destination.path} and copy again"
            ) from None
        copied += 1
    after = inventory(destination)
    if (after.assessments, after.revisions) != (before.assessments, before.revisions):
        raise StoreError(
            f"the copy in {destination.path} holds {after.assessments} assessments and {after.revisions} revisions, the source "
            f"{source.path} {before.assessments} and {before.revisions}: do not use the copy"
        )
    differ = [item for item, digest in before.digests.items() if after.digests.get(item) != digest]
    if differ:
        key, number = differ[0]
        raise StoreError(f"revision {number} of {key} differs in the copy {destination.path} ({len(differ)} revisions differ): do not use the copy")
    return before
