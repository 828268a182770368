"""``kloe store init``, ``kloe store copy`` and ``kloe store check``: setting up, moving and checking a store."""

from __future__ import annotations

import argparse
from typing import Any

from kloe_nb.errors import KloeError

EXIT_PROBLEMS = 1


def add_commands(commands: Any) -> None:
    store = commands.add_parser("store", help="set up, copy or check an assessment store (SQLite file or PostgreSQL)")
    actions = store.add_subparsers(dest="store_command", metavar="ACTION")
    actions.required = True

    init = actions.add_parser("init", help="create the store's tables (PostgreSQL: and grant a writer and a reader role)")
    init.add_argument("target", nargs="?", metavar="STORE", help="the store (default: --store)")
    init.add_argument("--writer", default="", metavar="ROLE", help="PostgreSQL: a role that may read and save")
    init.add_argument("--reader", default="", metavar="ROLE", help="PostgreSQL: a role that may only read (reports, kloe run, kloe compare)")
    init.set_defaults(handler=init_command)

    copy = actions.add_parser("copy", help="copy every assessment with every revision, author and time into an empty store")
    copy.add_argument("source", metavar="SRC", help="the store to copy (a SQLite file or postgresql://user@host/db)")
    copy.add_argument("destination", metavar="DST", help="an empty or new store")
    copy.set_defaults(handler=copy_command)

    check = actions.add_parser("check", help="check a store whole: the database's own check, every revision readable")
    check.add_argument("target", nargs="?", metavar="STORE", help="the store (default: --store)")
    check.set_defaults(handler=check_command)


def init_command(args: argparse.Namespace) -> int:
    """Create the store (tables, schema version); on PostgreSQL grant the roles asked for."""
    from kloe_nb.store import open_store
    from kloe_nb.store.address import is_server

    target = args.target or args.store
    if (args.writer or args.reader) and not is_server(target):
        raise KloeError(
            "--writer and --reader are PostgreSQL roles; who may save in a SQLite store is whoever may write its file "
            f"(and its folder): set that with the file's permissions. Nothing was done to {target}"
        )
    with open_store(target) as store:
        granted = store.grant(writer=args.writer, reader=args.reader) if (args.writer or args.reader) else []  # type: ignore[attr-defined]
        count = len(store.keys())
        print(f"the store {store.path} is ready ({count} assessment{'s' if count != 1 else ''})")
    for line in granted:
        print(f"  {line}")
    return 0


def copy_command(args: argparse.Namespace) -> int:
    """Copy SRC into the empty DST, then check the copy against the source (counts and sha256 of every document)."""
    from kloe_nb.store import open_store
    from kloe_nb.store.copy import copy_store

    with open_store(args.source, read_only=True) as source, open_store(args.destination) as destination:
        copied = copy_store(source, destination)  # type: ignore[arg-type]
        print(
            f"copied {copied.assessments} assessment{'s' if copied.assessments != 1 else ''} with {copied.revisions} revisions "
            f"from {source.path} to {destination.path}"
        )
        print(f"checked: the copy has the same counts and the same sha256 of every revision (all: {copied.sha256})")
    return 0


def check_command(args: argparse.Namespace) -> int:
    """Report the store's integrity; exit 1 when anything is wrong (each problem on its own line)."""
    from kloe_nb.store import open_store
    from kloe_nb.store.copy import check_store

    with open_store(args.target or args.store, read_only=True) as store:
        found = check_store(store)  # type: ignore[arg-type]
        shown = store.path
    print(f"the store {shown}: {found.assessments} assessments, {found.revisions} revisions (sha256 of all: {found.sha256})")
    if not found.problems:
        print("ok: the database's own check passed, every revision is readable, every current revision is the last one")
        return 0
    for problem in found.problems:
        print(f"  problem: {problem}")
    print(f"{len(found.problems)} problem{'s' if len(found.problems) != 1 else ''} found; nothing was changed")
    return EXIT_PROBLEMS
