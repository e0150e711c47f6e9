"""The annotate loop on the real main window: select, tag, save, reopen, undo."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from imr_desktop.core.store import Store
from tests.conftest import corpus_letter
from tests.ui_helpers import drag, drag_select, live_rows, make_window, open_and_wait

PASSAGE = "the request for multilevel lumbar facet injections was not medically necessary"


def _pixel_tint(window, offset_start: int, offset_end: int) -> QColor:  # type: ignore[no-untyped-def]
    """Colour of the viewport in the middle of the first word of a span."""
    view = window.pdf_view
    a = view.point_for_offset(offset_start)
    b = view.point_for_offset(offset_start + 2, right=True)
    image = view.viewport().grab().toImage()
    return image.pixelColor((a.x() + b.x()) // 2, a.y() + 1)


def test_drag_select_on_page_two_and_tag_with_key_2(qtbot, tmp_path: Path) -> None:
    letter = corpus_letter("CM16-0219557.pdf")
    db = tmp_path / "a.sqlite"
    window = make_window(qtbot, db)
    open_and_wait(qtbot, window, letter)
    text = window.session.text
    match = re.search(r"\s+".join(PASSAGE.split()), text)
    assert match is not None
    start, end = match.span()
    layer = window.session.layer
    assert layer.page_of(start) == 1, "the passage is on page 2"
    assert "\n" in text[start:end], "the passage crosses a line end"

    view = window.pdf_view
    drag_select(qtbot, view, start, end)

    qtbot.keyClick(view, Qt.Key.Key_2)
    rows = live_rows(db)
    assert len(rows) == 1
    row = rows[0]
    assert row["label"] == "Decision"
    assert (row["start"], row["end"]) == (start, end)
    assert row["exact"] == text[row["start"] : row["end"]]
    assert row["annotator"] == "tester"
    assert window.save_label.text() == "✓ Saved"
    assert view.selection() is None

    # the highlight is drawn in the Decision colour where the passage is
    qtbot.wait(50)
    tint = _pixel_tint(window, start, end)
    assert tint.red() > tint.blue() + 20, tint.name()

    # undo removes the row, redo brings it back
    window.actions_by_id["undo"].trigger()
    assert live_rows(db) == []
    window.actions_by_id["redo"].trigger()
    assert [r["id"] for r in live_rows(db)] == [row["id"]]

    # close and reopen: the highlight is drawn at the same place
    window.close()
    again = make_window(qtbot, db)
    open_and_wait(qtbot, again, letter)
    highlights = [h for h in again.pdf_view._highlights if not h.suggested]
    assert [(h.start, h.end, h.label) for h in highlights] == [(start, end, "Decision")]
    again.pdf_view.scroll_to_range(start, end, flash=False)
    qtbot.wait(100)
    tint = _pixel_tint(again, start, end)
    assert tint.red() > tint.blue() + 20, tint.name()
    assert again.count_label.text().startswith("1 annotation")


def test_text_letter_with_emoji_uses_code_points(qtbot, tmp_path: Path) -> None:
    letter = tmp_path / "letter.txt"
    body = (
        "Notes 😀 from the file 🙂🙂\nThe applicant reports low back pain after lifting "
        "boxes.\nDecision: Upheld\n"
    )
    letter.write_text(body, encoding="utf-8")
    db = tmp_path / "a.sqlite"
    window = make_window(qtbot, db)
    open_and_wait(qtbot, window, letter)
    view = window.text_view
    assert window.stack.currentWidget() is view
    target = "low back pain"
    start = body.index(target)
    end = start + len(target)
    drag(
        qtbot,
        view.viewport(),
        view.point_for_offset(start + 1),
        view.point_for_offset(end - 2, right=True),
    )
    assert view.selection() == (start, end)
    qtbot.keyClick(view, Qt.Key.Key_1)
    rows = live_rows(db)
    assert [(r["label"], r["start"], r["end"], r["exact"]) for r in rows] == [
        ("Summary fact", start, end, target)
    ]
    window.actions_by_id["undo"].trigger()
    assert live_rows(db) == []


def test_double_and_triple_click_select_word_and_line(qtbot, tmp_path: Path) -> None:
    letter = corpus_letter("CM16-0219557.pdf")
    window = make_window(qtbot, tmp_path / "a.sqlite")
    open_and_wait(qtbot, window, letter)
    text = window.session.text
    start = text.index("multilevel")
    view = window.pdf_view
    view.scroll_to_range(start, start + 10, flash=False)
    qtbot.wait(50)
    point = view.point_for_offset(start + 3)
    vp = view.viewport()
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=point)
    qtbot.mouseDClick(vp, Qt.MouseButton.LeftButton, pos=point)
    assert view.selected_text() == "multilevel"
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=point)
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.index("\n", start)
    assert view.selected_text() == text[line_start:line_end].strip()
    # shift-click extends the selection from its anchor
    qtbot.wait(600)
    other = text.index("injections", start)
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=view.point_for_offset(start + 2))
    qtbot.mouseClick(
        vp,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.ShiftModifier,
        pos=view.point_for_offset(other + 1),
    )
    assert view.selection() == (start, other + len("injections"))


def test_find_marks_all_hits_and_steps(qtbot, tmp_path: Path) -> None:
    letter = corpus_letter("CM16-0219557.pdf")
    window = make_window(qtbot, tmp_path / "a.sqlite")
    open_and_wait(qtbot, window, letter)
    window.actions_by_id["find"].trigger()
    assert window.find_bar.isVisible()
    qtbot.keyClicks(window.find_bar.edit, "facet joint")
    qtbot.waitUntil(
        lambda: window.find_bar.count.text().endswith(
            f"of {window.session.text.lower().count('facet joint')}"
        )
    )
    hits = window.pdf_view._hits
    assert len(hits) >= 2
    assert window.pdf_view._current_hit == 0
    window.actions_by_id["find_next"].trigger()
    assert window.pdf_view._current_hit == 1
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_Escape)
    assert not window.find_bar.isVisible()
    assert window.pdf_view._hits == []


def test_zoom_and_page_navigation_update_status(qtbot, tmp_path: Path) -> None:
    letter = corpus_letter("CM16-0219557.pdf")
    window = make_window(qtbot, tmp_path / "a.sqlite")
    open_and_wait(qtbot, window, letter)
    view = window.pdf_view
    # letters open fitted to the width of the view
    width = view.viewport().width()
    assert abs(view.zoom * 612 + 24 - width) < 3, (view.zoom, width)
    before = view.zoom
    window.actions_by_id["zoom_in"].trigger()
    assert view.zoom > before
    assert window.zoom_label.text() == f"{round(view.zoom * 100)} %"
    window.page_box.setValue(2)
    qtbot.waitUntil(lambda: view.current_page == 1)
    assert window.page_label.text() == "Page 2 / 2"
    window.actions_by_id["fit_page"].trigger()
    assert view.zoom < before


def test_read_only_database_shows_banner_and_refuses_tags(qtbot, tmp_path: Path) -> None:
    db = tmp_path / "ro.sqlite"
    Store.open(db).close()
    db.chmod(0o444)
    before = db.read_bytes()
    window = make_window(qtbot, db)
    assert window.store.read_only
    assert window.banner.has_message("db")
    assert "read-only" in window.banner.message_text("db")
    letter = tmp_path / "l.txt"
    letter.write_text("Decision rationale: upheld.\n", encoding="utf-8")
    open_and_wait(qtbot, window, letter)
    window.text_view.set_selection(0, 8)
    qtbot.keyClick(window.text_view, Qt.Key.Key_1)
    assert window.session.annotations is not None and len(window.session.annotations) == 0
    assert db.read_bytes() == before


def test_newer_database_is_refused_and_window_stays_usable(qtbot, tmp_path: Path) -> None:
    from imr_desktop.core.settings import Settings
    from imr_desktop.ui.startup import open_database

    db = tmp_path / "new.sqlite"
    Store.open(db).close()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version=99")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    start = open_database(str(db), None, Settings(), interactive=False)
    store, problem = start.store, start.problem
    assert store is None and problem is not None and "newer version" in problem
    start.guard.release()
    window = make_window(qtbot, None, problem=problem)
    assert "newer version" in window.banner.message_text("db")
    letter = tmp_path / "l.txt"
    letter.write_text("Still readable.\n", encoding="utf-8")
    open_and_wait(qtbot, window, letter)
    assert window.text_view.toPlainText() == "Still readable.\n"
    assert db.read_bytes() == before


@pytest.mark.parametrize("kind", ["empty", "garbage_pdf", "bad_utf8", "missing"])
def test_bad_files_give_a_message_and_keep_the_window(qtbot, tmp_path: Path, kind: str) -> None:
    good = tmp_path / "good.txt"
    good.write_text("A good letter.\n", encoding="utf-8")
    bad = (
        tmp_path
        / {"empty": "e.pdf", "garbage_pdf": "g.pdf", "bad_utf8": "b.txt", "missing": "m.pdf"}[kind]
    )
    if kind == "empty":
        bad.write_bytes(b"")
    elif kind == "garbage_pdf":
        bad.write_bytes(b"this is not a pdf at all\n" * 10)
    elif kind == "bad_utf8":
        bad.write_bytes(b"caf\xe9 au lait\n")
    window = make_window(qtbot, tmp_path / "a.sqlite")
    open_and_wait(qtbot, window, good)
    with qtbot.waitSignal(window.session.failed, timeout=5000):
        window.open_file(bad)
    assert window.last_error
    assert bad.name in window.last_error or "not found" in window.last_error.lower()
    # the letter that was open stays open and usable
    assert window.text_view.toPlainText() == "A good letter.\n"
    assert window.session.path == good
