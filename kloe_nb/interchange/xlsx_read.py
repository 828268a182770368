"""Reading a filled-in Excel workbook back into an assessment, every problem reported at once by sheet and cell.

Its own module so reading (file checks, sheet matching, the About and question sheets, problems)
stays apart from writing; the layout both share is ``xlsx_layout``; the other sheets are read by
their own modules (``xlsx_statements``, ``xlsx_judgements``, ``xlsx_flags``, ``action_plan_xlsx``).
``read_workbook`` also says which fields the file holds and the revision it was exported at
(``merge.WorkbookRead``), for ``kloe import``; ``read_assessment_xlsx`` gives the assessment alone.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import ValidationError

from kloe_nb.assessment.model import Assessment, Flag, FrameworkVersion, JudgementDecision, KloeRecord, Organisation
from kloe_nb.errors import InvalidInputError, KloeError, Problem
from kloe_nb.framework.loader import load_framework
from kloe_nb.framework.model import Framework, Group, Kloe, Scale
from kloe_nb.interchange.action_plan_xlsx import read_action_plan
from kloe_nb.interchange.cells import MAX_FILE_BYTES, InterchangeWarning, check_file_size
from kloe_nb.interchange.merge import LAYOUT_1, Carried, WorkbookRead
from kloe_nb.interchange.xlsx_archive import check_archive
from kloe_nb.interchange.xlsx_flags import read_flags
from kloe_nb.interchange.xlsx_judgements import read_judgements
from kloe_nb.interchange.xlsx_layout import (
    ABOUT,
    ABOUT_FIELDS,
    ACTION_PLAN,
    DESCRIPTORS,
    EVIDENCE,
    EXACT_EVIDENCE,
    FLAG_CRITERIA,
    FLAGS,
    ID,
    IMPROVEMENT,
    INPUTS,
    JUDGEMENTS,
    LAYOUT,
    LAYOUT_1_INPUTS,
    LEVEL,
    OTHER,
    POSITION,
    RATIONALE,
    STRENGTHS,
    WorkbookReader,
    cell_text,
    evidence_from_cells,
    find_header,
    header_columns,
    is_scored,
    normal_text,
    sheet_names,
    shown_value,
    used_rows,
)
from kloe_nb.interchange.xlsx_levels import parse_level
from kloe_nb.interchange.xlsx_statements import read_statements, verdict_words

__all__ = ["load_xlsx", "parse_level", "read_assessment_xlsx", "read_workbook"]


def _about(reader: WorkbookReader, sheet: Worksheet) -> dict[str, tuple[str, str]]:
    """Each About field: its text and the cell it is in."""
    labels = {normal_text(label): key for label, key in ABOUT_FIELDS.items()}
    found: dict[str, tuple[str, str]] = {}
    for row in range(1, min(sheet.max_row, 60) + 1):
        key = labels.get(normal_text(sheet.cell(row, 1).value).rstrip(":").strip())
        if key and key not in found:
            found[key] = (cell_text(reader.value(sheet, row, 2)).strip(), f"B{row}")
    return found


def _check_sheets(reader: WorkbookReader, names: dict[str, Group], framework: Framework) -> list[str]:
    """The group sheets present; missing ones are problems, others (hidden or not) are ignored with a warning."""
    book = reader.book
    present, renamed = [], set()
    expected = set(names) | {ABOUT, OTHER, ACTION_PLAN, DESCRIPTORS, JUDGEMENTS, FLAGS, FLAG_CRITERIA}
    for name, group in names.items():
        if name in book.sheetnames:
            present.append(name)
            if book[name].sheet_state != "visible":
                warnings.warn(f"{reader.source}: sheet '{name}' is hidden; it was read all the same", InterchangeWarning, stacklevel=4)
            continue
        hint = ""
        for other in book.sheetnames:
            if other not in expected:
                header = find_header(book[other])
                ids = (
                    {cell_text(book[other].cell(row, header[1][normal_text(ID)][0]).value).strip() for row in used_rows(book[other], header[0])}
                    if header
                    else set()
                )
                if ids & {kloe.id for kloe in group.kloes}:
                    hint = f"; sheet '{other}' holds its KLOEs: was it renamed?"
                    renamed.add(other)
        missing = f"the sheet is missing (it holds {group.kind} {group.number or group.id}: {group.title})"
        if hint:
            reader.problem(name, None, "", f"{missing}{hint} Rename the sheet back to '{name}'")
        else:
            reader.problem(
                name,
                None,
                "",
                f"{missing}; the workbook's sheets are: {', '.join(book.sheetnames)}. Restore the sheet '{name}' (a template made by 'kloe template' has it)",
            )
    for other in book.sheetnames:
        if other not in expected and other not in renamed:
            state = "hidden sheet" if book[other].sheet_state != "visible" else "sheet"
            warnings.warn(f"{reader.source}: {state} '{other}' is not part of the {framework.id} template; it was ignored", InterchangeWarning, stacklevel=4)
    return present


def _read_sheet(
    reader: WorkbookReader,
    sheet: Worksheet,
    framework: Framework,
    known: dict[str, tuple[Group, Kloe]],
    seen: dict[str, tuple[str, int]],
    kloes: dict[str, KloeRecord],
    sheet_scale: Scale | None,
) -> None:
    """Every KLOE row of one sheet into ``kloes``; ``sheet_scale`` reads the level of a KLOE the framework lacks."""
    name = sheet.title
    inputs = INPUTS if reader.layout >= 2 else LAYOUT_1_INPUTS
    found = header_columns(reader, sheet, [ID, *inputs], "KLOE", merged_from=0)
    if found is None:
        return
    header_row, columns = found
    copy_column = (find_header(sheet) or (0, {}))[1].get(normal_text(EXACT_EVIDENCE), [0])[0]
    for row in used_rows(sheet, header_row):
        id_cell = f"{get_column_letter(columns[ID])}{row}"
        raw_id = reader.value(sheet, row, columns[ID])
        kloe_id = cell_text(raw_id).strip()
        if not kloe_id:
            if any(cell_text(sheet.cell(row, columns[h]).value).strip() for h in inputs):
                reader.problem(name, id_cell, "", f"row {row} has entries but no KLOE id; put the id back (or delete the row)")
            continue
        if isinstance(raw_id, (int, float)) and not isinstance(raw_id, bool):
            reader.problem(
                name, id_cell, "", f"the KLOE id is the number {cell_text(raw_id)}: Excel turns ids like 1.10 into 1.1; type it as text (start it with ')"
            )
            continue
        if kloe_id in seen:
            first_sheet, first_row = seen[kloe_id]
            first = f"row {first_row}" if first_sheet == name else f"sheet '{first_sheet}' row {first_row}"
            reader.problem(name, id_cell, f"kloes.{kloe_id}", f"KLOE {kloe_id} appears twice: {first} and row {row}; keep one row")
            continue
        seen[kloe_id] = (name, row)
        group, kloe = known.get(kloe_id, (None, None))
        scale = framework.scale_for_group(group) if group else None
        cells = {
            heading: reader.value(sheet, row, column, f"kloes.{kloe_id}.{INPUTS.get(heading, 'id')}") for heading, column in columns.items() if heading != ID
        }
        level_at = f"{get_column_letter(columns[LEVEL])}{row}"
        level, error = parse_level(cells[LEVEL], scale if kloe else sheet_scale)
        if error:
            reader.problem(name, level_at, f"kloes.{kloe_id}.level", error)
        elif level is not None and not is_scored(group, kloe, scale):
            reader.problem(
                name,
                level_at,
                f"kloes.{kloe_id}.level",
                f"KLOE {kloe_id} is context only and is not scored; leave Level blank (got {shown_value(cells[LEVEL])})",
            )
            level = None
        evidence_at = f"{get_column_letter(columns[EVIDENCE])}{row}"
        copy = cell_text(reader.value(sheet, row, copy_column, f"kloes.{kloe_id}.evidence")) if copy_column else ""
        try:
            evidence, set_aside = evidence_from_cells(cell_text(cells[EVIDENCE]), copy)
            if set_aside:
                warnings.warn(
                    f"{reader.source}, sheet '{name}', cell {evidence_at}: the Evidence cell was changed in Excel (it no longer matches its exact "
                    f"copy in the hidden column {get_column_letter(copy_column)}), so each of its lines was read as one item: check the evidence "
                    f"of KLOE {kloe_id} (an item whose text had a line break is now an item per line)",
                    InterchangeWarning,
                    stacklevel=4,
                )
            record = KloeRecord(
                level=level,
                current_position=cell_text(cells[POSITION]),
                evidence=evidence,
                strengths=cell_text(cells[STRENGTHS]),
                areas_for_improvement=cell_text(cells[IMPROVEMENT]),
                rationale=cell_text(cells.get(RATIONALE)),
            )
        except ValidationError as invalid:
            by_field = {field_name: heading for heading, field_name in INPUTS.items()}
            for item in invalid.errors():
                heading = by_field.get(str(item["loc"][0]), EVIDENCE)
                reader.problem(
                    name,
                    f"{get_column_letter(columns[heading])}{row}",
                    f"kloes.{kloe_id}.{item['loc'][0]}",
                    f"text {item['msg'].removeprefix('Value error, ')}",
                )
            continue
        if not record.is_empty():
            kloes[kloe_id] = record


def load_xlsx(path: Path) -> tuple[bytes, Workbook]:
    """The bytes and the workbook (formulas kept) of an .xlsx file, its size and zip archive checked first."""
    check_file_size(path, MAX_FILE_BYTES)
    data = path.read_bytes()
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InvalidInputError(
            str(path),
            [Problem(str(path), "", "is an old Excel 97-2003 (.xls) or password-protected workbook; save it as an unprotected Excel Workbook (.xlsx)")],
        )
    check_archive(path, data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # openpyxl's notes on features it does not keep
            return data, load_workbook(io.BytesIO(data), data_only=False, keep_links=False)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds for a file that is not a workbook
        raise InvalidInputError(str(path), [Problem(str(path), "", f"cannot be read as an Excel workbook (.xlsx): {error or type(error).__name__}")]) from None


def read_assessment_xlsx(path: Path | str, framework_lookup: Callable[[str], Framework] = load_framework) -> Assessment:
    """An assessment from a filled-in workbook, or InvalidInputError listing every problem by sheet and cell.

    The framework is the one the About sheet names (``framework_lookup(id)``). KLOE rows the
    framework does not know are kept in ``assessment.kloes`` (validation lists them).
    """
    return read_workbook(path, framework_lookup).assessment


def _layout(reader: WorkbookReader, about: dict[str, tuple[str, str]]) -> tuple[int, int | None]:
    """The workbook's layout (1 where the About sheet does not say) and the store revision it was exported at."""
    layout_text, layout_cell = about.get("layout", ("", ""))
    layout, revision = 1, None
    if layout_text:
        match = re.match(r"\d+", layout_text)
        if match is None or int(match.group()) > LAYOUT:
            reader.problem(
                ABOUT, layout_cell, "", f"workbook layout {layout_text!r} is not one this kloe-workbook reads (1 to {LAYOUT}): was it made by a newer version?"
            )
        else:
            layout = int(match.group())
    revision_text, revision_cell = about.get("revision", ("", ""))
    if revision_text:
        if revision_text.isdigit() and int(revision_text) > 0:
            revision = int(revision_text)
        else:
            reader.problem(
                ABOUT, revision_cell, "", f"the store revision {revision_text!r} is not a revision number; export the workbook again (or clear the cell)"
            )
    return layout, revision


def _framework(reader: WorkbookReader, about: dict[str, tuple[str, str]], framework_lookup: Callable[[str], Framework]) -> Framework:
    """The framework the About sheet names, or InvalidInputError: nothing else can be read without it."""
    framework_id, framework_cell = about.get("framework", ("", "B4"))
    if not framework_id:
        reader.problem(ABOUT, framework_cell, "framework", "the framework id is empty; it says which framework the workbook is for")
        raise InvalidInputError(reader.source, reader.problems)
    try:
        return framework_lookup(framework_id)
    except KloeError as error:
        reader.problem(ABOUT, framework_cell, "framework", str(error))
        raise InvalidInputError(reader.source, reader.problems) from None


def read_workbook(path: Path | str, framework_lookup: Callable[[str], Framework] = load_framework) -> WorkbookRead:
    """A filled-in workbook read back: its assessment, the fields it holds, and the revision it was exported at.

    Every problem of every sheet is collected first and raised together (InvalidInputError).
    """
    path = Path(path)
    data, book = load_xlsx(path)
    reader = WorkbookReader(path, data, book)
    if ABOUT not in book.sheetnames:
        raise InvalidInputError(
            reader.source,
            [
                Problem(
                    reader.source,
                    "",
                    f"the sheet '{ABOUT}' is missing (the sheets are: {', '.join(book.sheetnames)}); start from a template made by 'kloe template'",
                )
            ],
        )
    about = _about(reader, book[ABOUT])
    framework = _framework(reader, about, framework_lookup)
    reader.layout, revision = _layout(reader, about)
    version, _ = about.get("version", ("", ""))
    if version and version != framework.version:
        warnings.warn(
            f"{reader.source}: the workbook was made from version {version} of {framework.id}; the framework is now "
            f"version {framework.version}: KLOEs it no longer has are kept and listed",
            InterchangeWarning,
            stacklevel=2,
        )
    names = sheet_names(framework)
    known = {kloe.id: (group, kloe) for group, kloe in framework.iter_kloes()}
    kloes: dict[str, KloeRecord] = {}
    seen: dict[str, tuple[str, int]] = {}
    for name in _check_sheets(reader, names, framework):
        _read_sheet(reader, book[name], framework, known, seen, kloes, framework.scale_for_group(names[name]))
    if OTHER in book.sheetnames:
        _read_sheet(reader, book[OTHER], framework, known, seen, kloes, None)
    read_action_plan(reader, framework, set(known) | set(seen), kloes)
    carried, judgements, flags = _decisions(reader, framework, kloes)
    present = {id(group) for name, group in names.items() if name in book.sheetnames}
    absent = [kloe.id for group, kloe in framework.iter_kloes() if id(group) in present and kloe.id not in seen]
    if absent and not reader.problems:
        warnings.warn(f"{reader.source}: no row for KLOE {', '.join(absent)}; nothing was imported for them", InterchangeWarning, stacklevel=2)
    for key, label in (("code", "organisation code"), ("name", "organisation name")):
        text, cell = about.get(key, ("", None))
        if not text:
            reader.problem(ABOUT, cell, f"organisation.{key}", f"the {label} is empty; fill it in")
    illustrative_text, illustrative_cell = about.get("illustrative", ("", None))
    if normal_text(illustrative_text) not in ("", "no", "yes", "true", "false"):
        reader.problem(ABOUT, illustrative_cell, "illustrative", f"write yes or no (got {illustrative_text!r})")
    if reader.problems:
        raise InvalidInputError(reader.source, reader.problems)
    sha256 = about.get("sha256", ("", ""))[0]
    try:
        assessment = Assessment(
            framework=framework.id,
            framework_version=FrameworkVersion(version=version, sha256=sha256) if sha256 and version else None,
            organisation=Organisation(code=about["code"][0], name=about["name"][0]),
            period=about.get("period", ("", ""))[0],
            assessor=about.get("assessor", ("", ""))[0],
            track=about.get("track", ("", ""))[0],
            illustrative=normal_text(illustrative_text) in ("yes", "true"),
            kloes=kloes,
            judgements=judgements,
            flags=flags,
        )
    except ValidationError as invalid:
        cells = {key: cell for key, (_, cell) in about.items()}
        for item in invalid.errors():
            key = str(item["loc"][-1])
            reader.problem(ABOUT, cells.get(key), ".".join(str(part) for part in item["loc"]), item["msg"].removeprefix("Value error, "))
        raise InvalidInputError(reader.source, reader.problems) from None
    return WorkbookRead(assessment, carried, revision)


def _decisions(reader: WorkbookReader, framework: Framework, kloes: dict[str, KloeRecord]) -> tuple[Carried, dict[str, JudgementDecision], list[Flag]]:
    """The sheets of layout 2 (statement verdicts into ``kloes``, judgements, flags) and what they hold; nothing of them in layout 1."""
    if reader.layout < 2:
        return LAYOUT_1, {}, []
    statement_kloes: set[str] = set()
    if any(kloe.descriptors for _, kloe in framework.iter_kloes()):
        statement_kloes = read_statements(reader, framework, kloes)
    judgements: dict[str, JudgementDecision] = {}
    judged = read_judgements(reader, framework, judgements)
    flags = read_flags(reader, framework.flags) if framework.flags is not None else None
    carried = Carried(
        statement_kloes=frozenset(statement_kloes),
        statement_fields=frozenset(verdict_words(framework).values()),
        judgements=frozenset(judged),
        flags=flags is not None,
    )
    return carried, judgements, flags or []
