"""The interchange JSON: exact round trips, and every bad file named by line:column or field path (RELIABILITY.md 6, 10)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kloe_nb.assessment.model import (
    Assessment,
    Evidence,
    Flag,
    FrameworkVersion,
    JudgementDecision,
    KloeRecord,
    Organisation,
)
from kloe_nb.errors import InvalidInputError
from kloe_nb.files import OutputError
from kloe_nb.framework.loader import load_framework
from kloe_nb.interchange import read_assessment, write_assessment
from kloe_nb.interchange.json_io import read_assessment_json, write_assessment_json

LONG_TEXT = ("Evidence of improvement in processing times, line after line. " * 1500)[:90_000]


def awkward_assessment() -> Assessment:
    """Text that breaks naive writers: emoji, CRLF, a right-to-left override, a 90 KB paste, leading zeros."""
    return Assessment(
        framework="ac-benefits",
        framework_version=FrameworkVersion(version="1", sha256="ab" * 32),
        organisation=Organisation(code="00123", name="Ynys Môn 🏴󠁧󠁢󠁷󠁬󠁳󠁿"),
        period="2008/09",
        assessor="A. Analyst",
        kloes={
            "2.1": KloeRecord(
                level=3,
                met={3: [2, 0], 2: [1]},
                evidence=[Evidence(source="Minutes", reference="p. 3\r\np. 4", note="shows ‮reversed‬ text", date_seen="2009-03-01")],
                strengths="Line one\r\nLine two 😀",
                areas_for_improvement=LONG_TEXT,
            ),
            "1.1": KloeRecord(current_position="00123"),
            "9.9": KloeRecord(level=1, rationale="None"),
        },
        judgements={"J1": JudgementDecision(level=2, rationale="Because.")},
        flags=[Flag(colour="red", subject="Safety", reason="<script>alert(1)</script>", criteria=[0])],
    )


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InvalidInputError) as caught:
        read_assessment_json(path)
    return [str(problem) for problem in caught.value.problems]


def write_text(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


def minimal(**kloe: object) -> dict[str, object]:
    return {"framework": "ac-benefits", "organisation": {"code": "00123", "name": "Anytown"}, "kloes": {"2.1": kloe}}


def test_round_trip_is_exact_for_awkward_text(tmp_path):
    original = awkward_assessment()
    first = write_assessment_json(original, tmp_path / "first.json")
    again = read_assessment_json(first)
    assert again == original
    assert again.kloes["2.1"].met == {3: [0, 2], 2: [1]}
    write_assessment_json(again, tmp_path / "second.json")
    assert (tmp_path / "first.json").read_bytes() == (tmp_path / "second.json").read_bytes()


def test_written_json_is_readable_utf8_with_stable_key_order(tmp_path):
    path = write_assessment_json(awkward_assessment(), tmp_path / "a.json")
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    assert text.endswith("}\n") and not text.startswith("\ufeff")
    assert "😀" in text and "\\u" not in text  # ensure_ascii=False: the characters themselves
    assert '\n  "framework": "ac-benefits",\n  "framework_version": {' in text  # indent 2, the model's order
    assert list(json.loads(text)) == list(Assessment.model_fields)
    assert json.loads(text)["organisation"]["code"] == "00123"


def test_a_bom_at_the_start_is_accepted(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(minimal(level=2)).encode("utf-8"))
    assert read_assessment_json(path).kloes["2.1"].level == 2


def test_malformed_json_is_reported_at_line_and_column_in_plain_words(tmp_path):
    path = write_text(tmp_path / "trailing_comma.json", '{\n  "framework": "ac-benefits",\n  "period": "2008/09",\n}\n')
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:4:1: ")
    assert "no trailing comma" in problem


def test_unclosed_string_is_reported_at_its_line(tmp_path):
    path = write_text(tmp_path / "unclosed.json", '{\n  "framework": "ac-benefits,\n  "period": "x"\n}\n')
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:2:")
    assert "string" in problem


@pytest.mark.parametrize(
    ("level", "shown"),
    [("three", "'three'"), (3.5, "3.5"), (True, "true"), (0, "0"), (5, "5"), (3.0, "3.0"), ("", "''")],
)
def test_a_bad_level_names_the_field_organisation_value_and_rule(tmp_path, level, shown):
    path = write_text(tmp_path / "bad_level.json", json.dumps(minimal(level=level)))
    [problem] = problems_of(path)
    assert problem == (f"{path} (organisation 00123): kloes.2.1.level: level must be a whole number 1-4 or null (not yet assessed); got {shown}")


def test_null_level_means_not_yet_assessed(tmp_path):
    path = write_text(tmp_path / "null_level.json", json.dumps(minimal(level=None)))
    assert read_assessment_json(path).kloes["2.1"].level is None


def test_every_schema_problem_is_listed_at_once(tmp_path):
    data = minimal(level="three", levle=3, met={"three": [1], "3": ["a"]})
    data["kloes"]["2.2"] = {"level": 7}  # type: ignore[index]
    data["organisation"] = {"code": "00123"}
    path = write_text(tmp_path / "many_problems.json", json.dumps(data))
    problems = problems_of(path)
    paths = {problem.split(": ")[1] for problem in problems}
    assert {"kloes.2.1.level", "kloes.2.1.levle", "kloes.2.1.met.three", "kloes.2.1.met.3.0", "kloes.2.2.level", "organisation.name"} <= paths
    assert any("unknown field 'levle'" in problem for problem in problems)


def test_duplicate_keys_and_nan_are_refused(tmp_path):
    path = write_text(tmp_path / "duplicate_key.json", '{"framework": "ac-benefits", "framework": "caa-2009", "organisation": {"code": "1", "name": "A"}}')
    assert any("the key 'framework' appears twice" in problem for problem in problems_of(path))
    path = write_text(tmp_path / "nan.json", '{"framework": "ac-benefits", "organisation": {"code": "1", "name": "A"}, "kloes": {"2.1": {"level": NaN}}}')
    assert any("NaN is not valid JSON" in problem for problem in problems_of(path))


def test_nul_and_lone_surrogate_are_refused_with_their_field(tmp_path):
    path = write_text(tmp_path / "nul.json", json.dumps(minimal(strengths="a\u0000b", areas_for_improvement="\ud800")))
    problems = problems_of(path)
    assert any("kloes.2.1.strengths: text contains a NUL character" in problem for problem in problems)
    assert any("kloes.2.1.areas_for_improvement: text contains a broken character" in problem for problem in problems)


def test_a_1_mb_paste_is_refused_with_a_message(tmp_path):
    path = write_text(tmp_path / "paste.json", json.dumps(minimal(strengths="x" * 1_000_000)))
    [problem] = problems_of(path)
    assert problem.endswith(
        "kloes.2.1.strengths: text is 1,000,000 characters long; the limit is 100,000: attach long documents as evidence references instead"
    )


def test_not_utf8_is_reported_at_its_line_and_column(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes('{\n  "framework": "ac-benefits",\n  "period": "Môn"\n}\n'.encode("cp1252"))
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:3:15: not UTF-8 (byte 0xf4)")


def test_a_file_over_the_size_limit_is_refused_before_parsing(tmp_path):
    path = write_text(tmp_path / "big.json", "[" + "1," * 200 + "1]")  # not an assessment: never parsed
    with pytest.raises(InvalidInputError) as caught:
        read_assessment_json(path, max_bytes=100)
    assert "the limit is" in str(caught.value) and "MB" in str(caught.value)


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(InvalidInputError, match="no such file"):
        read_assessment_json(tmp_path / "absent.json")


def test_read_assessment_picks_the_reader_by_suffix_and_suggests_one(tmp_path):
    path = write_assessment_json(awkward_assessment(), tmp_path / "a.JSON")
    assert read_assessment(path) == awkward_assessment()
    with pytest.raises(InvalidInputError, match=r"'\.jsn'; did you mean \.json\? \(supported: \.json, \.xlsx\)"):
        read_assessment(tmp_path / "a.jsn")
    with pytest.raises(InvalidInputError, match=r"Excel Workbook \(\.xlsx\)"):
        read_assessment(tmp_path / "old.xls")


def test_write_assessment_by_format_or_suffix(tmp_path):
    framework = load_framework("ac-benefits")
    assessment = awkward_assessment()
    write_assessment(framework, assessment, tmp_path / "a.json")
    write_assessment(framework, assessment, tmp_path / "b.out", "json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.out").read_bytes()
    with pytest.raises(InvalidInputError, match="unknown format 'jsn'; did you mean json"):
        write_assessment(framework, assessment, tmp_path / "c.json", "jsn")


def test_a_failed_write_leaves_the_previous_file(tmp_path, monkeypatch):
    path = write_assessment_json(awkward_assessment(), tmp_path / "a.json")
    before = path.read_bytes()
    real_write = Path.write_bytes

    def disk_full_halfway(self: Path, data: bytes) -> int:
        real_write(self, data[:10])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", disk_full_halfway)
    with pytest.raises(OutputError, match="a.json was not written: the disk is full. Nothing was replaced"):
        write_assessment_json(awkward_assessment().model_copy(update={"period": "2009/10"}), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]  # no temporary file left behind
