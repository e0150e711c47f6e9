"""The generated test PDFs are what their fixtures promise."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pymupdf
import pytest

from imr_desktop.core.document import load_document
from tests import pdfgen


def test_text_fixtures(ligature_pdf: Path, rotated_pdf: Path, two_column_pdf: Path) -> None:
    assert pdfgen.NON_ASCII in load_document(ligature_pdf).text
    with pymupdf.open(rotated_pdf) as doc:
        assert [page.rotation for page in doc] == [90, 90]
    assert "Right column 2." in load_document(two_column_pdf).text


def test_passage_is_on_page_two_on_one_line(passage_letter_pdf: Path) -> None:
    loaded = load_document(passage_letter_pdf)
    text, layer = loaded.text, loaded.layer
    start = text.index(pdfgen.KNOWN_PASSAGE)
    end = start + len(pdfgen.KNOWN_PASSAGE)
    assert text.count(pdfgen.KNOWN_PASSAGE) == 1
    assert layer.page_of(start) == layer.page_of(end - 1) == 1
    assert layer.line_span(start) == (start, end)
    assert len(layer.line_rects(start, end)) == 1


def test_letters_have_exactly_the_pages_asked_for(
    letter_pdf: Path, make_letter_pdf: Callable[..., Path]
) -> None:
    assert load_document(letter_pdf).page_count == 3
    five = make_letter_pdf(5, name="five.pdf")
    assert five.name == "five.pdf"
    loaded = load_document(five)
    assert loaded.page_count == 5
    assert [f"Page {k} of 5" in loaded.text for k in range(1, 6)] == [True] * 5


def test_long_letter_for_benchmarks(long_letter_pdf: Path) -> None:
    with pymupdf.open(long_letter_pdf) as doc:
        assert doc.page_count == 300
        assert "Page 300 of 300" in doc[299].get_text()


def test_long_letter_is_fast_to_build() -> None:
    pdfgen.letter_bytes.cache_clear()
    start = time.perf_counter()
    pdfgen.letter_bytes(300)
    assert time.perf_counter() - start < 5.0


def test_problem_files(
    encrypted_pdf: Path,
    image_only_pdf: Path,
    truncated_pdf: Path,
    corrupt_pdf: Path,
    not_a_pdf: Path,
) -> None:
    with pymupdf.open(encrypted_pdf) as doc:
        assert doc.needs_pass
        assert doc.authenticate(pdfgen.USER_PASSWORD)
    with pymupdf.open(image_only_pdf) as doc:
        assert doc.page_count == 2
        assert all(page.get_text().strip() == "" for page in doc)
        assert all(page.get_images() for page in doc)
    assert truncated_pdf.read_bytes().startswith(b"%PDF-")
    assert len(truncated_pdf.read_bytes()) < len(pdfgen.letter_bytes(3))
    with pytest.raises(pymupdf.FileDataError):
        pymupdf.open(corrupt_pdf)
    assert not_a_pdf.suffix == ".pdf"
    assert not_a_pdf.read_text(encoding="utf-8") == pdfgen.NOT_A_PDF_TEXT


def test_fixtures_are_fresh_files_per_test(tmp_path: Path, letter_pdf: Path) -> None:
    assert letter_pdf.parent == tmp_path
    letter_pdf.unlink()  # a test may delete or change its copy freely
    assert pdfgen.letter_bytes(3)[:5] == b"%PDF-"
