"""Building what tests need from real parts: assessments, stores holding them, report pages without a kernel.

Shared by the report, comparison, form and command-line tests (fixtures are in ``conftest.py``).
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

from kloe_nb.assessment.model import Assessment, JudgementDecision, KloeRecord, Organisation
from kloe_nb.demo import import_assessments
from kloe_nb.form.autosave import SaveTiming
from kloe_nb.framework import load_framework
from kloe_nb.render.exporter import PageRenderer
from kloe_nb.report import Report
from kloe_nb.store import AssessmentKey, open_store

#: Autosave timing for forms under test: fast enough that a test waits a fraction of a second.
FAST = SaveTiming(interval=0.05, retry=0.05)


# -- assessments and stores ---------------------------------------------------------------------
def make_assessment(
    framework_id: str,
    code: str,
    name: str,
    period: str,
    levels: dict[str, int | None],
    *,
    group: str = "",
    kloes: dict[str, int | None] | None = None,
    decisions: dict[str, tuple[int, str]] | None = None,
    track: str = "",
    assessor: str = "",
    illustrative: bool = False,
) -> Assessment:
    """An assessment whose every scored KLOE in a judgement's groups has that judgement's level (``levels``),
    then the KLOE levels in ``kloes`` on top; ``decisions``: judgement id -> (level, rationale)."""
    framework = load_framework(framework_id)
    records: dict[str, KloeRecord] = {}
    for group_, kloe in framework.iter_kloes():
        if kloe.scored and group_.judgement in levels and levels[group_.judgement] is not None:
            records[kloe.id] = KloeRecord(level=levels[group_.judgement])
    for kloe_id, level in (kloes or {}).items():
        records[kloe_id] = KloeRecord(level=level)
    return Assessment(
        framework=framework_id,
        organisation=Organisation(code=code, name=name, group=group),
        period=period,
        assessor=assessor,
        track=track,
        illustrative=illustrative,
        kloes=records,
        judgements={key: JudgementDecision(level=level, rationale=why) for key, (level, why) in (decisions or {}).items()},
    )


def save_all(store_path: Path, *assessments: Assessment) -> Path:
    """A real store holding these assessments (each as a new revision)."""
    with open_store(store_path) as store:
        for assessment in assessments:
            found = store.find(_key(assessment))
            store.save(assessment, based_on=found.revision if found else None, author="test")
    return store_path


def _key(assessment: Assessment) -> AssessmentKey:
    return AssessmentKey.of(assessment)


def ac(code: str, name: str, period: str, j1: int | None, j2: int | None, **options) -> Assessment:  # type: ignore[no-untyped-def]
    return make_assessment("ac-benefits", code, name, period, {"J1": j1, "J2": j2}, **options)


def caa(code: str, name: str, period: str, themes: int, performance: int, **options) -> Assessment:  # type: ignore[no-untyped-def]
    levels = {"managing_finances": themes, "governing_the_business": themes, "managing_resources": themes, "managing_performance": performance}
    return make_assessment("caa-2009", code, name, period, levels, **options)


def ac_store(tmp_path: Path) -> Path:
    """Five AC benefits councils in two peer groups; two with three periods; one tie; one level 1."""
    return save_all(
        tmp_path / "kloe.db",
        ac("A1", "Aldermere", "2006/07", 2, 2, group="Districts"),
        ac("A1", "Aldermere", "2007/08", 2, 3, group="Districts"),
        ac("A1", "Aldermere", "2008/09", 3, 3, group="Districts"),
        ac("B2", "Brackenford", "2007/08", 3, 3, group="Districts"),
        ac("B2", "Brackenford", "2008/09", 3, 2, group="Districts"),
        ac("C3", "Cindervale", "2008/09", 3, 3, group="Districts"),
        ac("D4", "Dunmarsh", "2008/09", 4, 2, group="Unitaries"),
        ac("E5", "Eltonbury", "2008/09", 1, 1, group="Unitaries", kloes={"2.1": 2}),
    )


def stored(tmp_path: Path, *documents: dict) -> Path:
    """A store holding these assessment documents (interchange JSON)."""
    paths = []
    for number, document in enumerate(documents):
        path = tmp_path / f"a{number}.json"
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        paths.append(path)
    store = tmp_path / "kloe.db"
    import_assessments(store, paths)
    return store


# -- pages --------------------------------------------------------------------------------------
def page_of(report: Report, renderer: PageRenderer | None = None) -> tuple[str, nbformat.NotebookNode]:
    """The page as the batch makes it, from the notebook's cells' displays (without a kernel)."""
    cells = []
    for part in (
        report.header(),
        report.judgements(),
        report.combination(),
        report.sensitivity(),
        report.direction_of_travel(),
        report.questions(),
        report.flags(),
        report.improvements(),
        report.provenance(),
        report.summary(),
    ):
        cell = new_code_cell("report.section()")
        if part is not None:
            data, metadata = part._repr_mimebundle_()
            cell.outputs = [new_output("execute_result", data=data, metadata=metadata, execution_count=1)]
        cells.append(cell)
    nb = new_notebook(cells=cells)
    return (renderer or PageRenderer()).render(nb), nb


def string_constants(path: Path) -> set[str]:
    """Every string literal in a module's code, docstrings left out."""
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings}


def damage_sqlite_document(store_path: Path, org_code: str, text: str) -> None:
    """Make the stored document of every revision of ``org_code`` read as ``text`` (e.g. invalid JSON).

    Written as a save would store it (store/revision_codec.py: a full copy, its checksum, and the
    current document on the assessments row), so reading finds ``text`` itself, not a damaged row.
    """
    import sqlite3

    from kloe_nb.store import revision_codec

    bad = revision_codec.encode(1, None, None, text)
    where = "(SELECT id FROM assessments WHERE org_code = ?)"
    with sqlite3.connect(store_path) as connection:
        connection.execute(f"UPDATE revisions SET snapshot = 1, body = ?, document_crc = ? WHERE assessment_id = {where}", (bad.body, bad.crc, org_code))
        connection.execute("UPDATE assessments SET document = ? WHERE org_code = ?", (revision_codec.pack(text.encode()), org_code))
    connection.close()
