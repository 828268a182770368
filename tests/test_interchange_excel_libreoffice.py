"""Issue 15: the workbook opens cleanly in LibreOffice Calc, and what LibreOffice saves reads back the same.

Every bundled framework's workbook, filled in, is converted by Debian's LibreOffice
(``libreoffice --headless --convert-to xlsx``, a private profile so parallel runs do not clash):
LibreOffice must report no error, and its file must hold the same values, drop-downs, sheet
protection, locked cells and hidden columns, and import to the same assessment without a warning.
The text is awkward (formulas, leading zeros, emoji, bidi controls, line breaks, a vertical tab)
but has no carriage returns and nothing that looks like Excel's ``_xHHHH_`` escapes: LibreOffice
7.4 turns a carriage return into a line feed and writes such text unescaped (docs/excel.md).
There is no skip: without LibreOffice the test fails saying how to install it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import warnings
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.worksheet import Worksheet
from test_interchange_excel_peer import valid_everything

from kloe_nb.assessment.model import Assessment
from kloe_nb.framework.loader import bundled_ids, load_framework
from kloe_nb.interchange.xlsx_layout import cell_text
from kloe_nb.interchange.xlsx_read import read_workbook
from kloe_nb.interchange.xlsx_write import write_assessment_xlsx

pytestmark = pytest.mark.slow  # about 10 s: LibreOffice starts and converts five workbooks

HARMLESS = ("Warning: failed to launch javaldx - java may not function correctly",)
"""What LibreOffice prints on stderr without Java installed (it needs none to convert): not an error."""
ESCAPE_LIKE = re.compile("_*x[0-9A-Fa-f]{4}_")
PROTECTION = ("sheet", "password", "formatColumns", "formatRows", "insertRows", "deleteRows", "autoFilter", "sort", "selectLockedCells")


def libreoffice() -> str:
    found = shutil.which("libreoffice")
    if found is None:
        pytest.fail("LibreOffice is not installed (no libreoffice on the PATH): run tools/need_libreoffice.sh, then run the tests again", pytrace=False)
    return found


def without_carriage_returns_or_escapes(value: Any) -> Any:
    """The assessment's text with line feeds for carriage returns and no ``_xHHHH_`` look-alikes (what LibreOffice cannot keep)."""
    if isinstance(value, str):
        return ESCAPE_LIKE.sub("(an escape)", value.replace("\r\n", "\n").replace("\r", "\n"))
    if isinstance(value, dict):
        return {key: without_carriage_returns_or_escapes(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_carriage_returns_or_escapes(item) for item in value]
    return value


def validations(sheet: Worksheet) -> dict[tuple[int, int], tuple[Any, ...]]:
    """Each cell with a data validation, and what it allows."""
    found = {}
    for validation in sheet.data_validations.dataValidation:
        for cells in MultiCellRange(str(validation.sqref)).ranges:
            for row in range(cells.min_row, cells.max_row + 1):
                for column in range(cells.min_col, cells.max_col + 1):
                    found[(row, column)] = (validation.type, validation.formula1, validation.allow_blank, validation.showErrorMessage)
    return found


def test_every_bundled_workbook_opens_cleanly_in_libreoffice_and_reads_back_the_same(tmp_path):
    program = libreoffice()
    written, converted = tmp_path / "written", tmp_path / "converted"
    written.mkdir()
    for revision, framework_id in enumerate(bundled_ids(), start=1):
        framework = load_framework(framework_id)
        assessment = Assessment.model_validate(without_carriage_returns_or_escapes(json.loads(valid_everything(framework).model_dump_json())))
        write_assessment_xlsx(framework, assessment, written / f"{framework_id}.xlsx", revision=revision)
    files = sorted(written.iterdir())
    done = subprocess.run(
        [
            program,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(converted),
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, (done.stdout, done.stderr)
    complaints = [line for line in done.stderr.splitlines() if line.strip() and line.strip() not in HARMLESS]
    assert not complaints and "error" not in done.stdout.lower(), (done.stdout, done.stderr)
    for path in files:
        assert f"convert {path} -> {converted / path.name} using filter : Calc MS Excel 2007 XML" in done.stdout
        ours, theirs = load_workbook(path), load_workbook(converted / path.name)
        assert theirs.sheetnames == ours.sheetnames
        for sheet in ours.worksheets:
            other = theirs[sheet.title]
            where = f"{path.name} sheet {sheet.title!r}"
            values = {(c.row, c.column): cell_text(c.value) for row in sheet.iter_rows() for c in row if cell_text(c.value)}
            assert {(c.row, c.column): cell_text(c.value) for row in other.iter_rows() for c in row if cell_text(c.value)} == values, where
            assert validations(other) == validations(sheet), where
            assert {name: getattr(other.protection, name) for name in PROTECTION} == {name: getattr(sheet.protection, name) for name in PROTECTION}, where
            unlocked = {(c.row, c.column) for row in sheet.iter_rows() for c in row if not c.protection.locked}
            assert {(c.row, c.column) for row in other.iter_rows() for c in row if not c.protection.locked} == unlocked, where
            hidden = sorted(key for key, dimension in sheet.column_dimensions.items() if dimension.hidden)
            assert sorted(key for key, dimension in other.column_dimensions.items() if dimension.hidden) == hidden, where
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # an evidence cell LibreOffice changed would be read a line an item, with a warning
            assert read_workbook(converted / path.name) == read_workbook(path)
