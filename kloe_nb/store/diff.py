"""Which fields changed between two versions of an assessment, at the level people think in.

A field is a KLOE's field (``kloes / 2.1 / level``), a judgement decision's field
(``judgements / J1 / rationale``), an organisation field, or a top-level field; lists are
compared whole. Keys are tuples, because KLOE ids contain dots; paths for people join them
with dots (``kloes.2.1.level``). The store's revision history and the form's three-way merge
both read documents through ``flatten_fields``.
"""

from __future__ import annotations

from typing import Any

from kloe_nb.store.base import FieldChange

FieldKey = tuple[str, ...]
NESTED = ("kloes", "judgements")


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
    return left == right or (is_empty(left) and is_empty(right))


def changed_fields(before: dict[str, Any] | None, after: dict[str, Any]) -> list[FieldChange]:
    """The fields whose values differ, top-level fields first (a field absent on one side counts as empty)."""
    old, new = flatten_fields(before or {}), flatten_fields(after)
    keys = sorted(set(old) | set(new), key=lambda key: (key[0] in NESTED, key))
    return [FieldChange(".".join(key), old.get(key), new.get(key)) for key in keys if not same(old.get(key), new.get(key))]
