"""Linux desktop integration files: desktop entry, AppStream metadata, icons."""

from __future__ import annotations

import configparser
import importlib.util
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from imr_desktop import DESKTOP_ID, __version__

ROOT = Path(__file__).resolve().parents[1]
LINUX = ROOT / "resources" / "linux"
HICOLOR = ROOT / "resources" / "icons" / "hicolor"
SIZES = (16, 32, 48, 64, 128, 256)


def _render_icons():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "render_icons", ROOT / "packaging/render_icons.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_desktop_entry() -> None:
    path = LINUX / f"{DESKTOP_ID}.desktop"
    entry = configparser.ConfigParser(interpolation=None, strict=True)
    entry.optionxform = str  # keys are case-sensitive
    entry.read(path, encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application"
    assert section["Name"] == "IMR Desktop"
    assert section["Exec"].split()[0] == "imr-desktop"  # the console script and /usr/bin link
    assert section["Icon"] == DESKTOP_ID  # the icon name, found in hicolor
    assert section["Terminal"] == "false"
    assert "Office" in section["Categories"].split(";")
    assert section["StartupWMClass"] == "imr-desktop"  # Qt's WM_CLASS: the app name
    if shutil.which("desktop-file-validate"):
        result = subprocess.run(["desktop-file-validate", str(path)], capture_output=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_appstream_metainfo_is_well_formed_and_consistent() -> None:
    path = LINUX / f"{DESKTOP_ID}.metainfo.xml"
    root = ET.parse(path).getroot()  # raises on XML that is not well-formed
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == DESKTOP_ID
    assert root.findtext("project_license") == "AGPL-3.0-or-later"
    assert root.findtext("metadata_license") == "CC0-1.0"
    assert root.find("launchable").text == f"{DESKTOP_ID}.desktop"
    assert root.find("provides/binary").text == "imr-desktop"
    assert root.find("releases/release").get("version") == __version__  # newest first
    summary = root.findtext("summary")
    assert summary and not summary.endswith(".") and len(summary) < 80
    if shutil.which("appstreamcli"):
        result = subprocess.run(
            ["appstreamcli", "validate", "--no-net", str(path)], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_icons_exist_in_every_size_and_match_the_svg(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QImage

    render_icons = _render_icons()
    svg = HICOLOR / "scalable" / "apps" / f"{DESKTOP_ID}.svg"
    ET.parse(svg)  # well-formed
    for size in SIZES:
        png = QImage(str(HICOLOR / f"{size}x{size}" / "apps" / f"{DESKTOP_ID}.png"))
        assert (png.width(), png.height()) == (size, size)
        fresh = render_icons.render(size, svg)
        # the committed PNG is what the SVG renders now (re-run render_icons.py otherwise)
        diff = 0
        for x in range(size):
            for y in range(size):
                a, b = png.pixelColor(x, y), fresh.pixelColor(x, y)
                diff += sum(abs(p - q) for p, q in zip(a.getRgb(), b.getRgb(), strict=True))
        assert diff / (size * size) < 2.0, f"{size} px icon is out of date"
        # legible at this size: the page is opaque and the outline dark
        centre = png.pixelColor(size // 2, size // 2)
        assert centre.alpha() == 255
        assert png.pixelColor(size * 3 // 16 + size // 32, size // 2).lightness() < 80


def test_window_icon_is_the_app_icon(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.ui_helpers import make_window

    window = make_window(qtbot, tmp_path / "a.sqlite")
    icon = window.windowIcon()
    assert not icon.isNull()
    assert {s.width() for s in icon.availableSizes()} >= set(SIZES)
    small = icon.pixmap(16, 16).toImage()
    ours = _render_icons().render(16)
    assert small.pixelColor(8, 8) == ours.pixelColor(8, 8)


@pytest.mark.parametrize("name", ["LICENSE", "THIRD-PARTY-NOTICES.md"])
def test_license_files_ship_in_resources(name: str) -> None:
    assert (ROOT / "resources" / name).stat().st_size > 1000


def test_windows_and_macos_icon_files(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QImageReader

    render_icons = _render_icons()
    ico, icns = tmp_path / "a.ico", tmp_path / "a.icns"
    assert render_icons.main(["--ico", str(ico), "--icns", str(icns)]) == 0
    for path, expected in ((ico, [16, 32, 48, 64, 128, 256]), (icns, [16, 32, 32, 64, 64])):
        reader = QImageReader(str(path))
        widths = []
        for i in range(reader.imageCount()):
            reader.jumpToImage(i)
            image = reader.read()
            assert not image.isNull(), (path.name, i)
            widths.append(image.width())
        assert widths[: len(expected)] == expected, (path.name, widths)
