"""``kloe frameworks ...`` and ``kloe schema``: browse, validate and publish frameworks."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from kloe_nb.cli.messages import wrote
from kloe_nb.errors import InvalidInputError, KloeError
from kloe_nb.files import STANDARD_OUTPUT, write_text_atomically
from kloe_nb.framework.flatten import flatten, summary
from kloe_nb.framework.loader import framework_paths, load_all, load_framework_by_id, load_framework_record
from kloe_nb.framework.model import Framework
from kloe_nb.framework.skeleton import write_skeleton
from kloe_nb.interchange.framework_xlsx import framework_yaml, read_framework_xlsx, write_framework_xlsx
from kloe_nb.render.handbook import write_handbook
from kloe_nb.render.terminal import framework_text
from kloe_nb.render.terminal_text import visible, visible_json


def add_commands(commands: Any) -> None:
    group = commands.add_parser("frameworks", help="list, show, validate, author and convert frameworks, and write their handbooks")
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

    new = sub.add_parser("new", help="write a small, valid, commented framework file to start authoring from (docs/authoring.md)")
    new.add_argument("id", help="the new framework's id, e.g. my-council-kloe")
    new.add_argument("-o", "--output", type=Path, required=True, help="the YAML file to write (ID.yaml to load it by id); never replaced")
    new.set_defaults(handler=new_framework)

    to_xlsx = sub.add_parser("to-xlsx", help="write a framework as a spreadsheet in the authoring layout (docs/authoring.md)")
    to_xlsx.add_argument("id", help="framework id, or the path of a framework .yaml file")
    to_xlsx.add_argument("-o", "--output", type=Path, required=True, help="the .xlsx file to write")
    to_xlsx.set_defaults(handler=to_xlsx_command)

    from_xlsx = sub.add_parser("from-xlsx", help="turn a framework drafted in a spreadsheet into YAML; every problem by sheet and cell")
    from_xlsx.add_argument("workbook", type=Path, help="the .xlsx file, in the layout of docs/authoring.md")
    from_xlsx.add_argument("-o", "--output", type=Path, required=True, help="the YAML file to write (ID.yaml to load it by id)")
    from_xlsx.add_argument("--force", action="store_true", help="replace the output file if it exists")
    from_xlsx.set_defaults(handler=from_xlsx_command)

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


def _name_note(framework_id: str, output: Path) -> None:
    if str(output) != STANDARD_OUTPUT and output.name != f"{framework_id}.yaml":
        print(visible(f"note: name the file {framework_id}.yaml (in a folder on KLOE_FRAMEWORKS_PATH) to load it by id"), file=sys.stderr)


def new_framework(args: argparse.Namespace) -> int:
    write_skeleton(args.id, args.output)
    wrote(args.output, f"framework {args.id}: every text in it is an example to replace")
    _name_note(args.id, args.output)
    return 0


def to_xlsx_command(args: argparse.Namespace) -> int:
    given = Path(args.id)
    framework = load_framework_record(given).framework if given.suffix in (".yaml", ".yml") else load_framework_by_id(args.id).framework
    write_framework_xlsx(framework, args.output)
    wrote(args.output, f"{framework.id}, {len(framework.iter_kloes())} KLOEs")
    return 0


def from_xlsx_command(args: argparse.Namespace) -> int:
    output: Path = args.output
    if not args.force and str(output) != STANDARD_OUTPUT and (output.exists() or output.is_symlink()):
        raise KloeError(f"{output} already exists; nothing was written. Give --force to replace it, or choose another name")
    framework = read_framework_xlsx(args.workbook)
    write_text_atomically(output, framework_yaml(framework, f"{framework.title}\nConverted from {args.workbook.name} by kloe frameworks from-xlsx."))
    wrote(output, f"{framework.id}, {len(framework.iter_kloes())} KLOEs")
    _name_note(framework.id, output)
    return 0


def print_schema(args: argparse.Namespace) -> int:
    _print_json(Framework.model_json_schema())
    return 0
