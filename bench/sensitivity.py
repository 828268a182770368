"""Benchmark: sensitivity of one assessment, for each bundled framework, against one score().

The form recomputes sensitivity on every edit, so it must cost about as little as scoring
the assessment once. For each framework this prints the median time of one ``score`` call
(the baseline, measured in the same run) and of one ``sensitivity`` call on a fully levelled
assessment, and their ratio. ``sensitivity`` scores two moves per levelled KLOE (100 for
wao-housing's 50 KLOEs) through ``scoring.suggested_options``, not a full ``score``.

    python bench/sensitivity.py [--repeat 50]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from kloe_nb.analysis import sensitivity
from kloe_nb.assessment import Assessment, KloeRecord, Organisation
from kloe_nb.framework.loader import load_all
from kloe_nb.scoring import score


def example(framework, rng: random.Random) -> Assessment:
    kloes = {kloe.id: KloeRecord(level=rng.randint(1, 4)) for _, kloe in framework.iter_kloes() if kloe.scored}
    return Assessment(framework=framework.id, organisation=Organisation(code="B1", name="Bench council"), kloes=kloes)


def median_seconds(call, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    loaded, _ = load_all()
    rng = random.Random(7)
    print(f"median of {args.repeat} runs per framework; baseline = one score() of the same assessment")
    print(f"{'framework':<15} {'KLOEs':>5} {'score (baseline)':>17} {'sensitivity':>12} {'ratio':>7}")
    for framework_id, record in sorted(loaded.items()):
        framework = record.framework
        assessment = example(framework, rng)
        sensitivity(framework, assessment)  # warm up
        baseline = median_seconds(lambda f=framework, a=assessment: score(f, a), args.repeat)
        measured = median_seconds(lambda f=framework, a=assessment: sensitivity(f, a), args.repeat)
        kloes = sum(1 for _, kloe in framework.iter_kloes() if kloe.scored)
        print(f"{framework_id:<15} {kloes:>5} {baseline * 1000:>14.2f} ms {measured * 1000:>9.2f} ms {measured / baseline:>6.1f}x")


if __name__ == "__main__":
    main()
