"""Orphans in the main window: annotations the letter's changed text no longer places.

The banner after re-anchoring (and on opening a letter that still has orphans) with a
button that reveals them in the side panel; Re-attach from the Edit menu and its
shortcut; Find Quote through the find bar; and the letter's selection, which the panel's
Re-attach needs. Kept out of ``main_window.py`` (which calls ``install`` once), like the
library and OCR hooks; it talks to the window through its public attributes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMenu

from imr_desktop.ui.find_bar import quote_query

if TYPE_CHECKING:
    from imr_desktop.ui.annotation_panel import AnnotationPanel
    from imr_desktop.ui.main_window import MainWindow

BANNER = "reanchor"  # one message per letter: what re-anchoring did, or what is left
SHOW_BUTTON = "Show in Side Panel"


def _annotations(n: int) -> str:
    return f"{n} annotation{'s' if n != 1 else ''}"


class OrphanController(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("orphans")
        self.window = window
        self._panel: AnnotationPanel | None = None
        self._banner_lists_orphans = False  # the banner message is about orphans left
        session = window.session
        session.opened.connect(self._on_opened)
        session.reanchored.connect(self._on_reanchored)
        session.textComplete.connect(self._remind)
        for signal in (
            window.pdf_view.selectionChanged,
            window.text_view.selectionChanged_,
            session.undo_stack.indexChanged,
            session.textComplete,
        ):
            signal.connect(self.sync)
        window.storeChanged.connect(self._attach_panel)
        self.action = window.actions_by_id["reattach_annotation"]
        self.action.triggered.connect(self.reattach)
        edit = next(m for m in window.menuBar().findChildren(QMenu) if m.title() == "&Edit")
        actions = edit.actions()
        after = actions.index(window.actions_by_id["delete_annotation"])
        edit.insertAction(actions[after + 1] if after + 1 < len(actions) else None, self.action)
        self._attach_panel()

    # ------------------------------------------------------------------ the panel
    def _attach_panel(self) -> None:
        """(Re)connect to the window's annotation panel: a new database builds a new one."""
        panel = self.window.panel
        if panel is not None and panel is not self._panel:
            panel.findQuoteRequested.connect(self.find_quote)
            panel.reattached.connect(self._on_reattached)
            panel.reattach_action.changed.connect(self._sync_action)
        self._panel = panel
        self.sync()

    def sync(self, *_args: object) -> None:
        """Tell the panel what Re-attach would use; drop the banner once nothing is left."""
        panel = self.window.panel
        if panel is not None:
            store = self.window.store
            writable = (
                store is not None
                and not store.read_only
                and self.window.session.annotations is not None
            )
            panel.set_document_selection(self.window.current_view().selection(), writable)
        self._sync_action()
        if self._banner_lists_orphans and not self.orphans():
            self.window.banner.clear_message(BANNER)
            self._banner_lists_orphans = False

    def _sync_action(self) -> None:
        panel = self.window.panel
        enabled = panel is not None and panel.reattach_action.isEnabled()
        self.action.setEnabled(enabled)
        if panel is not None:
            self.action.setStatusTip(panel.reattach_action.statusTip())

    def orphans(self) -> int:
        annotations = self.window.session.annotations
        return len(annotations.orphans()) if annotations is not None else 0

    # ------------------------------------------------------------------ actions
    def reattach(self) -> bool:
        """Re-attach the orphan chosen in the panel to the letter's selection."""
        panel = self.window.panel
        if panel is None:
            return False
        if not panel.reattach_selected():
            # the reason it cannot (no orphan chosen, nothing selected, read-only)
            self.window.statusBar().showMessage(panel.reattach_action.toolTip(), 5000)
            return False
        return True

    def _on_reattached(self, annotation_id: str) -> None:
        view = self.window.current_view()
        view.clear_selection()  # the new highlight shows where it went
        self.window.mark_saved()
        self.window.statusBar().showMessage("Re-attached; Edit › Undo puts it back.", 4000)
        self.sync()

    def find_quote(self, quote: str) -> None:
        """Search the letter for an orphan's quote, or its first words."""
        self.window.find_bar.open_bar(quote_query(self.window.session.text, quote))

    def reveal(self) -> None:
        """Show the Annotations tab with the first orphan selected."""
        self.window.actions_by_id["show_annotations"].trigger()
        if self.window.panel is not None:
            self.window.panel.reveal_orphans()

    # ------------------------------------------------------------------ the banner
    def _on_opened(self, _info: object) -> None:
        # the message was about the letter open before
        self.window.banner.clear_message(BANNER)
        self._banner_lists_orphans = False

    def _on_reanchored(self, placed: int, orphans: int) -> None:
        message = (
            "This letter's text has changed since it was annotated (another text "
            f"extractor). {placed} annotation{'s were' if placed != 1 else ' was'} moved "
            "with it."
        )
        if orphans:
            message += (
                f" {orphans} could not be placed with confidence: they were not moved onto "
                "other text, and wait under “Needs re-attaching” in the side panel."
            )
        self._show(message, orphans > 0)

    def _remind(self) -> None:
        """A letter reopened with orphans left from an earlier session says so too."""
        count = self.orphans()
        if count and not self.window.banner.has_message(BANNER):
            self._show(
                f"{_annotations(count)} of this letter could not be placed after its text "
                "changed; they wait under “Needs re-attaching” in the side panel.",
                True,
            )

    def _show(self, message: str, orphans: bool) -> None:
        self.window.banner.show_message(
            BANNER,
            message,
            "warning" if orphans else "info",
            actions=[(SHOW_BUTTON, self.reveal)] if orphans else (),
        )
        self._banner_lists_orphans = orphans


def install(window: MainWindow) -> OrphanController:
    return OrphanController(window)
