"""Safe YAML reading that remembers where every value came from.

PyYAML's ``safe_load`` loses line numbers, lets a duplicate key win silently and turns
``1.10`` into 1.1, ``NO`` into False and ``2024-03-01`` into a date. This module composes
the YAML node tree with the safe loader, then builds plain Python data itself so that:

- every value's position is kept (``positions[path] -> (line, column)``, 1-based), so a
  schema error can name the line it is on;
- a duplicate key is an error naming both lines;
- a tag outside the safe set (``!!python/object/apply``...) is refused before anything is
  built, so nothing runs;
- an unquoted scalar that YAML retyped is remembered (``retyped[path]``), so a later
  "expected a string" error can say "quote this value".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kloe_nb.errors import InvalidInputError, Problem

Path_ = tuple[Any, ...]


@dataclass
class YamlDocument:
    """Plain data read from a YAML file, with the position of each value."""

    source: str
    data: Any
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    retyped: dict[Path_, str] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int | None:
        """The line of the value at ``path``, or of its nearest enclosing value."""
        path = tuple(path)
        while True:
            if path in self.key_positions:
                return self.key_positions[path][0]
            if path in self.positions:
                return self.positions[path][0]
            if not path:
                return None
            path = path[:-1]

    def where(self, path: Path_) -> str:
        """``file:line`` for a value, for error messages."""
        line = self.line_of(path)
        return f"{self.source}:{line}" if line else self.source


_SAFE_TAGS = set(SafeConstructor.yaml_constructors) - {None}
_STRING_TAG = "tag:yaml.org,2002:str"


class _Builder:
    """Turns a composed node tree into plain data, collecting problems as it goes."""

    def __init__(self, source: str) -> None:
        self.document = YamlDocument(source=source, data=None)
        self.problems: list[Problem] = []
        self._constructor = SafeConstructor()

    def _where(self, node: Node) -> str:
        mark = node.start_mark
        return f"{self.document.source}:{mark.line + 1}:{mark.column + 1}"

    def build(self, node: Node, path: Path_) -> Any:
        self.document.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if node.tag not in _SAFE_TAGS:
            self.problems.append(Problem(self._where(node), _dotted(path), f"the tag {node.tag!r} is not allowed (only plain YAML data is read)"))
            return None
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        value = self._constructor.construct_object(node, deep=True)
        if node.style is None and node.tag != _STRING_TAG and node.value != "":
            self.document.retyped[path] = node.value
        return value

    def _mapping(self, node: MappingNode, path: Path_) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first_seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.problems.append(Problem(self._where(key_node), _dotted(path), "a mapping key must be a plain value"))
                continue
            key = self.build(key_node, (*path, "<key>"))
            line = key_node.start_mark.line + 1
            if key in first_seen:
                self.problems.append(
                    Problem(
                        self._where(key_node),
                        _dotted((*path, key)),
                        f"duplicate key {key!r} (first at line {first_seen[key]}); remove one of them",
                    )
                )
                continue
            first_seen[key] = line
            self.document.key_positions[path + (key,)] = (line, key_node.start_mark.column + 1)
            result[key] = self.build(value_node, path + (key,))
        self.document.positions.pop((*path, "<key>"), None)
        return result


def _dotted(path: Path_) -> str:
    """``groups[2].kloes[0].id`` from ``("groups", 2, "kloes", 0, "id")``."""
    text = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def dotted_path(path: Path_) -> str:
    """Public form of the field path used in error messages."""
    return _dotted(path)


def _syntax_problem(source: str, error: yaml.YAMLError) -> Problem:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
    problem = getattr(error, "problem", None) or str(error)
    hint = ""
    if "'\\t'" in problem or "\t" in problem:
        hint = " (YAML indentation must use spaces, not tabs)"
    elif "found unexpected end of stream" in problem or "found unexpected end" in problem:
        hint = " (is a quote left unclosed?)"
    context = getattr(error, "context", None)
    text = f"{context}, {problem}" if context else problem
    return Problem(where, "", f"invalid YAML: {text}{hint}")


def read_yaml_text(text: str, source: str) -> YamlDocument:
    """Parse YAML text safely; raise InvalidInputError listing every problem found."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        raise InvalidInputError(source, [_syntax_problem(source, error)]) from None
    builder = _Builder(source)
    if node is None:
        raise InvalidInputError(source, [Problem(source, "", "the file is empty")])
    try:
        builder.document.data = builder.build(node, ())
    except yaml.YAMLError as error:  # a value the safe constructor cannot read (bad timestamp...)
        builder.problems.append(_syntax_problem(source, error))
    if builder.problems:
        raise InvalidInputError(source, builder.problems)
    return builder.document


def read_yaml_file(path: Path | str) -> YamlDocument:
    """Read a YAML file safely (see ``read_yaml_text``); unreadable files are clear errors too."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInputError(str(path), [Problem(str(path), "", "no such file")]) from None
    except UnicodeDecodeError as error:
        raise InvalidInputError(str(path), [Problem(str(path), "", f"not UTF-8 text (byte {error.start}); save the file as UTF-8")]) from None
    except OSError as error:
        raise InvalidInputError(str(path), [Problem(str(path), "", f"cannot read the file: {error.strerror}")]) from None
    return read_yaml_text(text, str(path))
