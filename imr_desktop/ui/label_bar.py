"""One button per label to tag the current selection, plus "Manage labels…".

Buttons wrap onto several lines in a narrow side panel instead of being clipped.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QPushButton, QSizePolicy, QToolButton, QWidget

from imr_desktop.core.labels import LabelSet
from imr_desktop.core.model import Label
from imr_desktop.ui.flow_layout import FlowLayout
from imr_desktop.ui.subscriptions import Subscriptions
from imr_desktop.ui.swatches import keycap_icon

NAME_WIDTH = 180  # pixels; longer names are elided on the button, whole in the tooltip
KEYCAP = 18
KEYCAP_GAP = 6
DEFAULT_DISABLED_REASON = "Select text in the letter to tag it."


class LabelBar(QWidget):
    labelChosen = Signal(str)  # label id
    manageRequested = Signal()

    def __init__(self, labels: LabelSet, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Labels")
        self._labels = labels
        self._enabled = True
        self._reason = ""
        self._buttons: dict[str, QPushButton] = {}

        self._layout = FlowLayout(self, spacing=6)
        self._layout.setContentsMargins(0, 0, 0, 0)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

        self.manage_button = QToolButton()
        self.manage_button.setText("Manage labels…")
        self.manage_button.setAutoRaise(True)
        self.manage_button.setAccessibleName("Manage labels")
        self.manage_button.setToolTip("Add, rename, recolour, reorder or delete labels")
        self.manage_button.clicked.connect(self.manageRequested)

        self._subscriptions = Subscriptions(self)
        self._subscriptions.add("labels", labels.subscribe(self._rebuild))
        self._rebuild()

    # ------------------------------------------------------------------ public API
    def set_tagging_enabled(self, enabled: bool, reason: str = "") -> None:
        """Enable the label buttons, or disable them and say why in their tooltips
        (e.g. "Select text in the letter to tag it.", "The database is read-only.")."""
        self._enabled = enabled
        self._reason = "" if enabled else (reason or DEFAULT_DISABLED_REASON)
        for label_id, button in self._buttons.items():
            button.setEnabled(enabled)
            label = self._labels.get(label_id)
            if label is not None:
                button.setToolTip(self._tooltip(label))
        self.setToolTip(self._reason)

    def tagging_enabled(self) -> bool:
        return self._enabled

    def button_for(self, label_id: str) -> QPushButton | None:
        return self._buttons.get(label_id)

    # ------------------------------------------------------------------ building
    def _rebuild(self) -> None:
        """Recreate the buttons from the label schema (labels change rarely)."""
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget() if item else None
            if widget is not None and widget is not self.manage_button:
                widget.deleteLater()
        self._buttons = {}
        for label in self._labels:
            button = self._make_button(label)
            self._buttons[label.id] = button
            self._layout.addWidget(button)
        self._layout.addWidget(self.manage_button)
        self.updateGeometry()

    def _make_button(self, label: Label) -> QPushButton:
        button = QPushButton(self)
        # the key cap carries the hotkey digit ("1 Summary fact" reads as colour, key, name)
        button.setIcon(keycap_icon(label.color, label.hotkey, KEYCAP, gap=KEYCAP_GAP))
        button.setIconSize(QSize(KEYCAP + KEYCAP_GAP, KEYCAP))
        name = button.fontMetrics().elidedText(label.name, Qt.TextElideMode.ElideRight, NAME_WIDTH)
        button.setText(name.replace("&", "&&"))  # "&" would become a mnemonic underline
        button.setAccessibleName(f"Tag as {label.name}")
        if label.hotkey:
            button.setAccessibleDescription(f"Hotkey {label.hotkey}")
        button.setToolTip(self._tooltip(label))
        button.setEnabled(self._enabled)
        button.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a click must not steal the selection
        button.clicked.connect(lambda _=False, label_id=label.id: self.labelChosen.emit(label_id))
        return button

    def _tooltip(self, label: Label) -> str:
        head = f"<b>{html.escape(label.name)}</b>"
        if label.hotkey:
            head += f" — press {label.hotkey}"
        parts = [head]
        if label.description:
            parts.append(html.escape(label.description))
        if self._reason:
            parts.append(f"<i>{html.escape(self._reason)}</i>")
        return "<br>".join(parts)
