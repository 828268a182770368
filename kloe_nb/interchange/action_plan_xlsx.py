"""The improvement plan in the Excel template: an "Action plan" sheet, one row per action.

Each row names its KLOE by id (the same ids as the question and theme sheets) and holds the
SMART fields the seeds ask of a plan: the area for improvement it addresses, the action,
owner, due date (a real Excel date cell), priority (a dropdown of high, medium and low),
resources and the measure of success. Rows are written in the framework's KLOE order, each
KLOE's actions in their recorded order, so export then import gives back every action exactly.

Reading follows the rest of the template (``xlsx_read``; the cell rules both share are
``xlsx_layout``, the only module this one builds on): the header is found in rows 1-10,
columns by their headings; every problem (a bad date or priority, a KLOE the workbook does
not have, an action without a KLOE id, merged cells) is reported at once by sheet and cell.
The sheet must be there: importing a workbook without it would silently drop the plan. The
sheet is protected (no password) for its header row only, so rows are added and deleted freely.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import ValidationError

from kloe_nb.assessment.model import Action, Assessment, KloeRecord, Priority
from kloe_nb.framework.model import Framework
from kloe_nb.framework.naming import kloe_label
from kloe_nb.interchange.xlsx_layout import (
    ACTION_PLAN,
    EXCEL_CELL_LIMIT,
    GREY_FILL,
    HEADER_FILL,
    WRAP,
    WorkbookReader,
    cell_length,
    cell_text,
    header_columns,
    normal_text,
    protect,
    put_text,
    shown_value,
    unlock,
    used_rows,
)

SHEET = ACTION_PLAN
KLOE_ID, KLOE, AREA, ACTION, OWNER, DUE, PRIORITY, RESOURCES, MEASURE = (
    "KLOE id",
    "KLOE",
    "Area for improvement",
    "Action",
    "Owner",
    "Due date",
    "Priority",
    "Resources",
    "Measure of success",
)
COLUMNS = [KLOE_ID, KLOE, AREA, ACTION, OWNER, DUE, PRIORITY, RESOURCES, MEASURE]
FIELDS = {AREA: "area", ACTION: "action", OWNER: "owner", DUE: "due", PRIORITY: "priority", RESOURCES: "resources", MEASURE: "measure"}
TEXT_FIELDS = ("area", "action", "owner", "resources", "measure")
PRIORITIES: tuple[Priority, ...] = ("high", "medium", "low")
WIDTHS = {KLOE_ID: 10, KLOE: 40, AREA: 40, ACTION: 45, OWNER: 20, DUE: 13, PRIORITY: 11, RESOURCES: 30, MEASURE: 40}
SPARE_ROWS = 100
"""Blank rows after the last action that already have the date format, the dropdown and text ids, for new actions."""
DATE_FORMAT = "yyyy-mm-dd"
INSTRUCTIONS = (
    "The 'Action plan' sheet is the improvement plan: one row per action, with the KLOE id it belongs to (as on the "
    "question and theme sheets), Due date as a date and Priority high, medium or low. Add a row for a new action; "
    "delete a row to drop one."
)


# -- writing ------------------------------------------------------------------------------------
def _ordered_actions(framework: Framework, assessment: Assessment | None) -> list[tuple[str, str, Action]]:
    """(KLOE id, KLOE heading, action) in framework order, then KLOEs the framework lacks; each KLOE's actions as recorded."""
    if assessment is None:
        return []
    known = [(kloe.id, kloe_label(kloe)) for _, kloe in framework.iter_kloes()]
    ids = {kloe_id for kloe_id, _ in known}
    others = [(kloe_id, f"{kloe_id} (not in framework {framework.id})") for kloe_id in assessment.kloes if kloe_id not in ids]
    return [(kloe_id, heading, action) for kloe_id, heading in known + others for action in assessment.record(kloe_id).actions]


def overlong_actions(assessment: Assessment) -> list[tuple[str, str, int]]:
    """(where, field path, length) of each action text too long for an Excel cell."""
    found = []
    for kloe_id, record in assessment.kloes.items():
        for index, action in enumerate(record.actions):
            for name in TEXT_FIELDS:
                length = cell_length(getattr(action, name))
                if length > EXCEL_CELL_LIMIT:
                    found.append((f"KLOE {kloe_id} action {index + 1}", f"kloes.{kloe_id}.actions.{index}.{name}", length))
    return found


def _validations(sheet: Worksheet, last_row: int) -> None:
    priority = DataValidation(type="list", formula1=f'"{",".join(PRIORITIES)}"', allow_blank=True, showErrorMessage=True)
    priority.errorTitle, priority.error = PRIORITY, "Choose high, medium or low from the list, or leave it blank."
    due = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True, showErrorMessage=True)
    due.errorTitle, due.error = DUE, "Type a date (for example 2010-03-31), or leave it blank."
    for validation, heading in ((priority, PRIORITY), (due, DUE)):
        letter = get_column_letter(COLUMNS.index(heading) + 1)
        validation.add(f"{letter}2:{letter}{last_row}")
        sheet.add_data_validation(validation)


def write_action_plan(book: Workbook, framework: Framework, assessment: Assessment | None) -> Worksheet:
    """Add the 'Action plan' sheet: a header row, one row per action, and spare rows ready for new ones."""
    sheet = book.create_sheet(SHEET)
    for column, heading in enumerate(COLUMNS, start=1):
        cell = sheet.cell(1, column)
        put_text(cell, heading)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        sheet.column_dimensions[get_column_letter(column)].width = WIDTHS[heading]
    sheet.cell(1, 1).comment = Comment("The KLOE each action belongs to, as on the question and theme sheets.", "kloe-workbook")
    rows = _ordered_actions(framework, assessment)
    for row, (kloe_id, heading, action) in enumerate(rows, start=2):
        put_text(sheet.cell(row, 1), kloe_id)
        put_text(sheet.cell(row, 2), heading, read_only=True)
        for column, name in enumerate(("area", "action", "owner"), start=3):
            put_text(sheet.cell(row, column), getattr(action, name))
        if action.due:
            sheet.cell(row, 6).value = dt.date.fromisoformat(action.due)
        if action.priority:
            put_text(sheet.cell(row, 7), action.priority)
        put_text(sheet.cell(row, 8), action.resources)
        put_text(sheet.cell(row, 9), action.measure)
    last = len(rows) + 1 + SPARE_ROWS
    for row in range(2, last + 1):
        sheet.cell(row, 6).number_format = DATE_FORMAT
        sheet.cell(row, 6).alignment = WRAP
        if row > len(rows) + 1:  # ready for new actions: ids and text stay text (1.10 is not 1.1)
            for column in (1, 3, 4, 5, 7, 8, 9):
                put_text(sheet.cell(row, column), "")
            sheet.cell(row, 2).fill = GREY_FILL
        for column in range(1, len(COLUMNS) + 1):  # the KLOE heading too, so a whole row can be deleted (it is ignored on import)
            unlock(sheet.cell(row, column))
    _validations(sheet, last)
    sheet.freeze_panes = "C2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(len(rows) + 1, 2)}"
    protect(sheet, rows=True)  # the header only: rows are added and deleted freely
    return sheet


# -- reading ------------------------------------------------------------------------------------
def parse_due(value: Any) -> tuple[str, str | None]:
    """A Due date cell as YYYY-MM-DD ('' if blank), or why it is not a date."""
    rule = "type a date such as 2010-03-31, or leave it blank"
    if value is None or (isinstance(value, str) and not value.strip()):
        return "", None
    if isinstance(value, dt.datetime):
        if value.time() != dt.time():
            return "", f"due date {cell_text(value)} has a time of day; {rule}"
        return value.date().isoformat(), None
    if isinstance(value, dt.date):
        return value.isoformat(), None
    if isinstance(value, bool) or isinstance(value, dt.time):
        return "", f"due date {shown_value(value)} is not a date; {rule}"
    if isinstance(value, (int, float)):
        return "", f"due date {cell_text(value)} is a number, not a date; format the cell as a date or {rule}"
    text = " ".join(cell_text(value).split())
    try:
        if len(text) != 10:
            raise ValueError
        return dt.date.fromisoformat(text).isoformat(), None
    except ValueError:
        return "", f"due date {text!r} is not a date written YYYY-MM-DD; {rule}"


def parse_priority(value: Any) -> tuple[Priority, str | None]:
    """A Priority cell as high, medium or low ('' if blank), or why it is not one."""
    text = normal_text(cell_text(value)) if value is not None else ""
    for priority in ("", *PRIORITIES):
        if text == priority:
            return priority, None
    return "", f"priority {shown_value(value)} is not one of {', '.join(PRIORITIES)}; choose one from the list, or leave it blank"


def read_action_plan(reader: WorkbookReader, framework: Framework, kloe_ids: set[str], kloes: dict[str, KloeRecord]) -> None:
    """Every action row into ``kloes`` (records made where a KLOE had nothing else); problems into ``reader``.

    ``kloe_ids`` are the KLOEs the workbook has (the framework's and those on the 'Not in framework' sheet).
    """
    book = reader.book
    if SHEET not in book.sheetnames:
        reader.problem(
            SHEET,
            None,
            "",
            f"the sheet is missing (it holds the improvement plan, one action per row; with no "
            f"actions it has just its header row); the workbook's sheets are: {', '.join(book.sheetnames)}. "
            f"Restore the sheet '{SHEET}' (a template made by 'kloe template' has it)",
        )
        return
    sheet = book[SHEET]
    found = header_columns(reader, sheet, [KLOE_ID, *FIELDS], "action", merged_from=1)
    if found is None:
        return
    header_row, columns = found
    plan: dict[str, list[Action]] = {}
    for row in used_rows(sheet, header_row):
        id_cell = f"{get_column_letter(columns[KLOE_ID])}{row}"
        raw_id = reader.value(sheet, row, columns[KLOE_ID])
        kloe_id = cell_text(raw_id).strip()
        index = len(plan.get(kloe_id, []))
        path = f"kloes.{kloe_id}.actions.{index}"
        cells = {heading: reader.value(sheet, row, columns[heading], f"{path}.{FIELDS[heading]}") for heading in FIELDS}
        if not kloe_id:
            if any(cell_text(value).strip() for value in cells.values()):
                reader.problem(SHEET, id_cell, "", f"row {row} has an action but no KLOE id; fill in the KLOE it belongs to (or delete the row)")
            continue
        if isinstance(raw_id, (int, float)) and not isinstance(raw_id, bool):
            reader.problem(
                SHEET, id_cell, "", f"the KLOE id is the number {cell_text(raw_id)}: Excel turns ids like 1.10 into 1.1; type it as text (start it with ')"
            )
            continue
        if kloe_id not in kloe_ids:
            reader.problem(
                SHEET,
                id_cell,
                f"kloes.{kloe_id}",
                f"KLOE {kloe_id!r} is not in framework {framework.id} (nor on any sheet of this workbook); use a KLOE id from the question and theme sheets",
            )
            continue
        due, due_error = parse_due(cells[DUE])
        priority, priority_error = parse_priority(cells[PRIORITY])
        for heading, error in ((DUE, due_error), (PRIORITY, priority_error)):
            if error:
                reader.problem(SHEET, f"{get_column_letter(columns[heading])}{row}", f"{path}.{FIELDS[heading]}", error)
        if due_error or priority_error:
            continue
        try:
            action = Action(due=due, priority=priority, **{FIELDS[h]: cell_text(cells[h]) for h in FIELDS if FIELDS[h] in TEXT_FIELDS})
        except ValidationError as invalid:
            by_field = {name: heading for heading, name in FIELDS.items()}
            for item in invalid.errors():
                name = str(item["loc"][0])
                reader.problem(
                    SHEET,
                    f"{get_column_letter(columns[by_field.get(name, ACTION)])}{row}",
                    f"{path}.{name}",
                    f"text {item['msg'].removeprefix('Value error, ')}",
                )
            continue
        plan.setdefault(kloe_id, []).append(action)
    for kloe_id, actions in plan.items():
        kloes[kloe_id] = kloes.get(kloe_id, KloeRecord()).model_copy(update={"actions": actions})
