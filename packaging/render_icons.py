"""Render the app icon's PNG sizes from its SVG with QtSvg (run after editing the SVG).

    python packaging/render_icons.py                     # the committed PNGs
    python packaging/render_icons.py --ico build/icons/imr-desktop.ico \
                                     --icns build/icons/imr-desktop.icns

Writes resources/icons/hicolor/NxN/apps/<id>.png for the sizes desktops ask for; they
are committed because desktop entries and installers need plain PNGs. A test re-renders
them and fails when they no longer match the SVG. ``--ico`` and ``--icns`` write the
Windows and macOS icon files the spec uses (PNG-compressed entries, every size).
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from imr_desktop import DESKTOP_ID  # noqa: E402

SIZES = (16, 32, 48, 64, 128, 256)
HICOLOR = ROOT / "resources" / "icons" / "hicolor"
SVG = HICOLOR / "scalable" / "apps" / f"{DESKTOP_ID}.svg"


def png_path(size: int) -> Path:
    return HICOLOR / f"{size}x{size}" / "apps" / f"{DESKTOP_ID}.png"


def render(size: int, svg: Path = SVG):  # type: ignore[no-untyped-def]
    """The SVG drawn into a transparent ``size`` × ``size`` QImage."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image.convertToFormat(QImage.Format.Format_ARGB32)


def png_bytes(size: int) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    render(size).save(buffer, "PNG")
    return bytes(data)


def write_ico(path: Path, pngs: dict[int, bytes]) -> None:
    """A Windows .ico whose entries are PNGs (Windows Vista and later read these)."""
    sizes = sorted(s for s in pngs if s <= 256)  # the format stops at 256 px
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = 6 + 16 * len(sizes)
    entries, blobs = b"", b""
    for size in sizes:
        blob = pngs[size]
        side = 0 if size >= 256 else size  # 0 means 256 in the directory entry
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(blob), offset)
        offset += len(blob)
        blobs += blob
    path.write_bytes(header + entries + blobs)


ICNS_TYPES = {  # OSType -> pixel size of the PNG it holds
    b"icp4": 16,
    b"icp5": 32,
    b"ic11": 32,
    b"icp6": 64,
    b"ic12": 64,
    b"ic07": 128,
    b"ic08": 256,
    b"ic13": 256,
    b"ic09": 512,
    b"ic14": 512,
}


def write_icns(path: Path, pngs: dict[int, bytes]) -> None:
    """A macOS .icns with PNG entries for 16-512 px (and their @2x variants)."""
    body = b""
    for ostype, size in ICNS_TYPES.items():
        blob = pngs[size]
        body += ostype + struct.pack(">I", 8 + len(blob)) + blob
    path.write_bytes(b"icns" + struct.pack(">I", 8 + len(body)) + body)


def main(argv: list[str] | None = None) -> int:
    from PySide6.QtGui import QGuiApplication

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ico", type=Path, help="also write a Windows .ico here")
    parser.add_argument("--icns", type=Path, help="also write a macOS .icns here")
    args = parser.parse_args(argv)
    _app = QGuiApplication.instance() or QGuiApplication([])
    if args.ico or args.icns:
        pngs = {size: png_bytes(size) for size in (*SIZES, 512)}
        for path, write in ((args.ico, write_ico), (args.icns, write_icns)):
            if path:
                path.parent.mkdir(parents=True, exist_ok=True)
                write(path, pngs)
                print(path)
        return 0
    for size in SIZES:
        out = png_path(size)
        out.parent.mkdir(parents=True, exist_ok=True)
        if not render(size).save(str(out), "PNG"):
            print(f"could not write {out}", file=sys.stderr)
            return 1
        print(out.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
