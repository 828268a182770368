"""Benchmark: the latency of saving one KLOE change, with its revision, in a store of 400 assessments.

Each save is what the form does: load the council's current revision, change one KLOE's
level and add a piece of evidence, save it based on the loaded revision (one transaction:
stale check, diff against the previous revision, new revision row). Goal: p95 under 20 ms.

As a baseline measured in the same run, with the same SQLite settings (WAL,
synchronous=FULL), it times a bare ``INSERT`` + ``COMMIT`` of the same JSON into a plain
table, so the ratio shows what the revision bookkeeping costs beyond the unavoidable fsync.

On PostgreSQL (``--store postgresql://user@host/db``, a throwaway schema there: bench/stores.py)
the same cycle is timed, with a bare ``INSERT`` + ``COMMIT`` into that server as its baseline.
Give ``--store`` more than once (``--store sqlite --store postgresql://...``) to print them side by side.


Then the size of a revision (issue 13 point 6; goal: median under 2 KB an autosave): the
wao-housing example (examples/assessments/wao-housing--EX-WA01--2008-09.json) is imported and
given ``--autosaves`` saves of one character typed into a strengths field or an evidence note.
"After" is this store: the bytes of each new revision row (every column), and the growth of
the store written out compacted (``VACUUM INTO``: pages, free pages left out) per revision.
"Before" is the same revisions written, in the same run, into a schema version 1 table as
kloe-workbook did until then (the whole document and the change list, as JSON text), measured
the same two ways. Last, reading at revision 1, 100 and 1,000 of one assessment (goal: under
10 ms): ``at_revision``, ``load`` and ``history``.

Given ``--store postgresql://...``, the revision size and the reads are measured there too:
"after" is that store, "before" the same revisions written into a schema version 1 store in a
second throwaway schema of the same database, each row's bytes as ``pg_column_size`` of every
column (what PostgreSQL keeps for each value, TOAST-compressed or not), and the growth of
``pg_total_relation_size('revisions')`` per revision.

    python bench/store_save.py [--councils 400] [--saves 500] [--autosaves 200] [--size-only] [--store sqlite|URL ...]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from stores import fresh_store, label

from kloe_nb.assessment import Assessment, Evidence, KloeRecord, Organisation
from kloe_nb.assessment.fields import FieldChange, changed_fields
from kloe_nb.demo import EXAMPLES_DIR, import_assessments
from kloe_nb.framework.loader import load_framework_by_id
from kloe_nb.store import AssessmentKey, RevisionInfo, open_store
from kloe_nb.store import postgres as store_postgres
from kloe_nb.store import sqlite as store_sqlite
from kloe_nb.store.address import is_server
from kloe_nb.store.sqlite import SQLiteStore

WAO_EXAMPLE = EXAMPLES_DIR / "assessments" / "wao-housing--EX-WA01--2008-09.json"
WAO = AssessmentKey("wao-housing", "EX-WA01", "2008/09")

FRAMEWORK = "hi-prospects"


def example(framework, code: str, rng: random.Random) -> Assessment:
    """A realistic, fully recorded assessment: every KLOE scored, statements met, evidence, text."""
    kloes = {}
    for _, kloe in framework.iter_kloes():
        if kloe.scored:
            met = {level: sorted(rng.sample(range(len(s)), rng.randint(0, len(s)))) for level, s in kloe.descriptors.items()}
            kloes[kloe.id] = KloeRecord(
                level=rng.randint(1, 4),
                met=met,
                evidence=[Evidence(source="Document review", reference=f"Doc {i}", note="Seen and noted. " * 10) for i in range(3)],
                strengths="Evidence of good practice in tenant involvement. " * 8,
                areas_for_improvement="Performance management is not yet embedded. " * 6,
            )
    return Assessment(framework=framework.id, organisation=Organisation(code=code, name=f"Council {code}"), period="2008/09", assessor="bench", kloes=kloes)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000


def typed(assessment: Assessment, number: int) -> Assessment:
    """One more character typed: ten into a KLOE's strengths or first evidence note (by turns), then the next KLOE."""
    copy = assessment.model_copy(deep=True)
    kloe_ids = sorted(copy.kloes)
    record = copy.kloes[kloe_ids[(number // 10) % len(kloe_ids)]]
    if number % 2 or not record.evidence:
        record.strengths += "abcdefghij"[number % 10]
    else:
        first = record.evidence[0]
        record.evidence = [first.model_copy(update={"note": first.note + "k"}), *record.evidence[1:]]
    return copy


def row_bytes(connection: sqlite3.Connection) -> list[int]:
    """The bytes of each revision row, every column counted, in order."""
    columns = [row[1] for row in connection.execute("PRAGMA table_info(revisions)")]
    total = " + ".join(f"coalesce(length({name}), 0)" for name in columns)
    return [row[0] for row in connection.execute(f"SELECT {total} FROM revisions ORDER BY assessment_id, number")]


def compacted(connection: sqlite3.Connection, target: Path) -> int:
    target.unlink(missing_ok=True)
    connection.execute("VACUUM INTO ?", (str(target),))
    return target.stat().st_size


def version_1_row(connection: sqlite3.Connection, number: int, assessment: Assessment, previous: dict | None, author: str, saved_at: str) -> dict:
    """Write a revision as schema version 1 did (the whole document, the change list as JSON text); its document."""
    text = assessment.model_dump_json()
    document = json.loads(text)
    changes = [change.__dict__ for change in changed_fields(previous, document)]
    version = assessment.framework_version
    connection.execute(
        "INSERT INTO revisions (assessment_id, number, based_on, saved_at, saved_by, framework, framework_version, framework_sha256, "
        "document, changes) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (number, number - 1 or None, saved_at, author, assessment.framework, version.version if version else "",
         version.sha256 if version else "", text, json.dumps(changes, ensure_ascii=False)),
    )  # fmt: skip
    return document


def kb(value: float) -> str:
    return f"{value / 1024:6.2f} KB"


def revision_sizes(folder: Path, autosaves: int) -> None:
    """Bytes per autosave revision, before (schema version 1, written alongside) and after (this store)."""
    path = folder / "sizes.db"
    import_assessments(path, [WAO_EXAMPLE])
    old = sqlite3.connect(folder / "version1.db", isolation_level=None)
    old.execute("BEGIN")
    store_sqlite._migration_1(old)
    old.execute("INSERT INTO assessments (id, framework, org_code, period, track, current_revision) VALUES (1, 'wao-housing', 'EX-WA01', '2008/09', '', 0)")
    with SQLiteStore(path) as store:
        stored = store.load(WAO)
        info = store.history(WAO)[0]
        previous = version_1_row(old, 1, stored.assessment, None, info.saved_by, info.saved_at)
        old.execute("COMMIT")
        db = store._connection
        assert db is not None
        new_before, old_before = compacted(db, folder / "a.db"), compacted(old, folder / "b.db")
        timings = []
        for number in range(autosaves):
            edited = typed(stored.assessment, number)
            began = time.perf_counter()
            stored = store.save(edited, based_on=stored.revision, author="analyst")
            timings.append(time.perf_counter() - began)
            previous = version_1_row(old, stored.revision, edited, previous, "analyst", stored.saved_at)
        new_after, old_after = compacted(db, folder / "a.db"), compacted(old, folder / "b.db")
        new_rows, old_rows = row_bytes(db)[1:], row_bytes(old)[1:]
    old.close()
    document_kb = len(WAO_EXAMPLE.read_bytes()) / 1024
    print(f"\nrevision size: {WAO_EXAMPLE.name} ({document_kb:.0f} KB file), {autosaves} autosaves of one character each")
    for name, rows, growth in (("before (schema 1)", old_rows, old_after - old_before), ("after (schema 2) ", new_rows, new_after - new_before)):
        p50, p95 = statistics.median(rows), sorted(rows)[int(len(rows) * 0.95)]
        print(f"  {name}: row bytes p50 {kb(p50)}  p95 {kb(p95)};  compacted store growth {kb(growth / autosaves)} per revision")
    p50, p95 = percentiles(timings)
    print(f"  autosave (save only): p50 {p50:6.2f} ms   p95 {p95:6.2f} ms")


def read_times(folder: Path, revisions: int) -> None:
    """Reading at revision 1, 100 and 1,000 of one assessment: this store, and the same revisions in schema version 1."""
    path = folder / "reads.db"
    import_assessments(path, [WAO_EXAMPLE])
    marks = [mark for mark in (1, 100, 1000) if mark <= revisions]
    old = sqlite3.connect(folder / "reads-version1.db", isolation_level=None)
    old.execute("BEGIN")
    store_sqlite._migration_1(old)
    old.execute("INSERT INTO assessments (id, framework, org_code, period, track, current_revision) VALUES (1, 'wao-housing', 'EX-WA01', '2008/09', '', 0)")
    with SQLiteStore(path) as store:
        stored = store.load(WAO)
        previous = version_1_row(old, 1, stored.assessment, None, "make demo", stored.saved_at)
        for number in range(revisions - 1):
            edited = typed(stored.assessment, number)
            stored = store.save(edited, based_on=stored.revision, author="analyst")
            previous = version_1_row(old, stored.revision, edited, previous, "analyst", stored.saved_at)
        old.execute(f"UPDATE assessments SET current_revision = {revisions}")
        old.execute("COMMIT")

        def old_at(number: int) -> Assessment:  # what schema version 1's at_revision and load did
            (text,) = old.execute("SELECT document FROM revisions WHERE assessment_id = 1 AND number = ?", (number,)).fetchone()
            return Assessment.model_validate_json(text)

        def old_history() -> list[RevisionInfo]:
            rows = old.execute("SELECT number, saved_at, saved_by, based_on, changes FROM revisions WHERE assessment_id = 1 ORDER BY number").fetchall()
            return [RevisionInfo(n, at, by, on, [FieldChange(**change) for change in json.loads(changes)]) for n, at, by, on, changes in rows]

        print(f"\nreading {WAO} with {revisions} revisions, median of 30 reads (min); goal under 10 ms:")
        print(f"  {'':22s} {'after (schema 2)':>27s}   {'before (schema 1)':>27s}")
        for mark in marks:
            print(f"  at_revision({mark:4d})      {timed(lambda mark=mark: store.at_revision(WAO, mark))}   {timed(lambda mark=mark: old_at(mark))}")
        print(f"  load (revision {revisions:4d})   {timed(lambda: store.load(WAO))}   {timed(lambda: old_at(revisions))}")
        print(f"  history ({revisions:4d} entries) {timed(lambda: store.history(WAO))}   {timed(old_history)}")
        assert [info.changes for info in store.history(WAO)] == [info.changes for info in old_history()]
        db = store._connection
        assert db is not None
        print(f"  store compacted: {compacted(db, folder / 'r2.db') / 1e6:.2f} MB   {compacted(old, folder / 'r1.db') / 1e6:.2f} MB")
    old.close()


def pg_row_bytes(connection) -> list[int]:  # type: ignore[no-untyped-def]
    """``pg_column_size`` summed over every column of each revision row (any schema), in order."""
    columns = [
        row[0]
        for row in connection.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'revisions' AND table_schema = current_schema()")
    ]
    total = " + ".join(f"coalesce(pg_column_size({name}), 0)" for name in columns)
    return [row[0] for row in connection.execute(f"SELECT {total} FROM revisions ORDER BY assessment_id, number")]


def pg_version_1_row(connection, number: int, assessment: Assessment, previous: dict | None, author: str, saved_at: str) -> dict:  # type: ignore[no-untyped-def]
    """``version_1_row`` on PostgreSQL: a revision as schema version 1 wrote it; its document."""
    text = assessment.model_dump_json()
    document = json.loads(text)
    changes = [change.__dict__ for change in changed_fields(previous, document)]
    version = assessment.framework_version
    connection.execute(
        "INSERT INTO revisions (assessment_id, number, based_on, saved_at, saved_by, framework, framework_version, framework_sha256, "
        "document, changes) VALUES (1, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (number, number - 1 or None, saved_at, author, assessment.framework, version.version if version else "",
         version.sha256 if version else "", text, json.dumps(changes, ensure_ascii=False)),
    )  # fmt: skip
    return document


def postgresql_sizes_and_reads(given: str, autosaves: int, revisions: int) -> None:
    """The revision size and the reads on a PostgreSQL server: this store (after) and schema version 1 (before), side by side."""
    import psycopg

    with (
        fresh_store(given) as url,
        fresh_store(given, "_v1") as old_url,
        psycopg.connect(url, autocommit=True) as new,
        psycopg.connect(old_url, autocommit=True) as old,
    ):
        with old.transaction(), old.cursor() as cursor:
            store_postgres._migration_1(cursor)
            cursor.execute(
                "INSERT INTO assessments (id, framework, org_code, period, track, current_revision) VALUES (1, 'wao-housing', 'EX-WA01', '2008/09', '', 0)"
            )
        import_assessments(url, [WAO_EXAMPLE])  # type: ignore[arg-type]

        def relation_size(connection) -> int:  # type: ignore[no-untyped-def]
            return int(connection.execute("SELECT pg_total_relation_size('revisions')").fetchone()[0])

        with open_store(url) as store:
            stored = store.load(WAO)
            info = store.history(WAO)[0]
            previous = pg_version_1_row(old, 1, stored.assessment, None, info.saved_by, info.saved_at)
            new_before, old_before = relation_size(new), relation_size(old)
            timings, total = [], max(autosaves, revisions - 1)
            for number in range(total):
                edited = typed(stored.assessment, number)
                began = time.perf_counter()
                stored = store.save(edited, based_on=stored.revision, author="analyst")
                timings.append(time.perf_counter() - began)
                previous = pg_version_1_row(old, stored.revision, edited, previous, "analyst", stored.saved_at)
                if number + 1 == autosaves:
                    new_rows, old_rows = pg_row_bytes(new)[1:], pg_row_bytes(old)[1:]
                    new_growth, old_growth = relation_size(new) - new_before, relation_size(old) - old_before
            old.execute(f"UPDATE assessments SET current_revision = {stored.revision}")
            print(f"\nrevision size on {label(given)}: {WAO_EXAMPLE.name}, {autosaves} autosaves of one character each")
            for name, rows, growth in (("before (schema 1)", old_rows, old_growth), ("after (schema 2) ", new_rows, new_growth)):
                p50, p95 = statistics.median(rows), sorted(rows)[int(len(rows) * 0.95)]
                print(f"  {name}: pg_column_size row bytes p50 {kb(p50)}  p95 {kb(p95)};  revisions table growth {kb(growth / autosaves)} per revision")
            p50, p95 = percentiles(timings[:autosaves])
            print(f"  autosave (save only): p50 {p50:6.2f} ms   p95 {p95:6.2f} ms")

            def old_at(number: int) -> Assessment:  # what schema version 1's at_revision and load did
                (text,) = old.execute("SELECT document FROM revisions WHERE assessment_id = 1 AND number = %s", (number,)).fetchone()
                return Assessment.model_validate_json(text)

            def old_history() -> list[RevisionInfo]:
                rows = old.execute("SELECT number, saved_at, saved_by, based_on, changes FROM revisions WHERE assessment_id = 1 ORDER BY number").fetchall()
                return [RevisionInfo(n, at, by, on, [FieldChange(**change) for change in json.loads(changes)]) for n, at, by, on, changes in rows]

            count = stored.revision
            marks = [mark for mark in (1, 100, 1000) if mark <= count]
            print(f"\nreading {WAO} with {count} revisions on {label(given)}, median of 30 reads (min); goal under 10 ms:")
            print(f"  {'':22s} {'after (schema 2)':>27s}   {'before (schema 1)':>27s}")
            for mark in marks:
                print(f"  at_revision({mark:4d})      {timed(lambda mark=mark: store.at_revision(WAO, mark))}   {timed(lambda mark=mark: old_at(mark))}")
            print(f"  load (revision {count:4d})   {timed(lambda: store.load(WAO))}   {timed(lambda: old_at(count))}")
            print(f"  history ({count:4d} entries) {timed(lambda: store.history(WAO))}   {timed(old_history)}")
            assert [info.changes for info in store.history(WAO)] == [info.changes for info in old_history()]
            assert all(store.at_revision(WAO, mark) == old_at(mark) for mark in marks)
            print(f"  revisions table: {relation_size(new) / 1e6:.2f} MB   {relation_size(old) / 1e6:.2f} MB")


def timed(read: Callable[[], object]) -> str:
    samples = []
    for _ in range(30):
        began = time.perf_counter()
        read()
        samples.append(time.perf_counter() - began)
    return f"{statistics.median(samples) * 1000:6.2f} ms (min {min(samples) * 1000:5.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--councils", type=int, default=400)
    parser.add_argument("--saves", type=int, default=500)
    parser.add_argument("--autosaves", type=int, default=200)
    parser.add_argument("--revisions", type=int, default=1000, help="revisions of one assessment to read at (1, 100, 1000)")
    parser.add_argument("--size-only", action="store_true", help="only the revision size and read times")
    parser.add_argument("--store", action="append", default=[], metavar="sqlite|URL", help="where to time the save cycle (repeatable; default sqlite)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        revision_sizes(Path(folder), args.autosaves)
        read_times(Path(folder), args.revisions)
    for given in args.store:
        if is_server(given):
            postgresql_sizes_and_reads(given, args.autosaves, args.revisions)
    if args.size_only:
        return
    results = []
    for given in args.store or ["sqlite"]:
        with fresh_store(given) as store_url:
            results.append((label(given), measure(store_url, args)))
    for name, result in results:
        print(f"== {name}")
        for line in result:
            print(line)
    if len(results) > 1:
        print("side by side (p50 / p95 ms):")
        for name, result in results:
            print(f"  {name:60s} {result[1].split(': ', 1)[1].split('   (')[0]}")


def measure(store_url: str, args: argparse.Namespace) -> list[str]:
    """Fill the store, time the form's cycle, and a bare insert on the same backend; the lines to print."""
    framework = load_framework_by_id(FRAMEWORK).framework
    kloe_ids = [kloe.id for _, kloe in framework.iter_kloes() if kloe.scored]
    rng = random.Random(20)
    started = time.perf_counter()
    with open_store(store_url) as store:
        for index in range(args.councils):
            store.save(example(framework, f"{index:05d}", rng), based_on=None)
    filled = time.perf_counter() - started
    keys = [AssessmentKey(FRAMEWORK, f"{index:05d}", "2008/09") for index in range(args.councils)]

    cycle, save_only, documents = [], [], []
    with open_store(store_url) as store:
        for number in range(args.saves):
            key = rng.choice(keys)
            began = time.perf_counter()
            stored = store.load(key)
            assessment = stored.assessment.model_copy(deep=True)
            record = assessment.kloes[rng.choice(kloe_ids)]
            record.level = record.level % 4 + 1
            record.evidence = [*record.evidence, Evidence(source="Interview", note=f"change {number}")]
            before_save = time.perf_counter()
            saved = store.save(assessment, based_on=stored.revision, author="bench")
            ended = time.perf_counter()
            assert saved.revision == stored.revision + 1
            cycle.append(ended - began)
            save_only.append(ended - before_save)
            documents.append(assessment.model_dump_json())
    size, opens, bare = (_postgresql_extras if is_server(store_url) else _sqlite_extras)(store_url, documents, args.councils)

    document_kb = statistics.mean(len(d.encode()) for d in documents) / 1024
    cycle_p50, cycle_p95 = percentiles(cycle)
    save_p50, save_p95 = percentiles(save_only)
    bare_p50, bare_p95 = percentiles(bare)
    return [
        f"framework {FRAMEWORK}: {len(kloe_ids)} KLOEs; {args.councils} assessments of {document_kb:.1f} KB each "
        f"(filled in {filled:.1f} s); {args.saves} saves of one KLOE change; store now {size / 1e6:.1f} MB",
        f"load + change + save (the form's cycle): p50 {cycle_p50:6.2f} ms   p95 {cycle_p95:6.2f} ms   (goal p95 < 20 ms)",
        f"save with revision only:                 p50 {save_p50:6.2f} ms   p95 {save_p95:6.2f} ms",
        f"baseline bare INSERT + COMMIT:           p50 {bare_p50:6.2f} ms   p95 {bare_p95:6.2f} ms",
        f"open: first {opens[0] * 1000:.0f} ms; then {statistics.median(opens[1:]) * 1000:.0f} ms",
        f"ratio save / bare insert: p50 {save_p50 / bare_p50:.2f}x   p95 {save_p95 / bare_p95:.2f}x",
    ]


def _opens(store_url: str) -> list[float]:
    opens = []
    for _attempt in range(5):
        began = time.perf_counter()
        open_store(store_url).close()
        opens.append(time.perf_counter() - began)
    return opens


def _sqlite_extras(store_url: str, documents: list[str], councils: int) -> tuple[int, list[float], list[float]]:
    """Store size, open times (quick_check; the first also copies the backup), bare inserts with the same settings."""
    store_path = Path(store_url)
    wal = store_path.with_name(store_path.name + "-wal")
    size = store_path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)  # closed: the WAL is checkpointed
    store_path.with_name(store_path.name + ".bak").unlink(missing_ok=True)  # so the first open copies it
    opens = _opens(store_url)
    connection = sqlite3.connect(store_path.with_name("baseline.db"), isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = FULL")
    connection.execute("CREATE TABLE documents (id INTEGER PRIMARY KEY, document TEXT NOT NULL)")
    for document in documents[:councils]:  # same size of table to insert into
        connection.execute("INSERT INTO documents (document) VALUES (?)", (document,))
    bare = []
    for document in documents:
        began = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO documents (document) VALUES (?)", (document,))
        connection.execute("COMMIT")
        bare.append(time.perf_counter() - began)
    connection.close()
    return size, opens, bare


def _postgresql_extras(store_url: str, documents: list[str], councils: int) -> tuple[int, list[float], list[float]]:
    """Tables' size, open times (connect, check the schema version), bare inserts into the same server."""
    import psycopg

    with psycopg.connect(store_url, autocommit=True) as connection:
        size = sum(int(connection.execute("SELECT pg_total_relation_size(%s)", (table,)).fetchone()[0]) for table in ("assessments", "revisions"))
        connection.execute("CREATE TABLE documents (id BIGSERIAL PRIMARY KEY, document TEXT NOT NULL)")
        for document in documents[:councils]:
            connection.execute("INSERT INTO documents (document) VALUES (%s)", (document,))
        bare = []
        for document in documents:
            began = time.perf_counter()
            with connection.transaction():
                connection.execute("INSERT INTO documents (document) VALUES (%s)", (document,))
            bare.append(time.perf_counter() - began)
    return size, _opens(store_url), bare


if __name__ == "__main__":
    main()
