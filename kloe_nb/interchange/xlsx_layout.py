"""The Excel workbook's layout and cell rules, in one place for its writers, its readers and the action plan sheet.

Kept apart so the writers and readers depend on it and never on each other: sheet names, column
headings, the About labels, how text is stored in a cell, how a cell is read back, which cells
are locked and which drop-downs there are are defined once.

The Excel self-assessment workbook: the CAA Appendix C layout, filled in Excel (or LibreOffice)
and read back, a full peer of the form: every field the form edits is in it.

The workbook has an "About" sheet (framework id and version, organisation code and name,
period, assessor, track, the layout and the store revision it was exported at, in labelled
cells, with the instructions) and one sheet per question or theme. Each of those has its header
in row 1 (found anywhere in rows 1-10 on import) with the Appendix C columns "KLoE / Criteria",
"Current Position", "Evidence", "Areas For Improvement", plus "Level" (a drop-down of the scale's
levels), "Strengths", "Why it differs" (the form's words: why the level differs from the
suggestion), a marked "KLOE id" column that matches rows to KLOEs, and read-only descriptor
columns, one per described level. Context-only KLOEs get no drop-down and refuse a level.
The "Descriptors" sheet has a row per descriptor statement with its verdict
(``xlsx_statements``); "Judgements" the decided levels and rationales (``xlsx_judgements``);
"Flags" and "Flag criteria" the CAA flags (``xlsx_flags``); "Action plan" the improvement
plan, one row per action (``action_plan_xlsx``).

Every sheet is protected without a password (Excel's own sheet protection: anyone can lift it,
it only stops an accidental change): the framework's words, ids and headings are locked, the
cells a person fills in are not. Drop-downs are Excel's data validation.

What the workbook holds round-trips exactly. Evidence lines cannot say everything (a note of two
paragraphs, a date seen after it, the separator or spaces inside a field), so where a cell's
lines would not read back exactly a hidden column, "Evidence (exact copy)", holds the items as
JSON; it is used only while the Evidence cell still reads exactly as written, so what a person
changed in the cell always wins (with a warning), and a workbook without the column reads its
lines. Moderation records are not in the workbook (the moderation view records them; ``merge``
keeps them). A workbook of layout 1 (before statements, judgements and flags were added) is
still read: what it lacks is kept from the store. Reading reports every problem at once by
file, sheet and cell; text cells are read as text (``00123`` stays ``00123``, a date becomes ISO
text). Rows are read only where the sheet has cells, never up to ``max_row`` (see ``used_rows``).
Writing is ``xlsx_write``, reading ``xlsx_read``.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kloe_nb.assessment.model import Evidence
from kloe_nb.errors import KloeError, Problem
from kloe_nb.framework.model import Framework, Group, Kloe, Scale
from kloe_nb.interchange.cells import evidence_from_text, evidence_text, starts_like_formula

ABOUT = "About"
OTHER = "Not in framework"
"""The sheet holding KLOEs the assessment has but the framework no longer does (kept, never dropped)."""
ACTION_PLAN = "Action plan"
"""The sheet holding the improvement plan's actions (written and read by ``action_plan_xlsx``)."""
DESCRIPTORS = "Descriptors"
"""The sheet with a row per descriptor statement and its verdict (``xlsx_statements``)."""
JUDGEMENTS = "Judgements"
"""The sheet with each judgement's decided level and rationale (``xlsx_judgements``)."""
FLAGS = "Flags"
FLAG_CRITERIA = "Flag criteria"
"""The CAA flags given, one a row, and the framework's criteria they cite (``xlsx_flags``)."""
RESERVED = {name.lower() for name in (ABOUT, OTHER, ACTION_PLAN, DESCRIPTORS, JUDGEMENTS, FLAGS, FLAG_CRITERIA)} | {"history"}  # Excel reserves "History"
LAYOUT = 2
"""The workbook's layout: 1 had levels, text and actions; 2 added statements, KLOE and judgement rationales, judgements and flags."""

ID, CRITERIA, POSITION, LEVEL, EVIDENCE, STRENGTHS, IMPROVEMENT, RATIONALE = (
    "KLOE id",
    "KLoE / Criteria",
    "Current Position",
    "Level",
    "Evidence",
    "Strengths",
    "Areas For Improvement",
    "Why it differs",
)
COLUMNS = [ID, CRITERIA, POSITION, LEVEL, EVIDENCE, STRENGTHS, IMPROVEMENT, RATIONALE]
INPUTS = {
    POSITION: "current_position",
    LEVEL: "level",
    EVIDENCE: "evidence",
    STRENGTHS: "strengths",
    IMPROVEMENT: "areas_for_improvement",
    RATIONALE: "rationale",
}
"""Each question sheet column a person fills in, and the KLOE field it holds."""
LAYOUT_1_INPUTS = {heading: name for heading, name in INPUTS.items() if heading != RATIONALE}
"""The columns a layout 1 workbook has (no rationale: it is kept from the store)."""
EXACT_EVIDENCE = "Evidence (exact copy)"
"""The hidden last column: the evidence items as JSON where the Evidence cell's lines cannot say them exactly."""
HEADER_SEARCH_ROWS = 10
EXCEL_CELL_LIMIT = 32_767

ABOUT_FIELDS = {  # label in column A -> what the value in column B is
    "Framework id": "framework",
    "Framework version": "version",
    "Framework sha256": "sha256",
    "Organisation code": "code",
    "Organisation name": "name",
    "Period": "period",
    "Assessor": "assessor",
    "Illustrative (example data)": "illustrative",
    "Track (blank: the lead assessment)": "track",  # a second assessor's independent scoring comes back to its own track
    "Workbook layout": "layout",
    "Store revision at export (blank: none)": "revision",  # the import saves based on it, so a store that moved on is noticed
}
LOCKED_ABOUT = ("framework", "version", "sha256", "layout", "revision")
"""About fields a person does not change: which framework file, which layout, which stored revision."""

GREY_FILL = PatternFill("solid", fgColor="EDEDED")
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
WRAP = Alignment(wrap_text=True, vertical="top")
_READ_ONLY_FONT = Font(color="595959")
_UNLOCKED = Protection(locked=False)
_CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]")
_ESCAPED = re.compile("_x([0-9A-Fa-f]{4})_")
_LOOKS_ESCAPED = re.compile("_(?=x[0-9A-Fa-f]{4}_)")


# -- naming -------------------------------------------------------------------------------------
def _sheet_title(group: Group) -> str:
    base = f"{group.kind.title()} {group.number}" if group.number else group.title
    return re.sub(r"[\[\]:*?/\\]", "-", base).strip().strip("'")[:31].strip() or group.id[:31]


def sheet_names(framework: Framework) -> dict[str, Group]:
    """The sheet name of every question or theme: from its number, Excel-safe, unique, at most 31 characters."""
    taken = set(RESERVED)
    names: dict[str, Group] = {}
    for group in framework.groups:
        base, name, counter = _sheet_title(group), _sheet_title(group), 2
        while name.lower() in taken:
            suffix = f" ({counter})"
            name, counter = base[: 31 - len(suffix)].rstrip() + suffix, counter + 1
        taken.add(name.lower())
        names[name] = group
    return names


def is_scored(group: Group | None, kloe: Kloe | None, scale: Scale | None) -> bool:
    """Whether a KLOE's row takes a level: a scored KLOE in a scored group with a scale, or one the framework lacks."""
    return kloe is None or (kloe.scored and group is not None and group.scored and scale is not None)


# -- writing cells ------------------------------------------------------------------------------
def escape_text(text: str) -> str:
    """Characters XML cannot hold (and CR, which XML would turn into LF) as Excel's own _xHHHH_ escapes.

    Excel reads every ``_xHHHH_`` in a cell as an escape (ECMA-376 ST_Xstring), so text that
    merely looks like one gets its underscore escaped (``_x005F_``), as Excel itself writes it.
    """
    text = _LOOKS_ESCAPED.sub("_x005F_", text) if "_x" in text else text
    return _CONTROL.sub(lambda match: f"_x{ord(match.group()):04X}_", text)


def unescape_text(text: str) -> str:
    """A cell's stored text as shown in Excel: every ``_xHHHH_`` escape decoded, left to right."""
    return _ESCAPED.sub(lambda match: chr(int(match.group(1), 16)), text) if "_x" in text else text


def cell_length(text: str) -> int:
    """How many characters Excel counts in a cell holding ``text`` once written (UTF-16 units, escapes included)."""
    return len(escape_text(text).encode("utf-16-le")) // 2


def unlock(cell: Cell) -> None:
    """A cell a person fills in: open to editing when its sheet is protected (every other cell is locked)."""
    cell.protection = _UNLOCKED


def protect(sheet: Worksheet, *, rows: bool = False) -> None:
    """Excel's sheet protection without a password: locked cells cannot be changed by accident; anyone can lift it.

    Columns and rows may still be resized and filtered; with ``rows`` whole rows may be inserted
    and deleted too (a row can only be deleted where none of its cells is locked).
    """
    protection = sheet.protection
    protection.sheet = True
    protection.formatColumns = protection.formatRows = protection.autoFilter = False
    if rows:
        protection.insertRows = protection.deleteRows = False


def put_text(cell: Cell, text: str, *, read_only: bool = False) -> None:
    """Text stored as text: never a formula or an error code; a would-be formula gets Excel's quote prefix."""
    if len(text) > EXCEL_CELL_LIMIT:  # openpyxl would cut it silently
        raise KloeError(f"cell {cell.coordinate} would hold {len(text):,} characters; an Excel cell holds at most {EXCEL_CELL_LIMIT:,}")
    cell.number_format = "@"  # what is typed later stays text too (00123 keeps its zeros)
    if text:
        cell.value = escape_text(text)
        cell.data_type = "s"
    if starts_like_formula(text):
        cell.quotePrefix = True  # Excel's own "typed with a leading '": shown as text, kept as text when edited
    cell.alignment = WRAP
    if read_only:
        cell.fill, cell.font = GREY_FILL, _READ_ONLY_FONT


def evidence_copy(items: list[Evidence]) -> str:
    """The exact-copy cell beside an Evidence cell: blank where the cell's lines read back exactly, else the items as JSON."""
    if evidence_from_text(evidence_text(items)) == items:
        return ""
    return json.dumps([item.model_dump() for item in items], ensure_ascii=False, separators=(",", ":"))


def evidence_from_cells(text: str, copy: str) -> tuple[list[Evidence], bool]:
    """The evidence items of an Evidence cell and its exact copy, and whether a copy was set aside.

    The copy is used only if it gives exactly the text the cell holds (so it was written with
    this cell and nobody changed the cell since); otherwise each line of the cell is an item.
    """
    if not copy.strip():
        return evidence_from_text(text), False
    try:
        items = [Evidence.model_validate(item) for item in json.loads(copy)]
    except (ValueError, TypeError):  # not JSON, not a list of items, or items that do not validate
        return evidence_from_text(text), True
    if evidence_text(items) != text:
        return evidence_from_text(text), True
    return items, False


# -- reading cells ------------------------------------------------------------------------------
def normal_text(value: Any) -> str:
    """A heading or label as compared: whitespace collapsed, lower case ('' for an empty cell)."""
    return " ".join(str(value).split()).lower() if value is not None else ""


def cell_text(value: Any) -> str:
    """A cell's value as the text a person typed: numbers without '.0', dates as ISO text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return unescape_text(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def shown_value(value: Any) -> str:
    """A cell's value as quoted in a problem: text in quotes, anything else as typed."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return cell_text(value)


class WorkbookReader:
    """One pass over a workbook, collecting every problem before reporting."""

    def __init__(self, path: Path, data: bytes, formulas: Workbook) -> None:
        self.path, self.source, self.data = path, str(path), data
        self.book = formulas  # loaded with formulas, to see which cells hold one
        self._values: Workbook | None = None  # loaded with the values Excel saved, when a formula is met
        self.problems: list[Problem] = []
        self.layout = LAYOUT  # the About sheet's "Workbook layout" (1 for a workbook written before it was recorded)

    def problem(self, sheet: str, cell: str | None, path: str, message: str) -> None:
        where = f"{self.source}, sheet '{sheet}'" + (f", cell {cell}" if cell else "")
        self.problems.append(Problem(where, path, message))

    def value(self, sheet: Worksheet, row: int, column: int, path: str = "") -> Any:
        """The cell's value; a formula's saved result; None with a problem for a formula with none or an error."""
        cell = sheet.cell(row, column)
        value = cell.value
        if cell.data_type == "f" or not isinstance(value, (str, int, float, bool, dt.date, dt.time, type(None))):
            if self._values is None:
                self._values = load_workbook(io.BytesIO(self.data), data_only=True, keep_links=False)
            saved = self._values[sheet.title].cell(row, column)
            if saved.value is None:
                self.problem(sheet.title, cell.coordinate, path, "has a formula with no saved value; open and save the file in Excel, or type the value")
                return None
            cell, value = saved, saved.value
        if cell.data_type == "e":
            self.problem(
                sheet.title, cell.coordinate, path, f"shows the error {value}; type the value instead (start text with ' if it begins with = + - or @)"
            )
            return None
        return value


def used_rows(sheet: Worksheet, below: int = 0) -> list[int]:
    """The rows after row ``below`` that hold a cell, in order.

    ``range(..., sheet.max_row)`` with ``sheet.cell()`` made a cell for every row and column up to
    the furthest one used: one value typed in row 1,048,576 of a 45 KB file took 43 s and 1.5 GB.
    """
    return sorted({row for row, _ in sheet._cells if row > below})


def _used_columns(sheet: Worksheet, row: int) -> list[int]:
    return sorted(column for at_row, column in sheet._cells if at_row == row)


def find_header(sheet: Worksheet, key: str = ID) -> tuple[int, dict[str, list[int]]] | None:
    """The header row (the first of rows 1-10 with a ``key`` cell, 'KLOE id' unless told) and the columns of each heading."""
    for row in range(1, min(sheet.max_row, HEADER_SEARCH_ROWS) + 1):
        headings: dict[str, list[int]] = {}
        for column in _used_columns(sheet, row):
            heading = normal_text(sheet.cell(row, column).value)
            if heading:
                headings.setdefault(heading, []).append(column)
        if normal_text(key) in headings:
            return row, headings
    return None


def header_columns(reader: WorkbookReader, sheet: Worksheet, headings: list[str], each: str, merged_from: int) -> tuple[int, dict[str, int]] | None:
    """The header row and the column of each heading, or None with every problem noted in ``reader``.

    The header row is the one with the first of ``headings``. A heading missing or given twice is
    named with its cell; merged cells in the used columns from ``merged_from`` rows below the
    header down are reported (``each`` names what a row holds).
    """
    name = sheet.title
    header = find_header(sheet, headings[0])
    if header is None:
        reader.problem(
            name, None, "", f"no header row in rows 1-{HEADER_SEARCH_ROWS}: a row with the headings {', '.join(repr(h) for h in headings)} is needed"
        )
        return None
    header_row, found_headings = header
    columns: dict[str, int] = {}
    for heading in headings:
        found = found_headings.get(normal_text(heading), [])
        if not found:
            reader.problem(
                name, f"{get_column_letter(1)}{header_row}", "", f"the column '{heading}' is missing from the header row (row {header_row}); put it back"
            )
        elif len(found) > 1:
            letters = " and ".join(get_column_letter(column) for column in found)
            reader.problem(name, f"{get_column_letter(found[1])}{header_row}", "", f"the column '{heading}' appears twice (columns {letters}); keep one")
        else:
            columns[heading] = found[0]
    if len(columns) < len(headings):
        return None
    used = set(columns.values())
    for merged in sheet.merged_cells.ranges:
        if merged.max_row >= header_row + merged_from and any(merged.min_col <= column <= merged.max_col for column in used):
            reader.problems.append(
                Problem(
                    f"{reader.source}, sheet '{name}', cells {merged.coord}",
                    "",
                    f"are merged; unmerge them so each {each} has its own cells (merging keeps only the top-left value)",
                )
            )
    return header_row, columns
