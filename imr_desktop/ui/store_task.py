"""Run a function of a ``Store`` off the GUI thread, with its own connection.

SQLite connections must stay on the thread that opened them, so the task opens the
database by path in ``run`` and closes it there; the result (or the error text) comes
back through a queued signal, on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from imr_desktop.core.errors import StoreError
from imr_desktop.core.store import Store


class StoreTask(QThread):
    done = Signal(object)
    failed = Signal(str)
    progress = Signal(int, int, str)  # for functions that report it (the importer)

    def __init__(
        self, db_path: Path, work: Callable[[Store, StoreTask], Any], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.db_path = db_path
        self.work = work

    def run(self) -> None:
        try:
            store = Store.open(self.db_path)
        except StoreError as exc:
            self.failed.emit(str(exc))
            return
        try:
            result = self.work(store, self)
        except (StoreError, OSError) as exc:  # environment problems, shown as such
            self.failed.emit(str(exc))
        else:
            self.done.emit(result)
        finally:
            store.close()
