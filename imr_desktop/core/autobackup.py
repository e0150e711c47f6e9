"""When IMR Desktop backs the database up by itself, and what it does with a damaged one.

The copies are made, checked and rotated by ``core/backup.py``; this module decides when:

- on open: when the database differs from its newest backup (the user's work changed:
  annotations, labels, documents added), or when the newest backup is older than
  ``open_interval`` (24 h), so an unchanged database still gets at most one a day;
- before a migration (``Store.open`` calls ``backup_before_migration``): always;
- periodically while the app runs (the GUI asks every ``periodic_interval``): only when
  the database differs from its newest backup.

"Differs" compares a fingerprint of the user's work (counts and newest ``updated_at`` of
annotations and labels, the document count, the schema version), not file times: opening
a letter touches the database without changing anyone's work.

Settings (``settings.backups`` on the ``ship`` branch: keep_recent/daily/weekly, folder)
are read defensively, so this works with and without them. Nothing here imports Qt.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from imr_desktop.core.backup import (
    BackupInfo,
    Retention,
    check_database,
    list_backups,
    make_backup,
    restore_backup,
    set_aside_damaged,
)

Fingerprint = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class BackupOptions:
    folder: Path | None = None  # None: backups/ beside the database
    retention: Retention = field(default_factory=Retention)
    open_interval: timedelta = timedelta(hours=24)
    periodic_interval: timedelta = timedelta(minutes=10)


def options_from(settings: object | None) -> BackupOptions:
    """Backup options from the user's settings, defaults for anything missing or odd."""
    backups = getattr(settings, "backups", None)
    if backups is None:
        return BackupOptions()
    folder = getattr(backups, "folder", "")
    try:
        retention = Retention(
            recent=int(getattr(backups, "keep_recent", 10)),
            daily=int(getattr(backups, "keep_daily", 7)),
            weekly=int(getattr(backups, "keep_weekly", 8)),
        )
    except (TypeError, ValueError):  # e.g. keep_recent 0: always keep the newest
        retention = Retention()
    return BackupOptions(
        folder=Path(folder).expanduser() if isinstance(folder, str) and folder else None,
        retention=retention,
    )


# --------------------------------------------------------------------------- when
def fingerprint(path: str | Path) -> Fingerprint | None:
    """What changes when the user's work changes; None when the file cannot be read."""
    try:
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            work = conn.execute(
                "SELECT (SELECT count(*) FROM annotations), "
                "(SELECT max(updated_at) FROM annotations), "
                "(SELECT count(*) FROM labels), (SELECT max(updated_at) FROM labels), "
                "(SELECT count(*) FROM documents)"
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return (version, *work)


def backup_due(
    db_path: str | Path,
    reason: str,
    options: BackupOptions | None = None,
    *,
    now: datetime | None = None,
) -> bool:
    """Whether an automatic backup (``reason`` "open" or "periodic") should be made now."""
    options = options or BackupOptions()
    newest = list_backups(db_path, folder=options.folder, check=False)
    if not newest:
        return True
    current = fingerprint(db_path)
    if current is None:
        return False  # nothing readable to back up; make_backup would say why
    if current != fingerprint(newest[0].path):
        return True
    age = (now or datetime.now(UTC)) - newest[0].time
    return reason == "open" and age >= options.open_interval


def backup_if_due(
    db_path: str | Path,
    reason: str,
    options: BackupOptions | None = None,
    *,
    now: datetime | None = None,
) -> Path | None:
    """Make the automatic backup ``backup_due`` asks for; the new path, or None."""
    options = options or BackupOptions()
    if not Path(db_path).is_file() or not backup_due(db_path, reason, options, now=now):
        return None
    return make_backup(db_path, reason, folder=options.folder, retention=options.retention, now=now)


def backup_before_migration(
    db_path: str | Path, version: int, options: BackupOptions | None = None
) -> Path:
    """The checked copy ``Store.open`` makes of a database before migrating it."""
    if options is None:
        from imr_desktop.core.settings import load_settings

        options = options_from(load_settings())
    return make_backup(
        db_path,
        f"before-upgrade-from-v{version}",
        folder=options.folder,
        retention=options.retention,
    )


# --------------------------------------------------------------------------- damage
@dataclass(frozen=True, slots=True)
class Damage:
    """A database that failed its check on start-up, and the backups that could replace
    it (checked, newest first)."""

    path: Path
    problem: str
    backups: list[BackupInfo]

    @property
    def newest_good(self) -> BackupInfo | None:
        return next((b for b in self.backups if b.ok), None)


# quick_check reads every page (about 0.7 s for 55 MB on a busy 2-core machine)
FULL_CHECK_BELOW = 32 * 1024 * 1024


def inspect_database(db_path: str | Path, options: BackupOptions | None = None) -> Damage | None:
    """None when the database is absent (it will be created) or sound, else the damage.

    SQLite's ``quick_check`` runs when the database is small or the last session did not
    close cleanly (a ``-wal`` with frames is still there: SQLite deletes it when the last
    writer closes). A large database that was closed cleanly is only opened and its
    schema read, so a start-up stays fast; damage found later, on a read, is reported by
    the store, and File › Restore from Backup is there for it.
    """
    db = Path(db_path)
    if not db.exists():
        return None
    wal = Path(f"{db}-wal")
    # read-only connections (backups, this check) leave an empty -wal; a crash leaves frames
    crashed = wal.exists() and wal.stat().st_size > 0
    if crashed or db.stat().st_size < FULL_CHECK_BELOW or not _schema_readable(db):
        problem = check_database(db, quick=True)
    else:
        problem = None
    if problem is None:
        return None
    options = options or BackupOptions()
    return Damage(db, problem, list_backups(db, folder=options.folder, check=True))


def _schema_readable(db: Path) -> bool:
    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            conn.execute("PRAGMA user_version").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return True


@dataclass(frozen=True, slots=True)
class Recovery:
    set_aside: Path  # where the damaged database (and its sidecars) went
    restored_from: Path | None  # the backup now in its place; None: a new database


def recover(
    damage: Damage, backup: BackupInfo | None, options: BackupOptions | None = None
) -> Recovery:
    """Move the damaged database aside (never deleted), then put ``backup`` in its place,
    or nothing, so a new database is created where it was."""
    options = options or BackupOptions()
    moved = set_aside_damaged(damage.path)
    if backup is not None:
        restore_backup(backup.path, damage.path, folder=options.folder)
    return Recovery(moved, backup.path if backup is not None else None)
