"""The "Judgements" sheet: each judgement of the framework with its decided level and rationale.

As in the form, the decided level is blank by default (the workbook's suggestion stands) and
is chosen from the scale's levels in a drop-down, shown as the Level columns show them ("3
Good"); the rationale is required by scoring where the decision differs from the suggestion or
picks one of a CAA table cell's two options (``kloe score`` names any missing one, as the form
does; it is not an import error). An unscored judgement (the CAA area assessment) takes no
level: its row is grey and locked but for the rationale. Ids and titles are locked.

Rows are matched by judgement id; a judgement with no row keeps what the store has.
Built on ``xlsx_layout`` only.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import ValidationError

from kloe_nb.assessment.model import Assessment, JudgementDecision
from kloe_nb.framework.model import Framework, Scale
from kloe_nb.interchange.xlsx_layout import (
    GREY_FILL,
    HEADER_FILL,
    JUDGEMENTS,
    WRAP,
    WorkbookReader,
    cell_text,
    header_columns,
    protect,
    put_text,
    shown_value,
    unlock,
    used_rows,
)
from kloe_nb.interchange.xlsx_levels import level_validation, parse_level, put_level

SHEET = JUDGEMENTS
JUDGEMENT_ID, JUDGEMENT, DECIDED, RATIONALE = ("Judgement id", "Judgement", "Decided level", "Rationale")
COLUMNS = [JUDGEMENT_ID, JUDGEMENT, DECIDED, RATIONALE]
WIDTHS = {JUDGEMENT_ID: 26, JUDGEMENT: 50, DECIDED: 30, RATIONALE: 80}
BLANK = "use the suggestion"
"""What a blank decided level means (the form's words)."""


def _scale(framework: Framework, judgement_id: str) -> Scale | None:
    judgement = framework.judgement(judgement_id)
    return framework.scale(judgement.scale) if judgement.scored and judgement.scale else None


def write_judgements(book: Workbook, framework: Framework, assessment: Assessment | None) -> Worksheet:
    """Add the Judgements sheet: a row per judgement of the framework, in its order."""
    sheet = book.create_sheet(SHEET)
    for column, heading in enumerate(COLUMNS, start=1):
        cell = sheet.cell(1, column)
        put_text(cell, heading)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        sheet.column_dimensions[get_column_letter(column)].width = WIDTHS[heading]
    sheet.cell(1, 3).comment = Comment(f"Blank: {BLANK} (kloe score shows it). Choose a level to decide otherwise.", "kloe-workbook")
    sheet.cell(1, 4).comment = Comment(
        "Required where the decided level differs from the suggestion, or where the table leaves a choice between two levels.", "kloe-workbook"
    )
    validations = {}
    for row, judgement in enumerate(framework.judgements, start=2):
        decision = assessment.judgements.get(judgement.id, JudgementDecision()) if assessment else JudgementDecision()
        put_text(sheet.cell(row, 1), judgement.id, read_only=True)
        put_text(sheet.cell(row, 2), judgement.title + ("" if judgement.scored and judgement.scale else " (not scored)"), read_only=True)
        level_cell = sheet.cell(row, 3)
        scale = _scale(framework, judgement.id)
        put_level(level_cell, decision.level, scale)
        if scale is None:
            level_cell.fill = GREY_FILL
        else:
            unlock(level_cell)
            if scale.id not in validations:
                validations[scale.id] = level_validation(scale, BLANK)
                sheet.add_data_validation(validations[scale.id])
            validations[scale.id].add(level_cell.coordinate)
        put_text(sheet.cell(row, 4), decision.rationale)
        unlock(sheet.cell(row, 4))
        sheet.row_dimensions[row].height = 45
    for row in range(2, len(framework.judgements) + 2):
        sheet.cell(row, 2).alignment = WRAP
    sheet.freeze_panes = "C2"
    protect(sheet)
    return sheet


def read_judgements(reader: WorkbookReader, framework: Framework, judgements: dict[str, JudgementDecision]) -> set[str]:
    """Every judgement row into ``judgements`` (empty decisions left out); the ids the sheet has rows for."""
    book = reader.book
    if SHEET not in book.sheetnames:
        reader.problem(
            SHEET,
            None,
            "",
            f"the sheet is missing (it holds each judgement's decided level and rationale); the workbook's sheets are: "
            f"{', '.join(book.sheetnames)}. Restore the sheet '{SHEET}' (a workbook made by 'kloe export' or 'kloe template' has it)",
        )
        return set()
    sheet = book[SHEET]
    found = header_columns(reader, sheet, [JUDGEMENT_ID, DECIDED, RATIONALE], "judgement", merged_from=1)
    if found is None:
        return set()
    header_row, columns = found
    known = {judgement.id for judgement in framework.judgements}
    seen: dict[str, int] = {}
    for row in used_rows(sheet, header_row):
        id_at = f"{get_column_letter(columns[JUDGEMENT_ID])}{row}"
        judgement_id = cell_text(reader.value(sheet, row, columns[JUDGEMENT_ID])).strip()
        path = f"judgements.{judgement_id}"
        level_value = reader.value(sheet, row, columns[DECIDED], f"{path}.level")
        rationale = cell_text(reader.value(sheet, row, columns[RATIONALE], f"{path}.rationale"))
        if not judgement_id:
            if cell_text(level_value).strip() or rationale.strip():
                reader.problem(SHEET, id_at, "", f"row {row} has a decision but no judgement id; put the id back (or clear the row)")
            continue
        if judgement_id not in known:
            reader.problem(SHEET, id_at, path, f"unknown judgement {judgement_id!r} (framework {framework.id} has {', '.join(sorted(known))})")
            continue
        if judgement_id in seen:
            reader.problem(SHEET, id_at, path, f"judgement {judgement_id} appears twice: rows {seen[judgement_id]} and {row}; keep one row")
            continue
        seen[judgement_id] = row
        level_at = f"{get_column_letter(columns[DECIDED])}{row}"
        scale = _scale(framework, judgement_id)
        if scale is None:
            if cell_text(level_value).strip():
                reader.problem(
                    SHEET,
                    level_at,
                    f"{path}.level",
                    f"{framework.judgement(judgement_id).title!r} is not scored; leave it blank (got {shown_value(level_value)})",
                )
                continue
            level = None
        else:
            level, error = parse_level(level_value, scale)
            if error:
                reader.problem(SHEET, level_at, f"{path}.level", error)
                continue
        try:
            decision = JudgementDecision(level=level, rationale=rationale)
        except ValidationError as invalid:
            for item in invalid.errors():
                reader.problem(SHEET, f"{get_column_letter(columns[RATIONALE])}{row}", f"{path}.rationale", f"text {item['msg'].removeprefix('Value error, ')}")
            continue
        if decision != JudgementDecision():
            judgements[judgement_id] = decision
    return set(seen)
