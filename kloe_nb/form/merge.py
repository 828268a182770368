"""Three-way merge of two edits of one assessment: what a stale save can keep without overwriting.

When the form's save is refused because someone else saved first, we have three documents:
the revision the form loaded (*base*), the one now in the store (*theirs*) and the form's
(*mine*). A field only one side changed is taken from that side; a field both changed to
different values is a *conflict*, shown with both values and decided by the analyst. Fields
are the ones people think in: a KLOE's level, its ticked statements, its evidence list, its
strengths; a judgement's level or rationale; the flags list; a top-level field. Lists are
compared whole. No ipywidgets here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from kloe_nb.assessment.model import Assessment, JudgementDecision, KloeRecord
from kloe_nb.store.diff import FieldKey, flatten_fields
from kloe_nb.store.diff import same as _same

_NESTED = {"kloes": KloeRecord, "judgements": JudgementDecision}
_IGNORED = {"framework", "framework_version", "organisation", "period", "assessor", "illustrative", "track"}
"""Fields that say whose assessment it is and how it was made, not what was found. The form never
edits them, so the stored values stand (two copies that both created the council differ only in
who created it); the framework version is the one the form is using."""


@dataclass(frozen=True)
class Conflict:
    """One field both saves changed, with both values (``theirs`` from the store, ``mine`` from the form)."""

    key: FieldKey
    base: Any
    theirs: Any
    mine: Any

    @property
    def path(self) -> str:
        return ".".join(self.key)


def flatten(document: dict[str, Any]) -> dict[FieldKey, Any]:
    """The document's fields (``store.diff.flatten_fields``) without those the form never edits."""
    return {key: value for key, value in flatten_fields(document).items() if key[0] not in _IGNORED}


def changes(before: dict[FieldKey, Any], after: dict[FieldKey, Any]) -> dict[FieldKey, Any]:
    """The fields whose value differs, with their new value (an absent field counts as empty)."""
    return {key: after.get(key) for key in set(before) | set(after) if not _same(before.get(key), after.get(key))}


def find_conflicts(base: Assessment | None, theirs: Assessment, mine: Assessment) -> list[Conflict]:
    """Fields both sides changed to different values, in a stable order."""
    flat_base = flatten(base.model_dump(mode="json")) if base else {}
    flat_theirs = flatten(theirs.model_dump(mode="json"))
    flat_mine = flatten(mine.model_dump(mode="json"))
    their_changes = changes(flat_base, flat_theirs)
    my_changes = changes(flat_base, flat_mine)
    keys = sorted(set(their_changes) & set(my_changes), key=lambda key: (len(key) > 1, key))
    return [Conflict(key, flat_base.get(key), their_changes[key], my_changes[key]) for key in keys if not _same(their_changes[key], my_changes[key])]


def merge(base: Assessment | None, theirs: Assessment, mine: Assessment, prefer: Literal["mine", "theirs"] = "theirs") -> Assessment:
    """Theirs plus every change of mine; where both changed a field, ``prefer`` decides."""
    flat_base = flatten(base.model_dump(mode="json")) if base else {}
    theirs_document = theirs.model_dump(mode="json")
    merged = flatten(theirs_document)
    their_changes = changes(flat_base, merged)
    for key, value in changes(flat_base, flatten(mine.model_dump(mode="json"))).items():
        if key in their_changes and not _same(their_changes[key], value) and prefer == "theirs":
            continue
        merged[key] = value
    document = _unflatten(merged)
    for name in _IGNORED:
        if name in theirs_document:
            document[name] = theirs_document[name]
    document["framework_version"] = mine.model_dump(mode="json").get("framework_version") or theirs_document.get("framework_version")
    return Assessment.model_validate(document)


def _unflatten(flat: dict[FieldKey, Any]) -> dict[str, Any]:
    document: dict[str, Any] = {name: {} for name in _NESTED}
    for key, value in flat.items():
        if len(key) == 1:
            document[key[0]] = value
            continue
        section, item_id, field_name = key
        if value is None and field_name not in ("level",):
            continue
        document.setdefault(section, {}).setdefault(item_id, {})[field_name] = value
    for section, model in _NESTED.items():
        items = {}
        for item_id, fields in document.get(section, {}).items():
            item = model.model_validate(fields)
            if item != model():
                items[item_id] = item.model_dump(mode="json")
        document[section] = items
    return document
