"""The library dock, GUI import and statistics view, driven through the real window."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QGuiApplication
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from imr_desktop.core.library import stats
from imr_desktop.core.library.importer import ImportOptions
from imr_desktop.core.library.query import LibraryFilter, LibraryQuery, Sort
from imr_desktop.core.store import Store
from imr_desktop.ui.library_model import LibraryModel
from imr_desktop.ui.main_window import MainWindow
from tests.library_helpers import build_known_library, write_letter
from tests.ui_helpers import activate, make_window

MANY = 2000


@pytest.fixture(scope="module")
def many_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library of MANY cheap text letters (built once: ~5 s)."""
    from imr_desktop.core.library.importer import import_paths

    base = tmp_path_factory.mktemp("many")
    for i in range(MANY):
        outcome = "Overturned" if i % 3 == 0 else "Upheld"
        write_letter(
            base / "letters" / f"{i:05d}.txt",
            f"CM16-{i:07d}",
            decided=f"{1 + i % 12:02d}/{1 + i % 28:02d}/2016",
            items=(("Tramadol 50mg #60", outcome, "MTUS"),),
        )
    store = Store.open(base / "many.sqlite")
    summary = import_paths(store, [base / "letters"], options=ImportOptions(workers=0))
    store.close()
    assert summary.imported == MANY
    return base / "many.sqlite"


@pytest.fixture
def known(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    db = tmp_path / "db" / "library.sqlite"
    store = Store.open(db)
    cases = build_known_library(store, tmp_path / "letters")
    store.close()
    return db, cases


@pytest.fixture
def window(qtbot: QtBot, known: tuple[Path, dict[str, str]]) -> MainWindow:
    w = make_window(qtbot, known[0])
    w.library.import_options = ImportOptions(workers=0)
    w.library.toggle()
    yield w
    w.library.shutdown()


def cases_in_table(window: MainWindow) -> list[str]:
    model = window.library.view.model
    return [model.row(r).case_number for r in range(model.rowCount())]


# ----------------------------------------------------------------------------- model
def test_model_fetches_blocks_as_the_table_scrolls(qtbot: QtBot, many_db: Path) -> None:
    from imr_desktop.ui.library_view import LibraryView

    store = Store.open(many_db)
    view = LibraryView(store)
    qtbot.addWidget(view)
    view.resize(700, 500)
    view.show()
    qtbot.waitExposed(view)
    model = view.model
    assert model.rowCount() == LibraryQuery(store).count() == MANY
    qtbot.waitUntil(lambda: model.cached_blocks() == [0])  # painting read the first block
    qtbot.wait(50)
    assert model.cached_blocks() == [0]  # and nothing else
    view.table.scrollToBottom()
    last = (MANY - 1) // model.BLOCK
    qtbot.waitUntil(lambda: last in model.cached_blocks())
    assert len(model.cached_blocks()) < MANY // model.BLOCK  # not everything in between
    # the bottom row is the last of the query's own order
    assert model.row(MANY - 1) == LibraryQuery(store).page(MANY - 1, 1)[0]
    store.close()


def test_model_passes_qtmodeltester(qtmodeltester, known) -> None:  # type: ignore[no-untyped-def]
    store = Store.open(known[0])
    model = LibraryModel(store)
    qtmodeltester.check(model)
    model.set_filter(LibraryFilter(search="gabapentin"))
    qtmodeltester.check(model)
    assert model.rowCount() == 2
    store.close()


def test_header_click_sorts_the_rows(qtbot: QtBot, window: MainWindow) -> None:
    header = window.library.view.table.horizontalHeader()
    header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)  # Case, as a click does
    assert cases_in_table(window) == sorted(cases_in_table(window))
    assert cases_in_table(window)[0] == "CM16-0000001"
    header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)
    assert cases_in_table(window)[0] == "CM17-0000004"
    assert window.library.view.model.query.sort == Sort("case_number", True)


def test_filters_change_the_rows(qtbot: QtBot, window: MainWindow) -> None:
    view = window.library.view
    view.outcome.setCurrentIndex(view.outcome.findData("Overturned"))
    assert sorted(cases_in_table(window)) == ["CM16-0000002", "CM16-0000005"]
    assert "2 of 5" in view.count_label.text()
    view.clear_filters()
    view.specialty.setCurrentIndex(view.specialty.findData("Psychiatry"))
    assert cases_in_table(window) == ["CM16-0000005"]
    view.clear_filters()
    view.use_dates.setChecked(True)
    view.date_from.setDate(view.date_from.date().fromString("2017-01-01", "yyyy-MM-dd"))
    view.date_to.setDate(view.date_to.date().fromString("2017-01-31", "yyyy-MM-dd"))
    assert sorted(cases_in_table(window)) == ["CM16-0000002", "CM17-0000004"]
    view.clear_filters()
    assert len(cases_in_table(window)) == 5


def test_search_shows_matches_and_opening_one_highlights_hits(
    qtbot: QtBot, window: MainWindow
) -> None:
    view = window.library.view
    qtbot.keyClicks(view.search, "gabapentin")
    qtbot.waitUntil(lambda: view.model.rowCount() == 2, timeout=2000)
    assert sorted(cases_in_table(window)) == ["CM16-0000001", "CM17-0000004"]
    assert "gabapentin" in view.model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole).lower()
    with qtbot.waitSignal(window.session.textComplete, timeout=10000):
        view.table.activated.emit(view.model.index(0, 0))
    text_view = window.text_view
    qtbot.waitUntil(lambda: bool(text_view._hits), timeout=3000)
    text = window.session.layer.text
    assert all(text[s:e].lower().startswith("gabapentin") for s, e in text_view._hits)
    assert text_view._current_hit == 0


def test_next_previous_and_next_unlabeled_follow_the_filtered_list(
    qtbot: QtBot, window: MainWindow, known
) -> None:
    activate(qtbot, window)
    view = window.library.view
    view.outcome.setCurrentIndex(view.outcome.findData("Upheld"))
    order = cases_in_table(window)  # CM17-0000003 is partly upheld: not in the list
    assert order == ["CM17-0000004", "CM16-0000001"]
    a = window.actions_by_id
    opened: list[str] = []

    def step(action: str) -> None:
        with qtbot.waitSignal(window.session.textComplete, timeout=10000):
            a[action].trigger()
        opened.append(window.session.structure.case_number.value)  # type: ignore[union-attr]

    step("next_document")  # nothing open: the first of the list
    step("next_document")
    a["next_document"].trigger()  # at the end: stays
    assert "last" in window.statusBar().currentMessage()
    step("prev_document")
    assert opened == ["CM17-0000004", "CM16-0000001", "CM17-0000004"]
    assert view.selected_sha() == known[1]["CM17-0000004"]  # the table follows
    # the open letter marked done (Ctrl+Shift+D): next unlabeled skips it
    a["mark_done"].trigger()
    step("next_unlabeled")
    assert opened[-1] == "CM16-0000001"
    a["next_unlabeled"].trigger()  # wraps to the top, where only the done letter is
    assert "No unlabeled" in window.statusBar().currentMessage()
    assert window.session.structure.case_number.value == "CM16-0000001"  # type: ignore[union-attr]


def test_status_change_persists(qtbot: QtBot, window: MainWindow, known) -> None:
    db, cases = known
    view = window.library.view
    sha = cases["CM16-0000002"]
    assert view.set_status(sha, "in_progress")
    row = view.model.query.row_of(sha)
    assert view.model.index(row, 5).data() == "In progress"
    view.status.setCurrentIndex(view.status.findData("in_progress"))
    assert cases_in_table(window) == ["CM16-0000002"]
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT status FROM documents WHERE sha256 = ?", [sha]).fetchone() == (
        "in_progress",
    )
    conn.close()


# ----------------------------------------------------------------------------- import
def test_import_of_a_folder_with_junk_shows_the_summary_and_refreshes(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    folder = tmp_path / "more"
    for i in range(3):
        write_letter(folder / f"new{i}.txt", f"CM17-00001{i:02d}")
    (folder / "junk.pdf").write_bytes(b"%PDF-1.4 this is not a pdf at all")
    model = window.library.view.model
    assert model.rowCount() == 5
    dialog = window.library.import_paths([folder])
    assert dialog is not None
    with qtbot.waitSignal(dialog.finished_import, timeout=20000):
        pass
    assert dialog.summary is not None and dialog.summary.imported == 3
    assert dialog.heading.text().startswith("Imported 3 letters; 0 already")
    assert "1 failed" in dialog.heading.text()
    assert dialog.details.isVisible() and "junk.pdf" in dialog.details.toPlainText()
    assert model.rowCount() == 8
    dialog.copy_summary()
    assert "junk.pdf" in QGuiApplication.clipboard().text()


def test_import_runs_real_worker_processes_from_its_thread(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    window.library.import_options = ImportOptions(workers=2)
    for i in range(4):
        write_letter(tmp_path / "w" / f"w{i}.txt", f"CM17-00002{i:02d}")
    dialog = window.library.import_paths([tmp_path / "w"])
    with qtbot.waitSignal(dialog.finished_import, timeout=60000):
        pass
    assert dialog.summary.imported == 4
    assert window.library.view.model.rowCount() == 9


def test_cancel_stops_the_import_and_keeps_what_was_read(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    for i in range(400):
        write_letter(tmp_path / "lots" / f"l{i:03d}.txt", f"CM17-0{i:06d}")
    window.library.import_options = ImportOptions(workers=0, batch_size=20)
    dialog = window.library.import_paths([tmp_path / "lots"])
    qtbot.waitUntil(lambda: dialog.bar.value() > 5, timeout=10000)
    with qtbot.waitSignal(dialog.finished_import, timeout=20000):
        dialog.cancel_button.click()
    summary = dialog.summary
    assert summary.cancelled and 0 < summary.imported < 400
    assert dialog.heading.text().startswith("Cancelled after")
    assert window.library.view.model.rowCount() == 5 + summary.imported


def test_dropping_a_folder_imports_it(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    write_letter(tmp_path / "dropped" / "d.txt", "CM17-0009999")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "dropped"))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    dialog = window.library.import_dialog
    assert dialog is not None
    with qtbot.waitSignal(dialog.finished_import, timeout=20000):
        pass
    assert "CM17-0009999" in cases_in_table(window)


# ----------------------------------------------------------------------------- stats
def test_statistics_show_the_computed_figures_and_copy_them(
    qtbot: QtBot, window: MainWindow, known
) -> None:
    store = Store.open(known[0])
    expected = stats.compute(store)
    store.close()
    view = window.library.show_statistics()
    assert view is not None
    with qtbot.waitSignal(view.ready, timeout=10000):
        pass
    assert view.figures == expected
    assert view.heading.text().startswith(f"{expected['documents']} letters, ")
    cats = expected["outcomes_by_category"]
    assert [b.name for b in view.by_category.bars] == [c["name"] for c in cats]
    view.copy_button.click()
    tsv = QApplication.clipboard().text().splitlines()
    assert tsv[0] == "section\tname\tvalue\tdetail"
    assert f"Library\tLetters\t{expected['documents']}\t" in tsv
    assert f"Library\tItems\t{expected['items']}\t" in tsv
    spec = next(r for r in expected["outcomes_by_specialty"] if r["specialty"] == "Psychiatry")
    assert any(line.startswith("Specialty\tPsychiatry\t100 % overturned") for line in tsv), spec
    view.close()
