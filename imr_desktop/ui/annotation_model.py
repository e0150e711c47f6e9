"""A Qt item model over an ``AnnotationSet`` grouped by the labels of a ``LabelSet``.

A thin adapter: it holds only ids in document order per label (an index for row
numbers), reads every value from the core on demand, and turns the core's change events
into begin/end row signals, so views keep selection and scroll position across edits.

Rows: first "Needs re-attaching", the orphans that re-anchoring could not place after
the letter's text changed (empty, so hidden by the proxy, unless there are some), then
one per label in label order, then one "Unknown label" group for annotations whose label
is gone (normally empty, hidden too). Children: annotations in document order (orphans in
their old order). One column: the name or snippet as DisplayRole, the rest (count, page,
note, origin, colour, orphan) as roles that ``AnnotationDelegate`` paints.
"""

from __future__ import annotations

import bisect
import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from imr_desktop.core.labels import LabelSet
from imr_desktop.core.model import ORIGIN_SUGGESTED, QUOTE_CONTEXT, Annotation, Label
from imr_desktop.core.session import AnnotationSet, Change
from imr_desktop.ui.subscriptions import Subscriptions
from imr_desktop.ui.swatches import UNKNOWN_COLOR, swatch_icon

AnyIndex = QModelIndex | QPersistentModelIndex

ANNOTATION_ID_ROLE = Qt.ItemDataRole.UserRole + 1  # str for annotations, None for groups
LABEL_ID_ROLE = Qt.ItemDataRole.UserRole + 2  # the group's label id ("" = unknown)
SEARCH_TEXT_ROLE = Qt.ItemDataRole.UserRole + 3  # casefolded quote + note, for filtering
COUNT_ROLE = Qt.ItemDataRole.UserRole + 4  # int, groups only
PLACE_ROLE = Qt.ItemDataRole.UserRole + 5  # "p. 3" (PDF) or "l. 12" (plain text)
NOTE_ROLE = Qt.ItemDataRole.UserRole + 6  # the note text, "" when none
SUGGESTED_ROLE = Qt.ItemDataRole.UserRole + 7  # True for machine-suggested annotations
COLOR_ROLE = Qt.ItemDataRole.UserRole + 8  # "#rrggbb" of the label
ORPHAN_ROLE = Qt.ItemDataRole.UserRole + 9  # True for the orphan group and its rows
CONTEXT_ROLE = Qt.ItemDataRole.UserRole + 10  # orphans: (prefix, exact, suffix) as stored

UNKNOWN_GROUP = ""  # key of the trailing group for annotations without a live label
ORPHAN_GROUP = "\x00orphans"  # key of the leading group of orphans (never a label id)
ORPHAN_GROUP_NAME = "Needs re-attaching"
ORPHAN_COLOR = "#c77700"  # the group's swatch: amber, "warning" in light and dark themes
SNIPPET_LIMIT = 240  # characters kept for display; the view elides to its width
_ROOT = QModelIndex()
_GROUP = 0  # internalId of group rows; children carry their group row + 1


def snippet(text: str, limit: int = SNIPPET_LIMIT) -> str:
    """Whitespace collapsed to single spaces, cut at ``limit`` with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _sort_key(ann: Annotation) -> tuple[int, int, str]:
    return ann.start, ann.end, ann.id


class AnnotationTreeModel(QAbstractItemModel):
    COLUMNS = 1

    def __init__(self, labels: LabelSet, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._labels = labels
        self._annotations: AnnotationSet | None = None
        self._page_of: Callable[[int], int] | None = None
        self._groups: list[str] = []  # ORPHAN_GROUP, label ids in order, UNKNOWN_GROUP
        self._ids: dict[str, list[str]] = {}  # group key -> annotation ids, document order
        self._group_of: dict[str, str] = {}  # annotation id -> group key
        self._subscriptions = Subscriptions(self)
        self._subscriptions.add("labels", labels.subscribe(self._on_labels_changed))
        self._rebuild()

    # ------------------------------------------------------------------ inputs
    @property
    def annotations(self) -> AnnotationSet | None:
        return self._annotations

    def set_annotations(
        self, annotations: AnnotationSet | None, page_of: Callable[[int], int] | None
    ) -> None:
        self._subscriptions.drop("annotations")
        self.beginResetModel()
        self._annotations = annotations
        self._page_of = page_of
        self._rebuild()
        self.endResetModel()
        if annotations is not None:
            self._subscriptions.add("annotations", annotations.subscribe(self._on_change))

    def _group_keys(self) -> list[str]:
        return [ORPHAN_GROUP, *(lb.id for lb in self._labels), UNKNOWN_GROUP]

    def _rebuild(self) -> None:
        self._groups = self._group_keys()
        self._ids = {key: [] for key in self._groups}
        self._group_of = {}
        annotations = self._annotations
        # both iterate in (old) document order
        for ann in [*annotations.orphans(), *annotations] if annotations else ():
            key = self._group_key(ann)
            self._ids[key].append(ann.id)
            self._group_of[ann.id] = key

    def _group_key(self, ann: Annotation) -> str:
        if ann.is_orphan:
            return ORPHAN_GROUP
        return ann.label_id if ann.label_id in self._ids else UNKNOWN_GROUP

    # ------------------------------------------------------------------ core events
    def _on_change(self, change: Change) -> None:
        ann = change.annotation
        if change.kind == "reset" or ann is None:
            self.beginResetModel()
            self._rebuild()
            self.endResetModel()
        elif change.kind == "added":
            self._insert(ann)
        elif change.kind == "removed":
            self._remove(ann.id)
        elif change.kind == "updated":
            self._update(ann)

    def _insert(self, ann: Annotation) -> None:
        key = self._group_key(ann)
        row = self._insertion_row(key, ann)
        parent = self._group_index(key)
        self.beginInsertRows(parent, row, row)
        self._ids[key].insert(row, ann.id)
        self._group_of[ann.id] = key
        self.endInsertRows()
        self._group_changed(key)

    def _remove(self, annotation_id: str) -> None:
        key = self._group_of.get(annotation_id)
        if key is None:
            return
        row = self._ids[key].index(annotation_id)
        self.beginRemoveRows(self._group_index(key), row, row)
        del self._ids[key][row]
        del self._group_of[annotation_id]
        self.endRemoveRows()
        self._group_changed(key)

    def _update(self, ann: Annotation) -> None:
        old_key = self._group_of.get(ann.id)
        if old_key is None:
            self._insert(ann)
            return
        old_row = self._ids[old_key].index(ann.id)
        new_key = self._group_key(ann)
        ids = self._ids[new_key]
        # where it goes once taken out of its old place
        rest = [i for i in ids if i != ann.id]
        new_row = bisect.bisect_left(rest, _sort_key(ann), key=self._key_of)
        if old_key == new_key and new_row == old_row:
            first = self.index(old_row, 0, self._group_index(old_key))
            self.dataChanged.emit(first, first.siblingAtColumn(self.COLUMNS - 1))
            return
        # a move keeps the row's selection and persistent indexes (relabel from the panel)
        destination = new_row + 1 if old_key == new_key and new_row > old_row else new_row
        src_parent, dst_parent = self._group_index(old_key), self._group_index(new_key)
        if not self.beginMoveRows(src_parent, old_row, old_row, dst_parent, destination):
            self.beginResetModel()  # Qt refused the move: never leave views out of step
            self._rebuild()
            self.endResetModel()
            return
        del self._ids[old_key][old_row]
        self._ids[new_key].insert(new_row, ann.id)
        self._group_of[ann.id] = new_key
        self.endMoveRows()
        moved = self.index(new_row, 0, self._group_index(new_key))
        self.dataChanged.emit(moved, moved.siblingAtColumn(self.COLUMNS - 1))
        self._group_changed(old_key)
        if new_key != old_key:
            self._group_changed(new_key)

    def _insertion_row(self, key: str, ann: Annotation) -> int:
        return bisect.bisect_left(self._ids[key], _sort_key(ann), key=self._key_of)

    def _key_of(self, annotation_id: str) -> tuple[int, int, str]:
        ann = self._annotations.find(annotation_id) if self._annotations else None
        return _sort_key(ann) if ann else (0, 0, annotation_id)

    def _on_labels_changed(self) -> None:
        new_groups = self._group_keys()
        if new_groups == self._groups:
            # rename, recolour, new hotkey or description: same rows, new values
            last = len(self._groups) - 1
            self.dataChanged.emit(self.index(0, 0), self.index(last, self.COLUMNS - 1))
            return
        # added, deleted or reordered labels are rare and move whole groups: reset
        self.beginResetModel()
        self._rebuild()
        self.endResetModel()

    def _group_changed(self, key: str) -> None:
        index = self._group_index(key)
        self.dataChanged.emit(index, index.siblingAtColumn(self.COLUMNS - 1))

    # ------------------------------------------------------------------ lookups
    def _group_index(self, key: str, column: int = 0) -> QModelIndex:
        return self.index(self._groups.index(key), column)

    def index_of(self, annotation_id: str) -> QModelIndex:
        key = self._group_of.get(annotation_id)
        if key is None:
            return QModelIndex()
        return self.index(self._ids[key].index(annotation_id), 0, self._group_index(key))

    def group_index_of(self, label_id: str) -> QModelIndex:
        """The group of a label (``ORPHAN_GROUP``: the orphans)."""
        key = label_id if label_id in self._ids else UNKNOWN_GROUP
        return self._group_index(key)

    def annotation_at(self, index: AnyIndex) -> Annotation | None:
        annotation_id = index.data(ANNOTATION_ID_ROLE) if index.isValid() else None
        if annotation_id is None or self._annotations is None:
            return None
        return self._annotations.find(annotation_id)

    # ------------------------------------------------------------------ QAbstractItemModel
    def index(self, row: int, column: int, parent: AnyIndex = _ROOT) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, _GROUP)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: AnyIndex | None = None) -> Any:  # type: ignore[override]
        if index is None:  # QObject.parent(), which this overload would otherwise hide
            return super().parent()
        if not index.isValid() or index.internalId() == _GROUP:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, _GROUP)

    def rowCount(self, parent: AnyIndex = _ROOT) -> int:
        if not parent.isValid():
            return len(self._groups)
        if parent.internalId() == _GROUP and parent.column() == 0:
            return len(self._ids[self._groups[parent.row()]])
        return 0

    def columnCount(self, parent: AnyIndex = _ROOT) -> int:
        return self.COLUMNS

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if index.internalId() == _GROUP:
            return self._group_data(self._groups[index.row()], index.column(), role)
        key = self._groups[index.internalId() - 1]
        ann = self._annotations.find(self._ids[key][index.row()]) if self._annotations else None
        if ann is None:
            return None
        return self._annotation_data(ann, index.column(), role)

    def _group_data(self, key: str, column: int, role: int) -> Any:
        if key == ORPHAN_GROUP:
            return self._orphan_group_data(role)
        label = self._labels.get(key) if key else None
        name = label.name if label else "Unknown label"
        count = len(self._ids[key])
        match role:
            case Qt.ItemDataRole.DisplayRole:
                return name
            case Qt.ItemDataRole.DecorationRole:
                return swatch_icon(self._group_color(label))
            case Qt.ItemDataRole.ToolTipRole:
                return label.description if label and label.description else None
            case Qt.ItemDataRole.AccessibleTextRole:
                return f"{name}, {count} annotation{'s' if count != 1 else ''}"
            case _ if role == LABEL_ID_ROLE:
                return key
            case _ if role == COUNT_ROLE:
                return count
            case _ if role == COLOR_ROLE:
                return self._group_color(label)
        return None

    def _orphan_group_data(self, role: int) -> Any:
        count = len(self._ids[ORPHAN_GROUP])
        match role:
            case Qt.ItemDataRole.DisplayRole:
                return ORPHAN_GROUP_NAME
            case Qt.ItemDataRole.DecorationRole:
                return swatch_icon(ORPHAN_COLOR)
            case Qt.ItemDataRole.ToolTipRole:
                return (
                    "The letter's text changed and these annotations could not be placed "
                    "with confidence, so they were not moved onto other text. Select the "
                    "passage in the letter where one belongs and re-attach it, or delete it."
                )
            case Qt.ItemDataRole.AccessibleTextRole:
                return f"{ORPHAN_GROUP_NAME}, {count} annotation{'s' if count != 1 else ''}"
            case _ if role == LABEL_ID_ROLE:
                return ORPHAN_GROUP
            case _ if role == COUNT_ROLE:
                return count
            case _ if role == COLOR_ROLE:
                return ORPHAN_COLOR
            case _ if role == ORPHAN_ROLE:
                return True
        return None

    @staticmethod
    def _group_color(label: Label | None) -> str:
        return label.color if label else UNKNOWN_COLOR

    def _annotation_data(self, ann: Annotation, column: int, role: int) -> Any:
        if ann.is_orphan:
            orphan = self._orphan_data(ann, role)
            if orphan is not None:
                return orphan
        suggested = ann.origin == ORIGIN_SUGGESTED
        match role:
            case Qt.ItemDataRole.DisplayRole:
                return snippet(ann.exact)
            case Qt.ItemDataRole.ToolTipRole:
                return self._tooltip(ann)
            case Qt.ItemDataRole.AccessibleTextRole:
                parts = [snippet(ann.exact, 120), self._place(ann, long=True)]
                if ann.note:
                    parts.append(f"note: {ann.note}")
                if suggested:
                    parts.append("suggested")
                return ", ".join(p for p in parts if p)
            case _ if role == ANNOTATION_ID_ROLE:
                return ann.id
            case _ if role == LABEL_ID_ROLE:
                return ann.label_id
            case _ if role == SEARCH_TEXT_ROLE:
                return f"{' '.join(ann.exact.split())}\n{ann.note}".casefold()
            case _ if role == PLACE_ROLE:
                return self._place(ann)
            case _ if role == NOTE_ROLE:
                return ann.note
            case _ if role == SUGGESTED_ROLE:
                return suggested
            case _ if role == COLOR_ROLE:
                return self._group_color(self._labels.get(ann.label_id))
        return None

    def _orphan_data(self, ann: Annotation, role: int) -> Any:
        """The roles an orphan answers differently; None: as any annotation."""
        match role:
            case Qt.ItemDataRole.ToolTipRole:
                return self._orphan_tooltip(ann)
            case Qt.ItemDataRole.AccessibleTextRole:
                label = self._labels.get(ann.label_id)
                parts = [
                    f"not placed: {snippet(ann.exact, 120)}",
                    label.name if label else "unknown label",
                    f"it was {self._old_place(ann, long=True)}",
                ]
                if ann.note:
                    parts.append(f"note: {ann.note}")
                return ", ".join(parts)
            case _ if role == PLACE_ROLE:
                return self._old_place(ann)
            case _ if role == ORPHAN_ROLE:
                return True
            case _ if role == CONTEXT_ROLE:
                return ann.prefix, ann.exact, ann.suffix
        return None

    def old_place(self, ann: Annotation) -> str:
        """Where an orphan used to be, in words ("about page 3")."""
        return self._old_place(ann, long=True)

    def _old_place(self, ann: Annotation, *, long: bool = False) -> str:
        # Its offsets point into the old text: only an approximation of where it was in
        # the new one (an extractor change shifts text a little), said as such.
        if self._annotations is None:
            return ""
        text_length = len(self._annotations.text)
        if text_length == 0:
            return ""
        place = self._place_at(min(ann.start, text_length - 1), long=long)
        return f"about {place}" if long else f"≈{place}"

    def _place(self, ann: Annotation, *, long: bool = False) -> str:
        return self._place_at(ann.start, long=long)

    def _place_at(self, offset: int, *, long: bool = False) -> str:
        """ "p. 3" for a PDF, "l. 12" (line) for plain text."""
        if self._page_of is not None:
            page = self._page_of(offset) + 1
            return f"page {page}" if long else f"p. {page}"
        if self._annotations is not None:
            line = self._annotations.text.count("\n", 0, offset) + 1
            return f"line {line}" if long else f"l. {line}"
        return ""

    def _tooltip(self, ann: Annotation) -> str:
        quote = html.escape(snippet(ann.exact, 600))
        label = self._labels.get(ann.label_id)
        lines = [f"<b>{html.escape(label.name if label else 'Unknown label')}</b>"]
        lines.append(f"<p>“{quote}”</p>")
        if ann.note:
            lines.append(f"<p><i>Note:</i> {html.escape(ann.note)}</p>".replace("\n", "<br>"))
        if ann.origin == ORIGIN_SUGGESTED:
            lines.append("<p><i>Suggested, not yet confirmed</i></p>")
        return "".join(lines)

    def _orphan_tooltip(self, ann: Annotation) -> str:
        label = self._labels.get(ann.label_id)
        name = html.escape(label.name if label else "Unknown label")
        lines = [f"<b>{name}: not placed</b>"]
        lines.append(f"<p>{context_html(ann.prefix, ann.exact, ann.suffix)}</p>")
        if ann.note:
            lines.append(f"<p><i>Note:</i> {html.escape(ann.note)}</p>".replace("\n", "<br>"))
        lines.append(
            f"<p>It was {html.escape(self._old_place(ann, long=True))} before the letter's "
            "text changed. Select the passage where it belongs, then Re-attach.</p>"
        )
        return "".join(lines)


def context_html(prefix: str, exact: str, suffix: str, limit: int = 600) -> str:
    """The quote in bold between its stored context, for tooltips and the orphan box. An
    ellipsis only where the context was cut (shorter context: the text's start or end)."""
    quote = html.escape(snippet(exact, limit))
    before = html.escape(" ".join(prefix.split()))
    after = html.escape(" ".join(suffix.split()))
    if before and len(prefix) >= QUOTE_CONTEXT:
        before = "…" + before
    if after and len(suffix) >= QUOTE_CONTEXT:
        after += "…"
    return " ".join(part for part in (before, f"<b>“{quote}”</b>", after) if part)


class AnnotationFilterProxy(QSortFilterProxyModel):
    """Filters by label and by text in the quote or the note.

    Groups are never accepted for themselves: with recursive filtering a group shows only
    while at least one of its annotations passes, so empty labels stay out of the way.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self._label_id: str | None = None
        self._text = ""

    def set_label_filter(self, label_id: str | None) -> None:
        if label_id != self._label_id:
            self.beginFilterChange()
            self._label_id = label_id
            self.endFilterChange()

    def set_text_filter(self, text: str) -> None:
        text = " ".join(text.split()).casefold()
        if text != self._text:
            self.beginFilterChange()
            self._text = text
            self.endFilterChange()

    @property
    def label_filter(self) -> str | None:
        return self._label_id

    @property
    def text_filter(self) -> str:
        return self._text

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        if not source_parent.isValid():
            return False  # a group: shown through its accepted children
        source = self.sourceModel().index(source_row, 0, source_parent)
        # the row's own label: an orphan of the filtered label shows in the orphan group
        if self._label_id is not None and source.data(LABEL_ID_ROLE) != self._label_id:
            return False
        if not self._text:
            return True
        return self._text in (source.data(SEARCH_TEXT_ROLE) or "")
