"""Opening files in the real window: passwords, scans, drops, long PDFs, hover."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QInputDialog, QMessageBox

from imr_desktop.ui.highlights import Highlight, assign_lanes
from imr_desktop.ui.pdf_view import CACHE_PAGES
from tests import pdfgen
from tests.ui_helpers import make_window, open_and_wait, record_old_extraction


def test_encrypted_pdf_asks_for_the_password(
    qtbot, tmp_path: Path, encrypted_pdf: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    answers = iter([("wrong", True), (pdfgen.USER_PASSWORD, True)])
    prompts: list[str] = []

    def fake_get_text(_parent, _title, prompt, *_args, **_kw):  # type: ignore[no-untyped-def]
        prompts.append(prompt)
        return next(answers)

    monkeypatch.setattr(QInputDialog, "getText", fake_get_text)
    window = make_window(qtbot, tmp_path / "a.sqlite")
    window.interactive = True
    open_and_wait(qtbot, window, encrypted_pdf)
    assert "protected by a password" in prompts[0]
    assert "not correct" in prompts[1]
    assert window.session.info.path == encrypted_pdf
    assert window.session.layer.page_count >= 1


def test_cancelled_password_keeps_the_window_as_it_was(
    qtbot, tmp_path: Path, encrypted_pdf: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("", False))
    window = make_window(qtbot, tmp_path / "a.sqlite")
    window.interactive = True
    with qtbot.waitSignal(window.session.failed):
        window.open_file(encrypted_pdf)
    assert window.session.info is None
    assert window.stack.currentWidget() is window.empty


def test_image_only_pdf_shows_pages_and_says_there_is_no_text(
    qtbot, tmp_path: Path, image_only_pdf: Path
) -> None:
    window = make_window(qtbot, tmp_path / "a.sqlite")
    open_and_wait(qtbot, window, image_only_pdf)
    assert window.stack.currentWidget() is window.pdf_view
    assert window.pdf_view.page_count == 2
    assert window.banner.has_message("text")
    assert "no text layer" in window.banner.message_text("text")
    assert "no text layer" in window.case_view.empty.text()


def test_damaged_pdf_gets_a_dialog_in_interactive_mode(
    qtbot, tmp_path: Path, corrupt_pdf: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a: shown.append(text))
    window = make_window(qtbot, tmp_path / "a.sqlite")
    window.interactive = True
    with qtbot.waitSignal(window.session.failed):
        window.open_file(corrupt_pdf)
    assert shown and corrupt_pdf.name in shown[0]
    before = corrupt_pdf.read_bytes()
    assert corrupt_pdf.read_bytes() == before


def test_dropping_a_file_opens_it(qtbot, tmp_path: Path, letter_pdf: Path) -> None:
    window = make_window(qtbot, tmp_path / "a.sqlite")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(letter_pdf))])
    event = QDropEvent(
        QPointF(50, 50),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(window.session.textComplete, timeout=10000):
        window.dropEvent(event)
    assert window.session.info.path == letter_pdf
    assert str(letter_pdf.resolve()) == window.settings.recent_files[0]


def test_long_pdf_renders_only_what_is_visible(
    qtbot, tmp_path: Path, long_letter_pdf: Path
) -> None:
    window = make_window(qtbot, tmp_path / "a.sqlite")
    open_and_wait(qtbot, window, long_letter_pdf, timeout=30000)
    view = window.pdf_view
    assert view.page_count == 300
    bar = view.verticalScrollBar()
    for value in range(0, bar.maximum(), bar.maximum() // 12):
        bar.setValue(value)
        qtbot.wait(20)
    qtbot.wait(200)
    assert len(view._cache) <= CACHE_PAGES
    cached_pages = {page for page, _zoom in view._cache}
    visible = set(view._visible_pages())
    assert visible & cached_pages, "the pages on screen are rendered"
    assert all(abs(p - min(visible)) < 40 for p in cached_pages)
    assert window.page_label.text().endswith("/ 300")


def test_hover_shows_label_and_note_and_overlaps_get_lanes(
    qtbot, tmp_path: Path, letter_pdf: Path
) -> None:
    window = make_window(qtbot, tmp_path / "a.sqlite")
    open_and_wait(qtbot, window, letter_pdf)
    text = window.session.text
    start = text.index("Page 1")
    a = Highlight("a", start, start + 6, "#eb5757", "Decision", "check the date")
    b = Highlight("b", start + 5, start + 6, "#2f80ed", "Summary fact")
    view = window.pdf_view
    view.set_highlights([a, b])
    point = view.point_for_offset(start + 5)
    hits = view.highlights_at(QPointF(point))
    assert {h.id for h in hits} == {"a", "b"}
    assert "Decision\ncheck the date" in [h.tooltip() for h in hits]
    assert assign_lanes([a, b]) == {"a": 0, "b": 1}
    assert view.highlights_at(QPointF(QPoint(2, 2))) == []
    # the real hover: both labels in the tooltip, gone off the highlight
    from PySide6.QtWidgets import QToolTip

    qtbot.mouseMove(view.viewport(), point)
    qtbot.waitUntil(lambda: "check the date" in QToolTip.text(), timeout=3000)
    assert "Summary fact" in QToolTip.text()
    qtbot.mouseMove(view.viewport(), QPoint(2, 2))
    qtbot.waitUntil(lambda: not QToolTip.isVisible(), timeout=3000)


def test_changed_text_moves_annotations_and_keeps_orphans(
    qtbot, tmp_path: Path, letter_pdf: Path
) -> None:
    """A letter annotated under another text extractor: its annotations follow the text."""

    from imr_desktop.core.document import load_document
    from imr_desktop.core.model import Annotation
    from imr_desktop.core.store import Store

    doc = load_document(letter_pdf)
    new_text = doc.text
    old_text = "An older extractor put this preamble first.\n" + new_text
    target = new_text.index("Page 2")
    db = tmp_path / "a.sqlite"
    store = Store.open(db)
    record_old_extraction(store, letter_pdf, old_text)
    label = store.labels()[0]
    shift = len("An older extractor put this preamble first.\n")
    kept = Annotation.create(
        document=doc.source.sha256,
        text=old_text,
        start=target + shift,
        end=target + shift + 6,
        label_id=label.id,
        annotator="a",
    )
    lost = Annotation.create(
        document=doc.source.sha256, text=old_text, start=3, end=9, label_id=label.id, annotator="a"
    )  # "older": gone from the text
    store.add_annotation(kept)
    store.add_annotation(lost)
    store.close()

    window = make_window(qtbot, db)
    open_and_wait(qtbot, window, letter_pdf)
    live = {a.id: a for a in window.session.annotations}
    assert (live[kept.id].start, live[kept.id].end) == (target, target + 6)
    assert lost.id not in live
    assert window.banner.has_message("reanchor")
    assert "1 could not be placed" in window.banner.message_text("reanchor")
    from imr_desktop.core.anchoring import orphans

    assert [a.id for a in orphans(window.store, doc.source.sha256)] == [lost.id]
