"""Is the database on a network filesystem or in a cloud-sync folder?

SQLite needs working file locks and, in WAL mode, shared memory between the processes
that open a database; network filesystems (NFS, SMB/CIFS, sshfs and other FUSE mounts)
implement locks poorly or not at all, and WAL does not work across machines (SQLite's
"How To Corrupt An SQLite Database File", §2). Sync tools (Dropbox, OneDrive, Google
Drive, iCloud) upload the database and its ``-wal`` separately, at moments of their
choosing, and may restore an older copy over a newer one. Either can cost annotations,
so the app warns; it does not refuse, since some users have no other disk.

Linux: the filesystem type comes from ``/proc/mounts`` (the mount with the longest
mount point above the database). Windows: UNC paths and mapped network drives. Sync
folders are recognised by name on every system. Qt-free.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path, PurePath

NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "sshfs", "afs", "ncpfs",
        "9p", "ceph", "glusterfs", "lustre", "gpfs", "davfs", "coda", "ocfs2", "gfs2",
    }
)  # fmt: skip
# FUSE filesystems are mostly remote (sshfs, rclone, s3fs, GNOME's gvfsd-fuse for SMB and
# Google Drive); these few are local and common enough to spare their users a warning.
LOCAL_FUSE = frozenset({"fuse.portal", "fuse.lxcfs", "fuse.gocryptfs", "fuse.encfs", "fuse.cryfs"})

# Folder names the sync clients create (case-insensitive); a prefix ends with "*".
SYNC_FOLDERS: dict[str, str] = {
    "dropbox*": "Dropbox",
    "onedrive*": "OneDrive",
    "google drive": "Google Drive",
    "googledrive*": "Google Drive",
    "icloud drive": "iCloud Drive",
    "iclouddrive": "iCloud Drive",
    "mobile documents": "iCloud Drive",  # ~/Library/Mobile Documents on macOS
    "cloudstorage": "a cloud storage provider",  # ~/Library/CloudStorage on macOS
    "box sync": "Box",
    "nextcloud": "Nextcloud",
    "owncloud": "ownCloud",
    "pclouddrive": "pCloud",
}


@dataclass(frozen=True, slots=True)
class StorageRisk:
    kind: str  # "network" | "sync"
    detail: str  # the filesystem type ("nfs4") or the sync service ("Dropbox")
    message: str  # for the banner


def storage_risk(
    path: str | Path, *, mounts_file: str | Path = "/proc/mounts", platform: str = sys.platform
) -> StorageRisk | None:
    """The risk of keeping the database at ``path`` there, or None for a local disk."""
    where = _existing(Path(path))
    service = sync_service(where)
    if service is not None:
        return StorageRisk(
            "sync",
            service,
            f"This database is in a {service} folder ({where}). Sync services copy a "
            "database and its journal separately while it is being written, which can "
            "damage it or bring back an older copy. Keep it on a local disk outside "
            "synced folders; backups may go there.",
        )
    windows = platform == "win32"
    fstype = _windows_network(str(path)) if windows else _network_fs(where, mounts_file)
    if fstype is not None:
        return StorageRisk(
            "network",
            fstype,
            f"This database is on a network drive ({fstype}). SQLite's locks do not "
            "work reliably over a network, so a dropped connection or a second computer "
            "writing at the same time can damage it. Keep it on a local disk, and "
            "share annotations by export.",
        )
    return None


def sync_service(path: PurePath) -> str | None:
    """The sync service whose folder holds the file ``path``, by the folder names the
    services create (the file's own name is not looked at)."""
    for part in path.parent.parts:
        name = part.casefold()
        for pattern, service in SYNC_FOLDERS.items():
            if pattern.endswith("*") and name.startswith(pattern[:-1]):
                return service
            if name == pattern:
                return service
    return None


def mount_type(path: Path, mounts_file: str | Path = "/proc/mounts") -> str | None:
    """The filesystem type of the mount holding ``path`` (Linux), or None if unknown."""
    try:
        lines = Path(mounts_file).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    best: tuple[int, str] | None = None
    target = str(path)
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        point, fstype = _unescape(fields[1]), fields[2]
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        # later lines win ties: a mount stacked on the same point hides the earlier one
        if inside and (best is None or len(point) >= best[0]):
            best = (len(point), fstype)
    return best[1] if best else None


def _network_fs(path: Path, mounts_file: str | Path) -> str | None:
    fstype = mount_type(path, mounts_file)
    if fstype is None:
        return None
    if fstype in NETWORK_FILESYSTEMS or (fstype.startswith("fuse.") and fstype not in LOCAL_FUSE):
        return fstype
    return None


def _windows_network(text: str) -> str | None:
    if text.startswith(("\\\\", "//")):
        return "network share"
    try:
        import ctypes

        drive = os.path.splitdrive(text)[0] + "\\"
        if ctypes.windll.kernel32.GetDriveTypeW(drive) == 4:  # type: ignore[attr-defined]
            return "network drive"  # DRIVE_REMOTE: a mapped network drive
    except (AttributeError, OSError):
        pass
    return None


def _existing(path: Path) -> Path:
    """The resolved path, or that of its closest existing parent (a database to create)."""
    path = Path(os.path.abspath(path))
    probe = path
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    return probe.resolve() / path.relative_to(probe)


def _unescape(field: str) -> str:
    # /proc/mounts writes space, tab, newline and backslash as octal escapes
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field
