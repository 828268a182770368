"""Benchmark: ``kloe render`` of one council, and ``kloe --help``, wall clock of the whole command.

The data is one copy of an illustrative ac-benefits assessment in a fresh store (the same
helper as ``bench/batch.py``). Each command is run ``--runs`` times (default 7); the median and
the best are printed. Issue 16's goal on a 2-core machine: ``kloe render`` of one council under
1.5 s.

With ``--trees OLD NEW`` the same measurements are made for two source trees (``PYTHONPATH=tree``,
the kernels import from it too), alternating run by run so that both see the same machine, and
the ratio NEW/OLD is printed (below 1: NEW is faster).

The commands run as an installed package does, with bytecode cached: ``PYTHONDONTWRITEBYTECODE``
is unset and ``PYTHONPYCACHEPREFIX`` points into the temporary folder, so neither tree is
written to (a run compiling every module from source measured the compiler, ~0.1 s a process).

    python bench/render.py [--runs 7] [--trees /work/base /path/to/new]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def _batch_bench():  # type: ignore[no-untyped-def]
    """``bench/batch.py`` as a module (bench/ is not a package), for its data helpers."""
    spec = importlib.util.spec_from_file_location("kloe_bench_batch", HERE / "batch.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def timed(command: list[str], cwd: Path, tree: Path) -> float:
    """Seconds the command took with ``PYTHONPATH=tree`` and bytecode cached (see the module docstring); exits if it failed."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPATH=str(tree), PYTHONPYCACHEPREFIX=str(cwd / "pycache"))
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"failed ({result.returncode}) with PYTHONPATH={tree}: {' '.join(command)}\n{result.stderr[-2000:]}")
    return elapsed


def commands(store: Path, code: str, out: Path) -> dict[str, list[str]]:
    """The two commands measured."""
    kloe = [sys.executable, "-m", "kloe_nb.cli.main"]
    return {
        "kloe render": [*kloe, "--store", str(store), "render", "--framework", "ac-benefits", "--council", code, "-o", str(out)],
        "kloe --help": [*kloe, "--help"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="runs of each command (default 7)")
    parser.add_argument("--trees", type=Path, nargs=2, metavar=("OLD", "NEW"), help="two source trees, measured alternately")
    args = parser.parse_args()
    trees = [tree.resolve() for tree in args.trees] if args.trees else [REPO]
    with tempfile.TemporaryDirectory(prefix="kloe-bench-render-") as temporary:
        folder = Path(temporary)
        store, _ = _batch_bench().make_data(folder, 1)
        measured = commands(store, "B0001", folder / "report.html")
        times: dict[tuple[Path, str], list[float]] = {(tree, name): [] for tree in trees for name in measured}
        for tree in trees:  # once each, not counted: files cached, bytecode written
            for command in measured.values():
                timed(command, folder, tree)
        for _ in range(args.runs):
            for name, command in measured.items():
                for tree in trees:
                    times[tree, name].append(timed(command, folder, tree))
    print(f"\n{'command':<14} {'tree':<40} {'runs':>4} {'median s':>9} {'best s':>7}")
    for name in measured:
        for tree in trees:
            values = times[tree, name]
            print(f"{name:<14} {str(tree)[-40:]:<40} {len(values):>4} {statistics.median(values):>9.2f} {min(values):>7.2f}")
        if len(trees) == 2:
            old, new = (times[tree, name] for tree in trees)
            print(f"{name:<14} {'ratio NEW/OLD':<40} {'':>4} {statistics.median(new) / statistics.median(old):>9.2f} {min(new) / min(old):>7.2f}")
    print("goal (issue 16): kloe render of one council under 1.5 s")


if __name__ == "__main__":
    main()
