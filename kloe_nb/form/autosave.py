"""Running a save soon after a change, and never more than one interval late.

A leading-edge throttle on a daemon thread: the first change after a quiet spell is saved at
once; changes that arrive while a save ran recently are gathered and saved together when
the interval since that save has passed. So a click is in the store within milliseconds,
and a stream of keystrokes is saved once per interval, each keystroke at most one interval
late. A failed save is retried after ``retry`` seconds until it succeeds or the saver is
closed. A thread, not the kernel's event loop, because it behaves the same in a Jupyter
kernel, under Voilà and in a plain test process; ipykernel sends widget updates made from
any thread. No ipywidgets here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SaveTiming:
    """How eagerly changes are saved."""

    interval: float = 1.0
    """Longest a change waits to be saved while saves keep running (the 'at most one second late')."""
    retry: float = 1.0
    """Wait before trying again after a failed save (disk full, store busy)."""


SaveOnce = Callable[[], "float | None"]
"""Saves what is pending; returns None when done (or nothing to do), or seconds to wait before retrying."""


class Throttle:
    """Calls ``save_once`` on a background thread as changes are signalled with ``touch``."""

    def __init__(self, save_once: SaveOnce, timing: SaveTiming, name: str = "kloe-autosave") -> None:
        self._save_once = save_once
        self.timing = timing
        self._condition = threading.Condition()
        self._run_lock = threading.Lock()
        self._pending = False
        self._not_before = 0.0
        self._last_started = -float("inf")
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def touch(self, immediately: bool = False) -> None:
        """A change was made: save it now, or as soon as the interval since the last save allows.

        ``immediately`` skips the interval (an explicit action such as settling a conflict)."""
        with self._condition:
            self._pending = True
            if immediately:
                self._last_started = -float("inf")
                self._not_before = 0.0
            self._condition.notify()

    def _due(self) -> float:
        return max(self._not_before, self._last_started + self.timing.interval)

    def _loop(self) -> None:
        while True:
            with self._condition:
                while not self._closed and (not self._pending or time.monotonic() < self._due()):
                    timeout = None if not self._pending else max(0.0, self._due() - time.monotonic())
                    self._condition.wait(timeout)
                if self._closed:
                    return
                self._pending = False
            self._run()

    def _run(self) -> None:
        with self._run_lock:
            started = time.monotonic()
            try:
                retry = self._save_once()
            except Exception:  # noqa: BLE001 - save_once reports its own errors; never let the thread die
                retry = self.timing.retry
            with self._condition:
                self._last_started = started
                if retry is not None:
                    self._pending = True
                    self._not_before = time.monotonic() + retry
                    self._last_started = -float("inf") if retry == 0 else started
                self._condition.notify()

    def flush(self) -> None:
        """Save what is pending now, in the calling thread (tests, closing, kernel exit)."""
        with self._condition:
            self._pending = False
        self._run()

    def close(self, flush: bool = True) -> None:
        """Save what is pending (unless told not to) and stop the thread."""
        if flush:
            self.flush()
        with self._condition:
            self._closed = True
            self._condition.notify()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout=5)
