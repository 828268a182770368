"""Benchmark: scoring 400 stored assessments of the largest framework.

Prints the time to load and score 400 assessments from a store (goal: under 1 s in all) and,
as a baseline measured in the same run, the time just to load them, so the ratio shows what
scoring itself costs. Save latency is measured by bench/store_save.py. ``--store`` as there:
a temporary SQLite file (default) or a throwaway schema in a PostgreSQL database, repeatable.

    python bench/scoring.py [--count 400] [--store sqlite|URL ...]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from stores import fresh_store, label

from kloe_nb.assessment import Assessment, KloeRecord, Organisation
from kloe_nb.framework.loader import load_all
from kloe_nb.scoring import score
from kloe_nb.store import open_store


def largest_framework():
    loaded, _ = load_all()
    return max((record.framework for record in loaded.values()), key=lambda f: len(f.iter_kloes()))


def example(framework, code: str, rng: random.Random) -> Assessment:
    kloes = {}
    for _, kloe in framework.iter_kloes():
        if kloe.scored:
            met = {level: sorted(rng.sample(range(len(s)), rng.randint(0, len(s)))) for level, s in kloe.descriptors.items()}
            kloes[kloe.id] = KloeRecord(level=rng.randint(1, 4), met=met, strengths="Evidence of good practice. " * 5)
    return Assessment(framework=framework.id, organisation=Organisation(code=code, name=f"Council {code}"), kloes=kloes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--store", action="append", default=[], metavar="sqlite|URL", help="where to measure (repeatable; default sqlite)")
    args = parser.parse_args()
    framework = largest_framework()
    print(f"framework: {framework.id} ({len(framework.iter_kloes())} KLOEs); {args.count} stored assessments; median of {args.repeat}")
    for given in args.store or ["sqlite"]:
        with fresh_store(given) as store_url:
            load_s, total_s = measure(framework, store_url, args)
        print(f"== {label(given)}")
        print(f"load only (baseline):   {load_s:.3f} s")
        print(f"load + score:           {total_s:.3f} s   (goal < 1 s)")
        print(f"scoring alone:          {total_s - load_s:.3f} s = {(total_s - load_s) / args.count * 1000:.2f} ms per assessment")
        print(f"ratio load+score / load: {total_s / load_s:.2f}x")


def measure(framework, store_url: str, args: argparse.Namespace) -> tuple[float, float]:
    """Median seconds to load every assessment, and to load and score them, from a freshly opened (read-only) store."""
    rng = random.Random(7)
    with open_store(store_url) as store:
        for index in range(args.count):
            store.save(example(framework, f"C{index:04d}", rng), based_on=None, author="bench")
    load_times, total_times = [], []
    for _ in range(args.repeat):
        with open_store(store_url, read_only=True) as store:
            keys = store.keys(framework.id)
            started = time.perf_counter()
            stored = [store.load(key).assessment for key in keys]
            loaded = time.perf_counter()
            results = [score(framework, assessment) for assessment in stored]
            done = time.perf_counter()
        assert len(results) == args.count
        load_times.append(loaded - started)
        total_times.append(done - started)
    return statistics.median(load_times), statistics.median(total_times)


if __name__ == "__main__":
    main()
