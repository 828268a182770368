"""Benchmark: the comparison page for many councils of the largest framework (the most scored KLOEs).

It builds a fresh store of ``--councils`` councils, each assessed in three periods (every scored
KLOE levelled, levels drawn with a fixed seed), in four peer groups, one in ten scored again
independently by a second assessor, then prints:

- the in-process cost of the page: gathering from the store, the context, the sections, and the
  export to HTML (best of three), and the page's size, in all and per council;
- the wall clock of ``kloe compare`` (a fresh process and kernel: start-up included);
- at the end, how much the page grows per extra council between each two sizes (goal: under 2 KB).

    python bench/compare.py [--councils 150 400]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kloe_nb.assessment.model import Assessment, KloeRecord, Organisation  # noqa: E402
from kloe_nb.framework.loader import bundled_ids, load_framework  # noqa: E402

GROUPS = ["Counties", "Shire districts", "Metropolitan boroughs", "Unitary authorities"]
PERIODS = ["2006/07", "2007/08", "2008/09"]


def largest_framework() -> str:
    """The bundled framework with the most scored KLOEs."""
    return max(bundled_ids(), key=lambda framework_id: sum(kloe.scored for _, kloe in load_framework(framework_id).iter_kloes()))


def make_store(folder: Path, framework_id: str, councils: int) -> Path:
    """A store with ``councils`` councils x three periods (see the module docstring)."""
    from kloe_nb.store import open_store

    framework = load_framework(framework_id)
    scored = [kloe.id for _, kloe in framework.iter_kloes() if kloe.scored]
    rng = random.Random(6)
    store = folder / "kloe.db"
    with open_store(store) as opened:
        for number in range(1, councils + 1):
            base = rng.randint(1, 4)
            for period in PERIODS:
                levels = {kloe_id: min(4, max(1, base + rng.choice([-1, 0, 0, 1]))) for kloe_id in scored}
                organisation = Organisation(code=f"B{number:04d}", name=f"Bench Council {number}", group=GROUPS[number % len(GROUPS)])
                lead = Assessment(
                    framework=framework_id,
                    organisation=organisation,
                    period=period,
                    assessor="Lead (bench)",
                    illustrative=True,
                    kloes={k: KloeRecord(level=v) for k, v in levels.items()},
                )
                opened.save(lead, based_on=None, author="bench")
                if number % 10 == 0 and period == PERIODS[-1]:
                    second = lead.model_copy(
                        update={
                            "track": "B",
                            "assessor": "Second (bench)",
                            "kloes": {k: KloeRecord(level=min(4, max(1, v + rng.choice([-1, 0, 0, 0, 1])))) for k, v in levels.items()},
                        }
                    )
                    opened.save(second, based_on=None, author="bench")
    return store


def page_seconds(framework_id: str, store: Path) -> tuple[dict[str, float], int]:
    """Best-of-three seconds for each stage of the page, in this process, and the page's size in bytes."""
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from kloe_nb.comparison import Comparison
    from kloe_nb.comparison.context import build_context
    from kloe_nb.comparison.data import gather
    from kloe_nb.render.exporter import PageRenderer

    renderer = PageRenderer()
    best: dict[str, float] = {}
    size = 0
    for _ in range(3):
        times = {}
        started = time.perf_counter()
        gathered = gather(framework_id, store)
        times["gather (store, scoring, trends, agreement)"] = time.perf_counter() - started
        started = time.perf_counter()
        comparison = Comparison(build_context(gathered), {})
        times["context"] = time.perf_counter() - started
        started = time.perf_counter()
        parts = [
            comparison.header(),
            comparison.league(),
            comparison.distribution(),
            comparison.heatmap(),
            comparison.peers(),
            comparison.travel(),
            comparison.agreement(),
            comparison.provenance(),
            comparison.summary(),
        ]
        times["sections"] = time.perf_counter() - started
        cells = []
        for part in parts:
            cell = new_code_cell("")
            if part is not None:
                data, metadata = part._repr_mimebundle_()
                cell.outputs = [new_output("execute_result", data=data, metadata=metadata, execution_count=1)]
            cells.append(cell)
        started = time.perf_counter()
        html = renderer.render(new_notebook(cells=cells), "comparison")
        times["export to HTML"] = time.perf_counter() - started
        size = len(html.encode())
        best = {name: min(seconds, best.get(name, seconds)) for name, seconds in times.items()}
    return best, size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--councils", type=int, nargs="+", default=[50, 150])
    args = parser.parse_args()
    framework_id = largest_framework()
    kloes = sum(kloe.scored for _, kloe in load_framework(framework_id).iter_kloes())
    print(f"framework {framework_id}: {kloes} scored KLOEs; {len(PERIODS)} periods per council; 1 in 10 scored twice")
    sizes: dict[int, int] = {}
    for count in args.councils:
        with tempfile.TemporaryDirectory() as folder:
            store = make_store(Path(folder), framework_id, count)
            stages, size = page_seconds(framework_id, store)
            output = Path(folder) / "compare.html"
            started = time.perf_counter()
            result = subprocess.run(
                [sys.executable, "-m", "kloe_nb.cli.main", "--store", str(store), "compare", "--framework", framework_id, "-o", str(output)],
                capture_output=True,
                text=True,
                cwd=REPO,
            )
            wall = time.perf_counter() - started
            if result.returncode != 0:
                print(result.stderr, file=sys.stderr)
                return 1
            sizes[count] = size
            print(f"\n{count} councils ({count * len(PERIODS)} assessments): page {size / 1024:.0f} KB ({size:,} bytes), {size / count:,.0f} bytes per council")
            for name, seconds in stages.items():
                print(f"  {name:<45} {seconds:6.3f} s")
            print(f"  {'in process, total':<45} {sum(stages.values()):6.3f} s")
            print(f"  {'kloe compare (new process and kernel)':<45} {wall:6.2f} s")
    counts = sorted(sizes)
    for smaller, larger in zip(counts, counts[1:]):
        growth = (sizes[larger] - sizes[smaller]) / (larger - smaller)
        print(f"\ngrowth from {smaller} to {larger} councils: {growth:,.0f} bytes per extra council (goal: under 2,048)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
