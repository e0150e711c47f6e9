"""Start the GUI: application object, database, main window, and ``--selftest``."""

from __future__ import annotations

import json
import os
import sys
import time
from argparse import Namespace
from pathlib import Path

from imr_desktop import APP_ID, APP_NAME, __version__, paths
from imr_desktop.core.errors import StoreError
from imr_desktop.core.settings import load_settings
from imr_desktop.core.store import Store

SELFTEST_TIMEOUT_MS = 60_000


def process_start_time() -> float:
    """Wall-clock time at which this process started (Linux: from /proc; else import time)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        start_ticks = int(fields[19])  # field 22 of stat: starttime in clock ticks
        with open("/proc/stat", encoding="ascii") as fh:
            btime = next(int(line.split()[1]) for line in fh if line.startswith("btime"))
        return btime + start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return _IMPORTED_AT


_IMPORTED_AT = time.time()


def open_store(db: str | None) -> tuple[Store | None, str | None]:
    path = Path(db) if db else paths.default_database()
    try:
        return Store.open(path), None
    except StoreError as exc:
        return (
            None,
            f"{exc} Annotations cannot be saved until another database is opened "
            "(File › Open Database…).",
        )


# Harmless notices of Qt's offscreen platform (used headless and in --selftest); anything
# else Qt says still reaches stderr.
_QUIET_QT_MESSAGES = ("This plugin does not support propagateSizeHints()",)


def _qt_message(mode, context, message: str) -> None:  # type: ignore[no-untyped-def]
    if message not in _QUIET_QT_MESSAGES:
        print(message, file=sys.stderr)


def run_gui(args: Namespace) -> int:
    started = process_start_time()
    from imr_desktop.core.untrusted.gate import shared_gate

    # The probe process that checks every PDF before it is opened (core/untrusted/gate.py)
    # boots while Qt loads, so the first letter does not wait for it; for a letter whose
    # verdict is cached it boots after the first paint, not competing with start-up.
    gate = shared_gate()
    target = Path(args.file) if args.file else paths.sample_letter()
    probe_later = gate.knows(target)
    if not probe_later:
        gate.start()
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    qInstallMessageHandler(_qt_message)

    from imr_desktop.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_ID)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_ID)

    if args.selftest and not target.exists():
        print(f"imr-desktop: file not found: {target}", file=sys.stderr)
        return 2
    store, problem = open_store(args.db)
    settings = load_settings()
    window = MainWindow(
        store=store, settings=settings, store_problem=problem, interactive=not args.selftest
    )
    window.show()
    if probe_later:
        window.documentReady.connect(gate.start)  # ready for the next file
    startup_ms = (time.time() - started) * 1000

    if args.selftest:
        return _selftest(app, window, target, started, startup_ms)
    window.open_file(target)
    return app.exec()


def _selftest(
    app,
    window,
    target: Path,
    started: float,  # type: ignore[no-untyped-def]
    startup_ms: float,
) -> int:
    """Open ``target``, wait for the first paint and the whole text, print timings, exit."""
    from PySide6.QtCore import QTimer

    result: dict[str, object] = {"startup_ms": round(startup_ms, 1)}
    status = {"code": 0, "painted": False, "text": False}

    def maybe_finish() -> None:
        if status["painted"] and status["text"]:
            layer = window.session.layer
            result.update(
                pages=layer.page_count if layer.has_geometry else 1,
                chars=len(layer),
                kind=window.session.info.kind,
                sha256=window.session.info.sha256,
            )
            print(json.dumps(result), flush=True)
            window.close()
            app.quit()

    def painted() -> None:
        if not status["painted"]:
            result["first_paint_ms"] = round((time.time() - started) * 1000, 1)
            status["painted"] = True
            maybe_finish()

    def text_done() -> None:
        status["text"] = True
        maybe_finish()

    def failed(error, _path: str) -> None:  # type: ignore[no-untyped-def]
        print(f"imr-desktop: {error}", file=sys.stderr, flush=True)
        status["code"] = 1
        window.close()
        app.quit()

    def timeout() -> None:
        print(
            f"imr-desktop: selftest timed out after {SELFTEST_TIMEOUT_MS // 1000} s",
            file=sys.stderr,
            flush=True,
        )
        status["code"] = 3
        window.close()
        app.quit()

    window.documentReady.connect(painted)
    window.session.textComplete.connect(text_done)
    window.session.failed.connect(failed)
    QTimer.singleShot(SELFTEST_TIMEOUT_MS, timeout)
    window.open_file(target)
    app.exec()
    return int(status["code"])
