"""What the export dialogs share: options, then progress with Cancel, then a summary.

A subclass builds its options page and ``start``s a job (an ``ExportThread`` or a
``PacketProcess``), connecting its signals to ``on_progress``, ``show_summary``,
``on_failed`` and ``on_cancelled``. Errors are shown as their one-line message; the
options stay as they were so the user can fix the path and try again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from imr_desktop.ui.file_safety import open_local_path

OPTIONS, PROGRESS, SUMMARY = range(3)


@dataclass(slots=True)
class Summary:
    title: str
    files: list[Path]
    problems: dict[str, int] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    open_file: Path | None = None  # offered with an "Open" button (a packet PDF)


class OutputPathRow(QWidget):
    """A path box with Browse…; the suffix follows the chosen format."""

    def __init__(self, path: Path, name_filter: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name_filter = name_filter
        self.edit = QLineEdit(str(path), self)
        self.edit.setObjectName("outputPath")
        self.edit.setAccessibleName("Output file")
        self.edit.setMinimumWidth(340)
        browse = QPushButton("Browse…", self)
        browse.setObjectName("browseButton")
        browse.clicked.connect(self.browse)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(browse)

    def path(self) -> Path:
        return Path(self.edit.text().strip()).expanduser()

    def set_suffix(self, suffix: str) -> None:
        current = self.path()
        if self.edit.text().strip():
            self.edit.setText(str(current.with_name(_stem(current) + suffix)))

    def browse(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(self, "Save as", str(self.path()), self.name_filter)
        if chosen:
            self.edit.setText(chosen)


def muted(label: QLabel) -> None:
    """A secondary line: wrapped, in the theme's placeholder colour (legible in light
    and dark themes, unlike a disabled label)."""
    label.setWordWrap(True)
    palette = label.palette()
    palette.setColor(
        QPalette.ColorRole.WindowText, palette.color(QPalette.ColorRole.PlaceholderText)
    )
    label.setPalette(palette)


def _stem(path: Path) -> str:
    """``x.train.jsonl`` -> ``x.train``; ``x.config.xml`` stays recognisable too."""
    return path.name[: -len(path.suffix)] if path.suffix else path.name


class JobDialog(QDialog):
    run_text = "Export"
    what = "export"  # used in messages: "The export was cancelled"

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(640)
        self.last_error: str | None = None
        self.summary: Summary | None = None
        self._close_when_done = False
        self._running = False
        self.job: Any = None  # what launch() started

        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._build_options_holder())
        self.pages.addWidget(self._build_progress_page())
        self.pages.addWidget(self._build_summary_page())

        self.buttons = QDialogButtonBox(self)
        self.run_button = self.buttons.addButton(
            self.run_text, QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.run_button.setObjectName("runButton")
        self.run_button.setDefault(True)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName("cancelButton")
        self.open_button = self.buttons.addButton("Open", QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.setObjectName("openButton")
        self.folder_button = self.buttons.addButton(
            "Show in Folder", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.folder_button.setObjectName("folderButton")
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setObjectName("closeButton")
        self.run_button.clicked.connect(self._run)
        self.cancel_button.clicked.connect(self.reject)
        self.close_button.clicked.connect(self.accept)
        self.open_button.clicked.connect(self._open_file)
        self.folder_button.clicked.connect(self._open_folder)

        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.buttons)
        self._show_page(OPTIONS)

    # ------------------------------------------------------------------ pages
    def _build_options_holder(self) -> QWidget:
        holder = QWidget(self)
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(0, 0, 0, 0)
        self.options_layout = layout
        self.notice = QLabel("", holder)
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        return holder

    def add_options(self, widget: QWidget) -> None:
        self.options_layout.addWidget(widget)
        self.options_layout.addWidget(self.notice)
        self.options_layout.addStretch(1)

    def _build_progress_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        self.progress_label = QLabel("Starting…", page)
        self.progress_label.setObjectName("progressLabel")
        self.progress_bar = QProgressBar(page)
        self.progress_bar.setObjectName("progressBar")
        self.progress_bar.setRange(0, 0)  # busy until the first report
        self.progress_bar.setTextVisible(False)  # the label says "n of m"
        layout.addStretch(1)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.progress_bar)
        layout.addStretch(1)
        return page

    def _build_summary_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        self.summary_title = QLabel("", page)
        self.summary_title.setObjectName("summaryTitle")
        self.summary_title.setWordWrap(True)
        font = self.summary_title.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.summary_title.setFont(font)
        self.summary_files = QLabel("", page)
        self.summary_files.setObjectName("summaryFiles")
        self.summary_files.setWordWrap(True)
        self.summary_files.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problems_label = QLabel("", page)
        self.problems_label.setObjectName("problemsLabel")
        self.problems_label.setWordWrap(True)
        self.problems = QPlainTextEdit(page)
        self.problems.setObjectName("problemsText")
        self.problems.setReadOnly(True)
        self.problems.setAccessibleName("Problems")
        self.problems.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        layout.addWidget(self.summary_title)
        layout.addSpacing(6)
        layout.addWidget(self.summary_files)
        layout.addSpacing(6)
        layout.addWidget(self.problems_label)
        layout.addWidget(self.problems)
        layout.addStretch(1)
        self.summary_layout = layout
        return page

    def _show_page(self, page: int) -> None:
        self.pages.setCurrentIndex(page)
        self.run_button.setVisible(page == OPTIONS)
        self.cancel_button.setVisible(page in (OPTIONS, PROGRESS))
        self.cancel_button.setEnabled(True)
        done = page == SUMMARY
        self.close_button.setVisible(done)
        self.folder_button.setVisible(done)
        self.open_button.setVisible(
            done and self.summary is not None and bool(self.summary.open_file)
        )
        if done:
            self.close_button.setDefault(True)

    # ------------------------------------------------------------------ running
    def start(self) -> bool:
        """Start the job; False (after telling the user) if the options are not usable."""
        raise NotImplementedError

    def launch(self, job: Any, succeeded: Callable[[Any], None]) -> None:
        """Start ``job`` (a thread or process with ``progressed``, ``succeeded``,
        ``failed`` and ``cancelled`` signals) with this dialog showing its progress."""
        self.job = job
        job.progressed.connect(self.on_progress)
        job.succeeded.connect(succeeded)
        job.failed.connect(self.on_failed)
        job.cancelled.connect(self.on_cancelled)
        job.start()

    def cancel_job(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _run(self) -> None:
        self.notice.hide()
        self.last_error = None
        if not self.start():
            return
        self._running = True
        self.progress_bar.setRange(0, 0)
        self.progress_label.setText("Starting…")
        self._show_page(PROGRESS)

    def is_running(self) -> bool:
        return self._running

    def on_progress(self, done: int, total: int) -> None:
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)
        self.progress_label.setText(self.progress_text(done, total))

    def progress_text(self, done: int, total: int) -> str:
        return f"{done:,} of {total:,}"

    def on_failed(self, message: str) -> None:
        self._running = False
        self._show_page(OPTIONS)
        self.show_error(message)
        self._maybe_close()

    def on_cancelled(self) -> None:
        self._running = False
        self._show_page(OPTIONS)
        self.notice.setText(f"The {self.what} was cancelled; no file was written.")
        self.notice.show()
        self._maybe_close()

    def show_summary(self, summary: Summary) -> None:
        self._running = False
        self.summary = summary
        self.summary_title.setText(f"✓ {summary.title}")
        self.summary_title.setStyleSheet("color: #1e7b34;")
        folders = {p.parent for p in summary.files}
        one_folder = len(folders) == 1
        names = "<br>".join(
            f"<b>{_html(p.name if one_folder else str(p))}</b>" for p in summary.files
        )
        where = f"<br>in {_html(str(folders.pop()))}" if one_folder else ""
        self.summary_files.setText(f"Saved as<br>{names}{where}")
        total = sum(summary.problems.values())
        self.problems_label.setVisible(total > 0)
        self.problems.setVisible(total > 0)
        # the problem list takes the room when there is one; else the rest sits on top
        self.summary_layout.setStretchFactor(self.problems, 1 if total else 0)
        if total:
            kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(summary.problems.items()))
            more = total - len(summary.messages)
            self.problems_label.setText(
                f"{total} problem{'s' if total != 1 else ''} ({kinds}):"
                + (f" the first {len(summary.messages)} are listed." if more > 0 else "")
            )
            self.problems.setPlainText("\n\n".join(summary.messages))
        self._show_page(SUMMARY)
        self._maybe_close()

    def show_error(self, message: str) -> None:
        self.last_error = message
        QMessageBox.warning(self, f"The {self.what} failed", message)

    def _maybe_close(self) -> None:
        if self._close_when_done:
            self._close_when_done = False
            super().reject()

    # ------------------------------------------------------------------ closing
    def reject(self) -> None:
        """Cancel or Esc while running stops the job; the dialog stays to say so."""
        if self._running:
            self.progress_label.setText("Cancelling…")
            self.cancel_button.setEnabled(False)
            self.cancel_job()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        # the window's close button while running: cancel, and close once stopped
        # (QDialog.closeEvent calls reject() and keeps the window while it is visible)
        if self._running:
            self._close_when_done = True
        super().closeEvent(event)

    def _open_file(self) -> None:
        if self.summary is not None and self.summary.open_file is not None:
            open_local_path(self.summary.open_file)

    def _open_folder(self) -> None:
        if self.summary is not None and self.summary.files:
            open_local_path(self.summary.files[0].parent)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
