"""Small hostile inputs stay small: alias bombs and deep nesting are clear errors at their line.

A "billion laughs" of a few hundred bytes, or 200,000 ``[``, used to take a minute and gigabytes
to end in MemoryError, or end in RecursionError (and one such file in $KLOE_FRAMEWORKS_PATH
made ``kloe frameworks list`` list nothing). Each bomb here runs in a child process capped at
1 GB of address space and a timeout, so a regression fails in seconds instead of taking the
machine down.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DATA_DIR, REPO_ROOT

from kloe_nb.errors import InvalidInputError
from kloe_nb.framework.loader import bundled_ids
from kloe_nb.interchange.json_io import parse_assessment_json
from kloe_nb.yaml_source import read_yaml_text

MEMORY_CAP = 1 << 30  # bytes of address space for a child process
TIMEOUT = 30  # seconds; a refused bomb takes about one
MAX_ALIAS_VALUES = 20_000  # yaml_source.MAX_ALIAS_VALUES, as the messages promise
MAX_DEPTH = JSON_MAX_DEPTH = 100  # yaml_source.MAX_DEPTH and json_io.MAX_DEPTH
GOOD_MINIMAL = DATA_DIR / "frameworks" / "good_minimal.yaml"

ALIAS_MESSAGE = f"this file uses YAML aliases (*name) that expand to more than {MAX_ALIAS_VALUES:,} values; a framework never needs this: write the values out"
YAML_DEPTH_MESSAGE = f"lists and mappings nest more than {MAX_DEPTH} deep here"
JSON_DEPTH_MESSAGE = f"lists and objects nest more than {JSON_MAX_DEPTH} deep here"


def billion_laughs(prefix: str = "") -> str:
    """Nine levels of nine aliases: 9**9 (387 million) values from about 300 bytes."""
    lines = [f"{prefix}a: &a [x, x, x, x, x, x, x, x, x]"]
    for previous, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{prefix}{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def capped(*command: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a command with the memory cap and the timeout (a timeout fails the test)."""
    return subprocess.run(command, capture_output=True, text=True, cwd=REPO_ROOT, env=env, timeout=TIMEOUT, preexec_fn=_cap_memory)


def kloe(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return capped(sys.executable, "-m", "kloe_nb.cli.main", *args, env=env)


def with_frameworks_path(folder: Path) -> dict[str, str]:
    return {**os.environ, "KLOE_FRAMEWORKS_PATH": str(folder)}


def bomb_in_framework(tmp_path: Path) -> Path:
    """The minimal valid framework with the bomb appended (as keys the schema would refuse later)."""
    path = tmp_path / "good-minimal.yaml"
    path.write_text(GOOD_MINIMAL.read_text(encoding="utf-8") + billion_laughs("lol-"), encoding="utf-8")
    return path


def first_alias_past_the_budget(text: str) -> str:
    """``line:column`` of the alias whose expansion crosses the budget (where the error must point)."""
    sizes: dict[str, int] = {}
    total = 0
    for number, line in enumerate(text.splitlines(), start=1):
        anchor = re.search(r"&(\w+) \[", line)
        if anchor is None:
            continue
        sizes[anchor.group(1)] = 1
        for item in re.finditer(r"\*(\w+)|x", line[anchor.end() :]):
            expands = sizes[item.group(1)] if item.group(1) else 1
            sizes[anchor.group(1)] += expands
            total += expands if item.group(1) else 0
            if total > MAX_ALIAS_VALUES:
                return f"{number}:{anchor.end() + item.start() + 1}"
    raise AssertionError("the bomb never crosses the budget")


# ---- alias bombs -------------------------------------------------------------------------


def test_alias_bomb_file_is_refused_by_validate_at_the_alias(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(billion_laughs(), encoding="utf-8")
    result = kloe("frameworks", "validate", str(path))
    assert result.returncode == 2, result.stderr
    assert f"  {path}:{first_alias_past_the_budget(path.read_text())}: " in result.stderr
    assert ALIAS_MESSAGE in result.stderr
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr


def test_alias_bomb_inside_a_valid_framework_is_refused_by_validate(tmp_path):
    path = bomb_in_framework(tmp_path)
    result = kloe("frameworks", "validate", str(path))
    assert result.returncode == 2, result.stderr
    [problem] = [line.strip() for line in result.stderr.splitlines() if line.startswith("  ")]
    assert problem == f"{path}:{first_alias_past_the_budget(path.read_text())}: {ALIAS_MESSAGE}"


def test_alias_bomb_inside_a_valid_framework_is_refused_by_the_loader(tmp_path):
    path = bomb_in_framework(tmp_path)
    program = (
        "import sys\n"
        "from kloe_nb.errors import InvalidInputError\n"
        "from kloe_nb.framework.loader import load_framework_file\n"
        "try:\n"
        "    load_framework_file(sys.argv[1])\n"
        "except InvalidInputError as error:\n"
        "    print('\\n'.join(str(problem) for problem in error.problems))\n"
    )
    result = capped(sys.executable, "-c", program, str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{path}:{first_alias_past_the_budget(path.read_text())}: {ALIAS_MESSAGE}"


def test_aliases_may_expand_to_the_budget_and_no_further():
    values = ", ".join(["x"] * 99)  # the anchored list is 100 values: itself and 99 items
    uses = MAX_ALIAS_VALUES // 100
    within = f"a: &a [{values}]\n" + "".join(f"u{n}: *a\n" for n in range(uses))
    document = read_yaml_text(within, "within.yaml")
    assert document.data[f"u{uses - 1}"] == ["x"] * 99
    with pytest.raises(InvalidInputError) as caught:
        read_yaml_text(within + "one-more: [*a]\n", "over.yaml")
    assert [str(problem) for problem in caught.value.problems] == [f"over.yaml:{uses + 2}:12: {ALIAS_MESSAGE}"]


@pytest.mark.parametrize("text", ["a: &a [1, *a]\n", "a: &a\n  b: *a\n"])
def test_an_alias_inside_the_value_it_names_is_refused(text):
    with pytest.raises(InvalidInputError) as caught:
        read_yaml_text(text, "loop.yaml")
    [problem] = caught.value.problems
    assert str(problem).startswith("loop.yaml:")
    assert "the alias *a is inside the value it names, so it never ends; write the values out" in str(problem)


def test_the_limits_are_the_documented_ones():
    from kloe_nb import yaml_source
    from kloe_nb.interchange import json_io

    assert (yaml_source.MAX_ALIAS_VALUES, yaml_source.MAX_DEPTH, json_io.MAX_DEPTH) == (MAX_ALIAS_VALUES, MAX_DEPTH, JSON_MAX_DEPTH)


def test_the_bundled_frameworks_use_aliases_within_the_budget():
    assert "*id001" in (REPO_ROOT / "frameworks" / "caa-2009.yaml").read_text(encoding="utf-8")
    result = kloe("frameworks", "validate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(": ok (") == len(bundled_ids()) == 5


# ---- deep nesting ------------------------------------------------------------------------


def test_yaml_nested_200000_deep_is_refused_at_the_first_bracket_too_deep(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("[" * 200_000 + "]" * 200_000 + "\n", encoding="utf-8")
    result = kloe("frameworks", "validate", str(path))
    assert result.returncode == 2, result.stderr
    assert f"  {path}:1:{MAX_DEPTH + 1}: {YAML_DEPTH_MESSAGE}" in result.stderr
    assert "RecursionError" not in result.stderr and "Traceback" not in result.stderr


def test_yaml_may_nest_to_the_limit_and_no_further():
    nested: object = []
    for _ in range(MAX_DEPTH - 1):
        nested = [nested]
    assert read_yaml_text("[" * MAX_DEPTH + "]" * MAX_DEPTH, "ok.yaml").data == nested
    block = "".join(f"{'  ' * level}k{level}:\n" for level in range(MAX_DEPTH)) + f"{'  ' * MAX_DEPTH}k: v\n"
    with pytest.raises(InvalidInputError) as caught:
        read_yaml_text(block, "block.yaml")
    assert [str(problem) for problem in caught.value.problems][0].startswith(f"block.yaml:{MAX_DEPTH + 1}:")


def test_aliases_count_towards_the_nesting_limit():
    half = MAX_DEPTH // 2 + 10
    text = "a: &a " + "[" * half + "]" * half + "\nb: " + "[" * half + "*a" + "]" * half + "\n"
    with pytest.raises(InvalidInputError) as caught:
        read_yaml_text(text, "aliased.yaml")
    [problem] = caught.value.problems
    assert str(problem).startswith(f"aliased.yaml:2:{4 + half}: {YAML_DEPTH_MESSAGE}")


@pytest.mark.parametrize(("name", "opening", "closing"), [("arrays", "[", "]"), ("objects", '{"a":', "}")])
def test_json_nested_200000_deep_is_refused_by_import(tmp_path, name, opening, closing):
    path = tmp_path / f"deep-{name}.json"
    path.write_text(opening * 200_000 + "1" * (opening != "[") + closing * 200_000, encoding="utf-8")
    result = kloe("--store", str(tmp_path / "kloe.db"), "import", str(path))
    assert result.returncode == 2, result.stderr
    column = JSON_MAX_DEPTH * len(opening) + 1
    assert f"  {path}:1:{column}: {JSON_DEPTH_MESSAGE}; an assessment never needs this: check the brackets" in result.stderr
    assert "RecursionError" not in result.stderr and "Traceback" not in result.stderr


def test_json_depth_counts_brackets_outside_strings_only():
    inside_strings = '{"organisation": "' + "[{" * 500 + '\\"[[[", "x": ["]]]]"]}'
    with pytest.raises(InvalidInputError) as caught:
        parse_assessment_json(inside_strings, "strings.json")
    assert not any(JSON_DEPTH_MESSAGE in str(problem) for problem in caught.value.problems)
    at_the_limit = "[" * JSON_MAX_DEPTH + "]" * JSON_MAX_DEPTH
    with pytest.raises(InvalidInputError, match="an assessment is a JSON object"):
        parse_assessment_json(at_the_limit, "limit.json")
    over = "\n" + " [" * (JSON_MAX_DEPTH + 1)
    with pytest.raises(InvalidInputError) as caught:
        parse_assessment_json(over, "over.json")
    assert [str(problem) for problem in caught.value.problems] == [
        f"over.json:2:{2 * JSON_MAX_DEPTH + 2}: {JSON_DEPTH_MESSAGE}; an assessment never needs this: check the brackets"
    ]


# ---- one bad framework file hides nothing ------------------------------------------------


def bad_frameworks(folder: Path) -> dict[str, str]:
    """A folder with a good framework and three bombs; the reason each bomb must be reported with."""
    folder.mkdir()
    (folder / "good-minimal.yaml").write_text(GOOD_MINIMAL.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "bomb.yaml").write_text(billion_laughs(), encoding="utf-8")
    (folder / "deep.yaml").write_text("[" * 200_000 + "]" * 200_000 + "\n", encoding="utf-8")
    (folder / "loop.yaml").write_text("a: &a [1, *a]\n", encoding="utf-8")
    return {"bomb": ALIAS_MESSAGE, "deep": YAML_DEPTH_MESSAGE, "loop": "the alias *a is inside the value it names"}


def test_frameworks_list_shows_the_good_and_reports_each_bad_file(tmp_path):
    folder = tmp_path / "frameworks"
    reasons = bad_frameworks(folder)
    result = kloe("frameworks", "list", "--json", env=with_frameworks_path(folder))
    assert result.returncode == 1, result.stderr
    assert [row["id"] for row in json.loads(result.stdout)] == sorted([*bundled_ids(), "good-minimal"])
    for name, reason in reasons.items():
        [reported] = [line for line in result.stderr.splitlines() if line.startswith(f"  {folder / name}.yaml:")]
        assert reason in reported, result.stderr
    assert "Traceback" not in result.stderr


def test_the_loader_loads_the_good_and_names_each_bad_file(tmp_path):
    folder = tmp_path / "frameworks"
    reasons = bad_frameworks(folder)
    program = (
        "from kloe_nb.framework.loader import load_all\n"
        "loaded, errors = load_all()\n"
        "print(' '.join(loaded))\n"
        "for error in errors:\n"
        "    print(error.source, '|', error.problems[0].message)\n"
    )
    result = capped(sys.executable, "-c", program, env=with_frameworks_path(folder))
    assert result.returncode == 0, result.stderr
    loaded, *errors = result.stdout.splitlines()
    assert loaded.split() == sorted([*bundled_ids(), "good-minimal"])
    assert [error.split(" | ")[0] for error in errors] == [str(folder / f"{name}.yaml") for name in sorted(reasons)]
    for error, name in zip(errors, sorted(reasons)):
        assert reasons[name] in error


def test_other_commands_use_their_framework_beside_a_bad_file(tmp_path):
    folder = tmp_path / "frameworks"
    bad_frameworks(folder)
    env = with_frameworks_path(folder)
    shown = kloe("frameworks", "show", "hi-prospects", env=env)
    assert shown.returncode == 0, shown.stderr
    assert "KLOE track-record: Track record" in shown.stdout
    example = sorted((REPO_ROOT / "examples" / "assessments").glob("ac-benefits--*.json"))[0]
    scored = kloe("score", str(example), env=env)
    assert scored.returncode == 0, scored.stderr
    assert "Judgements" in scored.stdout
