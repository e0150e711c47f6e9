"""Fixtures for scanned letters and OCR (loaded from ``tests/conftest.py``).

Scans are generated from born-digital PDFs at test time (``tests/scangen.py``). OCR tests
need Tesseract's English data: ``.ci/run`` installs it; elsewhere they skip and say how.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from imr_desktop.core.ocr import program
from imr_desktop.core.ocr.tessdata import APT_PACKAGE, find_tessdata
from tests import pdfgen, scangen

FAX_LETTER = "CM16-0235991.pdf"  # 3 pages, header table, 2 items, partially overturned


@pytest.fixture(scope="session")
def tessdata() -> Path:
    folder = find_tessdata()
    if folder is None:
        pytest.skip(
            f"needs Tesseract's English data (apt install {APT_PACKAGE}, or set "
            "TESSDATA_PREFIX); .ci/run installs it"
        )
    return folder


@pytest.fixture
def clean_scan_pdf(tmp_path: Path) -> Path:
    """A one-page generated letter as a clean 200 dpi image-only PDF."""
    path = tmp_path / "clean-scan.pdf"
    path.write_bytes(scangen.scan_bytes(pdfgen.letter_bytes(1)))
    return path


@pytest.fixture
def fax_letter(tmp_path: Path) -> tuple[Path, Path]:
    """(born-digital corpus letter, its fax-like image-only copy)."""
    from tests.conftest import corpus_letter

    letter = corpus_letter(FAX_LETTER)
    fax = tmp_path / f"fax-{FAX_LETTER}"
    fax.write_bytes(scangen.fax_of(letter))
    return letter, fax


@pytest.fixture(params=["program", "builtin"])
def ocr_engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Each OCR engine in turn (``core/ocr/program.py``): the ``tesseract`` program, when
    installed, and pymupdf's built-in Tesseract. Set through the environment, so the OCR
    job's worker processes use it too."""
    monkeypatch.setenv(program.ENV_VAR, request.param)
    monkeypatch.setattr(program, "_failed", False)
    program.find.cache_clear()
    if request.param == "program" and program.find() is None:
        pytest.skip(
            "the tesseract program is not installed (apt install tesseract-ocr; .ci/run does)"
        )
    yield request.param
    program.find.cache_clear()
