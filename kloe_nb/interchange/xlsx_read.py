"""Reading a filled-in Excel template back into an assessment, every problem reported at once by sheet and cell.

Its own module so reading (file checks, sheet matching, level parsing, problems) stays apart
from writing; the layout both share is ``xlsx_layout``, the "Action plan" sheet ``action_plan_xlsx``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import ValidationError

from kloe_nb.assessment.model import Assessment, FrameworkVersion, KloeRecord, Organisation
from kloe_nb.errors import InvalidInputError, KloeError, Problem
from kloe_nb.framework.loader import load_framework
from kloe_nb.framework.model import Framework, Group, Kloe, Scale
from kloe_nb.interchange.action_plan_xlsx import read_action_plan
from kloe_nb.interchange.cells import MAX_FILE_BYTES, InterchangeWarning, check_file_size
from kloe_nb.interchange.xlsx_archive import check_archive
from kloe_nb.interchange.xlsx_layout import (
    ABOUT,
    ABOUT_FIELDS,
    ACTION_PLAN,
    EVIDENCE,
    EXACT_EVIDENCE,
    ID,
    IMPROVEMENT,
    INPUTS,
    LEVEL,
    OTHER,
    POSITION,
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
    unescape_text,
    used_rows,
)

_STARS = re.compile("[\u2605\u2606]+|\\b0 stars\\b")


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
        return None, f"level {shown_value(value)} is not a level; {rule}"
    if isinstance(value, int):
        return number(value, str(value))
    if isinstance(value, float):
        return number(int(value), cell_text(value)) if value.is_integer() else (None, f"level {value:g} is not a whole number; {rule}")
    text = " ".join(unescape_text(str(value)).split())
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
    found = header_columns(reader, sheet, [ID, *INPUTS], "KLOE", merged_from=0)
    if found is None:
        return
    header_row, columns = found
    copy_column = (find_header(sheet) or (0, {}))[1].get(normal_text(EXACT_EVIDENCE), [0])[0]
    for row in used_rows(sheet, header_row):
        id_cell = f"{get_column_letter(columns[ID])}{row}"
        raw_id = reader.value(sheet, row, columns[ID])
        kloe_id = cell_text(raw_id).strip()
        if not kloe_id:
            if any(cell_text(sheet.cell(row, columns[h]).value).strip() for h in INPUTS):
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
    """An assessment from a filled-in template, or InvalidInputError listing every problem by sheet and cell.

    The framework is the one the About sheet names (``framework_lookup(id)``). KLOE rows the
    framework does not know are kept in ``assessment.kloes`` (validation lists them).
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
        warnings.warn(
            f"{reader.source}: the template was made from version {version} of {framework.id}; the framework is now "
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
        return Assessment(
            framework=framework.id,
            framework_version=FrameworkVersion(version=version, sha256=sha256) if sha256 and version else None,
            organisation=Organisation(code=about["code"][0], name=about["name"][0]),
            period=about.get("period", ("", ""))[0],
            assessor=about.get("assessor", ("", ""))[0],
            track=about.get("track", ("", ""))[0],
            illustrative=normal_text(illustrative_text) in ("yes", "true"),
            kloes=kloes,
        )
    except ValidationError as invalid:
        cells = {key: cell for key, (_, cell) in about.items()}
        for item in invalid.errors():
            key = str(item["loc"][-1])
            reader.problem(ABOUT, cells.get(key), ".".join(str(part) for part in item["loc"]), item["msg"].removeprefix("Value error, "))
        raise InvalidInputError(reader.source, reader.problems) from None
