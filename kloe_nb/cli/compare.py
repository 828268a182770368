"""``kloe compare``: every council's latest assessment of a framework, compared on one HTML page."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from kloe_nb.cli.messages import wrote
from kloe_nb.render.terminal_text import visible


def add_commands(commands: Any) -> None:
    """Register ``kloe compare``."""
    from kloe_nb.batch import DEFAULT_TIMEOUT
    from kloe_nb.cli.run import _positive

    compare = commands.add_parser(
        "compare",
        help="compare every council's latest assessment of a framework: league table, distributions, heatmap, peer groups, "
        "direction of travel, assessor agreement (one HTML page)",
    )
    compare.add_argument("--framework", required=True, help="framework id, e.g. ac-benefits (kloe frameworks list)")
    compare.add_argument("--group", default="", metavar="GROUP", help="compare only this peer group (default: every council)")
    compare.add_argument(
        "--councils", type=Path, default=None, metavar="FILE.csv", help="a councils CSV (code,name,group) whose group column overrides the peer groups stored"
    )
    compare.add_argument(
        "-o", "--output", type=Path, required=True, metavar="FILE.html", help="the page to write; the executed notebook is kept beside it as FILE.ipynb"
    )
    compare.add_argument(
        "--timeout", type=_positive, default=DEFAULT_TIMEOUT, metavar="SECONDS", help=f"the longest the comparison may take (default {DEFAULT_TIMEOUT:g})"
    )
    compare.add_argument(
        "--notebook", type=Path, default=None, metavar="FILE.ipynb", help="a comparison notebook of your own (default: the bundled notebooks/compare.ipynb)"
    )
    compare.set_defaults(handler=compare_command)


def compare_command(args: argparse.Namespace) -> int:
    """``kloe compare``: the page and its notebook; exit 1 with the reason if the notebook fails (bad input: exit 2)."""
    from kloe_nb.batch.comparison import DEFAULT_COMPARE_NOTEBOOK, ComparisonJob, run_comparisons

    job = ComparisonJob(
        framework=args.framework,
        store=args.store,
        output=args.output,
        group=args.group,
        councils=args.councils,
        notebook=args.notebook or DEFAULT_COMPARE_NOTEBOOK,
    )
    result = run_comparisons([job], timeout=args.timeout)[0]
    if result.status != "ok":
        print(visible(f"kloe: comparison not written: {result.reason}", lines=True), file=sys.stderr)
        if result.notebook:
            print(visible(f"kloe: the failed notebook is at {result.notebook}"), file=sys.stderr)
        return 1
    within = f" in the peer group {args.group!r}" if args.group else ""
    wrote(args.output, f"{result.councils} council{'s' if result.councils != 1 else ''}{within} compared")
    print(visible(f"notebook: {result.notebook}"))
    return 0
