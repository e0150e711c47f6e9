"""The export dialogs, driven like a user would: File menu, options, progress, summary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox

from imr_desktop.core.store import Store
from imr_desktop.ui import export_actions
from imr_desktop.ui.export_dialog import ExportDialog
from imr_desktop.ui.job_dialog import OPTIONS, SUMMARY
from imr_desktop.ui.packet_dialog import PacketDialog
from tests.export_helpers import add_text_document, annotate, letter_html, story_pdf
from tests.ui_helpers import make_window, open_and_wait

SHOTS = Path(os.environ.get("IMR_SCREENSHOTS", "/tmp/export2-shots"))


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Warnings the dialogs would show, captured instead of blocking the test."""
    shown: list[tuple[str, str]] = []

    def warning(_parent, title: str, text: str, *_a, **_k):  # type: ignore[no-untyped-def]
        shown.append((title, text))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", warning)
    return shown


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    urls: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: urls.append(url.toLocalFile()))
    return urls


@pytest.fixture
def annotated(qtbot, tmp_path: Path) -> dict:  # type: ignore[no-untyped-def]
    """The main window with a generated letter open and three annotations on it."""
    db = tmp_path / "lib.sqlite"
    pdf = story_pdf(tmp_path / "CM16-0219557.pdf", letter_html(items=3, filler=4))
    window = make_window(qtbot, db)
    open_and_wait(qtbot, window, pdf)
    store, sha, text = window.store, window.session.info.sha256, window.session.text
    anns = [
        annotate(store, sha, text, "Tramadol 50mg #60: Upheld", note="first item"),
        annotate(store, sha, text, "MTUS Chronic Pain", "Guideline citation"),
        annotate(store, sha, text, "Upheld", "Summary fact", annotator="bob", occurrence=1),
    ]
    # another letter in the library, which "this letter" must leave out
    other = "Case Number: CM17-0000001\nTramadol 50mg #99: Overturned.\n"
    annotate(store, add_text_document(store, other, "other.txt"), other, "Overturned")
    return {"window": window, "db": db, "pdf": pdf, "sha": sha, "text": text, "anns": anns}


def _run(qtbot, dialog, timeout: int = 30000) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=timeout)


def _shot(widget, name: str) -> Path:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    assert widget.grab().save(str(path))
    return path


def test_export_menu_actions_and_shortcuts(annotated: dict) -> None:
    window = annotated["window"]
    a = window.actions_by_id
    assert a["export_data"].shortcut().toString() == "Ctrl+Shift+E"
    assert a["export_packet"].shortcut().toString() == "Ctrl+Shift+P"
    file_menu = window.menuBar().actions()[0].menu()
    assert a["export_data"] in file_menu.actions() and a["export_packet"] in file_menu.actions()


def test_export_this_letter_to_jsonl_matches_the_database(
    qtbot, annotated: dict, tmp_path: Path, errors: list, opened: list
) -> None:  # type: ignore[no-untyped-def]
    window = annotated["window"]
    dialog = export_actions.export_dialog(window)
    assert dialog is not None
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.scope_document.isChecked()  # the open letter is the default scope
    assert "2 annotated letters" in dialog.scope_library.text()
    out = tmp_path / "out" / "train.jsonl"
    out.parent.mkdir()
    dialog.output.edit.setText(str(out))
    _shot(dialog, "export-dialog-options.png")
    _run(qtbot, dialog)
    assert errors == []
    assert dialog.pages.currentIndex() == SUMMARY
    assert dialog.summary_title.text() == "✓ Exported 3 annotations of 1 letter"
    _shot(dialog, "export-dialog-summary.png")

    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == [annotated["sha"]]
    row = rows[0]
    assert row["text"] == annotated["text"]
    db_rows = {
        a.id: a
        for a in Store.open(annotated["db"], read_only=True).annotations(
            annotated["sha"], origin="manual"
        )
    }
    assert {s["id"] for s in row["spans"]} == set(db_rows) == {a.id for a in annotated["anns"]}
    for s in row["spans"]:
        a = db_rows[s["id"]]
        assert (s["start"], s["end"], s["text"], s["note"], s["annotator"]) == (
            a.start,
            a.end,
            a.exact,
            a.note,
            a.annotator,
        )
        assert row["text"][s["start"] : s["end"]] == s["text"]
    from datasets import load_dataset

    assert load_dataset("json", data_files=str(out), split="train").num_rows == 1

    qtbot.mouseClick(dialog.folder_button, Qt.MouseButton.LeftButton)
    assert opened == [str(out.parent)]


def test_whole_library_spacy_with_split_reports_misaligned_spans(
    qtbot, annotated: dict, tmp_path: Path, errors: list
) -> None:  # type: ignore[no-untyped-def]
    store = annotated["window"].store
    # a partial word: in the file, but reported since spacy train would not learn it
    annotate(store, annotated["sha"], annotated["text"], "ramadol 50mg #61", "Decision")
    dialog = export_actions.export_dialog(annotated["window"])
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.scope_library.setChecked(True)
    dialog.format.setCurrentIndex(dialog.format.findData("spacy"))
    dialog.split.setCurrentIndex(dialog.split.findData("custom"))
    dialog.custom_split.setText("50/50")
    dialog.output.edit.setText(str(tmp_path / "lib.spacy"))
    assert dialog.files_hint.text() == "Writes lib.train.spacy, lib.test.spacy."
    _run(qtbot, dialog)
    assert errors == []
    assert dialog.summary_title.text() == "✓ Exported 5 annotations of 2 letters"
    assert {p.name for p in dialog.summary.files} <= {"lib.train.spacy", "lib.test.spacy"}
    assert "1 problem (1 misaligned)" in dialog.problems_label.text()
    assert "ramadol 50mg #61" in dialog.problems.toPlainText()
    assert dialog.problems.isVisibleTo(dialog)
    _shot(dialog, "export-dialog-problems.png")


def test_cancel_leaves_no_file(
    qtbot, annotated: dict, tmp_path: Path, errors: list, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from imr_desktop.ui.export_jobs import ExportThread

    # the worker holds at its first letter until the user has pressed Cancel, so the
    # test does not race a fast export
    original = ExportThread._progress

    def held(self, done: int, total: int) -> None:  # type: ignore[no-untyped-def]
        original(self, done, total)
        self._cancel.wait(10)

    monkeypatch.setattr(ExportThread, "_progress", held)
    dialog = export_actions.export_dialog(annotated["window"])
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.scope_library.setChecked(True)
    dialog.format.setCurrentIndex(dialog.format.findData("spacy"))
    out_dir = tmp_path / "cancelled"
    out_dir.mkdir()
    dialog.output.edit.setText(str(out_dir / "all.spacy"))
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.progress_bar.maximum() == 2)
    assert dialog.progress_label.text() == "Exporting: letter 1 of 2"
    _shot(dialog, "export-dialog-progress.png")
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.is_running())
    assert errors == []
    assert dialog.pages.currentIndex() == OPTIONS
    assert dialog.notice.text() == "The export was cancelled; no file was written."
    assert dialog.isVisible()
    assert list(out_dir.iterdir()) == []


def test_unwritable_folder_shows_one_line_and_no_traceback(
    qtbot, annotated: dict, tmp_path: Path, errors: list, capfd
) -> None:  # type: ignore[no-untyped-def]
    dialog = export_actions.export_dialog(annotated["window"])
    qtbot.addWidget(dialog)
    dialog.show()
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):
            target = tmp_path / "missing" / "x.jsonl"  # root ignores modes: a missing folder
        else:
            target = locked / "x.jsonl"
        dialog.output.edit.setText(str(target))
        _run(qtbot, dialog)
    finally:
        locked.chmod(0o700)
    assert len(errors) == 1
    title, message = errors[0]
    assert title == "The export failed"
    assert message.startswith(f"Cannot write {target}")
    assert "\n" not in message and "Traceback" not in message
    assert "Traceback" not in capfd.readouterr().err
    assert dialog.pages.currentIndex() == OPTIONS and not target.exists()


def test_bad_custom_split_is_refused_before_running(
    qtbot, annotated: dict, tmp_path: Path, errors: list
) -> None:  # type: ignore[no-untyped-def]
    dialog = export_actions.export_dialog(annotated["window"])
    qtbot.addWidget(dialog)
    dialog.split.setCurrentIndex(dialog.split.findData("custom"))
    dialog.custom_split.setText("80/30")
    dialog.output.edit.setText(str(tmp_path / "x.jsonl"))
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    assert not dialog.is_running() and dialog.job is None
    assert len(errors) == 1 and "80/30" in errors[0][1]


def test_format_choice_sets_suffix_and_deidentify(qtbot, annotated: dict) -> None:  # type: ignore[no-untyped-def]
    dialog = export_actions.export_dialog(annotated["window"])
    qtbot.addWidget(dialog)
    dialog.deidentify.setChecked(True)
    dialog.format.setCurrentIndex(dialog.format.findData("webanno"))
    assert dialog.output.path().name == "CM16-0219557-annotations.jsonld"
    # web annotations point into the original text: de-identifying cannot apply
    assert not dialog.deidentify.isEnabled() and not dialog.request().deidentify
    dialog.format.setCurrentIndex(dialog.format.findData("labelstudio"))
    assert dialog.output.path().suffix == ".json"
    assert "CM16-0219557-annotations.config.xml" in dialog.files_hint.text()
    assert dialog.deidentify.isEnabled()


def test_selection_hook_is_offered_and_exported(
    qtbot, annotated: dict, tmp_path: Path, errors: list
) -> None:  # type: ignore[no-untyped-def]
    store = annotated["window"].store
    dialog = ExportDialog(store, selection=[annotated["sha"]], out_dir=tmp_path)
    qtbot.addWidget(dialog)
    assert dialog.scope_selection.isChecked() and "1 letter" in dialog.scope_selection.text()
    assert not dialog.scope_document.isEnabled()  # no open letter was given
    assert dialog.request().documents == (annotated["sha"],)
    _run(qtbot, dialog)
    assert dialog.summary_title.text() == "✓ Exported 3 annotations of 1 letter"


def test_packet_from_the_gui_has_one_highlight_per_annotation(
    qtbot, annotated: dict, tmp_path: Path, errors: list, opened: list
) -> None:  # type: ignore[no-untyped-def]
    dialog = export_actions.packet_dialog(annotated["window"])
    assert isinstance(dialog, PacketDialog)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.output.path().name == "CM16-0219557-packet.pdf"
    out = tmp_path / "packets" / "p.pdf"
    out.parent.mkdir()
    dialog.output.edit.setText(str(out))
    _shot(dialog, "packet-dialog-options.png")
    _run(qtbot, dialog, timeout=60000)
    assert errors == []
    assert dialog.pages.currentIndex() == SUMMARY
    assert dialog.open_button.isVisibleTo(dialog)
    _shot(dialog, "packet-dialog-summary.png")

    reader = PdfReader(out)
    notes = [
        ref.get_object()
        for page in reader.pages
        for ref in page.get("/Annots") or []
        if ref.get_object()["/Subtype"] == "/Highlight"
    ]
    assert sorted(str(n["/NM"]) for n in notes) == sorted(a.id for a in annotated["anns"])
    assert f"{len(notes)} highlights" in dialog.summary_title.text()
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert opened == [str(out)]


def test_packet_errors_and_cancel(qtbot, annotated: dict, tmp_path: Path, errors: list) -> None:  # type: ignore[no-untyped-def]
    dialog = export_actions.packet_dialog(annotated["window"])
    qtbot.addWidget(dialog)
    dialog.show()
    target = tmp_path / "no-such-folder" / "p.pdf"
    dialog.output.edit.setText(str(target))
    _run(qtbot, dialog, timeout=60000)
    assert errors == [
        ("The packet failed", f"Cannot write {target}: the folder {target.parent} does not exist.")
    ]
    # cancelled before the worker gets going: nothing is written
    out = tmp_path / "c.pdf"
    dialog.output.edit.setText(str(out))
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=60000)
    assert dialog.notice.text() == "The packet was cancelled; no file was written."
    assert [p for p in tmp_path.iterdir() if p.name.startswith((".c.pdf", "c.pdf"))] == []
    assert len(errors) == 1


def test_training_data_exports_do_not_touch_pymupdf(tmp_path: Path) -> None:
    """The dialog runs these exports on a thread: they must not use pymupdf, which the
    GUI's render thread owns."""
    store = Store.open(tmp_path / "t.sqlite")
    text = "Case Number: CM16-0219557\nTramadol 50mg #60: Upheld.\n"
    annotate(store, add_text_document(store, text), text, "Tramadol 50mg #60: Upheld")
    store.close()
    code = (
        "import sys\n"
        "from imr_desktop.core.store import Store\n"
        "from imr_desktop.core.exports import FORMATS, export\n"
        "s = Store.open(sys.argv[1], read_only=True)\n"
        "for f in FORMATS:\n"
        "    export(s, f, sys.argv[2] + '/x.' + f, split='50/50', include_suggestions=True)\n"
        "print('pymupdf' in sys.modules, 'fitz' in sys.modules)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "t.sqlite"), str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert proc.stdout.split() == ["False", "False"]
