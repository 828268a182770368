"""A process of the batch dies with the process that started it, even when that one is killed.

``kloe run`` killed with SIGKILL (or out of memory) gets no chance to stop its workers, and a
worker killed that way none to stop its kernel; left alone, they would run on (and a worker
waits for its next council forever). So:

- a worker watches the pipe multiprocessing gives it from the batch (``die_with_sentinel``),
  which reads as closed the moment the batch dies, and exits then: the worker's own parent is
  the fork server (``worker_preload.py``), which outlives the batch as long as any worker
  lives. It also asks Linux to SIGKILL it when that parent dies (``prctl(PR_SET_PDEATHSIG)``,
  set in the worker itself, then checks it still has that parent, in case it died before;
  elsewhere, a thread notices within a fraction of a second);
- a kernel runs a thread that notices its worker has gone (its parent process changes) and
  then removes the kernel's private folder (connection file, sockets) and SIGKILLs the kernel's
  process group, which holds whatever the notebook started too (``kernel_launcher.py``).

A parent-death signal fires when the *thread* that started the process ends, not the whole
process: workers are started from the batch's main thread, which lives as long as the batch.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time
from collections.abc import Callable

PR_SET_PDEATHSIG = 1  # linux/prctl.h
POLL_SECONDS = 0.2


def _parent_death_signal(signum: int) -> bool:
    """Ask Linux to send ``signum`` when the parent dies; False where there is no such thing."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return bool(libc.prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def watch_parent(parent_pid: int, on_death: Callable[[], None]) -> threading.Thread:
    """A daemon thread calling ``on_death()`` as soon as this process's parent is no longer ``parent_pid``."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(POLL_SECONDS)
        on_death()

    thread = threading.Thread(target=watch, name="kloe-parent-watch", daemon=True)
    thread.start()
    return thread


def die_with_parent(parent_pid: int) -> None:
    """Be SIGKILLed when the parent ``parent_pid`` dies (see the module docstring); exit now if it already has."""
    if not _parent_death_signal(signal.SIGKILL):
        watch_parent(parent_pid, lambda: os._exit(1))
    if os.getppid() != parent_pid:
        os._exit(1)


def die_with_sentinel(sentinel: int, on_death: Callable[[], None] | None = None) -> threading.Thread:
    """A daemon thread ending this process as soon as ``sentinel`` (a pipe its starter holds open) is readable.

    A worker made by multiprocessing's fork server is the server's child, not the batch's, so a
    parent-death signal would wait for the server; multiprocessing hands every process such a
    pipe from the process that asked for it (``parent_process().sentinel``), which reads as
    closed the moment that one dies. ``on_death`` runs first (best effort: the worker removes
    its kernel's private folder, in case the kernel never got as far as watching the worker).
    """
    from multiprocessing.connection import wait

    def watch() -> None:
        wait([sentinel])
        try:
            if on_death is not None:
                on_death()
        finally:
            os._exit(1)

    thread = threading.Thread(target=watch, name="kloe-starter-watch", daemon=True)
    thread.start()
    return thread


def leads_own_group(pid: int | None) -> bool:
    """Whether the process leads its own process group (jupyter_client starts kernels so)."""
    try:
        return pid is not None and pid > 0 and hasattr(os, "getpgid") and os.getpgid(pid) == pid
    except (ProcessLookupError, PermissionError):
        return False


def kill_with_group(pid: int | None) -> None:
    """SIGKILL a kernel and, when it leads its own process group, everything in that group."""
    if not pid:
        return
    try:
        if leads_own_group(pid):
            os.killpg(pid, signal.SIGKILL)
        else:
            os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def kill_group(group: int) -> None:
    """SIGKILL every process left in a process group (a kernel's, after the kernel itself died)."""
    try:
        os.killpg(group, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
