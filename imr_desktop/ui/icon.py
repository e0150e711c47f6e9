"""The app icon, from the SVG in resources/icons (with its rendered PNG sizes)."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtGui import QIcon

from imr_desktop import DESKTOP_ID, paths

ICON_SIZES = (16, 32, 48, 64, 128, 256)


@lru_cache(maxsize=1)
def app_icon() -> QIcon:
    """The app icon from its SVG, with the rendered PNGs as exact small sizes (and as a
    fallback where Qt's SVG plugin is missing)."""
    hicolor = paths.resource("icons", "hicolor")
    icon = QIcon()
    for size in ICON_SIZES:
        png = hicolor / f"{size}x{size}" / "apps" / f"{DESKTOP_ID}.png"
        if png.exists():
            icon.addFile(str(png))
    svg = hicolor / "scalable" / "apps" / f"{DESKTOP_ID}.svg"
    if svg.exists():
        icon.addFile(str(svg))
    return icon
