"""File › Export Training Data… and File › Export Case Packet…, for the main window.

Kept out of ``main_window.py``: the window only adds the two actions to its File menu
and calls these functions, which read what they need from it (database, open letter).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:
    from imr_desktop.ui.export_dialog import ExportDialog
    from imr_desktop.ui.main_window import MainWindow
    from imr_desktop.ui.packet_dialog import PacketDialog


def install(window: MainWindow, menu: QMenu) -> None:
    """Add the two export actions to ``menu`` and connect them.

    They are greyed out while the menu shows what they cannot do yet, and enabled again
    when it closes, so their shortcuts always answer (with a status message if need be).
    """
    a = window.actions_by_id
    menu.addAction(a["export_data"])
    menu.addAction(a["export_packet"])
    a["export_data"].triggered.connect(lambda: export_training_data(window))
    a["export_packet"].triggered.connect(lambda: export_packet(window))
    menu.aboutToShow.connect(lambda: _set_enabled(window, True))
    menu.aboutToHide.connect(lambda: _set_enabled(window, False))


def _set_enabled(window: MainWindow, showing: bool) -> None:
    a = window.actions_by_id
    has_db = window.store is not None
    a["export_data"].setEnabled(has_db or not showing)
    a["export_packet"].setEnabled((has_db and window.session.text_complete) or not showing)


def _say(window: MainWindow, message: str) -> None:
    window.statusBar().showMessage(message, 5000)


def export_dialog(
    window: MainWindow, selection: Sequence[str] | None = None
) -> ExportDialog | None:
    """The training-data dialog for the window's database and open letter (not shown)."""
    if window.store is None:
        _say(window, "Open an annotation database first (File › Open Database…).")
        return None
    info, session = window.session.info, window.session
    current = (info.sha256, info.path.name) if info and session.text_complete else None
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    out_dir = Path(documents) if documents and Path(documents).is_dir() else Path.home()
    # imported on use: the export layer and multiprocessing cost ~0.1 s at start-up
    from imr_desktop.ui.export_dialog import ExportDialog

    return ExportDialog(
        window.store, current=current, selection=selection, out_dir=out_dir, parent=window
    )


def packet_dialog(window: MainWindow) -> PacketDialog | None:
    """The case-packet dialog for the open letter (not shown)."""
    info = window.session.info
    if window.store is None:
        _say(window, "Open an annotation database first (File › Open Database…).")
        return None
    if info is None or not window.session.text_complete:
        _say(window, "Open a letter and wait until its text is read, then export its packet.")
        return None
    structure = window.session.structure
    case = structure.case_number.value if structure and structure.case_number else ""
    from imr_desktop.ui.packet_dialog import PacketDialog

    return PacketDialog(window.store.path, info.sha256, info.path, title=case, parent=window)


def export_training_data(window: MainWindow, selection: Sequence[str] | None = None) -> None:
    dialog = export_dialog(window, selection)
    if dialog is not None:
        dialog.exec()
        dialog.deleteLater()


def export_packet(window: MainWindow) -> None:
    dialog = packet_dialog(window)
    if dialog is not None:
        dialog.exec()
        dialog.deleteLater()
