"""Fixtures for scanned letters and OCR (loaded from ``tests/conftest.py``).

Scans are generated from born-digital PDFs at test time (``tests/scangen.py``). OCR tests
need Tesseract's English data: ``.ci/run`` installs it; elsewhere they skip and say how.
"""

from __future__ import annotations

from pathlib import Path

import pytest

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
