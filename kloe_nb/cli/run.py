"""``kloe run`` (every council of a CSV) and ``kloe render`` (one council): the report notebook, as HTML."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from kloe_nb.cli.messages import wrote
from kloe_nb.render.terminal_text import visible


def _parameter(text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _common(command: argparse.ArgumentParser) -> None:
    from kloe_nb.batch import DEFAULT_TIMEOUT

    command.add_argument("--framework", required=True, help="framework id, e.g. ac-benefits (kloe frameworks list)")
    command.add_argument(
        "--timeout", type=_positive, default=DEFAULT_TIMEOUT, metavar="SECONDS", help=f"the longest one council may take (default {DEFAULT_TIMEOUT:g})"
    )
    command.add_argument(
        "--notebook", type=Path, default=None, metavar="FILE.ipynb", help="a report notebook of your own (default: the bundled notebooks/report.ipynb)"
    )
    command.add_argument(
        "-p",
        "--parameter",
        type=_parameter,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="another parameter your notebook declares (values are passed as text, exactly)",
    )


def add_commands(commands: Any) -> None:
    """Register ``kloe run`` and ``kloe render``."""
    run = commands.add_parser("run", help="render the report of every council in a CSV: HTML, executed notebooks, index.html, summary.csv")
    run.add_argument("--councils", type=Path, required=True, metavar="FILE.csv", help="councils CSV: code,name[,group][,period]")
    run.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder (created if missing)")
    run.add_argument("-j", "--jobs", type=_jobs, default=None, metavar="N", help="councils run at once (default: the number of CPUs)")
    run.add_argument("--resume", action="store_true", help="skip councils whose report is newer than their assessment's latest revision")
    run.add_argument("--no-progress", action="store_true", help="no progress bar (results are still listed)")
    _common(run)
    run.set_defaults(handler=run_command)

    render = commands.add_parser("render", help="render one council's report to an HTML file")
    render.add_argument("--council", required=True, metavar="CODE", help="the council's code, exactly as stored")
    render.add_argument("--period", default="", help="the assessment period, where the council has several")
    render.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.html")
    render.add_argument("--save-notebook", type=Path, default=None, metavar="FILE.ipynb", help="also keep the executed notebook")
    _common(render)
    render.set_defaults(handler=render_command)


def _notebook(args: argparse.Namespace) -> Path:
    from kloe_nb.batch.parameters import DEFAULT_NOTEBOOK

    return args.notebook or DEFAULT_NOTEBOOK


def run_command(args: argparse.Namespace) -> int:
    """``kloe run``: the batch, then a one-line account and the paths of the index and summary."""
    from kloe_nb.batch.runner import BatchOptions, default_jobs, run_batch

    options = BatchOptions(
        framework=args.framework,
        councils=args.councils,
        out_dir=args.out,
        store=args.store,
        jobs=args.jobs or default_jobs(),
        resume=args.resume,
        timeout=args.timeout,
        notebook=_notebook(args),
        extra=dict(args.parameter),
        progress=not args.no_progress,
    )
    outcome = run_batch(options)
    failed = [row for row in outcome.rows if row.status == "failed"]
    print(
        f"{outcome.count('ok')} reports written, {outcome.count('up to date')} up to date, {len(failed)} failed"
        + (" (interrupted)" if outcome.interrupted else "")
    )
    for row in failed:
        print(visible(f"  failed: {row.code} ({row.name}): {row.reason}", lines=True), file=sys.stderr)
    print(visible(f"index:   {outcome.index}"))
    print(visible(f"summary: {outcome.summary}"))
    return outcome.exit_code


def render_command(args: argparse.Namespace) -> int:
    """``kloe render``: one council to one HTML file; exit 1 with the reason if its report fails."""
    from kloe_nb.batch.single import render_one

    result = render_one(
        framework=args.framework,
        code=args.council,
        period=args.period,
        store=args.store,
        output=args.output,
        notebook=_notebook(args),
        extra=dict(args.parameter),
        timeout=args.timeout,
        save_notebook=args.save_notebook,
    )
    if result.status != "ok":
        print(visible(f"kloe: report not written: {args.council}: {result.reason}", lines=True), file=sys.stderr)
        if result.failed_notebook:
            print(visible(f"kloe: the failed notebook is at {result.failed_notebook}"), file=sys.stderr)
        return 1
    wrote(args.output)
    return 0
