"""Real read-only folders and full disks for tests: mounts as root, permissions and limits otherwise.

Root ignores permissions, so as root the folder is shown through a read-only bind mount (what a
store on a read-only share looks like); as anyone else, write permission is taken away.
"""

from __future__ import annotations

import os
import resource
import signal
import stat
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def read_only_view(folder: Path) -> Iterator[Path]:
    """``folder`` as a place that cannot be written: yields the path to use."""
    if os.geteuid() != 0:
        mode = folder.stat().st_mode
        folder.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        try:
            yield folder
        finally:
            folder.chmod(mode)
        return
    view = folder.with_name(folder.name + "-read-only")
    view.mkdir()
    subprocess.run(["mount", "--bind", str(folder), str(view)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(view)], check=True)
        yield view
    finally:
        subprocess.run(["umount", str(view)], check=True)
        view.rmdir()


@contextmanager
def full_disk(folder: Path) -> Iterator[tuple[Path, Callable[[], None] | None]]:
    """A folder on a full file system, and what a child process must run first for it to be full.

    As root: a small tmpfs mounted at ``folder`` and filled up, so writes fail with "No space
    left on device" as on a real full disk. Otherwise: writes are capped by RLIMIT_FSIZE in the
    child (``preexec``), so they fail with "File too large" the same way, part-way through.
    """
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:

        def cap_file_size() -> None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (512, 512))

        yield folder, cap_file_size
        return
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(folder)], check=True)
    try:
        filler = os.open(folder / ".filler", os.O_WRONLY | os.O_CREAT)
        try:
            while os.write(filler, b"\0" * 4096):
                pass
        except OSError:
            pass  # full
        finally:
            os.close(filler)
        yield folder, None
    finally:
        subprocess.run(["umount", str(folder)], check=True)
