"""The Labels page of the preferences: the label editor plus schema import and export.

Labels live in the database, not in the settings file, so this page edits them the way
Manage Labels does: each change at once, as an undo command. An import is one undo
macro of ``SaveLabel`` commands in the order ``core.label_schema.plan_merge`` gives, so
Ctrl+Z takes a whole import back.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from imr_desktop.core.label_schema import LabelSchemaError, dump_schema, parse_schema, plan_merge
from imr_desktop.core.labels import LabelSet
from imr_desktop.core.session import AnnotationSet
from imr_desktop.ui.commands import SaveLabel
from imr_desktop.ui.label_manager import LabelManagerDialog
from imr_desktop.ui.undoing import push

SCHEMA_FILTER = "Label schemas (*.json);;All files (*)"
ERROR_STYLE = "color: #c62828;"


class _EmbeddedLabelManager(LabelManagerDialog):
    """The label manager as a page: no window of its own, Esc closes the preferences."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.setWindowFlags(Qt.WindowType.Widget)
        self.buttons.hide()  # the preferences dialog has its own
        self.layout().setContentsMargins(0, 0, 0, 0)

    def reject(self) -> None:
        outer = self.parentWidget().window() if self.parentWidget() else None
        if outer is not None and outer is not self:
            outer.close()


class LabelsPage(QWidget):
    imported = Signal(str)  # summary of an import

    def __init__(
        self,
        labels: LabelSet | None,
        undo_stack: QUndoStack,
        annotations: AnnotationSet | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("labelsPage")
        self._labels = labels
        self._stack = undo_stack
        self.manager: LabelManagerDialog | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        if labels is None:
            note = QLabel(
                "No annotation database is open, so there are no labels to edit. "
                "Open one with File › Open Database…"
            )
            note.setWordWrap(True)
            layout.addWidget(note)
            layout.addStretch(1)
            self.import_button = self.export_button = None
            self.message = note
            return

        intro = QLabel(
            "Labels belong to the open database. Changes apply at once and can be undone "
            "with Ctrl+Z. Share a label set with your team as a schema file."
        )
        intro.setWordWrap(True)
        self.import_button = QPushButton("&Import Schema…")
        self.import_button.setToolTip(
            "Merge a label schema (JSON) by name: same-named labels are updated, "
            "new ones added, the others kept"
        )
        self.export_button = QPushButton("E&xport Schema…")
        self.export_button.setToolTip("Save these labels as a schema file (JSON)")
        for button in (self.import_button, self.export_button):
            button.setAutoDefault(False)
        if labels.store.read_only:
            self.import_button.setEnabled(False)
            self.import_button.setToolTip("The database is read-only.")
        row = QHBoxLayout()
        row.addWidget(self.import_button)
        row.addWidget(self.export_button)
        row.addStretch(1)
        self.manager = _EmbeddedLabelManager(labels, undo_stack, annotations, self)
        self.message = QLabel()
        self.message.setObjectName("schemaMessage")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Import and export result")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(intro)
        layout.addWidget(self.manager, 1)
        layout.addLayout(row)
        layout.addWidget(self.message)
        self.import_button.clicked.connect(self._choose_import)
        self.export_button.clicked.connect(self._choose_export)

    # ------------------------------------------------------------------ import
    def _choose_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import a label schema", str(Path.home()), SCHEMA_FILTER
        )
        if path:
            self.import_file(path)

    def import_file(self, path: str | Path) -> bool:
        """Merge the schema in ``path``; the message line says what happened."""
        assert self._labels is not None
        path = Path(path)
        try:
            incoming = parse_schema(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            return self._fail(f"Cannot read {path.name}: {getattr(exc, 'strerror', exc)}.")
        except LabelSchemaError as exc:
            return self._fail(f"{path.name} was not imported. {exc}")
        plan = plan_merge(list(self._labels), incoming)
        if plan.steps:
            self._stack.beginMacro(f"Import labels from {path.name}")
            error = None
            for before, after in plan.steps:
                error = push(self._stack, SaveLabel(self._labels, before, after))
                if error:
                    break
            self._stack.endMacro()
            if error:
                self._stack.undo()  # take back the part that was saved
                return self._fail(f"{path.name} was not imported: {error}")
        self._say(f"Imported {path.name}. {plan.summary()}")
        self.imported.emit(plan.summary())
        return True

    # ------------------------------------------------------------------ export
    def _choose_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export the label schema", str(Path.home() / "labels.json"), SCHEMA_FILTER
        )
        if path:
            self.export_file(path)

    def export_file(self, path: str | Path) -> bool:
        assert self._labels is not None
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        try:
            tmp.write_text(dump_schema(self._labels), encoding="utf-8")
            os.replace(tmp, path)
        except OSError as exc:
            return self._fail(f"Cannot write {path.name}: {exc.strerror or exc}.")
        self._say(f"Exported {len(self._labels)} labels to {path}.")
        return True

    # ------------------------------------------------------------------ messages
    def _fail(self, text: str) -> bool:
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(text)
        return False

    def _say(self, text: str) -> None:
        self.message.setStyleSheet("")
        self.message.setText(text)
