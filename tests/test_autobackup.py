"""Automatic backups (issue 7, item 4): before every migration, on open when something
changed (else at most once a day), periodically while changed; a damaged database is
set aside and replaced by its newest good backup."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from imr_desktop.core import store as store_module
from imr_desktop.core.autobackup import (
    BackupOptions,
    backup_due,
    backup_if_due,
    fingerprint,
    inspect_database,
    options_from,
    recover,
)
from imr_desktop.core.backup import Retention, list_backups, make_backup
from imr_desktop.core.errors import StoreError
from imr_desktop.core.settings import Settings
from imr_desktop.core.store import SCHEMA_VERSION, Store
from tests.test_backup import TEXT, add_annotations, flip_bytes, live_count, new_store


def old_database(path: Path, annotations: int = 5) -> None:
    """A database at schema version 1, written by the first migration alone (as the
    first release wrote it), with a document and ``annotations`` rows."""
    from dataclasses import asdict

    from imr_desktop.core.dbapi import Database
    from imr_desktop.core.model import Annotation

    conn = sqlite3.connect(path)
    db = Database(conn, execute_plugins=False)
    with db.atomic():
        store_module.MIGRATIONS[0](db)
        db.execute("PRAGMA user_version=1")
    conn.execute("PRAGMA journal_mode=WAL")
    label = conn.execute("SELECT id FROM labels ORDER BY position").fetchone()[0]
    conn.execute(
        "INSERT INTO documents (sha256, path, kind, status, text) VALUES (?, 'l.pdf', 'pdf', "
        "'new', ?)",
        ["b" * 64, TEXT],
    )
    # fields added by later schema versions (anchor_status) are not columns yet
    columns = {r[1] for r in conn.execute("PRAGMA table_info(annotations)")}
    for i in range(annotations):
        ann = Annotation.create(
            document="b" * 64, text=TEXT, start=i, end=i + 10, label_id=label, annotator="t"
        )
        row = {k: v for k, v in asdict(ann).items() if k in columns}
        conn.execute(
            f"INSERT INTO annotations ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
            list(row.values()),
        )
    conn.commit()
    conn.close()


def version_of(path: Path) -> int:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


# --------------------------------------------------------------------------- migration
def test_a_database_is_backed_up_before_it_is_migrated(tmp_path: Path) -> None:
    db = tmp_path / "imr.sqlite"
    old_database(db, 5)
    store = Store.open(db)
    assert store.schema_version == SCHEMA_VERSION
    store.close()
    backups = list_backups(db)
    assert [b.reason for b in backups] == ["before-upgrade-from-v1"]
    assert backups[0].ok and backups[0].annotations == 5
    assert version_of(backups[0].path) == 1, "the copy is of the database before migrating"


def test_new_and_current_databases_are_not_backed_up_on_open(tmp_path: Path) -> None:
    db = tmp_path / "imr.sqlite"
    Store.open(db).close()  # created: version 0 -> current, nothing to back up
    Store.open(db).close()  # current: no migration
    assert list_backups(db) == []


def test_no_backup_means_no_migration(tmp_path: Path) -> None:
    db = tmp_path / "imr.sqlite"
    old_database(db)
    (tmp_path / "backups").write_text("a file where the backup folder should be")
    with pytest.raises(StoreError, match="nothing was changed") as caught:
        Store.open(db)
    assert "schema 1" in str(caught.value)
    assert version_of(db) == 1
    assert live_count(db) == 5


def test_the_migration_is_one_transaction(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "imr.sqlite"
    old_database(db)

    def broken(_db) -> None:  # type: ignore[no-untyped-def]
        raise RuntimeError("the last step fails")

    monkeypatch.setattr(store_module, "MIGRATIONS", [*store_module.MIGRATIONS[:-1], broken])
    with pytest.raises(RuntimeError):
        Store.open(db, before_migration=None)
    # step 2 had succeeded, but the database is still at 1, not half upgraded at 2
    assert version_of(db) == 1
    conn = sqlite3.connect(db)
    assert "structure" not in {r[1] for r in conn.execute("PRAGMA table_info(documents)")}
    conn.close()


def test_backup_folder_and_retention_come_from_the_settings(tmp_path: Path) -> None:
    db = tmp_path / "imr.sqlite"
    old_database(db)
    elsewhere = tmp_path / "elsewhere"
    settings = SimpleNamespace(
        backups=SimpleNamespace(keep_recent=2, keep_daily=0, keep_weekly=0, folder=str(elsewhere))
    )
    from imr_desktop.core import autobackup

    autobackup.backup_before_migration(db, 1, options_from(settings))
    assert [b.reason for b in list_backups(db, folder=elsewhere)] == ["before-upgrade-from-v1"]


# --------------------------------------------------------------------------- options
def test_options_from_settings_are_read_defensively() -> None:
    assert options_from(Settings()) == BackupOptions()  # no backup settings on this branch
    assert options_from(None) == BackupOptions()
    odd = SimpleNamespace(backups=SimpleNamespace(keep_recent=0, folder=""))
    assert options_from(odd).retention == Retention()  # 0 recent would keep nothing
    assert options_from(odd).folder is None  # "": beside the database
    mine = SimpleNamespace(
        backups=SimpleNamespace(keep_recent=3, keep_daily=1, keep_weekly=2, folder="~/b")
    )
    options = options_from(mine)
    assert options.retention == Retention(3, 1, 2)
    assert options.folder == Path("~/b").expanduser()


# --------------------------------------------------------------------------- when
def test_backups_are_made_when_the_work_changed(tmp_path: Path) -> None:
    db = tmp_path / "imr.sqlite"
    store = new_store(db, 3)
    assert backup_due(db, "open") and backup_due(db, "periodic")  # no backup yet
    made = backup_if_due(db, "open")
    assert made is not None and made.name.endswith("-open.sqlite")
    assert not backup_due(db, "periodic"), "nothing changed since"
    assert backup_if_due(db, "periodic") is None
    add_annotations(store, 1, offset=50)
    assert backup_due(db, "periodic"), "a new annotation"
    make_backup(db, "periodic")
    store.delete_annotation(store.annotations("b" * 64)[0].id)
    assert backup_due(db, "periodic"), "a deletion (a tombstone's updated_at)"
    make_backup(db, "periodic")
    label = store.labels()[0]
    store.save_label(label.with_changes(color="#000000"))
    assert backup_due(db, "periodic"), "a label edit"
    store.close()


def test_an_unchanged_database_gets_at_most_one_backup_a_day_on_open(tmp_path: Path) -> None:
    db = tmp_path / "imr.sqlite"
    new_store(db, 2).close()
    first = datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert backup_if_due(db, "open", now=first) is not None
    for hours in (1, 12, 23):
        assert backup_if_due(db, "open", now=first + timedelta(hours=hours)) is None
    assert backup_if_due(db, "open", now=first + timedelta(hours=25)) is not None
    # a periodic backup never repeats an unchanged database, whatever its age
    assert backup_if_due(db, "periodic", now=first + timedelta(days=9)) is None
    assert len(list_backups(db)) == 2


def test_opening_a_letter_is_not_a_change(tmp_path: Path) -> None:
    db = tmp_path / "imr.sqlite"
    store = new_store(db, 2)
    make_backup(db, "open")
    before = fingerprint(db)
    from imr_desktop.core.model import DocumentRecord

    # what the window does each time a letter is opened: the document row is refreshed
    store.upsert_document(
        DocumentRecord(sha256="b" * 64, path="moved.pdf", kind="pdf", page_count=1, size=1)
    )
    assert fingerprint(db) == before
    assert not backup_due(db, "periodic")
    store.close()


# --------------------------------------------------------------------------- damage
def test_a_healthy_or_missing_database_is_not_damaged(tmp_path: Path) -> None:
    db = tmp_path / "imr.sqlite"
    assert inspect_database(db) is None
    new_store(db, 1).close()
    assert inspect_database(db) is None


def test_damage_is_found_and_the_newest_good_backup_offered(tmp_path: Path) -> None:
    db = tmp_path / "imr.sqlite"
    store = new_store(db, 3)
    good = make_backup(db, "open", now=datetime(2026, 1, 5, tzinfo=UTC))
    add_annotations(store, 200, offset=10)
    store.close()
    bad = make_backup(db, "periodic", now=datetime(2026, 1, 6, tzinfo=UTC))
    flip_bytes(bad)
    flip_bytes(db)
    damage = inspect_database(db)
    assert damage is not None and damage.path == db
    assert "damaged" in damage.problem or "integrity" in damage.problem
    assert [b.path for b in damage.backups] == [bad, good]
    assert damage.newest_good is not None and damage.newest_good.path == good

    recovery = recover(damage, damage.newest_good)
    assert recovery.restored_from == good
    assert recovery.set_aside.exists() and ".damaged-" in recovery.set_aside.name
    assert live_count(db) == 3
    assert inspect_database(db) is None


def test_without_a_backup_the_damaged_file_is_only_set_aside(tmp_path: Path) -> None:
    db = tmp_path / "imr.sqlite"
    new_store(db, 3).close()
    flip_bytes(db)
    damage = inspect_database(db)
    assert damage is not None and damage.newest_good is None
    recovery = recover(damage, None)
    assert recovery.restored_from is None
    assert not db.exists() and recovery.set_aside.exists()
    Store.open(db).close()  # a new database where it was


def test_a_large_cleanly_closed_database_skips_the_full_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from imr_desktop.core import autobackup

    db = tmp_path / "imr.sqlite"
    new_store(db, 3).close()
    data = bytearray(db.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    # damage the last page, away from the schema: only a page-by-page check finds it
    data[-page_size : -page_size + 16] = b"\xff" * 16
    db.write_bytes(bytes(data))
    assert inspect_database(db) is not None, "small: always checked"
    monkeypatch.setattr(autobackup, "FULL_CHECK_BELOW", 0)
    assert inspect_database(db) is None, "large and closed cleanly: the schema is read only"
    Path(f"{db}-wal").write_bytes(b"\0" * 4096)  # left by a crash
    assert inspect_database(db) is not None, "after a crash: always checked"
