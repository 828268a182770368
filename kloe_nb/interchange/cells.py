"""What the interchange formats share: cell defusing, evidence lines, size limits, safe writes.

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return) as a formula: ``=HYPERLINK(...)`` in a CSV is the classic injection. Every
exported cell goes through ``defuse`` (CSV: a leading ``'``) or ``starts_like_formula``
(Excel: the cell is stored as text with Excel's own quote prefix, see ``xlsx_layout``), so the
rule lives in one place. Evidence items travel through the Excel template and the CSV as one
line each, ``source — reference — note``; what a line cannot say exactly (a line break, the
separator inside a source) the Excel template keeps in a hidden exact copy (``xlsx_layout``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kloe_nb.errors import InvalidInputError, Problem

if TYPE_CHECKING:  # imported where used: the councils list (kloe run) needs no pydantic model
    from kloe_nb.assessment.model import Evidence

MAX_FILE_BYTES = 20 * 1024 * 1024
"""Largest file an import reads (bytes): far above any real assessment, well below a hang."""

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection)."""

EVIDENCE_SEPARATOR = " \u2014 "
"""Between the parts of an evidence line: space, em dash, space."""

SEEN_PREFIX = "seen "
"""Starts the optional fourth part of an evidence line: the date the evidence was seen."""


class InterchangeWarning(UserWarning):
    """Something an import did that the user should know (read as Windows-1252, a hidden sheet ignored)."""


def starts_like_formula(text: str) -> bool:
    """True if a spreadsheet would run this text as a formula were it a cell's whole value."""
    return text.startswith(FORMULA_TRIGGERS)


def defuse(value: Any) -> Any:
    """A cell value made safe for a spreadsheet: text that would start a formula gets a leading ``'``."""
    if isinstance(value, str) and starts_like_formula(value):
        return "'" + value
    return value


# -- evidence as lines -------------------------------------------------------------------
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def evidence_line(item: Evidence) -> str:
    """One evidence item as ``source — reference — note`` (and ``— seen DATE`` when a date was recorded).

    A note alone (no source, reference or date) is written as just the note where that reads
    back the same; everything else uses the full form, so ``parse_evidence_line`` gives the
    item back exactly, unless a field holds a line break or the source or reference holds
    the separator itself.
    """
    short = (
        not item.source
        and not item.reference
        and not item.date_seen
        and item.note.strip()
        and item.note.count(EVIDENCE_SEPARATOR) < 2
        and not _LINE_BREAK.search(item.note)
    )
    if short:
        return item.note
    parts = [item.source, item.reference, item.note]
    if item.date_seen:
        parts.append(SEEN_PREFIX + item.date_seen)
    return EVIDENCE_SEPARATOR.join(parts)


def parse_evidence_line(line: str) -> Evidence:
    """An evidence item from one line: three parts (and ``seen DATE``) or, otherwise, a note."""
    from kloe_nb.assessment.model import Evidence

    parts = line.split(EVIDENCE_SEPARATOR)
    if len(parts) < 3:
        return Evidence(note=line)
    date_seen = ""
    if len(parts) >= 4 and parts[-1].startswith(SEEN_PREFIX):
        date_seen = parts.pop()[len(SEEN_PREFIX) :]
    return Evidence(source=parts[0], reference=parts[1], note=EVIDENCE_SEPARATOR.join(parts[2:]), date_seen=date_seen)


def evidence_text(items: list[Evidence]) -> str:
    """Evidence items as one cell: a line each."""
    return "\n".join(evidence_line(item) for item in items)


def evidence_lines(text: str) -> list[str]:
    """The non-blank lines of an Evidence cell (split at CRLF, CR or LF only)."""
    return [line for line in _LINE_BREAK.split(text) if line.strip()]


def evidence_from_text(text: str) -> list[Evidence]:
    """The evidence items of an Evidence cell: one for each non-blank line."""
    return [parse_evidence_line(line) for line in evidence_lines(text)]


# -- files ------------------------------------------------------------------------------
def check_file_size(path: Path, limit: int = MAX_FILE_BYTES) -> None:
    """Refuse a missing file, or one too big to be what it claims, before anything parses it."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InvalidInputError(str(path), [Problem(str(path), "", "no such file")]) from None
    except OSError as error:
        raise InvalidInputError(str(path), [Problem(str(path), "", f"cannot be read: {error.strerror or error}")]) from None
    if path.is_dir():
        raise InvalidInputError(str(path), [Problem(str(path), "", "is a folder, not a file")])
    if not path.is_file():  # a pipe would hang the read, a device such as /dev/zero never ends
        raise InvalidInputError(str(path), [Problem(str(path), "", "is not a regular file (a pipe, device or socket): save it as a file and give that")])
    if size > limit:
        raise InvalidInputError(
            str(path),
            [Problem(str(path), "", f"is {size / 1024 / 1024:.1f} MB; the limit is {limit / 1024 / 1024:g} MB: is this the right file?")],
        )
