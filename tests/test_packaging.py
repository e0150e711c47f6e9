"""Build the PyInstaller bundle the way a release does and run it (marked ``packaging``).

Takes about a minute (the build) on a 2-core machine; ``pytest -m "not packaging"``
leaves it out. It builds with this interpreter's environment (PYTHON=sys.executable),
so the test extra provides PyInstaller.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from imr_desktop import DESKTOP_ID, __version__

ROOT = Path(__file__).resolve().parents[1]
MAX_BUNDLE_MB = 250

pytestmark = [
    pytest.mark.packaging,
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="builds the Linux bundle"),
]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        pytest.fail("PyInstaller is missing: pip install -e '.[test]'")
    out = tmp_path_factory.mktemp("build")
    env = dict(
        os.environ, PYTHON=sys.executable, DIST_DIR=str(out / "dist"), WORK_DIR=str(out / "w")
    )
    result = subprocess.run(
        ["bash", "packaging/build-linux.sh"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert f"IMR Desktop {__version__}" in result.stdout
    return out / "dist" / "imr-desktop"


def _run(bundle: Path, *args: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        IMR_DESKTOP_CONFIG_DIR=str(tmp / "config"),
        IMR_DESKTOP_DATA_DIR=str(tmp / "data"),
    )
    return subprocess.run(
        [str(bundle / "imr-desktop"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp,  # not the checkout: the bundle must not lean on it
    )


def test_bundle_selftest_paints_the_sample_letter(bundle: Path, tmp_path: Path) -> None:
    result = _run(bundle, "--selftest", tmp=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["kind"] == "pdf" and report["pages"] == 3
    assert report["chars"] > 5000
    assert report["svg_icon"] is True  # Qt's SVG plugin made it into the bundle
    assert 0 < report["first_paint_ms"] < 30_000
    # no settings prompt, no traceback, nothing but Qt's own notices on stderr
    assert "Traceback" not in result.stderr


def test_bundle_runs_a_command_line_subcommand(bundle: Path, tmp_path: Path) -> None:
    sample = bundle / "_internal" / "resources" / "samples" / "sample-determination.pdf"
    result = _run(bundle, "extract", str(sample), "--json", tmp=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "CM16-0913527" in result.stdout


def test_bundle_size_and_contents(bundle: Path) -> None:
    size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file() and not p.is_symlink())
    assert size / 1e6 <= MAX_BUNDLE_MB, f"{size / 1e6:.0f} MB"
    internal = bundle / "_internal"
    resources = internal / "resources"
    for name in (
        "LICENSE",
        "THIRD-PARTY-NOTICES.md",
        "samples/sample-determination.pdf",
        f"icons/hicolor/scalable/apps/{DESKTOP_ID}.svg",
        f"icons/hicolor/16x16/apps/{DESKTOP_ID}.png",
        f"linux/{DESKTOP_ID}.desktop",
    ):
        assert (resources / name).is_file(), name
    assert list((internal / "source").glob("imr-desktop-*-src.tar.gz")), "AGPL: source inside"
    qt = internal / "PySide6" / "Qt"
    assert not (qt / "translations").exists()
    assert not list(qt.rglob("libqgtk3.so")), "GTK theme plugin must not be bundled"
    assert not list(internal.rglob("libQt6Quick.so*"))
    assert not list(internal.rglob("numpy"))
    assert list((qt / "plugins" / "platforms").glob("libqxcb.so"))
    assert list((qt / "plugins" / "platforms").glob("libqwayland*.so"))


@pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="needs dpkg-deb (Debian/Ubuntu)")
def test_deb_package_puts_files_where_desktops_look(bundle: Path, tmp_path: Path) -> None:
    env = dict(os.environ, DEB_COMPRESS="gzip", DEB_LEVEL="1")
    result = subprocess.run(
        ["bash", "packaging/build-deb.sh", str(bundle), str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr
    deb = next(tmp_path.glob(f"imr-desktop_{__version__}_*.deb"))
    fields = subprocess.run(
        ["dpkg-deb", "--field", str(deb), "Package", "Version", "Depends"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Package: imr-desktop" in fields and f"Version: {__version__}" in fields
    assert "libegl1" in fields and "libc6" in fields
    root = tmp_path / "root"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    link = root / "usr" / "bin" / "imr-desktop"
    assert link.is_symlink() and os.readlink(link) == "/opt/imr-desktop/imr-desktop"
    assert os.access(root / "opt" / "imr-desktop" / "imr-desktop", os.X_OK)
    share = root / "usr" / "share"
    assert (share / "applications" / f"{DESKTOP_ID}.desktop").is_file()
    assert (share / "metainfo" / f"{DESKTOP_ID}.metainfo.xml").is_file()
    for size in (16, 32, 48, 64, 128, 256):
        assert (
            share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{DESKTOP_ID}.png"
        ).is_file()
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / f"{DESKTOP_ID}.svg").is_file()
    assert (share / "doc" / "imr-desktop" / "copyright").is_file()
    # the unpacked copy runs from its /opt location
    run = _run(root / "opt" / "imr-desktop", "--version", tmp=tmp_path)
    assert run.stdout.strip() == f"IMR Desktop {__version__}"
