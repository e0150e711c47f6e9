"""Exports running off the GUI thread, with progress, cancel and a one-line error.

Training data: a ``QThread``. The export layer is Qt-free and uses no pymupdf for these
formats (``tests/test_export_dialog.py`` checks that), and it opens its own read-only
SQLite connection, as one connection must not be shared between threads.

Case packets: a worker *process* (``multiprocessing``, spawn context), because packets
are built with pymupdf, which is not thread-safe, and the GUI's render thread already
uses it. Spawn re-imports only ``imr_desktop.core.exports.packet_job`` (no Qt) from
source; in a PyInstaller bundle ``cli.main`` calls ``multiprocessing.freeze_support()``
so the bundle's executable can serve as the worker. The parent polls a Pipe with a timer.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, QTimer, Signal

from imr_desktop.core.errors import UserFacingError
from imr_desktop.core.exports.packet_job import PacketRequest

PROGRESS_INTERVAL = 0.05  # seconds between progress signals
POLL_MS = 30
KILL_AFTER_MS = 5000  # a cancelled packet that has not stopped by then is killed


@dataclass(frozen=True, slots=True)
class ExportRequest:
    db: str
    fmt: str
    out: str
    include_suggestions: bool = False
    split: str | None = None
    deidentify: bool = False
    documents: tuple[str, ...] | None = None  # sha256s; None = the whole library


def unexpected(exc: BaseException, what: str) -> str:
    """A bug's one line for the user; the traceback goes to stderr for the log."""
    traceback.print_exception(exc)
    return f"The {what} failed unexpectedly ({type(exc).__name__}: {exc})."


class ExportThread(QThread):
    """Runs ``core.exports.export`` once; emits exactly one of the three end signals."""

    progressed = Signal(int, int)
    succeeded = Signal(object)  # ExportResult
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, request: ExportRequest, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.request = request
        self._cancel = threading.Event()
        self._last = 0.0

    def cancel(self) -> None:
        self._cancel.set()

    def _progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - self._last >= PROGRESS_INTERVAL:
            self._last = now
            self.progressed.emit(done, total)

    def run(self) -> None:
        from imr_desktop.core.exports import ExportCancelled, export
        from imr_desktop.core.store import Store

        r = self.request
        try:
            store = Store.open(r.db, read_only=True)
            try:
                result = export(
                    store,
                    r.fmt,
                    r.out,
                    include_suggestions=r.include_suggestions,
                    split=r.split,
                    deidentify=r.deidentify,
                    documents=list(r.documents) if r.documents is not None else None,
                    progress=self._progress,
                    cancelled=self._cancel.is_set,
                )
            finally:
                store.close()
        except ExportCancelled:
            self.cancelled.emit()
        except UserFacingError as exc:
            self.failed.emit(str(exc))
        except OSError as exc:
            self.failed.emit(f"Cannot write {r.out}: {exc.strerror or exc}.")
        except Exception as exc:
            self.failed.emit(unexpected(exc, "export"))
        else:
            self.succeeded.emit(result)


class PacketProcess(QObject):
    """Writes one packet in a worker process; emits exactly one of the end signals."""

    progressed = Signal(int, int)
    succeeded = Signal(object)  # PacketSummary
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, request: PacketRequest, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.request = request
        self._process: Any = None
        self._conn: Any = None
        self._started = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)

    def start(self) -> None:
        from imr_desktop.core.exports import packet_job

        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        # daemon: a worker never outlives the app
        self._process = context.Process(
            target=packet_job.run, args=(child, self.request), daemon=True
        )
        self._started = time.time()
        self._process.start()
        child.close()
        self._timer.start()

    def is_running(self) -> bool:
        return self._process is not None and self._timer.isActive()

    def cancel(self) -> None:
        if not self.is_running():
            return
        # OSError: it has just finished, and its last message is on its way
        with contextlib.suppress(OSError):
            self._conn.send("cancel")
        QTimer.singleShot(KILL_AFTER_MS, self, self._kill)

    def _poll(self) -> None:
        try:
            while self._conn.poll():
                message = self._conn.recv()
                if message[0] == "progress":
                    self.progressed.emit(message[1], message[2])
                    continue
                self._finish()
                if message[0] == "done":
                    self.succeeded.emit(message[1])
                elif message[0] == "error":
                    self.failed.emit(message[1])
                else:
                    self.cancelled.emit()
                return
        except (EOFError, OSError):
            pass  # the worker died without a word
        if not self._process.is_alive():
            code = self._process.exitcode
            self._finish()
            self.failed.emit(f"The packet process stopped unexpectedly (exit code {code}).")

    def _finish(self) -> None:
        self._timer.stop()
        self._process.join(timeout=2)
        self._conn.close()

    def _kill(self) -> None:
        """Cancelled but stuck in a long MuPDF call: end it and remove its temporary file."""
        if not self.is_running():
            return
        self._process.terminate()
        self._finish()
        out = Path(self.request.out)
        for part in out.parent.glob(f".{out.name}.*.part"):
            with contextlib.suppress(OSError):
                if part.stat().st_mtime >= self._started - 1:
                    part.unlink()
        self.cancelled.emit()
