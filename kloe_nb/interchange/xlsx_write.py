"""Writing the Excel workbook: a blank template for a framework, or one filled in from an assessment.

Its own module so the writer's openpyxl styling, validations and length checks stay apart from
reading; the layout both share is ``xlsx_layout``; the About and question sheets are written
here, the others by their own modules (``xlsx_statements``, ``xlsx_judgements``, ``xlsx_flags``,
``action_plan_xlsx``). An exported workbook records the store revision it was made from, so
importing it over a store that has moved on is noticed.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from kloe_nb.assessment.model import Assessment, KloeRecord
from kloe_nb.errors import InvalidInputError, KloeError, Problem
from kloe_nb.files import os_error_text, replacing
from kloe_nb.framework.model import Framework, Group, Kloe, Scale
from kloe_nb.framework.naming import kloe_number
from kloe_nb.interchange.action_plan_xlsx import overlong_actions, write_action_plan
from kloe_nb.interchange.cells import evidence_text
from kloe_nb.interchange.xlsx_flags import write_flags
from kloe_nb.interchange.xlsx_judgements import write_judgements
from kloe_nb.interchange.xlsx_layout import (
    ABOUT,
    ABOUT_FIELDS,
    ACTION_PLAN,
    COLUMNS,
    CRITERIA,
    DESCRIPTORS,
    EVIDENCE,
    EXACT_EVIDENCE,
    EXCEL_CELL_LIMIT,
    FLAGS,
    GREY_FILL,
    HEADER_FILL,
    ID,
    IMPROVEMENT,
    INPUTS,
    JUDGEMENTS,
    LAYOUT,
    LEVEL,
    LOCKED_ABOUT,
    OTHER,
    POSITION,
    RATIONALE,
    STRENGTHS,
    cell_length,
    evidence_copy,
    is_scored,
    protect,
    put_text,
    sheet_names,
    unlock,
)
from kloe_nb.interchange.xlsx_levels import level_options, level_validation, put_level
from kloe_nb.interchange.xlsx_statements import write_statements

WIDTHS = {ID: 10, CRITERIA: 50, POSITION: 40, LEVEL: 24, EVIDENCE: 50, STRENGTHS: 40, IMPROVEMENT: 40, RATIONALE: 36}
DESCRIPTORS_PREFIX = "Descriptors: "
LAYOUT_TEXT = f"{LAYOUT}: statements, judgements and flags"

INSTRUCTIONS = (
    "Fill in Level, Current Position, Evidence (one item per line: source \u2014 reference \u2014 note), Strengths, "
    "Areas For Improvement and Why it differs (where your level differs from the suggestion) on each question or theme sheet; "
    f"mark the statements that describe the organisation on the '{DESCRIPTORS}' sheet, the decided levels on '{JUDGEMENTS}'"
    f"{{flags}}; then import the file with: kloe import FILE.xlsx. "
    "Leave Level blank for 'not yet assessed'. The 'Action plan' sheet is the improvement plan: one row per action. "
    "Grey cells (ids, criteria, the framework's statements) are locked: the sheets are protected without a password, "
    "so they cannot be changed by accident; they match your entries to the framework. Sheet names, column headings and "
    "verdict words are kloe-workbook's; questions, criteria, descriptor statements and flag criteria are the framework's own words."
)
NOT_IN_TEMPLATE = (
    "Not in this workbook: moderation records (agreed levels between assessors). Record those in the moderation view; "
    "importing this file keeps those already stored. Everything else the form records is here."
)


@dataclass
class _Overlong:
    where: str
    path: str
    length: int


def _check_lengths(assessment: Assessment) -> None:
    """Excel cells hold at most 32,767 characters: refuse, naming each field, rather than let Excel cut text."""
    found: list[_Overlong] = []
    for kloe_id, record in assessment.kloes.items():
        cells = [
            ("current_position", record.current_position),
            ("evidence", evidence_text(record.evidence)),
            ("evidence", evidence_copy(record.evidence)),  # its exact copy, in the hidden column
            ("strengths", record.strengths),
            ("areas_for_improvement", record.areas_for_improvement),
            ("rationale", record.rationale),
        ]
        for field_name, text in cells:
            length, field_path = cell_length(text), f"kloes.{kloe_id}.{field_name}"
            if length > EXCEL_CELL_LIMIT and all(item.path != field_path for item in found):
                found.append(_Overlong(f"KLOE {kloe_id}", field_path, length))
    found += [_Overlong(where, field_path, length) for where, field_path, length in overlong_actions(assessment)]
    texts = [(f"judgement {key}", f"judgements.{key}.rationale", decision.rationale) for key, decision in assessment.judgements.items()]
    for index, flag in enumerate(assessment.flags):
        texts += [(f"flag {index + 1}", f"flags[{index}].{name}", getattr(flag, name)) for name in ("subject", "reason")]
    found += [_Overlong(where, field_path, cell_length(text)) for where, field_path, text in texts if cell_length(text) > EXCEL_CELL_LIMIT]
    if found:
        raise InvalidInputError(
            "Excel export",
            [
                Problem(
                    item.where,
                    item.path,
                    f"is {item.length:,} characters; an Excel cell holds at most {EXCEL_CELL_LIMIT:,}: "
                    "export as JSON instead, or move the long text into a document named in the evidence",
                )
                for item in found
            ],
        )


def _criteria_text(kloe: Kloe, scored: bool) -> str:
    lines = [f"{kloe_number(kloe)} {kloe.title}".strip(), *(f"\u2022 {prompt}" for prompt in kloe.prompts)]
    if not scored:
        lines.append("(context only: not scored)")
    return "\n".join(lines)


def _write_about(sheet: Worksheet, framework: Framework, assessment: Assessment | None, names: dict[str, Group], revision: int | None) -> None:
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
        "layout": LAYOUT_TEXT,
        "revision": str(revision) if revision is not None else "",
    }
    put_text(sheet.cell(1, 1), f"Self-assessment: {framework.title} ({framework.publisher})")
    sheet.cell(1, 1).font = Font(bold=True, size=14)
    sheet.cell(1, 1).alignment = Alignment(wrap_text=False)
    put_text(sheet.cell(2, 1), INSTRUCTIONS.format(flags=f", the flags on '{FLAGS}'" if framework.flags else ""))
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=4)
    sheet.row_dimensions[2].height = 75
    row = 4
    for label, key in ABOUT_FIELDS.items():
        put_text(sheet.cell(row, 1), label, read_only=True)
        sheet.cell(row, 1).font = Font(bold=True)
        put_text(sheet.cell(row, 2), values[key], read_only=key in LOCKED_ABOUT)
        if key not in LOCKED_ABOUT:
            unlock(sheet.cell(row, 2))
        row += 1
    put_text(sheet.cell(row + 1, 1), NOT_IN_TEMPLATE)
    sheet.merge_cells(start_row=row + 1, start_column=1, end_row=row + 1, end_column=4)
    sheet.row_dimensions[row + 1].height = 45
    row += 3
    for column, heading in enumerate(["Sheet", "Question or theme", "Scored"], start=1):
        put_text(sheet.cell(row, column), heading)
        sheet.cell(row, column).font, sheet.cell(row, column).fill = Font(bold=True), HEADER_FILL
    for name, group in names.items():
        row += 1
        put_text(sheet.cell(row, 1), name, read_only=True)
        put_text(sheet.cell(row, 2), group.title, read_only=True)
        put_text(sheet.cell(row, 3), "yes" if group.scored and framework.scale_for_group(group) else "no: context only", read_only=True)
    others = {
        DESCRIPTORS: "A row per descriptor statement, in the framework's words: which describe this organisation",
        JUDGEMENTS: "Each judgement's decided level (blank: the suggestion stands) and rationale",
        **({FLAGS: "The red and green flags given: colour, subject, reason, the criteria that apply"} if framework.flags else {}),
        ACTION_PLAN: "The improvement plan: one action per row (owner, due date, priority, measure of success)",
    }
    for name, what in others.items():
        if name == DESCRIPTORS and not any(kloe.descriptors for _, kloe in framework.iter_kloes()):
            continue
        row += 1
        put_text(sheet.cell(row, 1), name, read_only=True)
        put_text(sheet.cell(row, 2), what, read_only=True)
    for letter, width in zip("ABCD", (36, 60, 18, 20)):
        sheet.column_dimensions[letter].width = width
    protect(sheet)


def _header_row(sheet: Worksheet, headings: list[str]) -> None:
    for column, heading in enumerate([*headings, EXACT_EVIDENCE], start=1):
        cell = sheet.cell(1, column)
        put_text(cell, heading)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        sheet.column_dimensions[get_column_letter(column)].width = WIDTHS.get(heading, 60)
    sheet.column_dimensions[get_column_letter(len(headings) + 1)].hidden = True  # EXACT_EVIDENCE: for the reader, not for people
    sheet.cell(1, 1).comment = Comment("Matches each row to its KLOE on import: do not change it.", "kloe-workbook")
    sheet.freeze_panes = "C2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"


def _write_rows(
    sheet: Worksheet,
    rows: list[tuple[Group | None, Kloe | None, str]],
    framework: Framework,
    assessment: Assessment | None,
    described: list[int],
    scale: Scale | None,
) -> None:
    validation = level_validation(scale, "not yet assessed") if scale else None
    if validation:
        sheet.add_data_validation(validation)
    for row, (group, kloe, kloe_id) in enumerate(rows, start=2):
        record = assessment.record(kloe_id) if assessment else KloeRecord()
        scored = is_scored(group, kloe, scale)
        put_text(sheet.cell(row, 1), kloe_id, read_only=True)
        criteria = _criteria_text(kloe, scored) if kloe else f"{kloe_id} (not in framework {framework.id} version {framework.version})"
        put_text(sheet.cell(row, 2), criteria, read_only=True)
        for heading, field_name in INPUTS.items():  # the cells a person fills in
            cell = sheet.cell(row, COLUMNS.index(heading) + 1)
            if heading == LEVEL:
                put_level(cell, record.level, scale)
                if not scored:
                    cell.fill = GREY_FILL
                    continue
                if validation and kloe is not None:
                    validation.add(cell.coordinate)
            else:
                value = getattr(record, field_name)
                put_text(cell, evidence_text(value) if heading == EVIDENCE else value)
            unlock(cell)
        for offset, level in enumerate(described):
            runs = kloe.statement_runs(level) if kloe else []
            lines = [line for run in runs for line in ([run.heading] if run.heading else []) + [f"\u2022 {statement}" for _, statement in run.statements]]
            put_text(sheet.cell(row, len(COLUMNS) + 1 + offset), "\n".join(lines), read_only=True)
        put_text(sheet.cell(row, len(COLUMNS) + 1 + len(described)), evidence_copy(record.evidence), read_only=True)
    protect(sheet)


def write_assessment_xlsx(framework: Framework, assessment: Assessment | None, path: Path | str, revision: int | None = None) -> Path:
    """Write the workbook for a framework, filled in from an assessment if one is given (blank if None).

    ``revision`` is the store revision the assessment is (recorded on the About sheet; None: not from a store).
    """
    path = Path(path)
    if assessment is not None:
        if assessment.framework != framework.id:
            raise KloeError(f"the assessment is for framework {assessment.framework!r}, not {framework.id!r}")
        _check_lengths(assessment)
    workbook = Workbook()
    names = sheet_names(framework)
    _write_about(workbook.active, framework, assessment, names, revision)
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
    write_statements(workbook, framework, assessment)
    write_judgements(workbook, framework, assessment)
    if framework.flags is not None:
        write_flags(workbook, framework.flags, assessment)
    write_action_plan(workbook, framework, assessment)
    save_workbook(workbook, path)
    return path


class _InMemoryWriter(ExcelWriter):  # type: ignore[misc]  # openpyxl has no type information
    """openpyxl's writer with each sheet's XML built in memory, not in a temporary file.

    openpyxl writes every sheet to a file in the temporary folder first, so a full (or size-limited)
    temporary folder failed inside openpyxl, with a traceback of its own ("Exception ignored in
    WorksheetWriter.get_stream"), once a sheet was bigger than the room left: a sheet with a row per
    descriptor statement is 0.35 MB of XML for wao-housing. This is ``ExcelWriter.write_worksheet``
    of openpyxl 3.1 with a BytesIO (which its ``WorksheetWriter`` supports) in place of the file.
    """

    def write_worksheet(self, ws: Worksheet) -> None:
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer = WorksheetWriter(ws, out=io.BytesIO())
        writer.write()
        ws._rels = writer._rels
        self._archive.writestr(ws.path[1:], writer.read())
        self.manifest.append(ws)


def workbook_bytes(workbook: Workbook) -> bytes:
    """The .xlsx file of a workbook, built in memory (as ``Workbook.save`` builds it, without temporary files)."""
    buffer = io.BytesIO()
    workbook.properties.modified = dt.datetime.now(tz=dt.timezone.utc).replace(tzinfo=None)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        _InMemoryWriter(workbook, archive).write_data()
    return buffer.getvalue()


def save_workbook(workbook: Workbook, path: Path) -> None:
    """Save through ``replacing``: a full disk is a plain message naming the file, and leaves no file behind.

    The zip is built in memory and written in one go: openpyxl writing straight to a full
    disk left a half-closed ZipFile whose ``__del__`` printed a second traceback.
    """
    data = workbook_bytes(workbook)
    try:
        with replacing(path) as temporary:
            temporary.write_bytes(data)
    except OSError as error:  # (a full disk or a name too long is already said by replacing)
        raise KloeError(f"{path}: cannot write the workbook: {os_error_text(error)}; nothing was written") from None
