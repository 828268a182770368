"""Writing files so that nothing half-written is ever visible under the real name.

Every output (reports, handbooks, exports, notebooks) is written to a hidden temporary file
in the same folder and renamed into place only once complete; a crash leaves the old file.

What a user names as an output is written *into*, never replaced by something else: ``-``
is standard output; a stream or character device (``/dev/stdout``, ``/dev/null``, a pipe, a
terminal) is written into as it is; a symbolic link to a regular file is followed and that
file replaced; a folder, a block device or anything else is refused. (Before, ``-o /dev/null``
run as root turned the device into a regular file.)
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kloe_nb.errors import KloeError

STANDARD_OUTPUT = "-"
"""The output name that means standard output (``kloe export ... -o -``)."""

_STREAM_ROOTS = (Path("/dev"), Path("/proc"))


class OutputError(KloeError):
    """An output name that cannot be written as a file (a folder, a device that is not a stream...)."""


def is_stream(path: Path | str) -> bool:
    """True when ``path`` is written into as a stream (standard output, a pipe, a terminal, ``/dev/null``)."""
    return _kind(Path(path)) == "stream"


def _kind(path: Path) -> str:
    """ "stream", "file" (replace it, or create it) or "refuse"."""
    if str(path) == STANDARD_OUTPUT:
        return "stream"
    try:
        mode = path.stat().st_mode  # follows links: what the name leads to
    except FileNotFoundError:
        return "file"
    except OSError:
        return "refuse"
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return "stream"
    if stat.S_ISREG(mode):
        # /dev/stdout -> /proc/self/fd/1 -> a regular file the shell opened: write into it, as the shell expects
        return "stream" if any(path.resolve().is_relative_to(root) for root in _STREAM_ROOTS) else "file"
    return "refuse"


def _refusal(path: Path) -> OutputError:
    what = "a folder" if path.is_dir() else "neither a regular file nor a stream (a socket or a block device?)"
    return OutputError(f"{path}: is {what}; give the name of a file to write (or - for standard output)")


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path to write; once the block succeeds it becomes ``path`` (see the module docstring).

    A regular file is replaced by renaming (a link to one is followed, so the link stays);
    a stream gets the bytes copied into it. An error or a crash while writing leaves the
    previous file untouched and no half-written file under the real name.
    """
    path = Path(path)
    kind = _kind(path)
    if kind == "refuse":
        raise _refusal(path)
    if kind == "stream":
        with tempfile.TemporaryDirectory(prefix="kloe-output-") as folder:
            temporary = Path(folder) / (path.name if str(path) != STANDARD_OUTPUT else "output")
            yield temporary
            _copy_into_stream(temporary, path)
        return
    target = path.resolve() if path.is_symlink() else path
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    try:
        # mkstemp makes the file private (0600); give it the old file's mode, or an ordinary one.
        os.chmod(temporary_name, stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o644)
        yield Path(temporary_name)
        os.replace(temporary_name, target)
    except BaseException:
        try:
            os.unlink(temporary_name)
        except OSError:
            pass
        raise


def _copy_into_stream(source: Path, path: Path) -> None:
    if str(path) == STANDARD_OUTPUT:
        sys.stdout.flush()
        sys.stdout.buffer.write(source.read_bytes())
        sys.stdout.buffer.flush()
        return
    with open(path, "wb") as stream, open(source, "rb") as data:
        while chunk := data.read(1 << 20):
            stream.write(chunk)


def write_text_atomically(path: Path | str, text: str) -> None:
    """Write UTF-8 text (LF line ends) to ``path`` through ``replacing``."""
    with replacing(Path(path)) as temporary:
        temporary.write_text(text, encoding="utf-8", newline="\n")
