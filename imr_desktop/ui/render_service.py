"""The one thread that touches pymupdf in the GUI process.

pymupdf is not thread-safe, and rendering or reading a page can take longer than a frame,
so the GUI thread never calls it. ``RenderService`` owns a worker thread; the GUI asks it
to open a file, render pages and read text, and gets answers back as queued signals.

Text is read one page per event-loop turn, in page order, so a render request for the
page the user is looking at never waits behind the whole document.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QImage

from imr_desktop.core import pdf
from imr_desktop.core.document import SourceFile, decode_text, read_source
from imr_desktop.core.errors import UserFacingError
from imr_desktop.core.untrusted.gate import ProbeGate, shared_gate
from imr_desktop.core.untrusted.report import ProbeReport


@dataclass(frozen=True, slots=True)
class OpenedDocument:
    path: Path
    sha256: str
    kind: str  # "pdf" | "text"
    size: int
    page_sizes: tuple[tuple[float, float], ...]  # points, rotated; empty for text
    text: str | None  # whole text for text documents; PDFs deliver theirs page by page
    warnings: str
    generation: int
    probe: ProbeReport | None = None  # the probe process's report (PDFs)
    # what opened an encrypted PDF, kept while it is open so OCR's worker processes can
    # open it too; never stored, never shown
    password: str | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class RenderedImage:
    page: int
    zoom: float
    image: QImage
    generation: int


class _Worker(QObject):
    opened = Signal(object)  # OpenedDocument
    failed = Signal(object, int)  # UserFacingError, generation
    rendered = Signal(object)  # RenderedImage
    pageText = Signal(object, int)  # PageChars, generation

    def __init__(self, service: RenderService) -> None:
        super().__init__()
        self._service = service
        self._doc = None
        self._generation = 0
        self._next_text_page = 0

    @Slot(str, object, int)
    def open(self, path: str, password: object, request: int) -> None:
        # the open document stays usable until the new one has opened: a failed open
        # (wrong file, cancelled password) must not blank the letter on screen
        try:
            source = read_source(path)
            opened = self._open_source(
                source, password if isinstance(password, str) else None, request
            )
        except UserFacingError as exc:
            self.failed.emit(exc, request)
            return
        except Exception as exc:  # a bug in MuPDF's handling of a hostile file
            self.failed.emit(
                UserFacingError(f"{Path(path).name} cannot be opened ({exc})."), request
            )
            return
        self._generation = request
        self.opened.emit(opened)

    def _open_source(
        self, source: SourceFile, password: str | None, request: int
    ) -> OpenedDocument:
        if source.kind == "text":
            text = decode_text(source.data, source.name)
            self._close()
            return OpenedDocument(
                source.path, source.sha256, "text", len(source.data), (), text, "", request
            )
        # untrusted file: a probe process reads it first, under limits (core/untrusted)
        report = self._service.gate.check(source.path, source.sha256, source.name, password)
        doc = pdf.open_pdf(source.data, source.name, password)
        if not doc.needs_pass:
            password = None  # not encrypted: nothing to remember
        sizes = tuple(pdf.page_size(doc, i) for i in range(doc.page_count))
        warnings = pdf.repair_warnings()
        self._close()
        self._doc = doc
        self._next_text_page = 0
        opened = OpenedDocument(
            source.path, source.sha256, "pdf", len(source.data), sizes, None, warnings, request
        )
        return replace(opened, probe=report, password=password)

    def _close(self) -> None:
        if self._doc is not None:
            self._doc.close()
            self._doc = None

    @Slot(int, float, int)
    def render(self, page: int, zoom: float, generation: int) -> None:
        if self._doc is None or generation != self._generation:
            return
        if not self._service.is_wanted(generation, page, zoom):
            return  # scrolled past before we got to it
        try:
            raw = pdf.render_page(self._doc, page, zoom)
        except Exception:  # a damaged page still leaves the others readable
            image = QImage()
        else:
            # converted here, off the GUI thread: RGB32 is what the painter blits without
            # a per-paint conversion (drawing RGB888 cost ~4 ms a page on every repaint)
            image = QImage(
                raw.samples, raw.width, raw.height, raw.stride, QImage.Format.Format_RGB888
            ).convertToFormat(QImage.Format.Format_RGB32)
        self.rendered.emit(RenderedImage(page, zoom, image, generation))

    @Slot(int)
    def start_text(self, generation: int) -> None:
        if generation == self._generation:
            QTimer.singleShot(0, self._extract_next)

    def _extract_next(self) -> None:
        doc = self._doc
        if doc is None or self._next_text_page >= doc.page_count:
            return
        index = self._next_text_page
        self._next_text_page += 1
        try:
            chars = pdf.extract_page(doc, index)
        except Exception:  # an unreadable page contributes no text, the rest still does
            chars = pdf.PageChars(index, *pdf.page_size(doc, index), "", (), ())
        self.pageText.emit(chars, self._generation)
        QTimer.singleShot(0, self._extract_next)

    @Slot()
    def shutdown(self) -> None:
        self._close()


class RenderService(QObject):
    """GUI-side handle to the pymupdf thread. Results arrive as signals on the GUI thread."""

    opened = Signal(object)
    failed = Signal(object, int)
    rendered = Signal(object)
    pageText = Signal(object, int)

    _open = Signal(str, object, int)
    _render = Signal(int, float, int)
    _text = Signal(int)
    _shutdown = Signal()

    def __init__(self, parent: QObject | None = None, gate: ProbeGate | None = None) -> None:
        super().__init__(parent)
        # checks every PDF before this thread opens it; app start boots its process early
        self.gate = gate or shared_gate()
        self.generation = 0
        self._requests = 0
        self._lock = threading.Lock()
        self._wanted: set[tuple[int, int, float]] = set()
        self._thread = QThread()
        self._thread.setObjectName("pymupdf")
        self._worker = _Worker(self)
        self._worker.moveToThread(self._thread)
        self._open.connect(self._worker.open)
        self._render.connect(self._worker.render)
        self._text.connect(self._worker.start_text)
        self._shutdown.connect(self._worker.shutdown)
        self._worker.opened.connect(self._on_opened)
        self._worker.failed.connect(self.failed)
        self._worker.rendered.connect(self.rendered)
        self._worker.pageText.connect(self.pageText)
        self._thread.start()
        app = QCoreApplication.instance()
        if app is not None:
            # a thread still running when Qt tears down aborts the process
            app.aboutToQuit.connect(self.stop)

    def open(self, path: str | Path, password: str | None = None) -> int:
        """Ask to open a file; returns the request id its answer will carry."""
        self._requests += 1
        self._open.emit(str(path), password, self._requests)
        return self._requests

    def _on_opened(self, info: OpenedDocument) -> None:
        # renders are tagged with the generation of the document they belong to
        self.generation = info.generation
        with self._lock:
            self._wanted.clear()
        self.opened.emit(info)

    def request_render(self, page: int, zoom: float) -> None:
        with self._lock:
            self._wanted.add((self.generation, page, zoom))
        self._render.emit(page, zoom, self.generation)

    def set_wanted(self, keys: set[tuple[int, float]]) -> None:
        """Pages still worth rendering; pending requests for others are dropped."""
        with self._lock:
            self._wanted = {(self.generation, p, z) for p, z in keys}

    def is_wanted(self, generation: int, page: int, zoom: float) -> bool:
        with self._lock:
            return (generation, page, zoom) in self._wanted

    def start_text(self) -> None:
        self._text.emit(self.generation)

    def stop(self) -> None:
        """Close the document and end the thread (blocks briefly; call on quit)."""
        if self._thread.isRunning():
            self._shutdown.emit()
            self._thread.quit()
            self._thread.wait(5000)
