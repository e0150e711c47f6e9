"""Recognising the text of a scanned letter from the GUI: offer, progress, cancel, result.

The window hands this object its session, banner and status bar. When a PDF turns out
to have no text layer the banner offers "Recognise text (OCR)"; the work runs in worker
processes (``core.ocr.job``; pymupdf is not thread-safe and this process already uses it
on its render thread), polled from a timer so the window never waits. The result is cached
by file sha256 and given to the session, which stores and parses it like any text.
"""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar

from imr_desktop.ui.banner import Banner
from imr_desktop.ui.document_session import DocumentSession

if TYPE_CHECKING:
    from imr_desktop.core.ocr.job import OcrJob

# The OCR modules (and multiprocessing with them) are imported when a scan needs them,
# not at start-up: most letters have a text layer.

KEY = "text"  # the banner message about this document's text layer
OCR_BANNER = "Text recognised by OCR"
POLL_MS = 100
PREPARE_AFTER_MS = 800


class OcrController(QObject):
    started = Signal()
    finished = Signal()  # the recognised text is in the session
    failed = Signal(str)
    cancelled = Signal()

    def __init__(
        self,
        session: DocumentSession,
        banner: Banner,
        status: QStatusBar,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.banner = banner
        self.job: OcrJob | None = None
        self._prepared: OcrJob | None = None  # workers booted while the offer is shown
        self._prepared_for = ""
        self._prepare_timer = QTimer(self, singleShot=True, interval=PREPARE_AFTER_MS)
        self._prepare_timer.timeout.connect(self._prepare)
        self._sha256 = ""
        self._timer = QTimer(self, interval=POLL_MS)
        self._timer.timeout.connect(self._poll)
        self.badge = QLabel("", status)
        self.badge.setObjectName("ocrBadge")
        self.badge.setContentsMargins(8, 0, 8, 0)
        status.addPermanentWidget(self.badge)
        self.badge.hide()
        self.bar: QProgressBar | None = None  # lives in the banner row while running
        session.opened.connect(lambda _info: self._document_changed())
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # ------------------------------------------------------------------ state
    @property
    def running(self) -> bool:
        return self.job is not None

    def _document_changed(self) -> None:
        self._prepare_timer.stop()
        if self.job is not None:
            self.cancel(quiet=True)
        self._drop_prepared()
        self.badge.hide()

    def _drop_prepared(self) -> None:
        if self._prepared is not None:
            self._prepared.cancel()
            self._prepared = None

    def text_complete(self) -> None:
        """After the session has its text: say how it was read, or offer OCR."""
        session, info, layer = self.session, self.session.info, self.session.layer
        if info is None or layer is None or info.kind != "pdf":
            return
        from imr_desktop.core.ocr import cache as ocr_cache
        from imr_desktop.core.ocr.tessdata import INSTALL_HELP, find_tessdata

        if session.ocr_pages is not None:
            summary = ocr_cache.summary(session.ocr_pages)
            notes = [n for p in session.ocr_pages for n in p.notes]
            text = (
                f"{OCR_BANNER} ({summary}). It can be selected, found and annotated; "
                "check names, dates and numbers against the page image."
            )
            if notes:
                text += " OCR notes: " + "; ".join(notes[:4]) + ("; …" if len(notes) > 4 else ".")
            self.banner.show_message(KEY, text, "info")
            self.badge.setText("Text: OCR")
            self.badge.setToolTip(f"{OCR_BANNER} ({session.extractor_version})")
            self.badge.show()
            return
        if layer.text.strip() or self.running:
            return
        text = (
            f"{info.path.name} has no text layer (its pages are images, e.g. a scan), so "
            "its text cannot be selected, found or tagged until it is recognised."
        )
        if find_tessdata() is None:
            text += " " + INSTALL_HELP
        else:
            # after a moment, so flicking through files does not boot workers for each
            self._prepare_timer.start()
        self.banner.show_message(
            KEY, text, "warning", actions=[("Recognise text (OCR)", self.start)]
        )

    # ------------------------------------------------------------------ run
    def start(self) -> bool:
        from imr_desktop.core.ocr.job import OcrJob
        from imr_desktop.core.ocr.tessdata import OcrUnavailable

        info = self.session.info
        if info is None or info.kind != "pdf" or self.job is not None:
            return False
        try:
            data = Path(info.path).read_bytes()
        except OSError as exc:
            return self._fail(f"{info.path.name} cannot be read again: {exc.strerror or exc}.")
        if hashlib.sha256(data).hexdigest() != info.sha256:
            return self._fail(
                f"{info.path.name} has changed on disk since it was opened; open it again "
                "and then recognise its text."
            )
        job = self._prepared if self._prepared_for == info.sha256 else None
        if job is None:
            self._drop_prepared()
            job = OcrJob(data, info.path.name, len(info.page_sizes), password=info.password)
        self._prepared = None
        try:
            job.start()
        except OcrUnavailable as exc:
            return self._fail(str(exc))
        self.job, self._sha256 = job, info.sha256
        # a new bar each time: the banner row owns it and deletes it with the row
        self.bar = QProgressBar()
        self.bar.setObjectName("ocrProgress")
        self.bar.setRange(0, 1000)
        self.bar.setFixedWidth(220)
        self.bar.setAccessibleName("Text recognition progress")
        self.bar.setFormat("starting…")
        self.banner.show_message(
            KEY,
            f"Recognising the text of {info.path.name} (OCR)…",
            "info",
            widgets=[self.bar],
            actions=[("Cancel", self.cancel)],
            closable=False,
        )
        self._timer.start()
        self.started.emit()
        return True

    def _prepare(self) -> None:
        """Boot the OCR workers for the open scan (if it is still what was opened)."""
        from imr_desktop.core.ocr.job import OcrJob
        from imr_desktop.core.ocr.tessdata import OcrUnavailable

        info = self.session.info
        self._drop_prepared()
        if info is None or self.job is not None or self.session.ocr_pages is not None:
            return
        try:
            data = Path(info.path).read_bytes()
            if hashlib.sha256(data).hexdigest() != info.sha256:
                return
            job = OcrJob(data, info.path.name, len(info.page_sizes), password=info.password)
            job.prepare()
        except (OSError, OcrUnavailable):
            return  # said when the user asks for OCR
        self._prepared, self._prepared_for = job, info.sha256

    def shutdown(self) -> None:
        """End every worker process (the window is closing)."""
        self._prepare_timer.stop()
        self.cancel(quiet=True)
        self._drop_prepared()

    def cancel(self, *, quiet: bool = False) -> None:
        if self.job is None:
            return
        self.job.cancel()
        self._end()
        if not quiet:
            self.banner.clear_message(KEY)
            self.text_complete()  # offer again
            self.cancelled.emit()

    def _poll(self) -> None:
        from imr_desktop.core.ocr.job import Failed, Finished, Progress

        job = self.job
        if job is None:
            return
        for event in job.poll():
            if isinstance(event, Progress) and self.bar is not None:
                self.bar.setValue(round(event.fraction * 1000))
                self.bar.setFormat(f"page {min(event.pages_done + 1, event.page_count)} of "
                                   f"{event.page_count}")  # fmt: skip
            elif isinstance(event, Finished):
                self._end()
                self._finished(list(event.pages))
                return
            elif isinstance(event, Failed):
                self._end()
                self._fail(event.message)
                return

    def _finished(self, pages: list) -> None:  # type: ignore[type-arg]
        from imr_desktop.core.ocr import cache as ocr_cache

        with contextlib.suppress(OSError):  # not cached: recognised again next time
            ocr_cache.save(self._sha256, pages)
        info = self.session.info
        if info is None or info.sha256 != self._sha256:
            return  # another document was opened meanwhile
        self.banner.clear_message(KEY)
        self.session.adopt_ocr(pages)  # -> textComplete -> window -> text_complete()
        self.finished.emit()

    def _end(self) -> None:
        self._timer.stop()
        self.job = None
        self.bar = None

    def _fail(self, message: str) -> bool:
        self.banner.show_message(KEY, message, "error", actions=[("Try again", self.start)])
        self.failed.emit(message)
        return False
