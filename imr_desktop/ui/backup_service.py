"""Automatic backups while the app runs: one on open, then one every few minutes while the
database keeps changing (the policy is ``core/autobackup.py``).

A backup copies the whole database and checks the copy, which takes longer than a frame
on a large database, so it runs on a worker thread with its own SQLite connections (the
backup API reads a consistent snapshot while the window goes on writing, WAL lets both
proceed). One backup at a time; a request made meanwhile runs after it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from imr_desktop.core.autobackup import BackupOptions, backup_if_due
from imr_desktop.core.backup import make_backup
from imr_desktop.core.errors import UserFacingError


class BackupService(QObject):
    made = Signal(str, str)  # reason, path of the new backup
    skipped = Signal(str)  # reason: nothing changed since the newest backup
    failed = Signal(str)  # message for the user
    _finished = Signal(object, str, str, str)  # thread, reason, path or "", error or ""

    def __init__(
        self,
        options: Callable[[], BackupOptions],
        parent: QObject | None = None,
        *,
        interval_ms: int | None = None,
    ) -> None:
        """``options`` is asked at each backup: a change in Preferences applies at once."""
        super().__init__(parent)
        self.options = options
        self.db_path: Path | None = None
        self._thread: threading.Thread | None = None
        self._queued: tuple[str, bool] | None = None
        self._finished.connect(self._on_finished)
        self.timer = QTimer(self)
        self.timer.setInterval(
            interval_ms
            if interval_ms is not None
            else int(options().periodic_interval.total_seconds() * 1000)
        )
        self.timer.timeout.connect(lambda: self.request("periodic"))
        # a request deferred by request_soon (the backup on open waits for the first page)
        self._soon = QTimer(self, singleShot=True)
        self._soon.timeout.connect(self._run_deferred)
        self._deferred: tuple[str, bool] | None = None

    def set_database(self, path: Path | None) -> None:
        """The database to back up (None: none, e.g. read-only); starts the timer."""
        self.db_path = path
        if path is None:
            self.timer.stop()
        else:
            self.timer.start()

    @property
    def busy(self) -> bool:
        """A backup runs or waits to start, or its result has not been delivered yet."""
        return self._thread is not None or self._deferred is not None

    def request_soon(self, reason: str, delay_ms: int, *, force: bool = False) -> None:
        """``request`` after ``delay_ms``, or earlier through ``run_deferred_now``.

        At start-up the backup on open would compete with the first page for the two
        cores a laptop may have; it starts once the page is shown (or after the delay)."""
        self._deferred = (reason, force)
        self._soon.start(delay_ms)

    def run_deferred_now(self) -> None:
        if self._deferred is not None:
            self._soon.stop()
            self._run_deferred()

    def _run_deferred(self) -> None:
        deferred, self._deferred = self._deferred, None
        if deferred is not None:
            self.request(deferred[0], force=deferred[1])

    def request(self, reason: str, *, force: bool = False) -> bool:
        """Back up now (``force``) or if due; False when there is no database."""
        if self.db_path is None:
            return False
        if self.busy:
            self._queued = (reason, force)
            return True
        db, options = self.db_path, self.options()
        self._thread = threading.Thread(
            target=self._work, args=(db, reason, force, options), name="backup", daemon=True
        )
        self._thread.start()
        return True

    def _work(self, db: Path, reason: str, force: bool, options: BackupOptions) -> None:
        me = threading.current_thread()
        try:
            if force:
                path = make_backup(db, reason, folder=options.folder, retention=options.retention)
            else:
                path = backup_if_due(db, reason, options)
        except (UserFacingError, OSError) as exc:
            self._finished.emit(me, reason, "", str(exc))
            return
        self._finished.emit(me, reason, str(path) if path else "", "")

    def _on_finished(self, thread: threading.Thread, reason: str, path: str, error: str) -> None:
        if thread is self._thread:  # not one that wait() already let go
            thread.join()  # it ends right after this signal
            self._thread = None
        if error:
            self.failed.emit(error)
        elif path:
            self.made.emit(reason, path)
        else:
            self.skipped.emit(reason)
        if self._queued is not None:
            queued, self._queued = self._queued, None
            self.request(queued[0], force=queued[1])

    def wait(self, timeout: float = 60.0) -> bool:
        """Wait for a running backup (before a restore, on quit); True when none runs."""
        self._queued = None
        self._deferred = None  # not started yet: nothing to wait for
        self._soon.stop()
        if self._thread is not None:
            self._thread.join(timeout)
            if not self._thread.is_alive():
                self._thread = None
        return not self.busy

    def stop(self) -> None:
        """On close: the backup on open still waiting for its moment runs now (a session
        shorter than its delay keeps its backup), then wait for the one running."""
        self.timer.stop()
        self.run_deferred_now()
        self.wait()
