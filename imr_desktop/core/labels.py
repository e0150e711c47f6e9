"""The label schema of a database, kept in memory and in the store at once."""

from __future__ import annotations

from collections.abc import Callable

from imr_desktop.core.model import Label, new_id
from imr_desktop.core.store import Store

PALETTE = (
    "#2f80ed",
    "#eb5757",
    "#f2a93b",
    "#27ae60",
    "#9b51e0",
    "#00a3a3",
    "#d94f9c",
    "#8d6e63",
    "#5c6bc0",
)


class LabelSet:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._labels: list[Label] = store.labels()
        self._listeners: list[Callable[[], None]] = []

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def reload(self) -> None:
        """Read the labels again from the store and tell the listeners."""
        self._changed()

    def _changed(self) -> None:
        self._labels = self.store.labels()
        for listener in list(self._listeners):
            listener()

    # ------------------------------------------------------------------ queries
    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._labels)

    def __len__(self) -> int:
        return len(self._labels)

    def get(self, label_id: str) -> Label | None:
        for label in self._labels:
            if label.id == label_id:
                return label
        return self.store.label(label_id)

    def by_hotkey(self, hotkey: int) -> Label | None:
        return next((lb for lb in self._labels if lb.hotkey == hotkey), None)

    def by_name(self, name: str) -> Label | None:
        key = name.strip().casefold()
        return next((lb for lb in self._labels if lb.name.casefold() == key), None)

    def free_hotkey(self) -> int | None:
        used = {lb.hotkey for lb in self._labels}
        return next((k for k in range(1, 10) if k not in used), None)

    def next_color(self) -> str:
        used = {lb.color.lower() for lb in self._labels}
        return next((c for c in PALETTE if c not in used), PALETTE[len(self._labels) % 9])

    def new(self, name: str) -> Label:
        """Build (not save) a label with a free colour and hotkey at the end of the list."""
        position = max((lb.position for lb in self._labels), default=-1) + 1
        return Label(new_id(), name.strip(), self.next_color(), self.free_hotkey(), "", position)

    def validate(self, label: Label) -> str | None:
        """A message when ``label`` clashes with another label, else None."""
        if not label.name.strip():
            return "A label needs a name."
        for other in self._labels:
            if other.id == label.id:
                continue
            if other.name.casefold() == label.name.strip().casefold():
                return f"There is already a label called “{other.name}”."
            if label.hotkey is not None and other.hotkey == label.hotkey:
                return f"Hotkey {label.hotkey} is already used by “{other.name}”."
        if label.hotkey is not None and not 1 <= label.hotkey <= 9:
            return "Hotkeys are the digits 1 to 9."
        return None

    # ------------------------------------------------------------------ edits
    def save(self, label: Label) -> None:
        problem = self.validate(label)
        if problem:
            raise ValueError(problem)
        self.store.save_label(label)
        self._changed()

    def reorder(self, ordered_ids: list[str]) -> None:
        by_id = {lb.id: lb for lb in self._labels}
        self.store.save_labels(
            [by_id[i].with_changes(position=p) for p, i in enumerate(ordered_ids)]
        )
        self._changed()

    def delete(self, label_id: str) -> list[str]:
        """Tombstone the label and its annotations; returns the annotation ids."""
        ids = self.store.delete_label(label_id)
        self._changed()
        return ids

    def restore(self, label_id: str, annotation_ids: list[str]) -> None:
        self.store.restore_label(label_id, annotation_ids)
        self._changed()
