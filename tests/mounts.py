"""Real read-only folders for tests: a read-only bind mount as root, folder permissions otherwise.

Root ignores permissions, so as root the folder is shown through a read-only bind mount (what a
store on a read-only share looks like); as anyone else, write permission is taken away.
"""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterator
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
