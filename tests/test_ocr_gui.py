"""Scanned letters in the window: the OCR offer, progress and Cancel, the recognised
text selectable and taggable like any text, marked as OCR in the UI and in exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressBar

from imr_desktop.core.exports import export
from imr_desktop.core.ocr import tessdata as tessdata_module
from imr_desktop.core.ocr.tessdata import APT_PACKAGE, ENV_VAR
from tests.ui_helpers import live_rows, make_window, open_and_wait

OCR_TIMEOUT = 180_000  # ms; a page is a few CPU-seconds, CI machines are busy


def _button(window, text: str):  # type: ignore[no-untyped-def]
    buttons = [b for b in window.banner.actions("text") if b.text() == text]
    assert buttons, [b.text() for b in window.banner.actions("text")]
    return buttons[0]


def _recognise(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    _button(window, "Recognise text (OCR)").click()
    assert window.ocr.running
    bar = window.ocr.bar
    assert isinstance(bar, QProgressBar)
    # a row added to a banner already on screen is shown on the next event-loop turn
    qtbot.waitUntil(bar.isVisible, timeout=2000)
    assert bar.window() is window  # in the banner row, above the page
    assert [b.text() for b in window.banner.actions("text")] == ["Cancel"]
    with qtbot.waitSignal(window.ocr.finished, timeout=OCR_TIMEOUT):
        pass


def test_scan_is_recognised_then_selected_tagged_and_exported_as_ocr(
    qtbot, tmp_path: Path, clean_scan_pdf: Path, tessdata: Path
) -> None:
    db = tmp_path / "db.sqlite"
    window = make_window(qtbot, db)
    open_and_wait(qtbot, window, clean_scan_pdf)
    assert "has no text layer" in window.banner.message_text("text")
    assert window.session.text.strip() == ""

    _recognise(qtbot, window)

    session = window.session
    assert session.extractor_version.startswith("ocr-")
    assert "Text recognised by OCR" in window.banner.message_text("text")
    assert "1 page at 200 dpi" in window.banner.message_text("text")
    assert window.ocr.badge.isVisible() and window.ocr.badge.text() == "Text: OCR"
    assert not window.banner.has_message("reanchor")  # no "the text changed" for a scan
    stored = window.store.document(session.info.sha256)
    assert stored.extractor_version.startswith("ocr-") and stored.text == session.text
    assert "Page 1 of 1" in session.text

    # select a word with the mouse, exactly as on born-digital text, and tag it
    view = window.pdf_view
    start = session.text.index("examination")
    point = view.point_for_offset(start + 3)
    assert point is not None
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert view.selection() == (start, start + len("examination"))
    assert view.selected_text() == "examination"
    label = next(iter(window.labels))
    window.tag_selection(label.id)
    rows = live_rows(db)
    assert [(r["start"], r["exact"]) for r in rows] == [(start, "examination")]
    assert view._page_highlights(0)  # drawn on the page

    out = tmp_path / "out.jsonl"
    export(window.store, "jsonl", out)
    [record] = [json.loads(line) for line in out.read_text().splitlines()]
    assert record["meta"]["extractor_version"].startswith("ocr-")


def test_reopened_scan_keeps_its_text_and_annotations_without_ocr(
    qtbot, tmp_path: Path, clean_scan_pdf: Path, letter_pdf: Path, tessdata: Path
) -> None:
    db = tmp_path / "db.sqlite"
    window = make_window(qtbot, db)
    open_and_wait(qtbot, window, clean_scan_pdf)
    _recognise(qtbot, window)
    text = window.session.text
    start = text.index("examination")
    window.pdf_view.set_selection(start, start + len("examination"))
    window.tag_selection(next(iter(window.labels)).id)

    open_and_wait(qtbot, window, letter_pdf)  # another letter, then back
    open_and_wait(qtbot, window, clean_scan_pdf)
    assert not window.ocr.running  # read from the OCR cache, not recognised again
    assert window.session.text == text
    assert "Text recognised by OCR" in window.banner.message_text("text")
    rows = live_rows(db)
    # placed where it was (NULL status), never orphaned by the empty born-digital reading
    assert [(r["start"], r["exact"], r["anchor_status"]) for r in rows] == [
        (start, "examination", None)
    ]
    assert window.store.document(window.session.info.sha256).text == text


def test_cancel_stops_recognition_and_offers_it_again(
    qtbot, tmp_path: Path, clean_scan_pdf: Path, tessdata: Path
) -> None:
    window = make_window(qtbot, tmp_path / "db.sqlite")
    open_and_wait(qtbot, window, clean_scan_pdf)
    _button(window, "Recognise text (OCR)").click()
    job = window.ocr.job
    assert job is not None
    procs = list(job._procs)
    _button(window, "Cancel").click()
    assert not window.ocr.running and window.ocr.job is None
    assert all(p._closed for p in procs)
    assert _button(window, "Recognise text (OCR)")
    assert window.session.text.strip() == ""
    assert not window.session.extractor_version.startswith("ocr-")


def test_without_language_data_the_app_says_how_to_install_it(
    qtbot, tmp_path: Path, clean_scan_pdf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tessdata_module, "find_tessdata", lambda environ=None: None)
    window = make_window(qtbot, tmp_path / "db.sqlite")
    open_and_wait(qtbot, window, clean_scan_pdf)
    offer = window.banner.message_text("text")
    assert f"sudo apt install {APT_PACKAGE}" in offer and ENV_VAR in offer
    _button(window, "Recognise text (OCR)").click()
    assert not window.ocr.running
    error = window.banner.message_text("text")
    assert f"sudo apt install {APT_PACKAGE}" in error and ENV_VAR in error
    assert _button(window, "Try again")


def test_a_lost_ocr_cache_never_orphans_annotations(
    qtbot, tmp_path: Path, clean_scan_pdf: Path, letter_pdf: Path, tessdata: Path
) -> None:
    from imr_desktop.core.ocr import cache

    db = tmp_path / "db.sqlite"
    window = make_window(qtbot, db)
    open_and_wait(qtbot, window, clean_scan_pdf)
    _recognise(qtbot, window)
    text, sha = window.session.text, window.session.info.sha256
    start = text.index("examination")
    window.pdf_view.set_selection(start, start + len("examination"))
    window.tag_selection(next(iter(window.labels)).id)
    cache.discard(sha)

    open_and_wait(qtbot, window, letter_pdf)
    open_and_wait(qtbot, window, clean_scan_pdf)
    # the scan reads as empty again: OCR is offered, but the stored text is not replaced
    assert _button(window, "Recognise text (OCR)")
    stored = window.store.document(sha)
    assert stored.text == text and stored.extractor_version.startswith("ocr-")
    assert [(r["exact"], r["anchor_status"]) for r in live_rows(db)] == [("examination", None)]
    _recognise(qtbot, window)  # the same OCR gives the same text: nothing moves
    assert window.session.text == text
    assert [(r["start"], r["anchor_status"]) for r in live_rows(db)] == [(start, None)]


def test_workers_boot_while_the_offer_is_shown_and_go_when_the_letter_does(
    qtbot, tmp_path: Path, clean_scan_pdf: Path, letter_pdf: Path, tessdata: Path
) -> None:
    window = make_window(qtbot, tmp_path / "db.sqlite")
    open_and_wait(qtbot, window, clean_scan_pdf)
    assert window.ocr._prepared is None  # not while files are flicked through
    qtbot.waitUntil(lambda: window.ocr._prepared is not None, timeout=5000)
    prepared = window.ocr._prepared
    assert len(prepared._procs) == 2  # booting while the offer is read
    procs = list(prepared._procs)
    open_and_wait(qtbot, window, letter_pdf)  # not recognised after all
    assert window.ocr._prepared is None and all(p._closed for p in procs)
    open_and_wait(qtbot, window, clean_scan_pdf)
    qtbot.waitUntil(lambda: window.ocr._prepared is not None, timeout=5000)
    procs = list(window.ocr._prepared._procs)
    _recognise(qtbot, window)
    assert all(p._closed for p in procs)  # the job used them and ended them
    assert window.session.extractor_version.startswith("ocr-")


def test_closing_the_window_ends_the_ocr_workers(
    qtbot, tmp_path: Path, clean_scan_pdf: Path, tessdata: Path
) -> None:
    window = make_window(qtbot, tmp_path / "db.sqlite")
    open_and_wait(qtbot, window, clean_scan_pdf)
    _button(window, "Recognise text (OCR)").click()
    procs = list(window.ocr.job._procs)
    window.close()
    assert all(p._closed for p in procs) and window.ocr.job is None
