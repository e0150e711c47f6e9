"""The window's side of durability (issue 7, items 1 and 4): one writer per database,
the network/sync-folder banner, automatic backups, Restore from Backup, and a damaged
database at start-up."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from imr_desktop.core.backup import list_backups, make_backup
from imr_desktop.core.settings import Settings
from imr_desktop.ui import durability, single_instance, startup
from imr_desktop.ui.single_instance import InstanceGuard
from tests.proc_helpers import ROOT, SAMPLE, child_env
from tests.test_backup import add_annotations, flip_bytes, live_count, new_store
from tests.ui_helpers import live_rows, make_window, open_and_wait


def _choice(box: QMessageBox, choice: str) -> None:
    button = next(b for b in box.buttons() if b.property("choice") == choice)
    button.click()


# --------------------------------------------------------------------------- one writer
def test_one_guard_per_database(qtbot, tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    first = InstanceGuard(db)
    assert first.try_hold() and first.held
    # the same file by another name is the same database
    (tmp_path / "link").symlink_to(tmp_path)
    second = InstanceGuard(tmp_path / "link" / ".." / tmp_path.name / "a.sqlite")
    assert second.key == first.key
    assert not second.try_hold()
    other = InstanceGuard(tmp_path / "b.sqlite")
    assert other.try_hold(), "another database has its own writer"
    first.release()
    assert second.try_hold(), "the lock goes with the holder"
    for guard in (second, other):
        guard.release()


SEND = """
import sys
from PySide6.QtCore import QCoreApplication
from imr_desktop.ui.single_instance import send
app = QCoreApplication([])
print(send(sys.argv[1], {"open": sys.argv[2]}))
"""


def test_a_second_instance_forwards_its_file_to_the_first(qtbot, tmp_path: Path) -> None:
    guard = InstanceGuard(tmp_path / "a.sqlite")
    assert guard.try_hold()
    received: list[str] = []
    guard.fileRequested.connect(received.append)
    # the second instance is another process that blocks on the socket until answered
    sender = subprocess.Popen(
        [sys.executable, "-c", SEND, guard.key, "/x/l.pdf"],
        stdout=subprocess.PIPE,
        text=True,
        env=child_env(tmp_path),
        cwd=ROOT,
    )
    qtbot.waitUntil(lambda: sender.poll() is not None, timeout=10_000)
    out, _ = sender.communicate()
    assert out.strip() == "True"
    assert received == ["/x/l.pdf"]
    guard.release()
    assert single_instance.send(guard.key, {"open": "/x/l.pdf"}) is False


def test_second_instance_choice_dialog(qtbot, tmp_path: Path) -> None:
    db = tmp_path / "imr-desktop.sqlite"
    box = single_instance.second_instance_box(db)
    qtbot.addWidget(box)
    box.show()
    qtbot.waitExposed(box)
    assert "already open in another IMR Desktop window" in box.text()
    assert str(db) in box.informativeText()
    labels = sorted(b.text() for b in box.buttons())
    assert labels == ["Open Read-Only", "Quit"]
    assert box.defaultButton().text() == "Quit"
    assert not box.grab().isNull()
    box.grab().save(str(tmp_path / "second-instance.png"))
    _choice(box, single_instance.READ_ONLY)
    assert box.clickedButton().property("choice") == single_instance.READ_ONLY


def test_startup_as_second_instance_read_only_or_quit(qtbot, tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    new_store(db, 2).close()
    holder = InstanceGuard(db)
    assert holder.try_hold()
    asked: list[Path] = []

    def answer(choice: str):  # type: ignore[no-untyped-def]
        return lambda path: asked.append(path) or choice

    start = startup.open_database(
        str(db), None, Settings(), interactive=True, ask_second=answer(single_instance.READ_ONLY)
    )
    assert asked == [db]
    assert start.guard is None and start.store is not None and start.store.read_only
    assert any("open in another IMR Desktop" in text for _k, text, _l in start.notices)
    window = make_window(qtbot, None, store=start.store)
    durability.install(window, start)
    assert "open in another IMR Desktop" in window.banner.message_text("db")
    assert not window.findChild(durability.Durability).restore_action.isEnabled()
    window.close()

    quit_ = startup.open_database(
        str(db), None, Settings(), interactive=True, ask_second=answer(single_instance.QUIT)
    )
    assert quit_.exit_code == 0 and quit_.store is None
    holder.release()
    # once the first has gone, the next start writes
    start = startup.open_database(str(db), None, Settings(), interactive=False)
    assert start.guard is not None and start.store is not None and not start.store.read_only
    start.store.close()
    start.guard.release()


def test_open_database_in_the_window_respects_another_writer(qtbot, tmp_path: Path) -> None:
    mine, theirs = tmp_path / "mine.sqlite", tmp_path / "theirs.sqlite"
    new_store(theirs, 1).close()
    holder = InstanceGuard(theirs)
    assert holder.try_hold()
    start = startup.open_database(str(mine), None, Settings(), interactive=False)
    window = make_window(qtbot, None, store=start.store)
    d = durability.install(window, start)
    assert window.open_database(theirs)
    assert window.store.read_only
    assert "open in another IMR Desktop" in window.banner.message_text("db")
    assert d.guard is not None and d.guard.db_path == mine, "still holding the first"
    holder.release()
    assert window.open_database(theirs)
    assert not window.store.read_only and d.guard.db_path == theirs
    assert InstanceGuard(mine).try_hold(), "the first database was let go"
    window.close()


def _run(args: list[str], tmp_path: Path, input: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "imr_desktop", *args],
        capture_output=True,
        text=True,
        timeout=90,
        env=child_env(tmp_path),
        cwd=ROOT,
        input=input,
    )


@pytest.mark.slow
def test_second_process_forwards_its_file_or_opens_read_only(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    other = tmp_path / "other.txt"
    other.write_text("Another letter: the request is upheld.\n", encoding="utf-8")
    first = subprocess.Popen(
        [sys.executable, "-m", "imr_desktop", "--automation", str(SAMPLE), "--db", str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=child_env(tmp_path),
        cwd=ROOT,
    )
    try:
        assert first.stdout.readline().startswith("ready ")
        # a second start with a file hands it over and quits
        forwarded = _run([str(other), "--db", str(db)], tmp_path)
        assert forwarded.returncode == 0, forwarded.stderr
        assert "was opened in the IMR Desktop window" in forwarded.stderr
        assert first.stdout.readline().startswith("ready "), "the first opened the file"
        first.stdin.write('{"op": "status"}\n')
        first.stdin.flush()
        status = json.loads(first.stdout.readline().split(" ", 1)[1])
        assert status["document"] == str(other)
        # a second start with nobody to ask opens the database read-only
        second = _run(["--selftest", str(SAMPLE), "--db", str(db)], tmp_path)
        assert second.returncode == 0, second.stderr
        assert "is open in another IMR Desktop; opening it read-only" in second.stderr
        assert json.loads(second.stdout)["pages"] >= 2
    finally:
        first.stdin.close()
        first.wait(30)
        first.stdout.close()


# --------------------------------------------------------------------------- banner
def test_network_folder_banner(qtbot, tmp_path: Path) -> None:
    db = tmp_path / "share" / "imr.sqlite"
    mounts = tmp_path / "mounts"
    mounts.write_text(f"/dev/vda / ext4 rw 0 0\nnas:/team {tmp_path / 'share'} nfs4 rw 0 0\n")
    window = make_window(qtbot, db)
    durability.install(window, mounts_file=mounts)
    assert window.banner.has_message("storage")
    text = window.banner.message_text("storage")
    assert "network drive (nfs4)" in text and "local disk" in text
    window.resize(1100, 700)
    qtbot.wait(50)
    shot = window.grab()
    assert not shot.isNull()
    shot.save(str(tmp_path / "network-banner.png"))
    # moving to a local database clears it
    local = tmp_path / "local.sqlite"
    assert window.open_database(local)
    assert not window.banner.has_message("storage")
    window.close()


# --------------------------------------------------------------------------- backups
def test_backups_on_open_and_while_changed_off_the_gui_thread(qtbot, tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    window = make_window(qtbot, db)
    d = durability.install(window, interval_ms=100)
    qtbot.waitUntil(lambda: [b.reason for b in list_backups(db, check=False)] == ["open"])
    open_and_wait(qtbot, window, SAMPLE)
    window.pdf_view.set_selection(200, 230)
    qtbot.keyClick(window.pdf_view, Qt.Key.Key_1)
    assert window.save_label.text() == "✓ Saved"
    # within a few timer ticks a periodic backup holds the new tag
    qtbot.waitUntil(lambda: list_backups(db)[0].annotations == live_count(db), timeout=5000)
    newest = list_backups(db)[0]
    assert newest.ok and newest.reason == "periodic"
    qtbot.waitUntil(lambda: not d.backups.busy)
    # nothing changes: the timer keeps firing, but no further backup is made
    count = len(list_backups(db, check=False))
    qtbot.wait(400)
    assert len(list_backups(db, check=False)) == count
    # the backups ran on a worker thread
    assert threading.main_thread() is threading.current_thread()
    window.close()
    assert not d.backups.busy and not d.backups.timer.isActive()


def test_back_up_now_and_a_failing_backup_is_shown(qtbot, tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    window = make_window(qtbot, db)
    d = durability.install(window)
    qtbot.waitUntil(lambda: not d.backups.busy)
    with qtbot.waitSignal(
        d.backups.made, timeout=5000, check_params_cb=lambda r, _p: r == "manual"
    ):
        d.backup_action.trigger()
    assert "Backed up to" in window.statusBar().currentMessage()
    shutil.rmtree(tmp_path / "backups")
    (tmp_path / "backups").write_text("not a folder")
    with qtbot.waitSignal(d.backups.failed, timeout=5000):
        d.backup_action.trigger()
    assert "backup failed" in window.banner.message_text("backup")
    assert "still saved" in window.banner.message_text("backup")
    window.close()


def test_file_menu_has_back_up_and_restore_after_open_database(qtbot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "a.sqlite")
    durability.install(window)
    file_menu = window.menuBar().actions()[0].menu()
    texts = [a.text() for a in file_menu.actions()]
    i = texts.index("Open &Database…")
    assert texts[i + 1 : i + 3] == ["&Back Up Now", "Restore from Bac&kup…"]
    window.close()


# --------------------------------------------------------------------------- restore
def test_restore_dialog_lists_and_restores_a_checked_backup(qtbot, tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    store = new_store(db, 3)
    good = make_backup(db, "open", now=datetime(2026, 3, 2, 8, 30, tzinfo=UTC))
    add_annotations(store, 4, offset=20)
    make_backup(db, "periodic", now=datetime(2026, 3, 2, 9, 40, tzinfo=UTC))
    add_annotations(store, 2, offset=40)
    bad = make_backup(db, "before-upgrade-from-v2", now=datetime(2026, 3, 3, 7, 5, tzinfo=UTC))
    flip_bytes(bad)
    window = make_window(qtbot, None, store=store)
    d = durability.install(window)
    qtbot.waitUntil(lambda: not d.backups.busy)  # its own "open" backup
    dialog = d.choose_backup()
    assert dialog is not None
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.checked, timeout=10_000):
        pass
    rows = [
        [dialog.tree.topLevelItem(r).text(c) for c in range(5)]
        for r in range(dialog.tree.topLevelItemCount())
    ]
    assert [r[1] for r in rows] == [
        "On open",
        "Before upgrade (schema 2)",
        "While working",
        "On open",
    ]
    assert rows[0][3] == "9" and rows[0][4] == "✓ OK"
    assert rows[1][4].startswith("✗ Damaged (") and rows[1][3] == "?"
    assert rows[2][3] == "7" and rows[3][3] == "3"
    assert all(r[2].endswith(("KB", "B")) for r in rows)
    dialog.tree.setCurrentItem(dialog.tree.topLevelItem(1))
    assert not dialog.restore_button.isEnabled(), "a damaged backup cannot be restored"
    dialog.tree.setCurrentItem(dialog.tree.topLevelItem(3))
    assert dialog.restore_button.isEnabled()
    dialog.resize(760, 300)
    shot = dialog.grab()
    assert not shot.isNull()
    shot.save(str(tmp_path / "restore-dialog.png"))
    chosen = dialog.selected()
    assert chosen is not None and chosen.path == good
    dialog.reject()

    open_and_wait(qtbot, window, SAMPLE)  # 9 annotations + the letter's suggestions
    replaced_count = live_count(db)
    assert replaced_count > 9
    assert d.restore(chosen)
    assert live_count(db) == 3
    assert window.store is not None and not window.store.read_only
    assert window.store.count_annotations("b" * 64) == 3, "the window reads the restored file"
    assert "Restored a.sqlite from the backup of" in window.banner.message_text("restore")
    qtbot.waitUntil(lambda: not d.backups.busy)
    replaced = [b for b in list_backups(db) if b.reason == "before-restore"]
    assert [b.annotations for b in replaced] == [replaced_count], "what was replaced is kept"
    # and the window goes on saving into the restored database
    open_and_wait(qtbot, window, SAMPLE)
    window.activateWindow()  # the dialog had the focus
    qtbot.waitUntil(window.isActiveWindow)
    window.pdf_view.set_selection(300, 320)
    qtbot.keyClick(window.pdf_view, Qt.Key.Key_1)
    assert window.save_label.text() == "✓ Saved", window.statusBar().currentMessage()
    assert len(live_rows(db)) == 4
    window.close()


def test_a_failed_restore_keeps_the_database_open(qtbot, tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    store = new_store(db, 3)
    backup = make_backup(db, "manual")
    window = make_window(qtbot, None, store=store)
    d = durability.install(window)
    qtbot.waitUntil(lambda: not d.backups.busy)
    info = next(b for b in list_backups(db) if b.path == backup)
    flip_bytes(backup)  # damaged after it was listed
    assert not d.restore(info)
    assert "Not restored" in window.banner.message_text("restore")
    assert window.store is not None and window.store.count_annotations() == 3
    window.close()


# --------------------------------------------------------------------------- damage
def _damaged_with_backups(tmp_path: Path) -> tuple[Path, Path]:
    db = tmp_path / "a.sqlite"
    store = new_store(db, 3)
    good = make_backup(db, "open", now=datetime(2026, 3, 2, 8, tzinfo=UTC))
    add_annotations(store, 300, offset=10)
    store.close()
    flip_bytes(db)
    return db, good


def test_damaged_database_dialog(qtbot, tmp_path: Path) -> None:
    db, _good = _damaged_with_backups(tmp_path)
    damage = startup.find_damage(db)
    assert damage is not None
    box = startup.damaged_database_box(damage)
    qtbot.addWidget(box)
    box.show()
    assert "is damaged" in box.text()
    assert "newest good backup is from" in box.informativeText()
    assert "(3 annotations)" in box.informativeText()
    assert box.defaultButton().text() == "Restore This Backup"
    assert sorted(b.text() for b in box.buttons()) == [
        "Quit",
        "Restore This Backup",
        "Start a New Database",
    ]
    box.grab().save(str(tmp_path / "damaged.png"))


@pytest.mark.parametrize("answer", [startup.RESTORE, startup.NEW, startup.QUIT])
def test_damaged_database_at_start_up(qtbot, tmp_path: Path, answer: str) -> None:
    db, _good = _damaged_with_backups(tmp_path)
    before = db.read_bytes()
    start = startup.open_database(
        str(db), None, Settings(), interactive=True, ask_damaged=lambda _d: answer
    )
    set_aside = [
        p for p in tmp_path.glob("a.sqlite.damaged-*") if not p.name.endswith(("-wal", "-shm"))
    ]
    if answer == startup.QUIT:
        assert start.exit_code == 0 and start.store is None
        assert db.read_bytes() == before and set_aside == [], "left as it was"
        return
    assert start.store is not None and start.problem is None
    assert len(set_aside) == 1 and set_aside[0].read_bytes() == before, "kept, not deleted"
    expected = 3 if answer == startup.RESTORE else 0
    assert start.store.count_annotations() == expected
    key, text, level = start.notices[0]
    assert key == "recovered" and level == "warning" and "was damaged" in text
    start.store.close()
    start.guard.release()


@pytest.mark.slow
def test_selftest_on_a_damaged_database_restores_the_newest_good_backup(tmp_path: Path) -> None:
    db, good = _damaged_with_backups(tmp_path)
    proc = _run(["--selftest", str(SAMPLE), "--db", str(db)], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "was damaged" in proc.stderr and "was restored" in proc.stderr
    assert json.loads(proc.stdout)["pages"] >= 2
    conn = sqlite3.connect(db)
    restored = conn.execute(
        "SELECT count(*) FROM annotations WHERE document = ? AND deleted = 0", ["b" * 64]
    ).fetchone()[0]
    conn.close()
    assert restored == 3, "the backup's annotations (the sample letter added suggestions)"
    assert [p for p in tmp_path.glob("a.sqlite.damaged-*") if not p.name.endswith(("-wal", "-shm"))]
    assert good.exists()


def test_automation_acks_only_committed_edits(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    commands = [
        {"op": "tag", "start": 100, "end": 140, "hotkey": 2},
        {"op": "tag", "start": 300, "end": 320},
        {"op": "undo"},
        {"op": "redo"},
        {"op": "tag", "start": 5, "end": 5},
        {"op": "status"},
    ]
    started = time.monotonic()
    proc = _run(
        ["--automation", str(SAMPLE), "--db", str(db)],
        tmp_path,
        input="\n".join(json.dumps(c) for c in commands) + "\n",
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("ready ")
    first, second, undone, redone, refused, status = lines[1:]
    assert first.startswith("ack ") and first.endswith(" added")
    assert undone == f"ack {second.split()[1]} removed"
    assert redone == f"ack {second.split()[1]} added"
    assert refused.startswith("fail ")
    state = json.loads(status.split(" ", 1)[1])
    assert state["saved"] == "✓ Saved" and state["read_only"] is False
    ids = {r["id"] for r in live_rows(db)}
    assert ids == {first.split()[1], second.split()[1]}
    assert time.monotonic() - started < 60
    assert os.path.exists(tmp_path / "backups")


def test_backup_settings_changed_in_preferences_apply_to_the_next_backup(
    qtbot, tmp_path: Path
) -> None:
    db = tmp_path / "a.sqlite"
    window = make_window(qtbot, db)
    d = durability.install(window)
    qtbot.waitUntil(lambda: not d.backups.busy)
    elsewhere = tmp_path / "elsewhere"
    window.settings.backups.folder = str(elsewhere)  # what Preferences › Backups does
    window.settings.backups.keep_recent = 1
    for _ in range(2):
        with qtbot.waitSignal(d.backups.made, timeout=5000) as made:
            d.backup_action.trigger()
        assert Path(made.args[1]).parent == elsewhere
    assert [b.reason for b in list_backups(db, folder=elsewhere)] == ["manual"], "kept 1"
    window.close()
