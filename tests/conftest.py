"""Test setup shared by the whole suite.

Qt runs offscreen (set before any QApplication exists); user data and config go to a
temporary folder so tests never touch the real user's database; tests that use qtbot
are marked ``gui`` so ``pytest -m "not gui"`` runs the core alone in seconds.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_QPA_FONTDIR", "/usr/share/fonts/truetype/dejavu")

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus"
LETTERS = CORPUS / "letters"
pytest_plugins = ["tests.fixtures_pdf", "tests.fixtures_scan"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "qtbot" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.gui)


@pytest.fixture(autouse=True)
def _isolated_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("IMR_DESKTOP_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("IMR_DESKTOP_CONFIG_DIR", str(base / "config"))


def corpus_letter(name: str = "CM16-0219557.pdf") -> Path:
    """A real letter from ../shared/corpus, or skip with the reason."""
    path = LETTERS / name
    if not path.exists():
        pytest.skip(f"needs the shared corpus at {LETTERS} (absent in this clone)")
    return path


@pytest.fixture
def corpus_dir() -> Path:
    if not LETTERS.is_dir():
        pytest.skip(f"needs the shared corpus at {LETTERS} (absent in this clone)")
    return CORPUS
