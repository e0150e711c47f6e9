"""Plain-text letters in a read-only editor, with the same API as ``PdfView``.

Qt counts UTF-16 code units; the rest of IMR Desktop counts code points. ``Utf16Map``
converts at this boundary only, so an emoji before a selection never shifts an offset.
"""

from __future__ import annotations

import bisect

from PySide6.QtCore import QPoint, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFontDatabase,
    QMouseEvent,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from imr_desktop.core.textlayer import snap_to_words
from imr_desktop.ui.highlights import (
    CURRENT_HIT_COLOR,
    FILL_ALPHA,
    FLASH_COLOR,
    HIT_COLOR,
    Highlight,
    assign_lanes,
    show_hover_tooltip,
)


class Utf16Map:
    """Code point offset <-> UTF-16 offset for one text."""

    def __init__(self, text: str) -> None:
        # code point offsets of characters outside the BMP (two UTF-16 units each)
        self._astral = [i for i, c in enumerate(text) if ord(c) > 0xFFFF]
        self._astral16 = [i + k for k, i in enumerate(self._astral)]

    def to_utf16(self, offset: int) -> int:
        return offset + bisect.bisect_left(self._astral, offset)

    def to_codepoint(self, offset16: int) -> int:
        return offset16 - bisect.bisect_left(self._astral16, offset16)


class TextView(QPlainTextEdit):
    selectionChanged_ = Signal()  # code-point selection settled (after snapping)
    contextMenuAt = Signal(QPoint, list)
    zoomChanged = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("textView")
        self.setAccessibleName("Letter text")
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setMouseTracking(True)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont)
        font.setPointSizeF(max(font.pointSizeF(), 10.5) + 1)
        self.setFont(font)
        self.document().setDocumentMargin(24)
        self._base_point_size = font.pointSizeF()
        self._text = ""
        self._map = Utf16Map("")
        self._highlights: list[Highlight] = []
        self._hits: list[tuple[int, int]] = []
        self._current_hit = -1
        self._flash: tuple[int, int] | None = None
        self._flash_step = 0
        self._flash_timer = QTimer(self, interval=90)
        self._flash_timer.timeout.connect(self._flash_tick)
        self._selection: tuple[int, int] | None = None
        self._selecting = False
        self.selectionChanged.connect(self._qt_selection_changed)

    # ------------------------------------------------------------------ document
    def set_text(self, text: str) -> None:
        self._text = text
        self._map = Utf16Map(text)
        self._highlights, self._hits, self._selection = [], [], None
        self.setPlainText(text)
        self._refresh()

    @property
    def zoom(self) -> float:
        return self.font().pointSizeF() / self._base_point_size

    def set_zoom(self, zoom: float) -> None:
        font = self.font()
        font.setPointSizeF(max(6.0, min(48.0, self._base_point_size * zoom)))
        self.setFont(font)
        self.zoomChanged.emit(self.zoom)

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom * 1.15)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom / 1.15)

    # ------------------------------------------------------------------ offsets
    def _cursor_for(self, start: int, end: int) -> QTextCursor:
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._map.to_utf16(start))
        cursor.setPosition(self._map.to_utf16(end), QTextCursor.MoveMode.KeepAnchor)
        return cursor

    def point_for_offset(self, offset: int, *, right: bool = False) -> QPoint:
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._map.to_utf16(offset + (1 if right else 0)))
        rect = self.cursorRect(cursor)
        return QPoint(rect.x() + (-2 if right else 2), rect.center().y())

    def offset_at(self, point: QPoint) -> int:
        return self._map.to_codepoint(self.cursorForPosition(point).position())

    # ------------------------------------------------------------------ selection
    def selection(self) -> tuple[int, int] | None:
        return self._selection

    def set_selection(self, start: int, end: int) -> None:
        self.setTextCursor(self._cursor_for(start, end))
        self._settle_selection()

    def clear_selection(self) -> None:
        cursor = self.textCursor()
        cursor.clearSelection()
        self.setTextCursor(cursor)
        self._settle_selection()

    def selected_text(self) -> str:
        return self._text[self._selection[0] : self._selection[1]] if self._selection else ""

    def _qt_selection_changed(self) -> None:
        if not self._selecting:
            self._settle_selection()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._selecting = event.button() == Qt.MouseButton.LeftButton
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton:
            self._selecting = False
            self._settle_selection()

    def _settle_selection(self) -> None:
        """Snap Qt's selection to whole words without surrounding whitespace."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            new = None
        else:
            s = self._map.to_codepoint(cursor.selectionStart())
            e = self._map.to_codepoint(cursor.selectionEnd())
            new = snap_to_words(self._text, s, e)
        if new is not None:
            s16, e16 = self._map.to_utf16(new[0]), self._map.to_utf16(new[1])
            if (cursor.selectionStart(), cursor.selectionEnd()) != (s16, e16):
                self._selecting = True  # don't recurse through selectionChanged
                self.setTextCursor(self._cursor_for(*new))
                self._selecting = False
        if new != self._selection:
            self._selection = new
            self.selectionChanged_.emit()

    # ------------------------------------------------------------------ overlays
    def set_highlights(self, highlights: list[Highlight]) -> None:
        self._highlights = highlights
        self._refresh()

    def set_search_hits(self, hits: list[tuple[int, int]], current: int = -1) -> None:
        self._hits = hits
        self._current_hit = current
        self._refresh()

    def highlights_at(self, point: QPointF) -> list[Highlight]:
        offset = self.offset_at(point.toPoint())
        return [h for h in self._highlights if h.start <= offset < h.end]

    def scroll_to_range(self, start: int, end: int, *, flash: bool = True) -> None:
        cursor = self._cursor_for(start, start)
        self.setTextCursor(cursor)
        self.centerCursor()
        if flash:
            self._flash = (start, end)
            self._flash_step = 0
            self._flash_timer.start()
        self._refresh()

    def _flash_tick(self) -> None:
        self._flash_step += 1
        if self._flash_step > 12:
            self._flash_timer.stop()
            self._flash = None
        self._refresh()

    def _refresh(self) -> None:
        selections: list[QTextEdit.ExtraSelection] = []
        lanes = assign_lanes([h for h in self._highlights if not h.suggested])

        def add(start: int, end: int, fmt: QTextCharFormat) -> None:
            sel = QTextEdit.ExtraSelection()
            sel.cursor = self._cursor_for(start, end)
            sel.format = fmt
            selections.append(sel)

        for h in self._highlights:
            fmt = QTextCharFormat()
            color = QColor(h.color)
            if h.suggested:
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DashUnderline)
                fmt.setUnderlineColor(color)
            else:
                fill = QColor(color)
                fill.setAlpha(FILL_ALPHA)
                fmt.setBackground(fill)
                # overlapping highlights: the second lane is told apart by its underline
                fmt.setUnderlineStyle(
                    QTextCharFormat.UnderlineStyle.SingleUnderline
                    if lanes.get(h.id, 0) == 0
                    else QTextCharFormat.UnderlineStyle.WaveUnderline
                )
                fmt.setUnderlineColor(color)
            fmt.setToolTip(h.tooltip())
            add(h.start, h.end, fmt)
        for i, (s, e) in enumerate(self._hits):
            fmt = QTextCharFormat()
            fmt.setBackground(CURRENT_HIT_COLOR if i == self._current_hit else HIT_COLOR)
            add(s, e, fmt)
        if self._flash is not None and self._flash_step % 2 == 0:
            fmt = QTextCharFormat()
            fmt.setBackground(QColor(255, 200, 0, 120))
            fmt.setProperty(QTextFormat.Property.OutlinePen, FLASH_COLOR)
            add(*self._flash, fmt)
        self.setExtraSelections(selections)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        super().mouseMoveEvent(event)
        if not event.buttons():
            show_hover_tooltip(event, self.highlights_at(event.position()), self.viewport())

    def contextMenuEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        ids = [h.id for h in self.highlights_at(QPointF(event.pos()))]
        self.contextMenuAt.emit(event.globalPos(), ids)

    def wheelEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            if event.angleDelta().y() > 0:
                self.zoom_in()
            elif event.angleDelta().y() < 0:
                self.zoom_out()
            return
        super().wheelEvent(event)
