"""The label manager: add, rename, recolour, set hotkeys, describe, reorder, delete.

Every change is one undo command applied at once (no OK/Cancel): the main window, the
label bar and the side panel follow the LabelSet immediately, and Undo in this dialog
or in the main window takes a change back. A clash (name or hotkey already used) is
refused before anything is pushed, with the LabelSet's message shown inline.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QSize, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from imr_desktop.core.labels import PALETTE, LabelSet
from imr_desktop.core.model import Label
from imr_desktop.core.session import AnnotationSet
from imr_desktop.ui.commands import DeleteLabel, ReorderLabels, SaveLabel
from imr_desktop.ui.label_model import LabelListModel
from imr_desktop.ui.swatches import swatch_icon
from imr_desktop.ui.undoing import push

# names for the preset colours, for tooltips and screen readers
PALETTE_NAMES = dict(
    zip(
        PALETTE,
        ("Blue", "Red", "Orange", "Green", "Purple", "Teal", "Pink", "Brown", "Indigo"),
        strict=True,
    )
)
ERROR_STYLE = "color: #c62828;"


def _same(a: Label, b: Label) -> bool:
    """Equal in everything the user can change (``updated_at`` aside)."""
    fields = ("name", "color", "hotkey", "description", "position")
    return all(getattr(a, f) == getattr(b, f) for f in fields)


class LabelManagerDialog(QDialog):
    storeError = Signal(str)  # the store refused a change (also shown in the dialog)

    def __init__(
        self,
        labels: LabelSet,
        undo_stack: QUndoStack,
        annotations: AnnotationSet | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Manage labels")
        self._labels = labels
        self._stack = undo_stack
        self._annotations = annotations
        self.model = LabelListModel(labels, self)

        self._build_list()
        self._build_editor()
        self._build_layout()
        self._wire()
        if len(labels):
            self.select_label(next(iter(labels)).id)
        self._refresh_editor()

    # ------------------------------------------------------------------ building
    def _build_list(self) -> None:
        view = QListView()
        view.setModel(self.model)
        view.setAccessibleName("Labels")
        view.setIconSize(QSize(18, 18))
        view.setSpacing(2)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        view.setDefaultDropAction(Qt.DropAction.MoveAction)
        view.setMinimumWidth(220)
        self.list_view = view

        self.add_button = QPushButton("Add")
        self.add_button.setToolTip("Add a new label")
        self.up_button = QPushButton("Move up")
        self.down_button = QPushButton("Move down")
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setToolTip("Delete the label and every annotation that uses it")
        for button in (self.up_button, self.down_button):
            button.setToolTip("Change the order of labels (or drag them in the list)")
        for button in (self.add_button, self.up_button, self.down_button, self.delete_button):
            button.setAutoDefault(False)  # Enter in a field must not press them

    def _build_editor(self) -> None:
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName("Label name")

        self.color_button = QPushButton("Custom…")
        self.color_button.setAccessibleName("Choose a custom colour")
        self.color_button.setIconSize(QSize(16, 16))
        self.color_button.setAutoDefault(False)
        self.preset_buttons: dict[str, QToolButton] = {}
        for color in PALETTE:
            button = QToolButton()
            button.setIcon(swatch_icon(color, 18))
            button.setIconSize(QSize(18, 18))
            button.setCheckable(True)
            button.setAutoRaise(True)
            name = PALETTE_NAMES[color]
            button.setToolTip(f"{name} ({color})")
            button.setAccessibleName(f"Colour {name}")
            self.preset_buttons[color] = button

        self.hotkey_combo = QComboBox()
        self.hotkey_combo.setAccessibleName("Hotkey")
        self.hotkey_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)

        self.description_edit = QLineEdit()
        self.description_edit.setAccessibleName("Label description")
        self.description_edit.setPlaceholderText("Shown in tooltips: what this label marks")

        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setAccessibleName("Problem")
        self.error_label.hide()

        self._current_before_reset: str | None = None
        self._shown_label_id: str | None = None  # the label the editor fields belong to
        self.color_dialog: QColorDialog | None = None
        self.confirm_box: QMessageBox | None = None

    def _build_layout(self) -> None:
        list_buttons = QHBoxLayout()
        for button in (self.add_button, self.up_button, self.down_button, self.delete_button):
            list_buttons.addWidget(button)
        left = QVBoxLayout()
        left.addWidget(self.list_view, 1)
        left.addLayout(list_buttons)

        colors = QHBoxLayout()
        colors.setSpacing(2)
        for button in self.preset_buttons.values():
            colors.addWidget(button)
        colors.addSpacing(6)
        colors.addWidget(self.color_button)
        colors.addStretch(1)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("&Name:", self.name_edit)
        form.addRow("Colour:", colors)
        hotkey_row = QHBoxLayout()
        hotkey_row.addWidget(self.hotkey_combo)
        hotkey_row.addStretch(1)
        hotkey_label = QLabel("&Hotkey:")
        hotkey_label.setBuddy(self.hotkey_combo)  # a layout row has no buddy by itself
        form.addRow(hotkey_label, hotkey_row)
        form.addRow("&Description:", self.description_edit)
        form.addRow(self.error_label)
        self.editor = QWidget()
        editor_layout = QVBoxLayout(self.editor)
        editor_layout.setContentsMargins(0, 0, 0, 0)
        editor_layout.addLayout(form)
        editor_layout.addStretch(1)

        body = QHBoxLayout()
        body.addLayout(left, 0)
        body.addSpacing(12)
        body.addWidget(self.editor, 1)

        # fixed-width buttons: the command's name goes in the tooltip, not on the button
        self.undo_button = QPushButton("Undo")
        self.undo_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        self.redo_button = QPushButton("Redo")
        self.redo_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Redo))
        for button in (self.undo_button, self.redo_button):
            button.setAutoDefault(False)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.undo_button)
        bottom.addWidget(self.redo_button)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)

        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addLayout(bottom)
        self.resize(640, 340)

    def _wire(self) -> None:
        """Every signal connection of the dialog, in one place."""
        self.list_view.selectionModel().currentChanged.connect(self._refresh_editor)
        self.model.modelAboutToBeReset.connect(self._before_model_reset)
        self.model.modelReset.connect(self._on_model_reset)
        self.model.dataChanged.connect(self._refresh_editor)
        self.model.layoutChanged.connect(self._refresh_editor)
        self.model.moveRequested.connect(self._reorder)
        self.add_button.clicked.connect(self.add_label)
        self.up_button.clicked.connect(lambda: self.move_current(-1))
        self.down_button.clicked.connect(lambda: self.move_current(+1))
        self.delete_button.clicked.connect(self.delete_current)
        self.name_edit.editingFinished.connect(self._on_name_edited)
        self.name_edit.textEdited.connect(lambda _text: self._show_error(None))
        self.description_edit.editingFinished.connect(self._on_description_edited)
        self.hotkey_combo.activated.connect(self._on_hotkey_chosen)
        self.color_button.clicked.connect(self.choose_custom_color)
        for color, button in self.preset_buttons.items():
            button.clicked.connect(lambda _=False, c=color: self.set_color(c))
        self.buttons.rejected.connect(self.close)
        self.undo_button.clicked.connect(self._stack.undo)
        self.redo_button.clicked.connect(self._stack.redo)
        # the signals carry the values, so the slots never call the stack (it may be
        # destroyed first and still emits them); bound methods, not lambdas, so Qt drops
        # the connections when this dialog is destroyed before the stack
        self._stack.canUndoChanged.connect(self.undo_button.setEnabled)
        self._stack.canRedoChanged.connect(self.redo_button.setEnabled)
        self._stack.undoTextChanged.connect(self._on_undo_text)
        self._stack.redoTextChanged.connect(self._on_redo_text)
        self.undo_button.setEnabled(self._stack.canUndo())
        self.redo_button.setEnabled(self._stack.canRedo())

    # ------------------------------------------------------------------ public API
    def current_label(self) -> Label | None:
        return self.model.label_at(self.list_view.currentIndex().row())

    def select_label(self, label_id: str) -> None:
        row = self.model.row_of(label_id)
        if row >= 0:
            self.list_view.selectionModel().setCurrentIndex(
                self.model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect
            )

    def add_label(self) -> None:
        label = self._labels.new(self._unused_name("New label"))
        if self._commit(label, is_new=True):
            self.select_label(label.id)
            self.name_edit.setFocus()
            self.name_edit.selectAll()

    def set_color(self, color: str) -> None:
        label = self.current_label()
        if label is not None:
            self._commit(label.with_changes(color=QColor(color).name()))

    def choose_custom_color(self) -> QColorDialog | None:
        """Open the colour dialog (window-modal, not blocking) for the current label."""
        label = self.current_label()
        if label is None:
            return None
        dialog = QColorDialog(QColor(label.color), self)
        dialog.setOption(QColorDialog.ColorDialogOption.DontUseNativeDialog)
        dialog.setWindowTitle(f"Colour of {label.name}")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        label_id = label.id
        dialog.colorSelected.connect(lambda color: self._set_color_of(label_id, color))
        self.color_dialog = dialog
        dialog.open()
        return dialog

    def move_current(self, step: int) -> None:
        label = self.current_label()
        if label is None:
            return
        order = [lb.id for lb in self._labels]
        row = order.index(label.id)
        target = row + step
        if 0 <= target < len(order):
            order.insert(target, order.pop(row))
            self._reorder(order)

    def delete_current(self) -> QMessageBox | None:
        """Delete the current label, after confirming when annotations would go with it.

        Returns the confirmation box when one is shown (window-modal, not blocking)."""
        label = self.current_label()
        if label is None:
            return None
        count, documents = self._usage(label.id)
        if count == 0:
            self._delete(label)  # nothing to lose, and Undo is one click away
            return None
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Delete label")
        box.setText(f"Delete the label “{label.name}”?")
        annotations = f"{count} annotation{'s' if count != 1 else ''}"
        where = f"{documents} document{'s' if documents != 1 else ''}"
        box.setInformativeText(
            f"{annotations} in {where} will be removed with it, across the whole database. "
            "Undo brings them back."
        )
        delete = box.addButton("Delete label", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        label_id = label.id
        box.buttonClicked.connect(
            lambda button: self._delete_confirmed(label_id) if button is delete else None
        )
        self.confirm_box = box
        box.open()
        return box

    # ------------------------------------------------------------------ edits
    def _commit(self, after: Label, *, is_new: bool = False) -> bool:
        """Validate ``after`` against the other labels and push one SaveLabel."""
        previous = None if is_new else self._labels.get(after.id)
        problem = self._labels.validate(after)
        if problem:
            self._show_error(problem)
            self._refresh_editor(keep_error=True)  # show what is saved, not the refusal
            return False
        if previous is not None and _same(previous, after):
            return True
        return self._push(SaveLabel(self._labels, previous, after))

    def _reorder(self, order: list[str]) -> None:
        before = [lb.id for lb in self._labels]
        if order != before:
            self._push(ReorderLabels(self._labels, before, order))

    def _delete_confirmed(self, label_id: str) -> None:
        label = self._labels.get(label_id)
        if label is not None:
            self._delete(label)

    def _delete(self, label: Label) -> None:
        row = self.model.row_of(label.id)
        if self._push(DeleteLabel(self._labels, label, self._annotations)):
            count = self.model.rowCount()
            if count:
                self.list_view.setCurrentIndex(self.model.index(min(row, count - 1)))

    def _push(self, command: SaveLabel | ReorderLabels | DeleteLabel) -> bool:
        """Push a change; a store refusal is shown inline and emitted, nothing changes."""
        error = push(self._stack, command)
        self._show_error(error)
        if error:
            self.storeError.emit(error)
            return False
        return True

    def _usage(self, label_id: str) -> tuple[int, int]:
        """Live annotations using the label, and the documents they are in (all of the
        database, not only the open letter)."""
        row = self._labels.store.db.execute(
            "SELECT count(*), count(DISTINCT document) FROM annotations "
            "WHERE label_id = ? AND deleted = 0",
            [label_id],
        ).fetchone()
        return int(row[0]), int(row[1])

    def _unused_name(self, base: str) -> str:
        name, n = base, 1
        while self._labels.by_name(name) is not None:
            n += 1
            name = f"{base} {n}"
        return name

    # ------------------------------------------------------------------ reactions
    def _on_name_edited(self) -> None:
        label = self.current_label()
        text = self.name_edit.text().strip()
        if label is None or text == label.name:
            self.name_edit.setModified(False)
        elif self._commit(label.with_changes(name=text)):
            self.name_edit.setModified(False)
            self._refresh_editor()
        # a refused name stays in the field (modified) next to the message, to be fixed

    def _on_description_edited(self) -> None:
        label = self.current_label()
        text = self.description_edit.text().strip()
        if label is None or text == label.description:
            self.description_edit.setModified(False)
        elif self._commit(label.with_changes(description=text)):
            self.description_edit.setModified(False)
            self._refresh_editor()

    def _on_hotkey_chosen(self, _row: int) -> None:
        label = self.current_label()
        if label is not None:
            self._commit(label.with_changes(hotkey=self.hotkey_combo.currentData()))

    def _set_color_of(self, label_id: str, color: QColor) -> None:
        label = self._labels.get(label_id)
        if label is not None and color.isValid():
            self._commit(label.with_changes(color=color.name()))

    def _before_model_reset(self) -> None:
        label = self.current_label()
        self._current_before_reset = label.id if label else None

    def _on_model_reset(self) -> None:
        """Labels were added or deleted (here or by undo elsewhere): keep the same label
        selected when it still exists, else the first, so the editor has a label."""
        if self._current_before_reset and self.model.row_of(self._current_before_reset) >= 0:
            self.select_label(self._current_before_reset)
        elif self.model.rowCount():
            self.list_view.setCurrentIndex(self.model.index(0))
        self._refresh_editor()

    def _refresh_editor(self, *_args: object, keep_error: bool = False) -> None:
        """Show the saved state of the current label (after any change, from anywhere)."""
        label = self.current_label()
        self.editor.setEnabled(label is not None)
        row = self.list_view.currentIndex().row()
        self.up_button.setEnabled(label is not None and row > 0)
        self.down_button.setEnabled(label is not None and row < self.model.rowCount() - 1)
        self.delete_button.setEnabled(label is not None)
        if not keep_error and label is None:
            self._show_error(None)
        if label is None:
            for edit in (self.name_edit, self.description_edit):
                edit.clear()
            self.hotkey_combo.clear()
            self._shown_label_id = None
            return
        # another label, or no unsaved typing: show what is saved (e.g. after an undo)
        other_label = label.id != self._shown_label_id
        self._shown_label_id = label.id
        fields = ((self.name_edit, label.name), (self.description_edit, label.description))
        for edit, saved in fields:
            if other_label or not edit.isModified():
                edit.setText(saved)  # also clears isModified
        self.color_button.setIcon(swatch_icon(label.color, 16))
        self.color_button.setToolTip(f"Current colour {label.color}: choose any colour")
        for color, button in self.preset_buttons.items():
            button.setChecked(color.lower() == label.color.lower())
        self._fill_hotkeys(label)

    def _fill_hotkeys(self, label: Label) -> None:
        """ "None" and 1–9; keys taken by other labels say by which, to explain a refusal
        before it happens."""
        combo = self.hotkey_combo
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("None", None)
        for key in range(1, 10):
            other = self._labels.by_hotkey(key)
            taken = f"  (used by {other.name})" if other and other.id != label.id else ""
            combo.addItem(f"{key}{taken}", key)
        combo.setCurrentIndex(combo.findData(label.hotkey) if label.hotkey else 0)
        combo.blockSignals(False)

    def _on_undo_text(self, text: str) -> None:
        self.undo_button.setToolTip(f"Undo {text}" if text else "")

    def _on_redo_text(self, text: str) -> None:
        self.redo_button.setToolTip(f"Redo {text}" if text else "")

    def _show_error(self, message: str | None) -> None:
        self.error_label.setText(message or "")
        self.error_label.setVisible(bool(message))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter in a field has already committed it (editingFinished); it must not also
        # press the default button and close the dialog
        is_enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if is_enter and isinstance(self.focusWidget(), QLineEdit):
            event.accept()
            return
        super().keyPressEvent(event)
