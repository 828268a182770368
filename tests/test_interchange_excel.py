"""The Excel self-assessment template: exact round trips, and every bad workbook reported by sheet and cell (RELIABILITY.md 6, 24).

Bad workbooks are made here, next to the assertion: a template is exported, then changed the
way people change them in Excel (openpyxl standing in for Excel), then imported.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from kloe_nb.assessment.model import Assessment, Evidence, JudgementDecision, KloeRecord, Organisation
from kloe_nb.assessment.validate import check_assessment
from kloe_nb.errors import InvalidInputError
from kloe_nb.framework.loader import framework_paths, load_framework
from kloe_nb.framework.model import Framework
from kloe_nb.interchange import read_assessment
from kloe_nb.interchange.cells import InterchangeWarning
from kloe_nb.interchange.excel_io import (
    ABOUT,
    NOT_IN_TEMPLATE,
    parse_level,
    read_assessment_xlsx,
    sheet_names,
    write_assessment_xlsx,
)

AWKWARD = [
    "00123", '=HYPERLINK("http://evil.example","click")', "- a bullet", "+44 1234", "@mention", "Line one\r\nline two",
    "Word's manual line\x0bbreak", "emoji 😀 and ‮override‬", "  spaced  ", "#N/A", "None", "_x0041_ literal",
]


def filled(framework: Framework) -> Assessment:
    """Every KLOE filled in: a level where it is scored, all the text columns, awkward text cycled through."""
    kloes = {}
    for index, (group, kloe) in enumerate(framework.iter_kloes()):
        scale = framework.scale_for_group(group)
        levels = [level.level for level in scale.levels] if scale and kloe.scored and group.scored else []
        odd = AWKWARD[index % len(AWKWARD)]
        kloes[kloe.id] = KloeRecord(
            level=levels[index % len(levels)] if levels else None,
            current_position=f"{odd}\nPosition of {kloe.id}",
            evidence=[
                Evidence(note=f"Plain note for {kloe.id}"),
                Evidence(source="Committee minutes", reference="p. 3", note=odd.replace("\r\n", " ")),  # one line each
                Evidence(source="Inspection report", reference="", note="", date_seen="2009-03-01"),
                Evidence(note="one — separator is fine"),
            ],
            strengths=odd if index % 2 else "",
            areas_for_improvement=f"Improve {kloe.id}",
        )
    return Assessment(framework=framework.id, organisation=Organisation(code="00123", name="Ynys Môn"),
                      period="2008/09", assessor="A. Analyst", kloes=kloes)


def exported(tmp_path: Path, framework_id: str = "ac-benefits", assessment: Assessment | None = None,
             name: str = "self-assessment.xlsx") -> Path:
    framework = load_framework(framework_id)
    return write_assessment_xlsx(framework, assessment if assessment is not None else filled(framework), tmp_path / name)


def edited(path: Path, change: Callable[[Workbook], object]) -> Path:
    """The workbook after a change made the way a person would make it in Excel."""
    book = load_workbook(path)
    change(book)
    book.save(path)
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InvalidInputError) as caught:
        read_assessment_xlsx(path)
    return [str(problem) for problem in caught.value.problems]


def at(path: Path, sheet: str, cell: str) -> str:
    return f"{path}, sheet '{sheet}', cell {cell}: "


# -- round trips -----------------------------------------------------------------------------


@pytest.mark.parametrize("framework_id", ["ac-benefits", "hi-prospects", "caa-2009", "wao-housing"])
def test_export_then_import_gives_back_everything_the_template_holds(tmp_path, framework_id):
    if framework_id not in framework_paths():
        pytest.skip(f"{framework_id} is not written yet")
    original = filled(load_framework(framework_id))
    assert read_assessment_xlsx(exported(tmp_path, framework_id, original)) == original


def test_what_the_template_does_not_hold_is_left_out_and_said_so(tmp_path):
    framework = load_framework("ac-benefits")
    original = filled(framework)
    original.kloes["2.1"] = original.kloes["2.1"].model_copy(update={"met": {3: [0, 1]}, "rationale": "why"})
    original.judgements["J1"] = JudgementDecision(level=3, rationale="overall")
    path = write_assessment_xlsx(framework, original, tmp_path / "a.xlsx")
    back = read_assessment(path)
    assert back.kloes["2.1"].met == {} and back.kloes["2.1"].rationale == "" and back.judgements == {}
    assert back.kloes["2.1"].level == original.kloes["2.1"].level
    about_text = " ".join(str(cell.value) for row in load_workbook(path)[ABOUT].iter_rows() for cell in row if cell.value)
    assert NOT_IN_TEMPLATE in about_text and "descriptor statements are met" in about_text


def test_a_kloe_the_framework_no_longer_has_is_exported_and_comes_back(tmp_path):
    framework = load_framework("ac-benefits")
    original = filled(framework)
    original.kloes["7.7"] = KloeRecord(level=2, strengths="from an older framework")
    back = read_assessment_xlsx(write_assessment_xlsx(framework, original, tmp_path / "a.xlsx"))
    assert back == original
    assert check_assessment(framework, back).unknown_kloes == ["7.7"]


def test_a_line_break_inside_an_evidence_item_keeps_the_text_as_two_items(tmp_path):
    framework = load_framework("ac-benefits")
    original = Assessment(framework="ac-benefits", organisation=Organisation(code="1", name="A"),
                          kloes={"2.1": KloeRecord(evidence=[Evidence(source="Minutes", reference="p. 3", note="first\nsecond")])})
    back = read_assessment_xlsx(write_assessment_xlsx(framework, original, tmp_path / "a.xlsx"))
    assert back.kloes["2.1"].evidence == [Evidence(source="Minutes", reference="p. 3", note="first"), Evidence(note="second")]


def test_blank_template_has_about_cells_dropdowns_and_read_only_descriptors(tmp_path):
    framework = load_framework("ac-benefits")
    path = write_assessment_xlsx(framework, None, tmp_path / "blank.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == [ABOUT, *sheet_names(framework)] == [ABOUT, *(f"Question {n}" for n in range(1, 7))]
    about = {row[0].value: row[1].value for row in book[ABOUT].iter_rows(min_row=4, max_row=11)}
    assert about["Framework id"] == "ac-benefits" and about["Framework version"] == framework.version
    assert about["Organisation code"] == "" or about["Organisation code"] is None
    question2 = book["Question 2"]
    assert [cell.value for cell in question2[1]][:7] == [
        "KLOE id", "KLoE / Criteria", "Current Position", "Level", "Evidence", "Strengths", "Areas For Improvement"]
    assert [cell.value for cell in question2[1]][7:] == ["Descriptors: 3 Good", "Descriptors: 2 Fair"]
    assert question2["A2"].value == "2.1"
    assert question2["H2"].value.startswith("• ") and question2["H2"].alignment.wrap_text
    [validation] = question2.data_validations.dataValidation
    assert validation.formula1 == '"4 Excellent,3 Good,2 Fair,1 Poor"'
    assert str(validation.sqref) == " ".join(f"D{row}" for row in range(2, 10))
    assert not book["Question 1"].data_validations.dataValidation  # context only: no dropdown
    assert "(context only: not scored)" in book["Question 1"]["B2"].value
    with pytest.raises(InvalidInputError) as caught:  # blank: the organisation must be filled in first
        read_assessment_xlsx(path)
    assert [p.path for p in caught.value.problems] == ["organisation.code", "organisation.name"]


def test_sheet_names_are_excel_safe_unique_and_short():
    framework = load_framework("wao-housing")
    assert list(sheet_names(framework))[-1] == "Theme 2.10-2.11"  # '/' is not allowed in a sheet name
    long_titles = framework.model_copy(update={"groups": [
        group.model_copy(update={"number": None, "title": "Performance management: a very long [title]?"}) for group in framework.groups[:3]]})
    names = list(sheet_names(long_titles))
    assert names == ["Performance management- a very", "Performance management- a v (2)", "Performance management- a v (3)"]
    assert all(len(name) <= 31 for name in names)


def test_blank_template_filled_in_imports(tmp_path):
    path = write_assessment_xlsx(load_framework("hi-prospects"), None, tmp_path / "blank.xlsx")

    def fill(book: Workbook) -> None:
        book[ABOUT]["B7"], book[ABOUT]["B8"] = "00123", "Anytown"
        sheet = book["Question 1"]
        sheet["D2"], sheet["E2"] = "4 Excellent prospects", "Minutes — p. 3 — shows a track record\n\nAnnual report"

    assessment = read_assessment_xlsx(edited(path, fill))
    assert assessment.organisation == Organisation(code="00123", name="Anytown")
    assert assessment.kloes == {"track-record": KloeRecord(level=4, evidence=[
        Evidence(source="Minutes", reference="p. 3", note="shows a track record"), Evidence(note="Annual report")])}


def test_caa_template_follows_appendix_c_and_has_no_dropdown_for_area_assessment(tmp_path):
    framework = load_framework("caa-2009")
    path = write_assessment_xlsx(framework, None, tmp_path / "caa.xlsx")
    book = load_workbook(path)
    headings = [cell.value for cell in book["Theme 1"][1]]
    for column in framework.self_assessment_template.columns:
        assert column in headings
    assert book["Theme 1"].data_validations.dataValidation[0].formula1 == '"4,3,2,1"'
    assert not book["Question 1"].data_validations.dataValidation

    def level_in_area_assessment(book: Workbook) -> None:
        book[ABOUT]["B7"], book[ABOUT]["B8"] = "E06000001", "Hartlepool"
        book["Question 1"]["D2"] = 3

    [problem] = problems_of(edited(path, level_in_area_assessment))
    assert problem.startswith(at(path, "Question 1", "D2") + "kloes.A1.1.level: KLOE A1.1 is context only and is not scored")


# -- what a level cell may hold --------------------------------------------------------------


def test_level_cells_accept_number_text_float_dropdown_text_and_label(tmp_path):
    def levels(book: Workbook) -> None:
        sheet = book["Question 2"]
        sheet["D2"], sheet["D3"], sheet["D4"], sheet["D5"], sheet["D6"], sheet["D7"], sheet["D8"] = (
            "3", 3.0, "Good", "2 Fair", "3 Good ★★", " 2 ", None)

    assessment = read_assessment_xlsx(edited(exported(tmp_path), levels))
    assert [assessment.record(f"2.{n}").level for n in range(1, 8)] == [3, 3, 3, 2, 3, 2, None]


def test_every_bad_level_is_reported_by_sheet_and_cell_at_once(tmp_path):
    def bad_levels(book: Workbook) -> None:
        sheet = book["Question 2"]
        sheet["D2"], sheet["D3"], sheet["D4"], sheet["D5"], sheet["D6"], sheet["D7"], sheet["D8"] = (
            "three", 3.5, "N/A", 5, True, "3 Excellent", dt.datetime(2009, 3, 1))

    path = edited(exported(tmp_path), bad_levels)
    assert problems_of(path) == [
        at(path, "Question 2", "D2") + "kloes.2.1.level: level 'three' is not a level; use 1-4 or leave blank",
        at(path, "Question 2", "D3") + "kloes.2.2.level: level 3.5 is not a whole number; use 1-4 or leave blank",
        at(path, "Question 2", "D4") + "kloes.2.3.level: level 'N/A' is not a level; use 1-4 or leave blank",
        at(path, "Question 2", "D5") + "kloes.2.4.level: level 5 is not on the scale; use 1-4 or leave blank",
        at(path, "Question 2", "D6") + "kloes.2.5.level: level TRUE is not a level; use 1-4 or leave blank",
        at(path, "Question 2", "D7") + "kloes.2.6.level: level '3 Excellent' mixes 3 with the label of level 4; "
                                       "choose one from the list, or use 1-4 or leave blank",
        at(path, "Question 2", "D8") + "kloes.2.7.level: level 2009-03-01 is not a level; use 1-4 or leave blank",
    ]


def test_parse_level_on_a_scale_without_labels():
    scale = load_framework("caa-2009").scales[0]
    assert parse_level("4", scale) == (4, None) and parse_level(1.0, scale) == (1, None)
    assert parse_level(0, scale) == (None, "level 0 is not on the scale; use 1-4 or leave blank")


def test_a_level_on_a_context_only_kloe_is_refused(tmp_path):
    path = edited(exported(tmp_path), lambda book: book["Question 1"].__setitem__("D3", "3"))
    assert problems_of(path) == [
        at(path, "Question 1", "D3") + "kloes.1.2.level: KLOE 1.2 is context only and is not scored; leave Level blank (got '3')"]


# -- what a person does to a workbook --------------------------------------------------------


def test_a_renamed_sheet_is_named_with_where_its_kloes_went(tmp_path):
    path = edited(exported(tmp_path), lambda book: setattr(book["Question 2"], "title", "Q2"))
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}, sheet 'Question 2': the sheet is missing")
    assert "sheet 'Q2' holds its KLOEs: was it renamed?" in problem and "Rename the sheet back to 'Question 2'" in problem


def test_a_deleted_sheet_is_named(tmp_path):
    path = edited(exported(tmp_path), lambda book: book.remove(book["Question 5"]))
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}, sheet 'Question 5': the sheet is missing (it holds question 5: How well does the service manage performance?)")


def test_a_header_moved_down_is_found(tmp_path):
    original = filled(load_framework("ac-benefits"))
    path = edited(exported(tmp_path, assessment=original), lambda book: book["Question 2"].insert_rows(1, 3))
    assert read_assessment_xlsx(path) == original


def test_a_header_below_row_ten_is_reported(tmp_path):
    path = edited(exported(tmp_path), lambda book: book["Question 3"].insert_rows(1, 12))
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}, sheet 'Question 3': no header row in rows 1-10")


def test_a_missing_column_is_named(tmp_path):
    path = edited(exported(tmp_path), lambda book: book["Question 3"].__setitem__("F1", "Good points"))
    [problem] = problems_of(path)
    assert problem == at(path, "Question 3", "A1") + "the column 'Strengths' is missing from the header row (row 1); put it back"


def test_merged_cells_over_data_are_reported(tmp_path):
    path = edited(exported(tmp_path), lambda book: book["Question 2"].merge_cells("E3:F4"))
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}, sheet 'Question 2', cells E3:F4: are merged; unmerge them")


def test_hidden_sheets_other_than_the_templates_are_ignored_with_a_warning(tmp_path):
    original = filled(load_framework("ac-benefits"))

    def hide(book: Workbook) -> None:
        notes = book.create_sheet("Lookups")
        notes["A1"], notes.sheet_state = "KLOE id", "hidden"
        notes["A2"] = "2.1"  # would be a duplicate were it read
        book["Question 3"].sheet_state = "hidden"

    path = edited(exported(tmp_path, assessment=original), hide)
    with pytest.warns(InterchangeWarning) as caught:
        assert read_assessment_xlsx(path) == original
    messages = [str(warning.message) for warning in caught]
    assert any("hidden sheet 'Lookups' is not part of the ac-benefits template; it was ignored" in m for m in messages)
    assert any("sheet 'Question 3' is hidden; it was read all the same" in m for m in messages)


def test_a_formula_without_a_saved_value_is_reported(tmp_path):
    path = edited(exported(tmp_path), lambda book: book["Question 2"].__setitem__("F3", '=B3&" is strong"'))
    assert problems_of(path) == [at(path, "Question 2", "F3") + "kloes.2.2.strengths: has a formula with no saved value; "
                                 "open and save the file in Excel, or type the value"]


def with_cell_xml(path: Path, cell: str, xml: str, sheet_xml: str = "xl/worksheets/sheet3.xml") -> Path:
    """The workbook with one cell's XML replaced: what Excel (not openpyxl) can write. sheet3 is 'Question 2'."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    text, count = re.subn(rf'<c r="{cell}"[^>]*?(/>|>.*?</c>)', xml.replace("\\", "\\\\"), parts[sheet_xml].decode("utf-8"), flags=re.S)
    assert count == 1
    parts[sheet_xml] = text.encode("utf-8")
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def test_a_formula_with_a_saved_value_gives_the_value(tmp_path):
    path = with_cell_xml(exported(tmp_path), "F3", '<c r="F3" t="str"><f>"Good"&amp;" data"</f><v>Good data</v></c>')
    assert read_assessment_xlsx(path).kloes["2.2"].strengths == "Good data"


def test_an_error_value_is_reported(tmp_path):
    def error_value(book: Workbook) -> None:
        book["Question 2"]["G4"] = "#N/A"  # openpyxl, like Excel, takes this as the error value

    path = edited(exported(tmp_path), error_value)
    [problem] = problems_of(path)
    assert problem.startswith(at(path, "Question 2", "G4") + "kloes.2.3.areas_for_improvement: shows the error #N/A")


def test_a_kloe_twice_is_reported_naming_both_rows(tmp_path):
    def twice(book: Workbook) -> None:
        book["Question 2"]["A9"] = "2.1"
        book["Question 3"]["A3"] = "2.2"

    path = edited(exported(tmp_path), twice)
    assert problems_of(path) == [
        at(path, "Question 2", "A9") + "kloes.2.1: KLOE 2.1 appears twice: row 2 and row 9; keep one row",
        at(path, "Question 3", "A3") + "kloes.2.2: KLOE 2.2 appears twice: sheet 'Question 2' row 3 and row 3; keep one row",
    ]


def test_an_unknown_kloe_row_is_kept_for_validation_to_list(tmp_path):
    def extra_row(book: Workbook) -> None:
        book["Question 2"].append(["2.99", "", "", "2 Fair", "", "Something else"])  # read on the sheet's scale

    assessment = read_assessment_xlsx(edited(exported(tmp_path), extra_row))
    assert assessment.kloes["2.99"] == KloeRecord(level=2, strengths="Something else")
    assert check_assessment(load_framework("ac-benefits"), assessment).unknown_kloes == ["2.99"]


def test_text_over_the_model_limit_is_reported_at_its_cell(tmp_path):
    long_cell = f'<c r="C5" t="inlineStr"><is><t>{"x" * 150_000}</t></is></c>'  # openpyxl itself cuts text at 32,767
    path = with_cell_xml(exported(tmp_path), "C5", long_cell)
    [problem] = problems_of(path)
    assert problem.startswith(at(path, "Question 2", "C5") + "kloes.2.4.current_position: text is 150,000 characters long; the limit is 100,000")


def test_a_kloe_id_excel_made_into_a_number_is_reported(tmp_path):
    path = edited(exported(tmp_path), lambda book: book["Question 2"].__setitem__("A2", 2.1))
    [problem] = problems_of(path)
    assert problem.startswith(at(path, "Question 2", "A2") + "the KLOE id is the number 2.1")


def test_entries_in_a_row_without_a_kloe_id_are_reported(tmp_path):
    path = edited(exported(tmp_path), lambda book: book["Question 2"].__setitem__("F12", "lost words"))
    assert problems_of(path) == [at(path, "Question 2", "A12") + "row 12 has entries but no KLOE id; put the id back (or delete the row)"]


def test_text_is_read_as_text(tmp_path):
    def typed(book: Workbook) -> None:
        sheet = book["Question 2"]
        sheet["C2"], sheet["F2"], sheet["G2"], sheet["C3"], sheet["F3"] = (
            "00123", dt.datetime(2009, 3, 1), 42, 3.25, dt.datetime(2009, 3, 1, 14, 30))

    record = read_assessment_xlsx(edited(exported(tmp_path), typed)).kloes
    assert (record["2.1"].current_position, record["2.1"].strengths, record["2.1"].areas_for_improvement) == ("00123", "2009-03-01", "42")
    assert (record["2.2"].current_position, record["2.2"].strengths) == ("3.25", "2009-03-01T14:30:00")


def test_all_problems_are_reported_at_once(tmp_path):
    def many(book: Workbook) -> None:
        book["Question 4"].title = "Track record"
        book["Question 2"]["D2"] = "three"
        book["Question 3"].merge_cells("C2:C3")
        book["Question 6"]["A3"] = "6.1"

    problems = problems_of(edited(exported(tmp_path), many))
    assert len(problems) == 4
    assert ["sheet 'Question 4': the sheet is missing" in problems[0], "cell D2" in problems[1],
            "cells C2:C3: are merged" in problems[2], "KLOE 6.1 appears twice" in problems[3]] == [True] * 4


# -- the file itself -------------------------------------------------------------------------


def test_about_problems_unknown_framework_and_missing_about(tmp_path):
    path = edited(exported(tmp_path), lambda book: book[ABOUT].__setitem__("B4", "ac-benefit"))
    [problem] = problems_of(path)
    assert problem.startswith(at(path, ABOUT, "B4") + "framework: unknown framework 'ac-benefit'; did you mean 'ac-benefits'?")
    path = edited(exported(tmp_path, name="b.xlsx"), lambda book: setattr(book[ABOUT], "title", "Cover"))
    [problem] = problems_of(path)
    assert "the sheet 'About' is missing" in problem


def test_a_file_that_is_not_a_workbook_is_a_clear_error(tmp_path):
    (tmp_path / "text.xlsx").write_text("code,name\n", encoding="utf-8")
    [problem] = problems_of(tmp_path / "text.xlsx")
    assert "cannot be read as an Excel workbook (.xlsx)" in problem
    (tmp_path / "old.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    [problem] = problems_of(tmp_path / "old.xlsx")
    assert "Excel 97-2003 (.xls)" in problem


def test_cells_that_would_be_formulas_are_stored_as_text(tmp_path):
    framework = load_framework("ac-benefits")
    assessment = Assessment(framework="ac-benefits", organisation=Organisation(code="=1+1", name="@SUM(A1)"),
                            kloes={"2.1": KloeRecord(strengths='=HYPERLINK("http://evil.example")', current_position="-2",
                                                     evidence=[Evidence(note="+cmd")])})
    path = write_assessment_xlsx(framework, assessment, tmp_path / "a.xlsx")
    with zipfile.ZipFile(path) as archive:
        sheets = [archive.read(name).decode() for name in archive.namelist() if name.startswith("xl/worksheets/")]
    assert not any("<f>" in xml or "<f " in xml for xml in sheets)
    sheet = load_workbook(path)["Question 2"]
    assert sheet["F2"].data_type == "s" and sheet["F2"].quotePrefix and sheet["C2"].quotePrefix and sheet["E2"].quotePrefix
    assert read_assessment_xlsx(path) == assessment


def test_text_too_long_for_an_excel_cell_is_refused_on_export(tmp_path):
    framework = load_framework("ac-benefits")
    assessment = Assessment(framework="ac-benefits", organisation=Organisation(code="1", name="A"),
                            kloes={"2.1": KloeRecord(strengths="x" * 40_000)})
    with pytest.raises(InvalidInputError, match=r"kloes\.2\.1\.strengths: is 40,000 characters; an Excel cell holds at most 32,767"):
        write_assessment_xlsx(framework, assessment, tmp_path / "long.xlsx")
    assert not (tmp_path / "long.xlsx").exists()
