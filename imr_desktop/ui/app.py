"""Start the GUI: application object, database, main window, and ``--selftest``."""

from __future__ import annotations

import json
import os
import sys
import time
from argparse import Namespace
from pathlib import Path

from imr_desktop import APP_ID, APP_NAME, DESKTOP_ID, __version__, paths
from imr_desktop.core.settings import load_settings

SELFTEST_TIMEOUT_MS = 60_000
PROBE_AFTER_PAINT_MS = 1000


def process_start_time() -> float:
    """Wall-clock time at which this process started (Linux: from /proc; else import time).

    The process's age comes from its start tick and the system uptime, both to 10 ms;
    ``btime`` in /proc/stat is whole seconds and would add up to a second of error."""
    try:
        with open("/proc/self/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        start_ticks = int(fields[19])  # field 22 of stat: starttime in clock ticks
        with open("/proc/uptime", encoding="ascii") as fh:
            uptime = float(fh.read().split()[0])
        age = uptime - start_ticks / os.sysconf("SC_CLK_TCK")
        return time.time() - max(age, 0.0)
    except (OSError, ValueError, IndexError):
        return _IMPORTED_AT


_IMPORTED_AT = time.time()


# Harmless notices of Qt's offscreen platform (used headless and in --selftest); anything
# else Qt says still reaches stderr.
_QUIET_QT_MESSAGES = (
    "This plugin does not support propagateSizeHints()",
    "This plugin does not support raise()",
)


def _qt_message(mode, context, message: str) -> None:  # type: ignore[no-untyped-def]
    if message not in _QUIET_QT_MESSAGES:
        print(message, file=sys.stderr)


def _apply_look(app, settings) -> None:  # type: ignore[no-untyped-def]
    """Theme, font and icon before the first window exists, so it never flashes light."""
    from imr_desktop.ui.icon import app_icon
    from imr_desktop.ui.theme import ThemeController

    app.setWindowIcon(app_icon())
    theme = ThemeController.for_app(app)
    theme.apply(settings.theme)
    if settings.font_size:
        theme.apply_font_size(settings.font_size)


# Qt-free modules the window needs, imported before PySide6: once PySide6 is loaded it
# reads the source of every module imported after it (its ``__feature__`` hook, looking
# for "PySide6"), about 0.3 ms a module: ~40 ms of start-up for these and their imports.
_BEFORE_QT = (
    "imr_desktop.core.store",
    "imr_desktop.core.labels",
    "imr_desktop.core.session",
    "imr_desktop.core.keymap",
    "imr_desktop.core.document",
    "imr_desktop.core.textlayer",
    "imr_desktop.core.case_summary",
    "imr_desktop.core.autobackup",
    "imr_desktop.core.storage_location",
    "imr_desktop.core.untrusted.links",
)


def _import_before_qt() -> None:
    import importlib

    for name in _BEFORE_QT:
        importlib.import_module(name)


def run_gui(args: Namespace) -> int:
    started = process_start_time()
    _import_before_qt()
    from imr_desktop.core.untrusted.gate import shared_gate

    # The probe process that checks every PDF before it is opened (core/untrusted/gate.py)
    # boots while Qt loads, so the first letter does not wait for it; for a letter whose
    # verdict is cached it boots after the first paint, not competing with start-up.
    gate = shared_gate()
    target = Path(args.file) if args.file else paths.sample_letter()
    probe_later = gate.knows(target)
    if not probe_later:
        gate.start()
    from PySide6.QtCore import QTimer, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    qInstallMessageHandler(_qt_message)

    from imr_desktop.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_ID)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_ID)
    # Wayland matches windows to their .desktop file (and so to its icon) by this name
    app.setDesktopFileName(DESKTOP_ID)

    if args.selftest and not target.exists():
        print(f"imr-desktop: file not found: {target}", file=sys.stderr)
        return 2
    settings = load_settings()
    _apply_look(app, settings)  # before any dialog, so the start-up questions are themed too
    automation = getattr(args, "automation", False)
    interactive = not (args.selftest or automation)
    # one writer per database, damaged database replaced by a backup: ui/startup.py
    from imr_desktop.ui import durability, startup

    start = startup.open_database(args.db, args.file, settings, interactive=interactive)
    if start.exit_code is not None:
        return start.exit_code
    window = MainWindow(
        store=start.store, settings=settings, store_problem=start.problem, interactive=interactive
    )
    durability.install(window, start)
    window.show()
    if probe_later:
        # ready for the next file, booted a moment after the first page is on screen: its
        # spawn (multiprocessing, a new Python) ran in the paint's signal and delayed it
        window.documentReady.connect(lambda: QTimer.singleShot(PROBE_AFTER_PAINT_MS, gate.start))
    startup_ms = (time.time() - started) * 1000

    if args.selftest:
        return _selftest(app, window, target, started, startup_ms)
    if automation:
        from imr_desktop.ui.automation import run_automation

        return run_automation(app, window, target)
    window.open_file(target)
    return app.exec()


def _svg_icon_renders() -> bool:
    """Qt's SVG support is a plugin: check that the app icon's SVG renders (bundles)."""
    from PySide6.QtGui import QIcon

    svg = paths.resource("icons", "hicolor", "scalable", "apps", f"{DESKTOP_ID}.svg")
    return svg.exists() and not QIcon(str(svg)).pixmap(24, 24).isNull()


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
                svg_icon=_svg_icon_renders(),
            )
            print(json.dumps(result), flush=True)
            window.close()
            app.quit()

    def painted() -> None:
        if not status["painted"]:
            result["first_paint_ms"] = round((time.time() - started) * 1000, 1)
            # CPU time of the whole process so far: what first paint costs on an idle
            # machine, whatever else a busy one is running
            result["first_paint_cpu_ms"] = round(time.process_time() * 1000, 1)
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
