"""What makes the main window an installed desktop app: preferences, help, about, theme,
icon, accessible names and the first-run question.

Kept out of ``main_window.py`` (which calls ``install`` once) so the window module
stays about documents and annotations. Everything here talks to the window through its
public attributes: ``settings``, ``actions_by_id``, ``labels``, ``session``.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from imr_desktop.core.settings import Settings, save_settings
from imr_desktop.ui.actions import apply_shortcuts
from imr_desktop.ui.icon import app_icon
from imr_desktop.ui.theme import ThemeController, keep_paper_white

if TYPE_CHECKING:
    from imr_desktop.ui.about import AboutDialog
    from imr_desktop.ui.cheat_sheet import CheatSheet
    from imr_desktop.ui.first_run import AnnotatorDialog
    from imr_desktop.ui.main_window import MainWindow
    from imr_desktop.ui.preferences import PreferencesDialog


def menu_mnemonics(window: MainWindow) -> dict[str, str]:
    """Alt+letter of each menu in the menu bar: a shortcut there would hide the menu."""
    keys: dict[str, str] = {}
    for action in window.menuBar().actions():
        text = action.text()
        index = text.find("&")
        if 0 <= index < len(text) - 1 and text[index + 1] != "&":
            name = text.replace("&", "")
            keys[f"Alt+{text[index + 1].upper()}"] = f"opens the {name} menu"
    return keys


class Shell(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("shell")
        self.window = window
        self.theme = ThemeController.for_app()
        self.preferences: PreferencesDialog | None = None
        self.cheat_sheet: CheatSheet | None = None
        self.about: AboutDialog | None = None
        self.annotator_dialog: AnnotatorDialog | None = None

        window.setWindowIcon(app_icon())
        self._add_menus()
        self._name_controls()
        keep_paper_white(window.text_view)
        self.theme.apply(window.settings.theme)
        if window.settings.font_size:
            self.theme.apply_font_size(window.settings.font_size)
        if window.interactive and not window.settings.annotator_confirmed:
            # after the window is shown, before it is used: the dialog is modal
            QTimer.singleShot(0, self.ask_annotator)

    # ------------------------------------------------------------------ menus
    def _add_menus(self) -> None:
        a = self.window.actions_by_id
        a["preferences"].setMenuRole(QAction.MenuRole.PreferencesRole)
        a["about"].setMenuRole(QAction.MenuRole.AboutRole)
        a["quit"].setMenuRole(QAction.MenuRole.QuitRole)
        a["preferences"].triggered.connect(lambda: self.show_preferences())
        a["shortcuts_help"].triggered.connect(self.show_cheat_sheet)
        a["about"].triggered.connect(self.show_about)
        # Preferences goes last in the menu that holds Manage Labels (Edit)
        edit = next(
            (m for m in a["manage_labels"].associatedObjects() if isinstance(m, QMenu)), None
        )
        if edit is not None:
            edit.addSeparator()
            edit.addAction(a["preferences"])
        help_menu = self.window.menuBar().addMenu("&Help")
        help_menu.setObjectName("helpMenu")
        help_menu.addAction(a["shortcuts_help"])
        help_menu.addSeparator()
        help_menu.addAction(a["about"])
        self.help_menu = help_menu

    def _name_controls(self) -> None:
        """Accessible names for the window's controls that have no visible label."""
        w = self.window
        names = {
            w.save_label: "Save state",
            w.count_label: "Annotation count",
            w.page_label: "Current page",
            w.zoom_label: "Zoom",
            w.page_total: "Page count",
            w.toolbar: "Main toolbar",
            w.tabs: "Side panel",
            w.stack: "Letter",
            w.banner: "Messages",
            w.empty: "No letter open",
        }
        for widget, name in names.items():
            if not widget.accessibleName():
                widget.setAccessibleName(name)

    # ------------------------------------------------------------------ dialogs
    # dialogs are imported when first opened: they cost start-up time and most runs
    # never open them
    def show_preferences(self, page: str | None = None) -> PreferencesDialog:
        from imr_desktop.ui.preferences import PreferencesDialog

        w = self.window
        if self.preferences is not None:
            self.preferences.close()
            self.preferences.deleteLater()
        dialog = PreferencesDialog(
            w.settings,
            labels=w.labels,
            undo_stack=w.session.undo_stack,
            annotations=w.session.annotations,
            menu_keys=menu_mnemonics(w),
            system_font=self.theme.system_font_size,
            db_path=w.store.path if w.store is not None else None,
            parent=w,
        )
        dialog.applied.connect(self.apply_settings)
        if page:
            dialog.show_page(page)
        self.preferences = dialog
        dialog.open()  # window-modal, returns at once (tests and the event loop go on)
        return dialog

    def show_cheat_sheet(self) -> CheatSheet:
        from imr_desktop.ui.cheat_sheet import CheatSheet

        if self.cheat_sheet is None:
            self.cheat_sheet = CheatSheet(self.window)
            self.cheat_sheet.editRequested.connect(self._edit_from_cheat_sheet)
        self.cheat_sheet.refresh(self.window.actions_by_id, self.window.labels)
        self.cheat_sheet.show()
        self.cheat_sheet.raise_()
        self.cheat_sheet.activateWindow()
        return self.cheat_sheet

    def _edit_from_cheat_sheet(self) -> None:
        if self.cheat_sheet is not None:
            self.cheat_sheet.close()
        self.show_preferences("Shortcuts")

    def show_about(self) -> AboutDialog:
        from imr_desktop.ui.about import AboutDialog

        if self.about is None:
            self.about = AboutDialog(app_icon(), self.window)
        self.about.open()
        return self.about

    def ask_annotator(self) -> AnnotatorDialog:
        from imr_desktop.ui.first_run import AnnotatorDialog

        dialog = AnnotatorDialog(self.window.settings.annotator, self.window)
        dialog.accepted.connect(lambda: self._annotator_confirmed(dialog.name()))
        self.annotator_dialog = dialog
        dialog.open()
        return dialog

    def _annotator_confirmed(self, name: str) -> None:
        new = copy.deepcopy(self.window.settings)
        new.annotator = name or new.annotator
        new.annotator_confirmed = True
        self.apply_settings(new)

    # ------------------------------------------------------------------ applying
    def apply_settings(self, new: Settings) -> None:
        """Take the preference fields of ``new`` into the window's settings, apply them
        live (theme, font, shortcuts, annotator) and save the file."""
        w = self.window
        s = w.settings
        s.annotator = new.annotator
        s.annotator_confirmed = new.annotator_confirmed
        s.theme = new.theme
        s.font_size = new.font_size
        s.shortcuts = dict(new.shortcuts)
        s.backups = copy.deepcopy(new.backups)
        self.theme.apply(s.theme)
        self.theme.apply_font_size(s.font_size)
        apply_shortcuts(w.actions_by_id, s.shortcuts)
        w.session.annotator = s.annotator
        if w.session.annotations is not None:
            w.session.annotations.annotator = s.annotator
        if self.cheat_sheet is not None and self.cheat_sheet.isVisible():
            self.cheat_sheet.refresh(w.actions_by_id, w.labels)
        try:
            save_settings(s)
        except OSError as exc:
            w.statusBar().showMessage(f"Preferences not saved: {exc}", 8000)


def install(window: MainWindow) -> Shell:
    return Shell(window)
