"""The system's ``tesseract`` program as the OCR engine (``core/ocr/program.py``): chosen
when installed and usable, the built-in engine otherwise or on request, a failure falls
back without losing the page, and the program dies with the worker that started it."""

from __future__ import annotations

import multiprocessing
import os
import signal
import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pymupdf
import pytest

from imr_desktop.core.ocr import engine, program
from tests import scangen
from tests.conftest import corpus_letter


@pytest.fixture(autouse=True)
def fresh_lookup(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(program.ENV_VAR, raising=False)
    monkeypatch.setattr(program, "_failed", False)
    program.find.cache_clear()
    yield
    program.find.cache_clear()


def _real_program() -> str:
    found = program.find()
    if found is None:
        pytest.skip("the tesseract program is not installed (apt install tesseract-ocr)")
    return found[0]


def _fake_program(folder: Path, body: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ``tesseract`` script first on PATH."""
    folder.mkdir(exist_ok=True)
    script = folder / "tesseract"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    program.find.cache_clear()
    return script


def _strip(dpi: int = 200) -> tuple[pymupdf.Pixmap, pymupdf.Rect, str]:
    """A clean grey image of the top third of a letter's second page, and its text."""
    with pymupdf.open(corpus_letter("CM16-0219557.pdf")) as doc:
        page = doc[1]
        rect = pymupdf.Rect(0, 0, page.rect.width, page.rect.height / 3)
        pix = page.get_pixmap(dpi=dpi, clip=rect, colorspace=pymupdf.csGRAY, alpha=False)
        # the words wholly inside (a line the edge cuts through is half-read)
        words = [w[4] for w in page.get_text("words") if w[3] <= rect.y1 - 2]
        return pix, rect, " ".join(words)


def _text(blocks: list[dict]) -> str:
    return " ".join(engine._line_text(line) for b in blocks for line in b["lines"])


def test_engine_choice_from_the_environment() -> None:
    assert program.wanted({}) == "auto"
    assert program.wanted({program.ENV_VAR: " Builtin "}) == "builtin"
    assert program.wanted({program.ENV_VAR: "program"}) == "program"
    assert program.wanted({program.ENV_VAR: "gpu"}) == "auto"  # unknown: the default


def test_builtin_on_request_hides_the_program(monkeypatch: pytest.MonkeyPatch) -> None:
    _real_program()
    monkeypatch.setenv(program.ENV_VAR, "builtin")
    program.find.cache_clear()
    assert program.find() is None and not program.available()


def test_an_old_or_silent_program_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_program(tmp_path, 'echo "tesseract 3.05.02"', monkeypatch)
    assert program.find() is None  # no LSTM engine, no text-only PDF
    _fake_program(tmp_path, "exit 0", monkeypatch)
    assert program.find() is None


def test_the_program_reads_what_the_builtin_engine_reads(
    tessdata: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _real_program()
    pix, rect, born = _strip()
    texts = {}
    for choice in ("program", "builtin"):
        monkeypatch.setenv(program.ENV_VAR, choice)
        program.find.cache_clear()
        blocks = engine._ocr(pix, rect, tessdata)
        texts[choice] = _text(blocks)
        # boxes in page points, inside the strip that was read
        boxes = [
            ch["bbox"]
            for b in blocks
            for ln in b["lines"]
            for s in ln["spans"]
            for ch in s["chars"]
        ]
        assert boxes and all(rect.x0 - 1 <= x0 and y1 <= rect.y1 + 8 for x0, _, _, y1 in boxes)
    for text in texts.values():
        assert scangen.word_recovery(born, text) >= 0.97


def test_the_program_is_used_when_installed(
    tmp_path: Path, tessdata: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = _real_program()
    log = tmp_path / "calls.txt"
    # a wrapper that records each call, then runs the real program
    _fake_program(tmp_path / "bin", f'echo "$@" >> {log}\nexec {real} "$@"', monkeypatch)
    assert program.find() is not None
    pix, rect, _born = _strip()
    blocks = engine._ocr(pix, rect, tessdata)
    calls = log.read_text().splitlines()
    assert any("--psm 6" in c and "--dpi 200" in c and c.endswith("pdf") for c in calls), calls
    assert blocks


def test_a_failing_program_falls_back_to_the_builtin_engine(
    tmp_path: Path, tessdata: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # claims to be Tesseract 5, but fails on every image
    body = 'case "$1" in --version) echo "tesseract 5.3.0";; *) echo broken >&2; exit 3;; esac'
    _fake_program(tmp_path, body, monkeypatch)
    assert program.available()
    pix, rect, born = _strip()
    blocks = engine._ocr(pix, rect, tessdata)  # the page is still read
    text = _text(blocks)
    assert scangen.word_recovery(born, text) >= 0.97
    assert not program.available()  # and the rest of the job does not try it again
    monkeypatch.setenv(program.ENV_VAR, "program")  # asked for by name: the error shows
    monkeypatch.setattr(program, "_failed", False)
    with pytest.raises(program.ProgramFailed, match="broken"):
        engine._ocr(pix, rect, tessdata)


def _recognise_forever(image: bytes, tessdata: str) -> None:
    while True:
        program.ocr_pdf(image, 300, "eng", Path(tessdata))


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc and prctl")
def test_the_program_dies_with_its_worker(tessdata: Path) -> None:
    _real_program()
    data = scangen.fax_of(corpus_letter("CM16-0219557.pdf"))
    with pymupdf.open(stream=data) as doc:
        image = doc[0].get_pixmap(dpi=300, colorspace=pymupdf.csGRAY).tobytes("pnm")
    worker = multiprocessing.get_context("spawn").Process(
        target=_recognise_forever, args=(image, str(tessdata)), daemon=True
    )
    worker.start()
    try:
        deadline = time.monotonic() + 20
        while not (children := _children(worker.pid)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert children, "the worker never started the program"
        os.kill(worker.pid, signal.SIGKILL)  # as a cancelled OCR job kills its workers
        worker.join(5)
        deadline = time.monotonic() + 5
        while any(Path(f"/proc/{c}").exists() for c in children) and time.monotonic() < deadline:
            time.sleep(0.05)
        alive = [c for c in children if Path(f"/proc/{c}/stat").exists()]
        # a zombie no one reaps is gone for good: only a running program would be a leak
        running = [
            c
            for c in alive
            if (Path(f"/proc/{c}/stat").read_text().rsplit(")", 1)[1].split()[0]) != "Z"
        ]
        assert not running
    finally:
        if worker.is_alive():
            worker.kill()
