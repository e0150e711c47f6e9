"""The side panel listing a document's annotations grouped by label.

It shows the core through ``AnnotationTreeModel`` and edits it only by pushing commands,
so undo/redo and the store's refusals behave the same as everywhere else in the app.

Orphans (annotations the letter's changed text no longer places) lead the list under
"Needs re-attaching". Selecting one shows its old quote and context in ``OrphanBox``
instead of scrolling; Re-attach to Selection attaches it to the text the window reports
selected (``set_document_selection``), Find Quote asks the window to search for it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeyEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QStackedWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from imr_desktop.core.labels import LabelSet
from imr_desktop.core.model import Annotation
from imr_desktop.core.session import AnnotationSet
from imr_desktop.ui.annotation_delegate import AnnotationDelegate
from imr_desktop.ui.annotation_model import (
    ANNOTATION_ID_ROLE,
    LABEL_ID_ROLE,
    ORPHAN_GROUP,
    ORPHAN_ROLE,
    AnnotationFilterProxy,
    AnnotationTreeModel,
)
from imr_desktop.ui.commands import ReattachAnnotation, RemoveAnnotation, UpdateAnnotation, _Command
from imr_desktop.ui.note_dialog import NoteDialog
from imr_desktop.ui.orphan_box import OrphanBox
from imr_desktop.ui.subscriptions import Subscriptions
from imr_desktop.ui.swatches import swatch_icon
from imr_desktop.ui.undoing import push

EMPTY_TEXT = "No annotations yet.\nSelect text and press 1–9 to tag it"
NO_DOCUMENT_TEXT = "Open a letter to see its annotations"
NO_MATCH_TEXT = "No annotation matches the filter"

# why Re-attach to Selection is disabled (its tooltip), and what it does when it is not
REATTACH_TIP = "Attach this annotation to the text selected in the letter"
REATTACH_NO_ORPHAN = "Choose an annotation under “Needs re-attaching” first"
REATTACH_NO_SELECTION = "Select the passage in the letter where this annotation belongs first"
REATTACH_READ_ONLY = "The database is read-only: nothing can be re-attached"


class AnnotationPanel(QWidget):
    activated = Signal(str)  # annotation id: the main window scrolls to it and flashes it
    storeError = Signal(str)  # the store refused an edit; nothing changed
    findQuoteRequested = Signal(str)  # an orphan's quote: the window searches the letter
    reattached = Signal(str)  # annotation id: attached to the letter's selection, saved

    def __init__(
        self, labels: LabelSet, undo_stack: QUndoStack, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName("Annotations")
        self._labels = labels
        self._stack = undo_stack
        self._collapsed: set[str] = set()  # label ids the user folded; kept across resets
        self._selected_before_reset: str | None = None
        self._selection: tuple[int, int] | None = None  # the letter's, for Re-attach
        self._writable = True

        self.model = AnnotationTreeModel(labels, self)
        self.proxy = AnnotationFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self._build_filters()
        self._build_tree()
        self._build_actions()
        self._build_layout()
        self._wire()

        self._subscriptions = Subscriptions(self)
        self._subscriptions.add("labels", labels.subscribe(self._on_labels_changed))
        self._on_labels_changed()
        self._update_placeholder()

    # ------------------------------------------------------------------ building
    def _build_filters(self) -> None:
        self.label_filter = QComboBox()
        self.label_filter.setAccessibleName("Filter by label")
        self.label_filter.setToolTip("Show the annotations of one label")
        self.label_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.text_filter = QLineEdit()
        self.text_filter.setAccessibleName("Filter annotations by text")
        self.text_filter.setPlaceholderText("Filter text or notes…")
        self.text_filter.setClearButtonEnabled(True)

    def _build_tree(self) -> None:
        tree = QTreeView()
        tree.setAccessibleName("Annotations by label")
        tree.setModel(self.proxy)
        tree.setHeaderHidden(True)
        tree.setItemDelegate(AnnotationDelegate(tree))
        tree.setIndentation(16)  # the label stripe shows the grouping; keep snippets wide
        tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        tree.setAllColumnsShowFocus(True)
        tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        tree.header().setStretchLastSection(True)
        self._laid_out_width = 0
        self.tree = tree

        self.placeholder = QLabel()
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setEnabled(False)  # drawn in the muted text colour
        self.placeholder.setMargin(16)
        self.stack = QStackedWidget()
        self.stack.addWidget(tree)
        self.stack.addWidget(self.placeholder)

    def _build_actions(self) -> None:
        self.relabel_menu = QMenu("&Relabel", self)
        self.relabel_group = QActionGroup(self)  # checked item = the current label
        self.edit_note_action = QAction("Edit &note…", self)
        self.delete_action = QAction("&Delete", self)
        self.delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        # the tree handles Delete itself (see eventFilter); the shortcut is shown in menus
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.reattach_action = QAction("Re-&attach to Selection", self)
        self.find_quote_action = QAction("&Find Quote in Letter", self)
        self.find_quote_action.setToolTip(
            "Search the letter for this quote (or its first words) to see where it went"
        )

    def _build_layout(self) -> None:
        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.addWidget(self.label_filter)
        filters.addWidget(self.text_filter, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(filters)
        layout.addWidget(self.stack, 1)
        self.orphan_box = OrphanBox(
            [
                (self.reattach_action, "Re-attach to selection"),
                (self.find_quote_action, "Find quote in the letter"),
                (self.delete_action, "Delete annotation"),
            ],
            self,
        )
        layout.addWidget(self.orphan_box)

    def _wire(self) -> None:
        """Every signal connection of the panel, in one place."""
        self.label_filter.currentIndexChanged.connect(self._on_label_filter)
        self.text_filter.textChanged.connect(self._on_text_filter)
        self.tree.clicked.connect(self._on_clicked)
        self.tree.customContextMenuRequested.connect(self._show_context_menu)
        self.tree.installEventFilter(self)
        self.tree.viewport().installEventFilter(self)
        self.tree.collapsed.connect(lambda index: self._remember_fold(index, True))
        self.tree.expanded.connect(lambda index: self._remember_fold(index, False))
        self.relabel_menu.aboutToShow.connect(self._sync_relabel_menu)
        self.relabel_group.triggered.connect(self._on_relabel_triggered)
        self.edit_note_action.triggered.connect(lambda: self.edit_note())
        self.delete_action.triggered.connect(lambda: self.delete_selected())
        self.reattach_action.triggered.connect(lambda: self.reattach_selected())
        self.find_quote_action.triggered.connect(lambda: self.find_quote())
        self.proxy.rowsInserted.connect(self._on_proxy_rows_inserted)
        self.proxy.modelAboutToBeReset.connect(self._before_proxy_reset)
        self.proxy.modelReset.connect(self._on_proxy_reset)
        self.proxy.layoutChanged.connect(self._expand_groups)
        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved, self.proxy.modelReset):
            signal.connect(self._update_placeholder)
        self.proxy.layoutChanged.connect(self._update_placeholder)
        self.tree.selectionModel().currentChanged.connect(self._update_actions)
        # a re-attach (or its undo) moves the current row between groups; an edit of the
        # note changes what the orphan box shows
        for signal in (self.proxy.rowsMoved, self.proxy.rowsRemoved, self.proxy.dataChanged):
            signal.connect(self._update_actions)
        self._update_actions()

    # ------------------------------------------------------------------ public API
    def set_annotations(
        self, annotations: AnnotationSet | None, page_of: Callable[[int], int] | None
    ) -> None:
        """Show ``annotations`` (None: no document). ``page_of`` maps an offset to a
        0-based page; None for plain text, which shows line numbers instead."""
        self.model.set_annotations(annotations, page_of)
        self._update_placeholder()

    def select_annotation(self, annotation_id: str | None) -> bool:
        """Select and reveal the row of ``annotation_id``; False when it is not listed
        (unknown, or hidden by the filters). Emits nothing."""
        if annotation_id is None:
            self.tree.clearSelection()
            return False
        index = self.proxy.mapFromSource(self.model.index_of(annotation_id))
        if not index.isValid():
            return False
        self.tree.expand(index.parent())
        self.tree.setCurrentIndex(index)
        self.tree.scrollTo(index)
        return True

    def selected_annotation(self) -> Annotation | None:
        return self.model.annotation_at(self.proxy.mapToSource(self.tree.currentIndex()))

    def selected_orphan(self) -> Annotation | None:
        ann = self.selected_annotation()
        return ann if ann is not None and ann.is_orphan else None

    def set_document_selection(self, span: tuple[int, int] | None, writable: bool) -> None:
        """The letter's selected text (offsets) and whether edits can be saved: what
        Re-attach to Selection needs. The window calls it whenever either changes."""
        self._selection, self._writable = span, writable
        self._update_actions()

    def reveal_orphans(self) -> bool:
        """Select the first orphan, unfolding and unfiltering what hid it; False if none."""
        annotations = self.model.annotations
        if annotations is None or not annotations.orphans():
            return False
        group = self.proxy.mapFromSource(self.model.group_index_of(ORPHAN_GROUP))
        if not group.isValid() or self.proxy.rowCount(group) == 0:
            self.text_filter.clear()
            self.label_filter.setCurrentIndex(0)
            group = self.proxy.mapFromSource(self.model.group_index_of(ORPHAN_GROUP))
        self._collapsed.discard(ORPHAN_GROUP)
        self.tree.expand(group)
        self.tree.setCurrentIndex(self.proxy.index(0, 0, group))
        self.tree.scrollTo(group, QAbstractItemView.ScrollHint.PositionAtTop)
        self.tree.setFocus()
        return True

    def reattach_selected(self) -> bool:
        """Attach the selected orphan to the letter's selection (one undo step)."""
        ann = self.selected_orphan()
        if ann is None or self._selection is None or not self._writable:
            return False
        start, end = self._selection
        if not self._push(ReattachAnnotation(self._set(), ann, start, end)):
            return False
        self.reattached.emit(ann.id)
        return True

    def find_quote(self) -> None:
        ann = self.selected_orphan()
        if ann is not None:
            self.findQuoteRequested.emit(ann.exact)

    def edit_note(self, annotation_id: str | None = None) -> NoteDialog | None:
        """Open the note dialog (window-modal, not blocking) for the annotation."""
        ann = self._annotation(annotation_id)
        if ann is None:
            return None
        label = self._labels.get(ann.label_id)
        dialog = NoteDialog(ann, label.name if label else "Unknown label", self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._save_note(dialog.annotation_id, dialog.note()))
        dialog.open()
        return dialog

    def relabel(self, label_id: str, annotation_id: str | None = None) -> None:
        ann = self._annotation(annotation_id)
        label = self._labels.get(label_id)
        if ann is None or label is None or ann.label_id == label_id:
            return
        after = ann.with_changes(label_id=label_id)
        self._push(UpdateAnnotation(self._set(), ann, after, f"Relabel as {label.name}"))

    def delete_selected(self) -> None:
        ann = self.selected_annotation()
        if ann is None:
            return
        # keep the keyboard user in the list: select the row that takes this one's place
        row = self.tree.currentIndex().row()
        parent = QPersistentModelIndex(self.tree.currentIndex().parent())
        if self._push(RemoveAnnotation(self._set(), ann)) and parent.isValid():
            count = self.proxy.rowCount(parent)
            if count:
                self.tree.setCurrentIndex(self.proxy.index(min(row, count - 1), 0, parent))

    # ------------------------------------------------------------------ editing helpers
    def _set(self) -> AnnotationSet:
        annotations = self.model.annotations
        assert annotations is not None, "edits need an open document"
        return annotations

    def _annotation(self, annotation_id: str | None) -> Annotation | None:
        if annotation_id is None:
            return self.selected_annotation()
        annotations = self.model.annotations
        return annotations.get(annotation_id) if annotations else None

    def _save_note(self, annotation_id: str, note: str) -> None:
        ann = self._annotation(annotation_id)  # as it is now: it may have changed meanwhile
        if ann is None or ann.note == note:
            return
        text = "Edit note" if note else "Remove note"
        self._push(UpdateAnnotation(self._set(), ann, ann.with_changes(note=note), text))

    def _push(self, command: _Command) -> bool:
        """Push an edit; on a store refusal report it and return False (nothing changed)."""
        error = push(self._stack, command)
        if error:
            self.storeError.emit(error)
            return False
        return True

    # ------------------------------------------------------------------ reactions
    def _on_clicked(self, index: QModelIndex) -> None:
        annotation_id = index.data(ANNOTATION_ID_ROLE)
        # an orphan has no place in this text to scroll to: the orphan box shows it
        if annotation_id and not index.data(ORPHAN_ROLE):
            self.activated.emit(annotation_id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.tree.viewport() and event.type() == QEvent.Type.Resize:
            # snippets wrap to the width: row heights change with it
            width = self.tree.viewport().width()
            if width != self._laid_out_width:
                self._laid_out_width = width
                self.tree.doItemsLayout()
        if watched is self.tree and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                annotation_id = self.tree.currentIndex().data(ANNOTATION_ID_ROLE)
                if annotation_id and self.tree.currentIndex().data(ORPHAN_ROLE):
                    self.find_quote()  # "go to it", as near as an orphan allows
                    return True
                if annotation_id:
                    self.activated.emit(annotation_id)
                    return True
            if event.matches(QKeySequence.StandardKey.Delete) and self.selected_annotation():
                self.delete_selected()
                return True
        return super().eventFilter(watched, event)

    def _show_context_menu(self, pos: QPoint) -> None:
        index = self.tree.indexAt(pos)
        if not index.data(ANNOTATION_ID_ROLE):
            # the Menu key reports a position that need not be on the current row
            index = self.tree.currentIndex()
            if not index.data(ANNOTATION_ID_ROLE):
                return
            pos = self.tree.visualRect(index).bottomLeft()
        self.tree.setCurrentIndex(index)
        self.context_menu().popup(self.tree.viewport().mapToGlobal(pos))

    def context_menu(self) -> QMenu:
        """The menu for the selected annotation (also reached with the Menu key)."""
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.setToolTipsVisible(True)  # says why Re-attach is disabled
        if self.selected_orphan() is not None:
            menu.addAction(self.reattach_action)
            menu.addAction(self.find_quote_action)
            menu.addSeparator()
        menu.addMenu(self.relabel_menu)
        menu.addAction(self.edit_note_action)
        menu.addSeparator()
        menu.addAction(self.delete_action)
        return menu

    def _sync_relabel_menu(self) -> None:
        ann = self.selected_annotation()
        for action in self.relabel_group.actions():
            action.setChecked(ann is not None and action.data() == ann.label_id)

    def _on_relabel_triggered(self, action: QAction) -> None:
        self.relabel(action.data())

    def _update_actions(self, *_args: object) -> None:
        ann = self.selected_annotation()
        has = ann is not None
        for action in (self.edit_note_action, self.delete_action):
            action.setEnabled(has)
        self.relabel_menu.setEnabled(has)
        orphan = ann if ann is not None and ann.is_orphan else None
        self.find_quote_action.setEnabled(orphan is not None)
        if orphan is None:
            why = REATTACH_NO_ORPHAN
        elif not self._writable:
            why = REATTACH_READ_ONLY
        elif self._selection is None:
            why = REATTACH_NO_SELECTION
        else:
            why = ""
        self.reattach_action.setEnabled(not why)
        self.reattach_action.setToolTip(why or REATTACH_TIP)
        self.reattach_action.setStatusTip(why or REATTACH_TIP)
        if orphan is None:
            self.orphan_box.hide()
            return
        label = self._labels.get(orphan.label_id)
        self.orphan_box.show_orphan(
            orphan,
            label.name if label else "Unknown label",
            label.color if label else "#9e9e9e",
            self.model.old_place(orphan),
        )

    def _on_labels_changed(self) -> None:
        """Rebuild the label filter and the relabel menu from the label schema."""
        current = self.proxy.label_filter
        combo = self.label_filter
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("All labels", None)
        for label in self._labels:
            combo.addItem(swatch_icon(label.color), label.name, label.id)
        found = combo.findData(current) if current is not None else 0
        combo.setCurrentIndex(max(found, 0))
        combo.blockSignals(False)
        if current is not None and found < 0:
            self.proxy.set_label_filter(None)  # the filtered label was deleted

        for action in self.relabel_group.actions():
            self.relabel_group.removeAction(action)
            self.relabel_menu.removeAction(action)
            action.deleteLater()
        for label in self._labels:
            prefix = f"&{label.hotkey} " if label.hotkey else ""
            action = QAction(swatch_icon(label.color), prefix + label.name, self.relabel_menu)
            action.setCheckable(True)
            action.setData(label.id)
            self.relabel_group.addAction(action)
            self.relabel_menu.addAction(action)

    def _on_label_filter(self, _row: int) -> None:
        self.proxy.set_label_filter(self.label_filter.currentData())
        self._expand_groups()
        self._update_placeholder()

    def _on_text_filter(self, text: str) -> None:
        self.proxy.set_text_filter(text)
        self._expand_groups()
        self._update_placeholder()

    def _remember_fold(self, index: QModelIndex, folded: bool) -> None:
        label_id = index.data(LABEL_ID_ROLE)
        if index.parent().isValid() or label_id is None:
            return
        (self._collapsed.add if folded else self._collapsed.discard)(label_id)

    def _on_proxy_rows_inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        if not parent.isValid():
            self._expand_groups()

    def _before_proxy_reset(self) -> None:
        ann = self.selected_annotation()
        self._selected_before_reset = ann.id if ann else None

    def _on_proxy_reset(self) -> None:
        """Label edits and label deletions reset the model: restore folds and selection."""
        self._expand_groups()
        if self._selected_before_reset:
            self.select_annotation(self._selected_before_reset)
        self._selected_before_reset = None
        self._update_actions()  # a reset clears the current row without signalling it

    def _expand_groups(self) -> None:
        """Groups open by default; the ones the user folded stay folded."""
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            folded = index.data(LABEL_ID_ROLE) in self._collapsed
            self.tree.blockSignals(True)  # not a user fold: do not remember it
            self.tree.setExpanded(index, not folded)
            self.tree.blockSignals(False)

    def _update_placeholder(self) -> None:
        annotations = self.model.annotations
        if annotations is None:
            text = NO_DOCUMENT_TEXT
        elif len(annotations) == 0 and not annotations.orphans():
            text = EMPTY_TEXT
        elif self.proxy.rowCount() == 0:
            text = NO_MATCH_TEXT
        else:
            text = ""
        self.placeholder.setText(text)
        self.stack.setCurrentWidget(self.placeholder if text else self.tree)
