"""Find in document: all hits marked, next/previous, count, Esc to close."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

MAX_HITS = 10_000


def find_all(text: str, query: str, *, match_case: bool = False) -> list[tuple[int, int]]:
    """Every occurrence of ``query``; runs of whitespace in it match any whitespace run.

    PDF text breaks lines where the page did, so a phrase typed with one space must also
    match across a line end.
    """
    words = query.split()
    if not words:
        return []
    pattern = r"\s+".join(re.escape(w) for w in words)
    flags = 0 if match_case else re.IGNORECASE
    hits = []
    for m in re.finditer(pattern, text, flags):
        hits.append((m.start(), m.end()))
        if len(hits) >= MAX_HITS:
            break
    return hits


def quote_query(text: str, quote: str, limit: int = 80) -> str:
    """What to search ``text`` for to find an orphaned ``quote`` again: the whole quote
    when it is short enough and found, else its first 8, 5 or 3 words, the longest that
    is found. When nothing is, the first try, so the bar says "No matches" for it."""
    words = quote.split()
    tries = [" ".join(words)] if len(" ".join(words)) <= limit else []
    tries += [" ".join(words[:n]) for n in (8, 5, 3) if n < len(words)]
    tries = tries or [" ".join(words)[:limit]]  # a few very long "words" (a URL)
    for query in tries:
        if find_all(text, query):
            return query
    return tries[0] if tries else ""


class FindBar(QWidget):
    hitsChanged = Signal(list, int)  # hits, current index
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findBar")
        self._text = ""
        self._hits: list[tuple[int, int]] = []
        self._current = -1
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText("Find in letter")
        self.edit.setAccessibleName("Find text")
        self.edit.setClearButtonEnabled(True)
        self.case = QCheckBox("Match case", self)
        self.count = QLabel("", self)
        self.count.setMinimumWidth(90)
        self.prev_button = QToolButton(self)
        self.prev_button.setText("▲")
        self.prev_button.setToolTip("Previous match (Shift+Enter)")
        self.prev_button.setAccessibleName("Previous match")
        self.next_button = QToolButton(self)
        self.next_button.setText("▼")
        self.next_button.setToolTip("Next match (Enter)")
        self.next_button.setAccessibleName("Next match")
        close = QToolButton(self)
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Close (Esc)")
        close.setAccessibleName("Close find bar")
        for w in (self.edit, self.prev_button, self.next_button, self.count, self.case):
            layout.addWidget(w)
        layout.addStretch(1)
        layout.addWidget(close)
        self.edit.setMaximumWidth(360)
        self._debounce = QTimer(self, singleShot=True, interval=120)
        self._debounce.timeout.connect(self._search)
        self.edit.textChanged.connect(lambda: self._debounce.start())
        self.case.toggled.connect(self._search)
        self.next_button.clicked.connect(self.next)
        self.prev_button.clicked.connect(self.previous)
        close.clicked.connect(self.close_bar)
        self.edit.returnPressed.connect(self.next)
        self.hide()

    def set_text(self, text: str) -> None:
        self._text = text
        if self.isVisible():
            self._search()

    def open_bar(self, initial: str = "") -> None:
        self.show()
        if initial:
            self.edit.setText(initial)
        self.edit.setFocus()
        self.edit.selectAll()
        self._search()

    def close_bar(self) -> None:
        self.hide()
        self._hits, self._current = [], -1
        self.hitsChanged.emit([], -1)
        self.closed.emit()

    def _search(self) -> None:
        self._debounce.stop()
        self._hits = find_all(self._text, self.edit.text(), match_case=self.case.isChecked())
        self._current = 0 if self._hits else -1
        self._publish()

    def next(self) -> None:
        if self._debounce.isActive():
            self._search()
            return
        if self._hits:
            self._current = (self._current + 1) % len(self._hits)
            self._publish()

    def previous(self) -> None:
        if self._hits:
            self._current = (self._current - 1) % len(self._hits)
            self._publish()

    def _publish(self) -> None:
        if not self.edit.text().strip():
            self.count.setText("")
        elif not self._hits:
            self.count.setText("No matches")
        else:
            more = "+" if len(self._hits) >= MAX_HITS else ""
            self.count.setText(f"{self._current + 1} of {len(self._hits)}{more}")
        self.hitsChanged.emit(self._hits, self._current)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close_bar()
        elif (
            event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            self.previous()
        else:
            super().keyPressEvent(event)
