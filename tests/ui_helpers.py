"""Helpers for tests that drive the real main window."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from imr_desktop.core.settings import Settings
from imr_desktop.core.store import Store
from imr_desktop.ui.main_window import MainWindow


def make_window(
    qtbot: QtBot, db: Path | None, *, store: Store | None = None, problem: str | None = None
) -> MainWindow:
    """A main window built the way the app builds it, with modal dialogs turned off."""
    if store is None and db is not None:
        store = Store.open(db)
    window = MainWindow(
        store=store, settings=Settings(annotator="tester"), store_problem=problem, interactive=False
    )
    qtbot.addWidget(window)
    window.resize(1100, 900)
    window.show()
    qtbot.waitExposed(window)
    return window


def activate(qtbot: QtBot, window) -> None:  # type: ignore[no-untyped-def]
    """Make ``window`` the active window: window shortcuts fire only there (offscreen
    does not activate a window on show once another one was active)."""
    from PySide6.QtWidgets import QApplication

    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)


def open_and_wait(
    qtbot: QtBot,
    window: MainWindow,
    path: Path,
    timeout: int = 15000,
    *,
    password: str | None = None,
) -> None:
    with qtbot.waitSignals(
        [window.session.textComplete, window.documentReady], timeout=timeout, order="none"
    ):
        window.open_file(path, password)
    # the signals of an earlier open still in flight (say, the reopen after Open Database)
    # can end that wait: wait for this open's own document and text
    session = window.session
    qtbot.waitUntil(
        lambda: (
            session.info is not None
            and session.info.generation == session._pending_generation
            and session.text_complete
        ),
        timeout=timeout,
    )


def drag(qtbot: QtBot, widget, start: QPoint, end: QPoint) -> None:  # type: ignore[no-untyped-def]
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=start)
    mid = QPoint((start.x() + end.x()) // 2, (start.y() + end.y()) // 2)
    for point in (mid, end):
        qtbot.mouseMove(widget, point)
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=end)


def drag_select(qtbot: QtBot, view, start: int, end: int) -> None:  # type: ignore[no-untyped-def]
    """Select text ``[start, end)`` in the PDF view as a user does: scroll to it and drag
    from inside its first word to inside its last (snapping completes both words)."""
    view.scroll_to_range(start, end, flash=False)
    qtbot.wait(50)
    p1 = view.point_for_offset(start + 1)
    p2 = view.point_for_offset(end - 2, right=True)
    drag(qtbot, view.viewport(), p1, p2)
    assert view.selection() == (start, end)


def record_old_extraction(store: Store, pdf: Path, old_text: str) -> None:
    """Store ``pdf`` as an older text extractor read it (``old_text``), so that opening
    it re-anchors its annotations onto today's text."""
    import hashlib

    from imr_desktop.core.document import load_document
    from imr_desktop.core.model import DocumentRecord

    doc = load_document(pdf)
    store.upsert_document(
        DocumentRecord(
            doc.source.sha256,
            str(pdf),
            "pdf",
            doc.page_count,
            len(doc.source.data),
            old_text,
            hashlib.sha256(old_text.encode()).hexdigest(),
            "old-extractor",
        )
    )


def live_rows(db: Path, origin: str = "manual") -> list[dict]:
    """Annotation rows as another process would see them (a fresh connection)."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        rows = conn.execute(
            "SELECT a.*, l.name AS label FROM annotations a JOIN labels l ON l.id = a.label_id "
            "WHERE a.deleted = 0 AND a.origin = ? ORDER BY a.start",
            [origin],
        ).fetchall()
        return [dict(r) for r in rows]
    finally:
        conn.close()
