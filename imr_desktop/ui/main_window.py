"""The main window: document on the left, case and annotations on the right.

This module composes widgets and wires their signals in one place; the work itself lives
in the core (store, annotation set), in ``DocumentSession`` (open document) and in the
views. Every edit is an undo command.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSpinBox,
    QStackedWidget,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from imr_desktop import APP_NAME, paths
from imr_desktop.core.errors import PasswordRequired, StoreError, UserFacingError
from imr_desktop.core.labels import LabelSet
from imr_desktop.core.session import Change
from imr_desktop.core.settings import Settings, save_settings
from imr_desktop.core.store import Store
from imr_desktop.ui import commands, export_actions
from imr_desktop.ui.actions import make_actions, shortcut_texts
from imr_desktop.ui.annotation_panel import AnnotationPanel
from imr_desktop.ui.banner import Banner
from imr_desktop.ui.case_view import CaseView
from imr_desktop.ui.document_session import DocumentSession
from imr_desktop.ui.file_safety import FileSafety
from imr_desktop.ui.find_bar import FindBar
from imr_desktop.ui.highlights import Highlight
from imr_desktop.ui.label_bar import LabelBar
from imr_desktop.ui.ocr_controller import OcrController
from imr_desktop.ui.pdf_view import PdfView
from imr_desktop.ui.render_service import OpenedDocument, RenderService
from imr_desktop.ui.text_view import TextView
from imr_desktop.ui.theme import is_dark

FILE_FILTER = "Letters (*.pdf *.txt);;PDF files (*.pdf);;Text files (*.txt);;All files (*)"


class MainWindow(QMainWindow):
    documentReady = Signal()  # first page painted (PDF) or text shown
    tagged = Signal(float)  # milliseconds from key press to committed + drawn
    storeChanged = Signal()  # open_database switched databases (ui/durability.py listens)

    def __init__(
        self,
        *,
        store: Store | None,
        settings: Settings,
        store_problem: str | None = None,
        interactive: bool = True,
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_NAME)
        self.setAcceptDrops(True)
        self.settings = settings
        self.store = store
        # how open_database opens a store; ui/durability.py adds the one-writer guard
        self.store_opener: Callable[[str | Path], Store] = Store.open
        self.interactive = interactive  # False in --selftest: errors never wait for a click
        self.last_error: str | None = None
        self.service = RenderService(self)
        self.session = DocumentSession(self.service, store, settings.annotator, self)
        self.labels: LabelSet | None = LabelSet(store) if store else None
        self._unsubscribe = None
        self._current_suggestion: str | None = None

        self._build_central()
        self._build_side_panel()
        self.actions_by_id = make_actions(self, self._handlers(), settings.shortcuts)
        self._build_menus_and_toolbar()
        self._build_status_bar()
        self._wire()
        # after _wire: these react to a document after the window has (e.g. its banner)
        # scanned letters: offer, run and show OCR (ui/ocr_controller.py)
        self.ocr = OcrController(self.session, self.banner, self.statusBar(), self)
        # untrusted PDFs: the probe's findings, and links on request (ui/file_safety.py)
        self.file_safety = FileSafety(self.pdf_view, self.session, self.banner, self)
        self._restore_layout()
        self._install_shell()
        self._install_library()
        self._install_orphans()
        self._update_enabled()
        if store is None:
            self.banner.show_message(
                "db",
                store_problem
                or "No annotation database is open: annotations cannot be "
                "saved. Use File › Open Database… to choose one.",
                "error",
            )
        elif store.read_only:
            self.banner.show_message(
                "db",
                f"The database {store.path} is read-only: you can read its annotations, "
                "but new ones are not saved.",
                "warning",
            )

    # ================================================================== building
    def _build_central(self) -> None:
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.banner = Banner(central)
        self.stack = QStackedWidget(central)
        self.empty = QLabel(
            "Open a letter with Ctrl+O, or drop a PDF or text file here.", self.stack
        )
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setObjectName("emptyState")
        self.pdf_view = PdfView(self.stack)
        self.text_view = TextView(self.stack)
        for w in (self.empty, self.pdf_view, self.text_view):
            self.stack.addWidget(w)
        self.find_bar = FindBar(central)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.find_bar)
        self.setCentralWidget(central)

    def _build_side_panel(self) -> None:
        self.dock = QDockWidget("Case and annotations", self)
        self.dock.setObjectName("sidePanel")
        self.dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.tabs = QTabWidget(self.dock)
        self.tabs.setObjectName("sideTabs")
        self.tabs.setDocumentMode(True)
        self.case_view = CaseView(self.tabs)
        self.side = QStackedWidget(self.tabs)
        self.tabs.addTab(self.case_view, "Case")
        self.tabs.addTab(self.side, "Annotations")
        self.dock.setWidget(self.tabs)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self._install_store_widgets()

    def _install_store_widgets(self) -> None:
        """(Re)build the widgets that depend on the database."""
        while self.side.count():
            w = self.side.widget(0)
            self.side.removeWidget(w)
            w.deleteLater()
        self.label_bar: LabelBar | None = None
        self.panel: AnnotationPanel | None = None
        if self.labels is None:
            note = QLabel("No annotation database is open.\nFile › Open Database…", self.side)
            note.setAlignment(Qt.AlignmentFlag.AlignCenter)
            note.setWordWrap(True)
            self.side.addWidget(note)
            return
        holder = QWidget(self.side)
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(6, 6, 6, 6)
        self.label_bar = LabelBar(self.labels, holder)
        self.panel = AnnotationPanel(self.labels, self.session.undo_stack, holder)
        layout.addWidget(self.label_bar)
        layout.addWidget(self.panel, 1)
        self.side.addWidget(holder)
        self.label_bar.labelChosen.connect(self.tag_selection)
        self.label_bar.manageRequested.connect(self.manage_labels)
        self.panel.activated.connect(self.reveal_annotation)
        self.panel.storeError.connect(self._show_store_error)
        self.labels.subscribe(self._refresh_highlights)
        self.session.labels = self.labels

    def _handlers(self) -> dict:
        return {
            "open": self.choose_file,
            "open_db": self.choose_database,
            "quit": self.close,
            "undo": lambda: self._step_history(undo=True),
            "redo": lambda: self._step_history(undo=False),
            "copy": self.copy_selection,
            "find": self.open_find,
            "find_next": lambda: self._find_step(True),
            "find_prev": lambda: self._find_step(False),
            "delete_annotation": self.delete_selected_annotation,
            "manage_labels": self.manage_labels,
            "zoom_in": lambda: self.current_view().zoom_in(),
            "zoom_out": lambda: self.current_view().zoom_out(),
            "fit_width": self.pdf_view.fit_width,
            "fit_page": self.pdf_view.fit_page,
            "go_to_page": self.focus_page_box,
            "prev_page": lambda: self.pdf_view.go_to_page(self.pdf_view.current_page - 1),
            "next_page": lambda: self.pdf_view.go_to_page(self.pdf_view.current_page + 1),
            "toggle_panel": lambda: self.dock.setVisible(not self.dock.isVisible()),
            "next_suggestion": lambda: self.step_suggestion(1),
            "prev_suggestion": lambda: self.step_suggestion(-1),
            "accept_suggestion": self.accept_suggestion,
            "reject_suggestion": self.reject_suggestion,
            "accept_all_label": self.accept_all_of_current_label,
            "show_case": lambda: self._show_tab(0),
            "show_annotations": lambda: self._show_tab(1),
            "copy_summary": self.case_view.copy_summary,
        }

    def _build_menus_and_toolbar(self) -> None:
        a = self.actions_by_id
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(a["open"])
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addAction(a["open_db"])
        for key in ("backup_now", "restore_backup"):  # ui/durability.py wires and enables them
            a[key].setEnabled(False)
            file_menu.addAction(a[key])
        file_menu.addSeparator()
        export_actions.install(self, file_menu)  # Export Training Data…, Export Case Packet…
        file_menu.addSeparator()
        file_menu.addAction(a["quit"])
        edit = bar.addMenu("&Edit")
        for key in ("undo", "redo"):
            edit.addAction(a[key])
        edit.addSeparator()
        edit.addAction(a["copy"])
        self.tag_menu = edit.addMenu("&Tag Selection As")
        self.tag_menu.aboutToShow.connect(lambda: self._fill_tag_menu(self.tag_menu))
        edit.addAction(a["delete_annotation"])
        edit.addSeparator()
        for key in ("find", "find_next", "find_prev"):
            edit.addAction(a[key])
        edit.addSeparator()
        edit.addAction(a["manage_labels"])
        view = bar.addMenu("&View")
        for key in ("zoom_in", "zoom_out", "fit_width", "fit_page"):
            view.addAction(a[key])
        view.addSeparator()
        for key in ("go_to_page", "prev_page", "next_page"):
            view.addAction(a[key])
        view.addSeparator()
        view.addAction(a["toggle_panel"])
        view.addAction(a["show_case"])
        view.addAction(a["show_annotations"])
        suggestions = bar.addMenu("&Suggestions")
        for key in (
            "next_suggestion",
            "prev_suggestion",
            "accept_suggestion",
            "reject_suggestion",
            "accept_all_label",
        ):
            suggestions.addAction(a[key])
        edit.addAction(a["copy_summary"])
        # Enter and Delete act on suggestions only while the letter has the focus, so the
        # side panel and the find bar keep their own Enter and Delete
        for key in ("accept_suggestion", "reject_suggestion"):
            a[key].setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.stack.addAction(a[key])
        self.undo_action = a["undo"]
        self.redo_action = a["redo"]

        tools = QToolBar("Main", self)
        tools.setObjectName("mainToolbar")
        tools.setMovable(False)
        tools.addAction(a["open"])
        tools.addSeparator()
        tools.addAction(a["undo"])
        tools.addAction(a["redo"])
        tools.addSeparator()
        tools.addAction(a["zoom_out"])
        tools.addAction(a["zoom_in"])
        tools.addAction(a["fit_width"])
        tools.addAction(a["fit_page"])
        tools.addSeparator()
        tools.addWidget(QLabel(" Page ", tools))
        self.page_box = QSpinBox(tools)
        self.page_box.setObjectName("pageBox")
        self.page_box.setAccessibleName("Page number")
        self.page_box.setKeyboardTracking(False)
        self.page_box.setMinimum(1)
        tools.addWidget(self.page_box)
        self.page_total = QLabel(" of 0 ", tools)
        tools.addWidget(self.page_total)
        tools.addSeparator()
        tools.addAction(a["find"])
        self.addToolBar(tools)
        self.toolbar = tools

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.page_label = QLabel("", status)
        self.zoom_label = QLabel("", status)
        self.count_label = QLabel("", status)
        self.save_label = QLabel("", status)
        self.save_label.setObjectName("saveState")
        for w in (self.save_label, self.count_label, self.page_label, self.zoom_label):
            w.setContentsMargins(8, 0, 8, 0)
            status.addPermanentWidget(w)

    def _wire(self) -> None:
        s = self.session
        s.opened.connect(self._on_opened)
        s.failed.connect(self._on_open_failed)
        s.textProgress.connect(self._on_text_progress)
        s.textComplete.connect(self._on_text_complete)
        s.structureReady.connect(self._on_structure)
        self.case_view.spanActivated.connect(self._reveal_span)
        s.storeError.connect(self._show_store_error)
        s.undo_stack.indexChanged.connect(self._update_enabled)
        self.pdf_view.selectionChanged.connect(self._update_enabled)
        self.pdf_view.currentPageChanged.connect(self._on_page_changed)
        self.pdf_view.zoomChanged.connect(self._update_zoom_label)
        self.pdf_view.firstPaint.connect(self._on_first_paint)
        self.pdf_view.contextMenuAt.connect(self._context_menu)
        self.text_view.selectionChanged_.connect(self._update_enabled)
        self.text_view.zoomChanged.connect(self._update_zoom_label)
        self.text_view.contextMenuAt.connect(self._context_menu)
        self.page_box.valueChanged.connect(lambda v: self.pdf_view.go_to_page(v - 1))
        self.find_bar.hitsChanged.connect(self._on_hits)
        self.find_bar.closed.connect(lambda: self.current_view().setFocus())
        # digits 1-9 tag the selection with the label holding that hotkey
        for digit in range(1, 10):
            action = self.addAction(f"Tag {digit}")
            action.setShortcut(QKeySequence(str(digit)))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _c=False, d=digit: self.tag_with_hotkey(d))

    def _install_shell(self) -> None:
        """Preferences, Help menu, About, theme, icon, accessible names and the first-run
        prompt: all in ui/shell.py, wired through the actions of the registry."""
        from imr_desktop.ui.shell import install

        self.shell = install(self)

    def _install_library(self) -> None:
        """The library dock, import, statistics and next/previous letter: all in
        ui/library_hook.py. Dropped folders go there too (see dropEvent)."""
        from imr_desktop.ui.library_hook import install

        self.library = install(self)

    def _install_orphans(self) -> None:
        """Annotations the letter's changed text no longer places: the re-anchoring
        banner, Re-attach and Find Quote, all in ui/orphans.py."""
        from imr_desktop.ui.orphans import install

        self.orphans = install(self)

    # ================================================================== documents
    def current_view(self) -> PdfView | TextView:
        return self.text_view if self.stack.currentWidget() is self.text_view else self.pdf_view

    def choose_file(self) -> None:
        start = (
            str(Path(self.settings.recent_files[0]).parent)
            if self.settings.recent_files
            else str(Path.home())
        )
        path, _ = QFileDialog.getOpenFileName(self, "Open a letter", start, FILE_FILTER)
        if path:
            self.open_file(path)

    def open_file(self, path: str | Path, password: str | None = None) -> None:
        self._open_started = time.perf_counter()
        self.statusBar().showMessage(f"Opening {Path(path).name}…")
        self.session.open(path, password)

    def _on_open_failed(self, error: UserFacingError, path: str) -> None:
        self.statusBar().clearMessage()
        self.last_error = str(error)
        if isinstance(error, PasswordRequired) and self.interactive:
            prompt = (
                "The password is not correct. Try again:"
                if error.wrong
                else f"{Path(path).name} is protected by a password:"
            )
            password, ok = QInputDialog.getText(
                self, "Password", prompt, QLineEdit.EchoMode.Password
            )
            if ok:
                self.open_file(path, password)
            return
        if self.interactive:
            QMessageBox.warning(self, "Cannot open the letter", str(error))

    def _on_opened(self, info: OpenedDocument) -> None:
        self.statusBar().clearMessage()
        self.last_error = None
        self.settings.add_recent(info.path)
        self._save_settings()
        self.setWindowTitle(f"{info.path.name} — {APP_NAME}")
        for key in ("text", "repaired"):
            self.banner.clear_message(key)
        if info.warnings:
            self.banner.show_message(
                "repaired",
                f"{info.path.name} was damaged; it was repaired while opening and "
                "some of its content may be missing.",
                "warning",
            )
        layer = self.session.layer
        assert layer is not None
        if info.kind == "pdf":
            self.stack.setCurrentWidget(self.pdf_view)
            self.pdf_view.set_document(self.service, info.page_sizes, layer)
            self.page_box.blockSignals(True)
            self.page_box.setMaximum(len(info.page_sizes))
            self.page_box.setValue(1)
            self.page_box.blockSignals(False)
            self.page_total.setText(f" of {len(info.page_sizes)} ")
        else:
            self.stack.setCurrentWidget(self.text_view)
            self.text_view.set_text(layer.text)
            self.page_total.setText(" of 1 ")
            QTimer.singleShot(0, self.documentReady.emit)
        self._attach_annotations()
        self.find_bar.set_text(layer.text)
        self._on_page_changed(0)
        self._update_zoom_label()
        self._update_enabled()
        self.current_view().setFocus()

    def _on_first_paint(self) -> None:
        self.session.first_page_shown()
        self.documentReady.emit()

    def _on_text_progress(self, done: int, total: int) -> None:
        self.pdf_view.text_updated()
        if done < total and total > 20:
            self.statusBar().showMessage(f"Reading text: page {done} of {total}…")

    def _on_text_complete(self) -> None:
        self.statusBar().clearMessage()
        layer = self.session.layer
        info = self.session.info
        if layer is not None and info is not None and info.kind == "pdf":
            # OCR text replaces the (empty) layer of a scan: views and panel follow it
            if self.pdf_view.set_layer(layer):
                self._attach_annotations()
            self.ocr.text_complete()  # "no text layer: recognise?" or "recognised by OCR"
        if layer is not None:
            self.find_bar.set_text(layer.text)
        self._refresh_highlights()

    def _attach_annotations(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        annotations = self.session.annotations
        layer = self.session.layer
        if self.panel is not None:
            page_of = (
                layer.page_of
                if (layer is not None and layer.has_geometry)
                or (self.session.info is not None and self.session.info.kind == "pdf")
                else None
            )
            self.panel.set_annotations(annotations, page_of)
        if annotations is not None:
            self._unsubscribe = annotations.subscribe(self._on_annotation_change)
        self._refresh_highlights()

    def _on_annotation_change(self, _change: Change) -> None:
        self._refresh_highlights()
        self._update_suggestion_actions()

    def _refresh_highlights(self) -> None:
        annotations = self.session.annotations
        highlights: list[Highlight] = []
        if annotations is not None and self.labels is not None:
            for ann in annotations:
                label = self.labels.get(ann.label_id)
                if label is None:
                    continue
                highlights.append(
                    Highlight(
                        ann.id,
                        ann.start,
                        ann.end,
                        label.color,
                        label.name,
                        ann.note,
                        ann.origin != "manual",
                    )
                )
        self.current_view().set_highlights(highlights)
        manual = suggested = 0
        for h in highlights:
            suggested += h.suggested
            manual += not h.suggested
        text = f"{manual} annotation{'s' if manual != 1 else ''}"
        if suggested:
            text += f" · {suggested} suggestion{'s' if suggested != 1 else ''}"
        orphans = len(annotations.orphans()) if annotations is not None else 0
        if orphans:
            text += f" · ⚠ {orphans} to re-attach"
        self.count_label.setText(text)

    # ================================================================== tagging
    def tag_with_hotkey(self, digit: int) -> None:
        if self.labels is None:
            self._explain_no_tagging()
            return
        label = self.labels.by_hotkey(digit)
        if label is None:
            self.statusBar().showMessage(f"No label has the hotkey {digit}.", 4000)
            return
        self.tag_selection(label.id)

    def tag_selection(self, label_id: str) -> None:
        started = time.perf_counter()
        view = self.current_view()
        span = view.selection()
        annotations = self.session.annotations
        if span is None:
            self.statusBar().showMessage("Select some text first, then press its label key.", 4000)
            return
        if annotations is None or self.labels is None:
            self._explain_no_tagging()
            return
        label = self.labels.get(label_id)
        if label is None:
            return
        ann = annotations.new(span[0], span[1], label)
        command = commands.AddAnnotation(annotations, ann, label.name)
        self.session.undo_stack.push(command)
        if command.error is not None:
            self._show_store_error(str(command.error))
            return  # the selection stays so the user can retry
        view.clear_selection()
        self.mark_saved()
        if isinstance(view, PdfView):
            # draw the new highlight now, and only its rectangle: the tag is acknowledged
            # on screen within the same key press
            view.viewport().repaint(view.range_rect(ann.start, ann.end))
        self.tagged.emit((time.perf_counter() - started) * 1000)

    def _step_history(self, *, undo: bool) -> None:
        """Undo or redo; a storage fault on the way leaves memory equal to the disk.

        QUndoStack has already moved its index when a command's write fails, so the
        history no longer matches the database: it is cleared, the annotations are read
        back from the store, and the user is told nothing was changed.
        """
        stack = self.session.undo_stack
        if not (stack.canUndo() if undo else stack.canRedo()):
            return
        command = stack.command(stack.index() - 1 if undo else stack.index())
        if isinstance(command, commands._Command):
            command.error = None
        stack.undo() if undo else stack.redo()
        error = getattr(command, "error", None)
        if error is not None:
            stack.clear()
            if self.session.annotations is not None:
                self.session.annotations.reload()
            if self.labels is not None:
                self.labels.reload()
            self._show_store_error(
                f"{error} Nothing was {'undone' if undo else 'redone'}; the undo history was "
                "cleared so that it matches what is saved."
            )
        elif self.store is not None and not self.store.read_only:
            self.mark_saved()

    def _explain_no_tagging(self) -> None:
        self.statusBar().showMessage(
            "Annotations cannot be saved: no writable database is open.", 5000
        )

    def mark_saved(self) -> None:
        self.save_label.setText("✓ Saved")
        self._style_save_label()
        self.banner.clear_message("notsaved")

    def _show_store_error(self, message: str) -> None:
        self.save_label.setText("⚠ Not saved")
        self._style_save_label()
        self.banner.show_message("notsaved", message, "error")
        self.last_error = message

    def _style_save_label(self) -> None:
        """Green "saved" / red "not saved" that stay legible (≥ 4.5:1) on the light and
        the dark status bar; re-applied when the theme changes."""
        dark = is_dark(self.palette())
        if self.save_label.text().startswith("⚠"):
            sheet = f"color: {'#f2b8b5' if dark else '#b3261e'}; font-weight: bold;"
        elif self.save_label.text():
            sheet = f"color: {'#81c995' if dark else '#1e7b34'};"
        else:
            return
        if sheet != self.save_label.styleSheet():  # re-polishing costs ~1 ms on every tag
            self.save_label.setStyleSheet(sheet)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._style_save_label()

    def reveal_annotation(self, annotation_id: str) -> None:
        annotations = self.session.annotations
        ann = annotations.get(annotation_id) if annotations else None
        if ann is not None:
            self.current_view().scroll_to_range(ann.start, ann.end)

    def delete_selected_annotation(self) -> None:
        if self.panel is not None:
            self.panel.delete_selected()

    def manage_labels(self) -> None:
        from imr_desktop.ui.label_manager import LabelManagerDialog  # a dialog: on use

        if self.labels is None:
            self._explain_no_tagging()
            return
        dialog = LabelManagerDialog(
            self.labels, self.session.undo_stack, self.session.annotations, self
        )
        dialog.exec()
        self._refresh_highlights()

    def copy_selection(self) -> None:
        text = self.current_view().selected_text()
        if text:
            QGuiApplication.clipboard().setText(text)

    def _fill_tag_menu(self, menu: QMenu) -> None:
        menu.clear()
        has_selection = self.current_view().selection() is not None
        for label in self.labels or []:
            key = f"\t{label.hotkey}" if label.hotkey else ""
            action = menu.addAction(f"{label.name}{key}")
            action.setEnabled(has_selection and not (self.store and self.store.read_only))
            action.triggered.connect(lambda _c=False, i=label.id: self.tag_selection(i))
        if menu.isEmpty():
            menu.addAction("No labels").setEnabled(False)

    def _context_menu(self, global_pos, ids: list[str]) -> None:  # type: ignore[no-untyped-def]
        menu = QMenu(self)
        if self.current_view().selection() is not None:
            tag = menu.addMenu("Tag Selection As")
            self._fill_tag_menu(tag)
            if self.actions_by_id["reattach_annotation"].isEnabled():  # an orphan is chosen
                menu.addAction(self.actions_by_id["reattach_annotation"])
            menu.addAction(self.actions_by_id["copy"])
        annotations = self.session.annotations
        for ann_id in ids:
            ann = annotations.get(ann_id) if annotations else None
            label = self.labels.get(ann.label_id) if ann and self.labels else None
            if ann is None or label is None:
                continue
            snippet = commands._short(ann.exact, 30)
            sub = menu.addMenu(f"{label.name}: “{snippet}”")
            relabel = sub.addMenu("Relabel")
            for other in self.labels or []:
                act = relabel.addAction(other.name)
                act.setEnabled(other.id != ann.label_id)
                act.triggered.connect(lambda _c=False, a=ann, o=other: self._relabel(a, o.id))
            sub.addAction("Edit Note…").triggered.connect(
                lambda _c=False, a=ann: self._edit_note(a)
            )
            sub.addAction("Delete").triggered.connect(lambda _c=False, a=ann: self._delete(a))
            sub.addAction("Show in Side Panel").triggered.connect(
                lambda _c=False, i=ann.id: self.panel.select_annotation(i) if self.panel else None
            )
        if menu.isEmpty():
            return
        menu.exec(global_pos)

    def _push(self, command: commands._Command) -> None:
        self.session.undo_stack.push(command)
        if command.error is not None:
            self._show_store_error(str(command.error))
        else:
            self.mark_saved()

    def _relabel(self, ann, label_id: str) -> None:  # type: ignore[no-untyped-def]
        annotations = self.session.annotations
        if annotations is not None:
            self._push(
                commands.UpdateAnnotation(
                    annotations, ann, ann.with_changes(label_id=label_id), "Relabel"
                )
            )

    def _edit_note(self, ann) -> None:  # type: ignore[no-untyped-def]
        annotations = self.session.annotations
        if annotations is None:
            return
        note, ok = QInputDialog.getMultiLineText(
            self, "Note", "Note for this annotation:", ann.note
        )
        if ok and note != ann.note:
            self._push(
                commands.UpdateAnnotation(
                    annotations, ann, ann.with_changes(note=note), "Edit note"
                )
            )

    def _delete(self, ann) -> None:  # type: ignore[no-untyped-def]
        if self.session.annotations is not None:
            self._push(commands.RemoveAnnotation(self.session.annotations, ann))

    # ================================================================== case & suggestions
    def _on_structure(self) -> None:
        info = self.session.info
        structure = self.session.structure
        reason = ""
        if info is not None and not self.session.text.strip():
            reason = "This document has no text layer, so its case details cannot be read."
        self.case_view.set_structure(structure, info.path.name if info else "", reason)
        self._current_suggestion = None
        self._update_suggestion_actions()

    def _reveal_span(self, start: int, end: int) -> None:
        self.current_view().scroll_to_range(start, end)

    def _show_tab(self, index: int) -> None:
        self.dock.show()
        self.tabs.setCurrentIndex(index)

    def _suggestions(self) -> list:  # type: ignore[type-arg]
        annotations = self.session.annotations
        return annotations.suggested() if annotations is not None else []

    def step_suggestion(self, step: int) -> None:
        pending = self._suggestions()
        if not pending:
            self.statusBar().showMessage("No suggestions left in this letter.", 4000)
            self._current_suggestion = None
            self._update_suggestion_actions()
            return
        ids = [a.id for a in pending]
        if self._current_suggestion in ids:
            index = (ids.index(self._current_suggestion) + step) % len(ids)
        else:
            # start from the first suggestion after (or before) the visible page
            index = 0 if step > 0 else len(ids) - 1
        self._focus_suggestion(pending[index].id)

    def _focus_suggestion(self, annotation_id: str) -> None:
        annotations = self.session.annotations
        ann = annotations.get(annotation_id) if annotations else None
        if ann is None:
            return
        self._current_suggestion = annotation_id
        self.current_view().scroll_to_range(ann.start, ann.end)
        if self.panel is not None:
            self.panel.select_annotation(annotation_id)
        label = self.labels.get(ann.label_id) if self.labels else None
        left = len(self._suggestions())
        self.statusBar().showMessage(
            f"Suggestion: {label.name if label else '?'} — “{commands._short(ann.exact, 50)}”. "
            f"Enter accepts, Delete rejects ({left} left)."
        )
        self._update_suggestion_actions()

    def _current(self):  # type: ignore[no-untyped-def]
        annotations = self.session.annotations
        if annotations is None or self._current_suggestion is None:
            return None
        ann = annotations.get(self._current_suggestion)
        return ann if ann is not None and ann.origin != "manual" else None

    def accept_suggestion(self) -> None:
        ann = self._current()
        if ann is None:
            self.statusBar().showMessage(
                "No suggestion chosen: press N to go to the next one.", 4000
            )
            return
        self._push(
            commands.AcceptSuggestion(self.session.annotations, ann, self.settings.annotator)
        )
        self._after_suggestion_edit()

    def reject_suggestion(self) -> None:
        ann = self._current()
        if ann is None:
            self.statusBar().showMessage(
                "No suggestion chosen: press N to go to the next one.", 4000
            )
            return
        self._push(commands.RemoveAnnotation(self.session.annotations, ann))
        self._after_suggestion_edit()

    def accept_all_of_current_label(self) -> None:
        ann = self._current()
        pending = self._suggestions()
        if ann is None and pending:
            ann = pending[0]
        if ann is None:
            self.statusBar().showMessage("No suggestions left in this letter.", 4000)
            return
        label = self.labels.get(ann.label_id) if self.labels else None
        same = [a for a in pending if a.label_id == ann.label_id]
        stack = self.session.undo_stack
        stack.beginMacro(f"Accept {len(same)} {label.name if label else ''} suggestions")
        for suggestion in same:
            command = commands.AcceptSuggestion(
                self.session.annotations, suggestion, self.settings.annotator
            )
            stack.push(command)
            if command.error is not None:
                self._show_store_error(str(command.error))
                break
        else:
            self.mark_saved()
        stack.endMacro()
        self._after_suggestion_edit()

    def _after_suggestion_edit(self) -> None:
        pending = self._suggestions()
        if pending:
            # move on to the next suggestion in reading order
            last = (
                self.session.annotations.get(self._current_suggestion)
                if self._current_suggestion
                else None
            )
            if last is None:
                nxt = pending[0]
                self._focus_suggestion(nxt.id)
                return
        self._current_suggestion = None
        if not pending:
            self.statusBar().showMessage("All suggestions in this letter are done.", 4000)
        self._update_suggestion_actions()

    def _update_suggestion_actions(self) -> None:
        a = self.actions_by_id
        has = bool(self._suggestions()) and self.store is not None and not self.store.read_only
        for key in ("next_suggestion", "prev_suggestion", "accept_all_label"):
            a[key].setEnabled(has)
        current = self._current() is not None
        a["accept_suggestion"].setEnabled(current)
        a["reject_suggestion"].setEnabled(current)

    # ================================================================== find
    def open_find(self) -> None:
        self.find_bar.open_bar(self.current_view().selected_text()[:80])

    def _find_step(self, forward: bool) -> None:
        if not self.find_bar.isVisible():
            self.open_find()
            return
        self.find_bar.next() if forward else self.find_bar.previous()

    def _on_hits(self, hits: list, current: int) -> None:
        view = self.current_view()
        view.set_search_hits(hits, current)
        if 0 <= current < len(hits):
            view.scroll_to_range(*hits[current], flash=False)

    # ================================================================== database
    def choose_database(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Open or create an annotation database",
            str(paths.data_dir()),
            "IMR Desktop databases (*.sqlite *.db);;All files (*)",
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        if path:
            self.open_database(path)

    def open_database(self, path: str | Path) -> bool:
        try:
            store = self.store_opener(path)
        except StoreError as exc:
            self.last_error = str(exc)
            if self.interactive:
                QMessageBox.warning(self, "Cannot open the database", str(exc))
            return False
        if self.store is not None:
            self.store.close()
        self.store = store
        self.session.store = store
        self.labels = LabelSet(store)
        self._install_store_widgets()
        self.library.set_store(store)
        self.banner.clear_message("db")
        if store.read_only:
            self.banner.show_message(
                "db",
                f"The database {store.path} is read-only: new annotations are not saved.",
                "warning",
            )
        if self.session.path is not None:
            self.open_file(self.session.path)
        self._update_enabled()
        self.storeChanged.emit()
        return True

    # ================================================================== status
    def focus_page_box(self) -> None:
        self.page_box.setFocus()
        self.page_box.selectAll()

    def _on_page_changed(self, page: int) -> None:
        n = self.pdf_view.page_count if self.stack.currentWidget() is self.pdf_view else 1
        self.page_box.blockSignals(True)
        self.page_box.setValue(page + 1)
        self.page_box.blockSignals(False)
        self.page_label.setText(f"Page {page + 1} / {n}" if n else "")

    def _update_zoom_label(self, *_args: object) -> None:
        self.zoom_label.setText(f"{round(self.current_view().zoom * 100)} %")

    def _update_enabled(self, *_args: object) -> None:
        a = self.actions_by_id
        stack = self.session.undo_stack
        a["undo"].setEnabled(stack.canUndo())
        a["redo"].setEnabled(stack.canRedo())
        a["undo"].setText(f"&Undo {stack.undoText()}" if stack.canUndo() else "&Undo")
        a["redo"].setText(f"&Redo {stack.redoText()}" if stack.canRedo() else "&Redo")
        # the toolbar keeps short names; the menu and tooltip say what will be undone
        a["undo"].setIconText("Undo")
        a["redo"].setIconText("Redo")
        for key in ("undo", "redo"):
            # the user's keys (Preferences can change them), not the defaults
            keys = " / ".join(shortcut_texts(a[key]))
            a[key].setToolTip(a[key].text().replace("&", "") + (f" ({keys})" if keys else ""))
        is_pdf = self.stack.currentWidget() is self.pdf_view
        for key in ("fit_width", "fit_page", "go_to_page", "prev_page", "next_page"):
            a[key].setEnabled(is_pdf)
        self.page_box.setEnabled(is_pdf)
        has_doc = self.stack.currentWidget() is not self.empty
        for key in ("zoom_in", "zoom_out", "find", "find_next", "find_prev"):
            a[key].setEnabled(has_doc)
        can_tag = (
            self.current_view().selection() is not None
            and self.store is not None
            and not self.store.read_only
            and self.session.annotations is not None
        )
        a["copy"].setEnabled(self.current_view().selection() is not None)
        if self.label_bar is not None:
            self.label_bar.set_tagging_enabled(can_tag)

    # ================================================================== window state
    def _qsettings(self) -> QSettings:
        return QSettings(str(paths.config_dir() / "window.ini"), QSettings.Format.IniFormat)

    def _restore_layout(self) -> None:
        qs = self._qsettings()
        geometry = qs.value("geometry")
        state = qs.value("state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 860)
        if isinstance(state, QByteArray):
            self.restoreState(state)
        else:
            self.resizeDocks([self.dock], [360], Qt.Orientation.Horizontal)

    def _save_settings(self) -> None:
        try:
            save_settings(self.settings)
        except OSError as exc:
            self.statusBar().showMessage(f"Preferences not saved: {exc}", 5000)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for path in self.settings.recent_files:
            action = self.recent_menu.addAction(path)
            action.setEnabled(Path(path).exists())
            action.triggered.connect(lambda _c=False, p=path: self.open_file(p))
        if self.recent_menu.isEmpty():
            self.recent_menu.addAction("No recent letters").setEnabled(False)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if not files:
            return
        event.acceptProposedAction()
        # a folder, or several files, go to the library; one file opens
        if len(files) > 1 or Path(files[0]).is_dir():
            self.library.import_paths(files)
        else:
            self.open_file(files[0])

    def closeEvent(self, event: QCloseEvent) -> None:
        # the stack outlives some widgets during teardown; nothing may react to it now
        self.session.undo_stack.blockSignals(True)
        qs = self._qsettings()
        qs.setValue("geometry", self.saveGeometry())
        qs.setValue("state", self.saveState())
        qs.sync()
        self._save_settings()
        self.library.shutdown()
        self.ocr.shutdown()  # OCR worker processes end with the window
        self.service.stop()
        if self.store is not None:
            self.store.close()
        super().closeEvent(event)
