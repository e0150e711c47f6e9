"""Acceptance test for scanned letters: a corpus letter sent through a fax-like scan
(200 dpi grey, turned 1–2°, noise, JPEG; ``tests/scangen.py``) is read back by the real
OCR job (two worker processes) well enough to annotate and parse."""

from __future__ import annotations

from pathlib import Path

import pymupdf

from imr_desktop.core.document import load_document
from imr_desktop.core.ocr import cache
from imr_desktop.core.ocr.job import Finished, OcrJob
from imr_desktop.core.structure import extract_structure
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
    fax_letter: tuple[Path, Path], tessdata: Path
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
