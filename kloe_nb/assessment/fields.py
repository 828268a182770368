"""An assessment's fields as people think of them, and comparing two or three versions of it.

One home for: flattening an assessment document to its fields, the difference between two
versions, the three-way merge of two edits of one revision, the conflicts between them (one
``Conflict`` type), and the named lists of fields a comparison leaves out. The store's
history and stale-save message, the form's merge, ``kloe diff`` and the Excel import all
read assessments through it, so a field is the same field everywhere.

A field is a KLOE's field (``kloes / 2.1 / level``), a judgement decision's field
(``judgements / J1 / rationale``), an organisation field, or a top-level field; lists are
compared whole. Keys are tuples, because KLOE ids contain dots; paths for people join them
with dots (``kloes.2.1.level``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from kloe_nb.assessment.model import Assessment, JudgementDecision, KloeRecord

FieldKey = tuple[str, ...]
NESTED = ("kloes", "judgements")
_MODELS: dict[str, type[KloeRecord] | type[JudgementDecision]] = {"kloes": KloeRecord, "judgements": JudgementDecision}
_KINDS = {"kloes": "KLOE", "judgements": "judgement"}

IDENTITY_FIELDS = frozenset({"framework", "framework_version", "organisation", "period", "assessor", "illustrative", "track"})
"""Fields that say whose assessment it is and how it was made, not what was found. The form never
edits them, so in a merge the stored values stand (two copies that both created the council differ
only in who created it); the framework version is the one the form is using."""

NOT_FINDINGS_BETWEEN_PERIODS: dict[str, str] = {
    "period": "differs between any two periods by definition; it names them rather than being a finding",
    "framework_version": "records which framework file each was saved against, not what was found",
    "illustrative": "marks example data; it says nothing about the council",
}
"""Top-level fields a comparison of two periods (``kloe diff``) leaves out, with the reason for each."""


# -- fields and their differences ------------------------------------------------------------------
def flatten_fields(document: dict[str, Any]) -> dict[FieldKey, Any]:
    """The document as ``{(section, id, field) | ("organisation", field) | (field,): value}``."""
    flat: dict[FieldKey, Any] = {}
    for name, value in document.items():
        if name in NESTED and isinstance(value, dict):
            for item_id, item in value.items():
                for field_name, field_value in (item or {}).items():
                    flat[(name, item_id, field_name)] = field_value
        elif name == "organisation" and isinstance(value, dict):
            for field_name, field_value in value.items():
                flat[(name, field_name)] = field_value
        else:
            flat[(name,)] = value
    return flat


def is_empty(value: Any) -> bool:
    """Nothing recorded: absent, false, blank, or an empty list or mapping."""
    return value is None or value is False or value in ("", [], {})


def same(left: Any, right: Any) -> bool:
    """Equal, or both empty (an absent field and a blank one are the same record)."""
    return bool(left == right) or (is_empty(left) and is_empty(right))


def describe_path(path: str) -> str:
    """A field path in words (``KLOE 2.1 level``). KLOE ids may contain dots (``2.1``); field names never do."""
    head, _, rest = path.partition(".")
    if head in _KINDS and "." in rest:
        item, _, name = rest.rpartition(".")
        return f"{_KINDS[head]} {item} {name.replace('_', ' ')}"
    return path.replace(".", " ").replace("_", " ")


@dataclass(frozen=True)
class FieldChange:
    """One field that changed between two revisions (``kloes.2.1.level``: 2 -> 3)."""

    path: str
    before: Any
    after: Any

    @property
    def label(self) -> str:
        """The path in words: ``KLOE 2.1 level``, ``judgement J1 rationale``, ``organisation name``."""
        return describe_path(self.path)


def _order(key: FieldKey) -> tuple[bool, FieldKey]:
    return key[0] in NESTED, key  # top-level and organisation fields first


def changes(before: dict[FieldKey, Any], after: dict[FieldKey, Any]) -> dict[FieldKey, Any]:
    """The flattened fields whose value differs, with their new value (an absent field counts as empty), in field order."""
    keys = sorted(set(before) | set(after), key=_order)
    return {key: after.get(key) for key in keys if not same(before.get(key), after.get(key))}


def changed_fields(before: dict[str, Any] | None, after: dict[str, Any]) -> list[FieldChange]:
    """The fields whose values differ between two documents, top-level fields first (absent counts as empty)."""
    old, new = flatten_fields(before or {}), flatten_fields(after)
    return [FieldChange(".".join(key), old.get(key), value) for key, value in changes(old, new).items()]


# -- two edits of one revision ---------------------------------------------------------------------
@dataclass(frozen=True)
class Conflict:
    """A field two edits of one revision both changed, to different values.

    ``base`` is the value both started from; ``theirs`` is the one saved first (in the store now);
    ``mine`` is the one whose save was refused. Where the store knows it, ``their_revision``,
    ``their_author`` and ``their_time`` say which revision set ``theirs``.
    """

    key: FieldKey
    base: Any
    theirs: Any
    mine: Any
    their_revision: int | None = None
    their_author: str = ""
    their_time: str = ""

    @property
    def path(self) -> str:
        """The key as a dotted path (``kloes.2.1.level``)."""
        return ".".join(self.key)

    @property
    def label(self) -> str:
        """The field in words (``KLOE 2.1 level``)."""
        return describe_path(self.path)


def _flat(document: dict[str, Any] | None, ignored: frozenset[str]) -> dict[FieldKey, Any]:
    return {key: value for key, value in flatten_fields(document or {}).items() if key[0] not in ignored}


def find_conflicts(base: dict[str, Any] | None, theirs: dict[str, Any], mine: dict[str, Any], ignored: frozenset[str] = frozenset()) -> list[Conflict]:
    """Fields both ``theirs`` and ``mine`` changed from ``base`` to different values, in field order (documents as JSON data)."""
    flat_base = _flat(base, ignored)
    their_changes = changes(flat_base, _flat(theirs, ignored))
    my_changes = changes(flat_base, _flat(mine, ignored))
    return [
        Conflict(key, flat_base.get(key), value, my_changes[key])
        for key, value in their_changes.items()
        if key in my_changes and not same(value, my_changes[key])
    ]


def merge(base: Assessment | None, theirs: Assessment, mine: Assessment, prefer: Literal["mine", "theirs"] = "theirs") -> Assessment:
    """Theirs plus every change of mine; where both changed a field, ``prefer`` decides. Identity fields stay theirs."""
    flat_base = _flat(base.model_dump(mode="json") if base else None, IDENTITY_FIELDS)
    theirs_document = theirs.model_dump(mode="json")
    merged = _flat(theirs_document, IDENTITY_FIELDS)
    their_changes = changes(flat_base, merged)
    for key, value in changes(flat_base, _flat(mine.model_dump(mode="json"), IDENTITY_FIELDS)).items():
        if key in their_changes and not same(their_changes[key], value) and prefer == "theirs":
            continue
        merged[key] = value
    document = _unflatten(merged)
    for name in IDENTITY_FIELDS:
        if name in theirs_document:
            document[name] = theirs_document[name]
    document["framework_version"] = mine.model_dump(mode="json").get("framework_version") or theirs_document.get("framework_version")
    return Assessment.model_validate(document)


def _unflatten(flat: dict[FieldKey, Any]) -> dict[str, Any]:
    document: dict[str, Any] = {name: {} for name in _MODELS}
    for key, value in flat.items():
        if len(key) == 1:
            document[key[0]] = value
            continue
        section, item_id, field_name = key
        if value is None and field_name not in ("level",):
            continue
        document.setdefault(section, {}).setdefault(item_id, {})[field_name] = value
    for section, model in _MODELS.items():
        items = {}
        for item_id, fields in document.get(section, {}).items():
            item = model.model_validate(fields)
            if item != model():
                items[item_id] = item.model_dump(mode="json")
        document[section] = items
    return document
