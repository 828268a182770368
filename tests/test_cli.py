"""The ``kloe frameworks`` commands, run as a user runs them: a real process, exit codes, output."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from conftest import REPO_ROOT


def kloe(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kloe_nb.cli.main", *args], capture_output=True, text=True, cwd=REPO_ROOT, env=env)


def test_list_json_shows_the_five_frameworks():
    result = kloe("frameworks", "list", "--json")
    assert result.returncode == 0, result.stderr
    assert [row["id"] for row in json.loads(result.stdout)] == [
        "ac-benefits",
        "ac-judgement2",
        "caa-2009",
        "hi-prospects",
        "wao-housing",
    ]


def test_show_json_is_the_flattened_contract():
    result = kloe("frameworks", "show", "hi-prospects", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"id", "title", "publisher", "source", "judgements", "scales", "kloes"} <= set(data)
    assert data["judgements"][0] == {**data["judgements"][0], "id": "J2", "scale": "hi-prospects"}
    kloe_entry = data["kloes"][0]
    assert {"id", "judgement", "question", "theme", "title", "scored", "descriptors", "sources_of_evidence"} <= set(kloe_entry)
    assert kloe_entry["id"] == "track-record" and kloe_entry["question"] == "q1" and kloe_entry["theme"] is None
    assert list(kloe_entry["descriptors"]) == ["4", "2"]
    assert all(isinstance(s, str) and "<" not in s for s in kloe_entry["descriptors"]["4"])


def test_show_without_json_is_readable_text():
    result = kloe("frameworks", "show", "hi-prospects")
    assert result.returncode == 0
    assert "KLOE track-record: Track record" in result.stdout
    assert "Level 4 Excellent prospects" in result.stdout


def test_unknown_framework_is_exit_2_with_a_suggestion_and_no_traceback():
    result = kloe("frameworks", "show", "hi-prospect")
    assert result.returncode == 2
    assert "did you mean 'hi-prospects'" in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_reports_every_problem_and_exits_2(tmp_path):
    bad = REPO_ROOT / "tests" / "data" / "frameworks" / "bad_schema.yaml"
    result = kloe("frameworks", "validate", str(bad))
    assert result.returncode == 2
    assert len(re.findall(rf"^  {re.escape(str(bad))}:\d+: ", result.stderr, re.M)) == 3
    assert "Traceback" not in result.stderr


def test_validate_without_paths_checks_every_bundled_framework():
    result = kloe("frameworks", "validate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(": ok (") == 5


def test_handbook_command_writes_the_page(tmp_path):
    output = tmp_path / "caa.html"
    result = kloe("frameworks", "handbook", "caa-2009", "-o", str(output))
    assert result.returncode == 0, result.stderr
    assert output.read_text().startswith("<!DOCTYPE html>")


def test_bad_usage_is_exit_2():
    result = kloe("frameworks", "frobnicate")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_schema_command_prints_json_schema():
    result = kloe("schema")
    schema = json.loads(result.stdout)
    assert schema["title"] == "Framework" and schema["additionalProperties"] is False
