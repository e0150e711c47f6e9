"""Small painted icons shared by the panels: label colour swatches and the note mark.

Painted rather than loaded from a theme so they look the same offscreen, on every
desktop and in a frozen bundle.
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap

SWATCH_SIZE = 14
UNKNOWN_COLOR = "#9e9e9e"


def _pixmap(size: int) -> tuple[QPixmap, QPainter]:
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    return pix, painter


@lru_cache(maxsize=64)
def swatch_icon(color: str, size: int = SWATCH_SIZE) -> QIcon:
    """A rounded square of ``color`` with a darker rim, visible on light and dark themes."""
    pix, painter = _pixmap(size)
    fill = QColor(color)
    painter.setPen(QPen(fill.darker(140), 1))
    painter.setBrush(fill)
    painter.drawRoundedRect(QRectF(0.5, 0.5, size - 1, size - 1), 3, 3)
    painter.end()
    return QIcon(pix)


@lru_cache(maxsize=1)
def note_icon(size: int = SWATCH_SIZE) -> QIcon:
    """A folded sheet with two lines: "this annotation has a note"."""
    pix, painter = _pixmap(size)
    ink = QColor("#6b6b6b")
    painter.setPen(QPen(ink, 1.2))
    painter.setBrush(QColor("#fff6c8"))
    m = size * 0.15
    painter.drawRoundedRect(QRectF(m, m * 0.5, size - 2 * m, size - m), 1.5, 1.5)
    for frac in (0.4, 0.62):
        y = size * frac
        painter.drawLine(int(m * 2), int(y), int(size - m * 2), int(y))
    painter.end()
    return QIcon(pix)
