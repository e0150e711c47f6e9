"""File › Restore from Backup…: the database's backups, newest first, each with its time,
reason, size, annotation count and whether it passed its check.

The list shows at once; each backup is then opened and integrity-checked on a worker
thread (a large database takes a while), and a row can be restored once it is known to
be good. Damaged backups stay listed, greyed, with the reason.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from imr_desktop.core.backup import BackupInfo, check_backup, list_backups

COLUMNS = ("Made", "Reason", "Size", "Annotations", "Check")


def describe_reason(slug: str) -> str:
    """The reason in a backup's name, for people."""
    if slug.startswith("before-upgrade-from-v"):
        return f"Before upgrade (schema {slug.rsplit('v', 1)[1]})"
    return {
        "open": "On open",
        "periodic": "While working",
        "manual": "By hand",
        "before-restore": "Before a restore",
    }.get(slug, slug.replace("-", " ").capitalize())


def human_size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


class RestoreDialog(QDialog):
    checked = Signal()  # every backup has been checked
    _row_checked = Signal(int, object)  # row, BackupInfo (from the worker)

    def __init__(self, db_path: Path, folder: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("restoreDialog")
        self.setWindowTitle("Restore from Backup")
        self.db_path = db_path
        self.folder = folder
        self.backups: list[BackupInfo] = list_backups(db_path, folder=folder, check=False)
        self._thread: threading.Thread | None = None
        self._stop = False

        intro = QLabel(
            f"Choose a backup of <b>{db_path.name}</b>. It replaces the annotations in "
            "this database; the current database is backed up first, so a restore can "
            "be undone by restoring that backup.",
            self,
        )
        intro.setWordWrap(True)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("backupList")
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setAccessibleName("Backups, newest first")
        header = self.tree.header()
        header.setStretchLastSection(True)
        for col in range(len(COLUMNS) - 1):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.empty = QLabel(f"There are no backups of {db_path.name} yet.", self)
        self.empty.setVisible(not self.backups)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.restore_button = self.buttons.addButton(
            "Restore…", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.restore_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.buttons)
        for info in self.backups:
            self.tree.addTopLevelItem(self._item(info))
        if self.backups:
            self.tree.setCurrentItem(self.tree.topLevelItem(0))
        self.tree.currentItemChanged.connect(self._update_button)
        self.tree.itemDoubleClicked.connect(lambda *_: self._accept_if_ok())
        self._row_checked.connect(self._on_row_checked)
        self.resize(720, 380)
        self._start_checks()

    # ------------------------------------------------------------------ rows
    def _item(self, info: BackupInfo) -> QTreeWidgetItem:
        local = info.time.astimezone()
        count = (
            "…"
            if info.ok is None
            else ("?" if info.annotations is None else f"{info.annotations:,}")
        )
        if info.ok is None:
            check = "checking…"
        elif info.ok:
            check = "✓ OK"
        else:
            check = f"✗ {_phrase(info.problem)}"
        item = QTreeWidgetItem(
            [
                local.strftime("%Y-%m-%d %H:%M"),
                describe_reason(info.reason),
                human_size(info.size),
                count,
                check,
            ]
        )
        for col in (2, 3):
            item.setTextAlignment(col, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        item.setToolTip(0, str(info.path))
        if info.ok is False:
            grey = QBrush(QColor("#8a8a8a"))
            for col in range(len(COLUMNS) - 1):
                item.setForeground(col, grey)
            item.setForeground(len(COLUMNS) - 1, QBrush(QColor("#b3261e")))
            item.setToolTip(len(COLUMNS) - 1, info.problem or "")
        elif info.ok:
            item.setForeground(len(COLUMNS) - 1, QBrush(QColor("#1e7b34")))
        return item

    def _start_checks(self) -> None:
        if not self.backups:
            self.checked.emit()
            return
        todo = list(enumerate(self.backups))
        self._thread = threading.Thread(
            target=self._check_all, args=(todo,), name="check-backups", daemon=True
        )
        self._thread.start()

    def _check_all(self, todo: list[tuple[int, BackupInfo]]) -> None:
        for row, info in todo:
            if self._stop:
                return
            self._row_checked.emit(row, check_backup(info))
        self._row_checked.emit(-1, None)

    def _on_row_checked(self, row: int, info: BackupInfo | None) -> None:
        if row < 0:
            self.checked.emit()
            return
        self.backups[row] = info  # type: ignore[assignment]
        old = self.tree.topLevelItem(row)
        new = self._item(info)  # type: ignore[arg-type]
        for col in range(len(COLUMNS)):
            old.setText(col, new.text(col))
            old.setForeground(col, new.foreground(col))
            old.setToolTip(col, new.toolTip(col))
        self._update_button()

    # ------------------------------------------------------------------ choosing
    def selected(self) -> BackupInfo | None:
        item = self.tree.currentItem()
        if item is None:
            return None
        return self.backups[self.tree.indexOfTopLevelItem(item)]

    def _update_button(self, *_args: object) -> None:
        info = self.selected()
        self.restore_button.setEnabled(info is not None and bool(info.ok))

    def _accept_if_ok(self) -> None:
        if self.restore_button.isEnabled():
            self.accept()

    def done(self, result: int) -> None:
        self._stop = True
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        super().done(result)


def _phrase(problem: str | None) -> str:
    """check_backup's "is damaged (…)" / "failed its integrity check: …" as a cell text."""
    text = (problem or "damaged").removeprefix("is ")
    return text[:1].upper() + text[1:]
