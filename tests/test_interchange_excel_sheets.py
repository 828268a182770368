"""Issue 15: the Descriptors, Judgements and Flags sheets, sheet protection, and every bad workbook named for what it proves.

Each bad workbook is an exported one changed the way a person (or a spreadsheet program) would
change it; every problem comes back at once, by file, sheet and cell, and nothing is read.
"""

from __future__ import annotations

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from test_interchange_excel import at, edited, exported, problems_of

from kloe_nb.assessment.model import Assessment, Flag, JudgementDecision, KloeRecord, Organisation
from kloe_nb.errors import InvalidInputError
from kloe_nb.framework.loader import bundled_ids, load_framework
from kloe_nb.framework.naming import kloe_heading
from kloe_nb.interchange.merge import carry_over
from kloe_nb.interchange.xlsx_layout import ABOUT, ACTION_PLAN, DESCRIPTORS, FLAG_CRITERIA, FLAGS, JUDGEMENTS, sheet_names
from kloe_nb.interchange.xlsx_read import read_assessment_xlsx, read_workbook
from kloe_nb.interchange.xlsx_statements import DESCRIBES, FALLS_SHORT, MET
from kloe_nb.interchange.xlsx_write import write_assessment_xlsx


def statement_row(sheet: Worksheet, kloe_id: str, level_label: str, number: int) -> int:
    """The row of a statement on the Descriptors sheet, found as a person finds it: by KLOE, level and number."""
    return next(row[0].row for row in sheet.iter_rows(min_row=2) if (row[0].value, row[1].value, row[2].value) == (kloe_id, level_label, number))


def caa(tmp_path, flags: list[Flag] | None = None):  # type: ignore[no-untyped-def]
    framework = load_framework("caa-2009")
    assessment = Assessment(framework="caa-2009", organisation=Organisation(code="1", name="A"), flags=flags or [])
    return write_assessment_xlsx(framework, assessment, tmp_path / "caa.xlsx")


# -- what the sheets hold ------------------------------------------------------------------------
def test_the_descriptors_sheet_has_every_statement_in_the_frameworks_words_with_the_forms_verdicts(tmp_path):
    framework = load_framework("ac-benefits")
    sheet = load_workbook(write_assessment_xlsx(framework, None, tmp_path / "t.xlsx"))[DESCRIPTORS]
    assert [cell.value for cell in sheet[1]] == ["KLOE id", "Descriptor level", "No.", "Statement (the framework's words)", "Verdict"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    statements = [(kloe_id, level, number, text) for kloe_id, level, number, text, _ in rows if number is not None]
    expected = [
        (kloe.id, f"{level} {label}", index + 1, text)
        for group, kloe in framework.iter_kloes()
        for level in sorted(kloe.descriptors, reverse=True)
        for label in [next(lv.label for lv in framework.scale_for_group(group).levels if lv.level == level)]
        for index, text in enumerate(kloe.descriptors[level])
    ]
    assert statements == expected and len(expected) == 215
    headings = [text for kloe_id, level, number, text, _ in rows if number is None]
    assert [kloe_heading(kloe) for _, kloe in framework.iter_kloes() if kloe.descriptors] == [h for h in headings if h.startswith("KLOE ")]
    lead_ins = [heading for _, kloe in framework.iter_kloes() for by_index in kloe.descriptor_headings.values() for heading in by_index.values()]
    assert lead_ins and all(lead_in in headings for lead_in in lead_ins)  # the source's lead-in lines, never marked
    lowest = statement_row(sheet, "2.1", "2 Fair", 1)
    top = statement_row(sheet, "2.1", "3 Good", 1)
    offered = {row: next(v.formula1 for v in sheet.data_validations.dataValidation if sheet.cell(row, 5).coordinate in v.sqref) for row in (lowest, top)}
    assert offered == {lowest: f'"{DESCRIBES},{FALLS_SHORT}"', top: f'"{DESCRIBES}"'}
    assert DESCRIBES == "describes this organisation" and FALLS_SHORT == "falls short of this"  # the form's words (form/widgets.py)


def test_a_framework_read_as_thresholds_offers_met_only(tmp_path):
    framework = load_framework("hi-prospects").model_copy(update={"descriptor_reading": "threshold"})
    path = write_assessment_xlsx(framework, None, tmp_path / "t.xlsx")
    sheet = load_workbook(path)[DESCRIPTORS]
    assert {v.formula1 for v in sheet.data_validations.dataValidation} == {f'"{MET}"'}

    def mark(book: Workbook) -> None:
        book[ABOUT]["B7"], book[ABOUT]["B8"] = "1", "A"
        descriptors = book[DESCRIPTORS]
        descriptors.cell(statement_row(descriptors, "learning", "2 Uncertain prospects", 1), 5).value = "Met"
        descriptors.cell(statement_row(descriptors, "learning", "2 Uncertain prospects", 2), 5).value = FALLS_SHORT

    path = edited(path, mark)
    with pytest.raises(InvalidInputError) as caught:
        read_assessment_xlsx(path, lambda _: framework)
    [problem] = caught.value.problems
    assert f"kloes.learning.met.2: verdict {FALLS_SHORT!r} is not one of 'met'; choose one from the list, or leave it blank (no view)" in str(problem)
    descriptors = load_workbook(path)[DESCRIPTORS]
    descriptors.cell(statement_row(descriptors, "learning", "2 Uncertain prospects", 2), 5).value = None
    descriptors.parent.save(path)
    assert read_assessment_xlsx(path, lambda _: framework).kloes["learning"] == KloeRecord(met={2: [0]})
    stored = Assessment(  # falling short, recorded some other way (a JSON import): not the workbook's to clear
        framework="hi-prospects", organisation=Organisation(code="1", name="A"), kloes={"learning": KloeRecord(met={4: [0]}, falls_short={2: [1]})}
    )
    read = read_workbook(write_assessment_xlsx(framework, stored, tmp_path / "s.xlsx"), lambda _: framework)
    assert read.carried.statement_fields == {"met"} and read.assessment.kloes["learning"] == KloeRecord(met={4: [0]})
    assert carry_over(stored, read) == stored


def test_every_sheet_is_protected_without_a_password_and_only_what_a_person_fills_in_is_unlocked(tmp_path):
    framework = load_framework("caa-2009")
    book = load_workbook(write_assessment_xlsx(framework, None, tmp_path / "caa.xlsx"))
    for sheet in book.worksheets:
        assert sheet.protection.sheet and not sheet.protection.password, sheet.title
        assert not sheet.protection.formatColumns and not sheet.protection.formatRows  # columns and rows may still be resized
    assert [book[ABOUT][f"B{row}"].protection.locked for row in range(4, 15)] == [True, True, True] + [False] * 6 + [True, True]
    theme = book["Theme 1"]
    assert [theme.cell(2, column).protection.locked for column in range(1, 10)] == [True, True, False, False, False, False, False, False, True]
    judgements = book[JUDGEMENTS]
    assert [judgements.cell(2, column).protection.locked for column in range(1, 5)] == [True, True, False, False]
    area = len(framework.judgements) + 1  # the unscored area assessment: no level, a rationale
    assert (judgements.cell(area, 3).protection.locked, judgements.cell(area, 4).protection.locked) == (True, False)
    assert all(cell.protection.locked for row in book[FLAG_CRITERIA].iter_rows() for cell in row)
    flags, plan = book[FLAGS], book[ACTION_PLAN]
    assert not flags.protection.insertRows and not flags.protection.deleteRows and not plan.protection.deleteRows  # rows come and go
    assert flags["A1"].protection.locked and not any(cell.protection.locked for cell in flags[2])
    assert plan["A1"].protection.locked and not any(cell.protection.locked for cell in plan[2])
    descriptors = load_workbook(write_assessment_xlsx(load_framework("ac-benefits"), None, tmp_path / "ac.xlsx"))[DESCRIPTORS]
    row = statement_row(descriptors, "2.1", "3 Good", 1)
    assert [descriptors.cell(row, column).protection.locked for column in range(1, 6)] == [True, True, True, True, False]
    assert descriptors.cell(2, 5).protection.locked  # the KLOE's heading row takes no verdict


def test_the_judgements_sheet_offers_the_scales_levels_as_the_level_columns_show_them(tmp_path):
    framework = load_framework("ac-benefits")
    assessment = Assessment(framework="ac-benefits", organisation=Organisation(code="1", name="A"), judgements={"J2": JudgementDecision(level=3)})
    sheet = load_workbook(write_assessment_xlsx(framework, assessment, tmp_path / "a.xlsx"))[JUDGEMENTS]
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["Judgement id", "Judgement", "Decided level", "Rationale"],
        ["J1", "How good is the service?", None, None],
        ["J2", "What prospects are there for improvement?", "3 Promising prospects", None],
    ]
    assert [v.formula1 for v in sheet.data_validations.dataValidation] == [
        '"4 Excellent,3 Good,2 Fair,1 Poor"',
        '"4 Excellent prospects,3 Promising prospects,2 Uncertain prospects,1 Poor prospects"',
    ]


def test_flags_round_trip_in_order_with_their_criteria_numbered_from_one(tmp_path):
    flags = [
        Flag(colour="green", subject="Partnership working", reason="Outstanding\nfor three years", criteria=[0, 1]),
        Flag(colour="red", subject="=Older people's housing", reason="", criteria=[]),
        Flag(colour="red", subject="Safeguarding", criteria=[6]),
    ]
    path = caa(tmp_path, flags)
    book = load_workbook(path)
    assert [[cell.value for cell in row] for row in book[FLAGS].iter_rows(max_row=4)][1:] == [
        ["green", "Partnership working", "Outstanding\nfor three years", "1, 2"],
        ["red", "=Older people's housing", None, None],
        ["red", "Safeguarding", None, "7"],
    ]
    criteria = [[cell.value for cell in row] for row in book[FLAG_CRITERIA].iter_rows(min_row=2, max_row=10)]
    framework = load_framework("caa-2009")
    assert framework.flags is not None
    assert criteria == [[kind.colour, n, text] for kind in framework.flags.kinds for n, text in enumerate(kind.criteria, start=1)]
    assert read_assessment_xlsx(path).flags == flags

    def typed(book: Workbook) -> None:
        sheet = book[FLAGS]
        sheet.delete_rows(2)  # the green flag dropped
        sheet["A4"], sheet["B4"], sheet["D4"] = "Red flag", "Added in Excel", 3  # the form's 'red flag' and a number typed
        sheet["D3"] = "5; 7 and 1"

    assert read_assessment_xlsx(edited(path, typed)).flags == [
        flags[1],
        Flag(colour="red", subject="Safeguarding", criteria=[0, 4, 6]),
        Flag(colour="red", subject="Added in Excel", criteria=[2]),
    ]


def test_a_framework_without_flags_has_no_flags_sheet(tmp_path):
    book = load_workbook(exported(tmp_path))
    assert FLAGS not in book.sheetnames and FLAG_CRITERIA not in book.sheetnames
    assert read_workbook(exported(tmp_path, name="b.xlsx")).carried.flags is False


@pytest.mark.parametrize("framework_id", bundled_ids())
def test_a_blank_template_of_every_framework_reads_as_nothing_recorded(tmp_path, framework_id):
    path = write_assessment_xlsx(load_framework(framework_id), None, tmp_path / "t.xlsx")
    path = edited(path, lambda book: (book[ABOUT].__setitem__("B7", "1"), book[ABOUT].__setitem__("B8", "A")))
    read = read_workbook(path)
    assert read.assessment == Assessment(framework=framework_id, organisation=Organisation(code="1", name="A")) and read.revision is None


# -- bad workbooks ----------------------------------------------------------------------------------
def test_a_verdict_not_in_the_list_is_named_by_its_cell(tmp_path):
    def typed(book: Workbook) -> None:
        sheet = book[DESCRIPTORS]
        sheet.cell(statement_row(sheet, "2.1", "3 Good", 2), 5).value = "yes"

    path = edited(exported(tmp_path), typed)
    row = statement_row(load_workbook(path)[DESCRIPTORS], "2.1", "3 Good", 2)
    assert problems_of(path) == [
        at(path, DESCRIPTORS, f"E{row}") + "kloes.2.1.met.3: verdict 'yes' is not one of 'describes this organisation'; "
        "choose one from the list, or leave it blank (no view)"
    ]


def test_falling_short_of_a_statement_above_the_lowest_level_is_refused(tmp_path):
    def typed(book: Workbook) -> None:
        sheet = book[DESCRIPTORS]
        sheet.cell(statement_row(sheet, "2.1", "3 Good", 1), 5).value = "Falls short of this"

    path = edited(exported(tmp_path), typed)
    [problem] = problems_of(path)
    assert "kloes.2.1.falls_short.3: verdict 'Falls short of this': only statements of the lowest described level (2) can be fallen short of" in problem


def test_a_verdict_on_a_heading_row_is_refused(tmp_path):
    path = edited(exported(tmp_path), lambda book: book[DESCRIPTORS].__setitem__("E2", DESCRIBES))
    assert problems_of(path) == [at(path, DESCRIPTORS, "E2") + "kloes.2.1: this row is the heading of KLOE 2.1, not a statement; leave its verdict blank"]


def test_a_verdict_whose_statement_no_longer_reads_as_the_frameworks_is_refused(tmp_path):
    """A framework changed since the export (or locked text edited): the verdict would land on another statement."""

    def changed(book: Workbook) -> None:
        sheet = book[DESCRIPTORS]
        row = statement_row(sheet, "2.1", "3 Good", 1)
        sheet.cell(row, 4).value, sheet.cell(row, 5).value = "Some other statement", DESCRIBES

    path = edited(exported(tmp_path), changed)
    [problem] = problems_of(path)
    assert "kloes.2.1.met.3: the statement here is not statement 1 of KLOE 2.1 level 3 in framework ac-benefits" in problem
    assert ", cell D" in problem and "export the workbook again and mark the statements there" in problem


def test_a_statement_twice_is_named_with_both_rows(tmp_path):
    def copied(book: Workbook) -> None:
        sheet = book[DESCRIPTORS]
        row = statement_row(sheet, "2.1", "3 Good", 1)
        sheet.append([cell.value for cell in sheet[row]])
        sheet.cell(sheet.max_row, 5).value = DESCRIBES

    path = edited(exported(tmp_path), copied)
    [problem] = problems_of(path)
    assert "statement 1 of KLOE 2.1 level 3 appears twice: rows 3 and" in problem


def test_a_decided_level_off_the_scale_and_a_level_on_an_unscored_judgement_are_named(tmp_path):
    def decided(book: Workbook) -> None:
        sheet = book[JUDGEMENTS]
        sheet["C2"], sheet["C8"] = "5", "3"  # managing finances: 5; the area assessment is not scored

    path = edited(caa(tmp_path), decided)
    assert problems_of(path) == [
        at(path, JUDGEMENTS, "C2") + "judgements.managing_finances.level: level '5' is not on the scale; use 1-4 or leave blank",
        at(path, JUDGEMENTS, "C8") + "judgements.area_assessment.level: 'Area Assessment' is not scored; leave it blank (got '3')",
    ]


def test_an_unknown_judgement_id_is_named(tmp_path):
    path = edited(exported(tmp_path), lambda book: book[JUDGEMENTS].append(["J9", "", "2 Fair", "why"]))
    [problem] = problems_of(path)
    assert problem.startswith(at(path, JUDGEMENTS, "A4") + "judgements.J9: unknown judgement 'J9' (framework ac-benefits has J1, J2)")


def test_an_unknown_flag_colour_a_missing_subject_and_criteria_that_do_not_exist_are_named(tmp_path):
    def bad(book: Workbook) -> None:
        sheet = book[FLAGS]
        sheet["A2"], sheet["B2"] = "amber", "Transport"
        sheet["A3"], sheet["C3"] = "red", "A reason without a subject"
        sheet["A4"], sheet["B4"], sheet["D4"] = "green", "Schools", "1, 3"
        sheet["A5"], sheet["B5"], sheet["D5"] = "red", "Waste", "first"

    path = edited(caa(tmp_path), bad)
    assert problems_of(path) == [
        at(path, FLAGS, "A2") + "flags[0].colour: flag colour 'amber' is not one of red, green (the framework's flags); choose one from the list",
        at(path, FLAGS, "B3") + "flags[1].subject: a flag needs a subject: say what it is about (or clear the row)",
        at(path, FLAGS, "D4") + "flags[2].criteria: criterion 3 does not exist: green flags have criteria 1-2 (see the sheet 'Flag criteria')",
        at(path, FLAGS, "D5") + "flags[3].criteria: criteria 'first' is not a list of criterion numbers; "
        "type the numbers from the sheet 'Flag criteria', for example 1, 3",
    ]


@pytest.mark.parametrize("sheet", [DESCRIPTORS, JUDGEMENTS])
def test_a_missing_descriptors_or_judgements_sheet_is_named(tmp_path, sheet):
    path = edited(exported(tmp_path), lambda book: book.remove(book[sheet]))
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}, sheet '{sheet}': the sheet is missing") and f"Restore the sheet '{sheet}'" in problem


def test_a_missing_flags_sheet_is_named(tmp_path):
    path = edited(caa(tmp_path), lambda book: book.remove(book[FLAGS]))
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}, sheet 'Flags': the sheet is missing (it holds the red and green flags, one a row")


def test_a_missing_rationale_column_is_named(tmp_path):
    path = edited(exported(tmp_path), lambda book: book["Question 4"].__setitem__("H1", "Notes"))
    assert problems_of(path) == [at(path, "Question 4", "A1") + "the column 'Why it differs' is missing from the header row (row 1); put it back"]


def test_a_store_revision_that_is_not_a_number_and_a_layout_from_a_newer_version_are_named(tmp_path):
    def about(book: Workbook) -> None:
        book[ABOUT]["B13"], book[ABOUT]["B14"] = "3: something newer", "latest"

    path = edited(exported(tmp_path), about)
    assert problems_of(path) == [
        at(path, ABOUT, "B13") + "workbook layout '3: something newer' is not one this kloe-workbook reads (1 to 2): was it made by a newer version?",
        at(path, ABOUT, "B14") + "the store revision 'latest' is not a revision number; export the workbook again (or clear the cell)",
    ]


def test_every_problem_of_every_sheet_is_reported_at_once(tmp_path):
    def many(book: Workbook) -> None:
        book["Question 2"]["D2"] = "five"
        sheet = book[DESCRIPTORS]
        sheet.cell(statement_row(sheet, "3.1", "3 Good", 1), 5).value = "partly"
        book[JUDGEMENTS]["C3"] = "Outstanding"
        book[ACTION_PLAN]["A2"], book[ACTION_PLAN]["G2"] = "2.1", "urgent"

    problems = problems_of(edited(exported(tmp_path, assessment=Assessment(framework="ac-benefits", organisation=Organisation(code="1", name="A"))), many))
    assert [problem.split(": ")[0].rsplit(", ", 2)[-2:] for problem in problems] == [
        ["sheet 'Question 2'", "cell D2"],
        ["sheet 'Action plan'", "cell G2"],
        ["sheet 'Descriptors'", f"cell E{statement_row(load_workbook(tmp_path / 'self-assessment.xlsx')[DESCRIPTORS], '3.1', '3 Good', 1)}"],
        ["sheet 'Judgements'", "cell C3"],
    ]


def test_a_kloe_the_framework_no_longer_has_keeps_its_verdicts_from_the_store(tmp_path):
    """Its statements are not on the Descriptors sheet (the framework has no words for them), so they are not the workbook's to clear."""
    framework = load_framework("ac-benefits")
    stored = Assessment(framework="ac-benefits", organisation=Organisation(code="1", name="A"), kloes={"7.7": KloeRecord(level=2, met={2: [0]})})
    read = read_workbook(write_assessment_xlsx(framework, stored, tmp_path / "a.xlsx"))
    assert "7.7" not in read.carried.statement_kloes and read.assessment.kloes["7.7"] == KloeRecord(level=2)
    assert carry_over(stored, read) == stored


def test_every_group_sheet_and_the_new_sheets_keep_their_names_apart():
    for framework_id in bundled_ids():
        names = {name.lower() for name in sheet_names(load_framework(framework_id))}
        assert not names & {DESCRIPTORS.lower(), JUDGEMENTS.lower(), FLAGS.lower(), FLAG_CRITERIA.lower()}
