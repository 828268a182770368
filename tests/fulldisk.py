"""A small folder that fills up, for testing what a command does when the disk is full.

Root mounts a real tmpfs of ``size`` bytes (writes past it fail with ENOSPC, exactly as on a full
disk); anyone else gets an ordinary folder and a ``resource.RLIMIT_FSIZE`` of ``size`` bytes for
the subprocess (with SIGXFSZ ignored, a write past it fails with EFBIG). Either way the command
must run in a subprocess started with ``disk.run(...)``::

    with full_folder(tmp_path) as disk:
        done = disk.run([sys.executable, "-m", "kloe_nb.cli.main", "template", ..., "-o", str(disk.folder / "t.xlsx")])
        assert "Traceback" not in done.stderr and not list(disk.folder.iterdir())
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KINDS = ("tmpfs", "fsize") if os.geteuid() == 0 else ("fsize",)
"""The ways this machine can fill a folder: a real tmpfs needs root; a file size limit works for anyone."""


@dataclass
class FullDisk:
    folder: Path
    size: int
    kind: str

    def _limit(self) -> None:  # runs in the child, before exec
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (self.size, self.size))

    def run(self, command: Sequence[str], timeout: float = 120, **options: Any) -> subprocess.CompletedProcess[str]:
        """Run ``command`` so that writing into ``folder`` runs out of room after ``size`` bytes."""
        limit = self._limit if self.kind == "fsize" else None
        return subprocess.run(list(command), capture_output=True, text=True, timeout=timeout, preexec_fn=limit, **options)  # noqa: PLW1509 - the limit must be set in the child


@contextmanager
def full_folder(parent: Path, size: int = 64 * 1024, kind: str = KINDS[0]) -> Iterator[FullDisk]:
    """A folder under ``parent`` holding at most ``size`` bytes (see the module docstring); unmounted afterwards."""
    folder = parent / "full"
    folder.mkdir()
    if kind == "fsize":
        yield FullDisk(folder, size, kind)
        return
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], check=True, capture_output=True, timeout=30)
    try:
        yield FullDisk(folder, size, kind)
    finally:
        subprocess.run(["umount", str(folder)], check=True, capture_output=True, timeout=30)
