"""Entry point of the ``kloe`` command: argument parsing, exit codes, and error printing.

Exit codes (docs/design.md): 0 ok, 1 some work failed (the rest was done), 2 bad usage or input.
A ``KloeError`` is printed as plain words; any other exception is a bug, printed briefly
(with the traceback only under ``--debug``). A message can quote a council name or a file's
content, so its control characters are shown as escapes (``render/terminal_text.py``).

Start-up: the commands' modules import what their commands use (openpyxl, pydantic, the
store...), so only the module of the command being run is imported. ``COMMANDS`` names each
command, its module and its one-line help; every other command gets a placeholder parser with
that help, so ``kloe --help`` lists them all having imported none of them.
(tests/test_cli_startup.py checks the table against the modules' own parsers.)
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
import warnings
from collections.abc import Sequence
from typing import NamedTuple

from kloe_nb import __version__
from kloe_nb.errors import KloeError
from kloe_nb.files import os_error_text
from kloe_nb.render.terminal_text import visible
from kloe_nb.settings import settings

EXIT_OK, EXIT_PARTIAL, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on bad usage already; this only makes the message name the fix."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"kloe: error: {visible(message, lines=True)}\n(run '{self.prog} --help' for the options)\n")


class Command(NamedTuple):
    """A top-level command: its name, the module whose ``add_commands`` registers it, its help line."""

    name: str
    module: str
    help: str


COMMANDS: tuple[Command, ...] = (
    Command("frameworks", "kloe_nb.cli.frameworks", "list, show, validate, author and convert frameworks, and write their handbooks"),
    Command("schema", "kloe_nb.cli.frameworks", "print the framework JSON Schema (for editors checking YAML)"),
    Command("score", "kloe_nb.cli.assessments", "the scores of one assessment (file, or from the store)"),
    Command(
        "import",
        "kloe_nb.cli.assessments",
        "import assessment files (JSON, or the Excel workbook of kloe export or kloe template) into the store; a workbook with no changes saves nothing",
    ),
    Command("export", "kloe_nb.cli.assessments", "export a stored assessment as JSON, the Excel template, or CSV"),
    Command("template", "kloe_nb.cli.assessments", "write a blank Excel self-assessment template for a framework"),
    Command("history", "kloe_nb.cli.assessments", "every revision of a stored assessment: who, when, what changed"),
    Command("diff", "kloe_nb.cli.analysis", "every change between two periods of a council's assessment: who made it and when"),
    Command("agreement", "kloe_nb.cli.analysis", "agreement between independent assessors of a framework (exact, within one, kappa)"),
    Command("run", "kloe_nb.cli.run", "render the report of every council in a CSV: HTML, executed notebooks, index.html, summary.csv"),
    Command("render", "kloe_nb.cli.run", "render one council's report to an HTML file"),
    Command(
        "compare",
        "kloe_nb.cli.compare",
        "compare every council's latest assessment of a framework: league table, distributions, heatmap, peer groups, "
        "direction of travel, assessor agreement (one HTML page)",
    ),
    Command("store", "kloe_nb.cli.store", "set up, copy or check an assessment store (SQLite file or PostgreSQL)"),
    Command("lab", "kloe_nb.cli.app", "start JupyterLab on the notebooks, on the store named by --store or $KLOE_STORE"),
    Command("app", "kloe_nb.cli.app", "start the assessment app (Voilà): a start page listing the assessments, and the form without code, on one store"),
)


def command_in(argv: Sequence[str]) -> str | None:
    """The command the arguments name (the first word that is one, past ``--store VALUE``), or None."""
    names = {command.name for command in COMMANDS}
    words = iter(argv)
    for word in words:
        if word == "--store":
            next(words, None)
        elif word in names:
            return word
        elif word == "--" or not word.startswith("-"):
            return None  # not a command: argparse says so, listing them
    return None


def build_parser(command: str | None = "") -> argparse.ArgumentParser:
    """The whole parser by default; for ``command`` (None: no command), only that command's module is imported (see the module docstring)."""
    parser = _Parser(prog="kloe", description="Assess public services against Key Lines of Enquiry (KLOE) frameworks.")
    parser.add_argument("--version", action="version", version=f"kloe-workbook {__version__}")
    parser.add_argument(
        "--store",
        default=settings().store,
        help="the assessment store: a SQLite file, or postgresql://user@host/db (password in ~/.pgpass); default $KLOE_STORE or ./kloe.db",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    wanted = {entry.module for entry in COMMANDS if command == "" or entry.name == command}
    registered: set[str] = set()
    for entry in COMMANDS:
        if entry.module not in wanted:  # a placeholder, taking anything: main parses again with every command if it is chosen
            commands.add_parser(entry.name, help=entry.help, add_help=False).add_argument("words", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
        elif entry.module not in registered:
            registered.add(entry.module)
            importlib.import_module(entry.module).add_commands(commands)
    _accept_common_options_everywhere(parser)
    return parser


def _accept_common_options_everywhere(parser: argparse.ArgumentParser) -> None:
    """Let ``--store`` and ``--debug`` follow any command too (``kloe import x.json --store s.db``)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in set(action.choices.values()):
                sub.add_argument("--store", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
                sub.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
                _accept_common_options_everywhere(sub)


def _print_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int, file: object = None, line: str | None = None) -> None:
    """Warnings meant for people (encodings, network shares) as one plain line, not a source location."""
    print(f"kloe: warning: {visible(str(message), lines=True)}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    warnings.showwarning = _print_warning
    words = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(command_in(words))
    args = parser.parse_args(words)
    if not hasattr(args, "handler"):  # a placeholder chosen after all (command_in missed its name: ``--stor x.db run``)
        args = build_parser().parse_args(words)
    try:
        return int(args.handler(args) or EXIT_OK)
    except KloeError as error:
        print(f"kloe: {visible(str(error), lines=True)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("kloe: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except OSError as error:  # the machine, not the workbook: a full disk, a name too long, no permission
        if args.debug:
            traceback.print_exc()
        print(f"kloe: {visible(os_error_text(error))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as error:  # noqa: BLE001 - a bug: say so plainly, traceback only when asked
        if args.debug:
            traceback.print_exc()
        print(visible(f"kloe: unexpected error: {type(error).__name__}: {error} (run with --debug for details)", lines=True), file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
