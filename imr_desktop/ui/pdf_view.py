"""Continuous-scroll view of PDF pages with a selectable text layer and highlights.

Pages are rendered by the ``RenderService`` thread: only the visible pages (± 1) are
requested, and an LRU cache keeps at most a few rendered pages. While a page at a new
zoom is being rendered, the old image is drawn scaled so zooming never shows blanks.
Selections, highlights and find hits are drawn from the ``TextLayer``'s character
boxes, in page coordinates (points) scaled by the zoom.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict

from PySide6.QtCore import QElapsedTimer, QPoint, QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QGuiApplication,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QStyle, QWidget

from imr_desktop.core.textlayer import Rect, TextLayer, line_at, snap_to_words, word_at
from imr_desktop.ui.highlights import (
    CURRENT_HIT_COLOR,
    FILL_ALPHA,
    FLASH_COLOR,
    HIT_COLOR,
    SELECTION_COLOR,
    Highlight,
    assign_lanes,
    show_hover_tooltip,
)
from imr_desktop.ui.render_service import RenderedImage, RenderService

PAGE_GAP = 12
MIN_ZOOM, MAX_ZOOM = 0.25, 6.0
ZOOM_STEPS = (
    0.25,
    0.33,
    0.5,
    0.67,
    0.75,
    0.9,
    1.0,
    1.1,
    1.25,
    1.5,
    1.75,
    2.0,
    2.5,
    3.0,
    4.0,
    5.0,
    6.0,
)
CACHE_PAGES = 8  # visible pages ± 2 fit; a 1.5x Letter page is ~3 MiB


class PdfView(QAbstractScrollArea):
    selectionChanged = Signal()
    currentPageChanged = Signal(int)
    zoomChanged = Signal(float)
    firstPaint = Signal()
    contextMenuAt = Signal(QPoint, list)  # global position, ids of highlights under it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pdfView")
        self.setAccessibleName("Document pages")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.viewport().setMouseTracking(True)
        self.viewport().setCursor(Qt.CursorShape.IBeamCursor)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.DefaultContextMenu)
        self._service: RenderService | None = None
        self._sizes: list[tuple[float, float]] = []
        self._tops: list[int] = []  # pixel top of each page at the current zoom
        self._zoom = 1.0
        self._fit: str | None = "width"  # "width" | "page" | None (fixed zoom)
        self._cache: OrderedDict[tuple[int, float], QRectF | object] = OrderedDict()
        # asked of the render thread and not back yet: asking again would render twice
        self._in_flight: set[tuple[int, float]] = set()
        self._layer: TextLayer | None = None
        self._highlights: list[Highlight] = []
        self._highlight_cache: dict[int, list[tuple[Highlight, list[Rect]]]] = {}
        # line boxes of a span on a page: they change with the text layer, not with the
        # highlights, so a new tag does not recompute the boxes of all the others
        self._boxes: dict[tuple[int, int, int], list[Rect]] = {}
        self._lanes: dict[str, int] = {}
        self._hits: list[tuple[int, int]] = []
        self._current_hit = -1
        self._selection: tuple[int, int] | None = None
        self._anchor: int | None = None
        self._dragging = False
        self._click_timer = QElapsedTimer()
        self._clicks = 0
        self._click_pos = QPointF()
        self._flash: tuple[int, int] | None = None
        self._flash_step = 0
        self._flash_timer = QTimer(self, interval=90)
        self._flash_timer.timeout.connect(self._flash_tick)
        self._request_timer = QTimer(self, singleShot=True, interval=0)
        self._request_timer.timeout.connect(self._request_visible)
        self._painted_once = False
        self._current_page = 0
        self.verticalScrollBar().valueChanged.connect(self._scrolled)
        self.horizontalScrollBar().valueChanged.connect(self.viewport().update)

    # ------------------------------------------------------------------ document
    def set_document(
        self, service: RenderService, sizes: tuple[tuple[float, float], ...], layer: TextLayer
    ) -> None:
        if self._service is not None and self._service is not service:
            self._service.rendered.disconnect(self._on_rendered)
        if self._service is not service:
            service.rendered.connect(self._on_rendered)
        self._service = service
        self._sizes = list(sizes)
        self._layer = layer
        self._cache.clear()
        self._in_flight.clear()
        self._selection = None
        self._highlights, self._lanes, self._hits = [], {}, []
        self._highlight_cache.clear()
        self._boxes.clear()
        self._painted_once = False
        self._current_page = 0
        self._relayout()
        if self._fit == "page":
            self.fit_page()
        elif self._fit == "width":
            self.fit_width()
        self.verticalScrollBar().setValue(0)
        # ask for the first pages now, not on the next event-loop turn: first paint is
        # what the user waits for
        self._request_visible()
        self.viewport().update()

    def set_layer(self, layer: TextLayer) -> bool:
        """Swap the text layer of the open document (OCR) without re-rendering pages;
        True when it changed."""
        if layer is self._layer:
            return False
        self._layer = layer
        self._selection = None
        self._anchor = None
        self._highlight_cache.clear()
        self._boxes.clear()
        self.selectionChanged.emit()
        self.viewport().update()
        return True

    def clear(self) -> None:
        self._sizes, self._tops, self._layer = [], [], None
        self._cache.clear()
        self._in_flight.clear()
        self._boxes.clear()
        self._selection = None
        self._relayout()
        self.viewport().update()

    @property
    def page_count(self) -> int:
        return len(self._sizes)

    def text_updated(self) -> None:
        """More pages of text arrived: redraw overlays that may now be placeable."""
        self._highlight_cache.clear()
        self._boxes.clear()
        self.viewport().update()

    # ------------------------------------------------------------------ zoom & layout
    @property
    def zoom(self) -> float:
        return self._zoom

    def set_zoom(
        self, zoom: float, *, fit: str | None = None, anchor: QPointF | None = None
    ) -> None:
        zoom = max(MIN_ZOOM, min(MAX_ZOOM, round(zoom, 3)))
        self._fit = fit
        if abs(zoom - self._zoom) < 1e-6:
            return
        # keep the point under the anchor (or the top of the view) where it was
        anchor = anchor or QPointF(self.viewport().width() / 2, 0)
        doc_point = self._viewport_to_doc(anchor)
        self._zoom = zoom
        self._relayout()
        if doc_point is not None:
            page, x, y = doc_point
            px = self._page_origin(page)
            self.verticalScrollBar().setValue(int(px.y() + y * zoom - anchor.y()))
            self.horizontalScrollBar().setValue(
                int(px.x() + x * zoom - anchor.x() + self.horizontalScrollBar().value())
            )
        self._request_timer.start()
        self.viewport().update()
        self.zoomChanged.emit(zoom)

    def zoom_in(self) -> None:
        self.set_zoom(next((z for z in ZOOM_STEPS if z > self._zoom + 1e-3), MAX_ZOOM))

    def zoom_out(self) -> None:
        self.set_zoom(next((z for z in reversed(ZOOM_STEPS) if z < self._zoom - 1e-3), MIN_ZOOM))

    def fit_width(self) -> None:
        self._fit = "width"  # remembered without a document, applied when one opens
        if self._sizes:
            self.set_zoom(self._fit_width_zoom(), fit="width")

    def _fit_width_zoom(self) -> float:
        """The zoom that fits the widest page beside the vertical scroll bar when the pages
        will need one: fitting the bar-less width first made the bar appear, narrowed the
        view and had every visible page rendered a second time at the new zoom."""
        widest = max(w for w, _ in self._sizes)
        room = self.maximumViewportSize()  # the viewport without scroll bars
        zoom = (room.width() - 2 * PAGE_GAP) / widest
        height = sum(int(h * zoom) + PAGE_GAP for _, h in self._sizes) + PAGE_GAP
        transient = self.style().styleHint(QStyle.StyleHint.SH_ScrollBar_Transient, None, self)
        if height > room.height() and not transient:
            bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, self)
            zoom = (room.width() - bar - 2 * PAGE_GAP) / widest
        return zoom

    def fit_page(self) -> None:
        self._fit = "page"
        if self._sizes:
            w, h = self._sizes[self._current_page]
            zoom = min(
                (self.viewport().width() - 2 * PAGE_GAP) / w,
                (self.viewport().height() - 2 * PAGE_GAP) / h,
            )
            self.set_zoom(zoom, fit="page")
            self.go_to_page(self._current_page)

    def _relayout(self) -> None:
        tops, y = [], PAGE_GAP
        for _, h in self._sizes:
            tops.append(y)
            y += int(h * self._zoom) + PAGE_GAP
        self._tops = tops
        width = int(max((w for w, _ in self._sizes), default=0) * self._zoom) + 2 * PAGE_GAP
        vbar, hbar = self.verticalScrollBar(), self.horizontalScrollBar()
        vbar.setRange(0, max(0, y - self.viewport().height()))
        vbar.setPageStep(self.viewport().height())
        vbar.setSingleStep(40)
        hbar.setRange(0, max(0, width - self.viewport().width()))
        hbar.setPageStep(self.viewport().width())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fit == "width":
            self.fit_width()
        elif self._fit == "page":
            self.fit_page()
        self._relayout()
        self._request_timer.start()

    def _page_origin(self, page: int) -> QPointF:
        """Top-left of a page in viewport pixels."""
        w = self._sizes[page][0] * self._zoom
        total = max(
            self.viewport().width(), self.horizontalScrollBar().maximum() + self.viewport().width()
        )
        x = max(PAGE_GAP, (total - w) / 2) - self.horizontalScrollBar().value()
        return QPointF(x, self._tops[page] - self.verticalScrollBar().value())

    def page_rect(self, page: int) -> QRectF:
        w, h = self._sizes[page]
        origin = self._page_origin(page)
        return QRectF(origin.x(), origin.y(), w * self._zoom, h * self._zoom)

    def _visible_pages(self) -> range:
        if not self._sizes:
            return range(0)
        top = self.verticalScrollBar().value()
        bottom = top + self.viewport().height()
        first = max(0, bisect.bisect_right(self._tops, top) - 1)
        last = max(first, bisect.bisect_right(self._tops, bottom) - 1)
        return range(first, min(last, len(self._sizes) - 1) + 1)

    def doc_point(self, point: QPointF) -> tuple[int, float, float] | None:
        """(page, x, y in points) under a viewport point (used by ui/file_safety.py)."""
        return self._viewport_to_doc(point)

    def _viewport_to_doc(self, point: QPointF) -> tuple[int, float, float] | None:
        """(page, x, y in points) for a viewport point, clamped to the nearest page."""
        if not self._sizes:
            return None
        y_doc = point.y() + self.verticalScrollBar().value()
        page = max(0, bisect.bisect_right(self._tops, y_doc) - 1)
        if (
            page + 1 < len(self._tops)
            and y_doc > self._tops[page] + self._sizes[page][1] * self._zoom + PAGE_GAP / 2
        ):
            page += 1
        origin = self._page_origin(page)
        return page, (point.x() - origin.x()) / self._zoom, (point.y() - origin.y()) / self._zoom

    # ------------------------------------------------------------------ navigation
    @property
    def current_page(self) -> int:
        return self._current_page

    def go_to_page(self, page: int) -> None:
        if 0 <= page < len(self._tops):
            self.verticalScrollBar().setValue(self._tops[page] - PAGE_GAP)

    def _scrolled(self) -> None:
        pages = self._visible_pages()
        if pages:
            # the current page is the one covering the middle of the view
            mid = self.verticalScrollBar().value() + self.viewport().height() // 2
            page = max(0, bisect.bisect_right(self._tops, mid) - 1)
            if page != self._current_page:
                self._current_page = page
                self.currentPageChanged.emit(page)
        self._request_timer.start()
        self.viewport().update()

    def scroll_to_range(self, start: int, end: int, *, flash: bool = True) -> None:
        if self._layer is None:
            return
        rects = self._layer.line_rects(start, end)
        if rects:
            page, (x0, y0, _x1, _y1) = rects[0]
            target = self._tops[page] + int(y0 * self._zoom) - self.viewport().height() // 3
            self.verticalScrollBar().setValue(target)
            origin = self._page_origin(page)
            left = origin.x() + x0 * self._zoom
            if left < 0 or left > self.viewport().width():
                self.horizontalScrollBar().setValue(
                    int(self.horizontalScrollBar().value() + left - PAGE_GAP)
                )
        if flash:
            self._flash = (start, end)
            self._flash_step = 0
            self._flash_timer.start()
        self.viewport().update()

    def _flash_tick(self) -> None:
        self._flash_step += 1
        if self._flash_step > 12:
            self._flash_timer.stop()
            self._flash = None
        self.viewport().update()

    # ------------------------------------------------------------------ rendering
    def _request_visible(self) -> None:
        if self._service is None or not self._sizes:
            return
        self._prune_cache()
        visible = self._visible_pages()
        wanted = [
            p for p in range(visible.start - 1, visible.stop + 1) if 0 <= p < len(self._sizes)
        ]
        zoom = self._render_zoom()
        keys = {(p, zoom) for p in wanted}
        self._service.set_wanted(keys)
        self._in_flight &= keys  # the render thread drops requests no longer wanted
        for page in list(visible) + [p for p in wanted if p not in visible]:
            key = (page, zoom)
            if key not in self._cache and key not in self._in_flight:
                self._in_flight.add(key)
                self._service.request_render(page, zoom)

    def _render_zoom(self) -> float:
        return round(self._zoom * self.devicePixelRatioF(), 3)

    def _on_rendered(self, result: RenderedImage) -> None:
        if self._service is None or result.generation != self._service.generation:
            return
        self._in_flight.discard((result.page, result.zoom))
        if result.image.isNull():
            return
        result.image.setDevicePixelRatio(self.devicePixelRatioF())
        self._cache[(result.page, result.zoom)] = result.image
        self._cache.move_to_end((result.page, result.zoom))
        self._prune_cache()
        if result.page in self._visible_pages():
            self.viewport().update()

    def _prune_cache(self) -> None:
        """Keep the pages on screen ± 2 at the current zoom (an image at another zoom stays
        only as a stand-in until its sharp one arrives), never more than CACHE_PAGES."""
        visible = self._visible_pages()
        if not visible:
            return
        near = range(visible.start - 2, visible.stop + 2)
        zoom = self._render_zoom()
        sharp = {p for p, z in self._cache if z == zoom}
        for key in list(self._cache):
            page, z = key
            if page not in near or (z != zoom and page in sharp):
                del self._cache[key]
        while len(self._cache) > CACHE_PAGES:
            del self._cache[next(iter(self._cache))]  # least recently used

    def _image_for(self, page: int):  # type: ignore[no-untyped-def]
        zoom = self._render_zoom()
        image = self._cache.get((page, zoom))
        if image is not None:
            self._cache.move_to_end((page, zoom))
            return image, True
        # any other zoom of the same page, drawn scaled until the sharp one arrives
        for (p, _), img in reversed(self._cache.items()):
            if p == page:
                return img, False
        return None, False

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        clip = QRectF(event.rect())
        painter.fillRect(clip, self.palette().color(self.palette().ColorRole.Mid))
        if not self._sizes:
            painter.end()
            return
        for page in self._visible_pages():
            rect = self.page_rect(page)
            if not rect.adjusted(-4, -4, 4, 4 + PAGE_GAP).intersects(clip):
                continue  # a partial repaint (a new highlight) touches one page only
            painter.fillRect(rect.adjusted(2, 2, 2, 2), QColor(0, 0, 0, 40))
            image, exact = self._image_for(page)
            if image is not None:
                painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, not exact)
                painter.drawImage(rect, image)
            else:
                painter.fillRect(rect, Qt.GlobalColor.white)
            self._paint_overlays(painter, page, rect, clip)
        painter.end()
        if not self._painted_once and any(
            self._image_for(p)[0] is not None for p in self._visible_pages()
        ):
            self._painted_once = True
            self.firstPaint.emit()

    def _page_highlights(self, page: int) -> list[tuple[Highlight, list[Rect]]]:
        """Highlights on a page with their line boxes in points (cached until they change)."""
        cached = self._highlight_cache.get(page)
        if cached is not None:
            return cached
        layer = self._layer
        assert layer is not None
        p_start, p_end = layer.page_range(page)
        out = []
        for h in self._highlights:
            if h.end <= p_start or h.start >= p_end:
                continue
            key = (max(h.start, p_start), min(h.end, p_end), page)
            boxes = self._boxes.get(key)
            if boxes is None:
                boxes = [b for pg, b in layer.line_rects(key[0], key[1]) if pg == page]
                self._boxes[key] = boxes
            if boxes:
                out.append((h, boxes))
        self._highlight_cache[page] = out
        return out

    def range_rect(self, start: int, end: int) -> QRect:
        """Viewport rectangle covering a span (and its underline lanes), for a repaint."""
        if self._layer is None:
            return QRect()
        area = QRectF()
        for page, (x0, y0, x1, y1) in self._layer.line_rects(start, end):
            if page >= len(self._sizes):
                continue
            origin = self._page_origin(page)
            z = self._zoom
            area = area.united(
                QRectF(origin.x() + x0 * z, origin.y() + y0 * z, (x1 - x0) * z, (y1 - y0) * z)
            )
        return area.adjusted(-4, -4, 4, 16).toAlignedRect()

    def _paint_overlays(self, painter: QPainter, page: int, rect: QRectF, clip: QRectF) -> None:
        layer = self._layer
        if layer is None or page >= layer.pages_done:
            return
        z = self._zoom
        ox, oy = rect.x(), rect.y()
        p_start, p_end = layer.page_range(page)
        lanes = self._lanes

        def rects(start: int, end: int) -> list[QRectF]:
            if end <= p_start or start >= p_end:
                return []
            return [
                QRectF(ox + x0 * z, oy + y0 * z, (x1 - x0) * z, (y1 - y0) * z)
                for pg, (x0, y0, x1, y1) in layer.line_rects(max(start, p_start), min(end, p_end))
                if pg == page
            ]

        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        for h, boxes in self._page_highlights(page):
            color = QColor(h.color)
            lane = lanes.get(h.id, 0)
            for x0, y0, x1, y1 in boxes:
                r = QRectF(ox + x0 * z, oy + y0 * z, (x1 - x0) * z, (y1 - y0) * z)
                if not r.adjusted(-2, -2, 2, 14).intersects(clip):
                    continue
                if h.suggested:
                    pen = QPen(color, 1.5, Qt.PenStyle.DashLine)
                    painter.setPen(pen)
                    painter.setBrush(Qt.BrushStyle.NoBrush)
                    painter.drawRect(r.adjusted(-1, -1, 1, 1))
                    continue
                fill = QColor(color)
                fill.setAlpha(FILL_ALPHA)
                painter.fillRect(r, fill)
                # an underline per overlap lane keeps stacked highlights distinguishable
                bar = max(2.0, 1.6 * z)
                y = r.bottom() + lane * (bar + 1)
                painter.fillRect(QRectF(r.left(), y, r.width(), bar), color)
        for i, (s, e) in enumerate(self._hits):
            if e <= p_start or s >= p_end:
                continue
            color = CURRENT_HIT_COLOR if i == self._current_hit else HIT_COLOR
            for r in rects(s, e):
                painter.fillRect(r, color)
        if self._selection is not None:
            for r in rects(*self._selection):
                painter.fillRect(r, SELECTION_COLOR)
        if self._flash is not None and self._flash_step % 2 == 0:
            painter.setPen(QPen(FLASH_COLOR, 2.5))
            painter.setBrush(QBrush(QColor(255, 200, 0, 60)))
            for r in rects(*self._flash):
                painter.drawRect(r.adjusted(-2, -2, 2, 2))

    # ------------------------------------------------------------------ overlays API
    def set_highlights(self, highlights: list[Highlight]) -> None:
        self._highlight_cache.clear()
        self._highlights = sorted(highlights, key=lambda h: (h.suggested, h.start))
        self._lanes = assign_lanes([h for h in highlights if not h.suggested])
        self.viewport().update()

    def set_search_hits(self, hits: list[tuple[int, int]], current: int = -1) -> None:
        self._hits = hits
        self._current_hit = current
        self.viewport().update()

    def highlights_at(self, point: QPointF) -> list[Highlight]:
        doc = self._viewport_to_doc(point)
        if doc is None or self._layer is None or doc[0] >= self._layer.pages_done:
            return []
        page, x, y = doc
        found = []
        for h in self._highlights:
            for pg, (x0, y0, x1, y1) in self._layer.line_rects(h.start, h.end):
                if pg == page and x0 <= x <= x1 and y0 <= y <= y1:
                    found.append(h)
                    break
        return found

    # ------------------------------------------------------------------ selection
    def selection(self) -> tuple[int, int] | None:
        return self._selection

    def set_selection(self, start: int, end: int) -> None:
        self._selection = (start, end) if start < end else None
        self.viewport().update()
        self.selectionChanged.emit()

    def clear_selection(self) -> None:
        if self._selection is not None:
            self._selection = None
            self.viewport().update()
            self.selectionChanged.emit()

    def selected_text(self) -> str:
        if self._selection is None or self._layer is None:
            return ""
        return self._layer.text[self._selection[0] : self._selection[1]]

    def point_for_offset(self, offset: int, *, right: bool = False) -> QPoint | None:
        """Viewport point over the character at ``offset`` (left or right part of it)."""
        if self._layer is None or offset >= len(self._layer):
            return None
        page = self._layer.page_of(offset)
        if page >= len(self._sizes):
            return None
        x0, y0, x1, y1 = self._layer.box(offset)
        origin = self._page_origin(page)
        fx = 0.8 if right else 0.2
        return QPoint(
            int(origin.x() + (x0 + (x1 - x0) * fx) * self._zoom),
            int(origin.y() + (y0 + y1) / 2 * self._zoom),
        )

    def _caret(self, pos: QPointF) -> int | None:
        doc = self._viewport_to_doc(pos)
        if doc is None or self._layer is None or doc[0] >= self._layer.pages_done:
            return None
        return self._layer.caret_at(*doc)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        caret = self._caret(event.position())
        if caret is None:
            return
        text = self._layer.text if self._layer else ""
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier and self._anchor is not None:
            self._clicks = 0
            self._extend_to(caret)
            self._finish_selection()
            return
        # count clicks ourselves: Qt reports double clicks but not triple clicks; a click
        # somewhere else starts a new count
        hints = QGuiApplication.styleHints()
        near = (event.position() - self._click_pos).manhattanLength() <= hints.startDragDistance()
        quick = (
            self._click_timer.isValid()
            and self._click_timer.elapsed() < hints.mouseDoubleClickInterval()
        )
        self._clicks = self._clicks + 1 if quick and near else 1
        self._click_pos = event.position()
        self._click_timer.restart()
        if self._clicks == 2:
            self._apply_selection(word_at(text, caret))
            return
        if self._clicks >= 3:
            self._apply_selection(line_at(text, caret))
            self._clicks = 0
            return
        self._anchor = caret
        self._dragging = True
        if self._selection is not None:
            self._selection = None
            self.selectionChanged.emit()
        self.viewport().update()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        # Qt sends press, release, double-click, release: treat it as the second press
        self.mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._dragging and event.buttons() & Qt.MouseButton.LeftButton:
            caret = self._caret(event.position())
            if caret is not None:
                self._extend_to(caret)
            self._autoscroll(event.position())
            return
        if not event.buttons():
            show_hover_tooltip(event, self.highlights_at(event.position()), self.viewport())

    def _autoscroll(self, pos: QPointF) -> None:
        bar = self.verticalScrollBar()
        if pos.y() < 0:
            bar.setValue(bar.value() + int(pos.y()))
        elif pos.y() > self.viewport().height():
            bar.setValue(bar.value() + int(pos.y() - self.viewport().height()))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._dragging:
            self._dragging = False
            self._finish_selection()

    def _extend_to(self, caret: int) -> None:
        if self._anchor is None:
            self._anchor = caret
        s, e = sorted((self._anchor, caret))
        self._selection = (s, e) if s < e else None
        self.viewport().update()

    def _finish_selection(self) -> None:
        if self._selection is not None and self._layer is not None:
            self._selection = snap_to_words(self._layer.text, *self._selection)
        self.viewport().update()
        self.selectionChanged.emit()

    def _apply_selection(self, span: tuple[int, int] | None) -> None:
        self._dragging = False
        self._selection = span
        if span is not None:
            self._anchor = span[0]
        self.viewport().update()
        self.selectionChanged.emit()

    def contextMenuEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        ids = [h.id for h in self.highlights_at(QPointF(event.pos()))]
        self.contextMenuAt.emit(event.globalPos(), ids)

    # ------------------------------------------------------------------ keys & wheel
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        bar = self.verticalScrollBar()
        if key == Qt.Key.Key_Home and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            bar.setValue(0)
        elif key == Qt.Key.Key_End and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            bar.setValue(bar.maximum())
        elif key == Qt.Key.Key_Space:
            step = (
                -bar.pageStep()
                if event.modifiers() & Qt.KeyboardModifier.ShiftModifier
                else bar.pageStep()
            )
            bar.setValue(bar.value() + int(step * 0.9))
        elif key == Qt.Key.Key_Escape and self._selection is not None:
            self.clear_selection()
        else:
            super().keyPressEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            delta = event.angleDelta().y()
            if delta:
                factor = 1.1 ** (delta / 120)
                self.set_zoom(self._zoom * factor, anchor=event.position())
            return
        super().wheelEvent(event)
