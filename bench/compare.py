"""Benchmark: the comparison page for many councils of the largest framework (the most scored KLOEs).

It builds a fresh store of ``--councils`` councils, each assessed in three periods (every scored
KLOE levelled, levels drawn with a fixed seed), in four peer groups, one in ten scored again
independently by a second assessor, then prints:

- the in-process cost of the page: gathering from the store, the context, the sections, and the
  export to HTML (best of three), and the page's size, in all and per council;
- the wall clock (and CPU time, the kernel's included) of ``kloe compare``: a fresh process and
  kernel, start-up included; the best and the median of ``--runs``;
- at the end, how much the page grows per extra council between each two sizes (goal: under 2 KB).

With ``--baseline DIR`` (another checkout of the workbook, e.g. the main branch before a change)
every figure is measured for it too, on the same store, in the same session, the ``kloe compare``
runs of the two taking turns, and printed beside this tree's with the ratio; it also says whether
the two pages are the same (apart from the time they were generated).

Everything runs in a temporary folder (the store, the pages, the kernel's working folder); each
tree's code is the one imported (``PYTHONPATH``), in this process's children only.

    python bench/compare.py [--councils 150 400] [--baseline ../base] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GROUPS = ["Counties", "Shire districts", "Metropolitan boroughs", "Unitary authorities"]
PERIODS = ["2006/07", "2007/08", "2008/09"]
STAGES = ["gather (store, scoring, trends, agreement)", "context", "sections", "export to HTML"]
#: What differs between two runs of the same page: when it was generated.
_GENERATED = re.compile(rb"\d{4}-\d\d-\d\d \d\d:\d\d UTC")


def largest_framework() -> str:
    """The bundled framework with the most scored KLOEs."""
    from kloe_nb.framework.loader import bundled_ids, load_framework

    return max(bundled_ids(), key=lambda framework_id: sum(kloe.scored for _, kloe in load_framework(framework_id).iter_kloes()))


def make_store(folder: Path, framework_id: str, councils: int) -> Path:
    """A store with ``councils`` councils x three periods (see the module docstring)."""
    from kloe_nb.assessment.model import Assessment, KloeRecord, Organisation
    from kloe_nb.framework.loader import load_framework
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
        times[STAGES[0]] = time.perf_counter() - started
        started = time.perf_counter()
        comparison = Comparison(build_context(gathered), {})
        times[STAGES[1]] = time.perf_counter() - started
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
        times[STAGES[2]] = time.perf_counter() - started
        cells = []
        for part in parts:
            cell = new_code_cell("")
            if part is not None:
                data, metadata = part._repr_mimebundle_()
                cell.outputs = [new_output("execute_result", data=data, metadata=metadata, execution_count=1)]
            cells.append(cell)
        started = time.perf_counter()
        html = renderer.render(new_notebook(cells=cells), "comparison")
        times[STAGES[3]] = time.perf_counter() - started
        size = len(html.encode())
        best = {name: min(seconds, best.get(name, seconds)) for name, seconds in times.items()}
    return best, size


def _environment(tree: Path) -> dict[str, str]:
    """This process's environment with ``tree``'s code first on the path (its kernels inherit it)."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(tree), *filter(None, [os.environ.get("PYTHONPATH", "")])])}


def stages_of(tree: Path, framework_id: str, store: Path) -> tuple[dict[str, float], int]:
    """``page_seconds`` measured with ``tree``'s code, in a child process."""
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--stages-of", str(store), framework_id],
        capture_output=True,
        text=True,
        cwd=store.parent,
        env=_environment(tree),
        check=True,
    )
    found = json.loads(result.stdout)
    return found["stages"], found["size"]


def kloe_compare(tree: Path, framework_id: str, store: Path, output: Path) -> tuple[float, float]:
    """Wall clock and CPU seconds (the command's and its kernel's) of one ``kloe compare`` with ``tree``'s code."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "kloe_nb.cli.main", "--store", str(store), "compare", "--framework", framework_id, "-o", str(output)],
        capture_output=True,
        text=True,
        cwd=output.parent,
        env=_environment(tree),
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"kloe compare ({tree}) failed:\n{result.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _row(name: str, new: float, old: float | None, unit: str = "s", digits: int = 3) -> str:
    if old is None:
        return f"  {name:<45} {new:8.{digits}f} {unit}"
    ratio = f"{new / old:6.2f}x" if old else "      "
    return f"  {name:<45} {new:8.{digits}f} {unit} {old:8.{digits}f} {unit}  {ratio}"


def measure(count: int, framework_id: str, baseline: Path | None, runs: int) -> int:
    """Every figure for one size of store (see the module docstring); the page's size in bytes (this tree's)."""
    trees = {"this tree": REPO, **({"baseline": baseline} if baseline else {})}
    with tempfile.TemporaryDirectory(prefix="kloe-bench-compare-") as folder:
        store = make_store(Path(folder), framework_id, count)
        stages = {name: stages_of(tree, framework_id, store) for name, tree in trees.items()}
        walls: dict[str, list[float]] = {name: [] for name in trees}
        cpus: dict[str, list[float]] = {name: [] for name in trees}
        pages: dict[str, bytes] = {}
        for run in range(runs):
            for name, tree in trees.items() if run % 2 == 0 else reversed(trees.items()):  # taking turns: neither always goes first
                output = Path(folder) / name.replace(" ", "-") / "compare.html"
                output.parent.mkdir(exist_ok=True)
                wall, cpu = kloe_compare(tree, framework_id, store, output)
                walls[name].append(wall)
                cpus[name].append(cpu)
                pages[name] = _GENERATED.sub(b"(generated)", output.read_bytes())
    new_stages, size = stages["this tree"]
    old_stages, old_size = stages.get("baseline", ({}, None))
    print(f"\n{count} councils ({count * len(PERIODS)} assessments): page {size / 1024:.0f} KB ({size:,} bytes), {size / count:,.0f} bytes per council")
    if baseline:
        print(f"  {'':<45} {'this tree':>10} {'baseline':>10}  ratio")
    for stage in STAGES:
        print(_row(stage, new_stages[stage], old_stages.get(stage)))
    print(_row("in process, total", sum(new_stages.values()), sum(old_stages.values()) if baseline else None))
    print(_row("page size", size / 1024, old_size / 1024 if old_size else None, "KB", 0))
    for label, pick in (("best", min), ("median", statistics.median)):
        print(_row(f"kloe compare, wall, {label} of {runs}", pick(walls["this tree"]), pick(walls["baseline"]) if baseline else None, digits=2))
        print(_row(f"kloe compare, CPU, {label} of {runs}", pick(cpus["this tree"]), pick(cpus["baseline"]) if baseline else None, digits=2))
    if baseline:
        same = pages["this tree"] == pages["baseline"]
        print(f"  the two pages are {'the same' if same else 'DIFFERENT'} (apart from the time they were generated)")
    return size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--councils", type=int, nargs="+", default=[50, 150])
    parser.add_argument("--baseline", type=Path, default=None, metavar="DIR", help="another checkout to measure beside this one")
    parser.add_argument("--runs", type=int, default=3, help="kloe compare runs per tree (default 3)")
    parser.add_argument("--stages-of", nargs=2, metavar=("STORE", "FRAMEWORK"), help=argparse.SUPPRESS)  # the child of stages_of
    args = parser.parse_args()
    if args.stages_of:
        stages, size = page_seconds(args.stages_of[1], Path(args.stages_of[0]))
        print(json.dumps({"stages": stages, "size": size}))
        return 0
    sys.path.insert(0, str(REPO))
    baseline = args.baseline.resolve() if args.baseline else None
    framework_id = largest_framework()
    from kloe_nb.framework.loader import load_framework

    kloes = sum(kloe.scored for _, kloe in load_framework(framework_id).iter_kloes())
    print(f"framework {framework_id}: {kloes} scored KLOEs; {len(PERIODS)} periods per council; 1 in 10 scored twice")
    if baseline:
        print(f"this tree: {REPO}; baseline: {baseline}")
    sizes = {count: measure(count, framework_id, baseline, args.runs) for count in args.councils}
    counts = sorted(sizes)
    for smaller, larger in zip(counts, counts[1:]):
        growth = (sizes[larger] - sizes[smaller]) / (larger - smaller)
        print(f"\ngrowth from {smaller} to {larger} councils: {growth:,.0f} bytes per extra council (goal: under 2,048)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
