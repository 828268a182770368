"""Reading the councils CSV of a batch run (``kloe run --councils``): code, name, group, period.

Council lists arrive from many spreadsheets, so the rules are explicit (RELIABILITY.md 23):

- Encoding: UTF-8, a BOM stripped. Bytes that are not UTF-8 are read as Windows-1252 (what
  Excel's plain "CSV" saves on Windows) with an ``InterchangeWarning`` naming the file.
  UTF-16 ("Unicode Text") and workbooks saved under a .csv name are refused, with what to do.
- Delimiter: ``,`` or ``;`` (Excel's CSV where the comma is the decimal mark), told from
  the header line; a line break inside a quoted value stays in the value.
- Header: ``code`` and ``name`` required, ``group`` and ``period`` optional, case and
  surrounding spaces ignored; a column given twice is an error naming it.
- Values stay text exactly as typed (``00123``, ``None``), with surrounding spaces and tabs
  trimmed. Every problem (empty code or name, a code given twice, a row with more values
  than columns) is reported at once, by row.
"""

from __future__ import annotations

import csv
import difflib
import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from kloe_nb.errors import InvalidInputError, Problem
from kloe_nb.interchange.cells import InterchangeWarning, check_file_size

REQUIRED = ("code", "name")
OPTIONAL = ("group", "period")
MAX_COUNCILS_BYTES = 5 * 1024 * 1024
#: The workbook's own limit on a code, name, group or period (council names run to a few dozen characters).
MAX_VALUE_CHARACTERS = 1_000
"""A list of every council in the country is a few tens of kilobytes."""


@dataclass(frozen=True)
class Council:
    """One council to report on: its code (kept exactly), name, peer group and period."""

    code: str
    name: str
    group: str = ""
    period: str = ""


def _refuse(source: str, message: str, where: str | None = None) -> InvalidInputError:
    return InvalidInputError(source, [Problem(where or source, "", message)])


def _decode(raw: bytes, source: str) -> str:
    """The file's text: UTF-8 (BOM stripped), else Windows-1252 with a warning, else an error."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _refuse(source, "is saved as UTF-16 ('Unicode Text'); save it as 'CSV UTF-8 (Comma delimited)' instead")
    if raw.startswith(b"PK\x03\x04"):
        raise _refuse(source, "is an Excel workbook (or another zip file), not CSV; in Excel use Save As 'CSV UTF-8 (Comma delimited)'")
    if b"\x00" in raw:
        raise _refuse(source, "contains NUL bytes, so it is not a text CSV; save it as 'CSV UTF-8 (Comma delimited)'")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        bad, line = raw[error.start], raw[: error.start].count(b"\n") + 1
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        raise _refuse(source, f"is neither UTF-8 nor Windows-1252 (byte 0x{bad:02x} on line {line}); save it as 'CSV UTF-8 (Comma delimited)'") from None
    warnings.warn(
        f"{source} is not valid UTF-8 (byte 0x{bad:02x} on line {line}), so it was read as Windows-1252; "
        "check names with accents (Ynys Môn) and save the file as UTF-8 to be sure",
        InterchangeWarning,
        stacklevel=3,
    )
    return text


def _count_outside_quotes(line: str, characters: str) -> dict[str, int]:
    counts = dict.fromkeys(characters, 0)
    quoted = False
    for character in line:
        if character == '"':
            quoted = not quoted
        elif not quoted and character in counts:
            counts[character] += 1
    return counts


def _delimiter(text: str, source: str) -> str:
    """``,`` or ``;``, whichever separates the header line's columns."""
    header_line = text.splitlines()[0] if text else ""
    counts = _count_outside_quotes(header_line, ",;\t")
    if counts[","] == 0 and counts[";"] == 0:
        tabs = " (it has tabs: save it as CSV, not tab-separated text)" if counts["\t"] else ""
        raise _refuse(
            source,
            f"cannot tell the delimiter: the header line {header_line[:80]!r} has no ',' or ';' between columns{tabs}; it needs at least the columns code,name",
            f"{source}, line 1",
        )
    return ";" if counts[";"] > counts[","] else ","


def _header_columns(header: list[str], source: str, delimiter: str) -> dict[str, int]:
    """The position of each known column, or InvalidInputError naming duplicates and missing columns."""
    where = f"{source}, header row"
    problems: list[Problem] = []
    names = [cell.strip().lstrip("\ufeff").strip().lower() for cell in header]
    first: dict[str, int] = {}
    for index, name in enumerate(names):
        if not name:
            continue
        if name in first:
            problems.append(Problem(where, "", f"the column {name!r} appears twice (columns {first[name] + 1} and {index + 1}); keep one"))
        else:
            first[name] = index
    found = ", ".join(repr(cell) for cell in header if cell.strip()) or "none"
    for required in REQUIRED:
        if required not in first:
            problems.append(Problem(where, "", f"no {required!r} column; the columns found are: {found} (separated by {delimiter!r})"))
    if problems:
        raise InvalidInputError(source, problems)
    unknown = [name for name in first if name not in REQUIRED + OPTIONAL]
    for name in unknown:
        close = difflib.get_close_matches(name, REQUIRED + OPTIONAL, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        warnings.warn(f"{source}: the column {name!r} is not used (known: code, name, group, period){hint}", InterchangeWarning, stacklevel=3)
    return {name: first[name] for name in REQUIRED + OPTIONAL if name in first}


def parse_councils_csv(text: str, source: str) -> list[Council]:
    """The councils in CSV text (already decoded), or InvalidInputError listing every problem."""
    if not text.strip():
        raise _refuse(source, "is empty; it needs a header row code,name and a row per council")
    delimiter = _delimiter(text, source)
    # csv refuses fields over 128 KB as if the quoting were broken; a long value is reported below instead.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_COUNCILS_BYTES))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []  # (first line of the record, its cells)
    problems: list[Problem] = []
    line = 1
    try:
        for cells in reader:
            records.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as error:
        problems.append(
            Problem(
                f"{source}, line {line}",
                "",
                f"the quoting is broken ({error}): a value holding {delimiter!r}, a double quote or a line break must be "
                'in double quotes, with each double quote inside it written twice ("")',
            )
        )
    if not records:
        raise InvalidInputError(source, problems)
    columns = _header_columns(records[0][1], source, delimiter)
    width = len(records[0][1])
    councils: list[Council] = []
    first_row_of: dict[str, int] = {}
    for row, (start, cells) in enumerate(records[1:], start=2):  # row numbers as a spreadsheet shows them
        if not any(cell.strip() for cell in cells):
            continue
        where = f"{source}, row {row}" + (f" (line {start})" if start != row else "")
        if len(cells) > width and any(cell.strip() for cell in cells[width:]):
            problems.append(
                Problem(where, "", f"has {len(cells)} values but the header has {width} columns: a value containing {delimiter!r} must be in double quotes")
            )
            continue
        values = {name: (cells[index].strip(" \t") if index < len(cells) else "") for name, index in columns.items()}
        missing = [name for name in REQUIRED if not values[name]]
        if missing:
            problems.append(
                Problem(where, "", f"the {' and the '.join(missing)} {'is' if len(missing) == 1 else 'are'} empty; every council needs a code and a name")
            )
            continue
        too_long = [name for name, value in values.items() if len(value) > MAX_VALUE_CHARACTERS]
        if too_long:
            problems.extend(
                Problem(
                    where,
                    name,
                    f"the {name} is {len(values[name]):,} characters long; the workbook takes at most {MAX_VALUE_CHARACTERS:,} "
                    "in a council's code, name, group or period: is this the right column?",
                )
                for name in too_long
            )
            continue
        if any(mark in values["code"] for mark in "\r\n"):
            problems.append(Problem(where, "code", f"the code {values['code']!r} contains a line break; codes are one line"))
            continue
        if values["code"] in first_row_of:
            problems.append(Problem(where, "code", f"the code {values['code']!r} is also on row {first_row_of[values['code']]}; list each council once"))
            continue
        first_row_of[values["code"]] = row
        councils.append(Council(values["code"], values["name"], values.get("group", ""), values.get("period", "")))
    if not councils and not problems:
        problems.append(Problem(source, "", "lists no councils: add a row per council under the header row"))
    if problems:
        raise InvalidInputError(source, problems)
    return councils


def read_councils_csv(path: Path | str) -> list[Council]:
    """The councils listed in a CSV file (see the module notes for the rules), in file order."""
    path = Path(path)
    check_file_size(path, MAX_COUNCILS_BYTES)
    text = _decode(path.read_bytes(), str(path))
    return parse_councils_csv(text, str(path))
