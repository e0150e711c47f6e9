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


def _pixmap(size: int, width: int | None = None) -> tuple[QPixmap, QPainter]:
    pix = QPixmap(width or size, size)
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


@lru_cache(maxsize=64)
def keycap_icon(color: str, hotkey: int | None, size: int = 18, gap: int = 0) -> QIcon:
    """The label colour as a key cap with its hotkey digit: colour and key at a glance.

    ``gap`` adds transparent room on the right (buttons put no space between icon and
    text)."""
    pix, painter = _pixmap(size, size + gap)
    fill = QColor(color)
    painter.setPen(QPen(fill.darker(140), 1))
    painter.setBrush(fill)
    painter.drawRoundedRect(QRectF(0.5, 0.5, size - 1, size - 1), 4, 4)
    if hotkey is None:
        painter.end()
        return QIcon(pix)
    font = painter.font()
    font.setBold(True)
    font.setPixelSize(int(size * 0.68))
    painter.setFont(font)
    painter.setPen(_readable_on(fill))
    painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, str(hotkey))
    painter.end()
    return QIcon(pix)


def _readable_on(fill: QColor) -> QColor:
    """Black or white, whichever contrasts more with ``fill`` (WCAG relative luminance)."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    lum = 0.2126 * channel(fill.redF()) + 0.7152 * channel(fill.greenF())
    lum += 0.0722 * channel(fill.blueF())
    return QColor("#000000") if (lum + 0.05) / 0.05 > 1.05 / (lum + 0.05) else QColor("#ffffff")
