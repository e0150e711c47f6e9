"""Help › About: version, license (AGPL-3.0-or-later), where the source is, notices."""

from __future__ import annotations

import html
import platform
import sqlite3
import sys
from importlib import metadata
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QFontDatabase, QIcon
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from imr_desktop import APP_NAME, __version__, paths

LICENSE_NAME = "GNU Affero General Public License, version 3 or later (AGPL-3.0-or-later)"


def _dist_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


def versions() -> list[tuple[str, str]]:
    """The components this copy runs on, for bug reports."""
    try:
        import pymupdf

        mupdf = f"{pymupdf.VersionBind} (MuPDF {pymupdf.VersionFitz})"
    except Exception:  # the About box must open even if pymupdf is broken
        mupdf = "not available"
    return [
        ("IMR Desktop", __version__),
        ("Python", platform.python_version()),
        ("Qt", qVersion()),
        ("PySide6", pyside_version),
        ("PyMuPDF", mupdf),
        ("sqlite-utils", _dist_version("sqlite-utils")),
        ("SQLite", sqlite3.sqlite_version),
        ("System", f"{platform.system()} {platform.release()} ({platform.machine()})"),
    ]


def source_location() -> Path:
    """Where this copy's source code is: the bundle's source folder, else the package."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen and (Path(frozen) / "source").is_dir():
        return Path(frozen) / "source"
    return Path(__file__).resolve().parents[1]


def _read(name: str) -> str:
    try:
        return paths.resource(name).read_text(encoding="utf-8")
    except OSError as exc:
        return f"{name} is missing from this installation ({exc.strerror})."


class AboutDialog(QDialog):
    def __init__(self, icon: QIcon | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(f"About {APP_NAME}")

        logo = QLabel()
        if icon is not None and not icon.isNull():
            logo.setPixmap(icon.pixmap(64, 64))
        logo.setAccessibleName(f"{APP_NAME} icon")
        self.title = QLabel(
            f"<h2 style='margin:0'>{APP_NAME}</h2>"
            f"<div>Version {html.escape(__version__)}</div>"
            "<div>Read, annotate and export California workers' compensation IMR Final "
            "Determination letters.</div>"
        )
        self.title.setObjectName("aboutTitle")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        head = QHBoxLayout()
        head.addWidget(logo, 0, Qt.AlignmentFlag.AlignTop)
        head.addSpacing(12)
        head.addWidget(self.title, 1)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("aboutTabs")
        self.summary = QTextBrowser()
        self.summary.setObjectName("aboutSummary")
        self.summary.setAccessibleName("License and versions")
        self.summary.setOpenExternalLinks(False)
        self.summary.setHtml(self._summary_html())
        self.notices = QTextBrowser()
        self.notices.setObjectName("thirdPartyNotices")
        self.notices.setAccessibleName("Third-party notices")
        self.notices.setOpenExternalLinks(True)  # license texts and Qt's source, on a click
        self.notices.setMarkdown(_read("THIRD-PARTY-NOTICES.md"))
        self.license_text = QPlainTextEdit(_read("LICENSE"))
        self.license_text.setObjectName("licenseText")
        self.license_text.setAccessibleName("License text")
        self.license_text.setReadOnly(True)
        self.license_text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.tabs.addTab(self.summary, "&About")
        self.tabs.addTab(self.notices, "&Third-Party Notices")
        self.tabs.addTab(self.license_text, "&License (AGPL-3.0)")

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        about_qt = self.buttons.addButton("About &Qt", QDialogButtonBox.ButtonRole.HelpRole)
        about_qt.clicked.connect(QApplication.aboutQt)
        self.buttons.rejected.connect(self.close)

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.buttons)
        self.resize(720, 560)

    def _summary_html(self) -> str:
        rows = "".join(
            f"<tr><td style='padding-right:14px'><b>{html.escape(k)}</b></td>"
            f"<td>{html.escape(v)}</td></tr>"
            for k, v in versions()
        )
        return (
            f"<p><b>License:</b> {LICENSE_NAME}.</p>"
            "<p>IMR Desktop is free software: you can redistribute it and/or modify it under "
            "the terms of the GNU Affero General Public License as published by the Free "
            "Software Foundation, either version 3 of the License, or (at your option) any "
            "later version. It is distributed in the hope that it will be useful, but "
            "<b>without any warranty</b>; without even the implied warranty of "
            "merchantability or fitness for a particular purpose. See the License tab.</p>"
            "<p><b>Why the AGPL:</b> IMR Desktop renders and reads PDFs with MuPDF (through "
            "PyMuPDF), which Artifex licenses under the AGPL-3.0. A program built on it must "
            "be AGPL-compatible, so IMR Desktop is AGPL-3.0-or-later as a whole.</p>"
            "<p><b>Source code:</b> whoever gives you this program must also offer you its "
            "complete source code under the same license. The source of this copy is at "
            f"<code>{html.escape(str(source_location()))}</code>.</p>"
            "<p>Qt is used under the LGPL-3.0 (PySide6); the other components and their "
            "licenses are listed under Third-Party Notices.</p>"
            f"<p><b>Versions</b></p><table cellspacing='0' cellpadding='2'>{rows}</table>"
        )
