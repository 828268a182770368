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

from kloe_nb.assessment.model import Action, Assessment, Evidence, Flag, FrameworkVersion, JudgementDecision, KloeRecord, Moderation, Organisation
from kloe_nb.assessment.validate import check_assessment
from kloe_nb.errors import InvalidInputError
from kloe_nb.framework.loader import bundled_ids, load_framework
from kloe_nb.framework.model import Framework
from kloe_nb.interchange import read_assessment
from kloe_nb.interchange.action_plan_xlsx import parse_due, parse_priority
from kloe_nb.interchange.cells import InterchangeWarning
from kloe_nb.interchange.merge import carry_over
from kloe_nb.interchange.xlsx_layout import ABOUT, ACTION_PLAN, DESCRIPTORS, JUDGEMENTS, sheet_names
from kloe_nb.interchange.xlsx_read import parse_level, read_assessment_xlsx, read_workbook
from kloe_nb.interchange.xlsx_write import NOT_IN_TEMPLATE, write_assessment_xlsx

AWKWARD = [
    "00123",
    '=HYPERLINK("http://evil.example","click")',
    "- a bullet",
    "+44 1234",
    "@mention",
    "Line one\r\nline two",
    "Word's manual line\x0bbreak",
    "emoji 😀 and ‮override‬",
    "  spaced  ",
    "#N/A",
    "None",
    "_x0041_ literal",
]


def actions_for(index: int, odd: str) -> list[Action]:
    """Every third KLOE gets actions: all SMART fields, some blank, awkward text (none for the others)."""
    if index % 3:
        return []
    return [
        Action(
            area=odd,
            action=f"Action {index}: {odd}",
            owner="Head of service",
            due="2010-03-31",
            priority="high",
            resources="£10,000 and 0.5 FTE",
            measure="Backlog under 10 days\nby March",
        ),
        Action(action="Second, not yet SMART", priority="" if index % 2 else "low"),
        *([Action(area="Third", owner="=owner", due="2009-12-01", priority="medium", measure=odd)] if index % 2 else []),
    ]


def filled(framework: Framework) -> Assessment:
    """Every KLOE filled in: a level where it is scored, all the text columns, awkward text cycled through, and actions."""
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
                Evidence(source="Committee minutes", reference="p. 3", note=odd),
                Evidence(source="Inspection report", reference="", note="", date_seen="2009-03-01"),
                Evidence(note="one — separator is fine"),
            ],
            strengths=odd if index % 2 else "",
            areas_for_improvement=f"Improve {kloe.id}",
            actions=actions_for(index, odd),
        )
    return Assessment(framework=framework.id, organisation=Organisation(code="00123", name="Ynys Môn"), period="2008/09", assessor="A. Analyst", kloes=kloes)


def exported(tmp_path: Path, framework_id: str = "ac-benefits", assessment: Assessment | None = None, name: str = "self-assessment.xlsx") -> Path:
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


@pytest.mark.parametrize("framework_id", bundled_ids())
def test_export_then_import_gives_back_everything_the_template_holds(tmp_path, framework_id):
    original = filled(load_framework(framework_id))
    assert read_assessment_xlsx(exported(tmp_path, framework_id, original)) == original


def test_what_the_workbook_does_not_hold_is_left_out_and_said_so(tmp_path):
    """Moderation records alone are not in the workbook (issue 15): verdicts, rationales and decisions are."""
    framework = load_framework("ac-benefits")
    original = filled(framework)
    moderation = Moderation(levels={"": 2, "B": 3}, note="agreed")
    original.kloes["2.1"] = original.kloes["2.1"].model_copy(update={"met": {3: [0, 1]}, "rationale": "why", "moderation": moderation})
    original.judgements["J1"] = JudgementDecision(level=3, rationale="overall")
    path = write_assessment_xlsx(framework, original, tmp_path / "a.xlsx")
    back = read_assessment(path)
    assert back.kloes["2.1"].met == {3: [0, 1]} and back.kloes["2.1"].rationale == "why" and back.judgements == original.judgements
    assert back.kloes["2.1"].moderation is None and back == original.model_copy(update={"kloes": {**original.kloes, "2.1": back.kloes["2.1"]}})
    about_text = " ".join(str(cell.value) for row in load_workbook(path)[ABOUT].iter_rows() for cell in row if cell.value)
    assert NOT_IN_TEMPLATE in about_text and "moderation records" in about_text


def test_a_kloe_the_framework_no_longer_has_is_exported_and_comes_back(tmp_path):
    framework = load_framework("ac-benefits")
    original = filled(framework)
    original.kloes["7.7"] = KloeRecord(level=2, strengths="from an older framework")
    back = read_assessment_xlsx(write_assessment_xlsx(framework, original, tmp_path / "a.xlsx"))
    assert back == original
    assert check_assessment(framework, back).unknown_kloes == ["7.7"]


TRICKY_EVIDENCE = [
    Evidence(note="First paragraph.\nSecond paragraph.", date_seen="2009-03-01"),  # issue 12 item 4, as reported
    Evidence(source="Minutes\r\nof Cabinet", reference="p. 3\n(appendix)", note="a\r\nb\rc\n", date_seen="2009-03-01"),
    Evidence(source="A \u2014 B", reference="ref \u2014 with \u2014 separators", note="note \u2014 seen 2009-01-01"),
    Evidence(source="x \u2014 seen 2009-01-01", reference=" \u2014 ", note=" \u2014  \u2014 "),
    Evidence(source="2009-03-01", reference="2009-03-02", note="2009-03-03", date_seen="2009-03-04"),  # a date in every field
    Evidence(source="seen 2009-03-01"),
    Evidence(reference="seen 2009-03-01"),
    Evidence(note="seen 2009-03-01"),
    Evidence(date_seen="2010-01-01"),
    Evidence(),
    Evidence(note="  "),
    Evidence(note="\n"),
    Evidence(source="  padded  ", reference=" ref ", note=" note ", date_seen=" 2009-03-01 "),
    Evidence(source='=HYPERLINK("http://evil.example")', reference="+44 1234", note="-3\n@mention", date_seen="=TODAY()"),
    Evidence(note="_x000D_ and _x005F_x0041_ typed as text"),
]
"""Evidence the one-line-per-item form cannot say: line breaks, the separator, dates and spaces in every field."""


def everything(framework: Framework) -> Assessment:
    """``filled`` with the tricky evidence, awkward text in every free-text field, and all the template cannot hold."""
    base = filled(framework)
    described = next((kloe for _, kloe in framework.iter_kloes() if kloe.descriptors), None)
    kloes = dict(base.kloes)
    for index, (kloe_id, record) in enumerate(base.kloes.items()):
        odd = AWKWARD[index % len(AWKWARD)]
        kloes[kloe_id] = record.model_copy(
            update={
                "evidence": [*record.evidence, *TRICKY_EVIDENCE[index % 3 :: 3]],
                "strengths": f"{odd}\r\n=strength",
                "areas_for_improvement": f"+{odd}\n",
                "current_position": f"@{odd}\r",
                "rationale": f"-{odd}\nwhy",
            }
        )
    first_id = next(iter(kloes))
    kloes[first_id] = kloes[first_id].model_copy(update={"moderation": Moderation(levels={"": 2, "B": 3}, note="=agreed\n3")})
    if described is not None:
        statements = {"met": {max(described.descriptors): [0]}, "falls_short": {min(described.descriptors): [1]}}
        kloes[described.id] = kloes[described.id].model_copy(update=statements)
    return base.model_copy(
        update={
            "organisation": Organisation(code="00123", name="Ynys Môn", group="Shire districts"),
            "framework_version": FrameworkVersion(version=framework.version, sha256="0" * 64),
            "illustrative": True,
            "judgements": {framework.judgements[0].id: JudgementDecision(level=3, rationale="=because\nof -this")},
            "flags": [Flag(colour="red", subject="@subject", reason="+reason\r\nsecond", criteria=[0])],
            "kloes": kloes,
        }
    )


@pytest.mark.parametrize("framework_id", ["ac-benefits", "wao-housing"])
def test_an_unchanged_workbook_gives_back_the_whole_document(tmp_path, framework_id):
    """Issue 12 item 4: export, import the unchanged file over the stored assessment: the very same document."""
    framework = load_framework(framework_id)
    stored = everything(framework)
    path = write_assessment_xlsx(framework, stored, tmp_path / "a.xlsx")
    with zipfile.ZipFile(path) as archive:  # text like =, +, - and @ is stored as text, never as a formula
        assert not any("<f>" in archive.read(name).decode() or "<f " in archive.read(name).decode() for name in archive.namelist() if name.endswith(".xml"))
    assert carry_over(stored, read_workbook(path)) == stored


def test_multi_line_evidence_and_its_date_come_back_as_one_item(tmp_path):
    framework = load_framework("ac-benefits")
    for item in TRICKY_EVIDENCE:
        original = Assessment(framework="ac-benefits", organisation=Organisation(code="1", name="A"), kloes={"2.1": KloeRecord(evidence=[item, item])})
        back = read_assessment_xlsx(write_assessment_xlsx(framework, original, tmp_path / "a.xlsx"))
        assert back.kloes["2.1"].evidence == [item, item], item


def test_an_evidence_cell_edited_in_excel_is_read_a_line_an_item_and_said_so(tmp_path):
    framework = load_framework("ac-benefits")
    original = Assessment(
        framework="ac-benefits",
        organisation=Organisation(code="1", name="A"),
        kloes={"2.1": KloeRecord(evidence=[Evidence(source="Minutes", reference="p. 3", note="first\nsecond")])},
    )
    path = edited(
        write_assessment_xlsx(framework, original, tmp_path / "a.xlsx"),
        lambda book: book["Question 2"].__setitem__("E2", book["Question 2"]["E2"].value + "\nAudit letter \u2014 p. 1 \u2014 new"),
    )
    with pytest.warns(InterchangeWarning, match=r"sheet 'Question 2', cell E2: the Evidence cell was changed in Excel"):
        back = read_assessment_xlsx(path)
    assert back.kloes["2.1"].evidence == [
        Evidence(source="Minutes", reference="p. 3", note="first"),
        Evidence(note="second"),
        Evidence(source="Audit letter", reference="p. 1", note="new"),
    ]


def test_a_workbook_written_before_the_exact_copy_is_read_a_line_an_item(tmp_path):
    """Workbooks written by the version before issue 12 have no exact copy: their lines read as they always did."""
    framework = load_framework("ac-benefits")
    path = write_assessment_xlsx(framework, None, tmp_path / "old.xlsx")

    def old_style(book: Workbook) -> None:
        book[ABOUT]["B7"], book[ABOUT]["B8"] = "00123", "Anytown"
        sheet = book["Question 2"]
        sheet["E2"] = "Minutes \u2014 p. 3 \u2014 first \u2014 seen 2009-03-01\r\njust a note\n\nReport \u2014  \u2014 "
        sheet.delete_cols(sheet.max_column)  # no exact-copy column at all

    back = read_assessment_xlsx(edited(path, old_style))
    assert back.kloes["2.1"].evidence == [
        Evidence(source="Minutes", reference="p. 3", note="first", date_seen="2009-03-01"),
        Evidence(note="just a note"),
        Evidence(source="Report"),
    ]


def test_text_that_looks_like_excel_escapes_is_written_as_excel_writes_it(tmp_path):
    """A literal _x0041_ is stored as _x005F_x0041_ (ECMA-376 ST_Xstring), so Excel shows and saves back what was typed."""
    framework = load_framework("ac-benefits")
    original = Assessment(
        framework="ac-benefits", organisation=Organisation(code="1", name="A"), kloes={"2.1": KloeRecord(strengths="_x0041_ and _x000D_ typed")}
    )
    path = write_assessment_xlsx(framework, original, tmp_path / "a.xlsx")
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet3.xml").decode()
    assert "_x005F_x0041_ and _x005F_x000D_ typed" in xml
    assert read_assessment_xlsx(path) == original
    excel_saved = edited(path, lambda book: book["Question 2"].__setitem__("F3", "_x005F_x0041_ as Excel saves it"))
    assert read_assessment_xlsx(excel_saved).kloes["2.2"].strengths == "_x0041_ as Excel saves it"


def test_blank_template_has_about_cells_dropdowns_and_read_only_descriptors(tmp_path):
    framework = load_framework("ac-benefits")
    path = write_assessment_xlsx(framework, None, tmp_path / "blank.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == [ABOUT, *sheet_names(framework), DESCRIPTORS, JUDGEMENTS, ACTION_PLAN]
    assert list(sheet_names(framework)) == [f"Question {n}" for n in range(1, 7)]
    about = {row[0].value: row[1].value for row in book[ABOUT].iter_rows(min_row=4, max_row=11)}
    assert about["Framework id"] == "ac-benefits" and about["Framework version"] == framework.version
    assert about["Organisation code"] == "" or about["Organisation code"] is None
    question2 = book["Question 2"]
    assert [cell.value for cell in question2[1]][:8] == [
        "KLOE id",
        "KLoE / Criteria",
        "Current Position",
        "Level",
        "Evidence",
        "Strengths",
        "Areas For Improvement",
        "Why it differs",
    ]
    assert [cell.value for cell in question2[1]][8:] == ["Descriptors: 3 Good", "Descriptors: 2 Fair", "Evidence (exact copy)"]
    assert question2.column_dimensions["K"].hidden and not question2.column_dimensions["J"].hidden
    assert question2["A2"].value == "2.1"
    assert question2["I2"].value.startswith("• ") and question2["I2"].alignment.wrap_text
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
    long_titles = framework.model_copy(
        update={
            "groups": [group.model_copy(update={"number": None, "title": "Performance management: a very long [title]?"}) for group in framework.groups[:3]]
        }
    )
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
    assert assessment.kloes == {
        "track-record": KloeRecord(
            level=4, evidence=[Evidence(source="Minutes", reference="p. 3", note="shows a track record"), Evidence(note="Annual report")]
        )
    }


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
        sheet["D2"], sheet["D3"], sheet["D4"], sheet["D5"], sheet["D6"], sheet["D7"], sheet["D8"] = ("3", 3.0, "Good", "2 Fair", "3 Good ★★", " 2 ", None)

    assessment = read_assessment_xlsx(edited(exported(tmp_path), levels))
    assert [assessment.record(f"2.{n}").level for n in range(1, 8)] == [3, 3, 3, 2, 3, 2, None]


def test_every_bad_level_is_reported_by_sheet_and_cell_at_once(tmp_path):
    def bad_levels(book: Workbook) -> None:
        sheet = book["Question 2"]
        sheet["D2"], sheet["D3"], sheet["D4"], sheet["D5"], sheet["D6"], sheet["D7"], sheet["D8"] = (
            "three",
            3.5,
            "N/A",
            5,
            True,
            "3 Excellent",
            dt.datetime(2009, 3, 1),
        )

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
    assert problems_of(path) == [at(path, "Question 1", "D3") + "kloes.1.2.level: KLOE 1.2 is context only and is not scored; leave Level blank (got '3')"]


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
    with pytest.warns(InterchangeWarning, match="cell E4: the Evidence cell was changed in Excel"):  # merging emptied E4
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
    assert problems_of(path) == [
        at(path, "Question 2", "F3") + "kloes.2.2.strengths: has a formula with no saved value; open and save the file in Excel, or type the value"
    ]


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
        sheet["C2"], sheet["F2"], sheet["G2"], sheet["C3"], sheet["F3"] = ("00123", dt.datetime(2009, 3, 1), 42, 3.25, dt.datetime(2009, 3, 1, 14, 30))

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
    assert [
        "sheet 'Question 4': the sheet is missing" in problems[0],
        "cell D2" in problems[1],
        "cells C2:C3: are merged" in problems[2],
        "KLOE 6.1 appears twice" in problems[3],
    ] == [True] * 4


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
    assert "is not an Excel workbook (.xlsx): an .xlsx file is a zip archive and this one is not" in problem
    (tmp_path / "old.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    [problem] = problems_of(tmp_path / "old.xlsx")
    assert "Excel 97-2003 (.xls)" in problem


def test_cells_that_would_be_formulas_are_stored_as_text(tmp_path):
    framework = load_framework("ac-benefits")
    assessment = Assessment(
        framework="ac-benefits",
        organisation=Organisation(code="=1+1", name="@SUM(A1)"),
        kloes={"2.1": KloeRecord(strengths='=HYPERLINK("http://evil.example")', current_position="-2", evidence=[Evidence(note="+cmd")])},
    )
    path = write_assessment_xlsx(framework, assessment, tmp_path / "a.xlsx")
    with zipfile.ZipFile(path) as archive:
        sheets = [archive.read(name).decode() for name in archive.namelist() if name.startswith("xl/worksheets/")]
    assert not any("<f>" in xml or "<f " in xml for xml in sheets)
    sheet = load_workbook(path)["Question 2"]
    assert sheet["F2"].data_type == "s" and sheet["F2"].quotePrefix and sheet["C2"].quotePrefix and sheet["E2"].quotePrefix
    assert read_assessment_xlsx(path) == assessment


def test_text_too_long_for_an_excel_cell_is_refused_on_export(tmp_path):
    framework = load_framework("ac-benefits")
    assessment = Assessment(framework="ac-benefits", organisation=Organisation(code="1", name="A"), kloes={"2.1": KloeRecord(strengths="x" * 40_000)})
    with pytest.raises(InvalidInputError, match=r"kloes\.2\.1\.strengths: is 40,000 characters; an Excel cell holds at most 32,767"):
        write_assessment_xlsx(framework, assessment, tmp_path / "long.xlsx")
    assert not (tmp_path / "long.xlsx").exists()


# -- the action plan sheet (issue 6: the improvement plan) -------------------------------------


def planned(framework: Framework) -> Assessment:
    """Two KLOEs with actions, in an order the sheet must keep (2.3's actions after 2.1's)."""
    return Assessment(
        framework=framework.id,
        organisation=Organisation(code="00123", name="Anytown"),
        period="2008/09",
        kloes={
            "2.3": KloeRecord(level=2, actions=[Action(action="Benchmark costs", priority="low")]),
            "2.1": KloeRecord(
                areas_for_improvement="Use complaints",
                actions=[
                    Action(
                        area="Use complaints",
                        action="Monthly complaints review",
                        owner="Customer services manager",
                        due="2009-06-30",
                        priority="high",
                        resources="Officer time",
                        measure="Every complaint answered in 10 days",
                    ),
                    Action(action="Publish what changed"),
                ],
            ),
        },
    )


def test_the_action_plan_sheet_has_one_row_per_action_real_dates_and_a_priority_list(tmp_path):
    framework = load_framework("ac-benefits")
    path = write_assessment_xlsx(framework, planned(framework), tmp_path / "plan.xlsx")
    sheet = load_workbook(path)[ACTION_PLAN]
    assert [cell.value for cell in sheet[1]] == [
        "KLOE id",
        "KLOE",
        "Area for improvement",
        "Action",
        "Owner",
        "Due date",
        "Priority",
        "Resources",
        "Measure of success",
    ]
    assert [sheet.cell(row, 1).value for row in range(2, 5)] == ["2.1", "2.1", "2.3"]  # framework order, then as recorded
    assert sheet["B2"].value.startswith("2.1 ") and sheet["B2"].fill.fgColor.rgb.endswith("EDEDED")  # read-only, grey
    assert sheet["D2"].value == "Monthly complaints review" and sheet["E2"].value == "Customer services manager"
    assert sheet["F2"].is_date and sheet["F2"].value == dt.datetime(2009, 6, 30) and sheet["F2"].number_format == "yyyy-mm-dd"
    assert sheet["F3"].value is None and sheet["F3"].number_format == "yyyy-mm-dd"
    assert (sheet["G2"].value, sheet["G3"].value, sheet["G4"].value) == ("high", None, "low")
    priority = next(v for v in sheet.data_validations.dataValidation if v.type == "list")
    assert priority.formula1 == '"high,medium,low"' and "G2:G" in str(priority.sqref)
    assert any(v.type == "date" and "F2:F" in str(v.sqref) for v in sheet.data_validations.dataValidation)
    assert sheet["A50"].number_format == "@"  # a new row's KLOE id stays text: 1.10 is not 1.1
    assert read_assessment_xlsx(path) == planned(framework)


def test_actions_added_and_deleted_in_excel_are_imported(tmp_path):
    framework = load_framework("ac-benefits")

    def edit(book: Workbook) -> None:
        sheet = book[ACTION_PLAN]
        sheet.delete_rows(3)  # "Publish what changed"
        sheet["A4"], sheet["D4"], sheet["F4"], sheet["G4"] = "6.4", "Train the new team", dt.datetime(2010, 1, 15), "Medium"

    back = read_assessment_xlsx(edited(write_assessment_xlsx(framework, planned(framework), tmp_path / "plan.xlsx"), edit))
    assert [a.action for a in back.kloes["2.1"].actions] == ["Monthly complaints review"]
    assert back.kloes["6.4"] == KloeRecord(actions=[Action(action="Train the new team", due="2010-01-15", priority="medium")])


def test_every_bad_action_row_is_reported_by_sheet_and_cell_at_once(tmp_path):
    framework = load_framework("ac-benefits")

    def bad(book: Workbook) -> None:
        sheet = book[ACTION_PLAN]
        sheet["F2"] = "31/03/2010"
        sheet["G3"] = "urgent"
        sheet["A4"] = "9.9"
        sheet["D5"] = "An action with no KLOE"
        sheet["A6"], sheet["F6"] = "2.2", 40268
        sheet["F6"].number_format = "General"  # a plain number; in a date-formatted cell Excel shows (and saves) it as a date
        sheet["A7"] = 2.2

    path = edited(write_assessment_xlsx(framework, planned(framework), tmp_path / "plan.xlsx"), bad)
    assert problems_of(path) == [
        at(path, ACTION_PLAN, "F2") + "kloes.2.1.actions.0.due: due date '31/03/2010' is not a date written YYYY-MM-DD; "
        "type a date such as 2010-03-31, or leave it blank",
        at(path, ACTION_PLAN, "G3") + "kloes.2.1.actions.0.priority: priority 'urgent' is not one of high, medium, low; "
        "choose one from the list, or leave it blank",
        at(path, ACTION_PLAN, "A4") + "kloes.9.9: KLOE '9.9' is not in framework ac-benefits (nor on any sheet of this workbook); "
        "use a KLOE id from the question and theme sheets",
        at(path, ACTION_PLAN, "A5") + "row 5 has an action but no KLOE id; fill in the KLOE it belongs to (or delete the row)",
        at(path, ACTION_PLAN, "F6") + "kloes.2.2.actions.0.due: due date 40268 is a number, not a date; format the cell as a date "
        "or type a date such as 2010-03-31, or leave it blank",
        at(path, ACTION_PLAN, "A7") + "the KLOE id is the number 2.2: Excel turns ids like 1.10 into 1.1; type it as text (start it with ')",
    ]


def test_a_missing_action_plan_sheet_or_column_is_named(tmp_path):
    framework = load_framework("ac-benefits")
    path = edited(write_assessment_xlsx(framework, planned(framework), tmp_path / "a.xlsx"), lambda book: book.remove(book[ACTION_PLAN]))
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}, sheet '{ACTION_PLAN}': the sheet is missing (it holds the improvement plan")
    assert f"Restore the sheet '{ACTION_PLAN}'" in problem
    path = edited(write_assessment_xlsx(framework, planned(framework), tmp_path / "b.xlsx"), lambda book: book[ACTION_PLAN].__setitem__("E1", "Who"))
    assert problems_of(path) == [at(path, ACTION_PLAN, "A1") + "the column 'Owner' is missing from the header row (row 1); put it back"]


def test_due_dates_and_priorities_as_people_type_them():
    assert parse_due(dt.datetime(2010, 3, 31)) == ("2010-03-31", None)
    assert parse_due(dt.date(2010, 3, 31)) == ("2010-03-31", None)
    assert parse_due(" 2010-03-31 ") == ("2010-03-31", None) and parse_due(None) == ("", None) and parse_due("  ") == ("", None)
    assert "has a time of day" in parse_due(dt.datetime(2010, 3, 31, 9, 30))[1]
    for bad in ("2010-02-30", "March 2010", True, 3.5):
        assert parse_due(bad)[0] == "" and parse_due(bad)[1], bad
    assert parse_priority(" High ") == ("high", None) and parse_priority(None) == ("", None) and parse_priority("LOW") == ("low", None)
    assert parse_priority(1)[1] == "priority 1 is not one of high, medium, low; choose one from the list, or leave it blank"


def test_actions_of_a_kloe_the_framework_no_longer_has_come_back(tmp_path):
    framework = load_framework("ac-benefits")
    original = planned(framework)
    original.kloes["7.7"] = KloeRecord(level=2, actions=[Action(action="Kept from an older framework", priority="medium")])
    path = write_assessment_xlsx(framework, original, tmp_path / "a.xlsx")
    assert load_workbook(path)[ACTION_PLAN]["B5"].value == "7.7 (not in framework ac-benefits)"
    assert read_assessment_xlsx(path) == original


def test_action_text_too_long_for_an_excel_cell_is_refused_on_export(tmp_path):
    framework = load_framework("ac-benefits")
    assessment = Assessment(
        framework="ac-benefits", organisation=Organisation(code="1", name="A"), kloes={"2.1": KloeRecord(actions=[Action(), Action(measure="x" * 40_000)])}
    )
    with pytest.raises(InvalidInputError, match=r"KLOE 2\.1 action 2: kloes\.2\.1\.actions\.1\.measure: is 40,000 characters"):
        write_assessment_xlsx(framework, assessment, tmp_path / "long.xlsx")


def stored_with_everything(framework: Framework) -> Assessment:
    """``planned`` with what only the store or the form records: moderation, verdicts, rationales, a decision, the peer group."""
    moderation = Moderation(levels={"": 2, "B": 3}, assessors={"": "A. Lead", "B": "B. Second"}, note="agreed 3", moderated_by="C. Chair")
    stored = planned(framework)
    stored.organisation = Organisation(code="00123", name="Anytown", group="Shire districts")
    stored.kloes["2.1"] = stored.kloes["2.1"].model_copy(update={"level": 3, "met": {3: [0]}, "rationale": "why", "moderation": moderation})
    stored.kloes["6.4"] = KloeRecord(level=2, moderation=moderation, actions=[Action(action="dropped in Excel")])
    stored.judgements["J1"] = JudgementDecision(level=2, rationale="overall")
    return stored


def test_importing_over_the_store_takes_the_workbooks_fields_and_keeps_moderation_group_and_track(tmp_path):
    framework = load_framework("ac-benefits")
    stored = stored_with_everything(framework)

    def edit(book: Workbook) -> None:
        book["Question 6"]["D5"] = None  # 6.4's level cleared in Excel
        book[ACTION_PLAN].delete_rows(2, 10)  # every action deleted
        book[ACTION_PLAN]["A2"], book[ACTION_PLAN]["D2"] = "2.3", "A new action"
        book["Question 2"]["H2"] = None  # 2.1's rationale cleared
        for row in book[DESCRIPTORS].iter_rows(min_row=2):
            if row[0].value == "2.1" and row[4].value:  # 2.1's verdict cleared, another given
                row[4].value = None
            if row[0].value == "2.1" and row[1].value == "2 Fair" and row[2].value == 1:
                row[4].value = "falls short of this"
        book[JUDGEMENTS]["C2"], book[JUDGEMENTS]["D2"] = None, ""  # J1 back to the suggestion

    read = read_workbook(edited(write_assessment_xlsx(framework, stored, tmp_path / "a.xlsx"), edit))
    merged = carry_over(stored, read)
    moderation = stored.kloes["2.1"].moderation
    assert merged.kloes["2.1"] == KloeRecord(level=3, falls_short={2: [0]}, moderation=moderation, areas_for_improvement="Use complaints")
    assert merged.kloes["2.3"].actions == [Action(action="A new action")]
    assert merged.kloes["6.4"] == KloeRecord(moderation=moderation)  # the file's entries (none) and what it cannot hold
    assert merged.judgements == {} and merged.organisation.group == "Shire districts"
    assert carry_over(stored.model_copy(update={"track": "B"}), read).track == "B"


def as_layout_1(book: Workbook) -> None:
    """A workbook as kloe-workbook wrote it before issue 15: no rationale column, Descriptors or Judgements sheets, no layout or revision."""
    for name in (DESCRIPTORS, JUDGEMENTS, "Flags", "Flag criteria"):
        if name in book.sheetnames:
            book.remove(book[name])
    for sheet in book.worksheets:
        if sheet["H1"].value == "Why it differs":
            sheet.delete_cols(8)
    about = book[ABOUT]
    for row in (14, 13):
        assert about.cell(row, 1).value in ("Workbook layout", "Store revision at export (blank: none)")
        about.delete_rows(row)


def test_a_workbook_of_layout_1_keeps_verdicts_rationales_decisions_and_flags_from_the_store(tmp_path):
    framework = load_framework("ac-benefits")
    stored = stored_with_everything(framework)
    read = read_workbook(edited(write_assessment_xlsx(framework, stored, tmp_path / "old.xlsx"), as_layout_1))
    assert read.revision is None and read.carried.statement_kloes == set() and read.carried.judgements == set()
    assert carry_over(stored, read) == stored
    caa = load_framework("caa-2009")
    flagged = Assessment(framework="caa-2009", organisation=Organisation(code="1", name="A"), flags=[Flag(colour="green", subject="Partnership", criteria=[1])])
    read = read_workbook(edited(write_assessment_xlsx(caa, flagged, tmp_path / "caa.xlsx"), as_layout_1))
    assert read.assessment.flags == [] and carry_over(flagged, read).flags == flagged.flags


def test_the_track_round_trips_so_a_second_assessors_workbook_comes_back_to_its_own_track(tmp_path):
    framework = load_framework("ac-benefits")
    second = planned(framework).model_copy(update={"track": "B", "assessor": "B. Second"})
    path = write_assessment_xlsx(framework, second, tmp_path / "b.xlsx")
    assert read_assessment_xlsx(path) == second
    blank = edited(path, lambda book: book[ABOUT].__setitem__("B12", None))  # the lead's workbook: track left blank
    assert read_assessment_xlsx(blank).track == ""


def test_kloe_export_then_import_round_trips_the_action_plan_through_the_store(tmp_path):
    import json
    import subprocess
    import sys

    from conftest import REPO_ROOT

    def kloe(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "kloe_nb.cli.main", "--store", str(tmp_path / "kloe.db"), *args], capture_output=True, text=True, cwd=REPO_ROOT, timeout=120
        )

    framework = load_framework("ac-benefits")
    original = filled(framework)
    source = tmp_path / "a.json"
    source.write_text(json.dumps(original.to_json_data(), ensure_ascii=False), encoding="utf-8")
    assert kloe("import", str(source)).returncode == 0
    workbook, back = tmp_path / "a.xlsx", tmp_path / "back.json"
    where = ["--framework", "ac-benefits", "--org", "00123", "--period", "2008/09"]
    assert kloe("export", *where, "--format", "xlsx", "-o", str(workbook)).returncode == 0
    imported = kloe("import", str(workbook))
    assert imported.returncode == 0, imported.stderr
    assert kloe("export", *where, "--format", "json", "-o", str(back)).returncode == 0
    kept = Assessment.model_validate(json.loads(back.read_text(encoding="utf-8")))
    assert {kloe_id: record.actions for kloe_id, record in kept.kloes.items() if record.actions} == {
        kloe_id: record.actions for kloe_id, record in original.kloes.items() if record.actions
    }


def test_kloe_export_then_import_of_the_unchanged_workbook_keeps_the_whole_document(tmp_path):
    """Issue 12 item 4 through the command: the JSON exported after the round trip is the JSON exported before."""
    import json
    import subprocess
    import sys

    from conftest import REPO_ROOT

    def kloe(*args: str) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "kloe_nb.cli.main", "--store", str(tmp_path / "kloe.db"), *args], capture_output=True, text=True, cwd=REPO_ROOT, timeout=120
        )
        assert done.returncode == 0, done.stderr

    original = everything(load_framework("caa-2009")).model_copy(update={"framework_version": None})
    source = tmp_path / "a.json"
    source.write_text(json.dumps(original.to_json_data(), ensure_ascii=False), encoding="utf-8")
    kloe("import", str(source))
    where = ["--framework", "caa-2009", "--org", "00123", "--period", "2008/09", "--track", original.track]
    kloe("export", *where, "--format", "json", "-o", str(tmp_path / "before.json"))
    kloe("export", *where, "--format", "xlsx", "-o", str(tmp_path / "a.xlsx"))
    kloe("import", str(tmp_path / "a.xlsx"))
    kloe("export", *where, "--format", "json", "-o", str(tmp_path / "after.json"))
    before, after = (json.loads((tmp_path / name).read_text(encoding="utf-8")) for name in ("before.json", "after.json"))
    assert after == before
    assert Assessment.model_validate(after).kloes == original.kloes
