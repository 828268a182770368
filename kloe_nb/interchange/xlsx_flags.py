"""The CAA flags in the workbook: a "Flags" sheet, one flag a row, and the framework's "Flag criteria".

A flag has a colour (a drop-down of the framework's colours, red and green), a subject (required,
as in the form), a reason, and the criteria that apply, by their numbers on the "Flag criteria"
sheet ("1, 3"; numbered from 1 there, kept from 0 in the assessment). "Flag criteria" lists what
each colour means and its criteria in the framework's words, locked. On "Flags" a row is added
for a new flag and deleted to drop one (the sheet is protected for its header only), and the
rows are read in order, so export then import gives the same list. Only written for a
framework with flags. Every problem is named by sheet and cell, at once. Built on ``xlsx_layout`` only.
"""

from __future__ import annotations

import re
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from pydantic import ValidationError

from kloe_nb.assessment.model import Assessment, Flag
from kloe_nb.framework.model import Flags
from kloe_nb.interchange.xlsx_layout import (
    FLAG_CRITERIA,
    FLAGS,
    HEADER_FILL,
    WRAP,
    WorkbookReader,
    cell_text,
    header_columns,
    normal_text,
    protect,
    put_text,
    shown_value,
    unlock,
    used_rows,
)
from kloe_nb.interchange.xlsx_levels import list_validation

COLOUR, SUBJECT, REASON, CRITERIA = ("Colour", "Subject", "Reason", "Criteria that apply")
COLUMNS = [COLOUR, SUBJECT, REASON, CRITERIA]
WIDTHS = {COLOUR: 12, SUBJECT: 40, REASON: 70, CRITERIA: 22}
SPARE_ROWS = 30
"""Blank rows after the last flag, unlocked, with the colour drop-down and text format, for new flags."""


def criteria_text(criteria: list[int]) -> str:
    """Criterion indexes as the sheet shows them: numbers from 1, '1, 3'."""
    return ", ".join(str(index + 1) for index in criteria)


# -- writing ------------------------------------------------------------------------------------
def write_flags(book: Workbook, flags: Flags, assessment: Assessment | None) -> None:
    """Add the Flags sheet (the flags given, then spare rows) and the locked Flag criteria sheet."""
    sheet = book.create_sheet(FLAGS)
    for column, heading in enumerate(COLUMNS, start=1):
        cell = sheet.cell(1, column)
        put_text(cell, heading)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        sheet.column_dimensions[get_column_letter(column)].width = WIDTHS[heading]
    sheet.cell(1, 2).comment = Comment("What the flag is about (required).", "kloe-workbook")
    sheet.cell(1, 4).comment = Comment(f"The numbers of the criteria that apply, from the sheet '{FLAG_CRITERIA}', for example 1, 3.", "kloe-workbook")
    given = assessment.flags if assessment else []
    colours = [kind.colour for kind in flags.kinds]
    validation = list_validation(colours, COLOUR, f"Choose {' or '.join(colours)} from the list.")
    sheet.add_data_validation(validation)
    last = len(given) + 1 + SPARE_ROWS
    for row in range(2, last + 1):
        flag = given[row - 2] if row - 2 < len(given) else None
        values = [flag.colour, flag.subject, flag.reason, criteria_text(flag.criteria)] if flag else ["", "", "", ""]
        for column, value in enumerate(values, start=1):
            put_text(sheet.cell(row, column), value)
            unlock(sheet.cell(row, column))
    validation.add(f"A2:A{last}")
    sheet.freeze_panes = "B2"
    protect(sheet, rows=True)
    _write_criteria(book, flags)


def _write_criteria(book: Workbook, flags: Flags) -> None:
    sheet = book.create_sheet(FLAG_CRITERIA)
    for column, (heading, width) in enumerate((("Colour", 12), ("No.", 6), ("Criterion (the framework's words)", 100)), start=1):
        cell = sheet.cell(1, column)
        put_text(cell, heading)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        sheet.column_dimensions[get_column_letter(column)].width = width
    row = 2
    for kind in flags.kinds:
        for number, criterion in enumerate(kind.criteria, start=1):
            put_text(sheet.cell(row, 1), kind.colour)
            sheet.cell(row, 2).value = number
            put_text(sheet.cell(row, 3), criterion)
            row += 1
    row += 1
    if flags.note:
        put_text(sheet.cell(row, 3), flags.note)
        row += 2
    for kind in flags.kinds:
        put_text(sheet.cell(row, 1), kind.colour)
        put_text(sheet.cell(row, 3), f"What a {kind.colour} flag means:")
        sheet.cell(row, 3).font = Font(bold=True)
        for line in [*kind.meaning, *kind.considerations]:
            row += 1
            put_text(sheet.cell(row, 3), line)
        row += 2
    for cells in sheet.iter_rows(min_row=2, max_col=3):
        cells[2].alignment = WRAP
    protect(sheet)


# -- reading ------------------------------------------------------------------------------------
def parse_colour(value: Any, flags: Flags) -> tuple[str, str | None]:
    """A Colour cell as one of the framework's colours ('red flag' too), or why it is not one."""
    colours = [kind.colour for kind in flags.kinds]
    text = normal_text(cell_text(value)).removesuffix(" flag")
    if text in colours:
        return text, None
    return "", f"flag colour {shown_value(value)} is not one of {', '.join(colours)} (the framework's flags); choose one from the list"


def parse_criteria(value: Any, count: int, colour: str) -> tuple[list[int], str | None]:
    """A Criteria cell ('1, 3', or the number 3) as indexes from 0, or why it is not a list of this colour's criterion numbers."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = cell_text(value).strip()
    if not text:
        return [], None
    parts = [part for part in re.split(r"[,;\s]+|\band\b", text) if part]
    if isinstance(value, (bool, float)) or not all(part.isdigit() for part in parts):
        return [], f"criteria {shown_value(value)} is not a list of criterion numbers; type the numbers from the sheet '{FLAG_CRITERIA}', for example 1, 3"
    numbers = [int(part) for part in parts]
    wrong = [number for number in numbers if not 1 <= number <= count]
    if wrong:
        return [], (
            f"criterion {', '.join(map(str, wrong))} does not exist: {colour} flags have criteria 1-{count} (see the sheet '{FLAG_CRITERIA}')"
            if count
            else f"{colour} flags have no criteria in this framework; leave it blank"
        )
    return sorted({number - 1 for number in numbers}), None


def read_flags(reader: WorkbookReader, flags: Flags) -> list[Flag] | None:
    """The flags on the Flags sheet, in order; None (with the problem in ``reader``) where the sheet or its header is missing."""
    book = reader.book
    if FLAGS not in book.sheetnames:
        reader.problem(
            FLAGS,
            None,
            "",
            f"the sheet is missing (it holds the red and green flags, one a row; with no flags it has just its header row); the workbook's "
            f"sheets are: {', '.join(book.sheetnames)}. Restore the sheet '{FLAGS}' (a workbook made by 'kloe export' or 'kloe template' has it)",
        )
        return None
    sheet = book[FLAGS]
    found = header_columns(reader, sheet, COLUMNS, "flag", merged_from=1)
    if found is None:
        return None
    header_row, columns = found
    counts: dict[str, int] = {kind.colour: len(kind.criteria) for kind in flags.kinds}
    given: list[Flag] = []
    index = 0  # the flag's place in the list: its row among the rows that hold one
    for row in used_rows(sheet, header_row):
        path = f"flags[{index}]"
        cells = {heading: reader.value(sheet, row, column, path) for heading, column in columns.items()}
        if not any(cell_text(value).strip() for value in cells.values()):
            continue
        index += 1

        def at(heading: str) -> str:
            return f"{get_column_letter(columns[heading])}{row}"  # noqa: B023 - used at once, in this row

        colour, colour_error = parse_colour(cells[COLOUR], flags)
        errors = [(COLOUR, "colour", colour_error)] if colour_error else []
        subject = cell_text(cells[SUBJECT])
        if not subject.strip():
            errors.append((SUBJECT, "subject", "a flag needs a subject: say what it is about (or clear the row)"))
        criteria, criteria_error = parse_criteria(cells[CRITERIA], counts.get(colour, 0), colour) if colour else ([], None)
        if criteria_error:
            errors.append((CRITERIA, "criteria", criteria_error))
        for heading, name, message in errors:
            reader.problem(FLAGS, at(heading), f"{path}.{name}", message)
        if errors:
            continue
        try:
            given.append(Flag(colour=colour, subject=subject, reason=cell_text(cells[REASON]), criteria=criteria))  # type: ignore[arg-type]
        except ValidationError as invalid:
            for item in invalid.errors():
                name = str(item["loc"][0])
                heading = {"subject": SUBJECT, "reason": REASON}.get(name, REASON)
                reader.problem(FLAGS, at(heading), f"{path}.{name}", f"text {item['msg'].removeprefix('Value error, ')}")
    return given
