"""How a revision's document is kept small: a delta against the previous revision, a full copy every few.

An autosave changes one field of a ~40 KB document, so storing the whole document each time
(as schema version 1 did) costs ~40 KB a revision. Instead a revision is stored as either

- a **snapshot**: the whole document text, compressed (zlib); every ``SNAPSHOT_EVERY``-th
  revision (1, 33, 65, ...) is one, so reading any revision applies at most
  ``SNAPSHOT_EVERY - 1`` deltas, and a damaged delta loses only the revisions up to the next
  snapshot, never everything after it; or
- a **delta**: the edits that turn the previous revision's document (as JSON data) into this
  one: set or delete a key, splice a string or a list, reorder a mapping's keys. One character
  typed into a text field is one string splice of a few dozen bytes.

Why JSON data and not text: a delta on the structure names what changed, stays small however
far apart in the text two changed fields are, and is applied in microseconds. The document
text is ``json.dumps`` of the data with pydantic's layout (``canonical_text``); a delta is kept
only if applying it reproduces the new text byte for byte, otherwise the revision is a
snapshot, so what is read back is always exactly what was saved. Each revision also carries
the CRC-32 of its text, checked when it is rebuilt, so a damaged delta is reported, never
returned as a document.

A revision's **change list** (each changed field, before and after) is kept derivably: when
one of the last ``DERIVE_WITHIN`` revisions changed the same field (typing: autosaves change
the field the last few did) and its value is not blank, the value before is the value after of
the last change that listed the field, which the history (read oldest first) has read, so it
is not stored again; otherwise it is stored (a blank can change kind, "" to none, unlisted). The value after is
stored as an edit of the value before when that is shorter: a string splice, or a delta of a
list (a KLOE's evidence). One character typed is then about 60 bytes of change list, not two
copies of the field, and a history of a thousand revisions parses a thousand short lists.

Every stored value (snapshot, delta, change list) is ``pack``-ed: a tag byte, then the bytes
as they are or zlib-compressed, whichever is shorter. Pure functions of documents and bytes,
no database: any backend can store what they return.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kloe_nb.assessment.fields import is_empty

#: A full copy every this many revisions: revisions 1, 1 + N, 1 + 2N, ... are snapshots.
SNAPSHOT_EVERY = 32
#: Strings at least this long are changed by a splice rather than set whole.
SPLICE_FROM = 24
#: Change lists shorter than this are stored uncompressed (``pack``).
CHANGES_COMPRESS_FROM = 1024
#: A value before is left out of a change list if one of this many revisions before listed its field.
DERIVE_WITHIN = 8

_PLAIN, _ZLIB = b"=", b"z"


class DamagedRevision(ValueError):
    """A stored revision that cannot be turned back into its document (``number`` says which)."""

    def __init__(self, number: int, why: str) -> None:
        super().__init__(f"revision {number}: {why}")
        self.number = number


# -- bytes ----------------------------------------------------------------------------------------
def pack(data: bytes, *, compress_from: int = 64) -> bytes:
    """``data`` as stored: a tag byte, then the bytes themselves or their zlib compression, whichever is shorter.

    Data shorter than ``compress_from`` is kept as it is (compressing a few hundred bytes saves
    little and costs reading time where thousands are read at once: a history).
    """
    if len(data) >= compress_from:
        compressed = zlib.compress(data, 6)
        if len(compressed) < len(data):
            return _ZLIB + compressed
    return _PLAIN + data


def unpack(blob: bytes) -> bytes:
    """The bytes ``pack`` was given (``ValueError`` if the blob is damaged)."""
    tag, body = blob[:1], bytes(blob[1:])
    if tag == _PLAIN:
        return body
    if tag == _ZLIB:
        try:
            return zlib.decompress(body)
        except zlib.error as error:
            raise ValueError(f"damaged compressed data ({error})") from None
    raise ValueError(f"unknown packing {tag!r}")


def pack_json(value: Any, *, compress_from: int = 64) -> bytes:
    """A JSON value packed (a change list, a delta)."""
    return pack(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode(), compress_from=compress_from)


def unpack_json(blob: bytes) -> Any:
    return json.loads(unpack(blob))


def unpack_json_many(blobs: Sequence[bytes]) -> list[Any]:
    """Many packed JSON values, parsed at once (a thousand small parses cost twice one large one).

    ``ValueError`` carries the index of the first damaged blob as ``args[1]``.
    """
    texts = []
    for index, blob in enumerate(blobs):
        try:
            texts.append(unpack(blob))
        except ValueError as error:
            raise ValueError(str(error), index) from None
    try:
        values = json.loads(b"[" + b",".join(texts) + b"]")
        if len(values) == len(blobs):
            return list(values)
    except ValueError:
        pass
    for index, text in enumerate(texts):  # one of them is not a JSON value: which
        try:
            json.loads(text)
        except ValueError as error:
            raise ValueError(str(error), index) from None
    raise ValueError("the values do not parse one by one as they do together", 0)


def canonical_text(document: Any) -> str:
    """The document as text, laid out as pydantic's ``model_dump_json`` lays it out (compact, UTF-8)."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def checksum(text: str) -> int:
    """CRC-32 of the document text, stored beside each revision to check what is rebuilt from deltas."""
    return zlib.crc32(text.encode())


# -- deltas -----------------------------------------------------------------------------------------
Path = list[str | int]
Op = list[Any]


def _common_prefix(a: Sequence[Any], b: Sequence[Any], limit: int) -> int:
    """How many leading items ``a`` and ``b`` share (at most ``limit``), by halving on slices (C-speed compares)."""
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix(a: Sequence[Any], b: Sequence[Any], limit: int) -> int:
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if a[len(a) - middle :] == b[len(b) - middle :]:
            low = middle
        else:
            high = middle - 1
    return low


def _splice(old: Sequence[Any], new: Sequence[Any]) -> tuple[int, int, int]:
    """(start, end in old, end in new) of the one stretch that differs."""
    shortest = min(len(old), len(new))
    start = _common_prefix(old, new, shortest)
    end = _common_suffix(old, new, shortest - start)
    return start, len(old) - end, len(new) - end


def _diff(old: Any, new: Any, path: Path, ops: list[Op]) -> None:
    if type(old) is type(new) and old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        ops.extend(["-", [*path, key]] for key in old if key not in new)
        for key, value in new.items():
            if key in old:
                _diff(old[key], value, [*path, key], ops)
            else:
                ops.append(["=", [*path, key], value])
        appended = [key for key in old if key in new] + [key for key in new if key not in old]
        if appended != list(new):
            ops.append(["o", path, list(new)])
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (before, after) in enumerate(zip(old, new, strict=True)):
            _diff(before, after, [*path, index], ops)
    elif isinstance(old, list) and isinstance(new, list):
        start, old_end, new_end = _splice(old, new)
        ops.append(["l", path, start, old_end, new[start:new_end]])
    elif isinstance(old, str) and isinstance(new, str) and len(new) >= SPLICE_FROM:
        start, old_end, new_end = _splice(old, new)
        ops.append(["s", path, start, old_end, new[start:new_end]])
    else:
        ops.append(["=", path, new])


def diff(old: Any, new: Any) -> list[Op]:
    """The edits that turn JSON data ``old`` into ``new`` (``apply`` them; ``encode`` checks they do)."""
    ops: list[Op] = []
    _diff(old, new, [], ops)
    return ops


def apply(document: Any, delta: Sequence[Op]) -> Any:
    """``document`` with the edits of ``delta`` made, as new data: ``document`` itself is left as it was.

    Containers on the path of an edit are copied (once per call), the rest is shared.
    ``ValueError`` if the delta does not fit the document.
    """
    holder: list[Any] = [document]
    fresh: set[int] = set()  # containers copied by this call, safe to change
    try:
        for op in delta:
            kind, path = op[0], [0, *op[1]]
            parent: Any = holder
            for step in path[:-1]:
                child = parent[step]
                if id(child) not in fresh:
                    child = dict(child) if isinstance(child, dict) else list(child)
                    fresh.add(id(child))
                    parent[step] = child
                parent = child
            key = path[-1]
            if kind == "=":
                parent[key] = op[2]
            elif kind == "-":
                del parent[key]
            elif kind in ("s", "l"):
                old = parent[key]
                if not isinstance(old, str if kind == "s" else list):
                    raise TypeError(f"a splice of a {type(old).__name__}")
                parent[key] = old[: op[2]] + op[4] + old[op[3] :]
            elif kind == "o":
                old = parent[key]
                if sorted(old) != sorted(op[2]):
                    raise KeyError("reordered keys are not the mapping's keys")
                parent[key] = {name: old[name] for name in op[2]}
            else:
                raise ValueError(f"unknown edit {kind!r}")
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as error:
        raise ValueError(f"the delta does not fit the document ({type(error).__name__}: {error})") from None
    return holder[0]


# -- revisions --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StoredBody:
    """A revision's document as stored: a snapshot or a delta (packed), and the CRC-32 of its text."""

    number: int
    snapshot: bool
    body: bytes
    crc: int


def is_snapshot_due(number: int) -> bool:
    """Revision ``number`` is stored whole whatever its delta (1, 1 + N, 1 + 2N, ...)."""
    return (number - 1) % SNAPSHOT_EVERY == 0


def encode(number: int, previous: Any | None, document: Any, text: str) -> StoredBody:
    """Revision ``number`` with document ``text`` (``document`` its JSON data), ``previous`` the revision before's data.

    A delta when one is due, shorter than the snapshot, and reproduces ``text`` exactly; else a snapshot.
    """
    crc = checksum(text)
    if previous is not None and not is_snapshot_due(number):
        delta = diff(previous, document)
        packed = pack_json(delta)
        if canonical_text(apply(previous, delta)) == text and (len(packed) < 1024 or len(packed) < len(pack(text.encode()))):
            return StoredBody(number, False, packed, crc)
    return StoredBody(number, True, pack(text.encode()), crc)


def decode(chain: Sequence[StoredBody]) -> str:
    """The document text of the last revision of ``chain``: a snapshot, then each later revision's delta in order.

    ``DamagedRevision`` names the revision that could not be rebuilt or whose text is not the one saved.
    """
    if not chain or not chain[0].snapshot or any(item.snapshot for item in chain[1:]):
        raise ValueError("a chain is one snapshot followed by deltas")
    text = _rebuild(chain, check_each=False)
    if checksum(text) != chain[-1].crc:
        _rebuild(chain, check_each=True)  # only when it is wrong: which revision went wrong first
        raise DamagedRevision(chain[-1].number, "its rebuilt document is not the one saved (checksum differs)")
    return text


def _rebuild(chain: Sequence[StoredBody], *, check_each: bool) -> str:
    first = chain[0]
    try:
        text = unpack(first.body).decode()
        document = json.loads(text) if len(chain) > 1 else None
    except ValueError as error:  # UnicodeDecodeError is one
        raise DamagedRevision(first.number, str(error)) from None
    if check_each and checksum(text) != first.crc:
        raise DamagedRevision(first.number, "its document is not the one saved (checksum differs)")
    for item in chain[1:]:
        try:
            document = apply(document, unpack_json(item.body))
        except ValueError as error:
            raise DamagedRevision(item.number, str(error)) from None
        if check_each and checksum(canonical_text(document)) != item.crc:
            raise DamagedRevision(item.number, "its rebuilt document is not the one saved (checksum differs)")
    return text if len(chain) == 1 else canonical_text(document)


# -- change lists ---------------------------------------------------------------------------------
def encode_changes(changes: Iterable[tuple[str, Any, Any]], derivable: Callable[[str, Any], bool]) -> list[Any]:
    """A change list (path, before, after) as stored: ``before`` left out where ``derivable`` says the history knows it.

    ``derivable(path, before)`` must be true only if the last change that listed ``path`` had
    ``before`` as its value after (``listed_in``, ``exactly_known``).
    """
    entries: list[Any] = []
    for path, before, after in changes:
        if not derivable(path, before):
            entries.append(["b", path, before, after])
        elif isinstance(before, str) and isinstance(after, str) and len(after) >= SPLICE_FROM:
            start, old_end, new_end = _splice(before, after)
            entries.append(["s", path, start, old_end, after[start:new_end]])
        elif isinstance(before, (list, dict)) and type(after) is type(before):
            delta, whole = diff(before, after), canonical_text(after)
            if canonical_text(apply(before, delta)) == whole and len(canonical_text(delta)) < len(whole):
                entries.append(["d", path, delta])
            else:
                entries.append(["=", path, after])
        else:
            entries.append(["=", path, after])
    return entries


class ChangeReader:
    """Reads stored change lists oldest first, remembering each field's last value after to derive a later ``before``."""

    def __init__(self) -> None:
        self.last: dict[str, Any] = {}

    def read(self, entries: Sequence[Any]) -> list[tuple[str, Any, Any]]:
        """(path, before, after) of each change of the next revision; ``ValueError`` if the entries are damaged."""
        changes = []
        previous = self.last
        try:
            for entry in entries:
                kind, path = entry[0], entry[1]
                if kind == "b":
                    before, after = entry[2], entry[3]
                else:
                    before = previous[path]
                    if kind == "=":
                        after = entry[2]
                    elif kind == "s":
                        after = before[: entry[2]] + entry[4] + before[entry[3] :]
                    elif kind == "d":
                        after = apply(before, entry[2])
                    else:
                        raise ValueError(f"unknown change {kind!r}")
                self.last[path] = after
                changes.append((path, before, after))
        except (KeyError, IndexError, TypeError) as error:
            raise ValueError(f"a change that does not fit the history ({type(error).__name__}: {error})") from None
        return changes


def listed_in(recent: Iterable[Sequence[Any]]) -> Callable[[str, Any], bool]:
    """``derivable`` when saving: one of the ``recent`` revisions (their stored entries) changed the field, and it is not blank.

    The last change that listed it recorded the field's value in that revision's document
    (``changed_fields``); a later revision that did not list it has a value ``same`` as that, and
    ``same`` values that are not blank are equal. So that value after is this value before.
    """
    paths = {entry[1] for entries in recent for entry in entries}
    return lambda path, before: path in paths and not is_empty(before)


def exactly_known(last: Mapping[str, Any]) -> Callable[[str, Any], bool]:
    """``derivable`` for a migration, which has the revision before's values after at hand: checked exactly."""
    return lambda path, before: path in last and canonical_text(last[path]) == canonical_text(before)
