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
  "expected a string" error can say "quote this value";
- aliases may expand to at most ``MAX_ALIAS_VALUES`` values in all and values nest at most
  ``MAX_DEPTH`` deep, counted while composing (before anything is built), so a few hundred
  bytes of "billion laughs" or a file of 200,000 ``[`` is a clear error at its line, not
  minutes of work ending in MemoryError or RecursionError.

The events come from libyaml where PyYAML was built with it (``_FastBoundedLoader``: 3 ms for
ac-benefits instead of 45, paid by every command and every kernel that loads a framework);
the composer, its bounds, the resolver and the builder are the same Python code either way.
Text the pure reader would refuse, and anything libyaml refuses, is read again by the pure
reader, so every error is reported in its words (tests/test_yaml_source.py compares the two).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.reader import Reader
from yaml.resolver import Resolver

try:
    from yaml._yaml import CParser

    LIBYAML = True
except ImportError:  # PyYAML built without libyaml: the pure reader only
    CParser = object  # type: ignore[assignment, misc]
    LIBYAML = False
from yaml.events import AliasEvent, CollectionStartEvent, Event
from yaml.nodes import CollectionNode, MappingNode, Node, ScalarNode, SequenceNode

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


#: Values that aliases (``*name``) may expand to, in all; an alias inside an aliased value counts
#: again each time, so nested aliases multiply. The bundled frameworks expand to 5 in all.
MAX_ALIAS_VALUES = 20_000

#: How deep lists and mappings may nest (a bundled framework nests 7 deep).
MAX_DEPTH = 100


_TOO_DEEP = f"lists and mappings nest more than {MAX_DEPTH} deep here; a framework never needs this: check the brackets or the indentation"


class _Refused(yaml.YAMLError):
    """A limit crossed while composing: where (the alias or value) and what to do."""

    def __init__(self, mark: Any, message: str) -> None:  # a yaml Mark (pure or libyaml) or None
        super().__init__(message)
        self.mark = mark
        self.message = message

    def problem(self, source: str) -> Problem:
        where = f"{source}:{self.mark.line + 1}:{self.mark.column + 1}" if self.mark else source
        return Problem(where, "", self.message)


class _BoundedComposer(Composer):
    """PyYAML's composer with a budget for alias expansion and a nesting limit.

    PyYAML composes an alias as the very node it names, so the tree it returns is small however
    much it expands to; the expansion happens when the tree is built (or walked), which is where
    a bomb costs minutes and gigabytes. Here each alias is charged the size of the tree it stands
    for (memoised per node, so charging is cheap), and nesting is counted through aliases too.
    """

    def _start_bounds(self) -> None:
        self._depth = 0
        self._alias_values = 0
        self._open_anchors: set[str] = set()
        self._sizes: dict[Node, tuple[int, int]] = {}

    def _next_event(self) -> Event:
        return self.peek_event()  # type: ignore[attr-defined, no-any-return]  # the parser after this in the bases: pure or libyaml

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self._next_event()
        if isinstance(event, AliasEvent):
            return self._compose_alias(event, parent, index)
        nests = isinstance(event, CollectionStartEvent)
        if nests:
            if self._depth >= MAX_DEPTH:
                raise _Refused(event.start_mark, _TOO_DEEP)
            self._depth += 1
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self._open_anchors.add(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= nests
            if anchor is not None:
                self._open_anchors.discard(anchor)

    def _compose_alias(self, event: AliasEvent, parent: Node | None, index: int) -> Node | None:
        if event.anchor in self._open_anchors:
            raise _Refused(event.start_mark, f"the alias *{event.anchor} is inside the value it names, so it never ends; write the values out")
        node = super().compose_node(parent, index)  # the anchored node itself (or "undefined alias")
        if node is None:
            return None
        values, height = self._size(node)
        self._alias_values += values
        if self._alias_values > MAX_ALIAS_VALUES:
            raise _Refused(
                event.start_mark,
                f"this file uses YAML aliases (*name) that expand to more than {MAX_ALIAS_VALUES:,} values; a framework never needs this: write the values out",
            )
        if self._depth + height > MAX_DEPTH:
            raise _Refused(event.start_mark, _TOO_DEEP)
        return node

    def _size(self, node: Node) -> tuple[int, int]:
        """The number of values a node stands for and how deep its lists and mappings nest.

        Only complete nodes reach here (an alias to an open one is refused first), and their
        nesting is already within ``MAX_DEPTH``, so the recursion is shallow.
        """
        known = self._sizes.get(node)
        if known is not None:
            return known
        values, height = 1, 0
        if isinstance(node, CollectionNode):
            children = [part for pair in node.value for part in pair] if isinstance(node, MappingNode) else node.value
            for child in children:
                child_values, child_height = self._size(child)
                values += child_values
                height = max(height, child_height)
            height += 1
        self._sizes[node] = (values, height)
        return values, height


class _BoundedLoader(_BoundedComposer, yaml.SafeLoader):
    """The safe loader (pure Python), composing within the bounds; its errors are the ones reported."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._start_bounds()


class _FastBoundedLoader(_BoundedComposer, CParser, SafeConstructor, Resolver):
    """The same composer over libyaml's events (a framework file in ~1/5 of the time); used only where it reads the same.

    libyaml's scanner and parser produce the same events with the same marks; the composer (with
    its bounds), the resolver and the constructor are PyYAML's Python ones, so the nodes are
    built exactly as ``_BoundedLoader`` builds them. Text the pure reader would refuse, and
    anything libyaml refuses, is read again by ``_BoundedLoader``, whose messages are reported.
    """

    def __init__(self, stream: str) -> None:
        CParser.__init__(self, stream)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self._start_bounds()

    def compose_scalar_node(self, anchor: Any) -> ScalarNode:
        node = super().compose_scalar_node(anchor)
        if node.style == "":  # libyaml's plain style; PyYAML's is None (and unquoted values are remembered by it: ``retyped``)
            node.style = None
        return node


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


def _compose(text: str) -> Node | None:
    """The node tree, by libyaml where it reads the text as the pure reader would (``_FastBoundedLoader``)."""
    if LIBYAML and not Reader.NON_PRINTABLE.search(text):
        try:
            return yaml.compose(text, Loader=_FastBoundedLoader)  # type: ignore[arg-type]  # a loader the stubs do not list
        except yaml.YAMLError:
            pass  # read again: the pure reader's message is the one reported
    return yaml.compose(text, Loader=_BoundedLoader)


def read_yaml_text(text: str, source: str) -> YamlDocument:
    """Parse YAML text safely; raise InvalidInputError listing every problem found."""
    try:
        node = _compose(text)
    except _Refused as error:
        raise InvalidInputError(source, [error.problem(source)]) from None
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
