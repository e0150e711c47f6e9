"""The annotations of one open document, kept in memory and in the store at once.

``AnnotationSet`` is the single source of truth the UI adapts: every change goes to the
store first (committed), and only then to memory and to the listeners. If the store
refuses (read-only, disk full), memory is untouched and the error propagates, so the UI
never shows an edit as saved that is not on disk.

Orphans (annotations re-anchoring could not place after the text changed) are kept
apart: iterating, ``get``, ``at`` and ``len`` see only placed annotations, so nothing
draws or scrolls to an orphan's stale offsets; ``orphans()`` and ``find`` see them, for
the side panel where the user re-attaches or deletes them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from imr_desktop.core.model import ORIGIN_MANUAL, Annotation, Label
from imr_desktop.core.store import Store


@dataclass(frozen=True, slots=True)
class Change:
    kind: str  # "added" | "removed" | "updated" | "reset"
    annotation: Annotation | None = None
    previous: Annotation | None = None


Listener = Callable[[Change], None]


class AnnotationSet:
    def __init__(self, store: Store, document: str, text: str, annotator: str) -> None:
        self.store = store
        self.document = document
        self.text = text
        self.annotator = annotator
        self._items: dict[str, Annotation] = {}  # placed in ``text``
        self._orphans: dict[str, Annotation] = {}  # offsets into an older text
        self._load()
        self._listeners: list[Listener] = []

    def _load(self) -> None:
        self._items, self._orphans = {}, {}
        for ann in self.store.annotations(self.document, include_orphans=True):
            self._bucket(ann)[ann.id] = ann

    def _bucket(self, ann: Annotation) -> dict[str, Annotation]:
        return self._orphans if ann.is_orphan else self._items

    # ------------------------------------------------------------------ observing
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _emit(self, change: Change) -> None:
        for listener in list(self._listeners):
            listener(change)

    # ------------------------------------------------------------------ queries
    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(sorted(self._items.values(), key=lambda a: (a.start, a.end, a.id)))

    def __contains__(self, annotation_id: object) -> bool:
        return annotation_id in self._items

    def get(self, annotation_id: str) -> Annotation | None:
        return self._items.get(annotation_id)

    def manual(self) -> list[Annotation]:
        return [a for a in self if a.origin == ORIGIN_MANUAL]

    def at(self, offset: int) -> list[Annotation]:
        return [a for a in self if a.start <= offset < a.end]

    def orphans(self) -> list[Annotation]:
        """Annotations waiting for the user to re-attach them, in their old text order."""
        return sorted(self._orphans.values(), key=lambda a: (a.start, a.end, a.id))

    def find(self, annotation_id: str) -> Annotation | None:
        """A placed annotation or an orphan."""
        return self._items.get(annotation_id) or self._orphans.get(annotation_id)

    # ------------------------------------------------------------------ edits
    def new(self, start: int, end: int, label: Label, note: str = "") -> Annotation:
        """Build (not save) a manual annotation of [start, end) with this set's annotator."""
        return Annotation.create(
            document=self.document,
            text=self.text,
            start=start,
            end=end,
            label_id=label.id,
            annotator=self.annotator,
            note=note,
        )

    def add(self, ann: Annotation) -> None:
        """Add (or revive, for undo) ``ann``; an orphan comes back as an orphan."""
        self.store.add_annotation(ann)
        self._bucket(ann)[ann.id] = ann
        self._emit(Change("added", ann))

    def remove(self, annotation_id: str) -> Annotation:
        ann = self.find(annotation_id)
        if ann is None:
            raise KeyError(annotation_id)
        self.store.delete_annotation(annotation_id)
        del self._bucket(ann)[annotation_id]
        self._emit(Change("removed", ann))
        return ann

    def update(self, ann: Annotation) -> None:
        """Save ``ann`` as it is, its anchoring included (undo of a re-attach makes it an
        orphan again)."""
        previous = self.find(ann.id)
        if previous is None:
            raise KeyError(ann.id)
        self.store.update_annotation(ann)
        self._set(previous, ann)

    def reattach(self, annotation_id: str, start: int, end: int) -> Annotation:
        """Attach an orphan (or any annotation) to ``[start, end)`` of ``text``, the
        place the user chose; the store checks its saved text says the same there."""
        previous = self.find(annotation_id)
        if previous is None:
            raise KeyError(annotation_id)
        placed = self.store.reattach_annotation(
            annotation_id, start, end, exact=self.text[start:end]
        )
        self._set(previous, placed)
        return placed

    def _set(self, previous: Annotation, ann: Annotation) -> None:
        del self._bucket(previous)[previous.id]
        self._bucket(ann)[ann.id] = ann
        self._emit(Change("updated", ann, previous))

    def add_many(self, annotations: list[Annotation]) -> None:
        """Save several annotations in one transaction (suggestions), then one reset event."""
        if not annotations:
            return
        self.store.add_annotations(annotations)
        for ann in annotations:
            self._items[ann.id] = ann
        self._emit(Change("reset"))

    def suggested(self) -> list[Annotation]:
        return [a for a in self if a.origin != ORIGIN_MANUAL]

    def reload(self) -> None:
        """Re-read from the store (after label deletions or re-anchoring touch many rows)."""
        self._load()
        self._emit(Change("reset"))
