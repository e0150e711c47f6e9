"""Core listeners tied to the life of a Qt object.

``AnnotationSet`` and ``LabelSet`` keep their listeners (our bound methods) until told
otherwise; a widget Qt has deleted must not be called again, so its subscriptions end
when its ``destroyed`` signal fires.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject


class Subscriptions:
    def __init__(self, owner: QObject) -> None:
        self._unsubscribe: dict[str, Callable[[], None]] = {}
        # connected to this plain object, not the owner: it must run while Qt destroys it
        owner.destroyed.connect(self.clear)

    def add(self, key: str, unsubscribe: Callable[[], None]) -> None:
        """Keep ``unsubscribe`` under ``key``, ending the previous subscription there."""
        self.drop(key)
        self._unsubscribe[key] = unsubscribe

    def drop(self, key: str) -> None:
        unsubscribe = self._unsubscribe.pop(key, None)
        if unsubscribe is not None:
            unsubscribe()

    def clear(self) -> None:
        for key in list(self._unsubscribe):
            self.drop(key)
