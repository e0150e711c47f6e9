"""``imr-desktop import`` and ``imr-desktop stats`` as a user runs them."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.library_helpers import bomb_pdf_bytes, build_known_library, write_letter
from tests.test_cli import ROOT, run_cli


def test_import_a_folder_then_again(tmp_path: Path) -> None:
    letters = tmp_path / "letters"
    for i in range(3):
        write_letter(letters / f"l{i}.txt", f"CM16-000000{i}")
    db = tmp_path / "out" / "lib.sqlite"
    proc = run_cli("import", str(letters), "--db", str(db), tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert "imported 3, skipped 0 as duplicate, relinked 0, failed 0" in proc.stderr
    again = run_cli("import", str(letters), "--db", str(db), tmp_path=tmp_path)
    assert again.returncode == 0
    assert "imported 0, skipped 3 as duplicate" in again.stderr
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM catalog").fetchone() == (3,)
    conn.close()


def test_import_reports_failures_and_exits_1(tmp_path: Path) -> None:
    write_letter(tmp_path / "in" / "good.txt", "CM16-0000001")
    (tmp_path / "in" / "bad.pdf").write_bytes(b"%PDF-1.7 garbage")
    db = tmp_path / "lib.sqlite"
    proc = run_cli(
        "import", str(tmp_path / "in"), str(tmp_path / "missing"), "--db", str(db),
        tmp_path=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert "imported 1," in lines[0] and "failed 2" in lines[0]
    assert any("bad.pdf: " in line and "damaged" in line for line in lines[1:])
    assert any(line.strip().endswith("missing: file not found") for line in lines[1:])
    assert "Traceback" not in proc.stderr


def test_import_json_summary(tmp_path: Path) -> None:
    write_letter(tmp_path / "in" / "good.txt", "CM16-0000001")
    (tmp_path / "in" / "note.txt").write_text("not a letter\n")
    proc = run_cli(
        "import", str(tmp_path / "in"), "--db", str(tmp_path / "l.sqlite"), "--json",
        tmp_path=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 1
    summary = json.loads(proc.stdout)
    assert (summary["total"], summary["imported"], summary["duplicates"]) == (2, 1, 0)
    assert [Path(f["path"]).name for f in summary["failed"]] == ["note.txt"]
    assert summary["cancelled"] is False


def test_import_refuses_bad_options_and_newer_databases(tmp_path: Path) -> None:
    write_letter(tmp_path / "in" / "good.txt", "CM16-0000001")
    bad = run_cli("import", str(tmp_path / "in"), "--db", "x.sqlite", "--workers", "0",
                  tmp_path=tmp_path)  # fmt: skip
    assert bad.returncode == 1 and "--workers" in bad.stderr
    db = tmp_path / "newer.sqlite"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version=99")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    proc = run_cli("import", str(tmp_path / "in"), "--db", str(db), tmp_path=tmp_path)
    assert proc.returncode == 1
    assert "newer version" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert db.read_bytes() == before


def test_ctrl_c_keeps_what_was_read_and_exits_130(tmp_path: Path) -> None:
    if not Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").exists():
        pytest.skip("needs Linux /proc/PID/task/PID/children to see the reader start")
    folder = tmp_path / "in"
    (folder / "0-bomb.pdf").parent.mkdir()
    # the bomb and enough letters after it keep the import busy: readers now refuse a
    # bomb fast (memory cap), and the whole folder must not be done before the Ctrl+C
    (folder / "0-bomb.pdf").write_bytes(bomb_pdf_bytes())
    for i in range(300):
        write_letter(folder / f"{i + 1:03}.txt", f"CM16-{i:07}")
    db = tmp_path / "lib.sqlite"
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "imr_desktop", "import", str(folder), "--db", str(db),
         "--workers", "1"],
        stderr=subprocess.PIPE, text=True, env=env,
        # a shell that started this run in the background ignores SIGINT, and the command
        # would inherit that: give it the default, as a terminal's Ctrl+C finds it
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    # until the reader process is started (the import is under way), or at most 1 s: a
    # reader started by another thread of the command is not listed there
    deadline = time.monotonic() + 1.0
    while not children.read_text().split() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the import ended before the Ctrl+C: give it more letters"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "cancelled after" in err and "Traceback" not in err
    conn = sqlite3.connect(db)
    docs = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    assert conn.execute("SELECT count(*) FROM catalog").fetchone()[0] == docs
    conn.execute("INSERT INTO catalog_fts (catalog_fts, rank) VALUES ('integrity-check', 1)")
    conn.close()


def test_stats_json(tmp_path: Path) -> None:
    from imr_desktop.core.store import Store

    db = tmp_path / "db" / "lib.sqlite"
    store = Store.open(db)
    build_known_library(store, tmp_path / "letters")
    store.close()
    proc = run_cli("stats", "--db", str(db), "--json", tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    figures = json.loads(proc.stdout)
    assert (figures["documents"], figures["annotations"], figures["items"]) == (5, 0, 6)
    assert "surgery" in {r["category"] for r in figures["outcomes_by_category"]}
    assert figures["outcomes_by_guideline_source"][0]["source"] == "MTUS"
    text = run_cli("stats", "--db", str(db), tmp_path=tmp_path)
    assert text.returncode == 0
    assert text.stdout.startswith("5 letters, 6 disputed items, 0 annotations")
    assert "Orthopedic Surgery" in text.stdout


def test_stats_on_a_missing_database(tmp_path: Path) -> None:
    proc = run_cli("stats", "--db", str(tmp_path / "nope.sqlite"), "--json", tmp_path=tmp_path)
    assert proc.returncode == 1
    assert "Database not found" in proc.stderr and proc.stdout == ""
    assert not (tmp_path / "nope.sqlite").exists()


def test_import_and_stats_never_import_qt(tmp_path: Path) -> None:
    write_letter(tmp_path / "in" / "a.txt", "CM16-0000001")
    db = tmp_path / "l.sqlite"
    code = (
        "import sys\n"
        "from imr_desktop.cli import main\n"
        f"assert main(['import', {str(tmp_path / 'in')!r}, '--db', {str(db)!r}]) == 0\n"
        f"assert main(['stats', '--db', {str(db)!r}, '--json']) == 0\n"
        "assert not [m for m in sys.modules if m.startswith('PySide6')], 'Qt imported'\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["documents"] == 1
