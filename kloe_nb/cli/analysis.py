"""``kloe diff`` and ``kloe agreement``: what changed between periods, and how far assessors agree."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from kloe_nb.framework.loader import load_framework
from kloe_nb.render.terminal_text import visible, visible_json


def add_commands(commands: Any) -> None:
    diff = commands.add_parser("diff", help="every change between two periods of a council's assessment: who made it and when")
    diff.add_argument("--org", required=True, help="organisation code")
    diff.add_argument("--framework", required=True, help="framework id")
    diff.add_argument("--from", dest="period_from", required=True, metavar="P1", help="the earlier period, e.g. 2007/08")
    diff.add_argument("--to", dest="period_to", required=True, metavar="P2", help="the later period, e.g. 2008/09")
    diff.add_argument("--track", default="", help="the track: blank (default) for the lead assessment, or an independent scoring such as B")
    diff.add_argument("--json", action="store_true", help="machine-readable output")
    diff.set_defaults(handler=diff_command)

    agreement = commands.add_parser("agreement", help="agreement between independent assessors of a framework (exact, within one, kappa)")
    agreement.add_argument("--framework", required=True, help="framework id")
    agreement.add_argument("--json", action="store_true", help="machine-readable output")
    agreement.set_defaults(handler=agreement_command)


def _print_json(data: Any) -> None:
    sys.stdout.write(visible_json(json.dumps(data, ensure_ascii=False, indent=2)) + "\n")


def _value(value: Any) -> str:
    """A field's value on one line: blank as '(blank)', text as itself, a list of records (evidence, actions)
    as its count and the start of the first, anything else as JSON; long values cut (--json has them whole)."""
    if value is None or value in ("", [], {}):
        text = "(blank)"
    elif isinstance(value, str):
        text = " ".join(value.split())
    elif isinstance(value, list) and all(isinstance(item, dict) for item in value):
        first = next((str(v) for v in value[0].values() if v), "")
        text = f"{len(value)} item{'s' if len(value) != 1 else ''}" + (f": {' '.join(first.split())}" if first else "")
    else:
        text = json.dumps(value, ensure_ascii=False)
    text = visible(text)
    return text if len(text) <= 40 else text[:37] + "..."


def _table(header: list[str], rows: list[list[str]], right: frozenset[int] = frozenset()) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(cell.rjust(w) if i in right else cell.ljust(w) for i, (cell, w) in enumerate(zip(cells, widths))).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(row) for row in rows)])


def diff_command(args: argparse.Namespace) -> int:
    from kloe_nb.analysis.changes import period_changes
    from kloe_nb.store import open_store

    with open_store(args.store, read_only=True) as store:
        changes = period_changes(store, args.framework, args.org, args.period_from, args.period_to, args.track)
    if args.json:
        _print_json(
            {
                "framework": args.framework,
                "org": args.org,
                "from": args.period_from,
                "to": args.period_to,
                "track": args.track,
                "changes": [change.__dict__ for change in changes],
            }
        )
        return 0
    track = f" (track {args.track})" if args.track else ""
    heading = f"{args.org} {args.framework}{track}: {args.period_from} -> {args.period_to}"
    if not changes:
        print(visible(f"{heading}: no differences"))
        return 0
    print(visible(f"{heading}: {len(changes)} field{'s' if len(changes) != 1 else ''} changed"))
    rows = [
        [visible(change.label), _value(change.before), _value(change.after), visible(change.changed_by), visible(change.changed_at), str(change.revision)]
        for change in changes
    ]
    print(_table(["field", "before", "after", "who", "when", "revision"], rows, right=frozenset({5})))
    return 0


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.0f}%"


def _kappa(kappa: float | None) -> str:
    return "-" if kappa is None else f"{kappa:.2f}"


def _agreement_data(agreement: Any) -> dict[str, Any]:
    return {
        "compared": agreement.compared,
        "exact": agreement.exact,
        "within_one": agreement.within_one,
        "kappa": agreement.kappa,
        "note": agreement.note,
    }


def agreement_command(args: argparse.Namespace) -> int:
    from kloe_nb.analysis.agreement import agreement_report
    from kloe_nb.store import open_store

    framework = load_framework(args.framework)
    with open_store(args.store, read_only=True) as store:
        report = agreement_report(store, framework)
    if args.json:
        _print_json(
            {
                "framework": report.framework,
                "councils": report.councils,
                "overall": _agreement_data(report.overall),
                "pairs": [{"assessors": list(pair.assessors), "councils": pair.councils, **_agreement_data(pair.agreement)} for pair in report.pairs],
            }
        )
        return 0
    if not report.councils:
        print(
            f"{visible(framework.id)}: no council has both a lead assessment and an independent scoring (a named track such as B) "
            "in this store yet, so there is nothing to compare"
        )
        return 0
    plural = "s" if report.councils != 1 else ""
    print(f"{visible(framework.id)}: {report.councils} council assessment{plural} scored independently by two or more assessors")
    named = [("overall", report.councils, report.overall)]
    named += [(visible(" / ".join(pair.assessors)), len(pair.councils), pair.agreement) for pair in report.pairs]
    rows = [[name, str(councils), str(a.compared), _percent(a.exact), _percent(a.within_one), _kappa(a.kappa)] for name, councils, a in named]
    print(_table(["assessors", "councils", "KLOEs compared", "exact", "within one", "kappa"], rows, right=frozenset({1, 2, 3, 4, 5})))
    notes = [f"{name}: {a.note}" for name, _, a in named if a.note]
    for note in notes:
        print(visible(f"note: {note}"))
    print("kappa: quadratic-weighted Cohen's kappa over levels 1-4 (1 = full agreement, 0 = no better than chance)")
    return 0
