"""The library in the main window: the dock, import, statistics and list navigation.

Kept out of ``main_window.py`` (which calls ``install`` once and hands dropped folders
here) so the window module stays about the open letter. Talks to the window through its
public attributes: ``store``, ``session``, ``actions_by_id``, ``open_file``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QFileDialog, QLabel, QMenu

from imr_desktop.core.store import Store

if TYPE_CHECKING:
    from imr_desktop.core.library.importer import ImportOptions
    from imr_desktop.ui.import_dialog import ImportDialog
    from imr_desktop.ui.library_view import LibraryView
    from imr_desktop.ui.main_window import MainWindow
    from imr_desktop.ui.stats_view import StatsView

IMPORT_FILTER = "Letters (*.pdf *.txt);;All files (*)"


class LibraryController(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("library")
        self.window = window
        # built the first time the list is needed (see ``view``), not at start-up
        self._view: LibraryView | None = None
        self.import_dialog: ImportDialog | None = None
        self.stats_view: StatsView | None = None
        # None = the importer's defaults; tests set in-process options (workers=0)
        self.import_options: ImportOptions | None = None
        self._highlight_for: tuple[str, str] | None = None  # (sha256, search text)

        self.dock = QDockWidget("Library", window)
        self.dock.setObjectName("libraryDock")
        self.dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.dock)
        self.dock.hide()
        self._sized = False
        self.set_store(window.store)
        # a dock the saved layout shows (or the user opens) gets its list then
        self.dock.visibilityChanged.connect(self._on_visibility)

        # annotations change counts and status ("in progress"): re-read, not per key
        self._refresh_timer = QTimer(self, singleShot=True, interval=600)
        self._refresh_timer.timeout.connect(self.refresh)
        window.session.undo_stack.indexChanged.connect(lambda _i: self._refresh_soon())
        window.session.textComplete.connect(self._highlight_hits)
        self._add_actions()

    # ------------------------------------------------------------------ set-up
    def _add_actions(self) -> None:
        w, a = self.window, self.window.actions_by_id
        handlers = {
            "import_files": self.choose_files,
            "import_folder": self.choose_folder,
            "toggle_library": self.toggle,
            "next_document": lambda: self.step(1),
            "prev_document": lambda: self.step(-1),
            "next_unlabeled": lambda: self.step(1, unlabeled=True),
            "mark_done": self.mark_done,
            "statistics": self.show_statistics,
        }
        for key, handler in handlers.items():
            a[key].triggered.connect(lambda _c=False, h=handler: h())
        bar = w.menuBar()
        file_menu = next(m for m in bar.findChildren(QMenu) if m.title() == "&File")
        before = a["open_db"]
        file_menu.insertSeparator(before)
        file_menu.insertAction(before, a["import_files"])
        file_menu.insertAction(before, a["import_folder"])
        view_menu = next(m for m in bar.findChildren(QMenu) if m.title() == "&View")
        view_menu.addSeparator()
        view_menu.addAction(a["toggle_library"])
        view_menu.addAction(a["statistics"])
        library = QMenu("&Library", bar)
        library.setObjectName("libraryMenu")
        for key in (
            "toggle_library",
            "next_document",
            "prev_document",
            "next_unlabeled",
            "mark_done",
        ):
            library.addAction(a[key])
        library.addSeparator()
        library.addAction(a["import_files"])
        library.addAction(a["import_folder"])
        library.addAction(a["statistics"])
        # before Suggestions: the order of the keymap groups
        suggestions = next((act for act in bar.actions() if act.text() == "&Suggestions"), None)
        bar.insertMenu(suggestions, library) if suggestions else bar.addMenu(library)
        self.menu = library
        self._update_enabled()

    def set_store(self, store: Store | None) -> None:
        """Forget the view of the previous database (at start and after File › Open
        Database); the next one is built when the list is first shown or used."""
        if self._view is not None:
            self._view.deleteLater()
            self._view = None
        if store is None:
            note = QLabel("No database is open.", self.dock)
            note.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.dock.setWidget(note)
        elif self.dock.isVisible():
            self._on_visibility(True)
        if hasattr(self, "menu"):
            self._update_enabled()

    def _on_visibility(self, visible: bool) -> None:
        if visible:
            _ = self.view  # builds it

    @property
    def view(self) -> LibraryView | None:
        """The library list, built on first use: its model, queries and search modules
        cost start-up time, and most sessions open the dock late or never."""
        store = self.window.store
        if self._view is None and store is not None:
            from imr_desktop.ui.library_view import LibraryView

            self._view = LibraryView(store, self.dock)
            self._view.openRequested.connect(self._open)
            self._view.message.connect(lambda m: self.window.statusBar().showMessage(m, 4000))
            self.dock.setWidget(self._view)
        return self._view

    def _update_enabled(self) -> None:
        a = self.window.actions_by_id
        store = self.window.store
        writable = store is not None and not store.read_only
        for key in ("import_files", "import_folder", "mark_done"):
            a[key].setEnabled(writable)
        for key in ("next_document", "prev_document", "next_unlabeled", "statistics"):
            a[key].setEnabled(store is not None)

    # ------------------------------------------------------------------ list
    def toggle(self) -> None:
        show = not self.dock.isVisible()
        self.dock.setVisible(show)
        if show and not self._sized:
            # first time shown (no saved layout for it): wide enough for the main columns
            self._sized = True
            self.window.resizeDocks([self.dock], [560], Qt.Orientation.Horizontal)
        if show and self.view is not None:
            self.view.refresh()
            self.view.search.setFocus()

    def refresh(self) -> None:
        if self._view is not None:
            self._view.refresh()

    def _refresh_soon(self) -> None:
        if self._view is not None and self.dock.isVisible():
            self._refresh_timer.start()

    def step(self, step: int, *, unlabeled: bool = False) -> str | None:
        if self.view is None:
            return None
        # the open letter is where the list continues from, even one opened by File › Open
        info = self.window.session.info
        if info is not None:
            self.view.current_sha = info.sha256
        return self.view.step(step, unlabeled=unlabeled)

    def mark_done(self) -> None:
        info = self.window.session.info
        if self.view is None or info is None:
            self.window.statusBar().showMessage("No letter is open.", 3000)
            return
        if self.view.set_status(info.sha256, "done"):
            self.window.statusBar().showMessage("Marked done.", 3000)

    def _open(self, sha256: str, path: str) -> None:
        if not Path(path).exists():
            self.window.statusBar().showMessage(
                f"{path} is not there any more; import its folder again to relink it.", 6000
            )
            return
        search = self._view.search.text().strip() if self._view is not None else ""
        self._highlight_for = (sha256, search) if search else None
        self.window.open_file(path)

    def _highlight_hits(self) -> None:
        """Mark the library search's hits in the letter just opened from the list."""
        session, wanted = self.window.session, self._highlight_for
        if wanted is None or session.info is None or session.info.sha256 != wanted[0]:
            return
        self._highlight_for = None
        layer, store = session.layer, self.window.store
        if layer is None or store is None:
            return
        from imr_desktop.core.library.search import Search, document_hits

        hits = document_hits(store.db.conn, wanted[0], wanted[1])
        if hits and hits[-1][1] > len(layer.text):
            # the stored text came from another extraction: find them in what is shown
            hits = Search.parse(wanted[1]).hits(layer.text)
        view = self.window.current_view()
        view.set_search_hits(hits, 0 if hits else -1)
        if hits:
            view.scroll_to_range(*hits[0], flash=False)
            self.window.statusBar().showMessage(
                f"{len(hits)} hit{'s' if len(hits) != 1 else ''} of “{wanted[1]}”", 4000
            )

    # ------------------------------------------------------------------ import
    def choose_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self.window, "Import letters", str(Path.home()), IMPORT_FILTER
        )
        if files:
            self.import_paths(files)

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self.window, "Import a folder of letters", str(Path.home())
        )
        if folder:
            self.import_paths([folder])

    def import_paths(self, paths: Sequence[str | Path]) -> ImportDialog | None:
        from imr_desktop.ui.import_dialog import ImportDialog

        store = self.window.store
        if store is None or store.read_only:
            self.window.statusBar().showMessage("Open a writable database to import.", 5000)
            return None
        if self.import_dialog is not None and self.import_dialog.is_running():
            self.import_dialog.raise_()
            return self.import_dialog
        dialog = ImportDialog(store.path, paths, self.import_options, self.window)
        dialog.finished_import.connect(self._imported)
        self.import_dialog = dialog
        dialog.open()
        dialog.start()
        return dialog

    def _imported(self, _summary: object) -> None:
        self.dock.show()
        self.refresh()

    # ------------------------------------------------------------------ statistics
    def show_statistics(self) -> StatsView | None:
        from imr_desktop.ui.stats_view import StatsView

        store = self.window.store
        if store is None:
            return None
        if self.stats_view is not None:
            self.stats_view.close()
            self.stats_view.deleteLater()
        flt = self._view.model.query.filter if self._view is not None else None
        self.stats_view = StatsView(store.path, flt, self.window)
        self.stats_view.show()
        self.stats_view.start()
        return self.stats_view

    def shutdown(self) -> None:
        """Stop background work before the window goes (threads must not outlive it)."""
        if self.import_dialog is not None and self.import_dialog.is_running():
            self.import_dialog.cancel()
            self.import_dialog.task.wait()
        if self.stats_view is not None:
            self.stats_view.task.wait()


def install(window: MainWindow) -> LibraryController:
    return LibraryController(window)
