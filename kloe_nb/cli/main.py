"""Entry point of the ``kloe`` command: argument parsing, exit codes, and error printing.

Exit codes (docs/design.md): 0 ok, 1 some work failed (the rest was done), 2 bad usage or input.
A ``KloeError`` is printed as plain words; any other exception is a bug, printed briefly
(with the traceback only under ``--debug``). A message can quote a council name or a file's
content, so its control characters are shown as escapes (``render/terminal_text.py``).
"""

from __future__ import annotations

import argparse
import sys
import traceback
import warnings
from collections.abc import Sequence

from kloe_nb import __version__
from kloe_nb.cli import analysis as analysis_cli
from kloe_nb.cli import app as app_cli
from kloe_nb.cli import assessments as assessments_cli
from kloe_nb.cli import compare as compare_cli
from kloe_nb.cli import frameworks as frameworks_cli
from kloe_nb.cli import run as run_cli
from kloe_nb.cli import store as store_cli
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


def build_parser() -> argparse.ArgumentParser:
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
    frameworks_cli.add_commands(commands)
    assessments_cli.add_commands(commands)
    analysis_cli.add_commands(commands)
    run_cli.add_commands(commands)
    compare_cli.add_commands(commands)
    store_cli.add_commands(commands)
    app_cli.add_commands(commands)
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
    parser = build_parser()
    args = parser.parse_args(argv)
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
