"""``kloe score``, ``kloe import``, ``kloe export`` and ``kloe history``: assessments from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from kloe_nb.assessment.model import Assessment, FrameworkVersion
from kloe_nb.assessment.validate import framework_change_note, require_valid
from kloe_nb.cli.messages import wrote
from kloe_nb.errors import KloeError
from kloe_nb.framework.loader import load_framework, load_framework_by_id
from kloe_nb.render.score_text import scores_text
from kloe_nb.render.terminal_text import visible, visible_json
from kloe_nb.scoring import require_valid_scores, score


def add_commands(commands: Any) -> None:
    scoring = commands.add_parser("score", help="the scores of one assessment (file, or from the store)")
    scoring.add_argument("file", nargs="?", type=Path, help="an assessment JSON or Excel file")
    scoring.add_argument("--org", help="organisation code (with --framework): score the stored assessment")
    scoring.add_argument("--framework", help="framework id (with --org)")
    scoring.add_argument("--period", default="", help="assessment period (with --org), e.g. 2008/09")
    scoring.add_argument("--track", default="", help="the track (with --org): blank for the lead, or an independent scoring such as B")
    scoring.add_argument("--json", action="store_true", help="the JSON of docs/design.md")
    scoring.set_defaults(handler=score_command)

    importing = commands.add_parser(
        "import",
        help="import assessment files (JSON, or the Excel workbook of kloe export or kloe template) into the store; a workbook with no changes saves nothing",
    )
    importing.add_argument("paths", nargs="+", type=Path)
    importing.add_argument("--author", default=None, help="who is importing (default: the file's assessor or your user name)")
    importing.add_argument(
        "--replace",
        action="store_true",
        help="for a blank template (kloe template) over a stored assessment: save its values over the store's where they differ "
        "(without it such an import is refused, naming the fields); the history keeps the old values",
    )
    importing.set_defaults(handler=import_command)

    exporting = commands.add_parser("export", help="export a stored assessment as JSON, the Excel template, or CSV")
    exporting.add_argument("--framework", required=True)
    exporting.add_argument("--org", required=True, help="organisation code")
    exporting.add_argument("--period", default="")
    exporting.add_argument("--track", default="", help="the track: blank (default) for the lead assessment, or an independent scoring such as B")
    exporting.add_argument("--format", choices=["json", "xlsx", "csv"], required=True)
    exporting.add_argument("-o", "--output", type=Path, required=True)
    exporting.set_defaults(handler=export_command)

    template = commands.add_parser("template", help="write a blank Excel self-assessment template for a framework")
    template.add_argument("--framework", required=True)
    template.add_argument("-o", "--output", type=Path, required=True)
    template.set_defaults(handler=template_command)

    history = commands.add_parser("history", help="every revision of a stored assessment: who, when, what changed")
    history.add_argument("--framework", required=True)
    history.add_argument("--org", required=True)
    history.add_argument("--period", default="")
    history.add_argument("--track", default="", help="the track: blank (default) for the lead assessment, or an independent scoring such as B")
    history.add_argument("--restore", type=int, metavar="N", help="make revision N current again (adds a new revision)")
    history.add_argument(
        "--all",
        action="store_true",
        help="list every revision. Without it, a burst of saves by one author, each within 10 minutes of the one before "
        "(the form's autosaves while typing), is one entry: its revisions, how many saves, and the combined changes",
    )
    history.set_defaults(handler=history_command)


def _store(args: argparse.Namespace, *, read_only: bool = True) -> Any:
    """The store, read-only unless the command saves: a command that reads never writes (nor creates a store)."""
    from kloe_nb.store import open_store

    return open_store(args.store, read_only=read_only)


def _key(store: Any, args: argparse.Namespace) -> Any:
    """The assessment --org, --framework, --period and --track name; without --period, the council's only one."""
    from kloe_nb.store.lookup import resolve_key

    return resolve_key(store, args.framework, args.org, args.period, args.track)


def _stored(store: Any, args: argparse.Namespace) -> Any:
    """The current revision of that assessment (read once)."""
    from kloe_nb.store.lookup import find_assessment

    return find_assessment(store, args.framework, args.org, args.period, args.track)


def score_command(args: argparse.Namespace) -> int:
    if args.file and (args.org or args.framework):
        raise KloeError("give either an assessment FILE or --org with --framework, not both")
    if args.file and args.track:
        raise KloeError("--track goes with --org and --framework; an assessment FILE names its own track")
    if args.file:
        from kloe_nb.interchange import read_assessment

        assessment = read_assessment(args.file)
    elif args.org and args.framework:
        with _store(args) as store:
            assessment = _stored(store, args).assessment
    else:
        raise KloeError("say what to score: an assessment FILE, or --org CODE --framework ID")
    record = load_framework_by_id(assessment.framework)
    note = framework_change_note(record.framework, record.sha256, assessment)
    if note:
        print(visible(f"kloe: note: {note}", lines=True), file=sys.stderr)
    scores = require_valid_scores(score(record.framework, assessment))
    if args.json:
        sys.stdout.write(visible_json(json.dumps(scores.to_json_data(), ensure_ascii=False, indent=2)) + "\n")
    else:
        sys.stdout.write(scores_text(scores))
    return 0


def _stamped(assessment: Assessment) -> Assessment:
    """The assessment with the version of the framework it is being stored against."""
    record = load_framework_by_id(assessment.framework)
    if assessment.framework_version is not None:
        return assessment
    return assessment.model_copy(update={"framework_version": FrameworkVersion(version=record.framework.version, sha256=record.sha256)})


def import_command(args: argparse.Namespace) -> int:
    failed = 0
    with _store(args, read_only=False) as store:
        for path in args.paths:
            try:
                said = _import_workbook(store, path, args.author, args.replace) if path.suffix.lower() == ".xlsx" else _import_file(store, path, args.author)
            except KloeError as error:
                failed += 1
                named = str(error) if str(error).startswith(str(path)) else f"{path}: {error}"
                print(f"kloe: {visible(named, lines=True)}", file=sys.stderr)
                continue
            print(visible(said))
    if failed:
        return 2 if failed == len(args.paths) else 1
    return 0


def _checked(assessment: Assessment, path: Path) -> tuple[Assessment, str]:
    """The assessment stamped with its framework version, once valid; and the note on KLOEs the framework lacks."""
    findings = require_valid(load_framework(assessment.framework), assessment, str(path))
    for warning in findings.warnings:  # saved as written (stored assessments may hold free text), and said, so it is corrected
        print(visible(f"kloe: warning: {path}: {warning}", lines=True), file=sys.stderr)
    note = f"; kept KLOEs the framework does not have: {', '.join(findings.unknown_kloes)}" if findings.unknown_kloes else ""
    return _stamped(assessment), note


def _track(assessment: Assessment) -> str:
    return f"track {assessment.track}" if assessment.track else "the lead track"


def _import_file(store: Any, path: Path, author: str | None) -> str:
    """An interchange JSON file: saved over the current revision (or as a new assessment)."""
    from kloe_nb.interchange import read_assessment

    assessment, note = _checked(read_assessment(path), path)
    existing = store.find(_key_of(assessment))
    saved = store.save(assessment, based_on=existing.revision if existing else None, author=author)
    return f"{path}: {assessment.organisation.code} {assessment.framework} saved as revision {saved.revision} of {_track(assessment)}{note}"


def _import_workbook(store: Any, path: Path, author: str | None, replace_fields: bool = False) -> str:
    """An Excel workbook: based on the revision it was exported at; merged, refused or not saved at all as ``xlsx_import`` decides."""
    from dataclasses import replace

    from kloe_nb.interchange.xlsx_import import import_workbook
    from kloe_nb.interchange.xlsx_read import read_workbook

    read = read_workbook(path)
    assessment, note = _checked(read.assessment, path)
    done = import_workbook(store, replace(read, assessment=assessment), author, replace=replace_fields)
    what = f"{path}: {assessment.organisation.code} {assessment.framework}"
    if done.outcome == "unchanged":
        return f"{what}: no changes: the workbook holds what revision {done.stored.revision} of {_track(assessment)} holds; nothing was saved{note}"
    saved = f"{what} saved as revision {done.stored.revision} of {_track(assessment)}"
    if done.outcome == "created":
        elsewhere = f"; the workbook was exported at revision {done.exported_at} of another store" if done.exported_at else ""
        return f"{saved} (new in this store{elsewhere}){note}"
    if done.outcome == "merged" and done.merged_with is not None:
        theirs = done.merged_with
        return (
            f"{saved}: merged with revision {theirs.revision} by {theirs.saved_by} at {theirs.saved_at}, saved since the workbook's "
            f"revision {done.exported_at}, which changed other fields{note}"
        )
    if done.outcome == "added":
        return f"{saved} (a blank template: what it fills in was added to revision {done.stored.revision - 1}; what it leaves blank was kept){note}"
    if done.outcome == "replaced":
        return f"{saved} (--replace: the template's values replaced what revision {done.stored.revision - 1} held){note}"
    return f"{saved}{note}"


def _key_of(assessment: Assessment) -> Any:
    from kloe_nb.store import AssessmentKey

    return AssessmentKey.of(assessment)


def export_command(args: argparse.Namespace) -> int:
    with _store(args) as store:
        stored = _stored(store, args)
    framework = load_framework(args.framework)
    if args.format == "xlsx":  # the workbook records the revision, so importing it over a store that moved on is noticed
        from kloe_nb.interchange.xlsx_write import write_assessment_xlsx

        write_assessment_xlsx(framework, stored.assessment, args.output, revision=stored.revision)
    else:
        from kloe_nb.interchange import write_assessment

        write_assessment(framework, stored.assessment, args.output, args.format)
    wrote(args.output, f"revision {stored.revision}")
    return 0


def template_command(args: argparse.Namespace) -> int:
    from kloe_nb.interchange.xlsx_write import write_assessment_xlsx

    write_assessment_xlsx(load_framework(args.framework), None, args.output)
    wrote(args.output)
    return 0


def history_command(args: argparse.Namespace) -> int:
    from kloe_nb.store.bursts import Burst, bursts

    with _store(args, read_only=args.restore is None) as store:
        if args.restore is not None:
            current = _stored(store, args)
            restored = store.restore(current.key, args.restore, based_on=current.revision, author=None)
            print(f"revision {args.restore} restored as revision {restored.revision}")
            return 0
        history = store.history(_key(store, args))
    for burst in [Burst([revision]) for revision in history] if args.all else bursts(history):
        first, last, changes = burst.first, burst.last, burst.changes
        if len(burst.revisions) == 1:
            print(visible(f"revision {first.number}  {first.saved_at}  {first.saved_by}  ({len(changes)} changes)"))
        else:
            fields = f"{len(changes)} field{'s' if len(changes) != 1 else ''} changed" if changes else "no field changed overall"
            saves = f"{len(burst.revisions)} saves, {fields}"
            print(visible(f"revisions {first.number}-{last.number}  {first.saved_at} to {last.saved_at}  {first.saved_by}  ({saves})"))
        for change in changes[:20]:
            print(visible(f"    {change.path}: {_short(change.before)} -> {_short(change.after)}"))
        if len(changes) > 20:
            print(f"    ... and {len(changes) - 20} more")
    return 0


def _short(value: Any) -> str:
    text = visible_json(json.dumps(value, ensure_ascii=False))
    return text if len(text) <= 60 else text[:57] + "..."
