"""Two small charts drawn with QPainter: labelled horizontal bars and a column series.

No plotting dependency: the statistics view needs bars with names and values, and a
column per day; both size themselves to their content and follow the palette.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

DEFAULT_BAR = QColor("#4a7ab5")


@dataclass(frozen=True, slots=True)
class Bar:
    name: str
    value: float  # the bar's length, against the chart's maximum
    text: str  # written after the bar ("42 %  (120 items)")
    color: QColor | None = None
    rest: float = 0.0  # a second share drawn after the bar (rates: upheld after overturned)
    rest_color: QColor | None = None


class BarChart(QWidget):
    """Horizontal bars, one per row: name on the left, bar, value text on the right."""

    ROW = 22

    def __init__(self, parent: QWidget | None = None, maximum: float | None = None) -> None:
        super().__init__(parent)
        self.bars: list[Bar] = []
        self.maximum = maximum  # fixed scale (rates: 1.0), else the largest value
        self.empty_text = "Nothing yet."
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_bars(self, bars: list[Bar]) -> None:
        self.bars = bars
        self.updateGeometry()
        self.setFixedHeight(self.sizeHint().height())
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(420, max(1, len(self.bars)) * self.ROW + 8)

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        text_color = pal.color(QPalette.ColorRole.WindowText)
        fm = self.fontMetrics()
        if not self.bars:
            p.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignLeft, self.empty_text)
            return
        # names get up to 40 % of the width; longer ones are elided (tooltip-free: the
        # table below has them whole)
        widest = max(fm.horizontalAdvance(b.name) for b in self.bars) + 12
        name_w = min(widest, self.width() * 2 // 5)
        value_w = max(fm.horizontalAdvance(b.text) for b in self.bars) + 8
        bar_w = max(20, self.width() - name_w - value_w - 4)
        top = max((b.value for b in self.bars), default=0)
        scale = self.maximum or top or 1
        for i, b in enumerate(self.bars):
            y = 4 + i * self.ROW
            p.setPen(text_color)
            name = fm.elidedText(b.name, Qt.TextElideMode.ElideRight, name_w - 8)
            p.drawText(
                QRectF(0, y, name_w - 8, self.ROW),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                name,
            )
            length = bar_w * max(0.0, min(b.value / scale, 1.0))
            p.fillRect(
                QRectF(name_w, y + 4, bar_w, self.ROW - 8),
                pal.color(QPalette.ColorRole.AlternateBase),
            )
            p.fillRect(QRectF(name_w, y + 4, length, self.ROW - 8), b.color or DEFAULT_BAR)
            if b.rest and b.rest_color is not None:
                rest = bar_w * max(0.0, min(b.rest / scale, 1.0))
                p.fillRect(QRectF(name_w + length, y + 4, rest, self.ROW - 8), b.rest_color)
            p.setPen(text_color)
            p.drawText(
                QRectF(name_w + bar_w + 6, y, value_w, self.ROW),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                b.text,
            )


class ColumnChart(QWidget):
    """One column per (label, value), e.g. annotations per day, with a value axis."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points: list[tuple[str, int]] = []
        self.cumulative = False
        self.setFixedHeight(170)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_points(self, points: list[tuple[str, int]]) -> None:
        self.points = points
        # nothing to draw: one line of text, not an empty plot
        self.setFixedHeight(170 if points else self.fontMetrics().height() + 8)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(420, 170)

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        pal = self.palette()
        text_color = pal.color(QPalette.ColorRole.WindowText)
        fm = self.fontMetrics()
        if not self.points:
            p.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignLeft, "No annotations yet.")
            return
        top = max(v for _, v in self.points) or 1
        axis_w = fm.horizontalAdvance(str(top)) + 8
        left, bottom = axis_w, self.height() - fm.height() - 6
        plot_h = bottom - fm.height()
        plot_w = self.width() - left - 4
        p.setPen(pal.color(QPalette.ColorRole.Mid))
        p.drawLine(left, bottom, left + plot_w, bottom)
        p.drawLine(left, bottom, left, bottom - plot_h)
        p.setPen(text_color)
        for value in (0, top):
            y = bottom - plot_h * value / top
            p.drawText(
                QRectF(0, y - fm.height() / 2, axis_w - 4, fm.height()),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                str(value),
            )
        n = len(self.points)
        slot = plot_w / n
        width = max(1.0, min(slot * 0.7, 40))
        label_every = max(1, int(fm.horizontalAdvance("2026-01-01 ") / slot) + 1)
        for i, (name, value) in enumerate(self.points):
            h = plot_h * value / top
            x = left + i * slot + (slot - width) / 2
            p.fillRect(QRectF(x, bottom - h, width, h), DEFAULT_BAR)
            if n <= 20:
                p.drawText(
                    QRectF(x - 20, bottom - h - fm.height(), width + 40, fm.height()),
                    Qt.AlignmentFlag.AlignCenter,
                    str(value),
                )
            if i % label_every == 0 or i == n - 1:
                p.drawText(
                    QRectF(left + i * slot - 40 + slot / 2, bottom + 3, 80, fm.height()),
                    Qt.AlignmentFlag.AlignCenter,
                    name,
                )
