"""Screenshot of annotations waiting to be re-attached after a letter's text changed.

The bundled sample letter is entered in a throw-away database as an older text extractor
read it (a fax header line and one sentence the current extractor does not read), with
annotations on that text; opening it re-anchors them, two become orphans. The picture
shows the banner, the "Needs re-attaching" group with the first orphan chosen, and a
passage selected in the letter, ready for Re-attach (``widget.grab()``, so offscreen works).

Run from the repository root:  python packaging/make_orphans_screenshot.py [OUT.png] [--dark]
(default packaging/screenshots/orphans.png; --dark for the dark theme).
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HEADER = "Faxed to MAXIMUS 11/23/2016 09:14 from Lakeside Occupational Clinic\n"
LOST_SENTENCE = " The applicant denied any new injury."
AFTER = "20-pound lifting limit."


def old_database(db: Path) -> None:
    """The sample letter as an older extractor read it, annotated on that text."""
    from imr_desktop import paths
    from imr_desktop.core.document import load_document
    from imr_desktop.core.model import Annotation, DocumentRecord
    from imr_desktop.core.store import Store

    doc = load_document(paths.sample_letter())
    old = HEADER + doc.text.replace(AFTER, AFTER + LOST_SENTENCE, 1)
    store = Store.open(db)
    store.upsert_document(
        DocumentRecord(
            doc.source.sha256,
            str(paths.sample_letter()),
            "pdf",
            doc.page_count,
            len(doc.source.data),
            old,
            hashlib.sha256(old.encode()).hexdigest(),
            "older-extractor",
        )
    )
    labels = {lb.hotkey: lb.id for lb in store.labels()}

    def tag(phrase: str, hotkey: int, note: str = "") -> None:
        m = re.search(r"\s+".join(map(re.escape, phrase.split())), old)
        assert m, phrase
        store.add_annotation(
            Annotation.create(
                document=doc.source.sha256,
                text=old,
                start=m.start(),
                end=m.end(),
                label_id=labels[hotkey],
                annotator="ana",
                note=note,
            )
        )

    tag("Faxed to MAXIMUS 11/23/2016", 1, "the day after the application was received")
    tag(LOST_SENTENCE.strip(), 1)
    tag("paracentral disc protrusion at L4-L5", 1)
    tag("industrial injury of March 14, 2015", 1)
    tag("Cyclobenzaprine 7.5mg #90: Upheld", 2)
    tag("MTUS Chronic Pain Medical Treatment", 3)
    store.close()


def main(out: Path, dark: bool = False) -> int:
    tmp = Path(tempfile.mkdtemp())
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_QPA_FONTDIR", "/usr/share/fonts/truetype/dejavu")
    os.environ["IMR_DESKTOP_DATA_DIR"] = str(tmp / "data")
    os.environ["IMR_DESKTOP_CONFIG_DIR"] = str(tmp / "config")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from imr_desktop import paths
    from imr_desktop.core.settings import Settings
    from imr_desktop.core.store import Store
    from imr_desktop.ui.main_window import MainWindow
    from imr_desktop.ui.orphans import BANNER

    app = QApplication([])
    db = tmp / "shot.sqlite"
    old_database(db)
    window = MainWindow(
        store=Store.open(db),
        settings=Settings(annotator="ana", theme="dark" if dark else "light"),
        interactive=False,
    )
    window.resize(1280, 860)
    window.show()

    def ready() -> None:
        window.banner.actions(BANNER)[0].click()  # "Show in Side Panel"
        text = window.session.text
        m = re.search(r"11/22/2016", text)
        assert m
        window.pdf_view.set_selection(*m.span())
        QTimer.singleShot(600, shoot)

    def shoot() -> None:
        out.parent.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(out))
        print(out)
        app.quit()

    window.session.textComplete.connect(lambda: QTimer.singleShot(300, ready))
    window.open_file(paths.sample_letter())
    app.exec()
    return 0


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--dark"]
    default = ROOT / "packaging" / "screenshots" / "orphans.png"
    raise SystemExit(main(Path(args[0]) if args else default, "--dark" in sys.argv[1:]))
