"""Loading framework files: every bad input gives a clear error at its line (RELIABILITY.md 1-5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kloe_nb.errors import InvalidInputError, NotFoundError
from kloe_nb.framework import load_framework_file
from kloe_nb.framework.loader import bundled_ids, load_all, load_framework, load_framework_record


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InvalidInputError) as caught:
        load_framework_file(path)
    return [str(problem) for problem in caught.value.problems]


def line_of(path: Path, text: str) -> int:
    """The 1-based line of the first line containing text (the line an error must name)."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


def test_good_minimal_framework_loads_with_ids_as_strings(framework_data):
    framework = load_framework_file(framework_data / "good_minimal.yaml")
    assert [kloe.id for _, kloe in framework.iter_kloes()] == ["1.1", "1.10"]
    assert framework.kloe("1.1").descriptors == {3: ["Access is good."], 2: ["Access is adequate.", "Opening hours are published."]}


def test_tab_indent_is_reported_at_its_line_and_column(framework_data):
    path = framework_data / "bad_tab_indent.yaml"
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:{line_of(path, chr(9))}:1: ")
    assert "tabs" in problem


def test_unclosed_quote_is_reported_with_line_and_column(framework_data):
    path = framework_data / "bad_unclosed_quote.yaml"
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:")
    assert "invalid YAML" in problem and "quote" in problem


def test_duplicate_key_names_both_lines(framework_data):
    path = framework_data / "bad_duplicate_key.yaml"
    [problem] = problems_of(path)
    first, second = line_of(path, "title: Is it cheap?"), line_of(path, "title: Is it dear?")
    assert problem.startswith(f"{path}:{second}:")
    assert f"duplicate key 'title' (first at line {first})" in problem


def test_duplicate_kloe_id_names_the_id_and_both_lines(framework_data):
    path = framework_data / "bad_duplicate_kloe_id.yaml"
    [problem] = problems_of(path)
    lines = [n for n, line in enumerate(path.read_text().splitlines(), 1) if 'id: "1.1"' in line]
    assert len(lines) == 2
    assert problem.startswith(f"{path}:{lines[1]}: groups[0].kloes[1].id: duplicate KLOE id '1.1'")
    assert f"also at line {lines[0]}" in problem


def test_values_yaml_would_retype_must_be_quoted(framework_data):
    path = framework_data / "bad_retyped_values.yaml"
    problems = problems_of(path)
    text = "\n".join(problems)
    assert len(problems) == 4, text
    assert f'{path}:{line_of(path, "id: 1.10")}: groups[0].kloes[1].id: YAML read the unquoted value 1.10 as the number 1.1; quote this value ("1.10")' in text
    assert f'{path}:{line_of(path, "id: 010")}: groups[0].id: YAML read the unquoted value 010 as the number 8; quote this value ("010")' in text
    assert (
        f'{path}:{line_of(path, "label: NO")}: scales[0].levels[3].label: YAML read the unquoted value NO as the true/false value False; quote this value ("NO")'
        in text
    )
    assert (
        f'{path}:{line_of(path, "date: 2009")}: date: YAML read the unquoted value 2009-03-01 as the date 2009-03-01; quote this value ("2009-03-01")' in text
    )


def test_python_tag_is_refused_and_nothing_runs(framework_data, tmp_path):
    marker = Path("/tmp/kloe-pwned")
    marker.unlink(missing_ok=True)
    path = framework_data / "bad_python_tag.yaml"
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:{line_of(path, '!!python')}:")
    assert "tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed" in problem
    assert not marker.exists()


def test_schema_violations_are_all_listed_with_their_lines(framework_data):
    path = framework_data / "bad_schema.yaml"
    problems = problems_of(path)
    text = "\n".join(problems)
    assert len(problems) == 3, text
    assert f"{path}:{line_of(path, 'schema_version')}: title: this field is required but missing" in text
    assert f"{path}:{line_of(path, 'levles')}: scales[0].levles: unknown field 'levles'; did you mean 'levels'?" in text
    assert f"{path}:{line_of(path, 'kloes: []')}: groups[0].kloes: List should have at least 1 item" in text


def test_semantic_problems_are_all_listed(framework_data):
    path = framework_data / "bad_references.yaml"
    problems = problems_of(path)
    text = "\n".join(problems)
    assert f"{path}:{line_of(path, '{id: J1')}: judgements[0].scale: unknown scale 'service' (known: s)" in text
    assert f"{path}:{line_of(path, 'parent:')}: groups[0].kloes[1].parent: unknown parent KLOE (in the same group) '9.9'" in text


def test_an_empty_statement_is_rejected(framework_data, tmp_path):
    path = tmp_path / "blank.yaml"
    path.write_text((framework_data / "good_minimal.yaml").read_text().replace('["Access is good."]', '["Access is good.", "  "]'))
    [problem] = problems_of(path)
    assert problem == f"{path}:{line_of(path, 'Access is good')}: groups[0].kloes[0].descriptors[3][1]: empty text; write it or remove the item"


def test_levels_outside_one_to_four_are_rejected(framework_data):
    path = framework_data / "bad_levels.yaml"
    text = "\n".join(problems_of(path))
    assert f"{path}:{line_of(path, '5: [')}: groups[0].kloes[1].descriptors[5]: Input should be less than or equal to 4 (got 5)" in text
    assert f"{path}:{line_of(path, 'options: [0]')}: tables[0].cells[1].options[0]: Input should be greater than or equal to 1 (got 0)" in text


def test_a_level_missing_from_its_scale_is_rejected(framework_data, tmp_path):
    text = (framework_data / "good_minimal.yaml").read_text().replace("      - {level: 3, label: Good, stars: 2}\n", "")
    path = tmp_path / "no-level-3.yaml"
    path.write_text(text)
    [problem] = problems_of(path)
    assert "groups[0].kloes[0].descriptors[3]: level 3 is not on the scale 's'" in problem


def test_missing_file_and_non_utf8_file_are_clear_errors(tmp_path):
    assert "no such file" in problems_of(tmp_path / "absent.yaml")[0]
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("title: Ynys M\xf4n\n".encode("latin-1"))
    assert "not UTF-8 text" in problems_of(latin)[0]


def test_one_bad_framework_does_not_stop_the_others(framework_data, tmp_path, monkeypatch):
    (tmp_path / "good-minimal.yaml").write_text((framework_data / "good_minimal.yaml").read_text())
    (tmp_path / "broken.yaml").write_text((framework_data / "bad_tab_indent.yaml").read_text())
    monkeypatch.setenv("KLOE_FRAMEWORKS_PATH", str(tmp_path))
    loaded, errors = load_all()
    assert "good-minimal" in loaded
    assert [error.source for error in errors] == [str(tmp_path / "broken.yaml")]
    assert set(loaded) >= set(bundled_ids()) - {"broken"}


def test_file_named_differently_from_its_id_is_rejected(framework_data, tmp_path, monkeypatch):
    (tmp_path / "other-name.yaml").write_text((framework_data / "good_minimal.yaml").read_text())
    monkeypatch.setenv("KLOE_FRAMEWORKS_PATH", str(tmp_path))
    with pytest.raises(InvalidInputError, match="declares id 'good-minimal' but is named other-name.yaml"):
        load_framework("other-name")


def test_unknown_framework_id_suggests_the_nearest():
    with pytest.raises(NotFoundError, match="unknown framework 'hi-prospect'; did you mean 'hi-prospects'"):
        load_framework("hi-prospect")


def test_record_keeps_a_digest_of_the_file(framework_data):
    record = load_framework_record(framework_data / "good_minimal.yaml")
    assert len(record.sha256) == 64
    assert record.path == framework_data / "good_minimal.yaml"


def test_an_unknown_descriptor_reading_is_refused_naming_the_field_and_line(tmp_path):
    from kloe_nb.framework.loader import framework_path, load_framework_file

    text = framework_path("hi-prospects").read_text(encoding="utf-8")
    assert "\ndescriptor_reading: best_fit\n" in text
    bad = tmp_path / "hi-prospects.yaml"
    bad.write_text(text.replace("\ndescriptor_reading: best_fit\n", "\ndescriptor_reading: checklist\n"), encoding="utf-8")
    from kloe_nb.errors import KloeError

    with pytest.raises(KloeError) as raised:
        load_framework_file(bad)
    message = str(raised.value)
    assert "descriptor_reading" in message and f"{bad.name}:7" in message


def test_a_heading_above_no_statement_is_refused_naming_the_field(tmp_path):
    from kloe_nb.errors import KloeError
    from kloe_nb.framework.loader import framework_path, load_framework_file

    text = framework_path("ac-benefits").read_text(encoding="utf-8")
    assert "\n        3: 'The council performs well in minimising fraud and error:'\n" in text
    bad = tmp_path / "ac-benefits.yaml"
    bad.write_text(
        text.replace(
            "\n        3: 'The council performs well in minimising fraud and error:'\n",
            "\n        30: 'The council performs well in minimising fraud and error:'\n",
        ),
        encoding="utf-8",
    )
    with pytest.raises(KloeError) as raised:
        load_framework_file(bad)
    message = str(raised.value)
    assert "descriptor_headings" in message and "positions 0 to 7" in message, message
