"""Screenshots of the durability UI: the restore dialog, the second-instance question and
the network-folder banner (``widget.grab()``, so offscreen works).

Run from the repository root:  python packaging/make_durability_screenshots.py [OUT_DIR]
(default packaging/screenshots). Uses throw-away databases and a fake /proc/mounts.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(out: Path) -> int:
    tmp = Path(tempfile.mkdtemp())
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_QPA_FONTDIR", "/usr/share/fonts/truetype/dejavu")
    os.environ["IMR_DESKTOP_DATA_DIR"] = str(tmp / "data")
    os.environ["IMR_DESKTOP_CONFIG_DIR"] = str(tmp / "config")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from imr_desktop import paths
    from imr_desktop.core.backup import make_backup
    from imr_desktop.core.settings import Settings
    from imr_desktop.core.store import Store
    from imr_desktop.ui import durability, single_instance
    from imr_desktop.ui.main_window import MainWindow
    from tests.test_backup import add_annotations, flip_bytes, new_store

    app = QApplication([])  # noqa: F841  (kept alive for the whole run)
    out.mkdir(parents=True, exist_ok=True)

    def settle(ms: int = 300) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    # the restore dialog: a few days of backups, one of them damaged
    db = tmp / "imr-desktop.sqlite"
    store = new_store(db, 40)
    moments = [(2, 8, 55, "open"), (2, 10, 5, "periodic"), (2, 11, 15, "periodic")]
    moments += [(3, 9, 2, "before-upgrade-from-v2"), (3, 9, 2, "open"), (3, 14, 40, "periodic")]
    for i, (day, hour, minute, reason) in enumerate(moments):
        add_annotations(store, 35 + 20 * i, offset=100 * i)
        made = make_backup(db, reason, now=datetime(2026, 3, day, hour, minute, tzinfo=UTC))
        if i == 2:
            flip_bytes(made)
    window = MainWindow(store=store, settings=Settings(annotator="ana"), interactive=False)
    d = durability.install(window)
    d.backups.stop()
    dialog = d.choose_backup()
    assert dialog is not None
    dialog.resize(780, 330)
    dialog.show()
    settle(1500)
    dialog.tree.setCurrentItem(dialog.tree.topLevelItem(1))
    settle()
    dialog.grab().save(str(out / "restore-dialog.png"))
    dialog.reject()
    window.close()

    # the second instance's question
    box = single_instance.second_instance_box(paths.default_database())
    box.show()
    settle()
    box.grab().save(str(out / "second-instance.png"))
    box.close()

    # the banner for a database on a network drive
    share = tmp / "team-share"
    mounts = tmp / "mounts"
    mounts.write_text(f"/dev/vda / ext4 rw 0 0\nnas:/claims {share} nfs4 rw 0 0\n")
    window = MainWindow(
        store=Store.open(share / "imr-desktop.sqlite"),
        settings=Settings(annotator="ana"),
        interactive=False,
    )
    d = durability.install(window, mounts_file=mounts)
    window.resize(1200, 760)
    window.show()
    window.open_file(paths.sample_letter())
    settle(2500)
    window.grab().save(str(out / "network-banner.png"))
    d.backups.stop()
    window.close()
    for name in ("restore-dialog.png", "second-instance.png", "network-banner.png"):
        print(out / name)
    return 0


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "packaging" / "screenshots"
    raise SystemExit(main(target))
