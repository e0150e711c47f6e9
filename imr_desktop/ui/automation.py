"""``imr-desktop --automation FILE --db DB``: the real window, driven line by line from
stdin, for tests that must go through the app's own code path (the kill test).

Each command is one JSON object on one line; each gets one answer line, in order:

    {"op": "tag", "start": 120, "end": 164, "hotkey": 2}
        select [start, end) in the letter's view and press the label's digit
        (``view.set_selection`` + ``MainWindow.tag_with_hotkey``, as a user does)
    {"op": "delete", "id": "…"}   select the annotation in the side panel, Edit › Delete
    {"op": "undo"} / {"op": "redo"}  Edit › Undo / Redo
    {"op": "status"}              -> status {"selection": …, "saved": …, "error": …, …}
    {"op": "quit"}                (end of input quits too)

    ready {"sha256": …, "chars": …, "kind": …}   the letter is open and its text read
    ack <annotation id> added|removed            printed only after its COMMIT returned
    fail <message>                               nothing was saved ("⚠ Not saved")

"ack" is printed from the annotation set's change events, which fire only after the
store's transaction has committed (``core/session.py``), so an acknowledged edit is on
disk. Every line is flushed at once.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication

from imr_desktop.core.session import Change
from imr_desktop.ui.main_window import MainWindow

BANNERS = ("db", "notsaved", "storage", "backup", "recovered", "restore")


class Automation(QObject):
    _line = Signal(str)

    def __init__(
        self,
        app: QApplication,
        window: MainWindow,
        *,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
    ) -> None:
        super().__init__(window)
        self.app = app
        self.window = window
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.exit_code = 0
        self._reading = False
        self._line.connect(self._handle)
        window.session.textComplete.connect(self._ready)
        window.session.failed.connect(self._failed)

    def start(self, target: Path) -> None:
        self.window.open_file(target)

    # ------------------------------------------------------------------ output
    def _say(self, line: str) -> None:
        self.stdout.write(line + "\n")
        self.stdout.flush()

    def _ready(self) -> None:
        info = self.window.session.info
        assert info is not None
        self._say(
            "ready "
            + json.dumps(
                {"sha256": info.sha256, "chars": len(self.window.session.text), "kind": info.kind}
            )
        )
        if not self._reading:  # commands are read once the first letter is ready
            self._reading = True
            threading.Thread(target=self._read, name="automation-stdin", daemon=True).start()

    def _failed(self, error: object, path: str) -> None:
        self._say(f"fail cannot open {path}: {error}")
        self.exit_code = 1
        self._quit()

    def _read(self) -> None:
        # a thread, since Qt cannot watch stdin portably; lines reach the GUI thread
        # through a queued signal, in order
        for line in self.stdin:
            if line.strip():
                self._line.emit(line)
        self._line.emit("")  # end of input

    # ------------------------------------------------------------------ commands
    def _handle(self, line: str) -> None:
        if not line:
            self._quit()
            return
        try:
            command = json.loads(line)
            op = command["op"]
            handler = getattr(self, f"_op_{op}")
        except (ValueError, KeyError, TypeError, AttributeError):
            self._say(f"fail bad command: {line.strip()}")
            return
        handler(command)

    def _watch(self, action: Callable[[], None]) -> list[Change]:
        """Run a user action; return the committed changes it made (events fire after
        COMMIT, never for an edit the store refused)."""
        annotations = self.window.session.annotations
        changes: list[Change] = []
        unsubscribe = annotations.subscribe(changes.append) if annotations is not None else None
        try:
            action()
        finally:
            if unsubscribe is not None:
                unsubscribe()
        return changes

    def _report(self, changes: list[Change], fallback: str) -> None:
        edits = [c for c in changes if c.kind in ("added", "removed") and c.annotation]
        if not edits:
            said = self.window.statusBar().currentMessage()
            self._say(f"fail {self.window.last_error or said or fallback}")
            return
        for change in edits:
            assert change.annotation is not None
            self._say(f"ack {change.annotation.id} {change.kind}")

    def _op_tag(self, command: dict) -> None:
        window = self.window
        view = window.current_view()
        view.set_selection(int(command["start"]), int(command["end"]))
        if view.selection() is None:
            self._say("fail nothing selected")
            return
        window.last_error = None
        changes = self._watch(lambda: window.tag_with_hotkey(int(command.get("hotkey", 1))))
        self._report(changes, "not tagged")

    def _op_delete(self, command: dict) -> None:
        window = self.window
        if window.panel is None or not window.panel.select_annotation(str(command["id"])):
            self._say(f"fail no annotation {command['id']}")
            return
        window.last_error = None
        self._report(self._watch(window.delete_selected_annotation), "not deleted")

    def _op_undo(self, _command: dict) -> None:
        self.window.last_error = None
        self._report(self._watch(self.window.actions_by_id["undo"].trigger), "nothing to undo")

    def _op_redo(self, _command: dict) -> None:
        self.window.last_error = None
        self._report(self._watch(self.window.actions_by_id["redo"].trigger), "nothing to redo")

    def _op_status(self, _command: dict) -> None:
        window = self.window
        store = window.store
        annotations = window.session.annotations
        self._say(
            "status "
            + json.dumps(
                {
                    "selection": window.current_view().selection(),
                    "saved": window.save_label.text(),
                    "error": window.last_error,
                    "annotations": len(annotations) if annotations is not None else None,
                    "document": str(window.session.path) if window.session.path else None,
                    "read_only": store.read_only if store else None,
                    "banners": {
                        key: window.banner.message_text(key)
                        for key in BANNERS
                        if window.banner.has_message(key)
                    },
                }
            )
        )

    def _op_quit(self, _command: dict) -> None:
        self._quit()

    def _quit(self) -> None:
        self.window.close()
        self.app.quit()


def run_automation(app: QApplication, window: MainWindow, target: Path) -> int:
    automation = Automation(app, window)
    automation.start(target)
    app.exec()
    return automation.exit_code
