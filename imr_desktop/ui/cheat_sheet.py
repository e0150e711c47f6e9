"""Help › Keyboard Shortcuts (F1 or ?): every action with the keys it has right now.

Generated from the action registry and the live QActions, so a user's own shortcuts
show; plus the label digits of the open database, the keys the document view handles
itself and the mouse gestures.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QPalette
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from imr_desktop.core.keymap import GROUP_ORDER, SPECS
from imr_desktop.core.labels import LabelSet
from imr_desktop.ui.actions import shortcut_texts

# Keys the views and the find bar handle themselves (not actions, so not editable).
VIEW_KEYS: tuple[tuple[str, str], ...] = (
    ("Esc", "close the find bar, clear the selection"),
    ("Space / Shift+Space", "scroll down / up by a screen"),
    ("Ctrl+Home / Ctrl+End", "first / last page"),
    ("Shift+Enter", "previous match (in the find bar)"),
    ("Tab / Shift+Tab", "move between the letter and the panels"),
    ("Alt+letter", "open a menu (the underlined letter)"),
)
GESTURES: tuple[tuple[str, str], ...] = (
    ("Drag", "select text, across lines and pages"),
    ("Double-click", "select a word"),
    ("Triple-click", "select a line"),
    ("Shift+click", "extend the selection"),
    ("Ctrl+wheel", "zoom in or out"),
    ("Right-click", "tag, relabel, note or delete"),
    ("Hover a highlight", "show its label and note"),
    ("Drop a file", "open it"),
)
NO_KEY = "—"

Section = tuple[str, list[tuple[str, str]]]


def cheat_sheet_sections(actions: dict[str, QAction], labels: LabelSet | None) -> list[Section]:
    """(title, [(keys, what)]) for every registry group, labels, view keys and mouse."""
    order = {g: i for i, g in enumerate(GROUP_ORDER)}
    groups: dict[str, list[tuple[str, str]]] = {}
    for spec in sorted(SPECS, key=lambda s: order.get(s.group, len(order))):
        action = actions.get(spec.id)
        keys = " / ".join(shortcut_texts(action)) if action is not None else ""
        groups.setdefault(spec.group, []).append((keys or NO_KEY, spec.plain_text))
    sections: list[Section] = list(groups.items())
    if labels is not None and len(labels):
        rows = [
            (str(lb.hotkey), f"tag the selection as {lb.name}")
            for lb in sorted(labels, key=lambda lb: lb.hotkey or 99)
            if lb.hotkey is not None
        ]
        sections.append(("Labels", rows or [(NO_KEY, "no label has a hotkey")]))
    else:
        sections.append(("Labels", [("1 … 9", "tag the selection with that label")]))
    sections.append(("In the letter", list(VIEW_KEYS)))
    sections.append(("Mouse", list(GESTURES)))
    return sections


def _columns(sections: list[Section], count: int) -> list[list[Section]]:
    """Split sections, in order, into ``count`` columns of about equal height."""
    total = sum(len(rows) + 2 for _t, rows in sections)
    columns: list[list[Section]] = [[]]
    height = 0
    for section in sections:
        size = len(section[1]) + 2
        if columns[-1] and height + size / 2 > total / count and len(columns) < count:
            columns.append([])
            height = 0
        columns[-1].append(section)
        height += size
    return columns


def cheat_sheet_html(sections: list[Section], palette: QPalette) -> str:
    """Three columns; in each one table, so the key column lines up across sections."""
    cap = palette.color(QPalette.ColorRole.Button).name()
    ink = palette.color(QPalette.ColorRole.Text).name()
    muted = palette.color(QPalette.ColorRole.PlaceholderText).name()
    cells = []
    for column in _columns(sections, 3):
        rows_html = []
        for title, rows in column:
            rows_html.append(
                f"<tr><td colspan='2' style='padding-top:12px; padding-bottom:4px'>"
                f"<b style='font-size:large'>{html.escape(title)}</b></td></tr>"
            )
            for keys, what in rows:
                if keys == NO_KEY:
                    key_html = f"<span style='color:{muted}'>{NO_KEY}</span>"
                else:  # one key cap per alternative, one per line: caps never wrap
                    key_html = "<br>".join(
                        f"<span style='background-color:{cap}; color:{ink}; "
                        f"font-weight:600'>&nbsp;{html.escape(k)}&nbsp;</span>"
                        for k in keys.split(" / ")
                    )
                rows_html.append(
                    "<tr><td style='white-space:nowrap; padding:2px 10px 2px 0'>"
                    f"{key_html}</td><td style='padding:2px 0'>{html.escape(what)}</td></tr>"
                )
        table = f"<table width='100%' cellspacing='0'>{''.join(rows_html)}</table>"
        cells.append(f"<td valign='top' width='33%' style='padding-right:22px'>{table}</td>")
    return f"<table width='100%' cellspacing='0'><tr>{''.join(cells)}</tr></table>"


class CheatSheet(QDialog):
    editRequested = Signal()  # "Edit Shortcuts…": open the preferences on that page

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cheatSheet")
        self.setWindowTitle("Keyboard Shortcuts")
        self.browser = QTextBrowser()
        self.browser.setObjectName("cheatSheetText")
        self.browser.setAccessibleName("Keyboard shortcuts and mouse gestures")
        self.browser.setOpenLinks(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.edit_button = self.buttons.addButton(
            "&Edit Shortcuts…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.buttons.rejected.connect(self.close)
        self.edit_button.clicked.connect(self.editRequested)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(self.buttons)
        self.sections: list[Section] = []
        self.resize(1000, 640)

    def refresh(self, actions: dict[str, QAction], labels: LabelSet | None) -> None:
        self.sections = cheat_sheet_sections(actions, labels)
        self.browser.setHtml(cheat_sheet_html(self.sections, self.palette()))
