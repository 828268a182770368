"""Keeping a store file safe: spotting network file systems, damaged files and keeping a backup.

SQLite's WAL mode needs every reader and writer on one machine, and file locking on network
shares is unreliable; a store on such a share uses the rollback journal and says so. A file
that is not a healthy SQLite database is moved aside (never deleted, never replaced by an
empty store) and the last good backup is offered.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import time
from datetime import datetime, timezone
from pathlib import Path

from kloe_nb.errors import CorruptStoreError

#: File system types (as /proc/mounts names them) where several machines share the files.
NETWORK_FILE_SYSTEMS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb",
        "smb2",
        "smb3",
        "smbfs",
        "ncpfs",
        "9p",
        "afs",
        "coda",
        "ceph",
        "glusterfs",
        "lustre",
        "gpfs",
        "beegfs",
        "orangefs",
        "davfs",
        "sshfs",
        "fuse",
    }
)
#: FUSE file systems known to be local to the machine; every other ``fuse.*`` (sshfs, rclone,
#: s3fs, gvfsd-fuse...) is treated as a network share.
LOCAL_FUSE = frozenset({"fuseblk", "fuse.fuse-overlayfs", "fuse.lxcfs", "fuse.portal", "fuse.squashfuse"})
MOUNTS_FILE = Path("/proc/mounts")
BACKUP_EVERY_SECONDS = 600
SQLITE_HEADER = b"SQLite format 3\x00"
COMPANIONS = ("-wal", "-shm", "-journal")


def _unescape(field: str) -> str:
    """/proc/mounts writes space, tab, newline and backslash as octal escapes (``\\040``)."""
    return re.sub(r"\\([0-7]{3})", lambda match: chr(int(match.group(1), 8)), field)


def file_system_type(path: Path, mounts_text: str | None = None) -> str:
    """The type of the file system holding ``path`` (longest matching mount point; '' where unknown)."""
    if mounts_text is None:
        try:
            mounts_text = MOUNTS_FILE.read_text(encoding="utf-8", errors="replace")
        except OSError:  # not Linux: nothing to go on
            return ""
    target = os.path.realpath(path)
    best, best_type = "", ""
    for line in mounts_text.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        mount_point = _unescape(parts[1])
        inside = target == mount_point or target.startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) >= len(best):  # later lines win: they mount over earlier ones
            best, best_type = mount_point, parts[2]
    return best_type


def is_network_type(fs_type: str) -> bool:
    return fs_type in NETWORK_FILE_SYSTEMS or (fs_type.startswith("fuse.") and fs_type not in LOCAL_FUSE)


def on_network_file_system(path: Path, mounts_text: str | None = None) -> bool:
    """True when the folder holding the store is on a network share (nfs, cifs/smb, sshfs, fuse...)."""
    return is_network_type(file_system_type(Path(path).parent, mounts_text))


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def header_problem(path: Path) -> str | None:
    """Why ``path`` is plainly not a whole SQLite database (text, truncated), or None if it may be one."""
    size = path.stat().st_size
    if size == 0:
        if backup_path(path).exists():
            return "it is empty (0 bytes) although it held assessments before: it was truncated"
        return None  # created but never written: an empty store
    with path.open("rb") as stream:
        header = stream.read(100)
    if not header.startswith(SQLITE_HEADER):
        return "it is not a SQLite database"
    if len(header) < 100:
        return f"it is truncated ({size} bytes)"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size and size % page_size:
        return f"it is truncated ({size:,} bytes is not a whole number of {page_size}-byte pages)"
    return None


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def set_aside(path: Path, reason: str) -> CorruptStoreError:
    """Move a damaged store (and its journal files) aside and describe what to do next."""
    moved = path.with_name(f"{path.name}.corrupt-{_stamp()}")
    while moved.exists():  # two in one second
        moved = moved.with_name(moved.name + "x")
    try:
        os.replace(path, moved)
        for suffix in COMPANIONS:
            companion = path.with_name(path.name + suffix)
            if companion.exists():
                os.replace(companion, moved.with_name(moved.name + suffix))
        where = f"It was moved aside to {moved} and nothing was deleted."
    except OSError as error:
        where = f"It could not be moved aside ({error}); move it away yourself (do not delete it)."
    return CorruptStoreError(f"the store {path} is damaged ({reason}). {where} {backup_offer(path)}")


def backup_offer(path: Path) -> str:
    backup = backup_path(path)
    if backup.exists():
        when = datetime.fromtimestamp(backup.stat().st_mtime, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        return (
            f"The last good backup ({when}) is {backup}: restore it with "
            f"kloe_nb.store.restore_backup({str(path)!r}) (or copy it to {path}) to carry on from it; "
            "saves made after it was taken must be made again."
        )
    return "There is no backup of it; re-import the assessments from their exported files."


def set_aside_orphans(path: Path) -> list[Path]:
    """Journal files left without their database would be applied to a new one: move them aside."""
    moved = []
    for suffix in COMPANIONS:
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            target = companion.with_name(f"{companion.name}.orphan-{_stamp()}")
            os.replace(companion, target)
            moved.append(target)
    return moved


def refresh_backup(connection: sqlite3.Connection, path: Path, every_seconds: float = BACKUP_EVERY_SECONDS) -> bool:
    """Copy a healthy store to ``<path>.bak`` when the backup is missing or older than ``every_seconds``.

    Uses SQLite's backup API (a consistent snapshot even while others save), into a temporary
    file renamed into place, so a half-written backup never replaces a good one. True if copied.
    """
    backup = backup_path(path)
    if backup.exists() and time.time() - backup.stat().st_mtime < every_seconds:
        return False
    temporary = backup.with_name(f"{backup.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    try:
        target = sqlite3.connect(temporary)
        try:
            connection.backup(target)
        finally:
            target.close()
        os.replace(temporary, backup)
    finally:
        temporary.unlink(missing_ok=True)
    return True


def restore_backup(path: str | Path) -> Path:
    """Put the backup ``<path>.bak`` back in place of a store that was set aside; returns the store path.

    Refuses while ``path`` exists (move it aside first: nothing is overwritten). Journal files
    left at ``path`` are moved aside so they are not applied to the restored copy.
    """
    path = Path(path)
    backup = backup_path(path)
    if path.exists():
        raise CorruptStoreError(f"{path} exists; move it away before restoring the backup {backup} (nothing was changed)")
    if not backup.exists():
        raise CorruptStoreError(f"there is no backup {backup} to restore")
    set_aside_orphans(path)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.restoring")
    shutil.copy2(backup, temporary)
    os.replace(temporary, path)
    return path
