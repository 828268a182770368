"""The processes of ``kloe run``: stopped, killed and timed out, nothing of the run is left running or
lying about; every council of a custom notebook starts from a pristine kernel; one unreadable
stored assessment fails its council only (issue 12, items 7 to 11).

Each test runs ``kloe run`` as a real process in its own session, in its own folder (so every
process of the run, kernels and what their notebooks started included, is found by its working
directory), with its own temporary folder and Jupyter runtime folder (so the kernels' files are
found there). The notebook is the bundled report notebook with one cell after its parameters
that slows a council (``SLOW-*``), or starts ``sleep 300`` and hangs (``HANG-*``).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import nbformat
import psutil
import pytest
from builders import damage_sqlite_document
from conftest import REPO_ROOT
from nbformat.v4 import new_code_cell

from kloe_nb.batch.slugs import slug
from kloe_nb.demo import import_assessments

pytestmark = pytest.mark.slow  # real kernels, real signals

NOTEBOOK = REPO_ROOT / "notebooks" / "report.ipynb"
EXAMPLE = REPO_ROOT / "examples" / "assessments" / "ac-judgement2--EX-J201--2008-09.json"
FAULT = """import os, subprocess, time
if council_code.startswith('SLOW'):
    time.sleep(0.5)
if council_code.startswith('HANG'):
    child = subprocess.Popen(['sleep', '300'])
    with open({pids!r} + '/' + council_code + '.tmp', 'w') as stream:
        stream.write(str(child.pid))
    os.replace({pids!r} + '/' + council_code + '.tmp', {pids!r} + '/' + council_code + '.pid')
    time.sleep(600)
del os, subprocess, time"""


def wait_until(condition: Callable[[], object], seconds: float, what: str | Callable[[], str]) -> float:
    """Poll until ``condition()`` is true; the seconds it took. Fails after a generous deadline, saying ``what`` (then)."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            raise AssertionError(f"not within {seconds:g} s: {what() if callable(what) else what}")
        time.sleep(0.1)
    return time.monotonic() - started


def alive(process: psutil.Process | int) -> bool:
    """Whether the process still runs (a zombie has ended: it waits only for its parent to read its status)."""
    try:
        process = process if isinstance(process, psutil.Process) else psutil.Process(process)
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def processes_in(folder: Path) -> list[psutil.Process]:
    """Every live process working in ``folder`` (the run, its workers, kernels and their children)."""
    found = []
    for process in psutil.process_iter(["pid", "cmdline"]):
        try:
            if process.pid != os.getpid() and alive(process) and Path(process.cwd()).is_relative_to(folder):
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess, OSError):
            pass
    return found


def running_in(folder: Path) -> list[str]:
    return [f"{process.pid}: {' '.join(process.info['cmdline'] or [])}" for process in processes_in(folder)]


class World:
    """A store of councils, a councils CSV, the fault notebook and the folders of one run."""

    def __init__(self, root: Path, codes: list[str], period_column: bool = False) -> None:
        self.root = root
        self.temp = Path(tempfile.mkdtemp(prefix="kt-", dir="/tmp"))  # short: kernels' Unix socket paths must fit
        self.runtime = root / "runtime"
        self.pids = root / "pids"
        self.out = root / "out"
        self.runtime.mkdir()
        self.pids.mkdir()
        self.store = root / "kloe.db"
        self.codes = codes
        source = EXAMPLE.read_text(encoding="utf-8")
        paths = []
        for code in codes:
            path = root / f"{code}.json"
            path.write_text(source.replace('"EX-J201"', json.dumps(code)), encoding="utf-8")
            paths.append(path)
        import_assessments(self.store, paths)
        self.councils = root / "councils.csv"
        with self.councils.open("w", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream)
            writer.writerow(["code", "name", "period"] if period_column else ["code", "name"])
            writer.writerows([code, f"Council {code}", "2008/09"][: 3 if period_column else 2] for code in codes)
        nb = nbformat.read(NOTEBOOK, as_version=4)
        nb.cells.insert(2, new_code_cell(FAULT.format(pids=str(self.pids)), id="fault"))
        self.notebook = root / "faults.ipynb"
        nbformat.write(nb, self.notebook)

    def command(self, *extra: str, notebook: Path | None = None) -> list[str]:
        return [
            sys.executable,
            "-m",
            "kloe_nb.cli.main",
            "--store",
            str(self.store),
            "run",
            "--framework",
            "ac-judgement2",
            "--councils",
            str(self.councils),
            "--out",
            str(self.out),
            "--no-progress",
            "--notebook",
            str(notebook or self.notebook),
            *extra,
        ]

    def env(self) -> dict[str, str]:
        return {**os.environ, "TMPDIR": str(self.temp), "JUPYTER_RUNTIME_DIR": str(self.runtime), "PYTHONPATH": str(REPO_ROOT)}

    def start(self, *extra: str, notebook: Path | None = None) -> subprocess.Popen[str]:
        """``kloe run`` in its own session, its output to files (a pipe would stay open as long as any
        process the notebook started, and hide whether it was stopped)."""
        with (self.root / "stdout").open("w") as stdout, (self.root / "stderr").open("w") as stderr:
            return subprocess.Popen(
                self.command(*extra, notebook=notebook), cwd=self.root, env=self.env(), stdout=stdout, stderr=stderr, text=True, start_new_session=True
            )

    def run(self, *extra: str, notebook: Path | None = None) -> int:
        process = self.start(*extra, notebook=notebook)
        try:
            return process.wait(timeout=600)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)

    def output(self, name: str) -> str:
        return (self.root / name).read_text(encoding="utf-8")

    def summary(self) -> dict[str, dict[str, str]]:
        with (self.out / "summary.csv").open(encoding="utf-8", newline="") as stream:
            return {row["code"]: row for row in csv.DictReader(stream)}

    def pages(self) -> set[str]:
        return {path.name for path in self.out.glob("*.html") if path.name != "index.html"}

    def kernel_files(self) -> list[str]:
        """What kernels leave behind if nobody cleans up: their private socket folders and connection files."""
        left = [path.name for path in self.temp.glob("kloe-kernel-*")]
        return left + [path.name for path in self.runtime.rglob("*") if path.is_file()]

    def sleeping_children(self) -> list[psutil.Process]:
        children = []
        for path in self.pids.glob("*.pid"):
            try:
                children.append(psutil.Process(int(path.read_text())))
            except psutil.NoSuchProcess:
                pass
        return children

    def close(self) -> None:
        for process in [*self.sleeping_children(), *processes_in(self.root)]:  # nothing of a test left behind, pass or fail
            try:
                process.kill()
            except psutil.NoSuchProcess:
                pass
        shutil.rmtree(self.temp, ignore_errors=True)


@pytest.fixture
def world(tmp_path):
    made: list[World] = []

    def make(codes: list[str], period_column: bool = False) -> World:
        made.append(World(tmp_path, codes, period_column))
        return made[-1]

    yield make
    for item in made:
        item.close()


@pytest.mark.parametrize("how", ["Ctrl-C to the process group", "SIGTERM to kloe"])
def test_an_interrupted_run_counts_every_report_it_wrote_and_leaves_nothing_running(world, how):
    run = world([f"SLOW-{number:02d}" for number in range(24)])
    process = run.start("-j", "2")
    try:
        wait_until(lambda: len(run.pages()) >= 3 or process.poll() is not None, 300, "three reports written")
        assert process.poll() is None, run.output("stderr")
        if how.startswith("Ctrl-C"):
            os.killpg(process.pid, signal.SIGINT)
        else:
            os.kill(process.pid, signal.SIGTERM)
        process.wait(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 1, run.output("stderr")  # as after Ctrl-C: some councils are not done
    assert "(interrupted)" in run.output("stdout")
    rows = run.summary()
    assert len(rows) == 24 and (run.out / "index.html").is_file()
    written = {row["report"] for row in rows.values() if row["status"] == "ok"}
    assert run.pages() == written and 3 <= len(written) < 24  # every report on disk is counted, and only those
    assert {path.name for path in (run.out / "notebooks").glob("*.ipynb")} == {name.replace(".html", ".ipynb") for name in written}
    assert all(row["reason"] == "not run: the batch was interrupted" for row in rows.values() if row["status"] != "ok")
    wait_until(lambda: not running_in(run.root), 15, lambda: f"every process of the run gone: {running_in(run.root)}")
    assert run.kernel_files() == []


def kill_outright_and_find_nothing_left(run: World, process: subprocess.Popen[str], descendants: list[psutil.Process]) -> None:
    """SIGKILL ``kloe run``, then find every one of its ``descendants`` gone, no process of the run left and no kernel's files."""
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    seconds = wait_until(lambda: not any(alive(child) for child in descendants), 15, "every descendant gone")
    print(f"{len(descendants)} descendants gone {seconds:.1f} s after SIGKILL")
    wait_until(lambda: not running_in(run.root), 15, lambda: f"every process of the run gone: {running_in(run.root)}")
    wait_until(lambda: not run.kernel_files(), 10, lambda: f"the kernels' files removed: {run.kernel_files()}")


def test_a_killed_run_takes_its_workers_kernels_and_their_children_with_it(world):
    run = world(["HANG-1", "HANG-2", "SLOW-3"])
    process = run.start("-j", "2")
    try:
        wait_until(lambda: len(list(run.pids.glob("*.pid"))) == 2, 300, "both kernels running a hanging council")
        descendants = psutil.Process(process.pid).children(recursive=True)
        assert len(descendants) >= 6  # two workers, two kernels, two sleeps (and the resource tracker)
        kill_outright_and_find_nothing_left(run, process, descendants)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)


def test_a_run_killed_while_its_workers_start_takes_the_fork_server_and_every_kernel_to_be_with_it(world):
    """Killed outright at start-up: the fork server, the workers forked from it and the children each
    worker forked to become its kernel (``forked_kernel.py``), started or not, all go."""
    run = world(["SLOW-1", "SLOW-2", "SLOW-3", "SLOW-4"])
    process = run.start("-j", "2")
    tree = psutil.Process(process.pid)
    try:
        wait_until(lambda: len(tree.children(recursive=True)) >= 5 or process.poll() is not None, 120, "the fork server, two workers and a kernel-to-be")
        assert process.poll() is None, run.output("stderr")
        kill_outright_and_find_nothing_left(run, process, tree.children(recursive=True))
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)


def test_a_timeout_stops_what_the_notebook_started(world):
    run = world(["HANG-1", "SLOW-2"])
    assert run.run("-j", "1", "--timeout", "5") == 1, run.output("stderr")
    rows = run.summary()
    assert rows["HANG-1"]["reason"] == "timed out after 5 s (the kernel was stopped)" and rows["SLOW-2"]["status"] == "ok"
    (pid_file,) = run.pids.glob("*.pid")
    child = int(pid_file.read_text())
    wait_until(lambda: not alive(child), 10, "the notebook's sleep 300 stopped with its kernel")
    wait_until(lambda: not running_in(run.root), 15, lambda: f"every process of the run gone: {running_in(run.root)}")
    assert run.kernel_files() == []


PROBE = """import builtins, json, os, resource, kloe_nb
print(json.dumps({
    'environ': dict(os.environ),
    'builtins': sorted(name for name in dir(builtins) if 'leak' in name),
    'kloe_nb': sorted(name for name in dir(kloe_nb) if 'leak' in name),
    'cwd': os.getcwd(),
    'nofile': resource.getrlimit(resource.RLIMIT_NOFILE),
}))
os.environ['KLOE_LEAK'] = council_code
os.environ.pop('HOME', None)
builtins.kloe_leak = council_code
kloe_nb.kloe_leak = council_code
os.makedirs(council_code, exist_ok=True)
os.chdir(council_code)
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(soft, 512) - 1, hard))
del builtins, json, os, resource, kloe_nb, soft, hard"""


def test_a_custom_notebook_starts_every_council_on_a_pristine_kernel(world):
    run = world(["SLOW-1", "SLOW-2", "SLOW-3", "SLOW-4"])
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.insert(2, new_code_cell(PROBE, id="probe"))
    probe = run.root / "probe.ipynb"
    nbformat.write(nb, probe)
    assert run.run("-j", "1", notebook=probe) == 0, run.output("stderr")
    seen = []
    for code in run.codes:
        notebook = nbformat.read(run.out / "notebooks" / f"{slug(code)}.ipynb", as_version=4)
        seen.append(json.loads("".join(output.get("text", "") for output in notebook.cells[3].outputs)))
    first = seen[0]
    assert "KLOE_LEAK" not in first["environ"] and "HOME" in first["environ"]
    assert first["builtins"] == first["kloe_nb"] == [] and Path(first["cwd"]) == run.out.resolve()
    for code, state in zip(run.codes[1:], seen[1:]):
        assert state == first, code  # environment, builtins, package modules, working folder, limits


def test_an_unreadable_stored_assessment_fails_only_its_council_with_a_period_column(world):
    run = world(["SLOW-1", "BROKEN", "SLOW-3"], period_column=True)
    damage_sqlite_document(run.store, "BROKEN", "{not json")
    assert run.run("-j", "2", notebook=NOTEBOOK) == 1, run.output("stderr")
    rows = run.summary()
    assert rows["SLOW-1"]["status"] == rows["SLOW-3"]["status"] == "ok"
    assert rows["BROKEN"]["status"] == "failed" and "BROKEN" in rows["BROKEN"]["reason"], rows["BROKEN"]
    assert "no longer a valid assessment" in rows["BROKEN"]["reason"]
    assert run.pages() == {"slow-1.html", "slow-3.html"}
