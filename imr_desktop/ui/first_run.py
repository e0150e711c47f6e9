"""The first-run question: who is annotating? Asked once, before the window is used.

Every annotation records its annotator so that teams can merge databases later; the
login name is a guess, so the user confirms or corrects it once. Closing the dialog
without confirming keeps the guess and asks again at the next start.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from imr_desktop import APP_NAME


class AnnotatorDialog(QDialog):
    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("annotatorDialog")
        self.setWindowTitle(f"Welcome to {APP_NAME}")
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        intro = QLabel(
            "<b>Who is annotating?</b><br>Your name is saved with every annotation you "
            "make, so that a team can merge its work later. You can change it at any "
            "time in Edit › Preferences."
        )
        intro.setWordWrap(True)
        self.name_edit = QLineEdit(name)
        self.name_edit.setAccessibleName("Annotator name")
        self.name_edit.setMaxLength(80)
        self.name_edit.selectAll()
        form = QFormLayout()
        form.addRow("&Your name:", self.name_edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("&Start annotating")
        self.buttons.accepted.connect(self.accept)
        self.name_edit.textChanged.connect(
            lambda text: self.ok_button.setEnabled(bool(text.strip()))
        )
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)

    def name(self) -> str:
        return " ".join(self.name_edit.text().split())
