"""Shared by the untrusted-file tests and the fuzz benchmark: open a file in the real
window and record how it was decided; guard against anything being launched."""

from __future__ import annotations

import os
import subprocess
import time
import webbrowser
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop
from PySide6.QtGui import QDesktopServices

DECIDE_LIMIT_S = 10.0  # target: every file opened or refused within 10 s


@dataclass
class Decision:
    verdict: str  # "opened" | "refused" | "hang"
    seconds: float
    message: str = ""  # refusal message, or the banner text of an opened file


def clear_message(message: str, name: str) -> bool:
    """One readable sentence for a person: names the file, no traceback, not a dump."""
    return (
        bool(message)
        and name in message
        and "\n" not in message
        and "Traceback" not in message
        and len(message) <= 400
        and message.rstrip()[-1] in ".)"
    )


def decide(window, path: Path, *, limit_s: float = 30.0) -> Decision:  # type: ignore[no-untyped-def]
    """Open ``path`` in ``window`` and wait until it is opened (and its text read) or
    refused. Uses the event loop directly, so it works with or without pytest-qt."""
    seen: dict[str, object] = {}
    session = window.session

    def opened(info) -> None:  # type: ignore[no-untyped-def]
        seen.setdefault("opened", info)

    def failed(error, _path: str) -> None:  # type: ignore[no-untyped-def]
        seen.setdefault("failed", str(error))

    session.opened.connect(opened)
    session.failed.connect(failed)
    started = time.monotonic()
    try:
        window.open_file(path)
        while not seen and time.monotonic() - started < limit_s:
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        decided = time.monotonic() - started
        if not seen:
            return Decision("hang", decided)
        if "failed" in seen:
            return Decision("refused", decided, str(seen["failed"]))
        end = time.monotonic() + 120
        while not session.text_complete and time.monotonic() < end:
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        if not session.text_complete:
            return Decision("hang", decided, "text never completed")
        return Decision("opened", decided)
    finally:
        session.opened.disconnect(opened)
        session.failed.disconnect(failed)


class LaunchRecorder:
    """Replaces every way the app could hand something to the OS; records calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple]] = []

    def _record(self, name: str):  # type: ignore[no-untyped-def]
        def call(*args, **kwargs):  # type: ignore[no-untyped-def]
            self.calls.append((name, args))
            return False

        return call

    def install(self, monkeypatch) -> LaunchRecorder:  # type: ignore[no-untyped-def]
        monkeypatch.setattr(QDesktopServices, "openUrl", self._record("openUrl"))
        monkeypatch.setattr(subprocess, "Popen", self._record("Popen"))
        monkeypatch.setattr(os, "system", self._record("system"))
        monkeypatch.setattr(os, "execv", self._record("execv"))
        monkeypatch.setattr(webbrowser, "open", self._record("webbrowser"))
        return self
