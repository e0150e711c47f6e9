"""What the window says and does about an untrusted PDF once it is open.

The probe process (``core/untrusted``) reports damage, unreadable pages, active content
it found (never run) and the letter's web and mail links. This shows those facts in the
banner and makes links usable on request only: Ctrl+click on a link, then a confirmation
naming the address; only http, https and mailto are ever handed to the desktop.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QPointF, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QMouseEvent
from PySide6.QtWidgets import QMessageBox, QToolTip, QWidget

from imr_desktop.core.untrusted.links import is_safe_url
from imr_desktop.core.untrusted.report import Link
from imr_desktop.ui.banner import Banner
from imr_desktop.ui.document_session import DocumentSession
from imr_desktop.ui.pdf_view import PdfView
from imr_desktop.ui.render_service import OpenedDocument

KEY = "untrusted"


def _ask(parent: QWidget, url: str) -> bool:
    answer = QMessageBox.question(
        parent,
        "Open link?",
        f"This letter links to:\n\n{url}\n\nOpen it in your web browser or mail program?",
        QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Open


def _open_url(url: str) -> bool:
    return QDesktopServices.openUrl(QUrl(url, QUrl.ParsingMode.StrictMode))


def open_local_path(path: Path) -> bool:
    """Show a file or folder IMR Desktop itself just wrote (a packet, an export folder),
    on the user's click. Only local paths: this is the one other place the desktop is
    asked to open anything."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class FileSafety(QObject):
    def __init__(
        self,
        view: PdfView,
        session: DocumentSession,
        banner: Banner,
        parent: QObject | None = None,
        *,
        confirm: Callable[[QWidget, str], bool] = _ask,
        opener: Callable[[str], bool] = _open_url,
    ) -> None:
        super().__init__(parent)
        self.view = view
        self.banner = banner
        self.confirm = confirm
        self.opener = opener
        self.links: list[Link] = []
        self.opened_urls: list[str] = []  # what was handed to the desktop (tests, audit)
        session.opened.connect(self._on_opened)
        view.viewport().installEventFilter(self)

    def _on_opened(self, info: OpenedDocument) -> None:
        self.banner.clear_message(KEY)
        report = info.probe
        self.links = list(report.links) if report is not None else []
        if report is None:
            return
        if report.repaired and not self.banner.has_message("repaired"):
            self.banner.show_message(
                "repaired",
                f"{info.path.name} was damaged; it was repaired while opening and some of "
                "its content may be missing.",
                "warning",
            )
        lines = report.warnings(info.path.name)
        if lines:
            self.banner.show_message(KEY, " ".join(lines), "warning")

    # ------------------------------------------------------------------ links
    def link_at(self, point: QPointF) -> Link | None:
        where = self.view.doc_point(point)
        if where is None:
            return None
        page, x, y = where
        for link in self.links:
            x0, y0, x1, y1 = link.rect
            if link.page == page and x0 <= x <= x1 and y0 <= y <= y1:
                return link
        return None

    def follow(self, link: Link) -> bool:
        """Ask, then open: only web and mail addresses (checked again here)."""
        if not is_safe_url(link.url):
            return False
        if not self.confirm(self.view, link.url):
            return False
        self.opened_urls.append(link.url)
        return self.opener(link.url)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove) or not self.links:
            return False
        assert isinstance(event, QMouseEvent)
        link = self.link_at(event.position())
        if link is None:
            return False
        if kind == QEvent.Type.MouseMove:
            QToolTip.showText(event.globalPosition().toPoint(), f"Ctrl+click to open {link.url}")
            return False
        ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
        if event.button() == Qt.MouseButton.LeftButton and ctrl:
            self.follow(link)
            return True  # the click was for the link, not for selecting text
        return False
