"""Importing letters from the GUI: a progress dialog with Cancel, then the summary.

``import_paths`` runs on a ``StoreTask`` thread with its own Store connection (it starts
its reader processes from there); cancelling sets an Event it checks between files, and
what was read so far is committed whole.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from imr_desktop.core.library.importer import ImportOptions, ImportSummary, import_paths
from imr_desktop.ui.store_task import StoreTask


class ImportDialog(QDialog):
    """Shows progress while importing, then turns into the closing summary."""

    finished_import = Signal(object)  # ImportSummary, or None when it could not run

    def __init__(
        self,
        db_path: Path,
        paths: Sequence[str | Path],
        options: ImportOptions | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("importDialog")
        self.setWindowTitle("Import letters")
        self.setMinimumWidth(520)
        self.summary: ImportSummary | None = None
        self._cancel = threading.Event()
        layout = QVBoxLayout(self)
        self.heading = QLabel(f"Importing {_describe(paths)}…", self)
        self.heading.setWordWrap(True)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)  # busy until the folders are scanned
        self.current = QLabel("Looking for letters…", self)
        self.current.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QPlainTextEdit(self)
        self.details.setObjectName("importDetails")
        self.details.setReadOnly(True)
        self.details.hide()
        self.buttons = QDialogButtonBox(self)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.clicked.connect(self.cancel)
        self.copy_button = QPushButton("Copy", self)
        self.copy_button.setToolTip("Copy the summary")
        self.copy_button.clicked.connect(self.copy_summary)
        self.copy_button.hide()
        self.buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.clicked.connect(self.accept)
        self.close_button.hide()
        for w in (self.heading, self.bar, self.current, self.details):
            layout.addWidget(w)
        layout.addWidget(self.buttons)

        chosen = [str(p) for p in paths]
        opts = options or ImportOptions()

        def work(store, task: StoreTask) -> ImportSummary:  # type: ignore[no-untyped-def]
            return import_paths(
                store,
                chosen,
                options=opts,
                progress=lambda d, t, p: task.progress.emit(d, t, p),
                cancel=self._cancel,
            )

        self.task = StoreTask(db_path, work, self)
        self.task.progress.connect(self._on_progress)
        self.task.done.connect(self._on_done)
        self.task.failed.connect(self._on_failed)

    def start(self) -> None:
        self.task.start()

    def is_running(self) -> bool:
        return self.task.isRunning()

    def cancel(self) -> None:
        if self.task.isRunning():
            self._cancel.set()
            self.cancel_button.setEnabled(False)
            self.current.setText("Cancelling: finishing the letters being read…")
        else:
            self.reject()

    def reject(self) -> None:
        # Escape or the window's close button while importing means Cancel
        if self.task.isRunning():
            self.cancel()
            return
        super().reject()

    def _on_progress(self, done: int, total: int, path: str) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.bar.setFormat(f"%v of {total} files")
        if path:
            self.current.setText(Path(path).name)

    def _on_done(self, summary: ImportSummary) -> None:
        self.summary = summary
        self.bar.setRange(0, max(summary.total, 1))
        self.bar.setValue(summary.processed)
        head = (
            f"Imported {summary.imported} letter{'s' if summary.imported != 1 else ''}; "
            f"{summary.duplicates} already in the library"
        )
        if summary.relinked:
            head += f"; {summary.relinked} found at a new place"
        head += f"; {len(summary.failed)} failed."
        if summary.cancelled:
            head = f"Cancelled after {summary.processed} of {summary.total} files. " + head
        self.heading.setText(head)
        self.current.setText(
            f"{summary.ignored} other files in the folders were not letters and were left "
            f"alone. Took {summary.seconds:.1f} s."
            if summary.ignored
            else f"Took {summary.seconds:.1f} s."
        )
        if summary.failed:
            self.details.setPlainText("\n".join(f"{p.path}: {p.reason}" for p in summary.failed))
            self.details.show()
        self._finish()
        self.finished_import.emit(summary)

    def _on_failed(self, message: str) -> None:
        self.heading.setText("The import could not run.")
        self.current.setText(message)
        self._finish()
        self.finished_import.emit(None)

    def _finish(self) -> None:
        self.cancel_button.hide()
        self.copy_button.show()
        self.close_button.show()
        self.close_button.setDefault(True)

    def summary_text(self) -> str:
        if self.summary is None:
            return self.heading.text() + "\n" + self.current.text()
        return "\n".join(self.summary.lines())

    def copy_summary(self) -> None:
        QGuiApplication.clipboard().setText(self.summary_text())


def _describe(paths: Sequence[str | Path]) -> str:
    if len(paths) == 1:
        return str(paths[0])
    return f"{len(paths)} files and folders"
