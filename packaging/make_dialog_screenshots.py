"""Screenshots of the preferences pages, the cheat sheet, the About box and the main
window in a theme, on the bundled sample letter with a few tags.

    QT_QPA_PLATFORM=offscreen python packaging/make_dialog_screenshots.py OUT_DIR [light|dark]

Uses a throw-away database and config folder; widgets are grabbed, so no X server is
needed.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TAGS = (
    ("paracentral disc protrusion at L4-L5", 1),
    ("Cyclobenzaprine 7.5mg #90: Upheld", 2),
    ("MTUS Chronic Pain Medical Treatment Guidelines", 3),
)


def main(out: Path, theme: str) -> int:
    tmp = Path(tempfile.mkdtemp())
    os.environ["IMR_DESKTOP_DATA_DIR"] = str(tmp / "data")
    os.environ["IMR_DESKTOP_CONFIG_DIR"] = str(tmp / "config")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from imr_desktop import paths
    from imr_desktop.core.settings import Settings
    from imr_desktop.core.store import Store
    from imr_desktop.ui.main_window import MainWindow

    out.mkdir(parents=True, exist_ok=True)
    app = QApplication([])
    window = MainWindow(
        store=Store.open(tmp / "shot.sqlite"),
        settings=Settings(annotator="ana", theme=theme),
        interactive=False,
    )
    window.resize(1280, 800)
    window.show()

    def ready() -> None:
        text = window.session.text
        for pattern, hotkey in TAGS:
            m = re.search(r"\s+".join(map(re.escape, pattern.split())), text)
            if m:
                window.pdf_view.set_selection(*m.span())
                window.tag_with_hotkey(hotkey)
        m = re.search(r"paracentral\s+disc", text)
        if m:
            window.pdf_view.scroll_to_range(m.start(), m.end(), flash=False)
        window.shell.apply_settings(window.settings)  # nothing changes; applies the theme
        window.tabs.setCurrentIndex(1)
        QTimer.singleShot(500, shoot)

    def save(widget, name: str) -> None:  # type: ignore[no-untyped-def]
        app.processEvents()
        path = out / f"{name}-{theme}.png"
        widget.grab().save(str(path))
        print(path)

    def shoot() -> None:
        save(window, "main-window")
        prefs = window.shell.show_preferences()
        for page in ("General", "Labels", "Shortcuts", "Backups"):
            prefs.show_page(page)
            save(prefs, f"preferences-{page.lower()}")
        prefs.close()
        sheet = window.shell.show_cheat_sheet()
        save(sheet, "cheat-sheet")
        sheet.close()
        about = window.shell.show_about()
        save(about, "about")
        about.close()
        window.close()
        app.quit()

    window.session.textComplete.connect(lambda: QTimer.singleShot(300, ready))
    window.open_file(paths.sample_letter())
    app.exec()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    raise SystemExit(main(target, sys.argv[2] if len(sys.argv) > 2 else "light"))
