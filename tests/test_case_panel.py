"""The Case panel and the suggestion keyboard flow on the real main window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from imr_desktop import paths
from tests.ui_helpers import live_rows, make_window, open_and_wait


def _open_sample(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    db = tmp_path / "c.sqlite"
    window = make_window(qtbot, db)
    open_and_wait(qtbot, window, paths.sample_letter())
    return window, db


def test_case_view_shows_header_outcome_and_items(qtbot, tmp_path: Path) -> None:
    window, _db = _open_sample(qtbot, tmp_path)
    case = window.case_view
    assert "CM16-0913527" in case.title.text()
    assert case.badge.text().strip() == "Partially Overturned"
    assert case.items.rowCount() == 3
    outcomes = [case.items.item(r, 1).text() for r in range(3)]
    assert outcomes == ["Upheld", "Overturned", "Upheld"]
    assert "ODG" in case.items.item(1, 2).text()
    assert case.citations.rowCount() >= 6
    assert "2015-03-14" in case._header_labels["date_of_injury"].text()


def test_clicking_an_item_scrolls_to_its_heading_and_flashes(qtbot, tmp_path: Path) -> None:
    window, _db = _open_sample(qtbot, tmp_path)
    case = window.case_view
    structure = window.session.structure
    item = structure.items[1]
    page = window.session.layer.page_of(item.heading.start)
    assert page >= 1
    view = window.pdf_view
    view.go_to_page(0)
    qtbot.waitUntil(lambda: view.current_page == 0)
    cell = case.items.item(1, 0)
    rect = case.items.visualItemRect(cell)
    qtbot.mouseClick(case.items.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: view.current_page == page)
    assert view._flash == (item.heading.start, item.heading.end)


def test_clicking_a_header_value_scrolls_to_it(qtbot, tmp_path: Path) -> None:
    window, _db = _open_sample(qtbot, tmp_path)
    field = window.session.structure.decision_date
    with qtbot.waitSignal(window.case_view.spanActivated) as blocker:
        window.case_view._header_labels["decision_date"].linkActivated.emit(
            f"span:{field.start}:{field.end}"
        )
    assert blocker.args == [field.start, field.end]
    assert window.pdf_view._flash == (field.start, field.end)


def test_copy_summary_puts_the_case_on_the_clipboard(qtbot, tmp_path: Path) -> None:
    window, _db = _open_sample(qtbot, tmp_path)
    window.case_view.copy_button.click()
    text = QGuiApplication.clipboard().text()
    assert "Case number: CM16-0913527" in text and "Overturned" in text


def test_accept_and_reject_suggestions_with_the_keyboard(qtbot, tmp_path: Path) -> None:
    window, db = _open_sample(qtbot, tmp_path)
    suggestions = live_rows(db, origin="suggested")
    assert len(suggestions) >= 9
    view = window.pdf_view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_N)
    first = window._current()
    assert first is not None and first.id == suggestions[0]["id"]
    qtbot.keyClick(view, Qt.Key.Key_Return)
    manual = live_rows(db)
    assert [(r["start"], r["end"], r["label_id"]) for r in manual] == [
        (first.start, first.end, first.label_id)
    ]
    assert manual[0]["annotator"] == "tester" and manual[0]["origin"] == "manual"
    assert first.id not in {r["id"] for r in live_rows(db, origin="suggested")}
    # the flow moves on to the next suggestion by itself
    second = window._current()
    assert second is not None and second.id != first.id
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    remaining = {r["id"] for r in live_rows(db, origin="suggested")}
    assert second.id not in remaining
    assert len(live_rows(db)) == 1  # rejecting made no human label
    # undo the rejection, then the acceptance
    window.actions_by_id["undo"].trigger()
    assert second.id in {r["id"] for r in live_rows(db, origin="suggested")}
    window.actions_by_id["undo"].trigger()
    assert live_rows(db) == []
    assert first.id in {r["id"] for r in live_rows(db, origin="suggested")}


def test_accept_all_of_one_label_is_one_undo_step(qtbot, tmp_path: Path) -> None:
    window, db = _open_sample(qtbot, tmp_path)
    decision = window.labels.by_name("Decision")
    n = sum(1 for r in live_rows(db, origin="suggested") if r["label_id"] == decision.id)
    assert n == 3
    window.step_suggestion(1)
    while window._current().label_id != decision.id:
        window.step_suggestion(1)
    window.actions_by_id["accept_all_label"].trigger()
    rows = live_rows(db)
    assert len(rows) == 3 and {r["label"] for r in rows} == {"Decision"}
    window.actions_by_id["undo"].trigger()
    assert live_rows(db) == []


def test_rejected_suggestions_do_not_come_back(qtbot, tmp_path: Path) -> None:
    window, db = _open_sample(qtbot, tmp_path)
    before = len(live_rows(db, origin="suggested"))
    window.step_suggestion(1)
    window.reject_suggestion()
    window.close()
    again = make_window(qtbot, db)
    open_and_wait(qtbot, again, paths.sample_letter())
    assert len(live_rows(db, origin="suggested")) == before - 1
    assert len(again.session.annotations.suggested()) == before - 1
