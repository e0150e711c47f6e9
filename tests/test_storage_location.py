"""Databases on network drives and in sync folders are recognised (with a fake
/proc/mounts), and local disks are not."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from imr_desktop.core.storage_location import mount_type, storage_risk, sync_service

MOUNTS = """\
/dev/vda / ext4 rw,relatime 0 0
proc /proc proc rw 0 0
tmpfs /tmp tmpfs rw 0 0
server:/export/home /mnt/nfs nfs4 rw,vers=4.2 0 0
//nas/team /mnt/team\\040share cifs rw 0 0
me@host:/data /mnt/ssh fuse.sshfs rw 0 0
portal /run/user/1000/doc fuse.portal rw 0 0
/dev/vdb /mnt/nfs/local ext4 rw 0 0
"""


@pytest.fixture
def mounts(tmp_path: Path) -> Path:
    path = tmp_path / "mounts"
    path.write_text(MOUNTS, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("where", "fstype"),
    [
        ("/mnt/nfs/me/imr.sqlite", "nfs4"),
        ("/mnt/team share/imr.sqlite", "cifs"),  # \040 in /proc/mounts is a space
        ("/mnt/ssh/imr.sqlite", "fuse.sshfs"),
    ],
)
def test_network_filesystems_are_flagged(mounts: Path, where: str, fstype: str) -> None:
    risk = storage_risk(where, mounts_file=mounts, platform="linux")
    assert risk is not None and risk.kind == "network" and risk.detail == fstype
    assert "network drive" in risk.message and fstype in risk.message


@pytest.mark.parametrize(
    "where",
    [
        "/home/me/.local/share/imr-desktop/imr.sqlite",
        "/tmp/imr.sqlite",
        "/mnt/nfs/local/imr.sqlite",  # a local disk mounted inside the NFS mount
        "/run/user/1000/doc/imr.sqlite",  # the flatpak document portal is local
        "/mnt/nfsish/imr.sqlite",  # a prefix of a mount point is not inside it
    ],
)
def test_local_disks_are_not(mounts: Path, where: str) -> None:
    assert storage_risk(where, mounts_file=mounts, platform="linux") is None


def test_the_longest_mount_point_wins(mounts: Path) -> None:
    assert mount_type(Path("/mnt/nfs/local/x"), mounts) == "ext4"
    assert mount_type(Path("/mnt/nfs/x"), mounts) == "nfs4"
    assert mount_type(Path("/etc/x"), mounts) == "ext4"


def test_unreadable_mounts_file_means_unknown_not_a_warning(tmp_path: Path) -> None:
    assert storage_risk("/mnt/nfs/x.sqlite", mounts_file=tmp_path / "nope") is None


@pytest.mark.parametrize(
    ("where", "service"),
    [
        ("/home/me/Dropbox/work/imr.sqlite", "Dropbox"),
        ("/home/me/Dropbox (Acme)/imr.sqlite", "Dropbox"),
        ("/home/me/OneDrive - Acme Claims/imr.sqlite", "OneDrive"),
        ("/home/me/Google Drive/imr.sqlite", "Google Drive"),
        ("/Users/me/Library/Mobile Documents/com~apple~CloudDocs/imr.sqlite", "iCloud Drive"),
        (
            "/Users/me/Library/CloudStorage/GoogleDrive-me/My Drive/imr.sqlite",
            "a cloud storage provider",
        ),
        ("/home/me/Nextcloud/imr.sqlite", "Nextcloud"),
    ],
)
def test_sync_folders_are_flagged_on_any_disk(mounts: Path, where: str, service: str) -> None:
    risk = storage_risk(where, mounts_file=mounts, platform="linux")
    assert risk is not None and risk.kind == "sync" and risk.detail == service
    assert service in risk.message and "outside synced folders" in risk.message


def test_a_file_named_like_a_service_is_not_a_sync_folder() -> None:
    assert sync_service(PurePosixPath("/home/me/dropbox-notes.sqlite")) is None
    assert sync_service(PurePosixPath("/home/me/data/onedrive.sqlite")) is None


def test_a_database_not_created_yet_is_judged_by_its_folder(mounts: Path, tmp_path: Path) -> None:
    folder = tmp_path / "Dropbox" / "new" / "deeper"
    assert storage_risk(folder / "imr.sqlite", mounts_file=mounts).kind == "sync"  # type: ignore[union-attr]


def test_windows_unc_paths_are_network_shares() -> None:
    risk = storage_risk(r"\\nas\team\imr.sqlite", platform="win32")
    assert risk is not None and risk.kind == "network"
