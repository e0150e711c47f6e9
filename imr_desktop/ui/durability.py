"""What keeps a window's annotations safe beyond each commit.

- one writer per database, also across File › Open Database (``single_instance.py``);
- a warning banner for a database on a network drive or in a sync folder;
- automatic backups: on open, then every 10 minutes while the database changes
  (``backup_service.py``); File › Back Up Now;
- File › Restore from Backup…: a checked backup replaces the database, which the window
  then reopens.

Attached by ``install`` after the window is built; talks to it only through its public
attributes (``store``, ``banner``, ``session``, ``actions_by_id``, ``open_database``,
``open_file``, ``store_opener``, ``storeChanged``), so main_window.py stays about
documents and annotations.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QDialog, QMessageBox

from imr_desktop import APP_NAME
from imr_desktop.core.autobackup import BackupOptions, options_from
from imr_desktop.core.backup import BackupInfo, restore_backup
from imr_desktop.core.errors import UserFacingError
from imr_desktop.core.storage_location import storage_risk
from imr_desktop.core.store import Store
from imr_desktop.ui.backup_service import BackupService
from imr_desktop.ui.restore_dialog import RestoreDialog
from imr_desktop.ui.single_instance import InstanceGuard

if TYPE_CHECKING:
    from imr_desktop.ui.main_window import MainWindow
    from imr_desktop.ui.startup import Startup


OPEN_BACKUP_DELAY_MS = 1500
AFTER_PAINT_MS = 300  # not inside the paint's own signal: the page shows first


def install(
    window: MainWindow,
    startup: Startup | None = None,
    *,
    mounts_file: str | Path = "/proc/mounts",
    interval_ms: int | None = None,
) -> Durability:
    durability = Durability(
        window,
        guard=startup.guard if startup else None,
        mounts_file=mounts_file,
        interval_ms=interval_ms,
    )
    for key, text, level in startup.notices if startup else []:
        window.banner.show_message(key, text, level)
    return durability


class Durability(QObject):
    def __init__(
        self,
        window: MainWindow,
        *,
        guard: InstanceGuard | None,
        mounts_file: str | Path = "/proc/mounts",
        interval_ms: int | None = None,
    ) -> None:
        super().__init__(window)
        self.setObjectName("durability")
        self.window = window
        self.mounts_file = mounts_file
        self.guard: InstanceGuard | None = None
        self._held_elsewhere: Path | None = None  # opened read-only: another window writes
        self._hold(guard)
        self.backups = BackupService(lambda: self.options, self, interval_ms=interval_ms)
        self.backups.made.connect(self._on_backup_made)
        self.backups.failed.connect(self._on_backup_failed)
        self._add_actions()
        window.store_opener = self._open_store
        window.storeChanged.connect(self._on_store_changed)
        window.installEventFilter(self)
        self._on_store_changed(starting=True)

    @property
    def options(self) -> BackupOptions:
        """Backup folder and retention from the settings, as they are now (Preferences)."""
        return options_from(self.window.settings)

    # ------------------------------------------------------------------ wiring
    def _add_actions(self) -> None:
        # File › Back Up Now and Restore from Backup… are in the window's action registry
        # (core/keymap.py) and its File menu; they are wired here
        a = self.window.actions_by_id
        self.backup_action = a["backup_now"]
        self.restore_action = a["restore_backup"]
        self.backup_action.triggered.connect(self.back_up_now)
        self.restore_action.triggered.connect(self.choose_backup)

    def _hold(self, guard: InstanceGuard | None) -> None:
        if self.guard is not None and self.guard is not guard:
            self.guard.release()
        self.guard = guard
        if guard is not None:
            guard.setParent(self)
            guard.fileRequested.connect(self._open_forwarded)
            guard.activateRequested.connect(self._bring_forward)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.backups.stop()
            if self.guard is not None:
                self.guard.release()
        return False

    # ------------------------------------------------------------------ databases
    def _open_store(self, path: str | Path) -> Store:
        """``Store.open`` for File › Open Database and restores, with the writer guard."""
        path = Path(path)
        if self.guard is not None and _same(self.guard.db_path, path):
            return Store.open(path)
        guard = InstanceGuard(path)
        if not guard.try_hold():
            guard.deleteLater()
            store = Store.open(path, read_only=True)
            self._held_elsewhere = path
            return store
        try:
            store = Store.open(path)
        except BaseException:
            guard.release()
            guard.deleteLater()
            raise
        self._held_elsewhere = None
        self._hold(guard)
        return store

    def _on_store_changed(self, *, starting: bool = False) -> None:
        store = self.window.store
        writable = store is not None and not store.read_only
        self.backups.set_database(store.path if writable and store else None)
        if writable and starting:
            # at start-up, after the first page is on screen (or a moment later when no
            # letter is opened): backing up then does not slow the window down
            self.backups.request_soon("open", OPEN_BACKUP_DELAY_MS)
            self.window.documentReady.connect(
                lambda: QTimer.singleShot(AFTER_PAINT_MS, self.backups.run_deferred_now)
            )
        elif writable:
            self.backups.request("open")
        self.backup_action.setEnabled(writable)
        self.restore_action.setEnabled(writable)
        banner = self.window.banner
        risk = storage_risk(store.path, mounts_file=self.mounts_file) if store else None
        if risk is not None:
            banner.show_message("storage", risk.message, "warning")
        else:
            banner.clear_message("storage")
        held = self._held_elsewhere
        if store is not None and held is not None and _same(store.path, held):
            banner.show_message(
                "db",
                f"{store.path.name} is open in another {APP_NAME} window, which saves "
                "to it, so this window is read-only.",
                "warning",
            )

    def _open_forwarded(self, path: str) -> None:
        self._bring_forward()
        self.window.open_file(path)

    def _bring_forward(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    # ------------------------------------------------------------------ backups
    def back_up_now(self) -> None:
        self.window.statusBar().showMessage("Backing up the annotation database…")
        self.backups.request("manual", force=True)

    def _on_backup_made(self, reason: str, path: str) -> None:
        self.window.banner.clear_message("backup")
        if reason == "manual":
            self.window.statusBar().showMessage(f"Backed up to {path}", 8000)

    def _on_backup_failed(self, message: str) -> None:
        self.window.statusBar().clearMessage()
        self.window.banner.show_message(
            "backup",
            f"The automatic backup failed: {message} Your annotations are still saved in "
            "the database itself.",
            "warning",
        )

    def choose_backup(self) -> RestoreDialog | None:
        store = self.window.store
        if store is None or store.read_only:
            return None
        dialog = RestoreDialog(store.path, self.options.folder, self.window)
        if not self.window.interactive:
            return dialog  # tests drive it themselves
        if dialog.exec() == QDialog.DialogCode.Accepted:
            chosen = dialog.selected()
            if chosen is not None and self._confirm(chosen):
                self.restore(chosen)
        return dialog

    def _confirm(self, info: BackupInfo) -> bool:
        when = info.time.astimezone().strftime("%Y-%m-%d %H:%M")
        answer = QMessageBox.question(
            self.window,
            "Restore from Backup",
            f"Replace the annotations in {self.window.store.path.name} with the backup "  # type: ignore[union-attr]
            f"of {when} ({info.annotations} annotations)?\n\nThe current database is "
            "backed up first.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def restore(self, info: BackupInfo) -> bool:
        """Replace the database with ``info`` and reopen it; the window shows the outcome."""
        window = self.window
        store = window.store
        if store is None or store.read_only:
            return False
        db = store.path
        self.backups.wait()
        # the undo history refers to rows of the database being replaced
        window.session.undo_stack.clear()
        store.close()  # a restore refuses while any connection has the database open
        error: str | None = None
        previous = None
        try:
            previous = restore_backup(info.path, db, folder=self.options.folder)
        except (UserFacingError, OSError) as exc:
            error = str(exc)
        reopened = window.open_database(db)
        if error is not None or not reopened:
            window.banner.show_message("restore", error or str(window.last_error), "error")
            return False
        when = info.time.astimezone().strftime("%Y-%m-%d %H:%M")
        kept = f" The database it replaced was saved as {previous.name}." if previous else ""
        window.banner.show_message(
            "restore",
            f"Restored {db.name} from the backup of {when} ({info.annotations} annotations)."
            + kept,
            "info",
        )
        return True


def _same(a: Path, b: Path) -> bool:
    return a.expanduser().resolve() == b.expanduser().resolve()
