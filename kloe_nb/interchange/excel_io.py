"""The Excel self-assessment template: the CAA Appendix C layout, filled in Excel and read back.

The workbook has an "About" sheet (framework id and version, organisation code and name,
period, assessor, in labelled cells, with the instructions) and one sheet per question or
theme. Each of those has its header in row 1 (found anywhere in rows 1-10 on import) with
the Appendix C columns "KLoE / Criteria", "Current Position", "Evidence", "Areas For
Improvement", plus "Level" (a dropdown of the scale's levels), "Strengths", a marked
"KLOE id" column that matches rows to KLOEs, and read-only descriptor columns, one per
described level. Context-only KLOEs get no dropdown and refuse a level.

An "Action plan" sheet holds the improvement plan, one row per action (``action_plan_xlsx``).

What the template holds round-trips exactly: level, current position, evidence (one
``source — reference — note`` line per item), strengths, areas for improvement and the
actions. Which descriptor statements are met, judgement decisions, rationales, moderation
records and flags are not in the template; the About sheet says so (``merge`` keeps them
when a template is imported over a stored assessment). Reading reports every problem at once by file, sheet
and cell; text cells are read as text (``00123`` stays ``00123``, a date becomes ISO text).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import ValidationError

from kloe_nb.assessment.model import Assessment, FrameworkVersion, KloeRecord, Organisation
from kloe_nb.errors import InvalidInputError, KloeError, Problem
from kloe_nb.framework.loader import load_framework
from kloe_nb.framework.model import Framework, Group, Kloe, Scale
from kloe_nb.interchange.cells import (
    MAX_FILE_BYTES,
    InterchangeWarning,
    check_file_size,
    evidence_lines,
    evidence_text,
    parse_evidence_line,
    replacing,
    starts_like_formula,
)

ABOUT = "About"
OTHER = "Not in framework"
"""The sheet holding KLOEs the assessment has but the framework no longer does (kept, never dropped)."""
ACTION_PLAN = "Action plan"
"""The sheet holding the improvement plan's actions (written and read by ``action_plan_xlsx``)."""
RESERVED = {ABOUT.lower(), OTHER.lower(), ACTION_PLAN.lower(), "history"}  # Excel reserves "History"

ID, CRITERIA, POSITION, LEVEL, EVIDENCE, STRENGTHS, IMPROVEMENT = (
    "KLOE id", "KLoE / Criteria", "Current Position", "Level", "Evidence", "Strengths", "Areas For Improvement",
)
COLUMNS = [ID, CRITERIA, POSITION, LEVEL, EVIDENCE, STRENGTHS, IMPROVEMENT]
INPUTS = {POSITION: "current_position", LEVEL: "level", EVIDENCE: "evidence", STRENGTHS: "strengths", IMPROVEMENT: "areas_for_improvement"}
WIDTHS = {ID: 10, CRITERIA: 50, POSITION: 40, LEVEL: 24, EVIDENCE: 50, STRENGTHS: 40, IMPROVEMENT: 40}
DESCRIPTORS_PREFIX = "Descriptors: "
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
}
INSTRUCTIONS = (
    "Fill in Level, Current Position, Evidence (one item per line: source \u2014 reference \u2014 note), Strengths and "
    "Areas For Improvement on each question or theme sheet; then import the file with: kloe import FILE.xlsx. "
    "Leave Level blank for 'not yet assessed'. The 'Action plan' sheet is the improvement plan: one row per action. "
    "Do not rename the sheets or change the KLOE id column: they match "
    "your entries to the framework. Grey columns (criteria, descriptors) are for reading; changes to them are ignored."
)
NOT_IN_TEMPLATE = (
    "Not in this template: which descriptor statements are met, judgement decisions, rationales, moderation records "
    "and flags. Record those in the notebook form; importing this file brings none of them and keeps those already stored."
)

_GREY = PatternFill("solid", fgColor="EDEDED")
_HEADER = PatternFill("solid", fgColor="D9E1F2")
_WRAP = Alignment(wrap_text=True, vertical="top")
_READ_ONLY_FONT = Font(color="595959")
_CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]")
_ESCAPED = re.compile("_x([0-9A-Fa-f]{4})_")
_STARS = re.compile("[\u2605\u2606]+|\\b0 stars\\b")


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


def level_options(scale: Scale | None) -> list[str]:
    """What the Level dropdown offers: '3 Good' where the scale has labels, '3' where it has none."""
    return [f"{level.level} {level.label}" if level.label else str(level.level) for level in scale.levels] if scale else []


def _is_scored(group: Group | None, kloe: Kloe | None, scale: Scale | None) -> bool:
    return kloe is None or (kloe.scored and group is not None and group.scored and scale is not None)


# -- writing ------------------------------------------------------------------------------------
def _escape(text: str) -> str:
    """Characters XML cannot hold (and CR, which XML would turn into LF) as Excel's own _xHHHH_ escapes."""
    return _CONTROL.sub(lambda match: f"_x{ord(match.group()):04X}_", text)


def _unescape(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        character = chr(int(match.group(1), 16))
        return character if _CONTROL.fullmatch(character) else match.group()

    return _ESCAPED.sub(replace, text) if "_x" in text else text


def _put_text(cell: Cell, text: str, *, read_only: bool = False) -> None:
    """Text stored as text: never a formula or an error code; a would-be formula gets Excel's quote prefix."""
    if len(text) > EXCEL_CELL_LIMIT:  # openpyxl would cut it silently
        raise KloeError(f"cell {cell.coordinate} would hold {len(text):,} characters; an Excel cell holds at most {EXCEL_CELL_LIMIT:,}")
    cell.number_format = "@"  # what is typed later stays text too (00123 keeps its zeros)
    if text:
        cell.value = _escape(text)
        cell.data_type = "s"
    if starts_like_formula(text):
        cell.quotePrefix = True  # Excel's own "typed with a leading '": shown as text, kept as text when edited
    cell.alignment = _WRAP
    if read_only:
        cell.fill, cell.font = _GREY, _READ_ONLY_FONT


@dataclass
class _Overlong:
    where: str
    path: str
    length: int


def _check_lengths(assessment: Assessment) -> None:
    """Excel cells hold at most 32,767 characters: refuse, naming each field, rather than let Excel cut text."""
    found: list[_Overlong] = []
    for kloe_id, record in assessment.kloes.items():
        cells = {"current_position": record.current_position, "evidence": evidence_text(record.evidence),
                 "strengths": record.strengths, "areas_for_improvement": record.areas_for_improvement}
        for field_name, text in cells.items():
            length = len(_escape(text).encode("utf-16-le")) // 2
            if length > EXCEL_CELL_LIMIT:
                found.append(_Overlong(f"KLOE {kloe_id}", f"kloes.{kloe_id}.{field_name}", length))
    from kloe_nb.interchange.action_plan_xlsx import overlong_actions  # it builds on this module

    found += [_Overlong(where, field_path, length) for where, field_path, length in overlong_actions(assessment)]
    if found:
        raise InvalidInputError(
            "Excel export",
            [Problem(item.where, item.path, f"is {item.length:,} characters; an Excel cell holds at most {EXCEL_CELL_LIMIT:,}: "
                     "export as JSON instead, or move the long text into a document named in the evidence") for item in found],
        )


def _criteria_text(kloe: Kloe, scored: bool) -> str:
    number = kloe.number or (kloe.id if re.fullmatch(r"[A-Z]?\d+(\.\d+)*", kloe.id) else "")
    lines = [f"{number} {kloe.title}".strip(), *(f"\u2022 {prompt}" for prompt in kloe.prompts)]
    if not scored:
        lines.append("(context only: not scored)")
    return "\n".join(lines)


def _write_about(sheet: Worksheet, framework: Framework, assessment: Assessment | None, names: dict[str, Group]) -> None:
    version = assessment.framework_version if assessment and assessment.framework_version else None
    values = {
        "framework": framework.id,
        "version": version.version if version else framework.version,
        "sha256": version.sha256 if version else "",
        "code": assessment.organisation.code if assessment else "",
        "name": assessment.organisation.name if assessment else "",
        "period": assessment.period if assessment else "",
        "assessor": assessment.assessor if assessment else "",
        "illustrative": "yes" if assessment and assessment.illustrative else "no",
        "track": assessment.track if assessment else "",
    }
    _put_text(sheet.cell(1, 1), f"Self-assessment: {framework.title} ({framework.publisher})")
    sheet.cell(1, 1).font = Font(bold=True, size=14)
    sheet.cell(1, 1).alignment = Alignment(wrap_text=False)
    _put_text(sheet.cell(2, 1), INSTRUCTIONS)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=4)
    sheet.row_dimensions[2].height = 75
    row = 4
    for label, key in ABOUT_FIELDS.items():
        _put_text(sheet.cell(row, 1), label, read_only=True)
        sheet.cell(row, 1).font = Font(bold=True)
        _put_text(sheet.cell(row, 2), values[key])
        row += 1
    _put_text(sheet.cell(row + 1, 1), NOT_IN_TEMPLATE)
    sheet.merge_cells(start_row=row + 1, start_column=1, end_row=row + 1, end_column=4)
    sheet.row_dimensions[row + 1].height = 45
    row += 3
    for column, heading in enumerate(["Sheet", "Question or theme", "Scored"], start=1):
        _put_text(sheet.cell(row, column), heading)
        sheet.cell(row, column).font, sheet.cell(row, column).fill = Font(bold=True), _HEADER
    for name, group in names.items():
        row += 1
        _put_text(sheet.cell(row, 1), name, read_only=True)
        _put_text(sheet.cell(row, 2), group.title, read_only=True)
        _put_text(sheet.cell(row, 3), "yes" if group.scored and framework.scale_for_group(group) else "no: context only", read_only=True)
    _put_text(sheet.cell(row + 1, 1), ACTION_PLAN, read_only=True)
    _put_text(sheet.cell(row + 1, 2), "The improvement plan: one action per row (owner, due date, priority, measure of success)", read_only=True)
    for letter, width in zip("ABCD", (28, 60, 18, 20)):
        sheet.column_dimensions[letter].width = width


def _header_row(sheet: Worksheet, headings: list[str]) -> None:
    for column, heading in enumerate(headings, start=1):
        cell = sheet.cell(1, column)
        _put_text(cell, heading)
        cell.font, cell.fill = Font(bold=True), _HEADER
        sheet.column_dimensions[get_column_letter(column)].width = WIDTHS.get(heading, 60)
    sheet.cell(1, 1).comment = Comment("Matches each row to its KLOE on import: do not change it.", "kloe-workbook")
    sheet.freeze_panes = "C2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"


def _level_validation(scale: Scale) -> DataValidation:
    options = level_options(scale)
    listed = ",".join(options)
    if any("," in option or '"' in option for option in options) or len(listed) > 255:
        listed = ",".join(str(level.level) for level in scale.levels)  # Excel's limit for a typed list
    validation = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True, showErrorMessage=True)
    validation.errorTitle, validation.error = "Level", "Choose a level from the list, or leave it blank (not yet assessed)."
    return validation


def _write_rows(sheet: Worksheet, rows: list[tuple[Group | None, Kloe | None, str]], framework: Framework,
                assessment: Assessment | None, described: list[int], scale: Scale | None) -> None:
    validation = _level_validation(scale) if scale else None
    if validation:
        sheet.add_data_validation(validation)
    for row, (group, kloe, kloe_id) in enumerate(rows, start=2):
        record = assessment.record(kloe_id) if assessment else KloeRecord()
        scored = _is_scored(group, kloe, scale)
        _put_text(sheet.cell(row, 1), kloe_id, read_only=True)
        criteria = _criteria_text(kloe, scored) if kloe else f"{kloe_id} (not in framework {framework.id} version {framework.version})"
        _put_text(sheet.cell(row, 2), criteria, read_only=True)
        _put_text(sheet.cell(row, 3), record.current_position)
        level_cell = sheet.cell(row, 4)
        level_cell.alignment = _WRAP
        if record.level is not None:
            options = dict(zip((lv.level for lv in scale.levels), level_options(scale))) if scale else {}
            if record.level in options and not options[record.level].isdigit():
                _put_text(level_cell, options[record.level])
            else:
                level_cell.value = record.level
        if not scored:
            level_cell.fill = _GREY
        elif validation and kloe is not None:
            validation.add(level_cell.coordinate)
        _put_text(sheet.cell(row, 5), evidence_text(record.evidence))
        _put_text(sheet.cell(row, 6), record.strengths)
        _put_text(sheet.cell(row, 7), record.areas_for_improvement)
        for offset, level in enumerate(described):
            runs = kloe.statement_runs(level) if kloe else []
            lines = [
                line
                for run in runs
                for line in ([run.heading] if run.heading else []) + [f"\u2022 {statement}" for _, statement in run.statements]
            ]
            _put_text(sheet.cell(row, 8 + offset), "\n".join(lines), read_only=True)


def write_assessment_xlsx(framework: Framework, assessment: Assessment | None, path: Path | str) -> Path:
    """Write the template for a framework, filled in from an assessment if one is given (blank if None)."""
    path = Path(path)
    if assessment is not None:
        if assessment.framework != framework.id:
            raise KloeError(f"the assessment is for framework {assessment.framework!r}, not {framework.id!r}")
        _check_lengths(assessment)
    workbook = Workbook()
    names = sheet_names(framework)
    _write_about(workbook.active, framework, assessment, names)
    workbook.active.title = ABOUT
    for name, group in names.items():
        sheet = workbook.create_sheet(name)
        scale = framework.scale_for_group(group)
        described = sorted({level for kloe in group.kloes for level in kloe.descriptors}, reverse=True)
        labels = dict(zip((level.level for level in scale.levels), level_options(scale))) if scale else {}
        _header_row(sheet, [*COLUMNS, *(f"{DESCRIPTORS_PREFIX}{labels.get(level, level)}" for level in described)])
        _write_rows(sheet, [(group, kloe, kloe.id) for kloe in group.kloes], framework, assessment, described, scale)
    known = {kloe.id for _, kloe in framework.iter_kloes()}
    unknown = [kloe_id for kloe_id in (assessment.kloes if assessment else {}) if kloe_id not in known]
    if unknown:
        sheet = workbook.create_sheet(OTHER)
        _header_row(sheet, COLUMNS)
        _write_rows(sheet, [(None, None, kloe_id) for kloe_id in unknown], framework, assessment, [], None)
    from kloe_nb.interchange.action_plan_xlsx import write_action_plan  # it builds on this module

    write_action_plan(workbook, framework, assessment)
    with replacing(path) as temporary:
        workbook.save(temporary)
    return path


# -- reading ------------------------------------------------------------------------------------
def _normal(value: Any) -> str:
    return " ".join(str(value).split()).lower() if value is not None else ""


def _text(value: Any) -> str:
    """A cell's value as the text a person typed: numbers without '.0', dates as ISO text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _unescape(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return _text(value)


def parse_level(value: Any, scale: Scale | None) -> tuple[int | None, str | None]:
    """The level in a Level cell (blank = not yet assessed) or why it is not one.

    Accepted: the number (3, 3.0, "3"), the dropdown's "3 Good" (stars ignored), or the label alone.
    """
    levels = {level.level: (level.label or "") for level in scale.levels} if scale else {n: "" for n in (4, 3, 2, 1)}
    rule = f"use {min(levels)}-{max(levels)} or leave blank"

    def number(candidate: int, shown: str) -> tuple[int | None, str | None]:
        return (candidate, None) if candidate in levels else (None, f"level {shown} is not on the scale; {rule}")

    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, bool) or isinstance(value, (dt.date, dt.time)):
        return None, f"level {_shown(value)} is not a level; {rule}"
    if isinstance(value, int):
        return number(value, str(value))
    if isinstance(value, float):
        return number(int(value), _text(value)) if value.is_integer() else (None, f"level {value:g} is not a whole number; {rule}")
    text = " ".join(_unescape(str(value)).split())
    match = re.fullmatch(r"\+?(\d+)(?:\.0+)?(?:\s+(.*))?", text)
    if match:
        rest = _STARS.sub("", match.group(2) or "").strip().lower()
        level = int(match.group(1))
        if not rest or rest == levels.get(level, "").lower():
            return number(level, repr(text))
        owner = [n for n, label in levels.items() if label and label.lower() == rest]
        if owner:
            return None, f"level {text!r} mixes {level} with the label of level {owner[0]}; choose one from the list, or {rule}"
        return None, f"level {text!r} is not a level; {rule}"
    for level, label in levels.items():
        if label and _STARS.sub("", text).strip().lower() == label.lower():
            return level, None
    return None, f"level {text!r} is not a level; {rule}"


class _Reader:
    """One pass over a workbook, collecting every problem before reporting."""

    def __init__(self, path: Path, data: bytes, formulas: Any) -> None:
        self.path, self.source, self.data = path, str(path), data
        self.book = formulas  # loaded with formulas, to see which cells hold one
        self._values: Any = None  # loaded with the values Excel saved, when a formula is met
        self.problems: list[Problem] = []

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
                self.problem(sheet.title, cell.coordinate, path,
                             "has a formula with no saved value; open and save the file in Excel, or type the value")
                return None
            cell, value = saved, saved.value
        if cell.data_type == "e":
            self.problem(sheet.title, cell.coordinate, path, f"shows the error {value}; type the value instead (start text with ' if it begins with = + - or @)")
            return None
        return value


def _find_header(sheet: Worksheet) -> tuple[int, dict[str, list[int]]] | None:
    """The header row (the first of rows 1-10 with a 'KLOE id' cell) and the columns of each heading."""
    for row in range(1, min(sheet.max_row, HEADER_SEARCH_ROWS) + 1):
        headings: dict[str, list[int]] = {}
        for column in range(1, sheet.max_column + 1):
            heading = _normal(sheet.cell(row, column).value)
            if heading:
                headings.setdefault(heading, []).append(column)
        if _normal(ID) in headings:
            return row, headings
    return None


def header_columns(
    reader: _Reader, sheet: Worksheet, headings: list[str], each: str, merged_from: int
) -> tuple[int, dict[str, int]] | None:
    """The header row and the column of each heading, or None with every problem noted in ``reader``.

    A heading missing or given twice is named with its cell; merged cells in the used columns from
    ``merged_from`` rows below the header down are reported (``each`` names what a row holds).
    """
    name = sheet.title
    header = _find_header(sheet)
    if header is None:
        reader.problem(name, None, "", f"no header row in rows 1-{HEADER_SEARCH_ROWS}: a row with the headings "
                       f"{', '.join(repr(h) for h in headings)} is needed")
        return None
    header_row, found_headings = header
    columns: dict[str, int] = {}
    for heading in headings:
        found = found_headings.get(_normal(heading), [])
        if not found:
            reader.problem(name, f"{get_column_letter(1)}{header_row}", "",
                           f"the column '{heading}' is missing from the header row (row {header_row}); put it back")
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
            reader.problems.append(Problem(f"{reader.source}, sheet '{name}', cells {merged.coord}", "",
                                           f"are merged; unmerge them so each {each} has its own cells (merging keeps only the top-left value)"))
    return header_row, columns


def _about(reader: _Reader, sheet: Worksheet) -> dict[str, tuple[str, str]]:
    """Each About field: its text and the cell it is in."""
    labels = {_normal(label): key for label, key in ABOUT_FIELDS.items()}
    found: dict[str, tuple[str, str]] = {}
    for row in range(1, min(sheet.max_row, 60) + 1):
        key = labels.get(_normal(sheet.cell(row, 1).value).rstrip(":").strip())
        if key and key not in found:
            found[key] = (_text(reader.value(sheet, row, 2)).strip(), f"B{row}")
    return found


def _check_sheets(reader: _Reader, names: dict[str, Group], framework: Framework) -> list[str]:
    """The group sheets present; missing ones are problems, others (hidden or not) are ignored with a warning."""
    book = reader.book
    present, expected, renamed = [], set(names) | {ABOUT, OTHER, ACTION_PLAN}, set()
    for name, group in names.items():
        if name in book.sheetnames:
            present.append(name)
            if book[name].sheet_state != "visible":
                warnings.warn(f"{reader.source}: sheet '{name}' is hidden; it was read all the same", InterchangeWarning, stacklevel=4)
            continue
        hint = ""
        for other in book.sheetnames:
            if other not in expected:
                header = _find_header(book[other])
                ids = {_text(book[other].cell(row, header[1][_normal(ID)][0]).value).strip()
                       for row in range(header[0] + 1, book[other].max_row + 1)} if header else set()
                if ids & {kloe.id for kloe in group.kloes}:
                    hint = f"; sheet '{other}' holds its KLOEs: was it renamed?"
                    renamed.add(other)
        missing = f"the sheet is missing (it holds {group.kind} {group.number or group.id}: {group.title})"
        if hint:
            reader.problem(name, None, "", f"{missing}{hint} Rename the sheet back to '{name}'")
        else:
            reader.problem(name, None, "", f"{missing}; the workbook's sheets are: {', '.join(book.sheetnames)}. "
                           f"Restore the sheet '{name}' (a template made by 'kloe template' has it)")
    for other in book.sheetnames:
        if other not in expected and other not in renamed:
            state = "hidden sheet" if book[other].sheet_state != "visible" else "sheet"
            warnings.warn(f"{reader.source}: {state} '{other}' is not part of the {framework.id} template; it was ignored",
                          InterchangeWarning, stacklevel=4)
    return present


def _read_sheet(reader: _Reader, sheet: Worksheet, framework: Framework, known: dict[str, tuple[Group, Kloe]],
                seen: dict[str, tuple[str, int]], kloes: dict[str, KloeRecord], sheet_scale: Scale | None) -> None:
    """Every KLOE row of one sheet into ``kloes``; ``sheet_scale`` reads the level of a KLOE the framework lacks."""
    name = sheet.title
    found = header_columns(reader, sheet, [ID, *INPUTS], "KLOE", merged_from=0)
    if found is None:
        return
    header_row, columns = found
    for row in range(header_row + 1, sheet.max_row + 1):
        id_cell = f"{get_column_letter(columns[ID])}{row}"
        raw_id = reader.value(sheet, row, columns[ID])
        kloe_id = _text(raw_id).strip()
        if not kloe_id:
            if any(_text(sheet.cell(row, columns[h]).value).strip() for h in INPUTS):
                reader.problem(name, id_cell, "", f"row {row} has entries but no KLOE id; put the id back (or delete the row)")
            continue
        if isinstance(raw_id, (int, float)) and not isinstance(raw_id, bool):
            reader.problem(name, id_cell, "", f"the KLOE id is the number {_text(raw_id)}: Excel turns ids like 1.10 into 1.1; "
                           "type it as text (start it with ')")
            continue
        if kloe_id in seen:
            first_sheet, first_row = seen[kloe_id]
            first = f"row {first_row}" if first_sheet == name else f"sheet '{first_sheet}' row {first_row}"
            reader.problem(name, id_cell, f"kloes.{kloe_id}", f"KLOE {kloe_id} appears twice: {first} and row {row}; keep one row")
            continue
        seen[kloe_id] = (name, row)
        group, kloe = known.get(kloe_id, (None, None))
        scale = framework.scale_for_group(group) if group else None
        cells = {heading: reader.value(sheet, row, column, f"kloes.{kloe_id}.{INPUTS.get(heading, 'id')}")
                 for heading, column in columns.items() if heading != ID}
        level_at = f"{get_column_letter(columns[LEVEL])}{row}"
        level, error = parse_level(cells[LEVEL], scale if kloe else sheet_scale)
        if error:
            reader.problem(name, level_at, f"kloes.{kloe_id}.level", error)
        elif level is not None and not _is_scored(group, kloe, scale):
            reader.problem(name, level_at, f"kloes.{kloe_id}.level",
                           f"KLOE {kloe_id} is context only and is not scored; leave Level blank (got {_shown(cells[LEVEL])})")
            level = None
        try:
            record = KloeRecord(
                level=level,
                current_position=_text(cells[POSITION]),
                evidence=[parse_evidence_line(line) for line in evidence_lines(_text(cells[EVIDENCE]))],
                strengths=_text(cells[STRENGTHS]),
                areas_for_improvement=_text(cells[IMPROVEMENT]),
            )
        except ValidationError as invalid:
            by_field = {field_name: heading for heading, field_name in INPUTS.items()}
            for item in invalid.errors():
                heading = by_field.get(str(item["loc"][0]), EVIDENCE)
                reader.problem(name, f"{get_column_letter(columns[heading])}{row}", f"kloes.{kloe_id}.{item['loc'][0]}",
                               f"text {item['msg'].removeprefix('Value error, ')}")
            continue
        if not record.is_empty():
            kloes[kloe_id] = record


def _load(path: Path) -> tuple[bytes, Any]:
    check_file_size(path, MAX_FILE_BYTES)
    data = path.read_bytes()
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InvalidInputError(str(path), [Problem(str(path), "", "is an old Excel 97-2003 (.xls) or password-protected workbook; "
                                                    "save it as an unprotected Excel Workbook (.xlsx)")])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # openpyxl's notes on features it does not keep
            return data, load_workbook(io.BytesIO(data), data_only=False, keep_links=False)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise InvalidInputError(str(path), [Problem(str(path), "", f"cannot be read as an Excel workbook (.xlsx): {error or type(error).__name__}")]) from None


def read_assessment_xlsx(path: Path | str, framework_lookup: Callable[[str], Framework] = load_framework) -> Assessment:
    """An assessment from a filled-in template, or InvalidInputError listing every problem by sheet and cell.

    The framework is the one the About sheet names (``framework_lookup(id)``). KLOE rows the
    framework does not know are kept in ``assessment.kloes`` (validation lists them).
    """
    path = Path(path)
    data, book = _load(path)
    reader = _Reader(path, data, book)
    if ABOUT not in book.sheetnames:
        raise InvalidInputError(reader.source, [Problem(reader.source, "", f"the sheet '{ABOUT}' is missing (the sheets are: "
                                                        f"{', '.join(book.sheetnames)}); start from a template made by 'kloe template'")])
    about = _about(reader, book[ABOUT])
    framework_id, framework_cell = about.get("framework", ("", "B4"))
    if not framework_id:
        reader.problem(ABOUT, framework_cell, "framework", "the framework id is empty; it says which framework the template is for")
        raise InvalidInputError(reader.source, reader.problems)
    try:
        framework = framework_lookup(framework_id)
    except KloeError as error:
        reader.problem(ABOUT, framework_cell, "framework", str(error))
        raise InvalidInputError(reader.source, reader.problems) from None
    version, _ = about.get("version", ("", ""))
    if version and version != framework.version:
        warnings.warn(f"{reader.source}: the template was made from version {version} of {framework.id}; the framework is now "
                      f"version {framework.version}: KLOEs it no longer has are kept and listed", InterchangeWarning, stacklevel=2)
    names = sheet_names(framework)
    known = {kloe.id: (group, kloe) for group, kloe in framework.iter_kloes()}
    kloes: dict[str, KloeRecord] = {}
    seen: dict[str, tuple[str, int]] = {}
    for name in _check_sheets(reader, names, framework):
        _read_sheet(reader, book[name], framework, known, seen, kloes, framework.scale_for_group(names[name]))
    if OTHER in book.sheetnames:
        _read_sheet(reader, book[OTHER], framework, known, seen, kloes, None)
    from kloe_nb.interchange.action_plan_xlsx import read_action_plan  # it builds on this module

    read_action_plan(reader, framework, set(known) | set(seen), kloes)
    present = {id(group) for name, group in names.items() if name in book.sheetnames}
    absent = [kloe.id for group, kloe in framework.iter_kloes() if id(group) in present and kloe.id not in seen]
    if absent and not reader.problems:
        warnings.warn(f"{reader.source}: no row for KLOE {', '.join(absent)}; nothing was imported for them", InterchangeWarning, stacklevel=2)
    for key, label in (("code", "organisation code"), ("name", "organisation name")):
        text, cell = about.get(key, ("", None))
        if not text:
            reader.problem(ABOUT, cell, f"organisation.{key}", f"the {label} is empty; fill it in")
    illustrative_text, illustrative_cell = about.get("illustrative", ("", None))
    if _normal(illustrative_text) not in ("", "no", "yes", "true", "false"):
        reader.problem(ABOUT, illustrative_cell, "illustrative", f"write yes or no (got {illustrative_text!r})")
    if reader.problems:
        raise InvalidInputError(reader.source, reader.problems)
    sha256 = about.get("sha256", ("", ""))[0]
    try:
        return Assessment(
            framework=framework.id,
            framework_version=FrameworkVersion(version=version, sha256=sha256) if sha256 and version else None,
            organisation=Organisation(code=about["code"][0], name=about["name"][0]),
            period=about.get("period", ("", ""))[0],
            assessor=about.get("assessor", ("", ""))[0],
            track=about.get("track", ("", ""))[0],
            illustrative=_normal(illustrative_text) in ("yes", "true"),
            kloes=kloes,
        )
    except ValidationError as invalid:
        cells = {key: cell for key, (_, cell) in about.items()}
        for item in invalid.errors():
            key = str(item["loc"][-1])
            reader.problem(ABOUT, cells.get(key), ".".join(str(part) for part in item["loc"]), item["msg"].removeprefix("Value error, "))
        raise InvalidInputError(reader.source, reader.problems) from None
