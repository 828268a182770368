"""Writing files so that nothing half-written is ever visible under the real name.

Every output (reports, handbooks, exports, notebooks) is written to a hidden temporary file
in the same folder and renamed into place only once complete; a crash leaves the old file.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``, renamed onto it only if the block succeeds.

    An error or a crash while writing leaves the previous file untouched and no
    half-written file under the real name.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        # mkstemp makes the file private (0600); give it the old file's mode, or an ordinary one.
        os.chmod(temporary, stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644)
        yield Path(temporary)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def write_text_atomically(path: Path | str, text: str) -> None:
    """Write UTF-8 text (LF line ends) to ``path`` through ``replacing``."""
    with replacing(Path(path)) as temporary:
        temporary.write_text(text, encoding="utf-8", newline="\n")
