"""The annotations of one open document, kept in memory and in the store at once.

``AnnotationSet`` is the single source of truth the UI adapts: every change goes to the
store first (committed), and only then to memory and to the listeners. If the store
refuses (read-only, disk full), memory is untouched and the error propagates, so the UI
never shows an edit as saved that is not on disk.
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
        self._items: dict[str, Annotation] = {a.id: a for a in store.annotations(document)}
        self._listeners: list[Listener] = []

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
        self.store.add_annotation(ann)
        self._items[ann.id] = ann
        self._emit(Change("added", ann))

    def remove(self, annotation_id: str) -> Annotation:
        ann = self._items[annotation_id]
        self.store.delete_annotation(annotation_id)
        del self._items[annotation_id]
        self._emit(Change("removed", ann))
        return ann

    def update(self, ann: Annotation) -> None:
        previous = self._items[ann.id]
        self.store.update_annotation(ann)
        self._items[ann.id] = ann
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
        """Re-read from the store (after label deletions touch many rows)."""
        self._items = {a.id: a for a in self.store.annotations(self.document)}
        self._emit(Change("reset"))
