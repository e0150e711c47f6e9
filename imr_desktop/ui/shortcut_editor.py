"""The Shortcuts page of the preferences: every registry action, its keys, an editor.

A list of actions (arrow keys to move, Enter to edit) and one key editor under it, so
the page works from the keyboard alone. A new key is checked with
``core.keymap.refusal`` against the other actions, the label digits, the menu
mnemonics and the keys the OS keeps; a refused key is not taken and the reason is shown.
Changes are staged here and applied by the dialog's OK/Apply.
"""

from __future__ import annotations

from PySide6.QtCore import QKeyCombination, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from imr_desktop.core.keymap import (
    GROUP_ORDER,
    SPEC_BY_ID,
    SPECS,
    effective_shortcuts,
    normalize,
    refusal,
)

ID_ROLE = Qt.ItemDataRole.UserRole + 1
ERROR_STYLE = "color: #c62828; font-weight: bold;"


def native(sequence: str) -> str:
    """A portable key string as this platform writes it (⌘ on macOS)."""
    return QKeySequence(sequence).toString(QKeySequence.SequenceFormat.NativeText)


def portable(sequence: QKeySequence) -> str:
    return sequence.toString(QKeySequence.SequenceFormat.PortableText)


class ShortcutsPage(QWidget):
    changed = Signal()

    def __init__(
        self,
        overrides: dict[str, str],
        menu_keys: dict[str, str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsPage")
        self._overrides = dict(overrides)
        # e.g. {"Alt+F": "opens the File menu"}: taken by the menu bar, not by an action
        self._menu_keys = {normalize(k): (k, why) for k, why in (menu_keys or {}).items()}
        self._items: dict[str, QTreeWidgetItem] = {}
        self._recording = False  # the editor was emptied to record new keys

        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter by action or key")
        self.filter_edit.setAccessibleName("Filter shortcuts")
        self.filter_edit.setClearButtonEnabled(True)

        self.tree = QTreeWidget()
        self.tree.setObjectName("shortcutTree")
        self.tree.setAccessibleName("Actions and their shortcuts")
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Action", "Shortcut"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setAlternatingRowColors(True)
        self._fill()

        self.action_label = QLabel("Shortcut:")
        self.key_edit = QKeySequenceEdit()
        self.key_edit.setObjectName("shortcutEdit")
        self.key_edit.setAccessibleName("New shortcut")
        self.key_edit.setToolTip("Press the new key combination; Backspace clears it")
        self.key_edit.setMaximumSequenceLength(1)  # one combination, no chords
        self.key_edit.setClearButtonEnabled(True)
        # Tab must move the focus on, not become a shortcut: the page stays keyboard-usable
        self.key_edit.setFinishingKeyCombinations(
            [QKeyCombination(Qt.Key.Key_Tab), QKeyCombination(Qt.Key.Key_Backtab)]
        )
        self.action_label.setBuddy(self.key_edit)
        self.reset_button = QPushButton("&Reset to Default")
        self.reset_button.setAutoDefault(False)
        self.reset_all_button = QPushButton("Reset &All")
        self.reset_all_button.setAutoDefault(False)
        self.reset_all_button.setToolTip("Give every action its default shortcuts")
        self.message = QLabel()
        self.message.setObjectName("shortcutMessage")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Shortcut problem")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        editor = QHBoxLayout()
        editor.addWidget(self.action_label)
        editor.addWidget(self.key_edit, 1)
        editor.addWidget(self.reset_button)
        editor.addWidget(self.reset_all_button)
        hint = QLabel(
            "Select an action and press Enter, then press the new keys. Keys the system "
            "keeps (Alt+F4, Alt+Tab, Meta+…) and keys already in use are refused."
        )
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(hint)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.tree, 1)
        layout.addLayout(editor)
        layout.addWidget(self.message)

        self.tree.currentItemChanged.connect(self._on_current)
        self.tree.itemActivated.connect(lambda _item, _col: self.start_editing())
        self.key_edit.editingFinished.connect(self._on_edited)
        self.key_edit.keySequenceChanged.connect(self._on_cleared)
        self.reset_button.clicked.connect(self.reset_current)
        self.reset_all_button.clicked.connect(self.reset_all)
        self.filter_edit.textChanged.connect(self._filter)
        first = self._items[SPECS[0].id]
        self.tree.setCurrentItem(first)

    # ------------------------------------------------------------------ building
    def _fill(self) -> None:
        groups: dict[str, QTreeWidgetItem] = {}
        order = {g: i for i, g in enumerate(GROUP_ORDER)}
        for spec in sorted(SPECS, key=lambda s: order.get(s.group, len(order))):
            group = groups.get(spec.group)
            if group is None:
                group = QTreeWidgetItem(self.tree, [spec.group])
                font = group.font(0)
                font.setBold(True)
                group.setFont(0, font)
                group.setFlags(Qt.ItemFlag.ItemIsEnabled)
                group.setFirstColumnSpanned(True)
                groups[spec.group] = group
            item = QTreeWidgetItem(group, [spec.plain_text, ""])
            item.setData(0, ID_ROLE, spec.id)
            if spec.tip:
                item.setToolTip(0, spec.tip)
            self._items[spec.id] = item
            self._show(spec.id)
        self.tree.expandAll()
        self.tree.resizeColumnToContents(0)
        self.tree.setColumnWidth(0, max(self.tree.columnWidth(0) + 24, 240))

    def _show(self, action_id: str) -> None:
        item = self._items[action_id]
        keys = self.shortcuts_of(action_id)
        item.setText(1, ", ".join(native(k) for k in keys) or "—")
        custom = action_id in self._overrides
        font = item.font(1)
        font.setBold(custom)  # changed from the default: bold, as KDE's editor does
        item.setFont(1, font)
        item.setToolTip(1, "Changed from the default" if custom else "Default")

    # ------------------------------------------------------------------ queries
    def overrides(self) -> dict[str, str]:
        return dict(self._overrides)

    def shortcuts_of(self, action_id: str) -> tuple[str, ...]:
        return effective_shortcuts(SPEC_BY_ID[action_id], self._overrides)

    def current_id(self) -> str | None:
        item = self.tree.currentItem()
        return item.data(0, ID_ROLE) if item is not None else None

    # ------------------------------------------------------------------ editing
    def start_editing(self) -> None:
        if self.current_id() is None:
            return
        self._recording = True
        self.key_edit.clear()
        self.key_edit.setFocus()

    def set_shortcut(self, action_id: str, sequence: str) -> str | None:
        """Give ``action_id`` the single shortcut ``sequence`` ("" = none).

        Returns the refusal message (and shows it), or None when it was taken."""
        taken = {spec.id: self.shortcuts_of(spec.id) for spec in SPECS}
        problem = refusal(action_id, sequence, taken)
        key = normalize(sequence)
        if problem is None and key in self._menu_keys:
            name, why = self._menu_keys[key]
            problem = f"{name} {why}."
        if problem is not None:
            self._say(f"Not changed: {problem}", error=True)
            self._on_current(self.tree.currentItem())  # the editor shows the old keys again
            return problem
        spec = SPEC_BY_ID[action_id]
        if key and normalize(spec.shortcuts[0] if spec.shortcuts else "") == key:
            new = spec.shortcuts  # the default key: keep the default alternatives too
        else:
            new = (sequence,) if key else ()
        if new == spec.shortcuts:
            self._overrides.pop(action_id, None)
        else:
            self._overrides[action_id] = "; ".join(new)
        self._show(action_id)
        shown = native(sequence) if key else "no shortcut"
        self._say(f"“{spec.plain_text}”: {shown}.", error=False)
        self.changed.emit()
        return None

    def reset_current(self) -> None:
        action_id = self.current_id()
        if action_id is not None:
            self.reset(action_id)

    def reset(self, action_id: str) -> None:
        if self._overrides.pop(action_id, None) is not None:
            self._show(action_id)
            self.changed.emit()
        self._on_current(self._items[action_id])
        self._say("", error=False)

    def reset_all(self) -> None:
        ids = list(self._overrides)
        self._overrides.clear()
        for action_id in ids:
            self._show(action_id)
        self._on_current(self.tree.currentItem())
        self._say("Every action has its default shortcuts again.", error=False)
        self.changed.emit()

    # ------------------------------------------------------------------ slots
    def _on_current(self, item: QTreeWidgetItem | None, _previous: object = None) -> None:
        action_id = item.data(0, ID_ROLE) if item is not None else None
        enabled = action_id is not None
        self.key_edit.setEnabled(enabled)
        self.reset_button.setEnabled(enabled and action_id in self._overrides)
        if not enabled:
            self.action_label.setText("Shortcut:")
            self.key_edit.clear()
            return
        spec = SPEC_BY_ID[action_id]
        self.action_label.setText(f"Shortcut for “{spec.plain_text}”:")
        keys = self.shortcuts_of(action_id)
        self.key_edit.blockSignals(True)
        self.key_edit.setKeySequence(QKeySequence(keys[0]) if keys else QKeySequence())
        self.key_edit.blockSignals(False)

    def _on_cleared(self, sequence: QKeySequence) -> None:
        # the editor's clear button: no shortcut for this action
        if sequence.isEmpty() and not self._recording and self.key_edit.isEnabled():
            self._on_edited()

    def _on_edited(self) -> None:
        recording, self._recording = self._recording, False
        action_id = self.current_id()
        if action_id is None:
            return
        new = portable(self.key_edit.keySequence())
        if recording and not new:  # left the editor without pressing a key
            self._on_current(self.tree.currentItem())
            return
        current = self.shortcuts_of(action_id)
        if normalize(new) == normalize(current[0] if current else ""):
            return  # nothing changed (e.g. focus left the editor)
        self.set_shortcut(action_id, new)
        self.tree.setFocus()

    def _say(self, text: str, *, error: bool) -> None:
        self.message.setStyleSheet(ERROR_STYLE if error else "")
        self.message.setText(text)

    def _filter(self, text: str) -> None:
        needle = text.strip().casefold()
        for action_id, item in self._items.items():
            haystack = f"{item.text(0)} {item.text(1)} {action_id}".casefold()
            item.setHidden(bool(needle) and needle not in haystack)
