"""The assessment interchange JSON (docs/design.md): read with every problem named, written byte-stable.

Reading refuses a file over ``MAX_FILE_BYTES`` before parsing it, and one nested deeper than
``MAX_DEPTH`` too (json's parser recurses, so 200,000 ``[`` would end in RecursionError: a
linear scan finds the first bracket too deep first), accepts a UTF-8 BOM, and reports malformed JSON at ``file:line:column`` in plain words and schema errors with the
field path (``kloes.2.1.level``), the organisation, the bad value and the rule, all at once.
Writing keeps the model's key order, UTF-8 without ``\\u`` escapes, indent 2 and a final
newline, so read → write → read gives an equal model and write → read → write the same bytes.
"""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from kloe_nb.assessment.model import Assessment
from kloe_nb.errors import InvalidInputError, Problem
from kloe_nb.files import replacing
from kloe_nb.interchange.cells import MAX_FILE_BYTES, check_file_size

#: How deep lists and objects may nest; an assessment nests 5 deep.
MAX_DEPTH = 100

# A string (to its closing quote, or to the end if it has none); anything but a bracket; a bracket.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^][{}]+")
_STRING_OR_BRACKET = re.compile(_STRING.pattern + r"|[][{}]", re.DOTALL)
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}

_LEVEL_RULE = "level must be a whole number 1-4 or null (not yet assessed)"

# json's messages, in plain words (the parser's own message is kept after them).
_PLAIN_JSON = [
    ("Expecting property name enclosed in double quotes", "expected a key in double quotes: JSON allows no trailing comma and no single quotes"),
    ("Expecting ',' delimiter", "expected a comma between two items (or a closing bracket)"),
    ("Expecting ':' delimiter", "expected a colon after the key"),
    ("Expecting value", "expected a value here: a trailing comma, an unquoted word, or the file ends early?"),
    ("Unterminated string", "a string is not closed: a double quote is missing"),
    ("Invalid control character", "a line break or tab inside a string: write it as \\n or \\t"),
    ("Invalid \\escape", "an invalid backslash escape: write a backslash as \\\\"),
    ("Invalid \\uXXXX escape", "an invalid \\u escape: it needs four hex digits"),
    ("Extra data", "more text after the end of the JSON document"),
]


class _DuplicateKeys:
    """An object hook that remembers keys given twice in one object (json would keep the last silently)."""

    def __init__(self) -> None:
        self.duplicates: list[str] = []

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                self.duplicates.append(key)
            result[key] = value
        return result


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON (numbers must be finite)")


def _organisation_code(data: object) -> str | None:
    if isinstance(data, dict):
        organisation = data.get("organisation")
        if isinstance(organisation, dict) and isinstance(organisation.get("code"), str) and organisation["code"]:
            return str(organisation["code"])
    return None


def _path_text(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc if part != "[key]")


def _shown(value: object) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _schema_message(error: ErrorDetails) -> str:
    loc = tuple(error["loc"])
    kind = error["type"]
    value = error.get("input")
    if kind == "missing":
        return "this field is required but missing"
    if kind == "extra_forbidden":
        return f"unknown field {loc[-1]!r} (got {_shown(value)})"
    if loc and loc[-1] == "level" and kind in ("int_type", "greater_than_equal", "less_than_equal", "int_from_float"):
        return f"{_LEVEL_RULE}; got {_shown(value)}"
    verdicts = next((name for name in ("met", "falls_short") if name in loc), None)
    if verdicts is not None:
        position = loc.index(verdicts)
        if len(loc) > position + 1 and loc[-1] == "[key]":
            return f"{verdicts} levels must be whole numbers 1-4; got {_shown(value)}"
        if len(loc) > position + 2:
            return f"statement indexes must be whole numbers from 0; got {_shown(value)}"
    if kind == "value_error":
        return f"text {error['msg'].removeprefix('Value error, ')}"
    if kind == "string_too_short":
        return "must not be empty"
    return f"{error['msg']}; got {_shown(value)}"


def problems_from_schema(error: ValidationError, where: str) -> list[Problem]:
    """Every schema error of an assessment, with its field path, value and rule."""
    return [Problem(where, _path_text(tuple(item["loc"])), _schema_message(item)) for item in error.errors()]


def _plain(message: str) -> str:
    for start, plain in _PLAIN_JSON:
        if message.startswith(start):
            return f"{plain} ({message.split(':')[0]})"
    return message


def _too_deep(text: str, source: str) -> Problem | None:
    """The first bracket nested deeper than ``MAX_DEPTH`` (outside strings), found without recursion.

    The common case is checked at C speed (strings removed, then the running depth of the
    brackets left); only a file that is too deep is walked bracket by bracket to find where.
    """
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return None
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    if max(accumulate(map(_STEP.__getitem__, brackets)), default=0) <= MAX_DEPTH:
        return None
    message = f"lists and objects nest more than {MAX_DEPTH} deep here; an assessment never needs this: check the brackets"
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        at = match.start()
        depth += _STEP.get(text[at], 0)
        if depth > MAX_DEPTH:
            line, column = text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)
            return Problem(f"{source}:{line}:{column}", "", message)
    return Problem(source, "", message)  # not reached: both walks read the same brackets


def parse_assessment_json(text: str, source: str) -> Assessment:
    """An assessment from JSON text, or InvalidInputError naming every problem."""
    if text.startswith("\ufeff"):
        text = text[1:]
    too_deep = _too_deep(text, source)
    if too_deep is not None:
        raise InvalidInputError(source, [too_deep])
    duplicates = _DuplicateKeys()
    try:
        data = json.loads(text, object_pairs_hook=duplicates, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise InvalidInputError(source, [Problem(f"{source}:{error.lineno}:{error.colno}", "", f"invalid JSON: {_plain(error.msg)}")]) from None
    except ValueError as error:  # NaN / Infinity
        raise InvalidInputError(source, [Problem(source, "", f"invalid JSON: {error}")]) from None
    code = _organisation_code(data)
    where = f"{source} (organisation {code})" if code else source
    problems = [Problem(where, "", f"the key {key!r} appears twice in one object; keep one") for key in duplicates.duplicates]
    if not isinstance(data, dict):
        problems.append(Problem(where, "", f"an assessment is a JSON object {{...}}; got {_shown(data)}"))
        raise InvalidInputError(source, problems)
    try:
        assessment = Assessment.model_validate(data)
    except ValidationError as error:
        problems.extend(problems_from_schema(error, where))
        raise InvalidInputError(source, problems) from None
    if problems:
        raise InvalidInputError(source, problems)
    return assessment


def read_assessment_json(path: Path | str, max_bytes: int = MAX_FILE_BYTES) -> Assessment:
    """Read an interchange JSON file (UTF-8, a BOM accepted) into an Assessment."""
    path = Path(path)
    check_file_size(path, max_bytes)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise InvalidInputError(
            str(path), [Problem(f"{path}:{line}:{column}", "", f"not UTF-8 (byte 0x{raw[error.start]:02x}); save the file as UTF-8")]
        ) from None
    return parse_assessment_json(text, str(path))


def assessment_json_text(assessment: Assessment) -> str:
    """The interchange JSON of an assessment: the model's key order, UTF-8 text, indent 2, final newline."""
    return json.dumps(assessment.to_json_data(), ensure_ascii=False, indent=2) + "\n"


def write_assessment_json(assessment: Assessment, path: Path | str) -> Path:
    """Write the interchange JSON (to a temporary file first, then renamed into place)."""
    path = Path(path)
    data = assessment_json_text(assessment).encode("utf-8")
    with replacing(path) as temporary:
        temporary.write_bytes(data)
    return path
