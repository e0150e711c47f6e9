"""``imr-desktop extract``: JSON shape, unreadable files, human summary, no Qt."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pymupdf

ROOT = Path(__file__).resolve().parents[1]
LETTERS = Path(__file__).parent / "fixtures" / "letters"
BASIC = str(LETTERS / "dwc2016_basic.txt")
MODIFIED = str(LETTERS / "dwc2016_modified.txt")

RECORD_FIELDS = {  # named exactly as in corpus/expected.json
    "case_number", "date_assigned", "date_of_injury", "decision_date", "ur_denial_date",
    "application_received", "priority", "licensure", "specialties", "items", "final_outcome",
}  # fmt: skip
ITEM_FIELDS = {
    "heading", "request", "original_request", "authorized", "outcome",
    "claims_administrator_guideline", "maximus_guideline", "rationale",
}  # fmt: skip


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "imr_desktop", "extract", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_json_array_with_one_record_per_file() -> None:
    proc = run_cli(BASIC, MODIFIED, "--json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    records = json.loads(proc.stdout)
    assert [r["source"] for r in records] == [BASIC, MODIFIED]  # the paths as given
    rec = records[0]
    assert rec.keys() >= RECORD_FIELDS
    assert rec["case_number"] == "CM16-0000101"
    assert rec["licensure"] == ["Oregon", "California"]
    assert rec["final_outcome"] == "Partially Overturned"
    item = rec["items"][1]
    assert item.keys() >= ITEM_FIELDS
    assert "rationale_start" not in item  # the whole rationale instead
    assert item["outcome"] == "Overturned"
    # spans beside the values, and parsed citations
    text = Path(BASIC).read_text(encoding="utf-8")
    s, e = rec["spans"]["case_number"]
    assert text[s:e] == "CM16-0000101"
    s, e = item["spans"]["outcome"]
    assert text[s:e] == "Overturned"
    assert [len(p) for p in rec["spans"]["licensure"]] == [2, 2]
    cit = rec["citations"][0]
    assert {"item", "role", "source", "document", "year", "sections", "pages", "start", "end"} <= (
        cit.keys()
    )
    assert (cit["source"], cit["document"], cit["year"]) == (
        "MTUS",
        "Neck and Upper Back Complaints",
        2004,
    )
    assert records[1]["items"][1]["authorized"] == "acupuncture, 4 visits"


def test_unreadable_files_are_reported_and_skipped(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.pdf")
    fake = tmp_path / "fake.pdf"
    fake.write_text("not a pdf at all", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    proc = run_cli(missing, BASIC, str(fake), str(empty), MODIFIED, "--json")
    assert proc.returncode != 0
    lines = proc.stderr.splitlines()
    assert len(lines) == 3, proc.stderr  # one line per bad file, no traceback
    assert "Traceback" not in proc.stderr
    assert "missing.pdf" in lines[0] and "not found" in lines[0].lower()
    assert "fake.pdf" in lines[1] and "not a PDF" in lines[1]
    assert "empty.txt" in lines[2] and "empty" in lines[2]
    records = json.loads(proc.stdout)
    assert [r["source"] for r in records] == [BASIC, MODIFIED]


def test_pdf_input_and_pdf_without_text(tmp_path: Path) -> None:
    letter = tmp_path / "letter.pdf"
    doc = pymupdf.open()
    page = doc.new_page()
    for k, line in enumerate(Path(BASIC).read_text(encoding="utf-8").splitlines()[:20]):
        page.insert_text((72, 60 + 13 * k), line, fontsize=9)
    doc.save(letter)
    scan = tmp_path / "scan.pdf"
    doc = pymupdf.open()
    doc.new_page()
    doc.save(scan)
    proc = run_cli(str(letter), str(scan), "--json")
    assert proc.returncode == 0
    assert "scan.pdf" in proc.stderr and "no text layer" in proc.stderr
    first, second = json.loads(proc.stdout)
    assert first["case_number"] == "CM16-0000101"
    assert first["date_of_injury"] == "2014-04-22"
    assert second["items"] == [] and second["text_length"] == 0


def test_human_summary() -> None:
    proc = run_cli(BASIC)
    assert proc.returncode == 0
    out = proc.stdout
    assert out.startswith(BASIC)
    assert "CM16-0000101" in out
    assert "Partially Overturned" in out
    assert " 2. Overturned Wrist brace, right: trial for 30 days" in out
    assert "guidelines: MTUS, ODG" in out


def test_extract_never_imports_qt() -> None:
    code = (
        "import sys\n"
        "from imr_desktop.cli import main\n"
        f"rc = main(['extract', {BASIC!r}, '--json'])\n"
        "qt = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "print('QT-MODULES', qt, file=sys.stderr)\n"
        "sys.exit(rc)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert "QT-MODULES []" in proc.stderr
    assert json.loads(proc.stdout)[0]["case_number"] == "CM16-0000101"
