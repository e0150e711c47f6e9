"""Light and dark theme, following the system unless the user chose one; UI font size.

Dark uses Qt's Fusion style with our own palette: Fusion draws every widget from the
palette, so it looks the same on every desktop and offscreen. The letter itself stays
paper-white in both themes (the PDF page is painted white by the view; the text view
gets a white base here), so label fills keep the contrast they were chosen for.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QWidget

R = QPalette.ColorRole
G = QPalette.ColorGroup

# Chosen so every label colour of core.labels.PALETTE keeps ≥ 3:1 contrast on the
# window and list backgrounds (WCAG non-text contrast); tests/test_theme.py checks it.
DARK = {
    R.Window: "#262626",
    R.WindowText: "#e6e6e6",
    R.Base: "#1e1e1e",
    R.AlternateBase: "#2a2a2a",
    R.Text: "#e6e6e6",
    R.PlaceholderText: "#9a9a9a",
    R.Button: "#333333",
    R.ButtonText: "#e6e6e6",
    R.BrightText: "#ff7b7b",
    R.Light: "#4a4a4a",
    R.Midlight: "#3a3a3a",
    R.Mid: "#5c5c5c",  # also the canvas around PDF pages
    R.Dark: "#1a1a1a",
    R.Shadow: "#000000",
    R.Highlight: "#2f6fc9",
    R.HighlightedText: "#ffffff",
    R.Link: "#7cbcff",
    R.LinkVisited: "#c3a6ff",
    R.ToolTipBase: "#3a3a3a",
    R.ToolTipText: "#f0f0f0",
    R.Accent: "#2f6fc9",
}
DARK_DISABLED = {
    R.WindowText: "#7d7d7d",
    R.Text: "#7d7d7d",
    R.ButtonText: "#7d7d7d",
    R.Highlight: "#3d3d3d",
    R.HighlightedText: "#9a9a9a",
}


# Amber for what needs the user (orphaned annotations): (background, text). The light pair
# is the banner's warning; both keep text at ≥ 7:1 and the palette's own text at ≥ 4.5:1
# on the background (tests/test_orphans_gui.py checks it).
WARNING_LIGHT = ("#fff4d6", "#6b4b00")
WARNING_DARK = ("#3d3212", "#ffd36b")


def warning_colors(palette: QPalette) -> tuple[QColor, QColor]:
    """The warning background and text colour that suit ``palette`` (light or dark)."""
    background, text = WARNING_DARK if is_dark(palette) else WARNING_LIGHT
    return QColor(background), QColor(text)


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, color in DARK.items():
        palette.setColor(role, QColor(color))
    for role, color in DARK_DISABLED.items():
        palette.setColor(G.Disabled, role, QColor(color))
    return palette


def paper_palette() -> QPalette:
    """Only Base and Text fixed (black on white); every other role still follows the app."""
    palette = QPalette()
    palette.setColor(R.Base, QColor("#ffffff"))
    palette.setColor(R.Text, QColor("#1a1a1a"))
    return palette


def is_dark(palette: QPalette) -> bool:
    return palette.color(R.Window).lightness() < 128


def system_prefers_dark() -> bool:
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


class ThemeController(QObject):
    """Applies theme and font size to the application; one per QApplication.

    Remembers the style, palette and font the platform gave at start, so "light",
    "system" and font size 0 can go back to exactly those."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.setObjectName("themeController")
        self._app = app
        self._style = app.style().name()
        self._palette = QPalette(app.palette())
        self._font = QFont(app.font())
        self.theme = "system"
        self.applied = "light"  # what "system" resolved to, or the explicit choice
        app.styleHints().colorSchemeChanged.connect(self._on_system_scheme)

    @classmethod
    def for_app(cls, app: QApplication | None = None) -> ThemeController:
        app = app or QApplication.instance()  # type: ignore[assignment]
        assert isinstance(app, QApplication), "a QApplication must exist"
        found = app.findChild(ThemeController, "themeController")
        return found if found is not None else cls(app)

    # ------------------------------------------------------------------ theme
    def apply(self, theme: str) -> str:
        """Apply "system", "light" or "dark"; returns "light" or "dark"."""
        self.theme = theme if theme in ("system", "light", "dark") else "system"
        want_dark = self.theme == "dark" or (self.theme == "system" and system_prefers_dark())
        if want_dark:
            if self.theme == "system" and is_dark(self._palette):
                self._restore()  # the platform already gives a dark palette: keep it
            else:
                self._app.setStyle("Fusion")
                self._app.setPalette(dark_palette())
        elif is_dark(self._palette):
            # the platform is dark but the user wants light: Fusion's own light palette
            self._app.setStyle("Fusion")
            self._app.setPalette(self._app.style().standardPalette())
        else:
            self._restore()
        self.applied = "dark" if want_dark else "light"
        return self.applied

    def _restore(self) -> None:
        if self._app.style().name() != self._style:
            self._app.setStyle(self._style)
        self._app.setPalette(self._palette)

    def _on_system_scheme(self, _scheme: Qt.ColorScheme) -> None:
        if self.theme == "system":
            self.apply("system")

    # ------------------------------------------------------------------ font
    def apply_font_size(self, points: float) -> None:
        """UI font size in points; 0 gives back the system's font."""
        font = QFont(self._font)
        if points > 0:
            font.setPointSizeF(points)
        self._app.setFont(font)

    @property
    def system_font_size(self) -> float:
        return self._font.pointSizeF()


def keep_paper_white(widget: QWidget) -> None:
    """The letter's text view stays black on white in a dark theme, like the PDF page."""
    widget.setPalette(paper_palette())
