"""Preferences on the real window: saved, applied live, refused when they clash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from imr_desktop.core.settings import Settings, load_settings, settings_path
from imr_desktop.core.store import Store
from imr_desktop.ui.main_window import MainWindow
from imr_desktop.ui.theme import DARK, ThemeController
from tests.ui_helpers import activate, make_window

OK = QDialogButtonBox.StandardButton.Ok


@pytest.fixture(autouse=True)
def _reset_look():  # type: ignore[no-untyped-def]
    """The theme and font belong to the one QApplication all tests share."""
    yield
    app = QApplication.instance()
    if isinstance(app, QApplication):
        theme = ThemeController.for_app(app)
        theme.apply("system")
        theme.apply_font_size(0)


def _first(action) -> str:  # type: ignore[no-untyped-def]
    shortcuts = action.shortcuts()
    return shortcuts[0].toString(QKeySequence.SequenceFormat.PortableText) if shortcuts else ""


def test_preferences_round_trip_applies_live(qtbot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "a.sqlite")
    dialog = window.shell.show_preferences()
    qtbot.waitExposed(dialog)
    dialog.general.annotator_edit.setText("  Maria   Lopez ")
    dialog.general.theme_combo.setCurrentIndex(dialog.general.theme_combo.findData("dark"))
    dialog.general.font_box.setValue(13)
    assert dialog.shortcuts.set_shortcut("toggle_panel", "Ctrl+Alt+P") is None
    dialog.backups.recent_box.setValue(3)
    dialog.backups.folder_edit.setText(str(tmp_path / "bk"))
    dialog.buttons.button(OK).click()
    assert not dialog.isVisible()

    # saved to the settings file
    saved = load_settings()
    assert saved.annotator == "Maria Lopez" and saved.annotator_confirmed
    assert (saved.theme, saved.font_size) == ("dark", 13.0)
    assert saved.shortcuts == {"toggle_panel": "Ctrl+Alt+P"}
    assert (saved.backups.keep_recent, saved.backups.folder) == (3, str(tmp_path / "bk"))

    # applied without a restart
    app = QApplication.instance()
    assert (
        app.palette().color(app.palette().ColorRole.Window).name()
        == DARK[app.palette().ColorRole.Window]
    )
    assert app.font().pointSizeF() == 13.0
    assert window.session.annotator == "Maria Lopez"
    assert _first(window.actions_by_id["toggle_panel"]) == "Ctrl+Alt+P"
    activate(qtbot, window)
    visible = window.dock.isVisible()
    qtbot.keyClick(
        window,
        Qt.Key.Key_P,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier,
    )
    assert window.dock.isVisible() is not visible
    qtbot.keyClick(window, Qt.Key.Key_F9)  # the old key no longer does it
    assert window.dock.isVisible() is not visible

    # the dialog opens again with what was saved
    again = window.shell.show_preferences("Shortcuts")
    assert again.current_page() == "Shortcuts"
    assert again.general.annotator_edit.text() == "Maria Lopez"
    assert again.general.theme_combo.currentData() == "dark"
    assert again.general.font_box.value() == 13
    assert again.shortcuts.shortcuts_of("toggle_panel") == ("Ctrl+Alt+P",)
    again.shortcuts.reset("toggle_panel")
    again.apply()
    assert _first(window.actions_by_id["toggle_panel"]) == "F9"
    assert load_settings().shortcuts == {}
    again.close()


def test_cancel_changes_nothing(qtbot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "a.sqlite")
    dialog = window.shell.show_preferences()
    dialog.general.theme_combo.setCurrentIndex(2)
    dialog.shortcuts.set_shortcut("find", "Ctrl+K")
    dialog.reject()
    assert window.settings.theme == "system"
    assert _first(window.actions_by_id["find"]) == "Ctrl+F"
    assert not settings_path().exists()  # nothing was written


def test_empty_annotator_is_refused(qtbot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "a.sqlite")
    dialog = window.shell.show_preferences("Backups")
    dialog.general.annotator_edit.setText("   ")
    assert dialog.apply() is False
    assert dialog.current_page() == "General"
    assert "cannot be empty" in dialog.general.error.text()
    assert window.settings.annotator == "tester"
    dialog.close()


def test_shortcut_conflicts_are_refused_with_a_message(qtbot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "a.sqlite")
    page = window.shell.show_preferences("Shortcuts").shortcuts
    # through the real editor: select "Find", press Enter, press Ctrl+O (Open's key)
    page.tree.setCurrentItem(page._items["find"])
    page.tree.setFocus()
    qtbot.keyClick(page.tree, Qt.Key.Key_Return)
    assert page.key_edit.hasFocus() or page.key_edit.keySequence().isEmpty()
    qtbot.keyClick(page.key_edit, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "Not changed" in page.message.text())
    assert "already the shortcut of “Open”" in page.message.text()
    assert page.shortcuts_of("find") == ("Ctrl+F",)
    assert page.key_edit.keySequence().toString() == "Ctrl+F"  # the editor shows it again
    # the OS's keys, the menu bar's Alt+letter and the label digits are refused too
    assert "operating system" in page.set_shortcut("find", "Alt+F4")
    assert "File menu" in page.set_shortcut("find", "Alt+F")
    assert "hotkey 3" in page.set_shortcut("find", "3")
    assert page.overrides() == {}
    # a free key is taken
    assert page.set_shortcut("find", "Ctrl+K") is None
    assert page.overrides() == {"find": "Ctrl+K"}
    assert page.message.text() == "“Find”: Ctrl+K."
    # and then Ctrl+F is free for another action
    assert page.set_shortcut("open_db", "Ctrl+F") is None


def test_first_run_asks_the_annotator_before_work_starts(qtbot, tmp_path: Path) -> None:
    settings = Settings(annotator="login-name")
    assert not settings.annotator_confirmed
    window = MainWindow(store=Store.open(tmp_path / "a.sqlite"), settings=settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.shell.annotator_dialog is not None)
    dialog = window.shell.annotator_dialog
    qtbot.waitExposed(dialog)
    assert dialog.isModal()
    assert dialog.name_edit.text() == "login-name"
    dialog.name_edit.setText("")
    assert not dialog.ok_button.isEnabled()
    dialog.name_edit.setText("Dr. Ana Ruiz")
    dialog.ok_button.click()
    assert window.settings.annotator == "Dr. Ana Ruiz"
    assert window.session.annotator == "Dr. Ana Ruiz"
    saved = load_settings()
    assert (saved.annotator, saved.annotator_confirmed) == ("Dr. Ana Ruiz", True)
    window.close()

    # confirmed once: the next start does not ask
    again = MainWindow(store=Store.open(tmp_path / "a.sqlite"), settings=load_settings())
    qtbot.addWidget(again)
    again.show()
    qtbot.wait(50)
    assert again.shell.annotator_dialog is None
    again.close()


def test_no_prompt_when_not_interactive(qtbot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "a.sqlite")  # interactive=False, as --selftest
    assert not window.settings.annotator_confirmed
    qtbot.wait(50)
    assert window.shell.annotator_dialog is None


def test_label_schema_export_and_import_through_the_page(qtbot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "a.sqlite")
    page = window.shell.show_preferences("Labels").labels_page
    out = tmp_path / "team.json"
    assert page.export_file(out)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [lb["name"] for lb in data["labels"]] == [
        "Summary fact",
        "Decision",
        "Guideline citation",
    ]
    data["labels"][1]["color"] = "#000080"
    data["labels"].append({"name": "Dosage", "color": "#27ae60", "hotkey": 4})
    out.write_text(json.dumps(data), encoding="utf-8")

    assert page.import_file(out)
    assert "1 added" in page.message.text() and "1 updated" in page.message.text()
    names = {lb.name: (lb.color, lb.hotkey) for lb in window.labels}
    assert names["Decision"] == ("#000080", 2)
    assert names["Dosage"] == ("#27ae60", 4)
    assert window.label_bar.button_for(window.labels.by_name("Dosage").id) is not None
    # one Ctrl+Z takes the whole import back
    assert window.session.undo_stack.undoText() == "Import labels from team.json"
    window.session.undo_stack.undo()
    assert window.labels.by_name("Dosage") is None
    assert window.labels.by_name("Decision").color == "#eb5757"


def test_a_bad_schema_file_says_what_is_wrong(qtbot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "a.sqlite")
    page = window.shell.show_preferences("Labels").labels_page
    bad = tmp_path / "bad.json"
    bad.write_text('{"labels": [{"name": "A", "color": "#fff"},]}', encoding="utf-8")
    before = [(lb.name, lb.color) for lb in window.labels]
    assert page.import_file(bad) is False
    assert page.message.text().startswith("bad.json was not imported. The file is not valid JSON")
    assert "line 1, column" in page.message.text()
    assert [(lb.name, lb.color) for lb in window.labels] == before
    assert not window.session.undo_stack.canUndo()
