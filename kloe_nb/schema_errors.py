"""Turning pydantic validation errors into problems a person can act on.

pydantic reports each error with the path to the bad field (``loc``); with the positions
kept by ``yaml_source`` that path becomes a line number, and a few common mistakes get
plainer words: an unknown field suggests the nearest known one, and a value YAML retyped
(``1.10`` read as 1.1, ``NO`` as False) says "quote this value".
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from kloe_nb.errors import Problem
from kloe_nb.yaml_source import YamlDocument, dotted_path

_STRING_ERRORS = {"string_type", "string_pattern_mismatch"}
_KINDS = {
    "float": "the number",
    "int": "the number",
    "bool": "the true/false value",
    "date": "the date",
    "datetime": "the date-time",
    "NoneType": "an empty value",
}


def _unwrap(annotation: Any) -> list[Any]:
    """The model classes or containers an annotation may hold (Optional/Annotated removed)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [inner for arg in typing.get_args(annotation) for inner in _unwrap(arg)]
    return [annotation]


def _model_at(root: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class whose fields the value at ``loc`` is checked against."""
    candidates: list[Any] = [root]
    for part in loc:
        following: list[Any] = []
        for candidate in candidates:
            if isinstance(candidate, type) and issubclass(candidate, BaseModel) and isinstance(part, str):
                field = candidate.model_fields.get(part)
                if field is not None:
                    following.extend(_unwrap(field.annotation))
            elif typing.get_origin(candidate) in (list, dict):
                following.extend(_unwrap(typing.get_args(candidate)[-1]))
        candidates = following
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _message(error: dict[str, Any], document: YamlDocument, root: type[BaseModel]) -> str:
    loc = tuple(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        model = _model_at(root, loc[:-1])
        known = sorted(model.model_fields) if model else []
        close = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else (f"; known fields: {', '.join(known)}" if known else "")
        return f"unknown field {loc[-1]!r}{hint}"
    if kind == "missing":
        return "this field is required but missing"
    raw = document.retyped.get(loc)
    if raw is not None and kind in _STRING_ERRORS | {"int_type", "bool_type"}:
        value = error.get("input")
        return (
            f"YAML read the unquoted value {raw} as {_KINDS.get(type(value).__name__, type(value).__name__)} {value}; "
            f'quote this value ("{raw}") so it stays exactly as written'
        )
    if kind in ("string_pattern_mismatch", "string_too_short") and isinstance(error.get("input"), str) and not error["input"].strip():
        return "empty text; write it or remove the item"
    if kind == "string_pattern_mismatch":
        return f"{error['input']!r} is not a valid id (letters, digits, and . _ / - only, starting with a letter or digit)"
    value = error.get("input")
    shown = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
    return f"{error['msg']} (got {shown})"


def problems_from_validation(error: ValidationError, document: YamlDocument, root: type[BaseModel]) -> list[Problem]:
    """Every schema error in the document, with its file:line and field path."""
    problems = []
    for item in error.errors():
        loc = tuple(part for part in item["loc"] if part != "[key]")
        problems.append(Problem(document.where(loc), dotted_path(loc), _message({**item, "loc": loc}, document, root)))
    return problems
