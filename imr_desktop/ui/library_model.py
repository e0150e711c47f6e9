"""The library table: a thin Qt adapter over ``LibraryQuery`` that fetches in blocks.

Rows come from ``LibraryQuery.page`` a block at a time, as the view asks for them, and
only a few blocks are kept: 100,000 letters never sit in memory. ``rowCount`` is the
query's ``count()`` (one indexed count), so the scroll bar is right from the start.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from imr_desktop.core.library.query import LibraryFilter, LibraryQuery, LibraryRow, Sort
from imr_desktop.core.store import Store

Index = QModelIndex | QPersistentModelIndex

# (header, sort column or None, row attribute)
COLUMNS: tuple[tuple[str, str | None, str], ...] = (
    ("Case", "case_number", "case_number"),
    ("Decided", "decision_date", "decision_date"),
    ("Specialty", "specialties", "specialties"),
    ("Items", "item_count", "item_count"),
    ("Outcome", "final_outcome", "final_outcome"),
    ("Status", "status", "status"),
    ("Notes", "annotation_count", "annotation_count"),
    ("Annotators", "annotators", "annotators"),
)
STATUS_TEXT = {"new": "New", "in_progress": "In progress", "done": "Done"}
# readable on light and dark backgrounds; "Upheld" means the denial stands
OUTCOME_COLORS = {
    "Upheld": QColor("#c0392b"),
    "Overturned": QColor("#1e8449"),
}
PARTIAL_COLOR = QColor("#b9770e")
SHA_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2


def outcome_color(outcome: str) -> QColor | None:
    if not outcome:
        return None
    return OUTCOME_COLORS.get(outcome, PARTIAL_COLOR)


class LibraryModel(QAbstractTableModel):
    BLOCK = 200  # rows per page() call: one screen is ~40, a fling a few hundred
    KEEP = 16  # blocks held at most (LRU)

    def __init__(self, store: Store, parent: Any = None) -> None:
        super().__init__(parent)
        self.store = store
        self.query = LibraryQuery(store)
        self._blocks: OrderedDict[int, list[LibraryRow]] = OrderedDict()
        self.fetches = 0  # page() calls made (tests check the paging)

    # ------------------------------------------------------------------ query
    def set_filter(self, flt: LibraryFilter) -> None:
        self._reset(LibraryQuery(self.store, flt, self.query.sort))

    def set_sort(self, sort: Sort) -> None:
        self._reset(LibraryQuery(self.store, self.query.filter, sort))

    def refresh(self) -> None:
        """Read again (after an import, a status change, new annotations)."""
        self._reset(LibraryQuery(self.store, self.query.filter, self.query.sort))

    def _reset(self, query: LibraryQuery) -> None:
        self.beginResetModel()
        self.query = query
        self._blocks.clear()
        self.endResetModel()

    def row(self, row: int) -> LibraryRow | None:
        if not 0 <= row < self.rowCount():
            return None
        block = row // self.BLOCK
        rows = self._blocks.get(block)
        if rows is None:
            rows = self.query.page(block * self.BLOCK, self.BLOCK)
            self.fetches += 1
            self._blocks[block] = rows
            while len(self._blocks) > self.KEEP:
                self._blocks.popitem(last=False)
        else:
            self._blocks.move_to_end(block)
        offset = row - block * self.BLOCK
        return rows[offset] if offset < len(rows) else None

    def cached_blocks(self) -> list[int]:
        return sorted(self._blocks)

    # ------------------------------------------------------------------ Qt model
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.query.count()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(COLUMNS):
            return COLUMNS[section][0]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.row(index.row())
        if r is None:
            return None
        attr = COLUMNS[index.column()][2]
        if role == Qt.ItemDataRole.DisplayRole:
            value = getattr(r, attr)
            if attr == "status":
                return STATUS_TEXT.get(value, value)
            if attr == "specialties":
                return value.replace("; ", ", ")
            return value
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(r)
        if role == Qt.ItemDataRole.ForegroundRole and attr == "final_outcome":
            return outcome_color(r.final_outcome)
        if role == Qt.ItemDataRole.TextAlignmentRole and attr in ("item_count", "annotation_count"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == SHA_ROLE:
            return r.sha256
        if role == ROW_ROLE:
            return r
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS) or COLUMNS[column][1] is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        sort = Sort(COLUMNS[column][1], descending)
        if sort != self.query.sort:
            self.layoutAboutToBeChanged.emit()
            self.query = LibraryQuery(self.store, self.query.filter, sort)
            self._blocks.clear()
            self.layoutChanged.emit()


def _tooltip(r: LibraryRow) -> str:
    from html import escape

    lines = [f"<b>{escape(r.case_number or r.name)}</b> — {escape(r.name)}"]
    if r.categories:
        lines.append(escape(r.categories))
    if r.snippet is not None:
        text, parts, pos = r.snippet.text, [], 0
        for s, e in r.snippet.local_hits():
            parts += [escape(text[pos:s]), f"<b><u>{escape(text[s:e])}</u></b>"]
            pos = e
        parts.append(escape(text[pos:]))
        dots = ("…" if r.snippet.more_before else "", "…" if r.snippet.more_after else "")
        lines.append(f"<i>{dots[0]}{''.join(parts)}{dots[1]}</i>")
    return "<br>".join(lines)
