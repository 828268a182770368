"""What every backend does with ``revision_codec`` around its own SQL: the same rows, so the same bytes.

A backend fetches rows and writes rows; the steps between are here, so SQLite and PostgreSQL
encode a revision, read a current document, pick the change lists a new one may derive from,
and re-encode a schema version 1 store in exactly one way.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from kloe_nb.errors import StoreError
from kloe_nb.store import revision_codec


def pack_changes(entries: list[Any]) -> bytes:
    """A stored change list (``revision_codec.encode_changes``), packed as every backend stores it."""
    return revision_codec.pack_json(entries, compress_from=revision_codec.CHANGES_COMPRESS_FROM)


def cached_text(crc: int | None, blob: bytes | None) -> str | None:
    """The current document kept whole on the assessments row, if it is there and its CRC is the revision's (else None: rebuild it)."""
    if crc is None or blob is None:
        return None
    try:
        text = revision_codec.unpack(bytes(blob)).decode()
    except ValueError:  # a damaged copy: the caller rebuilds it from its revisions
        return None
    return text if revision_codec.checksum(text) == crc else None


def usable_entries(blobs: Iterable[bytes]) -> list[list[Any]]:
    """The stored change lists of recent revisions that a new one may derive from (a damaged list counts as none)."""
    recent = []
    for blob in blobs:
        try:
            entries = revision_codec.unpack_json(bytes(blob))
        except ValueError:
            continue
        if isinstance(entries, list) and all(isinstance(entry, list) and len(entry) > 1 and isinstance(entry[1], str) for entry in entries):
            recent.append(entries)
    return recent


class Version1Assessment:
    """One assessment's revisions as schema version 1 stored them (whole text, change list as JSON), re-encoded oldest first.

    A delta is kept only where it rebuilds the old text byte for byte; a document that is not
    JSON is kept as a full copy, so reading it says what is wrong, as before.
    """

    def __init__(self, assessment_id: int) -> None:
        self.assessment_id = assessment_id
        self.previous: Any | None = None
        self.reader = revision_codec.ChangeReader()

    def encode(self, number: int, text: str, changes_json: str) -> tuple[revision_codec.StoredBody, bytes]:
        """The next revision's stored body and packed change list; ``StoreError`` if its change list is damaged."""
        try:
            document = json.loads(text)
        except ValueError:
            document = None
        stored = revision_codec.encode(number, self.previous if document is not None else None, document, text)
        try:
            changes = [(change["path"], change["before"], change["after"]) for change in json.loads(changes_json)]
        except (ValueError, TypeError, KeyError) as error:
            raise StoreError(
                f"the store cannot be upgraded: the change list of revision {number} of assessment {self.assessment_id} is damaged "
                f"({error}). Nothing was changed: this version of kloe-workbook cannot open it"
            ) from None
        entries = revision_codec.encode_changes(changes, revision_codec.exactly_known(self.reader.last))
        self.reader.read(entries)
        self.previous = document
        return stored, pack_changes(entries)
