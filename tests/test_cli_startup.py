"""The ``kloe`` command starts light: its table of commands is the modules' own, and it imports only what the command runs."""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO_ROOT

from kloe_nb.cli.main import COMMANDS, build_parser, command_in

EXAMPLES = REPO_ROOT / "examples"
#: What neither ``kloe --help`` nor ``kloe run``'s own process needs (``kloe run``'s workers import the first three).
HEAVY = ("papermill", "nbconvert", "nbclient", "pandas", "numpy", "openpyxl", "sklearn", "ipywidgets", "bs4", "pydantic_settings")
COMMAND_MODULES = sorted({command.module for command in COMMANDS})

# Run the command in this process, then print the modules it imported, as JSON, on the last line of stdout.
_SHOW_MODULES = (
    "import json, sys\n"
    "from kloe_nb.cli.main import main\n"
    "try:\n"
    "    code = main(sys.argv[1:])\n"
    "except SystemExit as stop:\n"
    "    code = stop.code\n"
    "print(json.dumps(sorted(sys.modules)))\n"
    "sys.exit(code)\n"
)


def imported_by(*args: str, cwd: Path = REPO_ROOT) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    result = subprocess.run([sys.executable, "-c", _SHOW_MODULES, *args], capture_output=True, text=True, cwd=cwd, timeout=240)
    return result, set(json.loads(result.stdout.strip().splitlines()[-1]))


def top_level(modules: set[str]) -> set[str]:
    return {name.partition(".")[0] for name in modules}


def subcommands(parser: argparse.ArgumentParser) -> dict[str, str]:
    """Each command's name and its help line, in the order ``kloe --help`` lists them."""
    action = next(action for action in parser._actions if isinstance(action, argparse._SubParsersAction))
    return {choice.dest: choice.help or "" for choice in action._choices_actions}


def test_the_table_of_commands_is_what_the_modules_register_in_the_same_order_with_the_same_help():
    assert subcommands(build_parser(None)) == subcommands(build_parser()) == {command.name: command.help for command in COMMANDS}


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command.name)
def test_each_command_is_registered_by_the_module_the_table_names(command):
    registered = argparse.ArgumentParser().add_subparsers()
    importlib.import_module(command.module).add_commands(registered)
    assert command.name in registered.choices
    action = next(action for action in build_parser(command.name)._actions if isinstance(action, argparse._SubParsersAction))
    assert action.choices[command.name].add_help  # the real parser, not a placeholder


def test_the_command_is_found_past_the_common_options():
    assert command_in(["--store", "run", "render", "--council", "x"]) == "render"  # a store file named "run"
    assert command_in(["--store=x.db", "--debug", "run", "--framework", "f"]) == "run"
    assert command_in(["--help"]) is None
    assert command_in(["bogus", "run"]) is None  # argparse refuses "bogus", listing the commands


def test_help_lists_every_command_and_imports_none_of_their_modules():
    result, modules = imported_by("--help")
    assert result.returncode == 0, result.stderr
    for command in COMMANDS:
        assert command.name in result.stdout
    assert modules & set(COMMAND_MODULES) == set()
    assert top_level(modules) & set(HEAVY) == set()


def test_a_command_imports_its_own_module_only():
    result, modules = imported_by("frameworks", "list", "--json")
    assert result.returncode == 0, result.stderr
    assert modules & set(COMMAND_MODULES) == {"kloe_nb.cli.frameworks"}


def test_a_command_command_in_cannot_find_still_runs_with_its_options():
    result, _ = imported_by("--stor", "x.db", "frameworks", "list", "--json")  # argparse takes --stor for --store
    assert result.returncode == 0, result.stderr
    assert '"id": "ac-benefits"' in result.stdout


def test_an_unknown_command_is_refused_listing_the_commands():
    result, _ = imported_by("bogus")
    assert result.returncode == 2
    assert "invalid choice: 'bogus'" in result.stderr and "render" in result.stderr


@pytest.mark.slow  # a real kernel runs one council
def test_kloe_run_itself_imports_neither_papermill_nor_nbconvert_nor_pandas(tmp_path):
    councils = tmp_path / "councils.csv"
    source = (EXAMPLES / "councils" / "ac-benefits.csv").read_text(encoding="utf-8").splitlines()
    councils.write_text("\n".join(source[:2]) + "\n", encoding="utf-8")
    store = tmp_path / "kloe.db"
    from kloe_nb.demo import import_assessments

    import_assessments(store, sorted((EXAMPLES / "assessments").glob("ac-benefits--*.json")))
    result, modules = imported_by(
        "--store", str(store), "run", "--framework", "ac-benefits", "--councils", str(councils), "--out", str(tmp_path / "out"), "-j", "1", "--no-progress"
    )
    assert result.returncode == 0, result.stderr
    assert "1 reports written" in result.stdout
    assert top_level(modules) & set(HEAVY) == set()
    assert modules & set(COMMAND_MODULES) == {"kloe_nb.cli.run"}
