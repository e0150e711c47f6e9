"""Cheat sheet, About box, dark theme, accessible names, keyboard reach, Ctrl+wheel."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHeaderView,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTextBrowser,
    QWidget,
)

from imr_desktop import __version__, paths
from imr_desktop.core.keymap import SPECS
from imr_desktop.core.labels import PALETTE
from imr_desktop.ui.actions import shortcut_texts
from imr_desktop.ui.cheat_sheet import NO_KEY
from imr_desktop.ui.theme import DARK, R, ThemeController
from tests.ui_helpers import activate, make_window, open_and_wait


@pytest.fixture(autouse=True)
def _reset_look():  # type: ignore[no-untyped-def]
    yield
    app = QApplication.instance()
    if isinstance(app, QApplication):
        ThemeController.for_app(app).apply("system")


# ---------------------------------------------------------------------- cheat sheet
def test_cheat_sheet_lists_every_action_with_its_current_keys(qtbot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "a.sqlite")
    window.shell.apply_settings(
        type(window.settings)(annotator="tester", shortcuts={"find": "Ctrl+K", "open_db": ""})
    )
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    sheet = window.shell.cheat_sheet
    assert sheet is not None and sheet.isVisible()
    rows = {what: keys for _title, section in sheet.sections for keys, what in section}
    for spec in SPECS:
        expected = " / ".join(shortcut_texts(window.actions_by_id[spec.id])) or NO_KEY
        assert rows[spec.plain_text] == expected, spec.id
    assert rows["Find"] == "Ctrl+K"  # the user's key, not the default
    assert rows["Open Database"] == NO_KEY
    assert rows["Keyboard Shortcuts"] == "F1 / ?"
    # the label digits of this database and the mouse gestures are there too
    assert rows["tag the selection as Decision"] == "2"
    assert rows["zoom in or out"] == "Ctrl+wheel"
    titles = [title for title, _ in sheet.sections]
    assert titles[:6] == ["File", "Edit", "View", "Library", "Suggestions", "Help"]
    shown = sheet.browser.toPlainText()
    for spec in SPECS:
        assert spec.plain_text in shown
    sheet.close()
    # "?" opens it as well
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_Question)
    assert sheet.isVisible()


def test_cheat_sheet_follows_a_live_shortcut_change(qtbot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "a.sqlite")
    sheet = window.shell.show_cheat_sheet()
    window.shell.apply_settings(
        type(window.settings)(annotator="tester", shortcuts={"zoom_out": "Ctrl+Shift+M"})
    )
    rows = {what: keys for _t, section in sheet.sections for keys, what in section}
    assert rows["Zoom Out"] == "Ctrl+Shift+M"


# ---------------------------------------------------------------------- about
def test_about_shows_version_license_and_notices(qtbot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "a.sqlite")
    about = window.shell.show_about()
    qtbot.waitExposed(about)
    assert f"Version {__version__}" in about.title.text()
    summary = about.summary.toPlainText()
    assert "AGPL-3.0-or-later" in summary and "MuPDF" in summary
    assert "without any warranty" in summary
    assert "Source code" in summary
    license_text = about.license_text.toPlainText()
    assert license_text.startswith("                    GNU AFFERO GENERAL PUBLIC LICENSE")
    assert "Version 3, 19 November 2007" in license_text
    assert "END OF TERMS AND CONDITIONS" in license_text
    notices = about.notices.toPlainText()
    for needle in ("LGPL-3.0", "AGPL-3.0", "Apache-2.0", "MIT License", "sqlite-utils"):
        assert needle in notices, needle
    about.close()


def test_license_file_is_the_agpl_and_pyproject_points_at_it() -> None:
    import tomllib

    root = Path(__file__).resolve().parents[1]
    text = paths.resource("LICENSE").read_text(encoding="utf-8")
    assert text.count("GNU AFFERO GENERAL PUBLIC LICENSE") == 1
    assert "13. Remote Network Interaction; Use with the GNU General Public License." in text
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "AGPL-3.0-or-later"
    assert project["license-files"] == ["resources/LICENSE"]


# ---------------------------------------------------------------------- theme
def test_dark_theme_palette_and_the_letter_stays_white(qtbot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "a.sqlite")
    settings = type(window.settings)(annotator="tester", theme="dark")
    window.shell.apply_settings(settings)
    app = QApplication.instance()
    palette = app.palette()
    assert palette.color(R.Window) == QColor(DARK[R.Window])
    assert palette.color(R.Base) == QColor(DARK[R.Base])
    assert app.style().name().lower() == "fusion"
    qtbot.waitUntil(lambda: window.palette().color(R.Window) == QColor(DARK[R.Window]))
    # the text view keeps a paper-white page with dark ink
    assert window.text_view.palette().color(R.Base) == QColor("#ffffff")
    assert window.text_view.palette().color(R.Text).lightness() < 60
    # the PDF page is painted white whatever the theme
    open_and_wait(qtbot, window, paths.sample_letter())
    qtbot.wait(50)
    image = window.pdf_view.viewport().grab().toImage()
    page = window.pdf_view.page_rect(0)
    x = page.left() + 6 - window.pdf_view.horizontalScrollBar().value()
    y = page.top() + 6 - window.pdf_view.verticalScrollBar().value()
    assert image.pixelColor(int(x), int(y)).lightness() > 240
    # and the canvas around it is dark
    assert image.pixelColor(1, image.height() - 2).lightness() < 128
    # back to light
    window.shell.apply_settings(type(window.settings)(annotator="tester", theme="light"))
    assert app.palette().color(R.Window).lightness() > 200


def _contrast(a: QColor, b: QColor) -> float:
    def lum(c: QColor) -> float:
        def ch(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF())

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_label_colours_stay_legible_in_both_themes() -> None:
    from imr_desktop.ui.highlights import FILL_ALPHA

    for color in PALETTE:
        label = QColor(color)
        # swatches and underlines on the dark window and list backgrounds (WCAG 3:1)
        for role in (R.Window, R.Base):
            assert _contrast(label, QColor(DARK[role])) >= 3.0, (color, role)
        # a highlight on the (always white) page: black text on the fill stays readable
        a = FILL_ALPHA / 255
        fill = QColor(
            *(round(getattr(label, ch)() * a + 255 * (1 - a)) for ch in ("red", "green", "blue"))
        )
        assert _contrast(fill, QColor("#000000")) >= 7.0, color


# ---------------------------------------------------------------------- accessibility
def _needs_a_name(widget: QWidget) -> bool:
    if isinstance(widget, QAbstractButton):
        return not widget.text().replace("&", "").strip()
    return isinstance(
        widget,
        QLineEdit
        | QComboBox
        | QAbstractSpinBox
        | QAbstractItemView
        | QPlainTextEdit
        | QTextBrowser
        | QKeySequenceEdit,
    )


def _inside_a_control(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractSpinBox | QComboBox | QKeySequenceEdit | QLineEdit):
            return True
        parent = parent.parentWidget()
    return False


def _unnamed(root: QWidget) -> list[str]:
    buddies = {label.buddy() for label in root.findChildren(QLabel) if label.buddy() is not None}
    missing = []
    for widget in root.findChildren(QWidget):
        # Qt's own parts of a control (a spin box's line edit, a line edit's clear
        # button, a combo box's popup list) are named through the control
        if _inside_a_control(widget):
            continue
        # Qt's own helpers (headers, corner and overflow buttons) have Qt's names
        if isinstance(widget, QHeaderView) or widget.objectName().startswith("qt_"):
            continue
        if not _needs_a_name(widget) or widget in buddies or widget.accessibleName():
            continue
        parent = widget.parentWidget()
        missing.append(
            f"{type(widget).__name__} {widget.objectName()!r} in "
            f"{type(parent).__name__} {parent.objectName()!r} ({widget.toolTip()!r})"
        )
    return missing


def test_every_control_has_an_accessible_name(qtbot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "a.sqlite")
    open_and_wait(qtbot, window, paths.sample_letter())
    window.open_find()
    assert _unnamed(window) == [], "\n".join(_unnamed(window))
    prefs = window.shell.show_preferences()
    assert _unnamed(prefs) == []
    prefs.close()
    assert _unnamed(window.shell.show_cheat_sheet()) == []
    assert _unnamed(window.shell.show_about()) == []


def test_every_action_is_in_a_menu_and_menus_have_distinct_mnemonics(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, tmp_path / "a.sqlite")
    reachable = set()

    def walk(menu: QMenu) -> None:
        for action in menu.actions():
            reachable.add(action)
            if action.menu() is not None:
                walk(action.menu())

    letters = []
    for top in window.menuBar().actions():
        text = top.text()
        letters.append(text[text.index("&") + 1].lower())
        walk(top.menu())
    missing = [k for k, a in window.actions_by_id.items() if a not in reachable]
    assert missing == []
    assert len(letters) == len(set(letters)) and "h" in letters  # Help is there


# ---------------------------------------------------------------------- zoom
def _wheel(widget: QWidget, delta: int, modifiers: Qt.KeyboardModifier) -> None:
    pos = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(
        pos,
        QPointF(widget.mapToGlobal(pos.toPoint())),
        QPoint(0, 0),
        QPoint(0, delta),
        Qt.MouseButton.NoButton,
        modifiers,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_ctrl_wheel_zooms_the_pdf_and_the_text(qtbot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "a.sqlite")
    open_and_wait(qtbot, window, paths.sample_letter())
    view = window.pdf_view
    start = view.zoom
    _wheel(view.viewport(), 120, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom > start
    _wheel(view.viewport(), -240, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom < start
    zoom = view.zoom
    _wheel(view.viewport(), -120, Qt.KeyboardModifier.NoModifier)  # plain wheel scrolls
    assert view.zoom == zoom
    assert window.zoom_label.text() == f"{round(view.zoom * 100)} %"

    letter = tmp_path / "letter.txt"
    letter.write_text("Decision: the request is upheld.\n" * 40, encoding="utf-8")
    open_and_wait(qtbot, window, letter)
    text_view = window.text_view
    size = text_view.font().pointSizeF()
    _wheel(text_view.viewport(), 120, Qt.KeyboardModifier.ControlModifier)
    assert text_view.font().pointSizeF() > size


def test_save_state_stays_legible_in_both_themes(qtbot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "a.sqlite")

    def ink() -> QColor:
        found = re.search(r"color:\s*(#[0-9a-fA-F]{6})", window.save_label.styleSheet())
        assert found, window.save_label.styleSheet()
        return QColor(found.group(1))

    for theme in ("light", "dark"):
        window.shell.apply_settings(type(window.settings)(annotator="tester", theme=theme))
        qtbot.waitUntil(lambda: QApplication.instance().palette() == window.palette())
        for mark in (window.mark_saved, lambda: window._show_store_error("disk full")):
            mark()
            background = window.statusBar().palette().color(R.Window)
            assert _contrast(ink(), background) >= 4.5, (theme, window.save_label.text())
    # a theme switch restyles the state already shown
    window.mark_saved()
    window.shell.apply_settings(type(window.settings)(annotator="tester", theme="light"))
    qtbot.waitUntil(lambda: QApplication.instance().palette() == window.palette())
    assert _contrast(ink(), window.statusBar().palette().color(R.Window)) >= 4.5
    window.close()


def test_undo_tooltip_names_the_users_keys(qtbot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "a.sqlite")
    assert "Ctrl+Z" in window.actions_by_id["undo"].toolTip()
    window.shell.apply_settings(
        type(window.settings)(annotator="tester", shortcuts={"undo": "Ctrl+U"})
    )
    window._update_enabled()
    tip = window.actions_by_id["undo"].toolTip()
    assert "Ctrl+U" in tip and "Ctrl+Z" not in tip, tip
    window.close()
