"""A small dialog to write the note of one annotation."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from imr_desktop.core.model import Annotation
from imr_desktop.ui.annotation_model import snippet


class NoteDialog(QDialog):
    """Shows the quote and edits the note; the caller reads ``note()`` on ``accepted``."""

    def __init__(self, ann: Annotation, label_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.annotation_id = ann.id
        self.setWindowTitle("Edit note")
        self.setMinimumWidth(420)

        quote = QLabel(f"<b>{_escape(label_name)}</b> · “{_escape(snippet(ann.exact, 300))}”")
        quote.setWordWrap(True)
        quote.setAccessibleName("Annotated text")

        self.editor = QPlainTextEdit(ann.note)
        self.editor.setAccessibleName("Note")
        self.editor.setPlaceholderText("Why this passage matters, what to check…")
        self.editor.setTabChangesFocus(True)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        # Enter makes a new line in the note; Ctrl+Enter saves it
        QShortcut(QKeySequence("Ctrl+Return"), self, self.accept)

        hint = QLabel("Ctrl+Enter to save")
        hint.setEnabled(False)

        layout = QVBoxLayout(self)
        layout.addWidget(quote)
        layout.addWidget(self.editor, 1)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        self.editor.setFocus()

    def note(self) -> str:
        return self.editor.toPlainText().strip()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
