"""Backups of the annotation database (issue 7, item 4): made with SQLite's backup API,
checked before old ones rotate out, restored safely; and the CLI around them."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from imr_desktop.core.backup import (
    BackupError,
    Retention,
    check_database,
    list_backups,
    make_backup,
    restore_backup,
    rotate,
    set_aside_damaged,
)
from imr_desktop.core.model import Annotation, DocumentRecord
from imr_desktop.core.store import Store

ROOT = Path(__file__).resolve().parents[1]
SHA = "b" * 64
TEXT = "The request for physical therapy is not medically necessary. " * 40


# --------------------------------------------------------------------------- helpers
def add_annotations(store: Store, count: int, offset: int = 0) -> list[str]:
    label = store.labels()[0]
    ids = []
    for i in range(offset, offset + count):
        ann = Annotation.create(
            document=SHA, text=TEXT, start=i, end=i + 10, label_id=label.id, annotator="t"
        )
        store.add_annotation(ann)
        ids.append(ann.id)
    return ids


def new_store(path: Path, count: int = 0) -> Store:
    store = Store.open(path)
    store.upsert_document(
        DocumentRecord(sha256=SHA, path="l.pdf", kind="pdf", page_count=1, size=1, text=TEXT)
    )
    add_annotations(store, count)
    return store


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Path]:
    """A closed database with 3 live annotations."""
    path = tmp_path / "imr.sqlite"
    new_store(path, 3).close()
    yield path


def live_count(path: Path) -> int:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM annotations WHERE deleted = 0").fetchone()[0]
    finally:
        conn.close()


def rows_or_nothing(path: Path) -> int:
    """Live annotations in a file, 0 when it does not even have the table."""
    try:
        return live_count(path)
    except sqlite3.OperationalError:
        return 0


def flip_bytes(path: Path) -> None:
    """Overwrite the start of a page in the middle of the file, as a bad sector would."""
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    offset = (len(data) // page_size // 2) * page_size
    data[offset : offset + 16] = b"\xff" * 16
    path.write_bytes(bytes(data))


def at(day: int, hour: int = 12) -> datetime:
    """A moment in January 2026 (UTC); 2026-01-05 is a Monday."""
    return datetime(2026, 1, day, hour, tzinfo=UTC)


def names(paths: list[Path]) -> set[str]:
    return {p.name for p in paths}


# --------------------------------------------------------------------------- making
def test_backup_of_a_live_wal_database_holds_every_committed_row(tmp_path: Path) -> None:
    path = tmp_path / "live.sqlite"
    store = new_store(path)
    store.db.execute("PRAGMA wal_autocheckpoint=0")  # keep every commit in the -wal
    add_annotations(store, 200)
    wal = Path(f"{path}-wal")
    assert wal.stat().st_size > 0
    # the hazard: the main file alone does not have the rows yet
    shutil.copy(path, tmp_path / "plain-copy.sqlite")
    assert rows_or_nothing(tmp_path / "plain-copy.sqlite") < 200

    backup = make_backup(path, "live")  # the connection stays open and holds the rows

    assert live_count(backup) == 200
    assert check_database(backup) is None
    assert not Path(f"{backup}-wal").exists()  # a standalone file, safe to copy around
    add_annotations(store, 1, offset=500)  # the app carries on writing
    assert store.count_annotations() == 201
    store.close()


def test_backup_names_sort_by_utc_time_beside_the_database(db: Path, tmp_path: Path) -> None:
    first = make_backup(db, "Before migration 2!", now=at(5, 9))
    second = make_backup(db, now=at(5, 10))
    assert first.parent == db.parent / "backups"
    assert first.name == "imr-20260105T090000.000000Z-before-migration-2.sqlite"
    assert second.name == "imr-20260105T100000.000000Z-manual.sqlite"
    assert sorted([second.name, first.name]) == [first.name, second.name]
    elsewhere = make_backup(db, folder=tmp_path / "elsewhere")
    assert elsewhere.parent == tmp_path / "elsewhere"
    # another database in the same folder keeps its own backups apart
    other = tmp_path / "imr-2.sqlite"
    new_store(other, 1).close()
    make_backup(other)
    assert [b.path for b in list_backups(db)] == [second, first]


def test_list_backups_reports_time_size_count_and_health(db: Path) -> None:
    older = make_backup(db, now=at(5))
    store = Store.open(db)
    add_annotations(store, 2, offset=50)
    store.close()
    newer = make_backup(db, "after", now=at(6))
    flip_bytes(older)
    infos = list_backups(db)
    assert [i.path for i in infos] == [newer, older]
    assert infos[0].time == at(6) and infos[0].reason == "after"
    assert infos[0].ok and infos[0].annotations == 5 and infos[0].size == newer.stat().st_size
    assert infos[1].ok is False and infos[1].annotations is None
    assert infos[1].problem and "damaged" in infos[1].problem
    assert [i.ok for i in list_backups(db, check=False)] == [None, None]


# --------------------------------------------------------------------------- rotation
def test_rotation_keeps_recent_plus_newest_per_day_and_week(db: Path) -> None:
    moments = [  # week 2 of 2026: 5-11 Jan; week 3: 12-18; week 4: 19-25
        at(5, 9),
        at(5, 18),
        at(7, 10),
        at(13, 10),
        at(13, 11),
        at(15, 8),
        at(19, 8),
        at(19, 12),
        at(19, 16),
    ]
    keep = Retention(recent=2, daily=3, weekly=2)
    made = {m: make_backup(db, now=m, retention=keep) for m in moments}
    # recent: 19th 16h, 19th 12h; daily (19th, 15th, 13th): 19th 16h, 15th, 13th 11h;
    # weekly (weeks 4 and 3): 19th 16h, 15th
    expected = {made[at(19, 16)], made[at(19, 12)], made[at(15, 8)], made[at(13, 11)]}
    assert {b.path for b in list_backups(db, check=False)} == expected
    assert rotate(db, retention=keep) == []  # made one at a time or at once: same result


def test_default_retention_over_two_months_of_use(db: Path) -> None:
    # rotation decides by the names alone, so plain files stand in for 110 backups
    folder = db.parent / "backups"
    folder.mkdir()
    moments = [at(1) + timedelta(hours=13 * i) for i in range(110)]  # ~60 days
    for m in moments:
        (folder / f"imr-{m:%Y%m%dT%H%M%S.%fZ}-manual.sqlite").write_bytes(b"")
    removed = rotate(db)
    kept = [b.time for b in list_backups(db, check=False)]
    assert len(removed) + len(kept) == len(moments)
    rule = Retention()
    assert len(kept) <= rule.recent + rule.daily + rule.weekly
    newest = sorted(moments, reverse=True)
    assert newest[: rule.recent] == kept[: rule.recent]
    days = sorted({m.date() for m in moments}, reverse=True)[: rule.daily]
    for day in days:
        assert max(m for m in moments if m.date() == day) in kept
    weeks = sorted({m.isocalendar()[:2] for m in moments}, reverse=True)[: rule.weekly]
    for week in weeks:
        assert max(m for m in moments if m.isocalendar()[:2] == week) in kept
    assert min(kept) >= min(m for m in moments if m.isocalendar()[:2] == weeks[-1])


def test_nothing_rotates_out_when_the_new_copy_fails_its_check(db: Path) -> None:
    keep = Retention(recent=1, daily=0, weekly=0)
    good = make_backup(db, now=at(5), retention=keep)
    flip_bytes(db)
    with pytest.raises(BackupError, match="No backup was made"):
        make_backup(db, now=at(6), retention=keep)
    assert [p.name for p in good.parent.iterdir()] == [good.name]  # no temp file either


# --------------------------------------------------------------------------- checking
def test_check_database_names_what_is_wrong(tmp_path: Path, db: Path) -> None:
    assert check_database(db) is None
    assert "does not exist" in (check_database(tmp_path / "missing.sqlite") or "")
    empty = tmp_path / "empty.sqlite"
    empty.write_bytes(b"")
    assert "empty" in (check_database(empty) or "")
    text = tmp_path / "notes.sqlite"
    text.write_text("not a database at all, just some notes\n" * 10)
    assert "not an SQLite database" in (check_database(text) or "")
    half = tmp_path / "half.sqlite"
    half.write_bytes(db.read_bytes()[: db.stat().st_size // 2 + 100])
    assert "truncated" in (check_database(half) or "")
    flipped = tmp_path / "flipped.sqlite"
    shutil.copy(db, flipped)
    flip_bytes(flipped)
    problem = check_database(flipped)
    assert problem is not None and ("damaged" in problem or "integrity" in problem)
    assert "\n" not in problem


def test_byte_flipped_database_is_set_aside_with_its_sidecars(tmp_path: Path) -> None:
    path = tmp_path / "imr.sqlite"
    store = new_store(path, 5)
    store.db.execute("PRAGMA wal_autocheckpoint=0")
    add_annotations(store, 5, offset=40)
    # a crashed app leaves the database with a -wal and -shm: copy that state
    crashed = tmp_path / "crashed.sqlite"
    for suffix in ("", "-wal", "-shm"):
        shutil.copy(f"{path}{suffix}", f"{crashed}{suffix}")
    store.close()
    flip_bytes(crashed)
    assert check_database(crashed) is not None

    moved = set_aside_damaged(crashed, now=at(9, 8))

    assert moved.name == "crashed.sqlite.damaged-20260109T080000.000000Z"
    assert not crashed.exists() and not Path(f"{crashed}-wal").exists()
    assert Path(f"{moved}-wal").stat().st_size > 0  # kept together for recovery tools
    assert Path(f"{moved}-shm").exists()
    with pytest.raises(BackupError, match="not found"):
        set_aside_damaged(crashed)


# --------------------------------------------------------------------------- restoring
def test_restore_round_trip(db: Path) -> None:
    backup = make_backup(db, now=at(5))
    store = Store.open(db)
    ids = [a.id for a in store.annotations(SHA)]
    add_annotations(store, 2, offset=60)
    store.delete_annotation(ids[0])
    store.close()
    assert live_count(db) == 4

    previous = restore_backup(backup, db, now=at(6))

    assert previous is not None and "before-restore" in previous.name
    assert live_count(previous) == 4  # what was replaced is itself a backup
    restored = Store.open(db)
    assert sorted(a.id for a in restored.annotations(SHA)) == sorted(ids)
    restored.close()
    assert check_database(db) is None
    assert not list(db.parent.glob(".*.tmp"))


def test_restore_replaces_a_live_wal_without_mixing_old_pages(db: Path) -> None:
    backup = make_backup(db, now=at(5))
    store = Store.open(db)
    store.db.execute("PRAGMA wal_autocheckpoint=0")
    add_annotations(store, 30, offset=100)
    store.close()
    conn = sqlite3.connect(db)  # leaves a -wal that holds rows the backup lacks
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("UPDATE annotations SET note = 'after' WHERE rowid = 1")
    conn.commit()
    conn.close()
    restore_backup(backup, db, now=at(6))
    assert live_count(db) == 3
    assert check_database(db) is None


def test_restoring_the_oldest_kept_backup_survives_the_rotation_it_causes(db: Path) -> None:
    oldest = make_backup(db, now=at(5, 1))
    store = Store.open(db)
    add_annotations(store, 1, offset=90)
    store.close()
    for hour in range(2, 11):  # ten backups of one day: the default keeps exactly ten
        make_backup(db, now=at(5, hour))
    assert oldest.exists()
    restore_backup(oldest, db, now=at(5, 11))  # its before-restore backup rotates it out
    assert not oldest.exists()
    assert live_count(db) == 3


def test_restore_onto_a_machine_without_a_database(db: Path, tmp_path: Path) -> None:
    backup = make_backup(db, now=at(5))
    fresh = tmp_path / "new" / "imr.sqlite"
    assert restore_backup(backup, fresh) is None
    assert live_count(fresh) == 3


def test_restore_refuses_a_damaged_backup_and_changes_nothing(db: Path) -> None:
    backup = make_backup(db, now=at(5))
    flip_bytes(backup)
    before = db.read_bytes()
    with pytest.raises(BackupError, match="Not restored"):
        restore_backup(backup, db)
    assert db.read_bytes() == before
    assert [b.path for b in list_backups(db, check=False)] == [backup]  # no new backup


def test_restore_refuses_files_that_are_not_imr_databases(db: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(BackupError, match="not an IMR Desktop database"):
        restore_backup(other, db)
    with pytest.raises(BackupError, match="does not exist"):
        restore_backup(tmp_path / "nope.sqlite", db)


@pytest.mark.parametrize("reading", [True, False])
def test_restore_refuses_while_another_program_has_the_database_open(
    db: Path, reading: bool
) -> None:
    backup = make_backup(db, now=at(5))
    app = Store.open(db)  # e.g. IMR Desktop still running, idle or mid-read
    add_annotations(app, 1, offset=70)
    if reading:
        app.db.execute("BEGIN")
        app.db.execute("SELECT count(*) FROM annotations").fetchone()
    try:
        with pytest.raises(BackupError, match="in use"):
            restore_backup(backup, db, now=at(6))
    finally:
        app.close()
    assert live_count(db) == 4


def test_damaged_database_is_set_aside_when_restoring(db: Path) -> None:
    backup = make_backup(db, now=at(5))
    flip_bytes(db)
    previous = restore_backup(backup, db, now=at(6))
    assert previous is not None and ".damaged-" in previous.name
    assert check_database(previous) is not None  # the damaged file, kept as it was
    assert check_database(db) is None and live_count(db) == 3


# --------------------------------------------------------------------------- errors
def test_make_backup_errors_are_clear(db: Path, tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="Database not found"):
        make_backup(tmp_path / "missing.sqlite")
    (tmp_path / "file").write_text("x")
    with pytest.raises(BackupError, match=r"not a folder|Cannot create"):
        make_backup(db, folder=tmp_path / "file")
    read_only = tmp_path / "ro"
    read_only.mkdir()
    read_only.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with pytest.raises(BackupError, match="read-only"):
            make_backup(db, folder=read_only)
    finally:
        read_only.chmod(stat.S_IRWXU)
    with pytest.raises(ValueError):
        Retention(recent=0)


# --------------------------------------------------------------------------- CLI
def cli(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ,
        IMR_DESKTOP_DATA_DIR=str(tmp_path / "data"),
        IMR_DESKTOP_CONFIG_DIR=str(tmp_path / "config"),
        PYTHONPATH=str(ROOT),
    )
    return subprocess.run(
        [sys.executable, "-m", "imr_desktop", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def one_error_line(proc: subprocess.CompletedProcess[str], *words: str) -> str:
    assert proc.returncode == 1, proc
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def test_cli_backup_and_list(db: Path, tmp_path: Path) -> None:
    proc = cli("backup", "--db", str(db), "--reason", "nightly", tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    made = Path(proc.stdout.strip())
    assert made.exists() and made.name.endswith("-nightly.sqlite")
    listing = cli("backup", "--db", str(db), "--list", tmp_path=tmp_path)
    assert listing.returncode == 0, listing.stderr
    (line,) = listing.stdout.strip().splitlines()
    assert str(made) in line and " ok " in line and "3 annotations" in line


def test_cli_backup_of_the_default_database(tmp_path: Path) -> None:
    default = tmp_path / "data" / "imr-desktop.sqlite"
    default.parent.mkdir(parents=True)
    new_store(default, 2).close()
    proc = cli("backup", tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert Path(proc.stdout.strip()).parent == default.parent / "backups"


def test_cli_backup_errors(db: Path, tmp_path: Path) -> None:
    one_error_line(
        cli("backup", "--db", str(tmp_path / "no.sqlite"), tmp_path=tmp_path), "not found"
    )
    read_only = tmp_path / "ro"
    read_only.mkdir()
    read_only.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        proc = cli("backup", "--db", str(db), "--folder", str(read_only), tmp_path=tmp_path)
        one_error_line(proc, "read-only")
    finally:
        read_only.chmod(stat.S_IRWXU)
    flip_bytes(db)
    one_error_line(cli("backup", "--db", str(db), tmp_path=tmp_path), "No backup was made")


def test_cli_restore_latest_skips_a_corrupt_backup(db: Path, tmp_path: Path) -> None:
    good = make_backup(db, now=at(5))
    store = Store.open(db)
    add_annotations(store, 4, offset=80)
    store.close()
    bad = make_backup(db, now=at(6))
    flip_bytes(bad)
    proc = cli("restore", "--db", str(db), "--latest", tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert bad.name in proc.stderr and "skipping" in proc.stderr
    assert f"from {good}" in proc.stdout and "before-restore" in proc.stdout
    assert live_count(db) == 3


def test_cli_restore_errors(db: Path, tmp_path: Path) -> None:
    backup = make_backup(db, now=at(5))
    flip_bytes(backup)
    before = db.read_bytes()
    one_error_line(cli("restore", "--db", str(db), str(backup), tmp_path=tmp_path), "Not restored")
    assert db.read_bytes() == before
    one_error_line(
        cli("restore", "--db", str(db), "--latest", tmp_path=tmp_path),
        "No usable backup",
        "1 damaged",
    )
    missing = cli("restore", "--db", str(db), tmp_path=tmp_path)
    assert missing.returncode == 2 and "BACKUP" in missing.stderr  # argparse usage error
