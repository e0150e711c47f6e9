"""Pytest fixtures that write generated test PDFs into ``tmp_path``.

Loaded from ``tests/conftest.py`` (``pytest_plugins``). Each fixture yields the ``Path``
of a fresh file the test may modify, rename or delete; the bytes are built once per test
process by ``tests/pdfgen.py`` and only written per test.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests import pdfgen


@pytest.fixture
def ligature_pdf(tmp_path: Path) -> Path:
    """1 page: shaped ff/fi/fl/ffi ligatures, literal ligature code points, non-ASCII."""
    return pdfgen.write_ligature_pdf(tmp_path / "ligatures.pdf")


@pytest.fixture
def rotated_pdf(tmp_path: Path) -> Path:
    """2 pages with /Rotate 90: upright text on a landscape page; sideways text."""
    return pdfgen.write_rotated_pdf(tmp_path / "rotated.pdf")


@pytest.fixture
def two_column_pdf(tmp_path: Path) -> Path:
    """1 page in two columns ("Left column …", then "Right column …")."""
    return pdfgen.write_two_column_pdf(tmp_path / "two-columns.pdf")


@pytest.fixture
def letter_pdf(tmp_path: Path) -> Path:
    """A plain 3-page letter, each page headed "Page k of 3"."""
    return pdfgen.write_letter_pdf(tmp_path / "letter.pdf", 3)


@pytest.fixture
def make_letter_pdf(tmp_path: Path) -> Callable[..., Path]:
    """Factory: ``make_letter_pdf(pages=3, name="letter-N.pdf") -> Path``."""

    def make(pages: int = 3, name: str | None = None) -> Path:
        return pdfgen.write_letter_pdf(tmp_path / (name or f"letter-{pages}.pdf"), pages)

    return make


@pytest.fixture
def long_letter_pdf(tmp_path: Path) -> Path:
    """A 300-page letter for benchmarks (built once per process, ~0.3 s)."""
    return pdfgen.write_letter_pdf(tmp_path / "letter-300.pdf", 300)


@pytest.fixture
def passage_letter_pdf(tmp_path: Path) -> Path:
    """3 pages; page 2 (index 1) holds ``pdfgen.KNOWN_PASSAGE`` on one line."""
    return pdfgen.write_passage_letter_pdf(tmp_path / "passage-letter.pdf")


@pytest.fixture
def encrypted_pdf(tmp_path: Path) -> Path:
    """1 page, AES-256; opens with ``pdfgen.USER_PASSWORD``."""
    return pdfgen.write_encrypted_pdf(tmp_path / "encrypted.pdf")


@pytest.fixture
def image_only_pdf(tmp_path: Path) -> Path:
    """2 pages that are pictures of a letter: no text layer."""
    return pdfgen.write_image_only_pdf(tmp_path / "scan.pdf")


@pytest.fixture
def truncated_pdf(tmp_path: Path) -> Path:
    """The first 60 % of a 3-page letter (MuPDF repairs it into 3 pages that draw nothing)."""
    return pdfgen.write_truncated_pdf(tmp_path / "truncated.pdf")


@pytest.fixture
def corrupt_pdf(tmp_path: Path) -> Path:
    """A PDF header followed by bytes that are not PDF syntax."""
    return pdfgen.write_corrupt_pdf(tmp_path / "corrupt.pdf")


@pytest.fixture
def not_a_pdf(tmp_path: Path) -> Path:
    """A plain text file named ``.pdf``."""
    return pdfgen.write_not_a_pdf(tmp_path / "notes.pdf")
