"""Worker processes, each keeping one kernel, fed councils one at a time by the batch.

Each worker is a separate process, forked from multiprocessing's fork server (which has imported
papermill, nbconvert and the page templates once for every worker: ``worker_preload.py``;
``spawn`` where there is no fork server), given the run's environment as its own. It starts
one kernel, imports the package in it once, then runs the councils it is sent
(``execute.run_council``), replacing its kernel whenever one dies or hangs. The parent sends
each worker one council at a time, so it always knows which council a worker is on:

- a council that fails in a worker (a cell raised, the kernel died, the per-council timeout)
  comes back as a failed result, and the worker goes on with a new kernel;
- a worker that itself dies (killed, out of memory) fails the council it was on, with the
  reason, and a new worker takes its place;
- a worker silent for ``timeout + GRACE`` seconds is killed with its kernel, the same way.

Results arrive in completion order; ``Pool.run`` yields them as they come, for the progress bar.

Start-up. ``Pool.start`` can be called before the councils are known (``runner.py`` starts the
first worker before it reads anything, and the others once it knows how many councils there
are), so kernels boot while the framework, the councils CSV and the store are read. A worker
starts its kernel first: forked from the worker, which has papermill, nbconvert, the page
templates, ipykernel and the report package from the fork server, so both are ready within a
fraction of a second (``worker_preload.py``, ``forked_kernel.py``; where processes cannot fork, the
kernel is launched and boots while the worker imports its own); then the worker freezes what it
has out of the garbage collector's sight (``gc.freeze``: less work at every collection). A
worker is started without the parent's ``__main__`` (multiprocessing would otherwise import the
whole command line in it again). Workers not needed after all, or still
starting when the pool closes, are stopped with SIGTERM rather than waited for.

Stopping. Ctrl-C (SIGINT) and SIGTERM only set a flag here (no exception can land between a
worker writing a report and the parent counting it): the parent then sends no more councils,
sends SIGTERM to every worker and collects every result still coming. A worker between
councils exits; one in the middle of a council kills its kernel (with what its notebook
started), reports the council as not run (writing nothing), and exits; one already writing a
council's report finishes it and reports it, so every report on disk is counted. A worker not
gone within ``STOP_GRACE`` seconds, or a second Ctrl-C, is killed with its kernel. A worker
dies with the parent if the parent is killed outright (``lifeline.py``).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
import types
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kloe_nb.batch import FAILED, skip_slow_optional_imports
from kloe_nb.batch.council import CouncilResult, CouncilTask
from kloe_nb.batch.lifeline import die_with_parent, die_with_sentinel, kill_with_group

GRACE = 20.0  # seconds past the per-council timeout before the parent kills a silent worker
START_TIMEOUT = 120.0  # seconds a new worker may take to start its kernel
STOP_GRACE = 15.0  # seconds stopping workers get to report and exit after Ctrl-C or SIGTERM
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@dataclass(frozen=True)
class WorkerConfig:
    """What every worker needs to know: the per-council timeout and where its kernel runs."""

    timeout: float
    kernel_cwd: Path


def worker_main(worker_id: int, config: WorkerConfig, tasks: Any, results: Any, environ: dict[str, str]) -> None:
    """A worker's life: start a kernel, run councils until told to stop, stop the kernel."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the workers
    preforked = _prefork()  # first, while this process has no thread, loop or socket (``forked_kernel.py``)
    skip_slow_optional_imports()
    from kloe_nb.batch import worker_preload

    worker_preload.apply_environment(environ)
    from kloe_nb.batch.kernel import KernelSession

    session = KernelSession(config.kernel_cwd)
    parent = multiprocessing.parent_process()
    if parent is not None and parent.sentinel is not None:  # the batch, which may not be this process's parent (``lifeline.py``)
        die_with_sentinel(parent.sentinel, session.remove_private_folder)
    die_with_parent(os.getppid())
    busy = threading.Event()  # set from taking a council until its result is sent

    def stop(signum: int, frame: Any) -> None:
        if not busy.is_set():
            raise SystemExit(0)
        session.abandon()  # the council under way is cut short (or, if writing, finishes) and reported

    signal.signal(signal.SIGTERM, stop)
    try:
        try:
            session.launch(preforked)  # forked: ready at once; launched (no fork): boots while this worker imports
            from kloe_nb.batch.council import run_council
            from kloe_nb.batch.job import execute_job  # noqa: F401 - papermill, imported now rather than at the first council

            renderer = worker_preload.renderer()
            gc.collect()
            gc.freeze()
            session.wait_ready()
        except Exception as error:  # noqa: BLE001 - reported to the parent, which fails the councils left
            results.put(("fatal", worker_id, f"could not start a Python kernel: {type(error).__name__}: {error}"))
            return
        results.put(("ready", worker_id, session.pid))
        while not session.abandoned:
            task = tasks.get()
            if task is None:
                break
            busy.set()
            result = run_council(session, renderer, task, config.timeout)
            results.put(("done", worker_id, result, session.pid))
            busy.clear()
    finally:
        session.shutdown()
        if preforked is not None:
            preforked.drop()


def _prefork() -> Any:
    """A child forked now to become this worker's first kernel; None where processes cannot fork."""
    if not hasattr(os, "fork"):
        return None
    from kloe_nb.batch.forked_kernel import Preforked

    return Preforked()


PRELOAD = "kloe_nb.batch.worker_preload"


def worker_context() -> Any:
    """multiprocessing's fork server, preloading what workers need (``worker_preload.py``); ``spawn`` where there is none."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([PRELOAD])
    return context


@contextmanager
def _without_main_module() -> Iterator[None]:
    """While a worker is started: no ``__main__`` for ``spawn`` to import again in it (see the module docstring)."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


@dataclass
class _Worker:
    id: int
    process: Any
    tasks: Any
    current: CouncilTask | None = None
    since: float = field(default_factory=time.monotonic)
    kernel_pid: int | None = None
    ready: bool = False


class Pool:
    """The parent's side of the workers (see the module docstring)."""

    def __init__(self, config: WorkerConfig, jobs: int) -> None:
        self.config = config
        self.jobs = max(1, jobs)
        self.context = worker_context()
        self.results = self.context.Queue()
        self.workers: dict[int, _Worker] = {}
        self.next_id = 0
        self.fatal: str | None = None
        self.respawns_left = 0
        self.finished: set[int] = set()
        self.interrupted = False  # Ctrl-C or SIGTERM: stop (see the module docstring)
        self._hurry = False  # a second one: stop now

    def start(self, workers: int) -> None:
        """Have ``workers`` workers (at most ``jobs``) starting or started, before or while ``run`` runs."""
        while len(self.workers) < min(self.jobs, workers):
            self._spawn()

    def _on_signal(self, signum: int, frame: Any) -> None:
        self._hurry = self.interrupted
        self.interrupted = True

    def _spawn(self) -> None:
        tasks = self.context.Queue()
        worker_id = self.next_id
        self.next_id += 1
        environ = dict(os.environ)  # the run's own, whatever the fork server started with (``worker_preload.py``)
        process = self.context.Process(
            target=worker_main, args=(worker_id, self.config, tasks, self.results, environ), name=f"kloe-worker-{worker_id}", daemon=True
        )
        with _without_main_module():
            process.start()
        self.workers[worker_id] = _Worker(worker_id, process, tasks)

    def _retire(self, worker: _Worker, kill: bool) -> None:
        if kill:
            kill_with_group(worker.kernel_pid)
            worker.process.kill()
        worker.process.join(timeout=5)
        self.workers.pop(worker.id, None)

    def run(self, tasks: list[CouncilTask]) -> Iterator[CouncilResult]:
        """Run every task; yield each result as it arrives. Yields exactly one result per task, unless interrupted."""
        pending = deque(tasks)
        self.respawns_left = len(tasks) + self.jobs
        handlers = {}
        if threading.current_thread() is threading.main_thread():  # signals reach only the main thread
            handlers = {signum: signal.signal(signum, self._on_signal) for signum in STOP_SIGNALS}
        try:
            self._trim(len(tasks))
            self.start(len(tasks))
            while (pending or any(worker.current for worker in self.workers.values())) and not self.interrupted:
                if not self.workers:  # every worker failed to start
                    reason = self.fatal or "no worker could be started"
                    while pending:
                        yield from self._failed(pending.popleft(), reason)
                    break
                yield from self._receive(pending)
                yield from self._watch(pending)
            if self.interrupted:
                yield from self._stop()
        finally:
            self.close()
            for signum, handler in handlers.items():
                signal.signal(signum, handler)

    def _trim(self, needed: int) -> None:
        """Stop the workers started early beyond the ones the tasks need."""
        for worker in list(self.workers.values())[max(needed, 0) :]:
            worker.process.terminate()
            self._retire(worker, kill=False)

    def _stop(self) -> Iterator[CouncilResult]:
        """Stop every worker and yield what they still report (see the module docstring)."""
        nothing_more: deque[CouncilTask] = deque()
        for worker in self.workers.values():
            worker.process.terminate()
        deadline = time.monotonic() + STOP_GRACE
        while self.workers and time.monotonic() < deadline and not self._hurry:
            yield from self._receive(nothing_more, wait=0.1)
            for worker in list(self.workers.values()):
                if not worker.process.is_alive():
                    yield from self._receive(nothing_more, wait=0)  # what it sent before exiting
                    self._retire(worker, kill=False)
        for worker in list(self.workers.values()):
            self._retire(worker, kill=True)

    def _dispatch(self, worker: _Worker, pending: deque[CouncilTask]) -> None:
        if pending:
            worker.current = pending.popleft()
            worker.since = time.monotonic()
            worker.tasks.put(worker.current)
        else:
            worker.current = None

    def _receive(self, pending: deque[CouncilTask], wait: float = 0.2) -> Iterator[CouncilResult]:
        """Handle every message waiting (waiting up to ``wait`` seconds for the first)."""
        while True:
            try:
                message = self.results.get(timeout=wait) if wait else self.results.get_nowait()
            except queue.Empty:
                return
            wait = 0
            for result in self._handle(message, pending):
                if result.index not in self.finished:
                    self.finished.add(result.index)
                    yield result

    def _failed(self, task: CouncilTask, reason: str) -> Iterator[CouncilResult]:
        if task.index not in self.finished:
            self.finished.add(task.index)
            yield CouncilResult(task.index, task.code, FAILED, reason)

    def _respawn(self, pending: deque[CouncilTask]) -> None:
        if pending and self.fatal is None and self.respawns_left > 0 and not self.interrupted:
            self.respawns_left -= 1
            self._spawn()

    def _handle(self, message: tuple[Any, ...], pending: deque[CouncilTask]) -> Iterator[CouncilResult]:
        kind, worker_id = message[0], message[1]
        worker = self.workers.get(worker_id)
        if worker is None:
            return
        if kind == "ready":
            worker.ready, worker.kernel_pid = True, message[2]
            self._dispatch(worker, pending)
        elif kind == "done":
            result, worker.kernel_pid = message[2], message[3]
            worker.current = None
            yield result
            self._dispatch(worker, pending)
        elif kind == "fatal":
            self.fatal = message[2]
            self._retire(worker, kill=False)

    def _watch(self, pending: deque[CouncilTask]) -> Iterator[CouncilResult]:
        now = time.monotonic()
        for worker in list(self.workers.values()):
            if not worker.process.is_alive():
                yield from self._receive(pending, wait=0)  # a result it sent just before dying counts
                task = worker.current
                self._retire(worker, kill=True)
                if task is not None:
                    code = worker.process.exitcode
                    how = f"killed by {signal.Signals(-code).name}" if code and code < 0 else f"exit status {code}"
                    yield from self._failed(task, f"the worker process running this council died ({how}); its kernel was stopped")
                self._respawn(pending)
            elif worker.current is not None and now - worker.since > self.config.timeout + GRACE:
                task = worker.current
                self._retire(worker, kill=True)
                yield from self._failed(task, f"timed out after {self.config.timeout:g} s (the worker and its kernel were stopped)")
                self._respawn(pending)
            elif not worker.ready and now - worker.since > START_TIMEOUT:
                self.fatal = f"a worker's kernel did not start within {START_TIMEOUT:g} s"
                self._retire(worker, kill=True)

    def close(self) -> None:
        """Stop every worker (and with it, its kernel): one still starting is told to stop, not waited for."""
        for worker in self.workers.values():
            if not worker.ready:
                worker.process.terminate()
                continue
            try:
                worker.tasks.put(None)
            except (OSError, ValueError):
                pass
        deadline = time.monotonic() + 10
        for worker in list(self.workers.values()):
            worker.process.join(timeout=max(0.1, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.terminate()
                worker.process.join(timeout=3)
            if worker.process.is_alive():
                kill_with_group(worker.kernel_pid)
                worker.process.kill()
        self.workers.clear()
