"""Command-line paths read untrusted files only in worker processes with a time and a
memory limit: ``imr-desktop extract`` and ``imr-desktop import`` (the library pool)."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path

import pytest

from imr_desktop.core.library.pool import MEMORY_LIMIT, ReaderPool
from imr_desktop.core.library.worker import READY, TOO_LARGE, ReadOptions
from imr_desktop.core.structure.batch import extract_paths
from tests import fuzzgen, pdfgen

ROOT = Path(__file__).resolve().parents[1]
BASIC = str(ROOT / "tests" / "fixtures" / "letters" / "dwc2016_basic.txt")
BOOT_S = 8.0  # interpreter, pymupdf and parser start-up on a loaded 2-core machine
CLI_FUZZ_FILES = 150  # every constructed kind, then mutants


def run_cli(*args: str, code: str | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-c", code] if code else [sys.executable, "-m", "imr_desktop"]
    return subprocess.run(
        [*cmd, "extract", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_a_hanging_file_is_given_up_at_the_time_limit_and_the_rest_extracted(
    tmp_path: Path,
) -> None:
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(fuzzgen.content_bomb())  # minutes of MuPDF work
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(pdfgen.letter_bytes(2))
    started = time.monotonic()
    proc = run_cli(str(bomb), BASIC, str(letter), "--json", "--time-limit", "2")
    elapsed = time.monotonic() - started
    assert proc.returncode == 1
    [line] = proc.stderr.splitlines()
    assert line == (
        f"imr-desktop extract: {bomb}: took longer than 2 s to read and was skipped "
        "(a damaged or hostile file?)"
    )
    assert elapsed < 2 + BOOT_S
    records = json.loads(proc.stdout)
    assert [r["source"] for r in records] == [BASIC, str(letter)]  # the order given
    assert records[0]["case_number"] == "CM16-0000101"


def test_a_bomb_fails_in_the_worker_against_its_memory_limit(tmp_path: Path) -> None:
    bomb = tmp_path / "font.pdf"
    bomb.write_bytes(fuzzgen.font_bomb())  # a 400 MB font
    # Python, MuPDF and the parser need ~150 MB of address space; the font does not fit
    [got, ok] = extract_paths([str(bomb), BASIC], memory_limit=300 * 2**20, time_limit=60)
    assert (got.path, got.record, got.error) == (str(bomb), None, TOO_LARGE)
    assert ok.record is not None and ok.record["case_number"] == "CM16-0000101"


def test_the_command_itself_never_parses_a_file(tmp_path: Path) -> None:
    cycle = tmp_path / "cycle.pdf"
    cycle.write_bytes(fuzzgen.page_tree_cycle())  # was a traceback that ended the batch
    code = (
        "import sys\n"
        "from imr_desktop.cli import main\n"
        "rc = main(sys.argv[1:])\n"
        "print('PARSERS', sorted(m for m in ('pymupdf', 'imr_desktop.core.structure.extract')"
        " if m in sys.modules), file=sys.stderr)\n"
        "sys.exit(rc)\n"
    )
    proc = run_cli(str(cycle), BASIC, "--json", code=code)
    assert proc.returncode == 1
    failure, parsers = proc.stderr.splitlines()
    assert failure == (
        f"imr-desktop extract: {cycle}: cycle.pdf is damaged and cannot be read "
        "(code=7: cycle in page tree)."
    )
    assert parsers == "PARSERS []"
    assert [r["source"] for r in json.loads(proc.stdout)] == [BASIC]


def test_passwords_reach_the_workers(tmp_path: Path) -> None:
    locked = tmp_path / "locked.pdf"
    locked.write_bytes(pdfgen.encrypted_bytes())
    proc = run_cli(str(locked), "--json")
    assert proc.returncode == 1 and "protected by a password" in proc.stderr
    proc = run_cli(str(locked), "--json", "--password", pdfgen.USER_PASSWORD)
    assert proc.returncode == 0, proc.stderr
    [record] = json.loads(proc.stdout)
    assert record["text_length"] > 0


def limits_reader(conn: Connection, _known: frozenset[str], _options: object) -> None:
    """A worker main loop that answers with its own address-space limit."""
    conn.send(READY)
    while conn.recv() is not None:
        conn.send(resource.getrlimit(resource.RLIMIT_AS))


def test_import_workers_have_a_memory_limit(tmp_path: Path) -> None:
    with ReaderPool(1, frozenset(), ReadOptions(), target=limits_reader) as pool:
        [limits] = [r for r in pool.imap(["any"]) if r is not None]
    assert limits == (MEMORY_LIMIT, MEMORY_LIMIT)
    bomb = tmp_path / "font.pdf"
    bomb.write_bytes(fuzzgen.font_bomb())
    small = ReaderPool(1, frozenset(), ReadOptions(), memory_limit=300 * 2**20)
    with small:
        [result] = [r for r in small.imap([str(bomb)]) if r is not None]
    assert (result.status, result.reason) == ("failed", TOO_LARGE)


@pytest.mark.slow
def test_extract_over_the_fuzz_corpus_accounts_for_every_file_in_one_line(
    tmp_path: Path,
) -> None:
    cases = list(fuzzgen.cases(CLI_FUZZ_FILES))
    for case in cases:
        (tmp_path / case.name).write_bytes(case.data)
    paths = [str(tmp_path / case.name) for case in cases]
    started = time.monotonic()
    proc = run_cli(*paths, "--json", "--time-limit", "5")
    assert time.monotonic() - started < 120
    assert proc.returncode == 1  # the corpus has unreadable files
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    failed = []
    for line in proc.stderr.splitlines():
        prefix, path, message = line.split(": ", 2)
        assert prefix == "imr-desktop extract" and path in paths, line
        assert message.rstrip()[-1] in ".)", line
        if "no text layer" not in message:
            failed.append(path)
    extracted = [r["source"] for r in json.loads(proc.stdout)]
    assert sorted(failed + extracted) == sorted(paths)  # each file exactly once
    by_name = {Path(p).name: p for p in failed}
    for case in cases:
        # (the app also refuses image bombs and huge pages, which it would draw; their
        # text is read without decoding an image)
        if case.kind in ("zero-pages", "parent-cycle", "content-bomb", "empty-file", "not-a-pdf"):
            assert case.name in by_name, case.name
        elif case.expect == "open" and case.kind != "2000-pages":  # may need > 5 s
            assert case.name not in by_name, case.name
