"""Acceptance test for scanned letters: a corpus letter sent through a fax-like scan
(200 dpi grey, turned 1–2°, noise, JPEG; ``tests/scangen.py``) is read back by the real
OCR job (two worker processes) well enough to parse, and with character boxes where the
ink is, so clicking a word on the turned page selects that word. With each OCR engine:
the ``tesseract`` program and pymupdf's built-in Tesseract."""

from __future__ import annotations

import re
from pathlib import Path

import pymupdf

from imr_desktop.core.document import load_document
from imr_desktop.core.ocr import cache
from imr_desktop.core.ocr.job import Finished, OcrJob
from imr_desktop.core.structure import extract_structure
from imr_desktop.core.textlayer import word_at
from tests import scangen

HEADER_FIELDS = (
    "case_number",
    "date_assigned",
    "date_of_injury",
    "decision_date",
    "ur_denial_date",
    "application_received",
    "priority",
)


def _value(field):  # type: ignore[no-untyped-def]
    return field.value if field is not None else None


def test_fax_like_letter_is_recognised_and_parsed(
    fax_letter: tuple[Path, Path], tessdata: Path, ocr_engine: str
) -> None:
    letter, fax = fax_letter
    data = fax.read_bytes()
    with pymupdf.open(stream=data) as doc:
        count = doc.page_count
        assert not any(p.get_text().strip() for p in doc)  # really image-only
    job = OcrJob(data, fax.name, count, tessdata=tessdata)
    job.start()
    result = job.wait(timeout=300)
    assert isinstance(result, Finished), result
    assert [p.dpi for p in result.pages] == [200] * count  # the scan's own resolution
    text = cache.layer_of(result.pages).text
    born = load_document(letter).text

    assert scangen.word_recovery(born, text) >= 0.95

    want, got = extract_structure(born), extract_structure(text)
    assert [it.heading and it.heading.value for it in got.items] == [
        it.heading and it.heading.value for it in want.items
    ]
    assert [_value(it.outcome) for it in got.items] == [_value(it.outcome) for it in want.items]
    assert _value(got.final_outcome) == _value(want.final_outcome)
    for name in HEADER_FIELDS:  # the header table is read on its own, then validated
        assert _value(getattr(got, name)) == _value(getattr(want, name)), name

    # every word of the original, clicked where its ink landed on the turned fax page,
    # selects that word in the OCR text (as a double-click does)
    _data, transforms = scangen.fax_with_transforms(letter)
    layer = cache.layer_of(result.pages)
    hits = total = 0
    with pymupdf.open(letter) as original:
        for page in original:
            for x0, y0, x1, y1, word, *_ in page.get_text("words"):
                if not re.fullmatch(r"[A-Za-z]{3,}", word):
                    continue
                at = pymupdf.Point((x0 + x1) / 2, (y0 + y1) / 2) * transforms[page.number]
                caret = layer.caret_at(page.number, at.x, at.y)
                span = word_at(layer.text, caret) if caret is not None else None
                total += 1
                hits += span is not None and layer.text[span[0] : span[1]] == word
    assert total > 500 and hits / total >= 0.98, (hits, total)
