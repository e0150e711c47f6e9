"""Opening the annotation database at start-up, before the main window exists.

1. One writer per database (``single_instance.py``). When another IMR Desktop holds it:
   a file given on the command line is forwarded to that window and this process quits;
   otherwise the user chooses read-only or quit. With nobody to ask (``--selftest``,
   ``--automation``) the database opens read-only, and stderr says so.
2. A damaged database (SQLite's ``quick_check`` fails) is moved aside, never deleted,
   and the newest good backup is offered: restore it, start a new database, or quit.
   With nobody to ask, the newest good backup is restored (or, without one, a new
   database is started) and stderr says so: the damaged file is kept either way, so
   this loses nothing a person could have saved by answering.
3. ``Store.open``, which backs up a database before migrating it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from imr_desktop import APP_NAME, paths
from imr_desktop.core.autobackup import Damage, options_from, recover
from imr_desktop.core.autobackup import inspect_database as find_damage
from imr_desktop.core.errors import StoreError
from imr_desktop.core.store import Store
from imr_desktop.ui import single_instance
from imr_desktop.ui.single_instance import InstanceGuard

RESTORE, NEW, QUIT = "restore", "new", "quit"
NO_SAVING = " Annotations cannot be saved until another database is opened (File › Open Database…)."


@dataclass
class Startup:
    store: Store | None = None
    problem: str | None = None  # why there is no store
    guard: InstanceGuard | None = None  # held while this process writes the database
    notices: list[tuple[str, str, str]] = field(default_factory=list)  # banner key, text, level
    exit_code: int | None = None  # quit at once with this status (file forwarded, "Quit")


def open_database(
    db: str | None,
    file: str | None,
    settings: object,
    *,
    interactive: bool,
    ask_second: Callable[[Path], str] = single_instance.ask_second_instance,
    ask_damaged: Callable[[Damage], str] | None = None,
) -> Startup:
    path = Path(db) if db else paths.default_database()
    guard = InstanceGuard(path)
    if not guard.try_hold():
        guard.deleteLater()
        return _second_instance(path, file, interactive=interactive, ask=ask_second)
    start = Startup(guard=guard)
    options = options_from(settings)
    try:
        damage = find_damage(path, options)
        if damage is not None:
            choice = (ask_damaged or ask_damaged_database)(damage) if interactive else None
            if choice == QUIT:
                guard.release()
                return Startup(exit_code=0)
            start.notices.append(_recover(damage, choice, options))
        start.store = Store.open(path)
    except StoreError as exc:
        start.problem = f"{exc}{NO_SAVING}"
    return start


def _second_instance(
    path: Path, file: str | None, *, interactive: bool, ask: Callable[[Path], str]
) -> Startup:
    key = single_instance.server_name(path)
    forward = {"open": str(Path(file).resolve())} if file else None
    if interactive and forward and single_instance.send(key, forward):
        print(
            f"imr-desktop: {file} was opened in the {APP_NAME} window that has {path} open.",
            file=sys.stderr,
        )
        return Startup(exit_code=0)
    if interactive:
        if ask(path) == single_instance.QUIT:
            single_instance.send(key, {"activate": True})
            return Startup(exit_code=0)
    else:
        print(
            f"imr-desktop: {path} is open in another {APP_NAME}; opening it read-only.",
            file=sys.stderr,
        )
    start = Startup()
    try:
        start.store = Store.open(path, read_only=True)
    except StoreError as exc:
        start.problem = f"{exc}{NO_SAVING}"
        return start
    start.notices.append(
        (
            "db",
            f"{path.name} is open in another {APP_NAME} window, which saves to it, so this "
            "window is read-only: you can read its annotations, not add any. Close the "
            "other window and reopen this database to annotate here.",
            "warning",
        )
    )
    return start


# --------------------------------------------------------------------------- damage
def _recover(damage: Damage, choice: str | None, options) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    """Set the damaged database aside and restore a backup (or start anew); the notice."""
    backup = damage.newest_good if choice in (None, RESTORE) else None
    recovery = recover(damage, backup, options)
    if backup is not None:
        text = (
            f"{damage.path.name} was damaged ({damage.problem}). It was set aside as "
            f"{recovery.set_aside.name} and the backup of {_when(backup)} was restored "
            f"({backup.annotations} annotations); work saved after that backup is only "
            "in the set-aside file."
        )
    else:
        text = (
            f"{damage.path.name} was damaged ({damage.problem}). It was set aside as "
            f"{recovery.set_aside.name} and a new, empty database was started."
        )
    print(f"imr-desktop: {text}", file=sys.stderr)
    return ("recovered", text, "warning")


def _when(info) -> str:  # type: ignore[no-untyped-def]
    return info.time.astimezone().strftime("%Y-%m-%d %H:%M")


def damaged_database_box(damage: Damage, parent: QWidget | None = None) -> QMessageBox:
    """The question asked about a damaged database; answers in ``property("choice")``."""
    box = QMessageBox(parent)
    box.setObjectName("damagedDatabaseBox")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("The annotation database is damaged")
    box.setText(f"<b>{damage.path.name} is damaged and cannot be used as it is.</b>")
    good = damage.newest_good
    kept = (
        f"{damage.problem}.\n\nIt will be kept beside it, renamed "
        f"{damage.path.name}.damaged-…, in case it can be repaired."
    )
    if good is not None:
        box.setInformativeText(
            f"{kept}\n\nThe newest good backup is from {_when(good)} "
            f"({good.annotations} annotations). Annotations saved after it are not in it."
        )
        restore = box.addButton("Restore This Backup", QMessageBox.ButtonRole.AcceptRole)
        restore.setProperty("choice", RESTORE)
        box.setDefaultButton(restore)
    else:
        box.setInformativeText(f"{kept}\n\nThere is no good backup of it.")
    new = box.addButton("Start a New Database", QMessageBox.ButtonRole.DestructiveRole)
    new.setProperty("choice", NEW)
    quit_ = box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    quit_.setProperty("choice", QUIT)
    box.setEscapeButton(quit_)
    if good is None:
        box.setDefaultButton(quit_)
    return box


def ask_damaged_database(damage: Damage) -> str:
    box = damaged_database_box(damage)
    box.exec()
    clicked = box.clickedButton()
    choice = clicked.property("choice") if isinstance(clicked, QPushButton) else None
    return choice if choice in (RESTORE, NEW) else QUIT
