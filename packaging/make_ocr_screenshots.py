"""Screenshots of scanned-letter OCR and of a refused hostile file, for README and review.

Run: python packaging/make_ocr_screenshots.py OUT_DIR (offscreen works: QT_QPA_PLATFORM=
offscreen). Writes ocr-offer.jpg (a fax-like scan of a corpus letter, with the offer),
ocr-progress.jpg (recognising, progress bar and Cancel), ocr-done.jpg (the recognised text
tagged, banner and status bar saying OCR) and refused-file.jpg (an image bomb refused).
JPEG, not PNG: the scan's noise makes a PNG of it three times larger.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
LETTER = ROOT.parent / "shared" / "corpus" / "letters" / "CM16-0235991.pdf"
QUALITY = 85


def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp())
    os.environ["IMR_DESKTOP_DATA_DIR"] = str(tmp / "data")
    os.environ["IMR_DESKTOP_CONFIG_DIR"] = str(tmp / "config")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from imr_desktop.core.settings import Settings
    from imr_desktop.core.store import Store
    from imr_desktop.ui.main_window import MainWindow
    from tests import fuzzgen, pdfgen, scangen

    app = QApplication([])
    window = MainWindow(
        store=Store.open(tmp / "shot.sqlite"), settings=Settings(annotator="ana"), interactive=False
    )
    window.resize(1440, 920)
    window.show()
    scan = tmp / "fax-CM16-0235991.pdf"
    source = LETTER.read_bytes() if LETTER.exists() else pdfgen.letter_bytes(3)
    scan.write_bytes(scangen.fax_bytes(source))
    state = {"progress_shot": False}

    def grab(name: str) -> None:
        app.processEvents()
        window.grab().save(str(out / name), "JPG", QUALITY)
        print(out / name, flush=True)

    def offered() -> None:
        if window.session.ocr_pages is None and not window.ocr.running:
            grab("ocr-offer.jpg")
            button = next(b for b in window.banner.actions("text") if "OCR" in b.text())
            button.click()
            QTimer.singleShot(200, watch)

    def watch() -> None:
        bar = window.ocr.bar
        if bar is not None and bar.value() >= 300 and not state["progress_shot"]:
            state["progress_shot"] = True
            grab("ocr-progress.jpg")
        if window.ocr.running:
            QTimer.singleShot(200, watch)

    def recognised() -> None:
        window.tabs.setCurrentIndex(1)
        text = window.session.text
        for pattern, key in (("Date of Injury", 1), (r"Upheld|Overturned", 2)):
            m = re.search(pattern, text)
            if m:
                window.pdf_view.set_selection(*m.span())
                window.tag_with_hotkey(key)
        QTimer.singleShot(500, done)

    def done() -> None:
        grab("ocr-done.jpg")
        bomb = tmp / "bomb.pdf"
        bomb.write_bytes(fuzzgen.image_bomb())
        window.interactive = True  # show the refusal as a user sees it
        QTimer.singleShot(1500, shoot_dialog)
        window.open_file(bomb)

    def shoot_dialog() -> None:
        box = next((w for w in app.topLevelWidgets() if isinstance(w, QMessageBox)), None)
        if box is None or not box.isVisible():
            QTimer.singleShot(300, shoot_dialog)
            return
        # the dialog over the window, as one picture
        shot = window.grab()
        from PySide6.QtGui import QPainter

        painter = QPainter(shot)
        dialog = box.grab()
        painter.drawPixmap(
            (shot.width() - dialog.width()) // 2, (shot.height() - dialog.height()) // 3, dialog
        )
        painter.end()
        shot.save(str(out / "refused-file.jpg"), "JPG", QUALITY)
        print(out / "refused-file.jpg", flush=True)
        box.accept()
        app.quit()

    window.ocr.finished.connect(lambda: QTimer.singleShot(300, recognised))
    window.session.textComplete.connect(lambda: QTimer.singleShot(300, offered))
    window.open_file(scan)
    app.exec()
    return 0


if __name__ == "__main__":  # the OCR and probe workers are spawned: guard required
    raise SystemExit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")))
