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

import errno
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


#: What went wrong and what to do, for the errors a full, read-only or strict file system gives.
_PLAIN = {
    errno.ENOSPC: ("the disk is full", "free some space and run again"),
    errno.EDQUOT: ("the disk quota is used up", "free some space and run again"),
    errno.EFBIG: ("the file would be larger than this system allows", "write it somewhere else"),
    errno.EROFS: ("the file system is read-only", "choose a folder that can be written"),
    errno.EACCES: ("permission denied", "choose a folder you can write to, or ask for access"),
    errno.EPERM: ("the operation is not permitted", "choose a folder you can write to, or ask for access"),
    errno.ENAMETOOLONG: ("the name is longer than the file system allows", "choose a shorter name"),
    errno.ENOTDIR: ("a part of the path is a file, not a folder", "check the path"),
    errno.EIO: ("a disk or network error", "check the disk or the share, then run again"),
}
#: The errors that are about the place being written, whatever file the system names in them.
_WRITE_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.ENAMETOOLONG, errno.EIO})


def os_error_text(error: OSError) -> str:
    """An error from the operating system in plain words: the file, what went wrong, what to do."""
    what, advice = _PLAIN.get(error.errno or 0, (error.strerror or str(error), ""))
    name = f"{error.filename}: " if error.filename else ""
    return f"{name}{what}" + (f"; {advice}" if advice else "")


def _not_written(path: Path, error: OSError) -> OutputError:
    what, advice = _PLAIN.get(error.errno or 0, (error.strerror or str(error), "check the path and run again"))
    return OutputError(f"{path} was not written: {what}. Nothing was replaced: {advice}")


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
    except OSError as error:
        if error.errno in _PLAIN:
            raise _not_written(path, error) from None
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


def _temporary_prefix(name: str) -> str:
    """``.NAME.``, shortened where the temporary name would pass the 255-byte limit the real name keeps to."""
    room = 255 - len(".") - len(".") - 8 - len(".tmp")  # mkstemp adds eight characters, then the suffix
    encoded = os.fsencode(name)
    if len(encoded) <= room:
        return f".{name}."
    return "." + encoded[:room].decode("utf-8", "ignore") + "."  # (a character cut in two is left out)


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
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary_name = tempfile.mkstemp(prefix=_temporary_prefix(target.name), suffix=".tmp", dir=target.parent)
    except OSError as error:
        raise _not_written(path, error) from None
    os.close(handle)
    try:
        # mkstemp makes the file private (0600); give it the old file's mode, or an ordinary one.
        os.chmod(temporary_name, stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o644)
        yield Path(temporary_name)
        os.replace(temporary_name, target)
    except BaseException as error:
        try:
            os.unlink(temporary_name)
        except OSError:
            pass
        if isinstance(error, OSError) and (error.errno in _WRITE_ERRORS or error.filename in (temporary_name, str(target))):
            raise _not_written(path, error) from None
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
