"""The "Descriptors" sheet: a row per descriptor statement, in the framework's words, with its verdict.

The form ticks each statement that describes the organisation and, in the lowest described
column of a best-fit framework, those it falls short of; this sheet is the same choice in a
spreadsheet: a Verdict drop-down per statement with the form's words ("describes this
organisation", "falls short of this" where the framework allows it; "met" under a threshold
framework, as the form says there), blank for no view. The statements, their KLOE, level and
number are locked (Excel's sheet protection, no password); each KLOE starts with a heading row,
and the lead-in lines some sources print above a run of statements are rows of their own; neither
is ever marked.

Rows are matched back by KLOE id, level and statement number (from 1; the assessment keeps
the index from 0), never by position, and a marked row whose statement no longer reads as the
framework's (a framework changed since the export) is refused, so a verdict never lands on
another statement. Every problem is named by sheet and cell, at once. Built on ``xlsx_layout``
only, like the other sheets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kloe_nb.assessment.model import Assessment, KloeRecord
from kloe_nb.framework.model import Framework, Group, Kloe
from kloe_nb.framework.naming import kloe_heading
from kloe_nb.interchange.xlsx_layout import (
    DESCRIPTORS,
    GREY_FILL,
    HEADER_FILL,
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
from kloe_nb.interchange.xlsx_levels import level_options, list_validation

SHEET = DESCRIPTORS
KLOE_ID, LEVEL, NUMBER, STATEMENT, VERDICT = ("KLOE id", "Descriptor level", "No.", "Statement (the framework's words)", "Verdict")
COLUMNS = [KLOE_ID, LEVEL, NUMBER, STATEMENT, VERDICT]
WIDTHS = {KLOE_ID: 12, LEVEL: 24, NUMBER: 6, STATEMENT: 100, VERDICT: 28}

DESCRIBES = "describes this organisation"
FALLS_SHORT = "falls short of this"
MET = "met"
"""The verdict words: the form's (its tick boxes' words, and "met" where a threshold framework's form says so)."""


def verdict_words(framework: Framework) -> dict[str, str]:
    """Verdict word -> the assessment field it sets: 'met' or 'falls_short'."""
    if framework.descriptor_reading == "threshold":
        return {MET: "met"}
    return {DESCRIBES: "met", FALLS_SHORT: "falls_short"}


def allowed(framework: Framework, kloe: Kloe, level: int) -> list[str]:
    """The verdicts a statement of this level may be given: falling short only of the lowest described level, best fit only."""
    return [word for word, field in verdict_words(framework).items() if field == "met" or level == min(kloe.descriptors)]


def _rows(framework: Framework) -> Iterator[tuple[Group, Kloe, int | None, int | None, str]]:
    """(group, KLOE, level, statement index, text) in framework order, highest level first.

    A KLOE's heading row has neither level nor index; a lead-in line has a level but no index.
    """
    for group, kloe in framework.iter_kloes():
        if kloe.descriptors:
            yield group, kloe, None, None, kloe_heading(kloe)
        for level in sorted(kloe.descriptors, reverse=True):
            for run in kloe.statement_runs(level):
                if run.heading:
                    yield group, kloe, level, None, run.heading
                for index, statement in run.statements:
                    yield group, kloe, level, index, statement


# -- writing ------------------------------------------------------------------------------------
def write_statements(book: Workbook, framework: Framework, assessment: Assessment | None) -> Worksheet | None:
    """Add the Descriptors sheet (None where no KLOE of the framework has descriptors, as in the CAA)."""
    rows = list(_rows(framework))
    if not rows:
        return None
    sheet = book.create_sheet(SHEET)
    for column, heading in enumerate(COLUMNS, start=1):
        cell = sheet.cell(1, column)
        put_text(cell, heading)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        sheet.column_dimensions[get_column_letter(column)].width = WIDTHS[heading]
    sheet.cell(1, 5).comment = Comment(
        "Which statements describe this organisation (any level), and in the lowest level those it falls short of; "
        "blank: no view. These verdict words are kloe-workbook's, as on the form's tick boxes.",
        "kloe-workbook",
    )
    words = {field: word for word, field in verdict_words(framework).items()}
    offered: dict[tuple[str, ...], list[int]] = {}  # the verdicts a drop-down offers -> the rows it is in
    for row, (group, kloe, level, index, text) in enumerate(rows, start=2):
        scale = framework.scale_for_group(group)
        labels = dict(zip((lv.level for lv in scale.levels), level_options(scale))) if scale else {}
        put_text(sheet.cell(row, 1), kloe.id, read_only=True)
        put_text(sheet.cell(row, 2), labels.get(level, str(level)) if level is not None else "", read_only=True)
        put_text(sheet.cell(row, 4), text, read_only=True)
        verdict = sheet.cell(row, 5)
        if level is None or index is None:  # the KLOE's heading, or a lead-in line: shown, never marked
            sheet.cell(row, 4).font = Font(bold=True, size=12 if level is None else None, color="000000" if level is None else "595959")
            sheet.cell(row, 3).fill = verdict.fill = GREY_FILL
            continue
        sheet.cell(row, 3).value = index + 1
        sheet.cell(row, 3).fill = GREY_FILL
        record = assessment.record(kloe.id) if assessment else KloeRecord()
        if index in record.met.get(level, []):
            put_text(verdict, words["met"])
        elif index in record.falls_short.get(level, []) and "falls_short" in words:  # (under a threshold framework it stays in the store)
            put_text(verdict, words["falls_short"])
        else:
            put_text(verdict, "")
        unlock(verdict)
        offered.setdefault(tuple(allowed(framework, kloe, level)), []).append(row)
    for options, at_rows in offered.items():
        validation = list_validation(options, VERDICT, f"Choose {' or '.join(repr(o) for o in options)}, or leave it blank (no view).")
        for first, last in _runs(at_rows):
            validation.add(f"E{first}:E{last}" if last > first else f"E{first}")
        sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"  # the header row only: the statement column is too wide to hold still beside the verdicts
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(rows) + 1}"
    protect(sheet)
    return sheet


def _runs(rows: list[int]) -> Iterator[tuple[int, int]]:
    """Ascending row numbers as (first, last) runs of consecutive rows: a short range list for a validation."""
    first = last = rows[0]
    for row in rows[1:]:
        if row != last + 1:
            yield first, last
            first = row
        last = row
    yield first, last


# -- reading ------------------------------------------------------------------------------------
def parse_verdict(value: Any, framework: Framework, kloe: Kloe, level: int) -> tuple[str, str | None]:
    """A Verdict cell as 'met', 'falls_short' or '' (blank), or why it is not one this statement may take."""
    text = normal_text(cell_text(value)) if value is not None else ""
    if not text:
        return "", None
    words = verdict_words(framework)
    options = allowed(framework, kloe, level)
    if text in options:
        return words[text], None
    listed = " or ".join(repr(option) for option in options)
    if text in words:  # 'falls short of this' above the lowest described level
        return "", (
            f"verdict {shown_value(value)}: only statements of the lowest described level ({min(kloe.descriptors)}) can be fallen short of; "
            f"choose {listed}, or leave it blank"
        )
    return "", f"verdict {shown_value(value)} is not one of {listed}; choose one from the list, or leave it blank (no view)"


def _number(value: Any) -> int | None:
    text = cell_text(value).strip()
    return int(text) if re.fullmatch(r"\d+", text) else None


def read_statements(reader: WorkbookReader, framework: Framework, kloes: dict[str, KloeRecord]) -> set[str]:
    """Every verdict into ``kloes`` (records made where a KLOE had nothing else); the KLOEs whose statements the sheet holds.

    A sheet is expected where the framework has descriptors (``write_statements``); problems go into ``reader``.
    """
    book = reader.book
    if SHEET not in book.sheetnames:
        reader.problem(
            SHEET,
            None,
            "",
            f"the sheet is missing (it holds a row per descriptor statement and its verdict); the workbook's sheets are: "
            f"{', '.join(book.sheetnames)}. Restore the sheet '{SHEET}' (a workbook made by 'kloe export' or 'kloe template' has it)",
        )
        return set()
    sheet = book[SHEET]
    found = header_columns(reader, sheet, [KLOE_ID, LEVEL, NUMBER, STATEMENT, VERDICT], "statement", merged_from=1)
    if found is None:
        return set()
    header_row, columns = found
    known = {kloe.id: kloe for _, kloe in framework.iter_kloes() if kloe.descriptors}
    verdicts: dict[str, dict[str, dict[int, set[int]]]] = {kloe_id: {"met": {}, "falls_short": {}} for kloe_id in known}
    seen: dict[tuple[str, int, int], int] = {}
    for row in used_rows(sheet, header_row):
        verdict_at = f"{get_column_letter(columns[VERDICT])}{row}"
        value = reader.value(sheet, row, columns[VERDICT])
        kloe_id = cell_text(reader.value(sheet, row, columns[KLOE_ID])).strip()
        level_text = cell_text(sheet.cell(row, columns[LEVEL]).value).strip()
        number = _number(sheet.cell(row, columns[NUMBER]).value)
        marked = bool(cell_text(value).strip())
        kloe = known.get(kloe_id)
        level_match = re.match(r"\d+", level_text)
        level = int(level_match.group()) if level_match else None
        if kloe is None or level not in kloe.descriptors or number is None:
            if marked:
                reader.problem(SHEET, verdict_at, f"kloes.{kloe_id}" if kloe_id else "", _not_a_statement(kloe_id, kloe, level_text, level, framework))
            continue
        assert level is not None
        statements = kloe.descriptors[level]
        path = f"kloes.{kloe_id}.met.{level}"
        if not 1 <= number <= len(statements):
            if marked:
                reader.problem(
                    SHEET, verdict_at, path, f"KLOE {kloe_id} level {level} has statements 1-{len(statements)}, not {number}; export the workbook again"
                )
            continue
        key = (kloe_id, level, number)
        if key in seen:
            reader.problem(
                SHEET, verdict_at, path, f"statement {number} of KLOE {kloe_id} level {level} appears twice: rows {seen[key]} and {row}; keep one row"
            )
            continue
        seen[key] = row
        field, error = parse_verdict(value, framework, kloe, level)
        if error:
            wanted = verdict_words(framework).get(normal_text(cell_text(value)), "met")
            reader.problem(SHEET, verdict_at, f"kloes.{kloe_id}.{wanted}.{level}", error)
            continue
        if not field:
            continue
        shown = cell_text(sheet.cell(row, columns[STATEMENT]).value)
        if shown != statements[number - 1]:
            reader.problem(
                SHEET,
                f"{get_column_letter(columns[STATEMENT])}{row}",
                path,
                f"the statement here is not statement {number} of KLOE {kloe_id} level {level} in framework {framework.id} version "
                f"{framework.version} (the framework changed since the export, or the locked text was edited), so its verdict "
                "cannot be placed: export the workbook again and mark the statements there",
            )
            continue
        verdicts[kloe_id][field].setdefault(level, set()).add(number - 1)
    for kloe_id, fields in verdicts.items():
        record = kloes.get(kloe_id, KloeRecord())
        update = {name: {level: sorted(indexes) for level, indexes in by_level.items()} for name, by_level in fields.items()}
        updated = KloeRecord.model_validate({**record.model_dump(), **update})
        if not updated.is_empty():
            kloes[kloe_id] = updated
    return set(known)


def _not_a_statement(kloe_id: str, kloe: Kloe | None, level_text: str, level: int | None, framework: Framework) -> str:
    """Why a marked row is not one a verdict can be given to."""
    if not kloe_id:
        return "this row has a verdict but no KLOE id; put the id back (or clear the verdict)"
    if kloe is None:
        return f"KLOE {kloe_id!r} has no descriptor statements in framework {framework.id}; clear the verdict"
    if not level_text:
        return f"this row is the heading of KLOE {kloe_id}, not a statement; leave its verdict blank"
    if level not in kloe.descriptors:
        return f"level {level_text!r} is not a described level of KLOE {kloe_id} (it describes {', '.join(map(str, sorted(kloe.descriptors, reverse=True)))})"
    return "this row is a lead-in line that heads the statements below it, not a statement; leave its verdict blank"
