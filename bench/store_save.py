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

    python bench/store_save.py [--councils 400] [--saves 500] [--store sqlite|URL ...]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import time
from pathlib import Path

from stores import fresh_store, label

from kloe_nb.assessment import Assessment, Evidence, KloeRecord, Organisation
from kloe_nb.framework.loader import load_framework_by_id
from kloe_nb.store import AssessmentKey, open_store
from kloe_nb.store.address import is_server

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--councils", type=int, default=400)
    parser.add_argument("--saves", type=int, default=500)
    parser.add_argument("--store", action="append", default=[], metavar="sqlite|URL", help="where to measure (repeatable; default sqlite)")
    args = parser.parse_args()
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
