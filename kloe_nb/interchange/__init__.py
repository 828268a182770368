"""Assessments in and out of files: the interchange JSON, the Excel template, CSV, and the councils list.

One module per format (``json_io``, ``csv_io``, ``councils_csv``; the Excel template is
``xlsx_write`` and ``xlsx_read`` over ``xlsx_layout``, its plan sheet ``action_plan_xlsx``,
the checks of its zip archive before it is unpacked ``xlsx_archive``; frameworks drafted
in a spreadsheet ``framework_xlsx``) and the
pair here that picks one: ``read_assessment`` by the file's suffix, ``write_assessment``
by the format asked for (or the suffix). Every problem a user can fix is an
``InvalidInputError`` naming the file and the place in it.

Importing the package imports none of its modules (openpyxl, pydantic): ``kloe run`` reads only
the councils list, and each format's module is imported when that format is read or written.
The names re-exported here are looked up when first used (``__getattr__``).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kloe_nb.errors import InvalidInputError, Problem
from kloe_nb.reexports import lazy_reexports

if TYPE_CHECKING:
    from kloe_nb.assessment.model import Assessment
    from kloe_nb.framework.model import Framework
    from kloe_nb.interchange.cells import InterchangeWarning
    from kloe_nb.interchange.councils_csv import Council, read_councils_csv
    from kloe_nb.interchange.csv_io import write_assessment_csv
    from kloe_nb.interchange.json_io import read_assessment_json, write_assessment_json
    from kloe_nb.interchange.xlsx_read import read_assessment_xlsx
    from kloe_nb.interchange.xlsx_write import write_assessment_xlsx

_EXPORTED = {
    "Council": "councils_csv",
    "InterchangeWarning": "cells",
    "read_assessment_json": "json_io",
    "read_assessment_xlsx": "xlsx_read",
    "read_councils_csv": "councils_csv",
    "write_assessment_csv": "csv_io",
    "write_assessment_json": "json_io",
    "write_assessment_xlsx": "xlsx_write",
}

READ_SUFFIXES = (".json", ".xlsx")
FORMATS = ("json", "xlsx", "csv")
_HINTS = {
    ".xls": "save it in Excel as an Excel Workbook (.xlsx)",
    ".xlsm": "save it in Excel as an Excel Workbook (.xlsx), without macros",
    ".csv": "the CSV export is one-way; import the .json or .xlsx instead",
}


def _did_you_mean(given: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(given.lower(), known, n=1, cutoff=0.5)
    return f"; did you mean {close[0]}?" if close else ""


__getattr__ = lazy_reexports(__name__, _EXPORTED)


def read_assessment(path: Path | str, framework_lookup: Callable[[str], Framework] | None = None) -> Assessment:
    """An assessment from an interchange .json file or a filled-in Excel template (.xlsx); frameworks by id from the loader unless told."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        from kloe_nb.interchange.json_io import read_assessment_json

        return read_assessment_json(path)
    if suffix == ".xlsx":
        from kloe_nb.framework.loader import load_framework
        from kloe_nb.interchange.xlsx_read import read_assessment_xlsx

        return read_assessment_xlsx(path, framework_lookup or load_framework)
    shown = repr(path.suffix) if path.suffix else "no suffix"
    hint = f"; {_HINTS[suffix]}" if suffix in _HINTS else _did_you_mean(suffix, READ_SUFFIXES)
    raise InvalidInputError(
        str(path), [Problem(str(path), "", f"cannot read an assessment from a file with {shown}{hint} (supported: {', '.join(READ_SUFFIXES)})")]
    )


def write_assessment(framework: Framework, assessment: Assessment, path: Path | str, format: str | None = None) -> Path:
    """Write an assessment as ``json``, ``xlsx`` (the template, filled in) or ``csv``; by the suffix if no format is given."""
    path = Path(path)
    chosen = (format or path.suffix.lstrip(".")).lower()
    if chosen == "json":
        from kloe_nb.interchange.json_io import write_assessment_json

        return write_assessment_json(assessment, path)
    if chosen == "xlsx":
        from kloe_nb.interchange.xlsx_write import write_assessment_xlsx

        return write_assessment_xlsx(framework, assessment, path)
    if chosen == "csv":
        from kloe_nb.interchange.csv_io import write_assessment_csv

        return write_assessment_csv(framework, assessment, path)
    raise InvalidInputError(
        str(path), [Problem(str(path), "", f"unknown format {chosen or '(none)'!r}{_did_you_mean(chosen, FORMATS)} (supported: {', '.join(FORMATS)})")]
    )


__all__ = [
    "Council",
    "InterchangeWarning",
    "read_assessment",
    "read_assessment_json",
    "read_assessment_xlsx",
    "read_councils_csv",
    "write_assessment",
    "write_assessment_csv",
    "write_assessment_json",
    "write_assessment_xlsx",
]
