"""One writer per database: the first IMR Desktop to open a database holds it.

The holder listens on a local socket named after the user and a hash of the database's
resolved path (as Anki does with its profile folder). A second instance that finds the
socket alive either forwards the file it was asked to open to the first and quits, or
asks its user: open the database read-only, or quit (the other window comes to the
front). Two writers would not damage the file (SQLite locks), but each window's memory
would go stale and one user's edits would silently undo the other's.

On Linux the socket lives in the abstract namespace: the kernel removes it when the
process dies, even by SIGKILL, so a crash never leaves a stale lock, and ``listen`` is
atomic (two instances starting at once cannot both win). Elsewhere a socket file left
by a crash is detected (nobody answers) and removed.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import sys
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from imr_desktop import APP_ID, APP_NAME

TIMEOUT_MS = 2000


def server_name(db_path: str | Path) -> str:
    """The socket name for one user and one database file (wherever it is opened from)."""
    resolved = str(Path(db_path).expanduser().resolve())
    user = str(os.getuid()) if hasattr(os, "getuid") else getpass.getuser()
    digest = hashlib.sha256(f"{user}\0{resolved}".encode()).hexdigest()[:24]
    return f"{APP_ID}-{digest}"


def _abstract() -> bool:
    return sys.platform.startswith("linux")


def _socket_options() -> QLocalServer.SocketOption:
    options = QLocalServer.SocketOption.UserAccessOption
    if _abstract():
        options |= QLocalServer.SocketOption.AbstractNamespaceOption
    return options


class InstanceGuard(QObject):
    """Holds a database for this process and answers the instances started after it."""

    fileRequested = Signal(str)  # a second instance asked us to open this file
    activateRequested = Signal()  # a second instance quit; bring the window forward

    def __init__(self, db_path: str | Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.key = server_name(db_path)
        self._server: QLocalServer | None = None

    @property
    def held(self) -> bool:
        return self._server is not None

    def try_hold(self) -> bool:
        """Become the writer of this database; False when another live instance is."""
        if self._server is not None:
            return True
        server = QLocalServer(self)
        server.setSocketOptions(_socket_options())
        if not server.listen(self.key):
            if is_alive(self.key):
                server.deleteLater()
                return False
            # a socket file left by a crash (not on Linux): nobody answers, take it over
            QLocalServer.removeServer(self.key)
            if not server.listen(self.key):
                server.deleteLater()
                return False
        server.newConnection.connect(self._accept)
        self._server = server
        return True

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server.deleteLater()
            self._server = None

    def _accept(self) -> None:
        assert self._server is not None
        while (sock := self._server.nextPendingConnection()) is not None:
            sock.readyRead.connect(lambda s=sock: self._read(s))
            sock.disconnected.connect(sock.deleteLater)

    def _read(self, sock: QLocalSocket) -> None:
        if not sock.canReadLine():
            return
        try:
            message = json.loads(bytes(sock.readLine().data()).decode("utf-8"))
        except ValueError:
            message = None
        sock.write(b"ok\n" if isinstance(message, dict) else b"?\n")
        sock.flush()
        sock.disconnectFromServer()
        if not isinstance(message, dict):
            return
        if isinstance(message.get("open"), str):
            self.fileRequested.emit(message["open"])
        else:
            self.activateRequested.emit()


def _connect(key: str) -> QLocalSocket | None:
    sock = QLocalSocket()
    if _abstract():
        sock.setSocketOptions(QLocalSocket.SocketOption.AbstractNamespaceOption)
    sock.connectToServer(key)
    if sock.waitForConnected(TIMEOUT_MS):
        return sock
    return None


def is_alive(key: str) -> bool:
    sock = _connect(key)
    if sock is None:
        return False
    sock.abort()
    return True


def send(key: str, message: dict[str, str | bool]) -> bool:
    """Deliver ``message`` to the holder of ``key``; True once it has answered."""
    sock = _connect(key)
    if sock is None:
        return False
    try:
        sock.write(json.dumps(message).encode("utf-8") + b"\n")
        if not sock.waitForBytesWritten(TIMEOUT_MS):
            return False
        while not sock.canReadLine():
            if not sock.waitForReadyRead(TIMEOUT_MS):
                return False
        return bytes(sock.readLine().data()).strip() == b"ok"
    finally:
        sock.abort()


# --------------------------------------------------------------------------- the choice
READ_ONLY = "read-only"
QUIT = "quit"


def second_instance_box(db_path: Path, parent: QWidget | None = None) -> QMessageBox:
    """The question a second instance asks: its buttons carry the answers in
    ``property("choice")``."""
    box = QMessageBox(parent)
    box.setObjectName("secondInstanceBox")
    box.setIcon(QMessageBox.Icon.Information)
    box.setWindowTitle(f"{APP_NAME} is already open")
    box.setText(f"<b>{db_path.name} is already open in another {APP_NAME} window.</b>")
    box.setInformativeText(
        "Only one window at a time saves to a database, so that no annotation is "
        "overwritten. You can look at it here read-only, or quit and go on in the other "
        f"window (it comes to the front).\n\n{db_path}"
    )
    read_only = box.addButton("Open Read-Only", QMessageBox.ButtonRole.AcceptRole)
    quit_ = box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    read_only.setProperty("choice", READ_ONLY)
    quit_.setProperty("choice", QUIT)
    box.setDefaultButton(quit_)
    box.setEscapeButton(quit_)
    return box


def ask_second_instance(db_path: Path) -> str:
    box = second_instance_box(db_path)
    box.exec()
    clicked = box.clickedButton()
    choice = clicked.property("choice") if isinstance(clicked, QPushButton) else None
    return READ_ONLY if choice == READ_ONLY else QUIT
