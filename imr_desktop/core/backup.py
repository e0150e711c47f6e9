"""Backups of the annotation database: made, checked, rotated, restored.

- A backup is made with SQLite's online backup API (``Connection.backup``), which reads
  a consistent snapshot through SQLite and so includes what is still in the ``-wal``
  file. A plain file copy of a live WAL database silently misses it (measured: all
  1,000 committed rows lost, and ``integrity_check`` on the copy still said ok).
- Each copy is written to a temporary name, reopened, and must pass
  ``PRAGMA integrity_check`` before it gets its final name; only then do older backups
  rotate out, so a bad copy never costs a good one.
- Backups live in ``backups/`` beside the database (or a folder given), named
  ``<db stem>-<UTC time>-<reason>.sqlite``, e.g.
  ``imr-desktop-20261127T131500.123456Z-manual.sqlite``: names sort by time.
- Retention, like Anki's: keep the ``recent`` newest backups, plus the newest backup of
  each of the last ``daily`` days that have one, plus the newest of each of the last
  ``weekly`` ISO weeks that have one. Defaults: 10 recent, 7 daily, 8 weekly (about two
  months of history in at most 25 files). Days without use do not count, so someone
  who annotates once a week still keeps weeks of history.
- The database, its ``-wal``, ``-shm`` and ``-journal`` are one unit: they are moved
  together, and a restored file never meets the old file's ``-wal``.

Every failure the environment or the files cause is a ``BackupError`` with a message
for the user (the CLI prints it on one line); nothing here imports Qt.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from imr_desktop.core.errors import StoreError
from imr_desktop.core.store import SCHEMA_VERSION

SIDECARS = ("-wal", "-shm", "-journal")
BACKUP_SUFFIX = ".sqlite"
_STAMP = "%Y%m%dT%H%M%S.%fZ"
_STAMP_RE = r"\d{8}T\d{6}\.\d{6}Z"
_STALE_TEMP = timedelta(hours=1)  # a temporary copy this old was left by a crash


class BackupError(StoreError):
    """A backup could not be made, checked or restored; the message says why."""


@dataclass(frozen=True, slots=True)
class Retention:
    recent: int = 10  # the newest backups, whatever their age
    daily: int = 7  # plus the newest of each of the last N days that have backups
    weekly: int = 8  # plus the newest of each of the last N ISO weeks that have backups

    def __post_init__(self) -> None:
        if self.recent < 1 or self.daily < 0 or self.weekly < 0:
            raise ValueError("retention keeps at least the newest backup")


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path
    time: datetime  # UTC, from the file name
    reason: str
    size: int  # bytes
    annotations: int | None  # live annotations in it; None when it cannot be read
    ok: bool | None  # opened and passed the integrity check; None when not checked
    problem: str | None = None  # why it is not ok


# --------------------------------------------------------------------------- names
def backup_folder(db_path: str | Path, folder: str | Path | None = None) -> Path:
    return Path(folder) if folder is not None else Path(db_path).parent / "backups"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_STAMP)


def _slug(reason: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", reason.lower()).strip("-")[:40]
    return slug or "manual"


def _pattern(db_path: Path) -> re.Pattern[str]:
    stem = re.escape(db_path.stem)
    suffix = re.escape(BACKUP_SUFFIX)
    return re.compile(rf"^{stem}-(?P<stamp>{_STAMP_RE})-(?P<reason>[a-z0-9-]+){suffix}$")


def _backups(db_path: Path, folder: Path) -> list[tuple[datetime, str, Path]]:
    """(time, reason, path) of the database's backups in ``folder``, newest first."""
    pattern = _pattern(db_path)
    found = []
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        for entry in folder.iterdir():
            m = pattern.match(entry.name)
            if m and entry.is_file():
                moment = datetime.strptime(m["stamp"], _STAMP).replace(tzinfo=UTC)
                found.append((moment, m["reason"], entry))
    return sorted(found, key=lambda b: b[0], reverse=True)


# --------------------------------------------------------------------------- checking
def _connect_ro(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def check_database(db_path: str | Path, *, quick: bool = False) -> str | None:
    """None when the file is a healthy SQLite database, else what is wrong with it.

    Checks the header and the size the header promises (a truncated copy), then runs
    ``PRAGMA integrity_check`` (``quick_check`` with ``quick``) through SQLite, which
    reads the ``-wal`` too. Opens read-only: nothing is written, not even a checkpoint.
    """
    problem = _diagnose(Path(db_path), quick)
    return f"{db_path} {problem}" if problem else None


def _diagnose(path: Path, quick: bool = False) -> str | None:
    """What is wrong with the database file, as a phrase ("is truncated …"), or None."""
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            header = f.read(100)
    except FileNotFoundError:
        return "does not exist"
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if size == 0:
        return "is empty (0 bytes)"
    if not header.startswith(b"SQLite format 3\x00"):
        return "is not an SQLite database"
    if len(header) < 100:
        return f"is truncated ({size} bytes)"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # the page count in the header is valid when the two change counters agree
    counted = header[24:28] == header[92:96]
    if page_size < 512 or size % page_size or (counted and size < pages * page_size):
        return f"is truncated ({size} bytes; its header promises {pages * page_size})"
    pragma = "quick_check" if quick else "integrity_check"
    try:
        conn = _connect_ro(path)
        try:
            rows = [r[0] for r in conn.execute(f"PRAGMA {pragma}")]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return f"is damaged ({' '.join(str(exc).split())})"
    if rows != ["ok"]:
        first = " ".join(str(rows[0]).split())  # SQLite's report may span lines
        more = f" (+{len(rows) - 1} more)" if len(rows) > 1 else ""
        return f"failed its integrity check: {first}{more}"
    return None


def _annotation_count(path: Path) -> int | None:
    try:
        conn = _connect_ro(path)
        try:
            return conn.execute("SELECT count(*) FROM annotations WHERE deleted = 0").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def _restorable(path: Path) -> str | None:
    """Why the healthy SQLite file at ``path`` is not an IMR Desktop database we can use."""
    try:
        conn = _connect_ro(path)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return f"cannot be read ({exc})"
    if not {"documents", "labels", "annotations"} <= tables:
        return "is not an IMR Desktop database"
    if version > SCHEMA_VERSION:
        return f"was written by a newer IMR Desktop (schema {version})"
    return None


# --------------------------------------------------------------------------- files
def _writable(path: Path) -> bool:
    """Writable for us and not marked read-only (root ignores mode bits; users do not)."""
    if not os.access(path, os.W_OK):
        return False
    return bool(path.stat().st_mode & 0o222)


def _fsync_dir(folder: Path) -> None:
    # a rename is durable only once the directory entry is on disk
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _fsync_file(path: Path) -> None:
    with path.open("rb") as f:
        os.fsync(f.fileno())


def _unit(db_path: Path) -> Iterator[tuple[str, Path]]:
    """The database's files that exist: ('', db), ('-wal', ...), ..., sidecars first."""
    for suffix in SIDECARS:
        side = Path(f"{db_path}{suffix}")
        if side.exists():
            yield suffix, side
    if db_path.exists():
        yield "", db_path


def _ensure_folder(folder: Path, what: str = "backups") -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"Cannot create the folder {folder} ({exc.strerror or exc}).") from None
    if not folder.is_dir():
        raise BackupError(f"Cannot write {what} to {folder}: it is not a folder.")
    if not _writable(folder):
        raise BackupError(f"Cannot write {what} to {folder}: the folder is read-only.")


def _copy(source: Path, target: Path) -> None:
    """Copy a database through SQLite's backup API into a new standalone file."""
    src = _connect_ro(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            # a standalone copy: no -wal beside it, and safe to copy as a plain file
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()


def _verified_copy(source: Path, target: Path, what: str) -> None:
    """``_copy`` then reopen the copy and check it; on failure nothing is left behind."""
    try:
        _copy(source, target)
        problem = _diagnose(target)
        if problem is None:
            _fsync_file(target)
        else:
            problem = f"the copy {problem}"
    except sqlite3.Error as exc:
        problem = f"{source} is damaged ({exc})"
    except OSError as exc:
        problem = f"writing {target.parent} failed ({exc.strerror or exc})"
    if problem is not None:
        with contextlib.suppress(OSError):
            target.unlink()
        raise BackupError(f"{what}: {problem}.")


# --------------------------------------------------------------------------- API
def make_backup(
    db_path: str | Path,
    reason: str = "manual",
    *,
    folder: str | Path | None = None,
    retention: Retention | None = None,
    now: datetime | None = None,
) -> Path:
    """Back up the database (live or not), check the copy, then rotate old backups.

    ``now`` (UTC) stamps the name; tests inject it. Returns the new backup's path.
    """
    db = Path(db_path)
    if not db.is_file():
        raise BackupError(f"Database not found: {db}")
    target_dir = backup_folder(db, folder)
    _ensure_folder(target_dir)
    moment = now or datetime.now(UTC)
    final = target_dir / f"{db.stem}-{_stamp(moment)}-{_slug(reason)}{BACKUP_SUFFIX}"
    while final.exists():  # two backups in the same microsecond
        moment += timedelta(microseconds=1)
        final = target_dir / f"{db.stem}-{_stamp(moment)}-{_slug(reason)}{BACKUP_SUFFIX}"
    temp = target_dir / f".{final.name}.{os.getpid()}.tmp"
    _verified_copy(db, temp, f"No backup was made of {db}")
    os.replace(temp, final)
    _fsync_dir(target_dir)
    rotate(db, folder=target_dir, retention=retention)
    return final


def list_backups(
    db_path: str | Path, *, folder: str | Path | None = None, check: bool = True
) -> list[BackupInfo]:
    """The database's backups, newest first; with ``check`` each is opened and checked."""
    db = Path(db_path)
    infos = []
    for moment, reason, path in _backups(db, backup_folder(db, folder)):
        info = BackupInfo(path, moment, reason, path.stat().st_size, None, None)
        infos.append(check_backup(info) if check else info)
    return infos


def check_backup(info: BackupInfo) -> BackupInfo:
    """``info`` with ``ok``, ``problem`` and ``annotations`` filled in: the backup is opened
    and integrity-checked (one at a time, so a window can show progress)."""
    problem = _diagnose(info.path) or _restorable(info.path)
    count = _annotation_count(info.path) if problem is None else None
    return replace(info, ok=problem is None, problem=problem, annotations=count)


def rotate(
    db_path: str | Path,
    *,
    folder: str | Path | None = None,
    retention: Retention | None = None,
) -> list[Path]:
    """Delete the backups the retention does not keep; returns what was deleted.

    Decides by the times in the names: every backup was checked when it was made.
    """
    db = Path(db_path)
    keep_rule = retention or Retention()
    target_dir = backup_folder(db, folder)
    backups = _backups(db, target_dir)
    keep = {path for _, _, path in backups[: keep_rule.recent]}
    for period, count in (
        (lambda t: t.date(), keep_rule.daily),
        (lambda t: t.isocalendar()[:2], keep_rule.weekly),
    ):
        seen: list[object] = []
        for moment, _, path in backups:  # newest first: the first of a period is its newest
            key = period(moment)
            if key not in seen and len(seen) < count:
                seen.append(key)
                keep.add(path)
    removed = []
    for _, _, path in backups:
        if path not in keep:
            try:
                path.unlink()
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise BackupError(
                    f"Cannot delete the old backup {path} ({exc.strerror or exc})."
                ) from None
            removed.append(path)
    _remove_stale_temps(db, target_dir)
    return removed


def _remove_stale_temps(db: Path, folder: Path) -> None:
    """Temporary copies left behind by a crash during a backup."""
    with contextlib.suppress(OSError):
        for temp in folder.glob(f".{_glob_escape(db.stem)}-*.tmp"):
            if time.time() - temp.stat().st_mtime > _STALE_TEMP.total_seconds():
                temp.unlink()


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def set_aside_damaged(db_path: str | Path, *, now: datetime | None = None) -> Path:
    """Move a damaged database and its sidecars to ``<name>.damaged-<UTC time>``.

    The sidecars move first and keep their suffixes (``…damaged-<time>-wal``), so
    SQLite still finds them with the damaged file, and a new database created at the
    old path never picks up the damaged one's ``-wal``. Returns the new main path.
    """
    db = Path(db_path)
    if not db.exists():
        raise BackupError(f"Database not found: {db}")
    target = db.with_name(f"{db.name}.damaged-{_stamp(now or datetime.now(UTC))}")
    try:
        for suffix, path in list(_unit(db)):
            os.replace(path, Path(f"{target}{suffix}"))
    except OSError as exc:
        raise BackupError(
            f"Cannot move the damaged database {db} aside ({exc.strerror or exc})."
        ) from None
    _fsync_dir(db.parent)
    return target


def restore_backup(
    backup_path: str | Path,
    db_path: str | Path,
    *,
    folder: str | Path | None = None,
    now: datetime | None = None,
) -> Path | None:
    """Replace the database with a checked backup; returns where the old one went.

    The backup is checked first (nothing changes if it is damaged). The current
    database is then backed up (reason ``before-restore``), or set aside if it is
    itself damaged, and its ``-wal`` checkpointed away, so the restored file never
    meets a stale ``-wal``. The copy is written beside the database under a temporary
    name, checked, and moved into place with ``os.replace``: a crash leaves the old
    database or the restored one, never a mix. Returns None when there was none.
    """
    backup = Path(backup_path)
    db = Path(db_path)
    problem = _diagnose(backup) or _restorable(backup)
    if problem is not None:
        raise BackupError(f"Not restored: the backup {backup} {problem}.")
    _ensure_folder(db.parent, "the restored database")
    # copy first: the backup made of the current database below rotates old backups,
    # and the one being restored may be among them
    temp = db.with_name(f".{db.name}.restore-{os.getpid()}.tmp")
    _verified_copy(backup, temp, f"Not restored from {backup}")
    previous: Path | None = None
    try:
        if db.exists():
            if check_database(db) is None:
                previous = make_backup(db, "before-restore", folder=folder, now=now)
                _checkpoint_away(db)
            else:
                previous = set_aside_damaged(db, now=now)
        for _suffix, side in list(_unit(db)):
            if side != db:  # the checkpoint emptied these: nothing in them is lost
                side.unlink()
        os.replace(temp, db)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    _fsync_dir(db.parent)
    return previous


def _checkpoint_away(db: Path) -> None:
    """Fold the ``-wal`` into the database file and refuse if another program has it.

    SQLite deletes the ``-wal`` when the last connection closes, so one still there
    after ours closed means another connection is open (IMR Desktop itself, say).
    """
    try:
        conn = sqlite3.connect(db, timeout=0.5)
        try:
            busy, _log, _done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise BackupError(f"Not restored: {db} could not be closed cleanly ({exc}).") from None
    if busy or Path(f"{db}-wal").exists():
        raise BackupError(
            f"Not restored: {db} is in use by another program (is IMR Desktop open?). "
            "Close it and restore again."
        )
