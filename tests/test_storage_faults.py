"""Storage faults during a save (issue 7, item 3): disk full and I/O errors.

The user sees "⚠ Not saved" and the reason, the selection stays so the tag can be
retried, nothing is acknowledged that is not on disk, and the retry saves once the fault
is gone. Disk full is SQLite's own SQLITE_FULL (``max_page_count``) and, where a mount
namespace can be made, a real full filesystem; I/O errors come from a connection that
fails COMMIT with the real error (tests/faults.py).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from imr_desktop.core.errors import StorageFault
from imr_desktop.core.model import Annotation, DocumentRecord
from imr_desktop.core.session import AnnotationSet
from imr_desktop.core.store import Store
from tests.faults import SQLITE_FULL, FaultPlan, faulty_connection, fill_database, make_room
from tests.proc_helpers import SAMPLE, child_env
from tests.ui_helpers import live_rows, make_window, open_and_wait

SHA = "c" * 64
TEXT = "The request for physical therapy is not medically necessary. " * 20


def _store_with_document(db: Path, **kwargs) -> Store:  # type: ignore[no-untyped-def]
    store = Store.open(db, **kwargs)
    store.upsert_document(
        DocumentRecord(sha256=SHA, path="l.txt", kind="text", page_count=1, size=1, text=TEXT)
    )
    return store


# --------------------------------------------------------------------------- core
def test_io_error_at_commit_saves_nothing_and_memory_is_unchanged(tmp_path: Path) -> None:
    plan = FaultPlan()
    db = tmp_path / "a.sqlite"
    store = _store_with_document(db, connection_factory=faulty_connection(plan))
    annotations = AnnotationSet(store, SHA, TEXT, "t")
    ann = annotations.new(4, 11, store.labels()[0])
    plan.failures = 1
    with pytest.raises(StorageFault, match="disk I/O error"):
        annotations.add(ann)
    assert plan.failed == 1
    assert len(annotations) == 0
    assert not store.db.conn.in_transaction, "the failed transaction was rolled back"
    assert live_rows(db) == []
    annotations.add(ann)  # the fault is gone: the same edit saves
    assert [r["id"] for r in live_rows(db)] == [ann.id]
    store.close()


def test_disk_full_is_reported_as_such_and_clears(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    store = _store_with_document(db)
    label = store.labels()[0]
    fill_database(store.db.conn, SHA, label.id)
    ann = Annotation.create(
        document=SHA, text=TEXT, start=0, end=3, label_id=label.id, annotator="t"
    )
    with pytest.raises(StorageFault, match="is full; the change was not saved"):
        store.add_annotation(ann)
    assert live_rows(db) == []
    make_room(store.db.conn)
    store.add_annotation(ann)
    assert [r["id"] for r in live_rows(db)] == [ann.id]
    store.close()


def test_injected_full_error_has_sqlites_code(tmp_path: Path) -> None:
    plan = FaultPlan(failures=1, code=SQLITE_FULL)
    store = _store_with_document(
        tmp_path / "b.sqlite", connection_factory=faulty_connection(FaultPlan())
    )
    assert plan.error().sqlite_errorcode == SQLITE_FULL
    assert store.db.conn.__class__.__name__ == "FaultyConnection"
    store.close()


# --------------------------------------------------------------------------- GUI
def _span(window) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    text = window.session.text
    start = text.index("medically necessary")
    return start, start + len("medically necessary")


def _manual_highlights(window) -> list:  # type: ignore[no-untyped-def,type-arg]
    return [h for h in window.pdf_view._highlights if not h.suggested]


def test_gui_disk_full_shows_not_saved_keeps_the_selection_and_retries(
    qtbot, tmp_path: Path
) -> None:
    db = tmp_path / "a.sqlite"
    window = make_window(qtbot, db)
    open_and_wait(qtbot, window, SAMPLE)
    view = window.pdf_view
    span = _span(window)
    label = window.labels.by_hotkey(2)
    fill_database(window.store.db.conn, window.session.info.sha256, label.id)

    view.set_selection(*span)
    qtbot.keyClick(view, Qt.Key.Key_2)
    assert window.save_label.text() == "⚠ Not saved"
    assert "is full" in window.banner.message_text("notsaved")
    assert view.selection() == span, "the selection stays for a retry"
    assert live_rows(db) == []
    assert _manual_highlights(window) == [], "nothing is drawn as saved"
    assert not window.actions_by_id["undo"].isEnabled()

    make_room(window.store.db.conn)  # the user frees some space
    qtbot.keyClick(view, Qt.Key.Key_2)
    assert window.save_label.text() == "✓ Saved"
    assert not window.banner.has_message("notsaved")
    rows = live_rows(db)
    assert [(r["start"], r["end"], r["label"]) for r in rows] == [(*span, "Decision")]
    assert [h.id for h in _manual_highlights(window)] == [rows[0]["id"]]
    assert view.selection() is None


def test_gui_io_error_at_commit_shows_not_saved_and_retry_saves_once(qtbot, tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    plan = FaultPlan()
    window = make_window(
        qtbot, db, store=Store.open(db, connection_factory=faulty_connection(plan))
    )
    open_and_wait(qtbot, window, SAMPLE)
    view = window.pdf_view
    span = _span(window)

    plan.failures = 1
    view.set_selection(*span)
    qtbot.keyClick(view, Qt.Key.Key_1)
    assert plan.failed == 1
    assert window.save_label.text() == "⚠ Not saved"
    assert "disk I/O error" in window.banner.message_text("notsaved")
    assert view.selection() == span
    assert live_rows(db) == []
    assert window.session.annotations is not None
    assert all(a.start != span[0] for a in window.session.annotations.manual())

    qtbot.keyClick(view, Qt.Key.Key_1)  # the fault has cleared
    assert window.save_label.text() == "✓ Saved"
    rows = live_rows(db)
    # exactly one row: the failed transaction was rolled back, not committed by the retry
    assert [(r["start"], r["end"]) for r in rows] == [span]


# --------------------------------------------------------------------------- a full disk
TINYFS_CHILD = r"""
import json, os, sqlite3, subprocess, sys
mnt, letter = sys.argv[1], sys.argv[2]
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", mnt], check=True)
db = os.path.join(mnt, "a.sqlite")
app = subprocess.Popen(
    [sys.executable, "-m", "imr_desktop", "--automation", letter, "--db", db],
    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
)
def ask(cmd):
    app.stdin.write(json.dumps(cmd) + "\n"); app.stdin.flush()
    return app.stdout.readline().strip()
ready = app.stdout.readline()
chars = json.loads(ready.split(" ", 1)[1])["chars"]
acked, answers = [], []
def tag(i):
    start = (i * 37) % (chars - 40)
    return {"op": "tag", "start": start, "end": start + 25, "hotkey": 1}
answers.append(ask(tag(0)))
filler = os.path.join(mnt, "filler")
fd = os.open(filler, os.O_WRONLY | os.O_CREAT)  # fill the filesystem to the last byte
for size in (65536, 4096, 1):
    try:
        while True:
            os.write(fd, b"\0" * size)
    except OSError:
        pass
os.close(fd)
failed = None
for i in range(1, 400):
    answer = ask(tag(i))
    answers.append(answer)
    if answer.startswith("fail"):
        failed = i
        break
status = json.loads(ask({"op": "status"}).split(" ", 1)[1])
os.remove(filler)  # space again
retry = ask(tag(failed)) if failed else None
ask({"op": "quit"})
app.wait(30)
acked = [a.split()[1] for a in answers + [retry or ""] if a.startswith("ack")]
conn = sqlite3.connect(db)
live = {r[0] for r in conn.execute("SELECT id FROM annotations WHERE deleted = 0")}
integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
print(json.dumps({"failed_at": failed, "fail": answers[-1] if failed else None,
                  "status": status, "retry": retry, "acked": len(acked),
                  "missing": [a for a in acked if a not in live], "integrity": integrity}))
"""


def _namespace_prefix() -> list[str] | None:
    """A command prefix that runs in a private mount namespace where mount works."""
    unshare = shutil.which("unshare")
    if unshare is None or sys.platform != "linux":
        return None
    for prefix in (
        [unshare, "--mount", "--propagation", "private"],
        [unshare, "--user", "--map-root-user", "--mount", "--propagation", "private"],
    ):
        probe = subprocess.run(
            [*prefix, "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt 2>/dev/null"],
            capture_output=True,
        )
        if probe.returncode == 0:
            return prefix
    return None


@pytest.mark.slow
def test_a_really_full_filesystem_gives_not_saved_then_retry_saves(tmp_path: Path) -> None:
    prefix = _namespace_prefix()
    if prefix is None:
        pytest.skip("needs a private mount namespace (unshare + mount) to make a tiny disk")
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    letter = tmp_path / "letter.txt"
    letter.write_text("The request for acupuncture is not medically necessary.\n" * 60)
    proc = subprocess.run(
        [*prefix, sys.executable, "-c", TINYFS_CHILD, str(mnt), str(letter)],
        capture_output=True,
        text=True,
        timeout=240,
        env=child_env(tmp_path),
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["failed_at"] is not None, "the disk never filled up"
    assert "is full" in result["fail"], result
    assert result["status"]["saved"] == "⚠ Not saved"
    assert result["status"]["selection"] is not None, "the selection stays for a retry"
    assert "notsaved" in result["status"]["banners"]
    assert result["retry"] and result["retry"].startswith("ack"), result
    assert result["missing"] == [], "every acknowledged tag is on disk"
    assert result["integrity"] == "ok"


def test_undo_that_cannot_be_saved_changes_nothing_and_says_so(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """An undo whose write fails leaves the annotation in memory and on disk alike."""
    from PySide6.QtCore import Qt

    from tests.ui_helpers import live_rows, make_window, open_and_wait

    letter = tmp_path / "l.txt"
    letter.write_text("The applicant reports low back pain.\n", encoding="utf-8")
    db = tmp_path / "u.sqlite"
    window = make_window(qtbot, db)
    open_and_wait(qtbot, window, letter)
    window.text_view.set_selection(4, 13)
    qtbot.keyClick(window.text_view, Qt.Key.Key_1)
    assert len(live_rows(db)) == 1
    window.store.read_only = True  # the next write is refused, as on a locked-down disk
    window.actions_by_id["undo"].trigger()
    assert len(live_rows(db)) == 1
    assert len(window.session.annotations.manual()) == 1
    assert window.save_label.text() == "⚠ Not saved"
    assert "Nothing was undone" in window.banner.message_text("notsaved")
    assert not window.session.undo_stack.canUndo()
