"""The assessment CSV export: one row per KLOE, UTF-8 with a BOM, RFC 4180, formulas defused (RELIABILITY.md 23)."""

from __future__ import annotations

import csv
import io

import pytest

from kloe_nb.assessment.model import Assessment, Evidence, KloeRecord, Organisation
from kloe_nb.errors import KloeError
from kloe_nb.framework.loader import load_framework
from kloe_nb.interchange import write_assessment
from kloe_nb.interchange.cells import defuse, evidence_line, parse_evidence_line
from kloe_nb.interchange.csv_io import NOT_IN_FRAMEWORK, csv_columns, write_assessment_csv


def rows_of(raw: bytes) -> list[dict[str, str]]:
    assert raw.startswith(b"\xef\xbb\xbf"), "a BOM, so Excel reads the file as UTF-8"
    return list(csv.DictReader(io.StringIO(raw[3:].decode("utf-8"), newline="")))


def hostile() -> Assessment:
    return Assessment(
        framework="ac-benefits",
        organisation=Organisation(code="00123", name='-Ynys Môn, "North"'),
        period="2008/09",
        kloes={
            "2.1": KloeRecord(
                level=3,
                met={3: [0, 2], 2: [1]},
                strengths='=HYPERLINK("http://evil.example","click")',
                areas_for_improvement="+SUM(1,2)",
                current_position="@cmd\nsecond line",
                evidence=[Evidence(source="Minutes", reference="p. 3", note="shows it"), Evidence(note="\tindented")],
            ),
            "7.7": KloeRecord(level=1, strengths="kept"),
        },
    )


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")'])
def test_defuse_prefixes_an_apostrophe_to_what_would_start_a_formula(text):
    assert defuse(text) == "'" + text


@pytest.mark.parametrize("value", ["Good", "a=b", "", " =1", "3", 3, None])
def test_defuse_leaves_everything_else(value):
    assert defuse(value) == value


def test_one_row_per_kloe_then_the_ones_the_framework_lacks(tmp_path):
    framework = load_framework("ac-benefits")
    rows = rows_of(write_assessment_csv(framework, hostile(), tmp_path / "a.csv").read_bytes())
    assert [row["kloe_id"] for row in rows] == [kloe.id for _, kloe in framework.iter_kloes()] + ["7.7"]
    assert (
        list(rows[0])
        == csv_columns(framework)
        == [
            "framework",
            "organisation_code",
            "organisation_name",
            "period",
            "group",
            "kloe_id",
            "kloe_title",
            "level",
            "level_label",
            "met_level_3",
            "met_level_2",
            "falls_short",
            "strengths",
            "areas_for_improvement",
            "current_position",
            "evidence",
        ]
    )
    row = next(row for row in rows if row["kloe_id"] == "2.1")
    assert (row["framework"], row["organisation_code"], row["period"]) == ("ac-benefits", "00123", "2008/09")
    assert row["group"] == "Question 2: Is the service meeting the needs of the community and users?"
    assert (row["level"], row["level_label"], row["met_level_3"], row["met_level_2"]) == ("3", "Good", "2", "1")
    assert row["kloe_title"].startswith("Are the needs of citizens and users")
    context_only = next(row for row in rows if row["kloe_id"] == "1.1")
    assert (context_only["level"], context_only["met_level_3"]) == ("", "")
    assert rows[-1]["group"] == NOT_IN_FRAMEWORK and rows[-1]["strengths"] == "kept"


def test_cells_that_would_run_as_formulas_are_defused(tmp_path):
    rows = rows_of(write_assessment_csv(load_framework("ac-benefits"), hostile(), tmp_path / "a.csv").read_bytes())
    row = next(row for row in rows if row["kloe_id"] == "2.1")
    assert row["strengths"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["areas_for_improvement"] == "'+SUM(1,2)"
    assert row["current_position"] == "'@cmd\nsecond line"
    assert row["organisation_name"] == '\'-Ynys Môn, "North"'
    assert row["evidence"] == "Minutes — p. 3 — shows it\n\tindented"  # starts with M: only the cell's start matters


def test_rfc4180_quoting_with_crlf_records_and_newlines_kept_inside_quotes(tmp_path):
    framework = load_framework("ac-benefits")
    raw = write_assessment_csv(framework, hostile(), tmp_path / "a.csv").read_bytes()
    text = raw.decode("utf-8-sig")
    records = 1 + len(framework.iter_kloes()) + 1  # header, every KLOE, the one the framework lacks
    assert text.startswith("framework,organisation_code,") and text.count("\r\n") == records
    assert '"\'@cmd\nsecond line"' in text
    assert '"\'-Ynys Môn, ""North"""' in text


def test_write_assessment_csv_format_and_wrong_framework(tmp_path):
    framework = load_framework("ac-benefits")
    path = write_assessment(framework, hostile(), tmp_path / "out.txt", "csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with pytest.raises(KloeError, match="the assessment is for framework 'ac-benefits', not 'hi-prospects'"):
        write_assessment_csv(load_framework("hi-prospects"), hostile(), tmp_path / "b.csv")


@pytest.mark.parametrize(
    "item",
    [
        Evidence(note="just a note"),
        Evidence(note="a note — with one dash"),
        Evidence(note="a — b — c in a note"),
        Evidence(source="Minutes", reference="", note=""),
        Evidence(source="Minutes", reference="p. 3", note="a — b", date_seen="2009-03-01"),
        Evidence(),
        Evidence(note="  "),
    ],
)
def test_evidence_lines_read_back_exactly(item):
    assert parse_evidence_line(evidence_line(item)) == item
