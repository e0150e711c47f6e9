"""A list model over a ``LabelSet``, for the label manager.

Like the annotation model it holds no copy of the labels: rows are read from the
LabelSet, and its change events become dataChanged (edits), layoutChanged with
persistent indexes moved (reorders: the selection follows the moved label) or a reset.
Dragging a row does not move it here: it asks for the reorder (``moveRequested``) and
the undo command that performs it changes the LabelSet, which updates this model.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from imr_desktop.core.labels import LabelSet
from imr_desktop.core.model import Label
from imr_desktop.ui.subscriptions import Subscriptions
from imr_desktop.ui.swatches import keycap_icon

AnyIndex = QModelIndex | QPersistentModelIndex
LABEL_ID_ROLE = Qt.ItemDataRole.UserRole + 1
_ROOT = QModelIndex()


class LabelListModel(QAbstractListModel):
    moveRequested = Signal(list)  # the label ids in the order the user dropped them

    def __init__(self, labels: LabelSet, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._labels = labels
        self._ids = [lb.id for lb in labels]  # row order, to map persistent indexes
        self._subscriptions = Subscriptions(self)
        self._subscriptions.add("labels", labels.subscribe(self._on_labels_changed))

    def label_at(self, row: int) -> Label | None:
        return self._labels.get(self._ids[row]) if 0 <= row < len(self._ids) else None

    def row_of(self, label_id: str) -> int:
        return self._ids.index(label_id) if label_id in self._ids else -1

    # ------------------------------------------------------------------ core events
    def _on_labels_changed(self) -> None:
        new_ids = [lb.id for lb in self._labels]
        if new_ids == self._ids:
            if new_ids:
                self.dataChanged.emit(self.index(0), self.index(len(new_ids) - 1))
        elif sorted(new_ids) == sorted(self._ids):
            self.layoutAboutToBeChanged.emit()
            old_ids = self._ids
            self._ids = new_ids
            for old in self.persistentIndexList():
                row = new_ids.index(old_ids[old.row()])
                self.changePersistentIndex(old, self.index(row, old.column()))
            self.layoutChanged.emit()
        else:
            self.beginResetModel()
            self._ids = new_ids
            self.endResetModel()

    # ------------------------------------------------------------------ QAbstractListModel
    def rowCount(self, parent: AnyIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        label = self.label_at(index.row()) if index.isValid() else None
        if label is None:
            return None
        match role:
            case Qt.ItemDataRole.DisplayRole:
                return label.name
            case Qt.ItemDataRole.DecorationRole:
                return keycap_icon(label.color, label.hotkey)
            case Qt.ItemDataRole.ToolTipRole:
                return label.description or None
            case Qt.ItemDataRole.AccessibleTextRole:
                key = f", hotkey {label.hotkey}" if label.hotkey else ", no hotkey"
                return f"{label.name}{key}"
            case _ if role == LABEL_ID_ROLE:
                return label.id
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled  # drops go between rows, not onto them
        return (
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        )

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def moveRows(
        self,
        source_parent: AnyIndex,
        source_row: int,
        count: int,
        destination_parent: AnyIndex,
        destination_child: int,
    ) -> bool:
        """Called by the list view for an internal drag: ask for the reorder instead."""
        if source_parent.isValid() or destination_parent.isValid() or count < 1:
            return False
        if not (source_row >= 0 and source_row + count <= len(self._ids)):
            return False
        moving = self._ids[source_row : source_row + count]
        rest = self._ids[:source_row] + self._ids[source_row + count :]
        at = destination_child - (count if destination_child > source_row else 0)
        at = max(0, min(at, len(rest)))
        order = rest[:at] + moving + rest[at:]
        if order != self._ids:
            self.moveRequested.emit(order)
        return True
