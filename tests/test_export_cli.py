"""The export, packet and import-annotations commands as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from imr_desktop.core.store import Store
from tests.export_helpers import add_document, annotate, letter_html, story_pdf

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), IMR_DESKTOP_DATA_DIR=str(tmp_path / "data"))
    return subprocess.run(
        [sys.executable, "-m", "imr_desktop", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def one_error_line(proc: subprocess.CompletedProcess, *words: str) -> None:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    for w in words:
        assert w in lines[0], lines[0]


@pytest.fixture
def db(tmp_path: Path) -> dict:
    store = Store.open(tmp_path / "lib.sqlite")
    pdf = story_pdf(tmp_path / "CM16-0219557.pdf", letter_html())
    loaded = add_document(store, pdf)
    sha = loaded.source.sha256
    ann = annotate(store, sha, loaded.text, "Tramadol 50mg #60: Upheld", note="n")
    store.close()
    return {"path": str(tmp_path / "lib.sqlite"), "sha": sha, "pdf": pdf, "ann": ann}


def test_export_and_import_round_trip_on_the_command_line(db: dict, tmp_path: Path) -> None:
    out = tmp_path / "x.jsonl"
    proc = cli(
        "export", "--db", db["path"], "--format", "jsonl", "--out", str(out), tmp_path=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    assert "exported 1 annotations of 1 documents" in proc.stderr
    assert "\r" not in proc.stderr  # no progress line when stderr is not a terminal
    (row,) = [json.loads(x) for x in out.read_text().splitlines()]
    assert row["spans"][0]["id"] == db["ann"].id

    new_db = tmp_path / "new.sqlite"
    proc = cli(
        "import-annotations", "--db", str(new_db), str(out), "--format", "jsonl", tmp_path=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    assert "imported 1 annotations into 1 documents" in proc.stderr
    store = Store.open(new_db)
    (ann,) = store.annotations(db["sha"])
    assert (ann.id, ann.start, ann.end, ann.note) == (
        db["ann"].id,
        db["ann"].start,
        db["ann"].end,
        "n",
    )


@pytest.mark.parametrize("ref", ["case", "sha", "path"])
def test_packet_by_case_number_sha_or_path(db: dict, tmp_path: Path, ref: str) -> None:
    value = {"case": "CM16-0219557", "sha": db["sha"], "path": str(db["pdf"])}[ref]
    out = tmp_path / "p.pdf"
    proc = cli("packet", "--db", db["path"], value, "--out", str(out), tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "1 highlights" in proc.stderr
    assert out.read_bytes().startswith(b"%PDF-")


def test_bad_input_gives_one_line_and_no_file(db: dict, tmp_path: Path) -> None:
    out = tmp_path / "p.pdf"
    one_error_line(
        cli("packet", "--db", db["path"], "CM99-0000000", "--out", str(out), tmp_path=tmp_path),
        "CM99-0000000",
    )
    one_error_line(
        cli(
            "export",
            "--db",
            db["path"],
            "--format",
            "csv",
            "--out",
            str(out),
            "--document",
            "0" * 64,
            tmp_path=tmp_path,
        ),
        "No document",
    )
    one_error_line(
        cli(
            "export",
            "--db",
            db["path"],
            "--format",
            "csv",
            "--out",
            str(tmp_path / "no" / "such" / "dir.csv"),
            tmp_path=tmp_path,
        ),
        "does not exist",
    )
    one_error_line(
        cli(
            "export",
            "--db",
            str(tmp_path / "missing.sqlite"),
            "--format",
            "csv",
            "--out",
            str(out),
            tmp_path=tmp_path,
        ),
        "Database not found",
    )
    Store.open(tmp_path / "empty.sqlite").close()
    one_error_line(
        cli(
            "export",
            "--db",
            str(tmp_path / "empty.sqlite"),
            "--format",
            "jsonl",
            "--out",
            str(out),
            tmp_path=tmp_path,
        ),
        "no documents",
    )
    db["pdf"].rename(tmp_path / "elsewhere.pdf")
    one_error_line(
        cli("packet", "--db", db["path"], db["sha"][:12], "--out", str(out), tmp_path=tmp_path),
        "moved or deleted",
    )
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_unwritable_out(db: dict, tmp_path: Path) -> None:
    if os.geteuid() == 0:  # root ignores mode bits; /proc refuses new files even to root
        target = Path("/proc/imr-desktop-test.jsonl")
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        target = locked / "x.jsonl"
    one_error_line(
        cli(
            "export",
            "--db",
            db["path"],
            "--format",
            "jsonl",
            "--out",
            str(target),
            tmp_path=tmp_path,
        ),
        "Cannot write",
    )
    assert not target.exists()


def test_out_is_a_folder(db: dict, tmp_path: Path) -> None:
    one_error_line(
        cli(
            "export",
            "--db",
            db["path"],
            "--format",
            "jsonl",
            "--out",
            str(tmp_path),
            tmp_path=tmp_path,
        ),
        "is a folder",
    )


def test_commands_do_not_import_qt() -> None:
    code = (
        "import sys, imr_desktop.cli as c\n"
        "from imr_desktop.commands import export, packet, import_annotations\n"
        "import imr_desktop.core.exports.packet, imr_desktop.core.exports.importers\n"
        "for f in ('jsonl','conll','hf-tokens','labelstudio','webanno','csv'):\n"
        "    from imr_desktop.core.exports import writer_class; writer_class(f)\n"
        "assert not [m for m in sys.modules if m.startswith('PySide6')], 'Qt imported'\n"
        "assert {'export','packet','import-annotations'} <= set(c.COMMANDS)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
