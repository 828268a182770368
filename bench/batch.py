"""Benchmark: ``kloe run`` against the plain way (papermill CLI, then nbconvert CLI, per council).

In one run, on the same notebook (notebooks/report.ipynb) and the same data (copies of the
illustrative ac-benefits assessments in a fresh store), it times:

- the plain loop a user would write without this tool: for each council in turn,
  ``papermill report.ipynb out.ipynb -p framework ... -p council_code ... -p store ...`` then
  ``jupyter nbconvert --to html --no-input out.ipynb`` (measured on ``--plain`` councils: its
  cost per council does not depend on how many there are);
- ``kloe run`` at each ``--jobs`` (default 1 and 2) for 24 and 96 councils (and, with ``--big``,
  400), wall clock of the whole command, start-up included.

The kernels import ``kloe_nb`` from ``PYTHONPATH`` (else the installed package). ``--trees OLD NEW``
compares two source trees in one run: every measurement (the plain loop, each ``-j`` and size)
is taken for each tree in turn, with ``PYTHONPATH`` set to it, ``--repeat`` times (the median
is printed), so a change of load on the machine falls on both alike; the load average is
printed beside each figure. Every ratio is to one plain-loop figure, the median over both trees.

It prints seconds per council for each, the ratio to the plain loop, the marginal cost per
council between each two sizes (flat cost: they agree), the start-up (the whole run less the
marginal cost of its councils) apart from the cost per council, when the first report was on
disk, the peak memory of the whole run (``kloe run`` and every process under it, workers, fork
server and kernels: RSS sampled every 50 ms, and PSS every 0.25 s from ``/proc/PID/smaps_rollup``,
which counts a page shared by forked processes once, where RSS counts it in each) and report
sizes. Goals of issue 16 on a 2-core machine:
start-up under 2 s; ``-j 2`` at least 30x faster per council than the plain loop at 24
councils and 80x at 400; the cost per council and the peak memory flat from 96 to 400.

With ``--index-sizes 1000,2000,4000,10000`` it also builds ``index.html`` (``index_html`` then
``require_inert``, as ``kloe run`` does) from synthetic ``CouncilRow``s, no kernels, each size in
a fresh process: seconds for each step, peak RSS, the page's size and sha256 (the rows are the
same for a size on every run, so two versions of the code can be compared byte for byte), and
each size's ratios against the smallest (linear: the time ratio follows the council ratio).
``--index-only`` skips everything else.

    python bench/batch.py [--plain 6] [--sizes 24 96] [--big] [--jobs 1 2] [--trees OLD NEW] [--repeat 3]
                          [--index-sizes 1000,4000] [--index-only]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NOTEBOOK = REPO / "notebooks" / "report.ipynb"
EXAMPLES = sorted((REPO / "examples" / "assessments").glob("ac-benefits--*--2008-09.json"))  # latest lead assessments
FRAMEWORK = "ac-benefits"


def make_data(folder: Path, count: int) -> tuple[Path, Path]:
    """A store with ``count`` councils (copies of the examples, codes B0001...) and their councils CSV."""
    sys.path.insert(0, str(REPO))
    from kloe_nb.demo import import_assessments

    sources = [json.loads(path.read_text(encoding="utf-8")) for path in EXAMPLES]
    paths, lines = [], ["code,name"]
    for number in range(1, count + 1):
        data = json.loads(json.dumps(sources[number % len(sources)]))
        code = f"B{number:04d}"
        data["organisation"] = {"code": code, "name": f"Bench Council {number} (illustrative)"}
        path = folder / "json" / f"{code}.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(data), encoding="utf-8")
        paths.append(path)
        lines.append(f"{code},Bench Council {number} (illustrative)")
    store = folder / "kloe.db"
    import_assessments(store, paths)
    councils = folder / "councils.csv"
    councils.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return store, councils


def councils_csv(source: Path, count: int, target: Path) -> Path:
    lines = source.read_text(encoding="utf-8").splitlines()
    target.write_text("\n".join(lines[: count + 1]) + "\n", encoding="utf-8")
    return target


def tree_env(tree: Path | None) -> dict[str, str] | None:
    """The environment for a command of ``tree`` (its ``kloe_nb`` first on ``PYTHONPATH``); None: this process's own."""
    return None if tree is None else {**os.environ, "PYTHONPATH": str(tree)}


def timed(command: list[str], cwd: Path, tree: Path | None = None) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=tree_env(tree))
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"failed ({result.returncode}): {' '.join(command)}\n{result.stderr[-2000:]}")
    return elapsed


def plain_loop(store: Path, count: int, folder: Path, tree: Path | None = None) -> float:
    out = folder / "plain"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    notebook = (tree or REPO) / "notebooks" / "report.ipynb"
    started = time.perf_counter()
    for number in range(1, count + 1):
        code = f"B{number:04d}"
        executed = out / f"{code}.ipynb"
        timed(
            [
                str(BIN / "papermill"),
                str(notebook),
                str(executed),
                "-p",
                "framework",
                FRAMEWORK,
                "-p",
                "council_code",
                code,
                "-p",
                "store",
                str(store),
                "--no-progress-bar",
            ],
            folder,
            tree,
        )
        timed([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)], folder, tree)
    return time.perf_counter() - started


@dataclass
class Run:
    """One ``kloe run``: wall clock, when its first report was on disk, its peak memory (MB, every process of it), the load average at its start."""

    total: float
    first_report: float
    peak_mb: float
    peak_pss_mb: float = float("nan")
    load: float = float("nan")


def tree_processes(process: Any) -> list[Any]:
    """A process and every process under it (none, if it has gone)."""
    import psutil

    try:
        return [process, *process.children(recursive=True)]
    except psutil.Error:
        return []


def tree_rss(process: Any) -> int:
    """RSS in bytes of a process and every process under it (0 for any that has gone)."""
    import psutil

    total = 0
    for each in tree_processes(process):
        try:
            total += each.memory_info().rss
        except psutil.Error:
            pass
    return total


def tree_pss(process: Any) -> int:
    """PSS in bytes of a process and every process under it: a page shared by n of them counts 1/n in each."""
    total = 0
    for each in tree_processes(process):
        try:
            with open(f"/proc/{each.pid}/smaps_rollup", encoding="ascii") as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except (OSError, ValueError):
            pass
    return total


def watched(command: list[str], cwd: Path, out: Path, tree: Path | None = None) -> Run:
    """Run ``command``, sampling its process tree's RSS and PSS and watching ``out`` for the first report."""
    import psutil

    load = os.getloadavg()[0]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=tree_env(tree))
    root = psutil.Process(process.pid)
    peak, peak_pss, first, samples = 0, 0, float("nan"), 0
    while process.poll() is None:
        peak = max(peak, tree_rss(root))
        if samples % 5 == 0:  # reading smaps_rollup walks every page table: less often
            peak_pss = max(peak_pss, tree_pss(root))
        samples += 1
        if first != first and out.is_dir() and any(name.endswith(".html") and name != "index.html" for name in os.listdir(out)):
            first = time.perf_counter() - started
        time.sleep(0.05)
    total = time.perf_counter() - started
    stdout, stderr = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{stderr[-2000:]}")
    return Run(total, first, peak / 1e6, peak_pss / 1e6 if peak_pss else float("nan"), load)


def kloe_run(store: Path, councils: Path, jobs: int, out: Path, folder: Path, tree: Path | None = None) -> Run:
    return watched(
        [
            sys.executable,
            "-m",
            "kloe_nb.cli.main",
            "--store",
            str(store),
            "run",
            "--framework",
            FRAMEWORK,
            "--councils",
            str(councils),
            "--out",
            str(out),
            "-j",
            str(jobs),
            "--no-progress",
        ],
        folder,
        out,
        tree,
    )


INDEX_GENERATED = (2009, 4, 1, 12, 0)  # a fixed "generated" time: the page is the same on every run


def synthetic_rows(count: int) -> list[Any]:
    """``count`` councils as a finished batch would leave them: groups (some blank), some failed or up to date, levels for every judgement and KLOE."""
    sys.path.insert(0, str(REPO))
    from kloe_nb.batch.index import CouncilRow, scored_judgements
    from kloe_nb.comparison.heatmap import heat_columns
    from kloe_nb.framework.loader import load_framework_by_id

    framework = load_framework_by_id(FRAMEWORK).framework
    judgements = [column.key for column in scored_judgements(framework)]
    kloes = [column.id for _, columns in heat_columns(framework) for column in columns]
    chance = random.Random(count)
    rows = []
    for number in range(count):
        code = f"S{number:06d}"
        status = "failed" if number % 50 == 7 else "up to date" if number % 10 == 3 else "ok"
        row = CouncilRow(number, code, f"Synthetic Council {chance.randrange(10**6)}", "" if number % 7 == 0 else f"Group {number % 20}", "2008/09", status)
        if status == "failed":
            row.reason = "an exception in cell 4: KeyError 'J1'"
            row.failed_notebook = f"failed/{code.lower()}.ipynb"
        else:
            levels = {key: chance.randint(1, 4) for key in judgements}
            row.summary = {
                "illustrative": True,
                "judgements": {key: {"level": level, "label": f"Level {level}", "text": f"{level} Level {level}"} for key, level in levels.items()},
                "kloes": {kloe: chance.choice([None, 1, 2, 3, 4]) for kloe in kloes},
            }
            row.revision = chance.randint(1, 9)
            row.report = f"{code.lower()}.html"
            row.notebook = f"notebooks/{code.lower()}.ipynb"
        rows.append(row)
    return rows


def index_child(count: int) -> None:
    """One size of the index benchmark, in its own process so its peak RSS is its own; prints JSON."""
    from datetime import datetime, timezone

    sys.path.insert(0, str(REPO))  # this checkout's kloe_nb, not an installed one
    from kloe_nb.batch.index import index_html
    from kloe_nb.framework.loader import load_framework_by_id
    from kloe_nb.render.inert import require_inert

    rows = synthetic_rows(count)
    record = load_framework_by_id(FRAMEWORK)
    generated = datetime(*INDEX_GENERATED, tzinfo=timezone.utc)
    index_html(record, rows[:2], "report.ipynb", generated=generated)  # templates compiled before timing
    before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    page = index_html(record, rows, "report.ipynb", generated=generated)
    rendered = time.perf_counter()
    require_inert(page, "index.html")
    checked = time.perf_counter()
    data = page.encode("utf-8")
    print(
        json.dumps(
            {
                "councils": count,
                "render": rendered - started,
                "inert": checked - rendered,
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "before_mb": before_kb / 1024,
                "page_mb": len(data) / 1e6,
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        )
    )


def index_bench(sizes: list[int]) -> None:
    """Each size of the index in a fresh process (see the module docstring), one line each as it finishes."""
    base: dict[str, Any] = {}
    print(f"\nindex.html ({FRAMEWORK}, synthetic rows, each size in a fresh process; ratios against the smallest size)")
    print(
        f"{'councils':>8} {'x n':>6} {'render s':>9} {'inert s':>8} {'total s':>8} {'x time':>7} {'ms/council':>10} {'peak RSS MB':>11} {'+MB':>6} {'page MB':>8} {'x page':>7}  sha256"
    )
    for count in sorted(sizes):
        result = subprocess.run([sys.executable, __file__, "--index-child", str(count)], capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit(f"index of {count} councils failed:\n{result.stderr[-2000:]}")
        item = json.loads(result.stdout.strip().splitlines()[-1])
        item["total"] = item["render"] + item["inert"]
        base = base or item
        print(
            f"{count:>8} {count / base['councils']:>6.1f} {item['render']:>9.2f} {item['inert']:>8.2f} {item['total']:>8.2f} "
            f"{item['total'] / base['total']:>7.1f} {1000 * item['total'] / count:>10.3f} {item['peak_mb']:>11.0f} {item['peak_mb'] - item['before_mb']:>6.0f} "
            f"{item['page_mb']:>8.1f} {item['page_mb'] / base['page_mb']:>7.1f}  {item['sha256'][:16]}",
            flush=True,
        )


def median_run(runs: list[Run]) -> Run:
    """The run of median wall clock (its own other figures with it); peak memory the largest of all."""
    ordered = sorted(runs, key=lambda run: run.total)
    middle = ordered[len(ordered) // 2]
    return Run(middle.total, middle.first_report, max(run.peak_mb for run in runs), max(run.peak_pss_mb for run in runs), middle.load)


def report(
    trees: list[Path | None],
    names: dict[Path | None, str],
    plain_per: dict[Path | None, float],
    plains: dict[Path | None, list[float]],
    loads: dict[Path | None, list[float]],
    all_runs: dict[tuple[Path | None, int, int], list[Run]],
    args: argparse.Namespace,
    sizes_kb: list[float],
) -> None:
    """The figures: each run against the plain loop, the marginal cost and start-up, peak memory, NEW against OLD."""
    runs = {key: median_run(values) for key, values in all_runs.items()}
    print(f"\nmedian of {args.repeat} run(s) each, trees measured in turn; load: 1-minute load average at the start ({os.cpu_count()} cores)")
    if args.plain:
        print(f"'vs plain': against the plain loop's median over every tree and repeat, {next(iter(plain_per.values())):.3f} s per council")
    print(
        f"{'tree':<10} {'variant':<40} {'councils':>8} {'total s':>8} {'s/council':>10} {'vs plain':>9} {'1st report s':>12} {'peak RSS MB':>11} {'peak PSS MB':>11} {'load':>5}"
    )
    for tree in trees:
        if args.plain:
            load = statistics.median(loads[tree]) if loads[tree] else float("nan")
            own = statistics.median(plains[tree])
            print(
                f"{names[tree]:<10} {'papermill CLI + nbconvert CLI, per council':<40} {args.plain:>8} {own * args.plain:>8.1f} {own:>10.3f} "
                f"{plain_per[tree] / own:>8.2f}x {'':>12} {'':>11} {'':>11} {load:>5.2f}"
            )
        for (each, jobs, count), run in runs.items():
            if each != tree:
                continue
            per = run.total / count
            print(
                f"{names[tree]:<10} {'kloe run -j ' + str(jobs):<40} {count:>8} {run.total:>8.2f} {per:>10.3f} {plain_per[tree] / per:>8.1f}x "
                f"{run.first_report:>12.2f} {run.peak_mb:>11.0f} {run.peak_pss_mb:>11.0f} {run.load:>5.2f}"
            )
    print()
    for tree in trees:
        for jobs in args.jobs:
            measured = sorted((count, run) for (each, j, count), run in runs.items() if each == tree and j == jobs)
            for (low, low_run), (high, high_run) in zip(measured, measured[1:]):
                marginal = (high_run.total - low_run.total) / (high - low)
                startup = low_run.total - marginal * low
                print(
                    f"{names[tree]:<10} kloe run -j {jobs}, {low} -> {high} councils: marginal cost {marginal:.4f} s per extra council "
                    f"({plain_per[tree] / marginal:.0f}x the plain loop), start-up {startup:.2f} s; peak memory RSS {low_run.peak_mb:.0f} -> {high_run.peak_mb:.0f} MB, "
                    f"PSS {low_run.peak_pss_mb:.0f} -> {high_run.peak_pss_mb:.0f} MB"
                )
    if len(trees) == 2:
        old, new = trees
        print(f"\n{names[new]} against {names[old]} (wall clock ratio old/new; above 1: new is faster)")
        for (tree, jobs, count), run in runs.items():
            if tree == new and (old, jobs, count) in runs:
                before = runs[old, jobs, count]
                print(
                    f"  -j {jobs} {count:>4} councils: {before.total:.2f} s -> {run.total:.2f} s ({before.total / run.total:.2f}x); "
                    f"vs plain {plain_per[old] * count / before.total:.1f}x -> {plain_per[new] * count / run.total:.1f}x; "
                    f"peak PSS {before.peak_pss_mb:.0f} -> {run.peak_pss_mb:.0f} MB"
                )
    if sizes_kb:
        print(
            f"report size: median {statistics.median(sizes_kb):.0f} KB, largest {max(sizes_kb):.0f} KB (goal: under 100 KB, every report: bench/report_size.py measures all the bundled examples)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plain", type=int, default=6, help="councils for the plain papermill+nbconvert loop (default 6)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[24, 96], help="council counts for kloe run (default 24 96)")
    parser.add_argument("--big", action="store_true", help="also 400 councils")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="-j values for kloe run (default 1 2)")
    parser.add_argument("--trees", nargs=2, metavar=("OLD", "NEW"), help="two source trees to compare, measured in turn (see above)")
    parser.add_argument("--repeat", type=int, default=1, help="times each measurement is taken (the median is printed; default 1)")
    parser.add_argument(
        "--index-sizes",
        type=lambda text: [int(part) for part in text.split(",")],
        default=[],
        help="council counts for index.html from synthetic rows, e.g. 1000,2000,4000,10000",
    )
    parser.add_argument("--index-only", action="store_true", help="only the index benchmark (no kernels)")
    parser.add_argument("--index-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.index_child:
        index_child(args.index_child)
        return
    if args.index_only:
        index_bench(args.index_sizes or [1000, 2000, 4000])
        return
    sizes = sorted(set(args.sizes + ([400] if args.big else [])))
    largest = max([*sizes, args.plain])
    trees: list[Path | None] = [Path(tree).resolve() for tree in args.trees] if args.trees else [None]
    names = {tree: (tree.name if tree else "this tree") for tree in trees}
    with tempfile.TemporaryDirectory(prefix="kloe-bench-") as temporary:
        folder = Path(temporary)
        store, all_councils = make_data(folder, largest)
        plains: dict[Path | None, list[float]] = {tree: [] for tree in trees}
        loads: dict[Path | None, list[float]] = {tree: [] for tree in trees}
        for _ in range(args.repeat if args.plain else 0):
            for tree in trees:  # one tree after the other, each time
                loads[tree].append(os.getloadavg()[0])
                plains[tree].append(plain_loop(store, args.plain, folder, tree) / args.plain)
        pooled = [value for values in plains.values() for value in values]
        baseline = statistics.median(pooled) if pooled else float("nan")  # the same plain way for both: every ratio is to it
        plain_per = {tree: baseline for tree in trees}
        runs: dict[tuple[Path | None, int, int], list[Run]] = {}
        sizes_kb: list[float] = []
        for jobs in args.jobs:
            for count in sizes:
                councils = councils_csv(all_councils, count, folder / f"councils-{count}.csv")
                for _ in range(args.repeat):
                    for tree in trees:
                        out = folder / f"run-j{jobs}-{count}"
                        runs.setdefault((tree, jobs, count), []).append(kloe_run(store, councils, jobs, out, folder, tree))
                        sizes_kb += [path.stat().st_size / 1024 for path in out.glob("b*.html")]
                        shutil.rmtree(out)
        report(trees, names, plain_per, plains, loads, runs, args, sizes_kb)
    if args.index_sizes:
        index_bench(args.index_sizes)


if __name__ == "__main__":
    main()
