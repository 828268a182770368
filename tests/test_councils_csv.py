"""The councils CSV of a batch run: the bytes councils' spreadsheets really produce (RELIABILITY.md 23, 14)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from kloe_nb.errors import InvalidInputError
from kloe_nb.interchange.cells import InterchangeWarning
from kloe_nb.interchange.councils_csv import Council, read_councils_csv


def csv_file(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InvalidInputError) as caught:
        read_councils_csv(path)
    return [str(problem) for problem in caught.value.problems]


def read_quietly(path: Path) -> list[Council]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a UTF-8 file must not warn
        return read_councils_csv(path)


def test_good_file_with_every_column_keeps_values_as_text(tmp_path):
    path = csv_file(tmp_path, "good.csv", b"code,name,group,period\r\n00123,Anytown,Districts,2008/09\r\nNone,None,,\r\n")
    assert read_quietly(path) == [Council("00123", "Anytown", "Districts", "2008/09"), Council("None", "None")]


def test_header_case_and_spaces_are_ignored_and_columns_may_be_in_any_order(tmp_path):
    path = csv_file(tmp_path, "header.csv", b" Name , CODE \nAnytown,007\n")
    assert read_quietly(path) == [Council("007", "Anytown")]


def test_a_utf8_bom_is_stripped(tmp_path):
    path = csv_file(tmp_path, "bom.csv", "\ufeffcode,name\nW06000001,Ynys Môn\n".encode("utf-8"))
    assert read_quietly(path) == [Council("W06000001", "Ynys Môn")]


def test_windows_1252_is_read_with_a_warning_naming_the_file(tmp_path):
    path = csv_file(tmp_path, "excel_ansi.csv", "code,name\nW06000001,Ynys Môn\n".encode("cp1252"))
    with pytest.warns(InterchangeWarning) as caught:
        councils = read_councils_csv(path)
    assert councils == [Council("W06000001", "Ynys Môn")]
    [warning] = caught
    assert str(path) in str(warning.message) and "read as Windows-1252" in str(warning.message)
    assert "save the file as UTF-8" in str(warning.message)


def test_semicolon_delimiter_is_detected(tmp_path):
    path = csv_file(tmp_path, "semicolons.csv", b"code;name;group\n00123;Anytown, North;Districts\n")
    assert read_quietly(path) == [Council("00123", "Anytown, North", "Districts")]


def test_neither_delimiter_is_an_error_that_says_so(tmp_path):
    [problem] = problems_of(csv_file(tmp_path, "tabs.csv", b"code\tname\n1\tA\n"))
    assert "has no ',' or ';' between columns" in problem and "tab-separated" in problem


def test_quoted_newlines_stay_inside_the_name(tmp_path):
    path = csv_file(tmp_path, "newlines.csv", b'code,name\r\n1,"King\'s Lynn\r\nand West Norfolk"\r\n2,"Say ""hi"""\r\n')
    assert read_quietly(path) == [Council("1", "King's Lynn\r\nand West Norfolk"), Council("2", 'Say "hi"')]


def test_a_duplicate_header_column_is_named(tmp_path):
    [problem] = problems_of(csv_file(tmp_path, "dup_header.csv", b"code,name,Code\n1,A,2\n"))
    assert problem.endswith("header row: the column 'code' appears twice (columns 1 and 3); keep one")


def test_a_missing_column_is_named_with_the_columns_found(tmp_path):
    path = csv_file(tmp_path, "no_name.csv", b"code,council\n1,A\n")
    assert problems_of(path) == [f"{path}, header row: no 'name' column; the columns found are: 'code', 'council' (separated by ',')"]


def test_every_empty_code_or_name_is_named_by_row(tmp_path):
    path = csv_file(tmp_path, "empty.csv", b"code,name\n,Anytown\n2,\n3,Ok\n , \n")
    assert problems_of(path) == [
        f"{path}, row 2: the code is empty; every council needs a code and a name",
        f"{path}, row 3: the name is empty; every council needs a code and a name",
    ]  # row 5 holds only spaces: a blank line, skipped


def test_a_duplicate_code_names_both_rows(tmp_path):
    path = csv_file(tmp_path, "dup_code.csv", b'code,name\n00123,A\n2,"B\nstill B"\n00123,C\n')
    assert problems_of(path) == [f"{path}, row 4 (line 5): code: the code '00123' is also on row 2; list each council once"]


def test_leading_zeros_and_none_are_kept(tmp_path):
    path = csv_file(tmp_path, "zeros.csv", b"code,name,period\n00123,None,0009\n")
    assert read_quietly(path) == [Council("00123", "None", period="0009")]


def test_an_unquoted_delimiter_in_a_name_is_reported(tmp_path):
    path = csv_file(tmp_path, "extra_values.csv", b"code;name\n1;Ynys Mon; Anglesey\n2;B;\n")
    assert problems_of(path) == [f"{path}, row 2: has 3 values but the header has 2 columns: a value containing ';' must be in double quotes"]


def test_broken_quoting_is_reported_at_its_line(tmp_path):
    [problem] = problems_of(csv_file(tmp_path, "bad_quote.csv", b'code,name\n1,"Anytown"x\n'))
    assert ", line 2: the quoting is broken" in problem


def test_formulas_in_a_councils_file_are_just_text(tmp_path):
    path = csv_file(tmp_path, "formula.csv", b'code,name\n1,"=HYPERLINK(""http://evil.example"")"\n')
    assert read_quietly(path) == [Council("1", '=HYPERLINK("http://evil.example")')]


def test_unknown_columns_are_ignored_with_a_warning_suggesting_the_known_one(tmp_path):
    path = csv_file(tmp_path, "typo.csv", b"code,name,peroid\n1,A,2008/09\n")
    with pytest.warns(InterchangeWarning, match="the column 'peroid' is not used .*did you mean 'period'"):
        assert read_councils_csv(path) == [Council("1", "A")]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.csv", b"", "is empty"),
        ("header_only.csv", b"code,name\n", "lists no councils"),
        ("utf16.csv", "code,name\n1,A\n".encode("utf-16"), "UTF-16"),
        ("workbook.csv", b"PK\x03\x04rest", "is an Excel workbook"),
    ],
)
def test_files_that_are_not_a_councils_list(tmp_path, name, data, message):
    [problem] = problems_of(csv_file(tmp_path, name, data))
    assert message in problem


def test_a_missing_file(tmp_path):
    assert problems_of(tmp_path / "absent.csv") == [f"{tmp_path / 'absent.csv'}: no such file"]
