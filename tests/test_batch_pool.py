"""The batch's workers come from a fork server that outlives any one run: each run still gets its own
environment, and a worker's first kernel, forked from the worker, is a kernel like a launched one.

The fork server (``worker_preload.py``) is started once per process, with the environment of that
moment, and serves every later pool of the process; so two pools run here one after the other,
in one process, with different environments, and each must see its own (the settings, where
temporary files go). Real workers, real kernels, found with psutil.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import psutil
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from kloe_nb.batch.council import CouncilTask
from kloe_nb.batch.pool import Pool, WorkerConfig

pytestmark = pytest.mark.slow  # real workers and kernels

PROBE = """import json, os, sys, tempfile, psutil
me = psutil.Process()
print(json.dumps({
    'mark': os.environ.get('KLOE_TEST_RUN_MARK'),
    'store': os.environ.get('KLOE_STORE'),
    'tmpdir': tempfile.gettempdir(),
    'kernel': os.getpid(),
    'worker': me.ppid(),
    'session_leader': os.getsid(0) == os.getpid(),
    'cwd': os.getcwd(),
}))"""


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def probe_notebook(path: Path, pause: float = 0.0) -> Path:
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}, "language_info": {"name": "python"}})
    nb.cells = [
        new_code_cell("framework = ''\ncouncil_code = ''\nstore = ''\nperiod = ''", metadata={"tags": ["parameters"]}),
        new_code_cell(f"import time\ntime.sleep({pause})\n{PROBE}" if pause else PROBE),
    ]
    for number, cell in enumerate(nb.cells):
        cell["id"] = f"probe-{number}"
    nbformat.write(nb, path)
    return path


def run_pool(folder: Path, codes: list[str], jobs: int, pause: float = 0.0) -> dict[str, dict]:
    """Run the probe notebook for each code through a real pool (each council taking ``pause`` seconds at least); what each council's kernel printed."""
    out = folder / "out"
    out.mkdir()
    notebook = probe_notebook(folder / "probe.ipynb", pause)
    tasks = [
        CouncilTask(index, code, code, code.lower(), {"framework": "", "council_code": code, "store": "", "period": ""}, out, notebook)
        for index, code in enumerate(codes)
    ]
    pool = Pool(WorkerConfig(60, out), jobs)
    try:
        results = list(pool.run(tasks))
    finally:
        pool.close()
    seen = {}
    for result in results:
        assert result.notebook or result.failed_notebook, (result.code, result.status, result.reason)
        path = out / (result.notebook or result.failed_notebook)
        nb = nbformat.read(path, as_version=4)
        seen[result.code] = json.loads("".join(output.get("text", "") for output in nb.cells[-1].outputs))
    return seen


def test_two_runs_in_one_process_each_give_their_workers_and_kernels_their_own_environment(tmp_path, monkeypatch):
    runs = {}
    for name in ("first", "second"):
        folder = tmp_path / name
        temp = tmp_path / f"tmp-{name}"
        folder.mkdir()
        temp.mkdir()
        monkeypatch.setenv("KLOE_TEST_RUN_MARK", name)
        monkeypatch.setenv("KLOE_STORE", str(folder / "kloe.db"))
        monkeypatch.setenv("TMPDIR", str(temp))
        runs[name] = (folder, temp, run_pool(folder, [f"{name.upper()}-{number}" for number in range(3)], jobs=2))
    for name, (folder, temp, seen) in runs.items():
        assert len(seen) == 3
        for state in seen.values():
            assert state["mark"] == name and state["store"] == str(folder / "kloe.db")
            assert Path(state["tmpdir"]) == temp
            assert Path(state["cwd"]) == (folder / "out").resolve()


def test_a_workers_first_kernel_is_forked_from_it_and_leads_its_own_session(tmp_path):
    # Councils of half a second each: a worker ready first must not run them all before the other is ready.
    seen = run_pool(tmp_path, ["A", "B", "C", "D", "E", "F"], jobs=2, pause=0.5)
    kernels = {state["kernel"] for state in seen.values()}
    workers = {state["worker"] for state in seen.values()}
    assert len(kernels) == 2 and len(workers) == 2  # two workers, each keeping one kernel across councils
    assert all(state["session_leader"] for state in seen.values())
    assert not [pid for pid in kernels | workers if alive(pid)]  # none left running once the pool is closed


def test_a_forked_kernel_holds_none_of_its_workers_pipes(tmp_path):
    """The worker's pipes to the batch lead to /dev/null in its kernel: a notebook cannot write to them."""
    from kloe_nb.batch.forked_kernel import Preforked
    from kloe_nb.batch.kernel import KernelSession

    read_end, write_end = os.pipe()
    inode = os.fstat(read_end).st_ino
    session = KernelSession(tmp_path)
    try:
        session.launch(Preforked())
        session.wait_ready()
        assert session.pid is not None and psutil.Process(session.pid).ppid() == os.getpid()
        targets = [os.readlink(f"/proc/{session.pid}/fd/{fd}") for fd in os.listdir(f"/proc/{session.pid}/fd")]
        assert f"pipe:[{inode}]" not in targets
        assert os.getsid(session.pid) == session.pid
        kernel = session.pid
    finally:
        session.shutdown()
        os.close(read_end)
        os.close(write_end)
    assert not alive(kernel)


def test_the_fork_server_preload_imports_and_warms_every_report_module():
    """multiprocessing's fork server silently ignores an ImportError in its preload, so a preload that
    failed would only show as slow workers: it is run here, in a fresh interpreter, where it must not fail."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from kloe_nb.batch import worker_preload\n"
        "from kloe_nb.batch.kernel import REPORT_MODULES\n"
        "worker_preload.preload()\n"
        "missing = [name for name in REPORT_MODULES if name.partition(':')[0] not in sys.modules]\n"
        "print(missing, worker_preload._RENDERERS != [])\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[] True"


def test_a_kernel_to_be_removes_its_private_folder_if_its_worker_goes_before_starting_it(tmp_path):
    """``kloe run`` killed at start-up can take a worker between making its kernel's private folder and
    starting the kernel: the forked child, told the folder at once, removes it when its pipe closes
    (as the worker's death closes it), and removes nothing not named as the workbook names them."""
    from kloe_nb.batch.forked_kernel import Preforked
    from kloe_nb.batch.kernel_launcher import PRIVATE_FOLDER_PREFIX

    ours = tmp_path / f"{PRIVATE_FOLDER_PREFIX}test"
    theirs = tmp_path / "someone-elses"
    for folder in (ours, theirs):
        folder.mkdir()
        (folder / "kernel.json").write_text("{}")
        child = Preforked()
        child.own(str(folder))
        child.drop()  # closes the pipe without orders, then waits for the child to exit
        assert child.returncode == 0
    assert not ours.exists()
    assert (theirs / "kernel.json").exists()
