"""A message bar above the document: read-only database, no text layer, repaired file."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

STYLES = {
    "info": ("#e8f1fd", "#1c4f8f", "#9bbfee"),
    "warning": ("#fff4d6", "#6b4b00", "#f0cf73"),
    "error": ("#fde8e8", "#8f1c1c", "#ee9b9b"),
}


class Banner(QFrame):
    """Shows one or more messages, each with its own severity; each can be dismissed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self._rows = QVBoxLayout(self)
        self._rows.setContentsMargins(0, 0, 0, 0)
        self._rows.setSpacing(0)
        self._messages: dict[str, QFrame] = {}
        self.hide()

    def show_message(
        self,
        key: str,
        text: str,
        severity: str = "info",
        *,
        actions: Sequence[tuple[str, Callable[[], None]]] = (),
        widgets: Sequence[QWidget] = (),
        closable: bool = True,
    ) -> None:
        """Show (or replace) message ``key``; ``actions`` become push buttons after the
        text, ``widgets`` (e.g. a progress bar) are placed between the two."""
        self.clear_message(key)
        bg, fg, border = STYLES[severity]
        row = QFrame(self)
        row.setObjectName(f"banner_{key}")
        row.setStyleSheet(
            f"QFrame#banner_{key} {{ background: {bg}; border-bottom: 1px solid "
            f"{border}; }} QLabel {{ color: {fg}; }}"
        )
        layout = QHBoxLayout(row)
        layout.setContentsMargins(12, 6, 6, 6)
        label = QLabel(text, row)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setAccessibleName(f"{severity} message")
        layout.addWidget(label, 1)
        for widget in widgets:
            widget.setParent(row)
            layout.addWidget(widget)
        for text_, callback in actions:
            button = QPushButton(text_, row)
            button.setObjectName(f"banner_{key}_action")
            button.clicked.connect(lambda _c=False, cb=callback: cb())
            layout.addWidget(button)
        if not closable:
            self._rows.addWidget(row)
            self._messages[key] = row
            self.show()
            return
        close = QToolButton(row)
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.setAccessibleName("Dismiss message")
        close.clicked.connect(lambda: self.clear_message(key))
        layout.addWidget(close)
        self._rows.addWidget(row)
        self._messages[key] = row
        self.show()

    def clear_message(self, key: str) -> None:
        row = self._messages.pop(key, None)
        if row is not None:
            row.deleteLater()
        self.setVisible(bool(self._messages))

    def has_message(self, key: str) -> bool:
        return key in self._messages

    def actions(self, key: str) -> list[QPushButton]:
        row = self._messages.get(key)
        return row.findChildren(QPushButton) if row else []

    def message_text(self, key: str) -> str:
        row = self._messages.get(key)
        label = row.findChild(QLabel) if row else None
        return label.text() if label else ""
