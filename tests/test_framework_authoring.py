"""Frameworks a user can author: ``kloe frameworks new`` and the spreadsheet layout (``to-xlsx``, ``from-xlsx``).

docs/authoring.md is the guide; the layout is in ``kloe_nb/interchange/framework_xlsx.py``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO_ROOT
from openpyxl import Workbook, load_workbook

from kloe_nb.assessment import Assessment, KloeRecord, Organisation
from kloe_nb.errors import InvalidInputError, KloeError
from kloe_nb.form.session import FormSession
from kloe_nb.framework.loader import load_framework, load_framework_by_id, load_framework_record
from kloe_nb.framework.model import Framework
from kloe_nb.framework.skeleton import skeleton_yaml, write_skeleton
from kloe_nb.interchange.framework_xlsx import framework_yaml, read_framework_xlsx, write_framework_xlsx
from kloe_nb.scoring import score
from kloe_nb.store import AssessmentKey, open_store

BUNDLED = ["ac-benefits", "ac-judgement2", "caa-2009", "hi-prospects", "wao-housing"]


def kloe(*args: str, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "kloe_nb.cli.main", *args], capture_output=True, text=True, cwd=cwd, env=env)


# -- kloe frameworks new ---------------------------------------------------------------------------
def test_new_skeleton_validates_loads_by_id_scores_and_opens_in_the_form(tmp_path, monkeypatch):
    result = kloe("frameworks", "new", "my-council", "-o", str(tmp_path / "my-council.yaml"))
    assert result.returncode == 0, result.stderr
    checked = kloe("frameworks", "validate", str(tmp_path / "my-council.yaml"))
    assert checked.returncode == 0 and "ok (my-council, 1 KLOEs)" in checked.stdout, checked.stderr

    monkeypatch.setenv("KLOE_FRAMEWORKS_PATH", str(tmp_path))
    record = load_framework_by_id("my-council")
    framework = record.framework
    assert [kloe.id for _, kloe in framework.iter_kloes()] == ["1.1"]
    assert sorted(framework.kloe("1.1").descriptors) == [2, 4]
    assert [level.level for level in framework.scales[0].levels] == [4, 3, 2, 1]

    empty = Assessment(framework="my-council", organisation=Organisation(code="X1", name="Example council"), period="2024", assessor="a")
    assert score(framework, empty).judgements["J1"].level is None
    levelled = empty.model_copy(update={"kloes": {"1.1": KloeRecord(level=3)}})
    assert score(framework, levelled).judgements["J1"].options == [3]

    session = FormSession(framework, open_store(tmp_path / "kloe.db"), AssessmentKey("my-council", "X1", "2024"), owns_store=True, assessor="a")
    try:
        assert session.set_level("1.1", 4)
        assert session.scores().kloes["1.1"].level == 4
    finally:
        session.close()


def test_every_text_of_the_skeleton_says_it_is_an_example():
    framework = Framework.model_validate(__import__("yaml").safe_load(skeleton_yaml("x")))
    texts = [framework.title, framework.publisher, framework.source.title, *framework.notes]
    texts += [scale.title for scale in framework.scales] + [level.label or "" for scale in framework.scales for level in scale.levels]
    texts += [j.title for j in framework.judgements] + [g.title for g in framework.groups]
    for _, kloe_ in framework.iter_kloes():
        texts += [kloe_.title, *kloe_.prompts, *(s for statements in kloe_.descriptors.values() for s in statements)]
    assert all("example" in text.lower() for text in texts), [t for t in texts if "example" not in t.lower()]
    assert "none of it\n# comes from any inspectorate" in skeleton_yaml("x")


def test_new_refuses_an_existing_file_and_leaves_it_alone(tmp_path):
    target = tmp_path / "mine.yaml"
    target.write_text("my own work\n")
    result = kloe("frameworks", "new", "mine", "-o", str(target))
    assert result.returncode == 2 and "already exists; nothing was written" in result.stderr
    assert "Traceback" not in result.stderr
    assert target.read_text() == "my own work\n"


@pytest.mark.parametrize("bad", ["my council", "-dash-first", "a/b", "", "x" * 81, "café"])
def test_new_refuses_a_bad_id_in_plain_words(tmp_path, bad):
    with pytest.raises(KloeError, match="is not a framework id: use 1 to 80 letters"):
        write_skeleton(bad, tmp_path / "x.yaml")
    assert not (tmp_path / "x.yaml").exists()


# -- to-xlsx then from-xlsx --------------------------------------------------------------------------
@pytest.mark.parametrize("framework_id", BUNDLED)
def test_to_xlsx_then_from_xlsx_gives_back_an_equal_framework(tmp_path, framework_id):
    framework = load_framework(framework_id)
    back = read_framework_xlsx(write_framework_xlsx(framework, tmp_path / "f.xlsx"))
    assert back == framework
    (tmp_path / f"{framework_id}.yaml").write_text(framework_yaml(back), encoding="utf-8")
    assert load_framework_record(tmp_path / f"{framework_id}.yaml").framework == framework


def test_features_outside_the_simple_columns_travel_in_the_more_sheet(tmp_path):
    book = load_workbook(write_framework_xlsx(load_framework("caa-2009"), tmp_path / "caa.xlsx"))
    fields = {(row[0], row[2]) for row in book["More"].iter_rows(min_row=2, values_only=True)}
    assert {("framework", "tables"), ("framework", "flags"), ("framework", "self_assessment_template"), ("judgement", "rule")} <= fields
    assert ("KLOE", "focus") in fields
    assert book["Framework"]["A2"].value == "id" and book["Framework"]["B2"].value == "caa-2009"


def test_cli_round_trip_and_from_xlsx_refuses_to_replace_without_force(tmp_path):
    assert kloe("frameworks", "to-xlsx", "hi-prospects", "-o", str(tmp_path / "hi.xlsx")).returncode == 0
    made = kloe("frameworks", "from-xlsx", str(tmp_path / "hi.xlsx"), "-o", str(tmp_path / "hi-prospects.yaml"))
    assert made.returncode == 0, made.stderr
    assert load_framework_record(tmp_path / "hi-prospects.yaml").framework == load_framework("hi-prospects")
    again = kloe("frameworks", "from-xlsx", str(tmp_path / "hi.xlsx"), "-o", str(tmp_path / "hi-prospects.yaml"))
    assert again.returncode == 2 and "Give --force" in again.stderr
    assert kloe("frameworks", "from-xlsx", str(tmp_path / "hi.xlsx"), "-o", str(tmp_path / "hi-prospects.yaml"), "--force").returncode == 0


# -- a workbook drafted by hand ----------------------------------------------------------------------
def drafted(tmp_path: Path, change=None) -> Path:
    """A framework typed into a fresh workbook as docs/authoring.md lays it out (numbers typed as numbers)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Framework"
    for row in [
        ("Field", "Value"),
        ("id", "draft"),
        ("title", "Example drafted framework"),
        ("version", 1),
        ("publisher", "Example publisher"),
        ("date", "undated"),
        ("descriptor reading", "threshold"),
        ("source document", "example.txt"),
        ("source title", "Example source"),
        (),
        ("Scale", "Scale title", "Level", "Label", "Stars"),
        ("s", "Example scale", 4, "Excellent", 3),
        ("s", None, 3, "Good", 2),
        ("s", None, 2, "Fair", 1),
        ("s", None, 1, "Poor", 0),
        (),
        ("Judgement", "Title", "Scale", "Scored"),
        ("J1", "Example judgement", "s", "yes"),
    ]:
        sheet.append(row)
    book.create_sheet("Questions").append(("Question", "Kind", "Number", "Title", "Judgement", "Scored"))
    book["Questions"].append(("q1", "question", 1, "Example question", "J1"))
    book.create_sheet("KLOEs").append(("Question", "KLOE", "Number", "Title", "Prompts", "Scored", "Parent", "Section"))
    book["KLOEs"].append(("q1", "1.1", None, "Example KLOE one", "First prompt\nSecond prompt"))
    book["KLOEs"].append(("q1", "1.2", None, "Example KLOE two"))
    book.create_sheet("Descriptors").append(("KLOE", "Level", "Heading", "Statement"))
    for row in [
        ("1.1", 4, None, "Example four"),
        ("1.1", 2, "Example lead-in:", "Example two a"),
        ("1.1", 2, None, "Example two b"),
        ("1.2", "3", None, "Example three"),
    ]:
        book["Descriptors"].append(row)
    book.create_sheet("More").append(("Of", "Id", "Field", "YAML"))
    book["More"].append(("judgement", "J1", "rule", "name: lowest"))
    if change:
        change(book)
    path = tmp_path / "draft.xlsx"
    book.save(path)
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(InvalidInputError) as error:
        read_framework_xlsx(path)
    return [str(problem) for problem in error.value.problems]


def test_a_workbook_drafted_by_hand_reads_as_its_framework(tmp_path):
    framework = read_framework_xlsx(drafted(tmp_path))
    assert framework.descriptor_reading == "threshold" and framework.version == "1"
    assert framework.groups[0].number == "1"
    assert framework.kloe("1.1").prompts == ["First prompt", "Second prompt"]
    assert framework.kloe("1.1").descriptors == {4: ["Example four"], 2: ["Example two a", "Example two b"]}
    assert framework.kloe("1.1").descriptor_headings == {2: {0: "Example lead-in:"}}
    assert framework.kloe("1.2").descriptors == {3: ["Example three"]}
    assert framework.judgements[0].rule is not None and framework.judgements[0].rule.name == "lowest"
    assert [level.stars for level in framework.scales[0].levels] == [3, 2, 1, 0]


def test_bad_workbook_unknown_kloe_is_named_at_its_cell(tmp_path):
    found = problems(drafted(tmp_path, lambda book: book["Descriptors"].append(("9.9", 4, None, "Example"))))
    assert found == [f"{tmp_path / 'draft.xlsx'}, sheet 'Descriptors', cell A6: unknown KLOE '9.9'; the KLOEs are on sheet 'KLOEs'"]


def test_bad_workbook_level_outside_the_scale(tmp_path):
    def narrow(book):
        book["Framework"].delete_rows(15)  # scale s loses its level 1
        book["Descriptors"].append(("1.2", 1, None, "Example one"))

    found = problems(drafted(tmp_path, narrow))
    assert len(found) == 1 and "sheet 'Descriptors', cell B6: level 1 is not on the scale of KLOE '1.2' (its levels: 2, 3, 4)" in found[0]


def test_bad_workbook_duplicate_kloe_id(tmp_path):
    found = problems(drafted(tmp_path, lambda book: book["KLOEs"].append(("q1", "1.1", None, "Example again"))))
    assert len(found) == 1 and "sheet 'KLOEs', cell B4: duplicate KLOE id '1.1'" in found[0]


def test_bad_workbook_empty_statement(tmp_path):
    found = problems(drafted(tmp_path, lambda book: book["Descriptors"].append(("1.2", 3, None, "   "))))
    assert len(found) == 1 and "sheet 'Descriptors', cell D6: empty statement" in found[0]


def test_bad_workbook_reports_every_problem_at_once(tmp_path):
    def damage(book):
        book["Descriptors"].append(("9.9", 4, None, "Example"))
        book["Descriptors"].append(("1.2", 7, None, "Example"))
        book["Descriptors"].append(("1.2", 3, None, None))
        book["KLOEs"].append(("q1", "1.2", None, "Example again"))
        book["KLOEs"]["D3"] = None  # KLOE 1.2 loses its title: a schema error, placed at its cell
        book["Questions"]["E2"] = "J9"  # a judgement that does not exist: a check, placed at its cell

    found = problems(drafted(tmp_path, damage))
    cells = sorted(re.search(r"sheet '(\w+)', cell (\w+)", problem).groups() for problem in found)
    assert cells == [("Descriptors", "A6"), ("Descriptors", "B7"), ("Descriptors", "D8"), ("KLOEs", "B4"), ("KLOEs", "D3")], found
    assert any("title: this field is required but missing" in problem for problem in found)


def test_bad_workbook_unknown_judgement_is_placed_at_the_question_cell(tmp_path):
    found = problems(drafted(tmp_path, lambda book: book["Questions"].__setitem__("E2", "J9")))
    assert found == [f"{tmp_path / 'draft.xlsx'}, sheet 'Questions', cell E2: groups[0].judgement: unknown judgement 'J9' (known: J1)"]


def test_bad_workbook_broken_yaml_in_more_and_a_field_that_belongs_in_a_column(tmp_path):
    def damage(book):
        book["More"].append(("KLOE", "1.1", "notes", "- [unclosed"))
        book["More"].append(("KLOE", "1.1", "title", "Example"))

    found = problems(drafted(tmp_path, damage))
    assert len(found) == 2
    assert "sheet 'More', cell D3" in found[0]
    assert "sheet 'More', cell C4: 'title' is in the sheet's columns of a KLOE" in found[1]


def test_bad_workbook_missing_sheet_and_a_decimal_id(tmp_path):
    def damage(book):
        del book["Questions"]
        book["KLOEs"]["B3"] = 1.1

    found = problems(drafted(tmp_path, damage))
    assert any("sheet 'Questions': the sheet is missing" in problem for problem in found)
    assert any("sheet 'KLOEs', cell B3: 1.1 is a number" in problem for problem in found)


def test_a_file_that_is_not_a_workbook_is_refused_before_openpyxl(tmp_path):
    fake = tmp_path / "framework.xlsx"
    fake.write_text("id,title\n")
    with pytest.raises(InvalidInputError, match="is not an Excel workbook"):
        read_framework_xlsx(fake)
