"""Start-up imports only what the first page needs (issue 2: first paint ≤ 1.0 s).

Every module imported before the window shows is paid for by every start. These ones
are large and only needed later (a scan to recognise, the library list, a re-anchoring,
a dialog), so importing one of them at start-up again is a regression this test names.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# modules that must not be loaded once the main window is built and shown
DEFERRED = (
    "sqlite_utils",  # on the first write: opening a database and reading it need sqlite3
    "multiprocessing",  # probe, OCR and import workers: started when needed
    "imr_desktop.core.ocr",
    "imr_desktop.ui.library_view",
    "imr_desktop.core.library.query",
    "imr_desktop.core.library.filters",
    "imr_desktop.core.library.search",
    "imr_desktop.core.anchoring",
    "imr_desktop.core.analysis",
    "imr_desktop.ui.label_manager",
)

CODE = """
import json, sys
from PySide6.QtWidgets import QApplication
from imr_desktop.core.settings import Settings
from imr_desktop.core.store import Store
from imr_desktop.ui import app as app_module  # what run_gui imports
from imr_desktop.ui import durability, startup
from imr_desktop.ui.main_window import MainWindow

qapp = QApplication([])
store = Store.open(sys.argv[1])
window = MainWindow(store=store, settings=Settings(annotator="t"), interactive=False)
durability.install(window)
window.show()
qapp.processEvents()
print(json.dumps(sorted(sys.modules)))
window.close()
"""


@pytest.mark.gui
def test_building_the_window_imports_none_of_the_deferred_modules(tmp_path: Path) -> None:
    from imr_desktop.core.store import Store

    Store.open(tmp_path / "a.sqlite").close()  # an existing database, as on every later start
    env = {
        "QT_QPA_PLATFORM": "offscreen",
        "IMR_DESKTOP_DATA_DIR": str(tmp_path / "data"),
        "IMR_DESKTOP_CONFIG_DIR": str(tmp_path / "config"),
        "PYTHONPATH": str(ROOT),
        "PATH": "/usr/bin:/bin",
    }
    proc = subprocess.run(
        [sys.executable, "-c", CODE, str(tmp_path / "a.sqlite")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    loaded = set(json.loads(proc.stdout.strip().splitlines()[-1]))
    assert "imr_desktop.ui.main_window" in loaded  # the check itself ran
    early = [m for m in DEFERRED if m in loaded]
    assert not early, f"imported at start-up: {early}"
