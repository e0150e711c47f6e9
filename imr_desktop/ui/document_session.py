"""One open document in the GUI: its file, text layer, annotations and undo stack.

Adapts the core to Qt: file opening and text reading happen on the ``RenderService``
thread; this object turns their answers into a ``TextLayer`` and an ``AnnotationSet``
on the GUI thread and tells the window what changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from imr_desktop.core import pdf
from imr_desktop.core.document import TEXT_EXTRACTOR_VERSION
from imr_desktop.core.errors import StoreError, UserFacingError
from imr_desktop.core.labels import LabelSet
from imr_desktop.core.model import DocumentRecord
from imr_desktop.core.session import AnnotationSet
from imr_desktop.core.store import Store
from imr_desktop.core.textlayer import TextLayer
from imr_desktop.ui.render_service import OpenedDocument, RenderService

if TYPE_CHECKING:
    from imr_desktop.core.ocr import OcrPage
    from imr_desktop.core.structure import LetterStructure

# OCR, structure, suggestions and re-anchoring are imported where they are used: they
# run once the whole text is read, after the first page is on screen, and importing
# them at start-up would delay that page.


TEXT_WITHOUT_PAINT_MS = 250


class DocumentSession(QObject):
    opened = Signal(object)  # OpenedDocument
    failed = Signal(object, str)  # UserFacingError, path
    textProgress = Signal(int, int)  # pages read, page count
    textComplete = Signal()
    structureReady = Signal()
    reanchored = Signal(int, int)  # annotations placed, orphans
    storeError = Signal(str)

    def __init__(
        self,
        service: RenderService,
        store: Store | None,
        annotator: str,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.store = store
        self.annotator = annotator
        self.info: OpenedDocument | None = None
        self.layer: TextLayer | None = None
        self.annotations: AnnotationSet | None = None
        self.structure: LetterStructure | None = None
        self.labels: LabelSet | None = None  # set by the window; needed for suggestions
        # how the text was read: pdf.EXTRACTOR_VERSION, TEXT_EXTRACTOR_VERSION or OCR's
        self.extractor_version = pdf.EXTRACTOR_VERSION
        self.ocr_pages: list[OcrPage] | None = None  # set when the text came from OCR
        self.undo_stack = QUndoStack(self)
        self._pending_path = ""
        self._pending_generation = -1
        # A PDF's text is read once its first page is on screen (``first_page_shown``):
        # reading it and parsing the letter meanwhile held the first paint back by ~0.1 s.
        # Without a paint (a hidden window) it starts after this delay anyway.
        self._text_timer = QTimer(self, singleShot=True, interval=TEXT_WITHOUT_PAINT_MS)
        self._text_timer.timeout.connect(self.service.start_text)
        service.opened.connect(self._on_opened)
        service.failed.connect(self._on_failed)
        service.pageText.connect(self._on_page_text)

    @property
    def path(self) -> Path | None:
        return self.info.path if self.info else None

    @property
    def text(self) -> str:
        return self.layer.text if self.layer else ""

    def open(self, path: str | Path, password: str | None = None) -> None:
        self._pending_path = str(path)
        self._pending_generation = self.service.open(path, password)

    # ------------------------------------------------------------------ answers
    def _on_failed(self, error: UserFacingError, generation: int) -> None:
        if generation == self._pending_generation:
            self.failed.emit(error, self._pending_path)

    def _on_opened(self, info: OpenedDocument) -> None:
        if info.generation != self._pending_generation:
            return
        self.info = info
        self.undo_stack.clear()
        self.extractor_version = (
            pdf.EXTRACTOR_VERSION if info.kind == "pdf" else TEXT_EXTRACTOR_VERSION
        )
        self.ocr_pages = None
        if info.kind == "text":
            assert info.text is not None
            self.layer = TextLayer.from_plain_text(info.text)
        else:
            self.layer = TextLayer(len(info.page_sizes))
        self.annotations = None
        self.structure = None
        if self._store_usable():
            try:
                self.store.upsert_document(self._record())
            except StoreError as exc:
                if not self.store.read_only:
                    self.storeError.emit(str(exc))
            self.annotations = AnnotationSet(
                self.store, info.sha256, self.layer.text, self.annotator
            )
        self.opened.emit(info)
        if info.kind == "pdf":
            self._text_timer.start()
        else:
            self._text_done()

    def first_page_shown(self) -> None:
        """The view painted the first page: now read the text (see ``_text_timer``)."""
        if self._text_timer.isActive():
            self._text_timer.stop()
            self.service.start_text()

    def _on_page_text(self, page: pdf.PageChars, generation: int) -> None:
        if self.info is None or generation != self.info.generation or self.layer is None:
            return
        self.layer.add_page(page)
        if self.annotations is not None:
            self.annotations.text = self.layer.text
        self.textProgress.emit(self.layer.pages_done, self.layer.page_count)
        if self.layer.complete:
            self._text_done()

    # ------------------------------------------------------------------ OCR
    def adopt_ocr(self, pages: list[OcrPage]) -> None:
        """Use recognised text (``ui/ocr_controller.py``) as this scan's text layer; it
        is stored, re-anchored and parsed exactly like born-digital text."""
        from imr_desktop.core.ocr import OCR_VERSION
        from imr_desktop.core.ocr import cache as ocr_cache

        assert self.info is not None
        self.layer = ocr_cache.layer_of(pages)
        self.extractor_version = OCR_VERSION
        self.ocr_pages = list(pages)
        if self.annotations is not None:
            self.annotations.text = self.layer.text
        self._text_done()

    def _adopt_cached_ocr(self) -> None:
        """A scan recognised before reopens with the same text (and so its annotations)."""
        from imr_desktop.core.ocr import OCR_VERSION
        from imr_desktop.core.ocr import cache as ocr_cache

        assert self.info is not None
        pages = ocr_cache.load(self.info.sha256)
        if pages is not None and len(pages) == len(self.info.page_sizes):
            self.layer = ocr_cache.layer_of(pages)
            self.extractor_version = OCR_VERSION
            self.ocr_pages = pages
            if self.annotations is not None:
                self.annotations.text = self.layer.text

    def _text_done(self) -> None:
        from imr_desktop.core.analysis import ensure_structure, ensure_suggestions

        assert self.info is not None and self.layer is not None
        if self.info.kind == "pdf" and not self.layer.text.strip() and self.ocr_pages is None:
            self._adopt_cached_ocr()
        if self._store_usable() and not self.store.read_only and self._text_may_replace():
            try:
                self._reanchor_if_text_changed()
                self.store.upsert_document(self._record(with_text=True))
            except StoreError as exc:
                self.storeError.emit(str(exc))
        store = self.store if self._store_usable() else None
        self.structure = ensure_structure(store, self.info.sha256, self.layer.text)
        if store is not None and self.annotations is not None and self.labels is not None:
            try:
                ensure_suggestions(self.annotations, self.structure, self.labels)
            except StoreError as exc:
                self.storeError.emit(str(exc))
        self.structureReady.emit()
        self.textComplete.emit()

    def _store_usable(self) -> bool:
        # while the window swaps databases (restore, Open Database…) the old store is
        # closed before the new one is set: answers still arriving must not touch it
        return self.store is not None and not self.store.closed

    def _reanchor_if_text_changed(self) -> None:
        """A new extractor (or OCR) can change a letter's text: move its annotations with
        it, and keep those that cannot be placed with confidence as orphans."""
        assert self.store is not None and self.info is not None and self.layer is not None
        stored = self.store.document(self.info.sha256)
        new_sha = self.layer.sha256()
        if stored is None or not stored.text_sha256 or stored.text_sha256 == new_sha:
            return
        if not (stored.text or "").strip():
            return  # nothing can be anchored on an empty text (a scan before its OCR)
        from imr_desktop.core.anchoring import apply_reanchoring

        results = apply_reanchoring(
            self.store, self.info.sha256, self.layer.text, new_sha, self.extractor_version
        )
        if self.annotations is not None:
            self.annotations.reload()
        orphans = sum(1 for r in results if r.status == "orphan")
        self.reanchored.emit(len(results) - orphans, orphans)

    def _record(self, *, with_text: bool = False) -> DocumentRecord:
        info, layer = self.info, self.layer
        assert info is not None and layer is not None
        return DocumentRecord(
            sha256=info.sha256,
            path=str(info.path.resolve()),
            kind=info.kind,
            page_count=len(info.page_sizes),
            size=info.size,
            text=layer.text if with_text else None,
            text_sha256=layer.sha256() if with_text else None,
            extractor_version=self.extractor_version if with_text else None,
        )

    def _text_may_replace(self) -> bool:
        """An empty reading (a scan whose OCR cache is gone) never replaces stored text:
        that would orphan every annotation on it."""
        assert self.store is not None and self.info is not None and self.layer is not None
        if self.layer.text.strip():
            return True
        stored = self.store.document(self.info.sha256)
        return stored is None or not (stored.text or "").strip()

    @property
    def text_complete(self) -> bool:
        return self.layer is not None and self.layer.complete
