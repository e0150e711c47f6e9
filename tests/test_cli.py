"""The command line as a user runs it: separate processes, real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pymupdf
import pytest

from imr_desktop import __version__
from tests.conftest import corpus_letter

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, tmp_path: Path, timeout: int = 60) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        IMR_DESKTOP_DATA_DIR=str(tmp_path / "data"),
        IMR_DESKTOP_CONFIG_DIR=str(tmp_path / "config"),
        PYTHONPATH=str(ROOT),
    )
    return subprocess.run(
        [sys.executable, "-m", "imr_desktop", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def _selftest_json(proc: subprocess.CompletedProcess) -> dict:
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1, proc.stdout
    return json.loads(lines[0])


def test_version(tmp_path: Path) -> None:
    proc = run_cli("--version", tmp_path=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"IMR Desktop {__version__}"


def test_selftest_opens_the_bundled_sample_by_default(tmp_path: Path) -> None:
    data = _selftest_json(run_cli("--selftest", tmp_path=tmp_path))
    assert data["pages"] >= 2
    assert data["chars"] > 2000
    assert 0 < data["startup_ms"] <= data["first_paint_ms"]
    # the sample's database lives in the user data folder
    assert (tmp_path / "data" / "imr-desktop.sqlite").exists()


def test_selftest_on_a_corpus_letter(tmp_path: Path) -> None:
    letter = corpus_letter("CM16-0219557.pdf")
    data = _selftest_json(
        run_cli("--selftest", str(letter), "--db", str(tmp_path / "x.db"), tmp_path=tmp_path)
    )
    assert data["pages"] == 2
    text = "".join(p.get_text() for p in pymupdf.open(letter))
    assert data["chars"] == len(text)
    assert (tmp_path / "x.db").exists()


def test_selftest_on_a_password_protected_pdf_fails_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "secret determination")
    doc.save(path, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="pw", owner_pw="owner")
    proc = run_cli("--selftest", str(path), tmp_path=tmp_path)
    assert proc.returncode != 0
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "password" in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("content,expect", [(b"", "empty"), (b"hello", "not a PDF")])
def test_selftest_on_bad_files_fails_with_one_line(
    tmp_path: Path, content: bytes, expect: str
) -> None:
    path = tmp_path / "bad.pdf"
    path.write_bytes(content)
    proc = run_cli("--selftest", str(path), tmp_path=tmp_path)
    assert proc.returncode != 0
    assert expect in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert path.read_bytes() == content  # never modified


def test_selftest_on_a_missing_file(tmp_path: Path) -> None:
    proc = run_cli("--selftest", str(tmp_path / "nope.pdf"), tmp_path=tmp_path)
    assert proc.returncode == 2
    assert "not found" in proc.stderr and "Traceback" not in proc.stderr


def test_selftest_with_a_newer_database_still_shows_the_letter(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "newer.sqlite"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version=42")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    data = _selftest_json(run_cli("--selftest", "--db", str(db), tmp_path=tmp_path))
    assert data["pages"] >= 2
    assert db.read_bytes() == before
