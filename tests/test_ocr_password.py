"""Encrypted scans: the OCR workers open them with the password the user typed to open
the letter. It reaches them only over spawn's pipe (never a command line, the
environment, a file or the database)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from imr_desktop.core.ocr.job import Failed, Finished, OcrJob
from tests import pdfgen, scangen
from tests.ui_helpers import make_window, open_and_wait

PASSWORD = pdfgen.USER_PASSWORD
OCR_TIMEOUT = 180_000  # ms


def _locked_scan() -> bytes:
    return scangen.encrypted_scan_bytes(pdfgen.letter_bytes(1), PASSWORD, pdfgen.OWNER_PASSWORD)


def _process_text(pid: int) -> bytes:
    """What anyone on the machine can read of a process: its command line (and, for its
    user, its environment)."""
    end = time.monotonic() + 10
    while time.monotonic() < end:  # until spawn has exec'd the worker's interpreter
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        if b"multiprocessing" in cmdline:
            return cmdline + Path(f"/proc/{pid}/environ").read_bytes()
        time.sleep(0.05)
    raise AssertionError(f"worker {pid} never started")


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs Linux /proc")
def test_workers_open_an_encrypted_scan_with_its_password(tessdata: Path) -> None:
    job = OcrJob(_locked_scan(), "locked.pdf", 1, tessdata=tessdata, password=PASSWORD)
    job.prepare()
    for proc in job._procs:
        assert proc.pid is not None
        assert PASSWORD.encode() not in _process_text(proc.pid)
    job.start()
    result = job.wait(timeout=OCR_TIMEOUT / 1000)
    assert isinstance(result, Finished), result
    assert "Page 1 of 1" in result.pages[0].chars.text


@pytest.mark.parametrize(
    ("password", "why"),
    [(None, "its password is needed"), ("not-it", "its password was not accepted")],
)
def test_without_its_password_ocr_says_why(tessdata: Path, password: str | None, why: str) -> None:
    job = OcrJob(_locked_scan(), "locked.pdf", 1, tessdata=tessdata, password=password)
    job.start()
    result = job.wait(timeout=60)
    assert isinstance(result, Failed)
    assert result.message == f"Text recognition of locked.pdf failed: {why}."
    assert not job.running


def test_an_encrypted_scan_is_recognised_in_the_window(
    qtbot, tmp_path: Path, tessdata: Path
) -> None:
    path = tmp_path / "locked-scan.pdf"
    path.write_bytes(_locked_scan())
    db = tmp_path / "db.sqlite"
    window = make_window(qtbot, db)
    open_and_wait(qtbot, window, path, password=PASSWORD)
    assert "has no text layer" in window.banner.message_text("text")
    [button] = [b for b in window.banner.actions("text") if b.text() == "Recognise text (OCR)"]
    with qtbot.waitSignal(window.ocr.finished, timeout=OCR_TIMEOUT):
        button.click()
    session = window.session
    assert session.extractor_version.startswith("ocr-")
    assert "Page 1 of 1" in session.text
    assert session.info.password == PASSWORD and PASSWORD not in repr(session.info)
    # nothing the app wrote (database, OCR cache, probe verdicts, settings) holds it
    window.close()
    window.store.close()
    written = [tmp_path, Path(os.environ["IMR_DESKTOP_DATA_DIR"]),
               Path(os.environ["IMR_DESKTOP_CONFIG_DIR"])]  # fmt: skip
    files = [f for folder in written if folder.exists() for f in folder.rglob("*") if f.is_file()]
    assert any(f.suffix == ".sqlite" for f in files)
    assert [f for f in files if PASSWORD.encode() in f.read_bytes()] == []
