"""Edit › Preferences: annotator, theme, font size, labels, shortcuts and backups.

The dialog edits a copy of the settings; OK or Apply hands the copy to whoever opened it
(``applied``), which applies it live and saves it. Labels are the exception: they live in
the database and change at once, undoably (see ``labels_page``).
"""

from __future__ import annotations

import copy
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPalette, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from imr_desktop.core.labels import LabelSet
from imr_desktop.core.session import AnnotationSet
from imr_desktop.core.settings import BACKUP_COUNT_MAX, FONT_SIZE_RANGE, BackupSettings, Settings
from imr_desktop.ui.labels_page import LabelsPage
from imr_desktop.ui.shortcut_editor import ShortcutsPage

THEMES = (("Follow the system", "system"), ("Light", "light"), ("Dark", "dark"))
PAGES = ("General", "Labels", "Shortcuts", "Backups")


class FontSizeBox(QSpinBox):
    """Points, with 0 shown as "System default"; one step from 0 goes to a usable size."""

    def __init__(self, system_size: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._system = round(system_size) or 10
        low, high = FONT_SIZE_RANGE
        self.setRange(0, int(high))
        self._low = int(low)
        self.setSpecialValueText(f"System default ({self._system} pt)")
        self.setSuffix(" pt")

    def stepBy(self, steps: int) -> None:
        value = self.value()
        if value == 0 and steps > 0:
            self.setValue(self._system + steps)
        elif value > 0 and value + steps < self._low:
            self.setValue(0)
        else:
            super().stepBy(steps)


class GeneralPage(QWidget):
    def __init__(self, settings: Settings, system_font: float, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("generalPage")
        self.annotator_edit = QLineEdit(settings.annotator)
        self.annotator_edit.setAccessibleName("Annotator name")
        self.annotator_edit.setMaxLength(80)
        self.annotator_edit.setToolTip("Saved with every annotation you make")
        self.theme_combo = QComboBox()
        self.theme_combo.setAccessibleName("Theme")
        for text, value in THEMES:
            self.theme_combo.addItem(text, value)
        self.theme_combo.setCurrentIndex(max(0, self.theme_combo.findData(settings.theme)))
        self.font_box = FontSizeBox(system_font)
        self.font_box.setAccessibleName("Interface font size")
        self.font_box.setValue(round(settings.font_size))
        self.error = QLabel()
        self.error.setStyleSheet("color: #c62828;")
        self.error.setAccessibleName("Problem")
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("&Annotator name:", self.annotator_edit)
        form.addRow(
            "", self._note("Saved with every annotation you make, so a team can merge its work.")
        )
        form.addRow("&Theme:", self.theme_combo)
        form.addRow("", self._note("The letter itself always stays black on white."))
        form.addRow("Interface &font size:", self.font_box)
        form.addRow(self.error)

    @staticmethod
    def _note(text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setForegroundRole(QPalette.ColorRole.PlaceholderText)  # muted in both themes
        font = label.font()
        font.setPointSizeF(font.pointSizeF() * 0.92)
        label.setFont(font)
        return label

    def write(self, settings: Settings) -> str | None:
        name = " ".join(self.annotator_edit.text().split())
        if not name:
            self.error.setText("The annotator name cannot be empty.")
            return self.error.text()
        self.error.setText("")
        settings.annotator = name
        settings.annotator_confirmed = True
        settings.theme = self.theme_combo.currentData()
        settings.font_size = float(self.font_box.value())
        return None


class BackupsPage(QWidget):
    def __init__(
        self, backups: BackupSettings, db_path: Path | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("backupsPage")
        intro = QLabel(
            "IMR Desktop copies the annotation database into a backups folder with SQLite's "
            "backup API and checks every copy. Older copies are thinned out: the most recent "
            "ones are kept, then one per day, then one per week."
        )
        intro.setWordWrap(True)
        self.recent_box = self._count(backups.keep_recent, "Recent backups to keep", low=1)
        self.daily_box = self._count(backups.keep_daily, "Daily backups to keep")
        self.weekly_box = self._count(backups.keep_weekly, "Weekly backups to keep")
        self.folder_edit = QLineEdit(backups.folder)
        self.folder_edit.setAccessibleName("Backups folder")
        default = (
            str(BackupSettings().folder_for(db_path)) if db_path else "backups/ beside the database"
        )
        self.folder_edit.setPlaceholderText(default)
        self.folder_edit.setToolTip("Empty: backups/ beside the database (shown in grey)")
        self.browse_button = QPushButton("&Browse…")
        self.browse_button.setAutoDefault(False)
        self.browse_button.clicked.connect(self._browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.browse_button)
        form = QFormLayout()
        form.addRow("Keep &recent:", self.recent_box)
        form.addRow("Keep &daily:", self.daily_box)
        form.addRow("Keep &weekly:", self.weekly_box)
        folder_label = QLabel("Backups &folder:")
        folder_label.setBuddy(self.folder_edit)
        form.addRow(folder_label, folder_row)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addStretch(1)

    @staticmethod
    def _count(value: int, name: str, low: int = 0) -> QSpinBox:
        box = QSpinBox()
        box.setRange(low, BACKUP_COUNT_MAX)
        box.setValue(value)
        box.setAccessibleName(name)
        if low == 0:
            box.setSpecialValueText("none")
        return box

    def _browse(self) -> None:
        start = self.folder_edit.text() or self.folder_edit.placeholderText()
        folder = QFileDialog.getExistingDirectory(self, "Backups folder", start)
        if folder:
            self.folder_edit.setText(folder)

    def write(self, settings: Settings) -> None:
        settings.backups = BackupSettings(
            keep_recent=self.recent_box.value(),
            keep_daily=self.daily_box.value(),
            keep_weekly=self.weekly_box.value(),
            folder=self.folder_edit.text().strip(),
        )


class PreferencesDialog(QDialog):
    applied = Signal(object)  # a Settings copy with the dialog's values

    def __init__(
        self,
        settings: Settings,
        *,
        labels: LabelSet | None,
        undo_stack: QUndoStack,
        annotations: AnnotationSet | None = None,
        menu_keys: dict[str, str] | None = None,
        system_font: float = 10.0,
        db_path: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("preferencesDialog")
        self.setWindowTitle("Preferences")
        self._settings = settings
        self.general = GeneralPage(settings, system_font)
        self.labels_page = LabelsPage(labels, undo_stack, annotations)
        self.shortcuts = ShortcutsPage(settings.shortcuts, menu_keys)
        self.backups = BackupsPage(settings.backups, db_path)

        self.page_list = QListWidget()
        self.page_list.setObjectName("preferencePages")
        self.page_list.setAccessibleName("Preference pages")
        self.page_list.addItems(list(PAGES))
        for row in range(self.page_list.count()):  # roomier rows, easier to hit
            item = self.page_list.item(row)
            item.setSizeHint(QSize(0, self.page_list.fontMetrics().height() + 14))
        metrics = self.page_list.fontMetrics()
        self.page_list.setFixedWidth(max(metrics.horizontalAdvance(p) for p in PAGES) + 40)
        self.stack = QStackedWidget()
        for page in (self.general, self.labels_page, self.shortcuts, self.backups):
            holder = QWidget()
            holder_layout = QVBoxLayout(holder)
            title = QLabel(f"<h3>{PAGES[self.stack.count()]}</h3>")
            holder_layout.addWidget(title)
            holder_layout.addWidget(page, 1)
            self.stack.addWidget(holder)
        self.page_list.currentRowChanged.connect(self.stack.setCurrentIndex)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.Apply
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.Apply).clicked.connect(self.apply)

        body = QHBoxLayout()
        body.addWidget(self.page_list)
        body.addWidget(self.stack, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.buttons)
        self.page_list.setCurrentRow(0)
        self.resize(860, 560)

    def show_page(self, name: str) -> None:
        self.page_list.setCurrentRow(PAGES.index(name))

    def current_page(self) -> str:
        return PAGES[self.stack.currentIndex()]

    def collect(self) -> Settings | None:
        """A copy of the settings with this dialog's values, or None if one is invalid."""
        result = copy.deepcopy(self._settings)
        if self.general.write(result) is not None:
            self.show_page("General")
            return None
        result.shortcuts = self.shortcuts.overrides()
        self.backups.write(result)
        return result

    def apply(self) -> bool:
        result = self.collect()
        if result is None:
            return False
        self.applied.emit(result)
        return True

    def accept(self) -> None:
        if self.apply():
            super().accept()

    def keyPressEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        # Enter in a text field commits the field, it does not close the dialog
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and isinstance(
            self.focusWidget(), QLineEdit
        ):
            event.accept()
            return
        super().keyPressEvent(event)
