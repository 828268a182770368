"""Keeping a store file safe: spotting network file systems, damaged files and keeping a backup.

SQLite's WAL mode needs every reader and writer on one machine, and file locking on network
shares is unreliable; a store on such a share uses the rollback journal and says so. A file
that is not a healthy SQLite database is moved aside (never deleted, never replaced by an
empty store) and the last good backup is offered.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from kloe_nb.errors import CorruptStoreError

NETWORK_FILE_SYSTEMS = {"nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "9p", "afs", "ceph", "glusterfs", "sshfs", "fuse.sshfs", "davfs", "fuse.davfs2", "lustre", "gpfs"}
BACKUP_EVERY_SECONDS = 600
SQLITE_HEADER = b"SQLite format 3\x00"


def file_system_type(path: Path, mounts_text: str | None = None) -> str:
    """The type of the file system holding ``path`` (from /proc/mounts; '' where unknown)."""
    if mounts_text is None:
        try:
            mounts_text = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
    target = str(path.resolve())
    best, best_type = "", ""
    for line in mounts_text.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        mount_point = parts[1].replace("\\040", " ")
        inside = target == mount_point or target.startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) > len(best):
            best, best_type = mount_point, parts[2]
    return best_type


def on_network_file_system(path: Path, mounts_text: str | None = None) -> bool:
    """True when the folder holding the store is on a network share."""
    return file_system_type(path.parent, mounts_text) in NETWORK_FILE_SYSTEMS


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def looks_like_sqlite(path: Path) -> bool:
    """False for a file that is plainly not a SQLite database (text, truncated header)."""
    size = path.stat().st_size
    if size == 0:
        return True
    with path.open("rb") as stream:
        return stream.read(len(SQLITE_HEADER)) == SQLITE_HEADER and size >= 512


def set_aside(path: Path, reason: str) -> CorruptStoreError:
    """Move a damaged store (and its WAL files) aside and describe what to do next."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    moved = path.with_name(f"{path.name}.corrupt-{stamp}")
    os.replace(path, moved)
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            os.replace(companion, moved.with_name(moved.name + suffix))
    backup = backup_path(path)
    if backup.exists():
        when = datetime.fromtimestamp(backup.stat().st_mtime, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        offer = f"The last good backup ({when}) is {backup}: copy it to {path} to carry on from it."
    else:
        offer = "There is no backup of it; re-import the assessments from their exported files."
    return CorruptStoreError(
        f"the store {path} is damaged ({reason}). It was moved aside to {moved} and nothing was deleted. {offer}"
    )


def refresh_backup(connection: sqlite3.Connection, path: Path, every_seconds: int = BACKUP_EVERY_SECONDS) -> None:
    """Copy a healthy store to ``<path>.bak`` when the backup is missing or older than ``every_seconds``."""
    backup = backup_path(path)
    if backup.exists() and datetime.now().timestamp() - backup.stat().st_mtime < every_seconds:
        return
    temporary = backup.with_name(backup.name + ".tmp")
    target = sqlite3.connect(temporary)
    try:
        connection.backup(target)
    finally:
        target.close()
    os.replace(temporary, backup)


def restore_backup(path: Path) -> Path:
    """Put the backup back in place of a store that was set aside; returns the store path."""
    path = Path(path)
    backup = backup_path(path)
    if path.exists():
        raise CorruptStoreError(f"{path} exists; move it away before restoring the backup {backup}")
    if not backup.exists():
        raise CorruptStoreError(f"there is no backup {backup} to restore")
    shutil.copy2(backup, path)
    return path
