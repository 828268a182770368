"""Which fields changed between two versions of an assessment, at the level people think in.

Paths name a KLOE and a field (``kloes.2.1.level``, ``kloes.2.1.evidence``), a judgement
decision (``judgements.J1.rationale``), or a top-level field; lists are compared whole.
"""

from __future__ import annotations

from typing import Any

from kloe_nb.store.base import FieldChange

_NESTED = ("kloes", "judgements")


def _flatten(document: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, value in document.items():
        if name in _NESTED and isinstance(value, dict):
            for item_id, item in value.items():
                for field_name, field_value in (item or {}).items():
                    flat[f"{name}.{item_id}.{field_name}"] = field_value
        elif name == "organisation" and isinstance(value, dict):
            for field_name, field_value in value.items():
                flat[f"organisation.{field_name}"] = field_value
        else:
            flat[name] = value
    return flat


def changed_fields(before: dict[str, Any] | None, after: dict[str, Any]) -> list[FieldChange]:
    """The fields whose values differ (a field absent on one side counts as its default None)."""
    old, new = _flatten(before or {}), _flatten(after)
    return [
        FieldChange(path, old.get(path), new.get(path))
        for path in sorted(set(old) | set(new), key=_order)
        if old.get(path) != new.get(path) and not (_empty(old.get(path)) and _empty(new.get(path)))
    ]


def _empty(value: Any) -> bool:
    return value is False or value in (None, "", [], {})


def _order(path: str) -> tuple[int, str]:
    return (0 if not path.startswith(_NESTED) else 1, path)
