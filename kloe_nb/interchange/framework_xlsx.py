"""Frameworks drafted in a spreadsheet: ``kloe frameworks to-xlsx`` and ``from-xlsx`` (docs/authoring.md).

The layout, five sheets, each with its headings in row 1:

- **Framework**: ``Field | Value`` rows (id, title, version, publisher, date, descriptor
  reading, source document, source title, source note), then a table headed
  ``Scale | Scale title | Level | Label | Stars | Descriptor | Heading`` (one row per level,
  the scale's title on its first row), then one headed ``Judgement | Title | Scale | Scored``.
- **Questions**: ``Question | Kind | Number | Title | Judgement | Scored``.
- **KLOEs**: ``Question | KLOE | Number | Title | Prompts | Scored | Parent | Section``
  (prompts one per line).
- **Descriptors**: ``KLOE | Level | Heading | Statement``, one row per statement in order;
  Heading is the lead-in line the source prints above that statement, if any.
- **More**: ``Of | Id | Field | YAML``: every other field (combination tables, flags, roll-up
  rules, notes, evidence lists...) as a block of YAML, so ``to-xlsx`` then ``from-xlsx``
  gives back an equal framework.

Reading reports every problem at once by sheet and cell; what the sheets hold is then
validated with the framework schema and checks, their problems placed at the cells too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel, ValidationError

from kloe_nb.errors import InvalidInputError, Problem
from kloe_nb.files import replacing
from kloe_nb.framework.checks import run_checks
from kloe_nb.framework.model import Framework, Group, Judgement, Kloe, Scale
from kloe_nb.interchange.xlsx_layout import WorkbookReader, cell_text, normal_text, put_text, used_rows
from kloe_nb.interchange.xlsx_read import load_xlsx
from kloe_nb.schema_errors import problems_from_validation
from kloe_nb.yaml_source import YamlDocument, dotted_path, read_yaml_text

FRAMEWORK, QUESTIONS, KLOES, DESCRIPTORS, MORE = "Framework", "Questions", "KLOEs", "Descriptors", "More"
SHEETS = (FRAMEWORK, QUESTIONS, KLOES, DESCRIPTORS, MORE)

#: Framework sheet: the label in column A and the field it fills.
FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("id",),
    "title": ("title",),
    "version": ("version",),
    "publisher": ("publisher",),
    "date": ("date",),
    "descriptor reading": ("descriptor_reading",),
    "source document": ("source", "document"),
    "source title": ("source", "title"),
    "source note": ("source", "note"),
}
SCALE_COLUMNS = ("Scale", "Scale title", "Level", "Label", "Stars", "Descriptor", "Heading")
JUDGEMENT_COLUMNS = ("Judgement", "Title", "Scale", "Scored")
QUESTION_COLUMNS = ("Question", "Kind", "Number", "Title", "Judgement", "Scored")
KLOE_COLUMNS = ("Question", "KLOE", "Number", "Title", "Prompts", "Scored", "Parent", "Section")
DESCRIPTOR_COLUMNS = ("KLOE", "Level", "Heading", "Statement")
MORE_COLUMNS = ("Of", "Id", "Field", "YAML")
#: The headings a table cannot do without; the other columns may be left out (all blank).
REQUIRED = {"Scale", "Level", "Judgement", "Title", "Question", "KLOE", "Statement", "Of", "Id", "Field", "YAML", "Value"}

#: The fields each kind of item keeps in its sheet's columns; the rest go to the More sheet.
_IN_COLUMNS: dict[str, set[str]] = {
    "framework": {"schema_version", "id", "title", "version", "publisher", "date", "descriptor_reading", "source", "scales", "judgements", "groups"},
    "scale": {"id", "title", "levels"},
    "judgement": {"id", "title", "scale", "scored"},
    "question": {"id", "kind", "number", "title", "judgement", "scored", "kloes"},
    "KLOE": {"id", "title", "number", "parent", "section", "scored", "prompts", "descriptors", "descriptor_headings"},
}
_MODELS: dict[str, type[BaseModel]] = {"framework": Framework, "scale": Scale, "judgement": Judgement, "question": Group, "KLOE": Kloe}
_BOLD = Font(bold=True)


# -- writing -----------------------------------------------------------------------------------
def _more_rows(kind: str, item_id: str, model: BaseModel) -> list[tuple[str, str, str, str]]:
    """The fields of ``model`` outside the columns, each as a YAML block (defaults left out)."""
    rows = []
    dumped = model.model_dump(mode="python", exclude_defaults=True)
    for name in type(model).model_fields:
        if name in _IN_COLUMNS[kind] or name not in dumped:
            continue
        text = yaml.safe_dump(dumped[name], allow_unicode=True, sort_keys=False, width=100, default_flow_style=False)
        rows.append((kind, item_id, name, text.removesuffix("\n")))
    return rows


def _put_row(sheet: Worksheet, row: int, values: Iterable[Any], *, bold: bool = False) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row, column)
        if isinstance(value, str):
            put_text(cell, value)
        elif value is not None:
            cell.value = value
        if bold:
            cell.font = _BOLD


def _table(sheet: Worksheet, start: int, headings: tuple[str, ...], rows: Iterable[Iterable[Any]]) -> int:
    """Headings at row ``start`` and the rows below; the next free row."""
    _put_row(sheet, start, headings, bold=True)
    row = start
    for row, values in enumerate(rows, start=start + 1):
        _put_row(sheet, row, values)
    return row + 1


def framework_workbook(framework: Framework) -> Workbook:
    """The framework in the spreadsheet layout (the module docstring)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = FRAMEWORK
    values = framework.model_dump(mode="python")
    fields = []
    for label, path in FIELDS.items():
        value: Any = values
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        fields.append((label, value))
    row = _table(sheet, 1, ("Field", "Value"), fields)
    scale_rows = [
        (scale.id, scale.title if index == 0 else None, level.level, level.label, level.stars, level.descriptor, level.heading)
        for scale in framework.scales
        for index, level in enumerate(scale.levels)
    ]
    row = _table(sheet, row + 1, SCALE_COLUMNS, scale_rows)
    _table(sheet, row + 1, JUDGEMENT_COLUMNS, [(j.id, j.title, j.scale, j.scored) for j in framework.judgements])
    more = _more_rows("framework", "", framework)
    more += [row for scale in framework.scales for row in _more_rows("scale", scale.id, scale)]
    more += [row for judgement in framework.judgements for row in _more_rows("judgement", judgement.id, judgement)]
    questions, kloes, descriptors = [], [], []
    for group in framework.groups:
        questions.append((group.id, group.kind, group.number, group.title, group.judgement, group.scored))
        more += _more_rows("question", group.id, group)
        for kloe in group.kloes:
            one_per_line = all("\n" not in prompt and "\r" not in prompt for prompt in kloe.prompts)
            prompts = "\n".join(kloe.prompts) if one_per_line else None
            kloes.append((group.id, kloe.id, kloe.number, kloe.title, prompts, kloe.scored, kloe.parent, kloe.section))
            more += _more_rows("KLOE", kloe.id, kloe)
            if not one_per_line:  # a prompt with a line break cannot be one line of the cell
                more.append(("KLOE", kloe.id, "prompts", yaml.safe_dump(kloe.prompts, allow_unicode=True, width=100).removesuffix("\n")))
            for level, statements in kloe.descriptors.items():
                headings = kloe.descriptor_headings.get(level, {})
                descriptors += [(kloe.id, level, headings.get(index), text) for index, text in enumerate(statements)]
    for name, columns, rows in (
        (QUESTIONS, QUESTION_COLUMNS, questions),
        (KLOES, KLOE_COLUMNS, kloes),
        (DESCRIPTORS, DESCRIPTOR_COLUMNS, descriptors),
        (MORE, MORE_COLUMNS, more),
    ):
        _table(book.create_sheet(name), 1, columns, rows)
    for sheet in book.worksheets:
        sheet.freeze_panes = "A2"
        for column in range(1, sheet.max_column + 1):
            sheet.column_dimensions[get_column_letter(column)].width = 60 if column >= 3 else 16
    return book


def write_framework_xlsx(framework: Framework, path: Path | str) -> Path:
    """Write the framework's workbook to ``path`` (temporary file, then renamed into place)."""
    path = Path(path)
    book = framework_workbook(framework)
    with replacing(path) as temporary:
        book.save(temporary)
    return path


# -- reading -----------------------------------------------------------------------------------
@dataclass
class _SheetDocument(YamlDocument):
    """The sheets' data as a document whose places are cells, so schema errors name them."""

    cells: dict[tuple[Any, ...], str] = field(default_factory=dict)

    def where(self, path: Any) -> str:
        path = tuple(path)
        while path not in self.cells and path:
            path = path[:-1]
        return self.cells.get(path, self.source)


class _Reader:
    """One pass over the five sheets, every problem kept."""

    def __init__(self, path: Path) -> None:
        data, book = load_xlsx(path)
        self.book = WorkbookReader(path, data, book)
        self.source = str(path)
        self.cells: dict[tuple[Any, ...], str] = {}

    def place(self, sheet: str, row: int, column: int) -> str:
        return f"{self.source}, sheet '{sheet}', cell {get_column_letter(column)}{row}"

    def problem(self, sheet: str, row: int, column: int, message: str) -> None:
        self.book.problems.append(Problem(self.place(sheet, row, column), "", message))

    def text(self, sheet: Worksheet, row: int, column: int | None) -> str:
        """The cell's text exactly as typed ('' for a blank or missing column)."""
        if column is None:
            return ""
        return cell_text(self.book.value(sheet, row, column))

    def word(self, sheet: Worksheet, row: int, column: int | None) -> str:
        """An id, number or keyword: its text stripped; a decimal number typed as one is refused."""
        if column is None:
            return ""
        value = self.book.value(sheet, row, column)
        if isinstance(value, float) and not value.is_integer():
            self.problem(
                sheet.title,
                row,
                column,
                f"{value!r} is a number, and Excel drops an id's trailing zeros (1.10 becomes 1.1): format the column as Text and type it again",
            )
        return cell_text(value).strip()

    def flag(self, sheet: Worksheet, row: int, column: int | None) -> bool | None:
        """A yes/no cell: None when blank (the default, yes)."""
        value = self.book.value(sheet, row, column) if column is not None else None
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            return value
        text = normal_text(value)
        if text in ("yes", "true", "y", "1"):
            return True
        if text in ("no", "false", "n", "0"):
            return False
        assert column is not None
        self.problem(sheet.title, row, column, f"{cell_text(value)!r} is not yes or no; write yes or no, or leave it blank for yes")
        return None

    def number(self, sheet: Worksheet, row: int, column: int | None, what: str, allowed: range) -> int | None:
        value = self.book.value(sheet, row, column) if column is not None else None
        text = cell_text(value).strip()
        if not text:
            return None
        assert column is not None
        if not isinstance(value, bool) and (isinstance(value, int) or (isinstance(value, float) and value.is_integer()) or text.isdigit()):
            if int(float(text)) in allowed:
                return int(float(text))
        self.problem(sheet.title, row, column, f"{what} {text!r} is not a whole number from {allowed.start} to {allowed.stop - 1}")
        return None

    def header(self, name: str, headings: tuple[str, ...], row: int = 1) -> tuple[Worksheet | None, dict[str, int]]:
        """The sheet and its columns by heading; missing sheets or headings are problems."""
        if name not in self.book.book.sheetnames:
            present = ", ".join(self.book.book.sheetnames)
            self.book.problems.append(
                Problem(f"{self.source}, sheet '{name}'", "", f"the sheet is missing (the workbook has: {present}); the layout is in docs/authoring.md")
            )
            return None, {}
        sheet = self.book.book[name]
        return sheet, self.columns(sheet, row, headings)

    def columns(self, sheet: Worksheet, row: int, headings: tuple[str, ...]) -> dict[str, int]:
        found: dict[str, int] = {}
        for column in range(1, sheet.max_column + 1):
            heading = normal_text(sheet.cell(row, column).value)
            if heading and heading not in found:
                found[heading] = column
        wanted = {normal_text(heading): heading for heading in headings}
        missing = [heading for key, heading in wanted.items() if key not in found and heading in REQUIRED]
        if missing:
            self.problem(
                sheet.title, row, 1, f"row {row} lacks the heading(s) {', '.join(missing)}; the headings are: {' | '.join(headings)} (docs/authoring.md)"
            )
        return {wanted[key]: column for key, column in found.items() if key in wanted}


def _set(target: dict[str, Any], key: str, value: Any) -> None:
    if value is not None and value != "":
        target[key] = value


def _row_has(sheet: Worksheet, row: int, heading: str) -> bool:
    return any(normal_text(sheet.cell(row, column).value) == heading for column in range(2, sheet.max_column + 1))


def _read_framework_sheet(reader: _Reader, data: dict[str, Any]) -> None:
    sheet, _ = reader.header(FRAMEWORK, ("Field", "Value"))
    if sheet is None:
        return
    section, columns = "field", {"Field": 1, "Value": 2}
    scales: dict[str, dict[str, Any]] = {}
    for row in used_rows(sheet):
        first = normal_text(sheet.cell(row, 1).value)
        if row == 1:
            continue
        if first in ("scale", "judgement") and _row_has(sheet, row, "scale title" if first == "scale" else "title"):
            section = first
            columns = reader.columns(sheet, row, SCALE_COLUMNS if first == "scale" else JUDGEMENT_COLUMNS)
            continue
        if section == "field":
            if not first:
                continue
            label = first.rstrip(":").strip()
            if label not in FIELDS:
                reader.problem(FRAMEWORK, row, 1, f"unknown field {cell_text(sheet.cell(row, 1).value)!r} (known: {', '.join(FIELDS)})")
                continue
            path = FIELDS[label]
            value = reader.text(sheet, row, 2)
            if path[-1] in ("id", "descriptor_reading"):
                value = value.strip()
            target = data if len(path) == 1 else data.setdefault(path[0], {})
            if path[-1] in target:
                reader.problem(FRAMEWORK, row, 1, f"the field {label!r} is given twice")
                continue
            _set(target, path[-1], value)
            reader.cells[path] = reader.place(FRAMEWORK, row, 2)
        elif section == "scale":
            scale_id = reader.word(sheet, row, columns.get("Scale"))
            if not scale_id:
                if any(reader.text(sheet, row, column).strip() for column in columns.values()):
                    reader.problem(FRAMEWORK, row, columns.get("Scale", 1), "a level row needs its scale's id in the Scale column")
                continue
            if scale_id not in scales:
                scales[scale_id] = {"id": scale_id, "levels": []}
                index = len(scales) - 1
                reader.cells[("scales", index)] = reader.cells[("scales", index, "id")] = reader.place(FRAMEWORK, row, columns.get("Scale", 1))
                reader.cells[("scales", index, "title")] = reader.place(FRAMEWORK, row, columns.get("Scale title", 2))
            scale = scales[scale_id]
            index = list(scales).index(scale_id)
            title = reader.text(sheet, row, columns.get("Scale title"))
            if title.strip():
                if "title" in scale and scale["title"] != title:
                    reader.problem(
                        FRAMEWORK, row, columns["Scale title"], f"scale {scale_id!r} already has the title {scale['title']!r}; give it once, on its first row"
                    )
                scale.setdefault("title", title)
            level = reader.number(sheet, row, columns.get("Level"), "level", range(1, 5))
            if level is None:
                reader.problem(FRAMEWORK, row, columns.get("Level", 3), "a scale row needs its level, 1 to 4")
                continue
            if any(existing["level"] == level for existing in scale["levels"]):
                reader.problem(FRAMEWORK, row, columns.get("Level", 3), f"duplicate level {level} in scale {scale_id!r}")
                continue
            entry: dict[str, Any] = {"level": level}
            for heading, key in (("Label", "label"), ("Descriptor", "descriptor"), ("Heading", "heading")):
                _set(entry, key, reader.text(sheet, row, columns.get(heading)))
            _set(entry, "stars", reader.number(sheet, row, columns.get("Stars"), "stars", range(0, 4)))
            position = ("scales", index, "levels", len(scale["levels"]))
            reader.cells[position] = reader.place(FRAMEWORK, row, columns.get("Level", 3))
            scale["levels"].append(entry)
        else:
            judgement_id = reader.word(sheet, row, columns.get("Judgement"))
            if not judgement_id:
                if any(reader.text(sheet, row, column).strip() for column in columns.values()):
                    reader.problem(FRAMEWORK, row, columns.get("Judgement", 1), "a judgement row needs its id in the Judgement column")
                continue
            judgements = data.setdefault("judgements", [])
            if any(existing["id"] == judgement_id for existing in judgements):
                reader.problem(FRAMEWORK, row, columns.get("Judgement", 1), f"duplicate judgement id {judgement_id!r}")
                continue
            judgement: dict[str, Any] = {"id": judgement_id}
            _set(judgement, "title", reader.text(sheet, row, columns.get("Title")))
            _set(judgement, "scale", reader.word(sheet, row, columns.get("Scale")))
            _set(judgement, "scored", reader.flag(sheet, row, columns.get("Scored")))
            index = len(judgements)
            reader.cells[("judgements", index)] = reader.place(FRAMEWORK, row, columns.get("Judgement", 1))
            for key, heading in (("title", "Title"), ("scale", "Scale"), ("scored", "Scored")):
                reader.cells[("judgements", index, key)] = reader.place(FRAMEWORK, row, columns.get(heading, 1))
            judgements.append(judgement)
    if scales:
        data["scales"] = list(scales.values())


def _read_questions(reader: _Reader, data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    sheet, columns = reader.header(QUESTIONS, QUESTION_COLUMNS)
    groups: dict[str, dict[str, Any]] = {}
    if sheet is None:
        return groups
    for row in used_rows(sheet, 1):
        group_id = reader.word(sheet, row, columns.get("Question"))
        if not group_id:
            if any(reader.text(sheet, row, column).strip() for column in columns.values()):
                reader.problem(QUESTIONS, row, columns.get("Question", 1), "a question row needs its id in the Question column")
            continue
        if group_id in groups:
            reader.problem(QUESTIONS, row, columns.get("Question", 1), f"duplicate question id {group_id!r}")
            continue
        group: dict[str, Any] = {"id": group_id, "kind": reader.word(sheet, row, columns.get("Kind")).lower() or "question"}
        _set(group, "number", reader.word(sheet, row, columns.get("Number")))
        _set(group, "title", reader.text(sheet, row, columns.get("Title")))
        _set(group, "judgement", reader.word(sheet, row, columns.get("Judgement")))
        _set(group, "scored", reader.flag(sheet, row, columns.get("Scored")))
        group["kloes"] = []
        index = len(groups)
        reader.cells[("groups", index)] = reader.place(QUESTIONS, row, columns.get("Question", 1))
        for key, heading in (("kind", "Kind"), ("number", "Number"), ("title", "Title"), ("judgement", "Judgement"), ("scored", "Scored")):
            reader.cells[("groups", index, key)] = reader.place(QUESTIONS, row, columns.get(heading, 1))
        groups[group_id] = group
    data["groups"] = list(groups.values())
    return groups


def _read_kloes(reader: _Reader, groups: dict[str, dict[str, Any]]) -> dict[str, tuple[dict[str, Any], tuple[Any, ...], str]]:
    """Each KLOE's data, its path in the framework, and its question's id."""
    sheet, columns = reader.header(KLOES, KLOE_COLUMNS)
    kloes: dict[str, tuple[dict[str, Any], tuple[Any, ...], str]] = {}
    if sheet is None:
        return kloes
    group_index = {group_id: index for index, group_id in enumerate(groups)}
    for row in used_rows(sheet, 1):
        kloe_id = reader.word(sheet, row, columns.get("KLOE"))
        group_id = reader.word(sheet, row, columns.get("Question"))
        if not kloe_id:
            if any(reader.text(sheet, row, column).strip() for column in columns.values()):
                reader.problem(KLOES, row, columns.get("KLOE", 2), "a KLOE row needs its id in the KLOE column")
            continue
        if kloe_id in kloes:
            reader.problem(KLOES, row, columns.get("KLOE", 2), f"duplicate KLOE id {kloe_id!r}")
            continue
        if group_id not in groups:
            known = ", ".join(groups) or "none on sheet 'Questions'"
            reader.problem(
                KLOES, row, columns.get("Question", 1), f"unknown question {group_id!r} (known: {known})" if group_id else "a KLOE row needs its question's id"
            )
            continue
        kloe: dict[str, Any] = {"id": kloe_id}
        _set(kloe, "title", reader.text(sheet, row, columns.get("Title")))
        _set(kloe, "number", reader.word(sheet, row, columns.get("Number")))
        _set(kloe, "parent", reader.word(sheet, row, columns.get("Parent")))
        _set(kloe, "section", reader.text(sheet, row, columns.get("Section")))
        _set(kloe, "scored", reader.flag(sheet, row, columns.get("Scored")))
        prompts = reader.text(sheet, row, columns.get("Prompts"))
        if prompts.strip():
            kloe["prompts"] = [line for line in prompts.replace("\r\n", "\n").split("\n") if line.strip()]
        group = groups[group_id]
        path = ("groups", group_index[group_id], "kloes", len(group["kloes"]))
        reader.cells[path] = reader.place(KLOES, row, columns.get("KLOE", 2))
        for key, heading in (
            ("title", "Title"),
            ("number", "Number"),
            ("parent", "Parent"),
            ("section", "Section"),
            ("scored", "Scored"),
            ("prompts", "Prompts"),
        ):
            reader.cells[path + (key,)] = reader.place(KLOES, row, columns.get(heading, 1))
        group["kloes"].append(kloe)
        kloes[kloe_id] = (kloe, path, group_id)
    return kloes


def _levels_of(data: dict[str, Any], groups: dict[str, dict[str, Any]], group_id: str) -> set[int] | None:
    """The levels of the scale a question's KLOEs are levelled on (None if it cannot be told yet)."""
    judgement_id = groups[group_id].get("judgement")
    scale_id = next((j.get("scale") for j in data.get("judgements", []) if j["id"] == judgement_id), None)
    scale = next((s for s in data.get("scales", []) if s["id"] == scale_id), None)
    return {level["level"] for level in scale["levels"]} if scale else None


def _read_descriptors(reader: _Reader, data: dict[str, Any], groups: dict[str, dict[str, Any]], kloes: dict[str, Any]) -> None:
    sheet, columns = reader.header(DESCRIPTORS, DESCRIPTOR_COLUMNS)
    if sheet is None:
        return
    for row in used_rows(sheet, 1):
        values = [reader.text(sheet, row, column) for column in columns.values()]
        if not any(value.strip() for value in values):
            continue
        kloe_id = reader.word(sheet, row, columns.get("KLOE"))
        level = reader.number(sheet, row, columns.get("Level"), "level", range(1, 5))
        statement = reader.text(sheet, row, columns.get("Statement"))
        heading = reader.text(sheet, row, columns.get("Heading"))
        bad = False
        if kloe_id not in kloes:
            known = "; the KLOEs are on sheet 'KLOEs'" if kloes else "; sheet 'KLOEs' lists none"
            reader.problem(DESCRIPTORS, row, columns.get("KLOE", 1), f"unknown KLOE {kloe_id!r}{known}" if kloe_id else "a statement needs its KLOE's id")
            bad = True
        if level is None:
            if not cell_text(sheet.cell(row, columns.get("Level", 2)).value).strip():
                reader.problem(DESCRIPTORS, row, columns.get("Level", 2), "a statement needs its level")
            bad = True
        elif not bad:
            levels = _levels_of(data, groups, kloes[kloe_id][2])
            if levels is not None and level not in levels:
                reader.problem(
                    DESCRIPTORS,
                    row,
                    columns.get("Level", 2),
                    f"level {level} is not on the scale of KLOE {kloe_id!r} (its levels: {', '.join(map(str, sorted(levels)))})",
                )
                bad = True
        if not statement.strip():
            reader.problem(DESCRIPTORS, row, columns.get("Statement", 4), "empty statement: write the statement, or delete the row")
            bad = True
        if bad or level is None:
            continue
        kloe, path, _ = kloes[kloe_id]
        statements = kloe.setdefault("descriptors", {}).setdefault(level, [])
        place = (*path, "descriptors", level, len(statements))
        reader.cells.setdefault((*path, "descriptors", level), reader.place(DESCRIPTORS, row, columns.get("Level", 2)))
        reader.cells[place] = reader.place(DESCRIPTORS, row, columns.get("Statement", 4))
        if heading.strip():
            kloe.setdefault("descriptor_headings", {}).setdefault(level, {})[len(statements)] = heading
            reader.cells[
                path
                + (
                    "descriptor_headings",
                    level,
                    len(statements),
                )
            ] = reader.place(DESCRIPTORS, row, columns.get("Heading", 3))
        statements.append(statement)


def _read_more(reader: _Reader, data: dict[str, Any], groups: dict[str, dict[str, Any]], kloes: dict[str, Any]) -> None:
    sheet, columns = reader.header(MORE, MORE_COLUMNS)
    if sheet is None:
        return
    targets: dict[str, dict[str, tuple[dict[str, Any], tuple[Any, ...]]]] = {
        "framework": {"": (data, ())},
        "scale": {s["id"]: (s, ("scales", i)) for i, s in enumerate(data.get("scales", []))},
        "judgement": {j["id"]: (j, ("judgements", i)) for i, j in enumerate(data.get("judgements", []))},
        "question": {g["id"]: (g, ("groups", i)) for i, g in enumerate(groups.values())},
        "kloe": {kloe_id: (entry[0], entry[1]) for kloe_id, entry in kloes.items()},
    }
    kinds = {kind.lower(): kind for kind in _IN_COLUMNS}
    given: set[tuple[str, str, str]] = set()
    for row in used_rows(sheet, 1):
        of = normal_text(sheet.cell(row, columns.get("Of", 1)).value)
        item_id = reader.word(sheet, row, columns.get("Id"))
        name = reader.word(sheet, row, columns.get("Field"))
        text = reader.text(sheet, row, columns.get("YAML"))
        if not (of or item_id or name or text.strip()):
            continue
        if of not in kinds:
            reader.problem(MORE, row, columns.get("Of", 1), f"'Of' must be one of: {', '.join(_IN_COLUMNS)}")
            continue
        kind = kinds[of]
        if item_id not in targets[of]:
            known = ", ".join(targets[of]) or "none"
            reader.problem(MORE, row, columns.get("Id", 2), f"unknown {kind} {item_id!r} (known: {known})")
            continue
        fields = _MODELS[kind].model_fields
        carried = _IN_COLUMNS[kind] - ({"prompts"} if kind == "KLOE" else set())
        if name not in fields or name in carried:
            allowed = ", ".join(sorted(set(fields) - carried))
            why = "is in the sheet's columns" if name in carried else "is not a field"
            reader.problem(MORE, row, columns.get("Field", 3), f"{name!r} {why} of a {kind} here; the fields this sheet takes are: {allowed}")
            continue
        if (of, item_id, name) in given:
            reader.problem(MORE, row, columns.get("Field", 3), f"{name!r} of {kind} {item_id or framework_id(data)!r} is given twice")
            continue
        given.add((of, item_id, name))
        target, path = targets[of][item_id]
        if name in target:  # prompts both in the KLOEs sheet and here
            reader.problem(MORE, row, columns.get("Field", 3), f"{name!r} of {kind} {item_id!r} is also in sheet 'KLOEs'; keep one")
            continue
        try:
            value = read_yaml_text(text, reader.place(MORE, row, columns.get("YAML", 4))).data
        except InvalidInputError as error:
            reader.book.problems.extend(error.problems)
            continue
        target[name] = value
        reader.cells[path + (name,)] = reader.place(MORE, row, columns.get("YAML", 4))


def framework_id(data: dict[str, Any]) -> str:
    return str(data.get("id", ""))


def read_framework_xlsx(path: Path | str) -> Framework:
    """The framework a workbook in the layout holds, or InvalidInputError listing every problem by sheet and cell."""
    reader = _Reader(Path(path))
    data: dict[str, Any] = {"schema_version": 1}
    _read_framework_sheet(reader, data)
    groups = _read_questions(reader, data)
    kloes = _read_kloes(reader, groups)
    _read_descriptors(reader, data, groups, kloes)
    _read_more(reader, data, groups, kloes)
    document = _SheetDocument(source=reader.source, data=data, cells=reader.cells)
    problems = list(reader.book.problems)
    try:
        framework = Framework.model_validate(data)
    except ValidationError as error:
        problems += problems_from_validation(error, document, Framework)
        raise InvalidInputError(reader.source, problems) from None
    for found in run_checks(framework):
        message = found.message + (f" (also at {document.where(found.also_at).removeprefix(reader.source + ', ')})" if found.also_at else "")
        problems.append(Problem(document.where(found.path), dotted_path(found.path), message))
    if problems:
        raise InvalidInputError(reader.source, problems)
    return framework


# -- the framework as YAML ---------------------------------------------------------------------
def framework_yaml(framework: Framework, comment: str = "") -> str:
    """The framework as a YAML file the loader reads back equal (defaults left out, ids quoted where YAML needs it)."""
    dumped = framework.model_dump(mode="python", exclude_defaults=True)
    dumped = {"schema_version": framework.schema_version, **dumped, "descriptor_reading": framework.descriptor_reading}
    ordered = {name: dumped[name] for name in Framework.model_fields if name in dumped}
    text = yaml.safe_dump(ordered, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False)
    header = "".join(f"# {line}\n" for line in comment.splitlines())
    return header + text
