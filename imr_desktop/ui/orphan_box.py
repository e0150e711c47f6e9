"""The orphan selected in the annotation panel, and what the user can do with it.

An orphan has no place in the current text, so selecting it never scrolls the letter:
this box shows where it was instead (its exact quote between its stored context, its
label and note, about where it used to be) with the panel's own actions as buttons, so
their enabled state and the reason given when disabled are the same as in the menus.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QRectF, Qt
from PySide6.QtGui import QAction, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from imr_desktop.core.model import Annotation
from imr_desktop.ui.annotation_model import context_html
from imr_desktop.ui.theme import warning_colors

HINT = "Select the passage in the letter where it belongs, then re-attach it."


class OrphanBox(QFrame):
    def __init__(self, actions: Sequence[tuple[QAction, str]], parent: QWidget | None = None):
        """``actions``: (action, accessible name) shown as buttons, in order."""
        super().__init__(parent)
        self.setObjectName("orphanBox")
        self.setAccessibleName("Annotation that needs re-attaching")
        self.title = QLabel("⚠ Not placed: the letter's text changed", self)
        self.title.setObjectName("orphanTitle")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.quote = QLabel(self)
        self.quote.setObjectName("orphanQuote")
        self.quote.setAccessibleName("Quote and its old context")
        self.quote.setWordWrap(True)
        self.quote.setTextFormat(Qt.TextFormat.RichText)
        self.quote.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QLabel(self)
        self.details.setObjectName("orphanDetails")
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.hint = QLabel(HINT, self)
        self.hint.setWordWrap(True)
        self.buttons: list[QToolButton] = []
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for action, name in actions:
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setAccessibleName(name)
            row.addWidget(button)
            self.buttons.append(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)
        for widget in (self.title, self.quote, self.details, self.hint):
            layout.addWidget(widget)
        layout.addLayout(row)
        self._restyle()
        self.hide()

    def show_orphan(self, ann: Annotation, label_name: str, color: str, old_place: str) -> None:
        self.quote.setText(context_html(ann.prefix, ann.exact, ann.suffix))
        swatch = f'<span style="color: {html.escape(color)}">■</span>'
        parts = [f"{swatch} {html.escape(label_name)}"]
        if old_place:
            parts.append(f"was {html.escape(old_place)}")
        details = " · ".join(parts)
        if ann.note:
            note = html.escape(" ".join(ann.note.split()))
            details += f"<br><i>Note:</i> {note}"
        self.details.setText(details)
        self.show()

    # ------------------------------------------------------------------ theme
    # No style sheet: a widget with one stops following the application's palette, and
    # the theme can change while the box is shown. The amber is painted from the current
    # palette instead, and the labels keep the palette's own text colour.
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._restyle()
        super().changeEvent(event)

    def _restyle(self) -> None:
        _background, text = warning_colors(self.palette())
        palette = self.title.palette()
        if palette.color(QPalette.ColorRole.WindowText) != text:
            palette.setColor(QPalette.ColorRole.WindowText, text)
            self.title.setPalette(palette)

    def paintEvent(self, event: QPaintEvent) -> None:
        background, text = warning_colors(self.palette())
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(text, 1))
        painter.setBrush(background)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 4, 4)
