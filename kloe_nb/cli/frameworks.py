"""``kloe frameworks ...`` and ``kloe schema``: browse, validate and publish frameworks."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from kloe_nb.cli.messages import wrote
from kloe_nb.errors import InvalidInputError
from kloe_nb.framework.flatten import flatten, summary
from kloe_nb.framework.loader import framework_paths, load_all, load_framework_by_id, load_framework_record
from kloe_nb.framework.model import Framework
from kloe_nb.render.handbook import write_handbook
from kloe_nb.render.terminal import framework_text
from kloe_nb.render.terminal_text import visible, visible_json


def add_commands(commands: Any) -> None:
    group = commands.add_parser("frameworks", help="list, show, validate frameworks and write their handbooks")
    sub = group.add_subparsers(dest="frameworks_command", metavar="ACTION")
    sub.required = True

    listing = sub.add_parser("list", help="the frameworks available")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(handler=list_frameworks)

    show = sub.add_parser("show", help="every KLOE of one framework with its descriptors")
    show.add_argument("id", help="framework id, e.g. ac-benefits")
    show.add_argument("--json", action="store_true", help="the flattened JSON (docs/design.md)")
    show.set_defaults(handler=show_framework)

    validate = sub.add_parser("validate", help="check framework files; every problem as file:line: field: message")
    validate.add_argument("paths", nargs="*", type=Path, help="files to check (default: every known framework)")
    validate.set_defaults(handler=validate_frameworks)

    handbook = sub.add_parser("handbook", help="write a framework as one self-contained HTML page")
    handbook.add_argument("id", help="framework id")
    handbook.add_argument("-o", "--output", type=Path, required=True, help="the HTML file to write")
    handbook.set_defaults(handler=handbook_command)

    schema = commands.add_parser("schema", help="print the framework JSON Schema (for editors checking YAML)")
    schema.set_defaults(handler=print_schema)


def _print_json(data: Any) -> None:
    sys.stdout.write(visible_json(json.dumps(data, ensure_ascii=False, indent=2)) + "\n")


def list_frameworks(args: argparse.Namespace) -> int:
    loaded, errors = load_all()
    rows = [summary(record.framework) for record in loaded.values()]
    if args.json:
        _print_json(rows)
    else:
        for row in rows:
            print(visible(f"{row['id']:<15} {row['kloes']:>4} KLOEs  {row['title']} ({row['publisher']}, {row['date']})"))
    for error in errors:
        print(f"kloe: {visible(str(error), lines=True)}", file=sys.stderr)
    return 1 if errors else 0


def show_framework(args: argparse.Namespace) -> int:
    record = load_framework_by_id(args.id)
    if args.json:
        _print_json(flatten(record.framework, record.sha256))
    else:
        sys.stdout.write(framework_text(record.framework))
    return 0


def validate_frameworks(args: argparse.Namespace) -> int:
    paths = args.paths or list(framework_paths().values())
    failed = 0
    for path in paths:
        try:
            framework: Framework = load_framework_record(path).framework
        except InvalidInputError as error:
            failed += 1
            print(visible(str(error), lines=True), file=sys.stderr)
        else:
            print(visible(f"{path}: ok ({framework.id}, {len(framework.iter_kloes())} KLOEs)"))
    return 2 if failed else 0


def handbook_command(args: argparse.Namespace) -> int:
    record = load_framework_by_id(args.id)
    write_handbook(record, args.output)
    wrote(args.output)
    return 0


def print_schema(args: argparse.Namespace) -> int:
    _print_json(Framework.model_json_schema())
    return 0
