"""Where the form opens: at the KLOE the analyst last changed, else the first scored KLOE not yet levelled.

A kernel restart or a Voilà reload builds the form again from the store, so "last changed" is read
from the store, not kept in the kernel: every revision records which fields it changed, and the
newest revision saved under the form's assessor name that changed a field of one of the
framework's KLOEs names it. Nothing is added to the stored assessment for this. Where that
revision changed several KLOEs (edits to two KLOEs within one second, an import), it is the last
of them in the framework's order. Revisions saved by anyone else (a moderator recording an agreed
level, a colleague's copy) are not the analyst's edits and are passed over; moving between KLOEs
saves nothing, so it never counts as a change.
"""

from __future__ import annotations

from collections.abc import Sequence

from kloe_nb.store.base import RevisionInfo


def changed_kloe(path: str) -> str | None:
    """The KLOE a changed field belongs to ('kloes.2.1.level' -> '2.1'; ids may hold dots, field names never do)."""
    section, _, rest = path.partition(".")
    if section != "kloes" or "." not in rest:
        return None
    return rest.rpartition(".")[0]


def last_edited(history: Sequence[RevisionInfo], order: Sequence[str], author: str) -> str | None:
    """The KLOE (of ``order``, the framework's KLOEs in order) that ``author``'s newest revision touching one changed."""
    position = {kloe_id: index for index, kloe_id in enumerate(order)}
    for revision in reversed(history):
        if revision.saved_by != author:
            continue
        changed = {kloe_id for change in revision.changes if (kloe_id := changed_kloe(change.path)) in position}
        if changed:
            return max(changed, key=position.__getitem__)
    return None


def first_open(order: Sequence[str], scored: set[str], levelled: set[str]) -> str:
    """The first scored KLOE not yet levelled, else the first KLOE."""
    return next((kloe_id for kloe_id in order if kloe_id in scored and kloe_id not in levelled), order[0])
