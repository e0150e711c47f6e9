"""Orphans in exports: never exported as if placed, counted where the user reads the
summary (report, command line, export dialog), listed by quote in case packets.

An orphan here keeps offsets that still happen to fit the text: the dangerous case,
which an export would otherwise write as an ordinary span.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from imr_desktop.core.exports import ExportError, export
from imr_desktop.core.exports.packet import NOT_PLACED_HEADING, write_packet
from imr_desktop.core.model import Annotation
from imr_desktop.core.store import Store
from imr_desktop.ui.export_dialog import ExportDialog
from imr_desktop.ui.job_dialog import SUMMARY
from tests.export_helpers import add_document, add_text_document, annotate, letter_html, story_pdf
from tests.test_export_cli import cli

ORPHAN_QUOTE = "MTUS Chronic Pain Medical Treatment"


def orphan(store: Store, ann: Annotation) -> None:
    """Mark ``ann`` as re-anchoring does when it cannot place it."""
    with store.transaction() as db:
        db.execute("UPDATE annotations SET anchor_status = 'orphan' WHERE id = ?", [ann.id])


@pytest.fixture
def library(tmp_path: Path) -> dict:
    store = Store.open(tmp_path / "lib.sqlite")
    pdf = story_pdf(tmp_path / "CM16-0219557.pdf", letter_html())
    loaded = add_document(store, pdf)
    sha, text = loaded.source.sha256, loaded.text
    placed = annotate(store, sha, text, "Tramadol 50mg #60: Upheld", note="first item")
    lost = annotate(store, sha, text, ORPHAN_QUOTE, "Guideline citation", note="which year?")
    orphan(store, lost)
    # a second letter whose only annotation is an orphan: nothing of it is exportable
    other = "Case Number: CM17-0000001\nTramadol 50mg #99: Overturned.\n"
    other_sha = add_text_document(store, other, "other.txt")
    orphan(store, annotate(store, other_sha, other, "Overturned"))
    store.close()
    return {
        "db": tmp_path / "lib.sqlite",
        "pdf": pdf,
        "sha": sha,
        "other": other_sha,
        "placed": placed,
        "lost": lost,
    }


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "labelstudio", "webanno"])
def test_training_exports_skip_orphans_and_count_them(
    library: dict, tmp_path: Path, fmt: str
) -> None:
    store = Store.open(library["db"], read_only=True)
    out = tmp_path / f"train.{fmt}"
    result = export(store, fmt, out)
    store.close()
    report = result.report
    assert (report.documents, report.spans) == (1, 1)  # the orphan-only letter is left out
    assert report.orphans == 2 and report.problems == {"orphan": 2}
    assert any(ORPHAN_QUOTE in m and "re-attach" in m for m in report.messages)
    written = "".join(p.read_text(encoding="utf-8") for p in result.paths)
    assert library["placed"].id in written
    assert library["lost"].id not in written and library["other"] not in written


def test_jsonl_has_only_placed_spans(library: dict, tmp_path: Path) -> None:
    store = Store.open(library["db"], read_only=True)
    result = export(store, "jsonl", tmp_path / "x.jsonl", documents=[library["sha"]])
    store.close()
    (row,) = [json.loads(line) for line in result.paths[0].read_text().splitlines()]
    assert [s["id"] for s in row["spans"]] == [library["placed"].id]
    assert "orphans" not in row


def test_nothing_but_orphans_says_they_need_reattaching(library: dict, tmp_path: Path) -> None:
    store = Store.open(library["db"])
    with store.transaction() as db:
        db.execute("DELETE FROM annotations WHERE id = ?", [library["placed"].id])
    with pytest.raises(ExportError, match="2 annotation\\(s\\) are not placed"):
        export(store, "jsonl", tmp_path / "x.jsonl")
    store.close()
    assert not (tmp_path / "x.jsonl").exists()


def test_command_line_summary_counts_skipped_orphans(library: dict, tmp_path: Path) -> None:
    out = tmp_path / "x.jsonl"
    proc = cli(
        "export", "--db", str(library["db"]), "--format", "jsonl", "--out", str(out),
        tmp_path=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    first = proc.stderr.splitlines()[0]
    assert first.startswith("exported 1 annotations of 1 documents")
    assert "skipped 2 not placed in their letter's text" in first
    assert "2 problems (2 orphan)" in proc.stderr


def test_export_dialog_summary_counts_skipped_orphans(qtbot, library: dict, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = Store.open(library["db"])
    dialog = ExportDialog(store, out_dir=tmp_path)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "1 annotated letter" in dialog.scope_library.text()  # the orphan-only one is not
    dialog.scope_library.setChecked(True)
    dialog.output.edit.setText(str(tmp_path / "lib.jsonl"))
    dialog.run_button.click()
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=30000)
    assert dialog.pages.currentIndex() == SUMMARY
    assert dialog.summary_title.text() == (
        "✓ Exported 1 annotation of 1 letter; skipped 2 not placed"
    )
    assert "2 problems (2 orphan)" in dialog.problems_label.text()
    assert ORPHAN_QUOTE in dialog.problems.toPlainText()
    dialog.close()
    store.close()


def test_packet_lists_orphans_on_the_summary_page_without_a_highlight(
    library: dict, tmp_path: Path
) -> None:
    store = Store.open(library["db"], read_only=True)
    out = tmp_path / "packet.pdf"
    result = write_packet(store, [library["sha"]], out)
    store.close()
    assert result.highlights == 1 and result.report.orphans == 1
    reader = PdfReader(out)
    nms = [
        str(a.get_object().get("/NM"))
        for page in reader.pages
        for a in page.get("/Annots") or []
        if a.get_object().get("/Subtype") == "/Highlight"
    ]
    assert nms == [library["placed"].id]
    summary = " ".join(reader.pages[0].extract_text().split())
    assert NOT_PLACED_HEADING in summary
    heading_at = summary.index(NOT_PLACED_HEADING)
    assert f"“{ORPHAN_QUOTE}”" in summary[heading_at:] and "which year?" in summary[heading_at:]
    assert "Annotations (1)" in summary

    proc = cli(
        "packet", "--db", str(library["db"]), library["sha"], "--out",
        str(tmp_path / "cli.pdf"), tmp_path=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "1 highlights, 1 not placed (listed on the summary page)" in proc.stderr
