"""The library dock: search box, a compact row of filters and the lazily-filled table.

It knows nothing of the main window: it emits ``openRequested(sha256, path)`` and the
window opens the letter. Moving through the list (next / previous / next unlabeled) is
keyset-based in ``LibraryQuery``, so it works from a letter that left the filter.
"""

from __future__ import annotations

from PySide6.QtCore import QDate, QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from imr_desktop.core.errors import StoreError
from imr_desktop.core.library import categories
from imr_desktop.core.library.query import STATUSES, LibraryFilter, facets
from imr_desktop.core.store import Store
from imr_desktop.ui.library_model import COLUMNS, SHA_ROLE, STATUS_TEXT, LibraryModel

ANY = "Any"


class LibraryView(QWidget):
    openRequested = Signal(str, str)  # sha256, path
    statusChanged = Signal(str, str)  # sha256, status
    message = Signal(str)  # for the status bar

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("libraryView")
        self.store = store
        self.model = LibraryModel(store, self)
        self.current_sha: str | None = None  # the letter open in the window
        self._build()
        self.reload_facets()
        self._update_count()

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        self.search = QLineEdit(self)
        self.search.setObjectName("librarySearch")
        self.search.setPlaceholderText('Search letters: words, "a phrase", -exclude')
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search the library")
        # typing restarts a short timer so each keystroke does not run a query
        self._search_timer = QTimer(self, singleShot=True, interval=250)
        self._search_timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self.apply_filter)
        layout.addWidget(self.search)

        row1, row2 = QHBoxLayout(), QHBoxLayout()
        self.outcome = self._combo("Outcome", row1)
        self.status = self._combo("Status", row1)
        self.label = self._combo("Label", row1)
        self.specialty = self._combo("Specialty", row2)
        self.category = self._combo("Treatment", row2)
        layout.addLayout(row1)
        layout.addLayout(row2)

        row3 = QHBoxLayout()
        self.use_dates = QCheckBox("Decided", self)
        self.use_dates.setToolTip("Only letters decided in this date range")
        self.date_from = QDateEdit(self, calendarPopup=True, displayFormat="yyyy-MM-dd")
        self.date_to = QDateEdit(self, calendarPopup=True, displayFormat="yyyy-MM-dd")
        self.date_from.setAccessibleName("Decided from")
        self.date_to.setAccessibleName("Decided to")
        self.use_dates.toggled.connect(self._dates_toggled)
        for w in (self.date_from, self.date_to):
            w.setEnabled(False)
            w.dateChanged.connect(lambda _d: self.apply_filter())
        self.clear_button = QToolButton(self, text="Clear filters")
        self.clear_button.clicked.connect(self.clear_filters)
        row3.addWidget(self.use_dates)
        row3.addWidget(self.date_from, 1)
        row3.addWidget(QLabel("–", self))
        row3.addWidget(self.date_to, 1)
        row3.addWidget(self.clear_button)
        layout.addLayout(row3)

        self.table = QTableView(self)
        self.table.setObjectName("libraryTable")
        self.table.setAccessibleName("Library")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        # fixed row height: the view then never measures rows it has not fetched
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(1, Qt.SortOrder.DescendingOrder)
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        for col, width in enumerate((104, 84, 120, 44, 86, 80, 48, 100)):
            header.resizeSection(col, width)
        header.sortIndicatorChanged.connect(self.model.sort)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.activated.connect(self._open_index)
        self.table.selectionModel().currentRowChanged.connect(self._show_snippet)
        layout.addWidget(self.table, 1)

        self.snippet = QLabel(self)
        self.snippet.setObjectName("librarySnippet")
        self.snippet.setWordWrap(True)
        self.snippet.setTextFormat(Qt.TextFormat.RichText)
        self.snippet.hide()
        layout.addWidget(self.snippet)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("libraryCount")
        layout.addWidget(self.count_label)

    def _combo(self, name: str, row: QHBoxLayout) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(f"filter{name}")
        combo.setAccessibleName(f"{name} filter")
        combo.setToolTip(f"{name} filter")
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(8)
        combo.currentIndexChanged.connect(lambda _i: self.apply_filter())
        row.addWidget(QLabel(name, self))
        row.addWidget(combo, 1)
        return combo

    @staticmethod
    def _fill(combo: QComboBox, values: list[tuple[str, str]]) -> None:
        """(text, value) entries after "Any"; keeps the chosen value when still there."""
        kept = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(ANY, None)
        for text, value in values:
            combo.addItem(text, value)
        found = combo.findData(kept) if kept is not None else 0
        combo.setCurrentIndex(max(found, 0))
        combo.blockSignals(False)

    def reload_facets(self) -> None:
        """Fill the filter menus with the values the library has (with counts)."""
        f = facets(self.store)
        self._fill(
            self.outcome,
            [(f"{k or 'Not found'} ({n})", k) for k, n in f.outcomes.items()],
        )
        self._fill(
            self.status,
            [(f"{STATUS_TEXT[s]} ({f.statuses.get(s, 0)})", s) for s in STATUSES],
        )
        self._fill(self.specialty, [(f"{k} ({n})", k) for k, n in f.specialties.items()])
        self._fill(
            self.category,
            [(f"{categories.label(k)} ({n})", k) for k, n in f.categories.items()],
        )
        names = {label.id: label.name for label in self.store.labels()}
        self._fill(
            self.label,
            [(f"{names.get(k, k)} ({n})", k) for k, n in f.labels.items() if k in names],
        )
        if f.decision_dates and not self.use_dates.isChecked():
            for edit, iso in zip((self.date_from, self.date_to), f.decision_dates, strict=True):
                edit.blockSignals(True)
                edit.setDate(QDate.fromString(iso[:10], "yyyy-MM-dd"))
                edit.blockSignals(False)

    # ------------------------------------------------------------------ filtering
    def current_filter(self) -> LibraryFilter:
        def one(combo: QComboBox) -> tuple[str, ...]:
            value = combo.currentData()
            return () if value is None else (value,)

        dated = self.use_dates.isChecked()
        return LibraryFilter(
            search=self.search.text().strip(),
            outcomes=one(self.outcome),
            statuses=one(self.status),
            specialties=one(self.specialty),
            categories=one(self.category),
            labels=one(self.label),
            decided_from=self.date_from.date().toString("yyyy-MM-dd") if dated else None,
            decided_to=self.date_to.date().toString("yyyy-MM-dd") if dated else None,
        )

    def apply_filter(self) -> None:
        self._search_timer.stop()
        flt = self.current_filter()
        if flt != self.model.query.filter:
            self.model.set_filter(flt)
            self._reselect()
        self._update_count()

    def clear_filters(self) -> None:
        for combo in (self.outcome, self.status, self.specialty, self.category, self.label):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.use_dates.blockSignals(True)
        self.use_dates.setChecked(False)
        self.use_dates.blockSignals(False)
        self._dates_toggled(False, apply=False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.apply_filter()

    def _dates_toggled(self, on: bool, apply: bool = True) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        if apply:
            self.apply_filter()

    def refresh(self) -> None:
        """Read the library again, keeping filters and the selected letter."""
        self.reload_facets()
        self.model.refresh()
        self._reselect()
        self._update_count()

    def _update_count(self) -> None:
        n, total = self.model.rowCount(), self._total()
        self.count_label.setText(
            f"{n:,} letters" if n == total else f"{n:,} of {total:,} letters match"
        )

    def _total(self) -> int:
        return self.store.db.execute("SELECT count(*) FROM catalog").fetchone()[0]

    # ------------------------------------------------------------------ selection
    def select_sha(self, sha256: str | None) -> bool:
        row = self.model.query.row_of(sha256) if sha256 else None
        if row is None:
            self.table.clearSelection()
            return False
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index,
            self.table.selectionModel().SelectionFlag.ClearAndSelect
            | self.table.selectionModel().SelectionFlag.Rows,
        )
        self.table.scrollTo(index)
        return True

    def _reselect(self) -> None:
        self.select_sha(self.current_sha)

    def selected_sha(self) -> str | None:
        index = self.table.currentIndex()
        return index.data(SHA_ROLE) if index.isValid() else None

    def _show_snippet(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.model.row(current.row()) if current.isValid() else None
        if row is None or row.snippet is None:
            self.snippet.hide()
            return
        from imr_desktop.ui.library_model import _tooltip

        self.snippet.setText(_tooltip(row).split("<br>")[-1])
        self.snippet.show()

    # ------------------------------------------------------------------ opening, moving
    def _open_index(self, index: QModelIndex) -> None:
        row = self.model.row(index.row())
        if row is not None:
            self.open_sha(row.sha256, row.path)

    def open_sha(self, sha256: str, path: str | None = None) -> None:
        if path is None:
            found = self.store.db.execute(
                "SELECT path FROM catalog WHERE sha256 = ?", [sha256]
            ).fetchone()
            if found is None:
                return
            path = found[0]
        self.current_sha = sha256
        self.select_sha(sha256)
        self.openRequested.emit(sha256, path)

    def step(self, step: int, *, unlabeled: bool = False) -> str | None:
        """Open the next/previous (unlabeled) letter of the list; None at its end."""
        q = self.model.query
        here = self.current_sha or self.selected_sha()
        if unlabeled:
            found = q.next_unlabeled(here)
        elif here is None:
            found = q.first()
        else:
            found = q.neighbour(here, step)
        if found is None:
            self.message.emit(
                "No unlabeled letter left in this list."
                if unlabeled
                else "This is the " + ("last" if step > 0 else "first") + " letter of the list."
            )
            return None
        self.open_sha(found)
        return found

    # ------------------------------------------------------------------ status
    def set_status(self, sha256: str, status: str) -> bool:
        try:
            self.store.set_document_status(sha256, status)
        except StoreError as exc:
            self.message.emit(str(exc))
            return False
        self.model.query.refresh()
        # the row's text changes (and it may leave a status filter)
        self.refresh()
        self.statusChanged.emit(sha256, status)
        return True

    def _context_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        row = self.model.row(index.row()) if index.isValid() else None
        if row is None:
            return
        menu = QMenu(self)
        menu.addAction("Open").triggered.connect(lambda: self.open_sha(row.sha256, row.path))
        status_menu = menu.addMenu("Status")
        for status in STATUSES:
            act = status_menu.addAction(STATUS_TEXT[status])
            act.setCheckable(True)
            act.setChecked(row.status == status)
            act.triggered.connect(lambda _c=False, s=status: self.set_status(row.sha256, s))
        menu.exec(self.table.viewport().mapToGlobal(pos))


__all__ = ["COLUMNS", "LibraryView"]
