"""Issue 15: the Excel workbook as a full peer of the form, through the real ``kloe`` command and a SQLite store.

A council takes ``kloe template`` or ``kloe export --format xlsx``, fills it in a spreadsheet
program (openpyxl stands in for it here: values are chosen from the workbook's own drop-down
lists, text typed with line breaks as Alt+Enter gives them) and ``kloe import`` brings every
field back; an unchanged workbook adds no revision; a workbook exported before someone else
saved is merged or refused as the form's saves are. The expected values are worked out from
the framework and what was typed, never read back from the reader.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO_ROOT
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet
from test_interchange_excel import everything

from kloe_nb.assessment.model import Action, Assessment, Evidence, Flag, JudgementDecision, KloeRecord, Organisation
from kloe_nb.framework.loader import bundled_ids, load_framework
from kloe_nb.framework.model import Framework
from kloe_nb.interchange.json_io import write_assessment_json
from kloe_nb.interchange.xlsx_layout import ABOUT, ACTION_PLAN, DESCRIPTORS, FLAGS, JUDGEMENTS, sheet_names
from kloe_nb.scoring import score
from kloe_nb.store import AssessmentKey, open_store


def kloe(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kloe_nb.cli.main", "--store", str(store), *args], capture_output=True, text=True, cwd=REPO_ROOT, timeout=180)


def ok(done: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert done.returncode == 0, done.stderr
    return done


def drop_down(sheet: Worksheet, cell: Cell) -> list[str]:
    """The options the spreadsheet program offers in this cell: its data validation's list ([] if it has none)."""
    for validation in sheet.data_validations.dataValidation:
        if validation.type == "list" and cell.coordinate in validation.sqref:
            return validation.formula1.strip('"').split(",")
    return []


def stored(store: Path, framework: str, code: str = "00123", period: str = "2009/10") -> tuple[Assessment, int]:
    with open_store(store, read_only=True) as opened:
        found = opened.load(AssessmentKey(framework, code, period))
        return found.assessment, len(opened.history(found.key))


def heading_column(sheet: Worksheet, heading: str) -> int:
    return next(cell.column for cell in sheet[1] if cell.value == heading)


# -- a council fills in every field ----------------------------------------------------------------
def fill_like_a_council(book: Workbook, framework: Framework) -> Assessment:
    """Fill every field of the workbook as a person would, and return the assessment that should come back."""
    about = {row[0].value: row[1] for row in book[ABOUT].iter_rows(min_row=4, max_row=20) if row[0].value}
    about["Organisation code"].value, about["Organisation name"].value = "00123", "Ynys Môn"
    about["Period"].value, about["Assessor"].value = "2009/10", "A. Analyst"
    kloes: dict[str, KloeRecord] = {}
    names = sheet_names(framework)
    for name, group in names.items():
        sheet = book[name]
        for row, kloe_ in enumerate(group.kloes, start=2):
            assert sheet.cell(row, 1).value == kloe_.id
            options = drop_down(sheet, sheet.cell(row, 4))
            level = None
            if options:  # a scored KLOE: a level from the list, a different one on each row
                sheet.cell(row, 4).value = options[row % len(options)]
                level = int(options[row % len(options)].split()[0])
            sheet.cell(row, 3).value = f"Where {kloe_.id} stands\nnow"
            sheet.cell(row, 5).value = f"Cabinet minutes \u2014 p. {row} \u2014 shows {kloe_.id}\nAnnual report"
            sheet.cell(row, 6).value = f"Strong on {kloe_.id}"
            sheet.cell(row, 7).value = f"=Improve {kloe_.id}"  # typed with a leading '=' and Excel's quote prefix
            sheet.cell(row, 7).data_type, sheet.cell(row, 7).quotePrefix = "s", True
            sheet.cell(row, 8).value = f"Why {kloe_.id} differs" if level else ""
            kloes[kloe_.id] = KloeRecord(
                level=level,
                current_position=f"Where {kloe_.id} stands\nnow",
                evidence=[Evidence(source="Cabinet minutes", reference=f"p. {row}", note=f"shows {kloe_.id}"), Evidence(note="Annual report")],
                strengths=f"Strong on {kloe_.id}",
                areas_for_improvement=f"=Improve {kloe_.id}",
                rationale=f"Why {kloe_.id} differs" if level else "",
            )
    if DESCRIPTORS in book.sheetnames:
        _mark_statements(book[DESCRIPTORS], framework, kloes)
    judgements = _decide(book[JUDGEMENTS], framework)
    flags: list[Flag] = []
    if framework.flags is not None:
        sheet = book[FLAGS]
        colours = drop_down(sheet, sheet["A2"])
        assert colours == ["red", "green"]
        sheet["A2"], sheet["B2"], sheet["C2"], sheet["D2"] = colours[0], "Housing for older people", "Waiting times rising\nfor two years", "1, 3"
        sheet["A3"], sheet["B3"], sheet["D3"] = colours[1], "Community safety partnership", "2"
        flags = [
            Flag(colour="red", subject="Housing for older people", reason="Waiting times rising\nfor two years", criteria=[0, 2]),
            Flag(colour="green", subject="Community safety partnership", criteria=[1]),
        ]
    plan = book[ACTION_PLAN]
    for cells in plan.iter_rows(min_row=2, max_col=9):  # the plan as it stood is cleared, then two actions typed
        for cell in cells:
            cell.value = None
    first = next(kloe_.id for _, kloe_ in framework.iter_kloes())
    priorities = drop_down(plan, plan["G2"])
    plan["A2"], plan["C2"], plan["D2"], plan["E2"] = first, "Faster decisions", "Weekly backlog review", "Head of service"
    plan["F2"], plan["G2"], plan["H2"], plan["I2"] = dt.datetime(2010, 3, 31), priorities[0], "Officer time", "Backlog under 10 days"
    plan["A3"], plan["D3"], plan["G3"] = first, "Publish what changed", priorities[2]
    kloes[first] = kloes[first].model_copy(
        update={
            "actions": [
                Action(
                    area="Faster decisions",
                    action="Weekly backlog review",
                    owner="Head of service",
                    due="2010-03-31",
                    priority="high",
                    resources="Officer time",
                    measure="Backlog under 10 days",
                ),
                Action(action="Publish what changed", priority="low"),
            ]
        }
    )
    return Assessment(
        framework=framework.id,
        organisation=Organisation(code="00123", name="Ynys Môn"),
        period="2009/10",
        assessor="A. Analyst",
        kloes=kloes,
        judgements=judgements,
        flags=flags,
    )


def _mark_statements(sheet: Worksheet, framework: Framework, kloes: dict[str, KloeRecord]) -> None:
    """The first statement of each KLOE's top level describes it; the second of its lowest it falls short of (found by their words)."""
    verdict = heading_column(sheet, "Verdict")
    rows = {(row[0].value, row[3].value): row[0].row for row in sheet.iter_rows(min_row=2)}
    for row in range(2, sheet.max_row + 1):  # what was marked before is cleared first
        sheet.cell(row, verdict).value = None
    for _, kloe_ in framework.iter_kloes():
        if not kloe_.descriptors:
            continue
        top, low = max(kloe_.descriptors), min(kloe_.descriptors)
        met = rows[(kloe_.id, kloe_.descriptors[top][0])]
        options = drop_down(sheet, sheet.cell(met, verdict))
        sheet.cell(met, verdict).value = options[0]
        assert options[0] == "describes this organisation"
        update: dict[str, dict[int, list[int]]] = {"met": {top: [0]}}
        if top != low and len(kloe_.descriptors[low]) > 1:
            short = rows[(kloe_.id, kloe_.descriptors[low][1])]
            options = drop_down(sheet, sheet.cell(short, verdict))
            assert options == ["describes this organisation", "falls short of this"]
            sheet.cell(short, verdict).value = options[1]
            update["falls_short"] = {low: [1]}
        kloes[kloe_.id] = kloes[kloe_.id].model_copy(update=update)


def _decide(sheet: Worksheet, framework: Framework) -> dict[str, JudgementDecision]:
    """A decided level from each scored judgement's drop-down and a rationale for every judgement."""
    decisions = {}
    for row, judgement in enumerate(framework.judgements, start=2):
        assert sheet.cell(row, 1).value == judgement.id
        options = drop_down(sheet, sheet.cell(row, 3))
        level = None
        if options:
            sheet.cell(row, 3).value = options[row % len(options)]
            level = int(options[row % len(options)].split()[0])
        sheet.cell(row, 4).value = f"Decided for {judgement.id}:\n- the evidence"
        decisions[judgement.id] = JudgementDecision(level=level, rationale=f"Decided for {judgement.id}:\n- the evidence")
    return decisions


@pytest.mark.parametrize("framework_id", bundled_ids())
def test_a_council_fills_every_field_of_a_template_and_kloe_import_brings_each_one_back(tmp_path, framework_id):
    """A new council's first import: created from the workbook, every value the spreadsheet held is in the store."""
    store, path = tmp_path / "kloe.db", tmp_path / "template.xlsx"
    ok(kloe(store, "template", "--framework", framework_id, "-o", str(path)))
    book = load_workbook(path)
    expected = fill_like_a_council(book, load_framework(framework_id))
    book.save(path)
    done = ok(kloe(store, "import", str(path)))
    assert "saved as revision 1 of the lead track (new in this store)" in done.stdout
    assessment, revisions = stored(store, framework_id)
    assert assessment.model_copy(update={"framework_version": None}) == expected and revisions == 1
    assert assessment.framework_version is not None and assessment.framework_version.sha256


def test_filling_an_exported_workbook_changes_exactly_what_was_changed(tmp_path):
    """Over a stored assessment: a revision like any save, based on the revision the workbook records."""
    framework = load_framework("ac-benefits")
    store, path = tmp_path / "kloe.db", tmp_path / "export.xlsx"
    original = everything(framework).model_copy(update={"period": "2009/10", "flags": []})
    ok(kloe(store, "import", str(write_assessment_json(original, tmp_path / "a.json"))))
    before, _ = stored(store, "ac-benefits")
    ok(kloe(store, "export", "--framework", "ac-benefits", "--org", "00123", "--period", "2009/10", "--format", "xlsx", "-o", str(path)))
    book = load_workbook(path)
    assert book[ABOUT]["B14"].value == "1"  # the revision it was exported at
    expected = fill_like_a_council(book, framework)
    book.save(path)
    done = ok(kloe(store, "import", str(path)))
    assert "saved as revision 2 of the lead track" in done.stdout
    after, revisions = stored(store, "ac-benefits")
    moderated = next(kloe_id for kloe_id, record in before.kloes.items() if record.moderation)  # the one field no workbook holds
    expected.kloes[moderated] = expected.kloes[moderated].model_copy(update={"moderation": before.kloes[moderated].moderation})
    assert after.model_copy(update={"framework_version": None}) == expected.model_copy(update={"illustrative": True, "organisation": before.organisation})
    assert revisions == 2


# -- no change, no revision -------------------------------------------------------------------------
def valid_everything(framework: Framework) -> Assessment:
    """``everything`` made valid for ``framework`` (it may fall short of a statement its lowest level lacks; it has flags everywhere)."""
    original = everything(framework).model_copy(update={"period": "2009/10", "framework_version": None})
    kloes = dict(original.kloes)
    for kloe_ in (kloe_ for _, kloe_ in framework.iter_kloes() if kloe_.id in kloes and kloes[kloe_.id].falls_short):
        low = min(kloe_.descriptors)
        kloes[kloe_.id] = kloes[kloe_.id].model_copy(update={"falls_short": {low: [len(kloe_.descriptors[low]) - 1]}})
    return original.model_copy(update={"kloes": kloes, "flags": original.flags if framework.flags else []})


@pytest.mark.parametrize("framework_id", bundled_ids())
def test_export_then_import_with_no_change_adds_no_revision(tmp_path, framework_id):
    """Awkward text in every field (formulas, CR, escapes, emoji), verdicts, decisions, flags, actions, moderation: nothing changes."""
    framework = load_framework(framework_id)
    original = valid_everything(framework)
    store, path = tmp_path / "kloe.db", tmp_path / "a.xlsx"
    ok(kloe(store, "import", str(write_assessment_json(original, tmp_path / "a.json"))))
    before, revisions = stored(store, framework_id)
    ok(kloe(store, "export", "--framework", framework_id, "--org", "00123", "--period", "2009/10", "--format", "xlsx", "-o", str(path)))
    done = ok(kloe(store, "import", str(path)))
    assert "no changes: the workbook holds what revision 1 of the lead track holds; nothing was saved" in done.stdout
    after, revisions_after = stored(store, framework_id)
    assert (after, revisions_after) == (before, revisions) == (before, 1)


# -- a store that moved on since the export ---------------------------------------------------------
def exported_then_saved(tmp_path: Path, change: dict[str, object]) -> tuple[Path, Path]:
    """A store with revision 1, the workbook exported from it, then revision 2 saved (as the form would) with ``change`` to KLOE 2.1."""
    store, path = tmp_path / "kloe.db", tmp_path / "export.xlsx"
    first = Assessment(
        framework="ac-benefits",
        organisation=Organisation(code="00123", name="Anytown"),
        period="2009/10",
        kloes={"2.1": KloeRecord(level=2, strengths="Good staff"), "2.2": KloeRecord(level=3)},
    )
    ok(kloe(store, "import", str(write_assessment_json(first, tmp_path / "a.json"))))
    ok(kloe(store, "export", "--framework", "ac-benefits", "--org", "00123", "--period", "2009/10", "--format", "xlsx", "-o", str(path)))
    with open_store(store) as opened:
        current = opened.load(AssessmentKey("ac-benefits", "00123", "2009/10"))
        changed = current.assessment.model_copy(deep=True)
        changed.kloes["2.1"] = changed.kloes["2.1"].model_copy(update=change)
        opened.save(changed, based_on=current.revision, author="bob")
    return store, path


def test_a_workbook_exported_before_someone_else_saved_is_merged_where_they_changed_other_fields(tmp_path):
    store, path = exported_then_saved(tmp_path, {"strengths": "Good staff, trained"})
    book = load_workbook(path)
    book["Question 2"]["D3"] = "2 Fair"  # KLOE 2.2: 3 -> 2
    book.save(path)
    done = ok(kloe(store, "import", str(path)))
    assert "saved as revision 3 of the lead track: merged with revision 2 by bob" in done.stdout and "saved since the workbook's revision 1" in done.stdout
    after, revisions = stored(store, "ac-benefits")
    assert (after.kloes["2.1"].strengths, after.kloes["2.2"].level, revisions) == ("Good staff, trained", 2, 3)


def test_a_stale_workbook_that_changes_the_same_field_is_refused_naming_both_values(tmp_path):
    store, path = exported_then_saved(tmp_path, {"level": 3})
    book = load_workbook(path)
    book["Question 2"]["D2"] = "1 Poor"  # KLOE 2.1: 2 -> 1, while bob made it 3
    book.save(path)
    done = kloe(store, "import", str(path))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"kloe: {path}: NOT SAVED: ac-benefits council 00123 2009/10: the workbook was exported at revision 1; since then the store has revision 2" in (
        done.stderr
    )
    assert "KLOE 2.1 level: in the store 3 (revision 2 by bob at " in done.stderr and "in the workbook 1" in done.stderr
    after, revisions = stored(store, "ac-benefits")
    assert (after.kloes["2.1"].level, revisions) == (3, 2)  # nothing saved


def test_an_unchanged_workbook_exported_before_someone_else_saved_adds_nothing(tmp_path):
    store, path = exported_then_saved(tmp_path, {"level": 3})
    done = ok(kloe(store, "import", str(path)))
    assert "no changes: the workbook holds what revision 2 of the lead track holds" in done.stdout
    after, revisions = stored(store, "ac-benefits")
    assert (after.kloes["2.1"].level, revisions) == (3, 2)


def test_a_workbook_from_a_revision_the_store_never_had_is_refused(tmp_path):
    store, path = exported_then_saved(tmp_path, {"level": 3})
    book = load_workbook(path)
    book[ABOUT]["B14"].value = "7"  # as if exported from a store that had seven revisions
    book.save(path)
    done = kloe(store, "import", str(path))
    assert done.returncode == 2
    assert "the workbook was exported at revision 7, but the store has only 2 revisions" in done.stderr
    assert stored(store, "ac-benefits")[1] == 2


def test_a_workbook_for_a_council_the_store_does_not_have_creates_it(tmp_path):
    """Exported from one store, imported into another (a consultant's copy): the council is created there."""
    first, path = exported_then_saved(tmp_path, {"level": 3})
    other = tmp_path / "other.db"
    done = ok(kloe(other, "import", str(path)))
    assert "saved as revision 1 of the lead track (new in this store; the workbook was exported at revision 1 of another store)" in done.stdout
    assessment, revisions = stored(other, "ac-benefits")
    assert (assessment.kloes["2.1"], revisions) == (KloeRecord(level=2, strengths="Good staff"), 1)


# -- what the import does not refuse ------------------------------------------------------------------
def test_a_decision_without_the_rationale_scoring_asks_for_is_imported_and_kloe_score_names_it(tmp_path):
    """The model does not require a rationale (the form only warns); scoring names what is missing, so the import keeps it."""
    store, path = tmp_path / "kloe.db", tmp_path / "t.xlsx"
    ok(kloe(store, "template", "--framework", "hi-prospects", "-o", str(path)))
    book = load_workbook(path)
    book[ABOUT]["B7"], book[ABOUT]["B8"], book[ABOUT]["B9"] = "00123", "Anytown", "2009/10"
    for row in range(2, 12):
        if book["Question 1"].cell(row, 1).value:
            book["Question 1"].cell(row, 4).value = "2 Uncertain prospects"
    book[JUDGEMENTS]["C2"] = "4 Excellent prospects"
    book.save(path)
    ok(kloe(store, "import", str(path)))
    assert stored(store, "hi-prospects")[0].judgements == {"J2": JudgementDecision(level=4)}
    scored = kloe(store, "score", "--framework", "hi-prospects", "--org", "00123", "--period", "2009/10", "--json")
    assert scored.returncode == 2 and "the decided level 4 differs from the suggested 2; record a rationale" in scored.stderr


def test_kloe_score_of_a_filled_workbook_reads_its_verdicts_and_decisions(tmp_path):
    """``kloe score FILE.xlsx`` reads the whole workbook, statements and decisions too."""
    framework = load_framework("ac-benefits")
    path = tmp_path / "t.xlsx"
    ok(kloe(tmp_path / "kloe.db", "template", "--framework", "ac-benefits", "-o", str(path)))
    book = load_workbook(path)
    expected = fill_like_a_council(book, framework)
    book.save(path)
    done = ok(kloe(tmp_path / "kloe.db", "score", str(path), "--json"))
    assert json.loads(done.stdout) == json.loads(json.dumps(score(framework, expected).to_json_data()))
    assert any(kloe_.get("counts") for kloe_ in json.loads(done.stdout)["kloes"].values())  # the verdicts were read


def _template_over_a_stored_council(tmp_path):
    """A hi-prospects template imported once (level 3, so the store holds revision 1), then filled differently."""
    store, path = tmp_path / "kloe.db", tmp_path / "t.xlsx"
    ok(kloe(store, "template", "--framework", "hi-prospects", "-o", str(path)))
    book = load_workbook(path)
    book[ABOUT]["B7"], book[ABOUT]["B8"], book[ABOUT]["B9"] = "00123", "Anytown", "2009/10"
    book["Question 1"]["D2"] = "3 Promising prospects"
    book.save(path)
    ok(kloe(store, "import", str(path)))
    return store, path, book


def test_a_blank_template_over_a_stored_council_that_differs_in_a_field_is_refused_naming_it_and_saves_nothing(tmp_path):
    """A template records no revision: read as edits of an empty assessment, it may not overwrite what the store holds."""
    store, path, book = _template_over_a_stored_council(tmp_path)
    book["Question 1"]["D2"], book["Question 1"]["F2"] = "2 Uncertain prospects", "A track record"
    book.save(path)
    done = kloe(store, "import", str(path))
    assert done.returncode == 2
    assert "NOT SAVED" in done.stderr and "blank template" in done.stderr and "level" in done.stderr and "--replace" in done.stderr
    stored_now = stored(store, "hi-prospects")
    assert stored_now[0].kloes == {"track-record": KloeRecord(level=3)} and stored_now[1] == 1


def test_a_blank_template_over_a_stored_council_adds_what_it_fills_in_and_keeps_what_it_leaves_blank(tmp_path):
    store, path, book = _template_over_a_stored_council(tmp_path)
    book["Question 1"]["D2"], book["Question 1"]["F2"] = None, "A track record"
    book.save(path)
    done = ok(kloe(store, "import", str(path)))
    assert "saved as revision 2 of the lead track (a blank template: what it fills in was added to revision 1" in done.stdout
    assert stored(store, "hi-prospects")[0].kloes == {"track-record": KloeRecord(level=3, strengths="A track record")}


def test_a_blank_template_imported_with_replace_saves_its_values_over_the_stored_ones_and_says_so(tmp_path):
    store, path, book = _template_over_a_stored_council(tmp_path)
    book["Question 1"]["D2"], book["Question 1"]["F2"] = "2 Uncertain prospects", "A track record"
    book.save(path)
    done = ok(kloe(store, "import", "--replace", str(path)))
    assert "saved as revision 2 of the lead track (--replace: the template's values replaced what revision 1 held" in done.stdout
    assert stored(store, "hi-prospects")[0].kloes == {"track-record": KloeRecord(level=2, strengths="A track record")}
