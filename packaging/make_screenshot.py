"""Take the README screenshot of the real window on the bundled sample letter.

Run under a real X server or Xvfb (xvfb-run -a python packaging/make_screenshot.py OUT.png).
It uses a throw-away database and tags a few passages through the same code path as the
keyboard, so the picture shows what a user sees after a minute of work.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(out: Path) -> int:
    tmp = Path(tempfile.mkdtemp())
    os.environ["IMR_DESKTOP_DATA_DIR"] = str(tmp / "data")
    os.environ["IMR_DESKTOP_CONFIG_DIR"] = str(tmp / "config")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from imr_desktop import paths
    from imr_desktop.core.settings import Settings
    from imr_desktop.core.store import Store
    from imr_desktop.ui.main_window import MainWindow

    app = QApplication([])
    window = MainWindow(
        store=Store.open(tmp / "shot.sqlite"), settings=Settings(annotator="ana"), interactive=False
    )
    window.resize(1440, 920)
    window.show()

    def tag(pattern: str, hotkey: int, note: str = "") -> None:
        m = re.search(r"\s+".join(map(re.escape, pattern.split())), window.session.text)
        assert m, pattern
        window.pdf_view.set_selection(*m.span())
        window.tag_with_hotkey(hotkey)
        if note:
            ann = next(a for a in window.session.annotations if a.start == m.start())
            window._push(
                __import__("imr_desktop.ui.commands", fromlist=["x"]).UpdateAnnotation(
                    window.session.annotations, ann, ann.with_changes(note=note), "note"
                )
            )

    def ready() -> None:
        window.tabs.setCurrentIndex(1)
        tag("paracentral disc protrusion at L4-L5", 1)
        tag("industrial injury of March 14, 2015", 1)
        tag("denied a request for cyclobenzaprine", 1, "UR action")
        tag("Cyclobenzaprine 7.5mg #90: Upheld", 2)
        tag("MTUS Chronic Pain Medical Treatment Guidelines", 3)
        tag("physical therapy", 1)
        text = window.session.text
        start = text.index("Cyclobenzaprine 7.5mg")
        window.pdf_view.scroll_to_range(start, start + 10, flash=False)
        window.pdf_view.verticalScrollBar().setValue(
            window.pdf_view.verticalScrollBar().value() - 120
        )
        m = re.search(r"muscle\s+relaxants", text)
        if m:
            window.pdf_view.set_selection(*m.span())
        QTimer.singleShot(600, shoot)

    def shoot() -> None:
        window.grab().save(str(out))
        window.tabs.setCurrentIndex(0)  # the Case tab, for a second picture
        app.processEvents()
        window.grab().save(str(out.with_name(out.stem + "-case" + out.suffix)))
        window.tabs.setCurrentIndex(1)
        print(out)
        app.quit()

    window.session.textComplete.connect(lambda: QTimer.singleShot(300, ready))
    window.open_file(paths.sample_letter())
    app.exec()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "screenshot.png")))
