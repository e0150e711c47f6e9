"""The OCR job's process handling: progress, cancel, missing language data, dead workers."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from imr_desktop.core.ocr import tessdata as tessdata_module
from imr_desktop.core.ocr.engine import PagePlan
from imr_desktop.core.ocr.job import Failed, Finished, OcrJob, Progress, schedule
from imr_desktop.core.ocr.tessdata import APT_PACKAGE, OcrUnavailable
from tests import pdfgen, scangen


def _scan(pages: int) -> bytes:
    return scangen.scan_bytes(pdfgen.letter_bytes(pages))


def test_progress_grows_and_ends_with_every_page(tessdata: Path) -> None:
    job = OcrJob(_scan(2), "scan.pdf", 2, tessdata=tessdata)
    job.start()
    fractions: list[float] = []
    end = time.monotonic() + 300
    result = None
    while result is None and time.monotonic() < end:
        for event in job.poll(timeout=0.2):
            if isinstance(event, Progress):
                fractions.append(event.fraction)
            else:
                result = event
    assert isinstance(result, Finished)
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(fractions) >= 3
    assert [p.chars.index for p in result.pages] == [0, 1]
    assert "Page 2 of 2" in result.pages[1].chars.text
    assert not job.running


def test_cancel_stops_the_workers_at_once(tessdata: Path) -> None:
    job = OcrJob(_scan(4), "scan.pdf", 4, tessdata=tessdata)
    job.start()
    procs = list(job._procs)
    assert len(procs) == 2
    while not any(isinstance(e, Progress) for e in job.poll(timeout=0.2)):
        pass
    started = time.monotonic()
    job.cancel()
    assert time.monotonic() - started < 3
    assert all(p._closed for p in procs)  # killed, joined and closed
    assert job.poll() == [] and not job.running


def test_without_language_data_nothing_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tessdata_module, "find_tessdata", lambda environ=None: None)
    job = OcrJob(_scan(1), "scan.pdf", 1)
    with pytest.raises(OcrUnavailable, match=APT_PACKAGE):
        job.start()
    assert job._procs == []


def test_a_dead_worker_fails_the_job_with_a_message(tessdata: Path) -> None:
    job = OcrJob(_scan(3), "scan.pdf", 3, tessdata=tessdata)
    job.start()
    job._procs[0].kill()
    end = time.monotonic() + 60
    events: list = []
    while time.monotonic() < end and not any(isinstance(e, Failed | Finished) for e in events):
        events += job.poll(timeout=0.2)
    failed = [e for e in events if isinstance(e, Failed)]
    assert failed, events
    assert "scan.pdf" in failed[0].message and "stopped unexpectedly" in failed[0].message
    assert not job.running


def test_a_damaged_file_fails_cleanly(tessdata: Path) -> None:
    job = OcrJob(b"%PDF-1.7\n garbage", "junk.pdf", 1, tessdata=tessdata)
    job.start()
    result = job.wait(timeout=60)
    assert isinstance(result, Failed)
    assert result.message.startswith("Text recognition of junk.pdf failed")


def test_header_table_is_read_when_the_last_page_planned_has_a_text_layer(
    tessdata: Path,
) -> None:
    """The header table is queued once every page is planned; a page that keeps its own
    text layer counts as planned (else the job would wait for the table forever)."""
    import pymupdf

    from tests.conftest import corpus_letter

    letter = corpus_letter("CM16-0219557.pdf")
    with (
        pymupdf.open(stream=scangen.scan_bytes(letter.read_bytes())) as scan,
        pymupdf.open(letter) as born,
    ):
        mixed = pymupdf.open()
        mixed.insert_pdf(scan, from_page=0, to_page=0)
        mixed.insert_pdf(born, from_page=1, to_page=1)  # keeps its text layer
        data = mixed.tobytes()
    job = OcrJob(data, "mixed.pdf", 2, workers=1, tessdata=tessdata)  # plans in page order
    job.start()
    result = job.wait(timeout=300)
    assert isinstance(result, Finished), result
    first, second = result.pages
    assert first.recognised and not second.recognised
    assert "CM16-0219557" in first.chars.text  # read from the header table


# ---------------------------------------------------------------------------- schedule
def _plan(index: int, ink: int, share: float = 0.5, *, band: bool = False) -> PagePlan:
    strips = ((0.0, 0.0, 612.0, 396.0), (0.0, 396.0, 612.0, 792.0))
    table = (60.0, 80.0, 560.0, 160.0) if band else None
    return PagePlan(index, 612, 792, 200, strips, table, (share, 1 - share), ink)


def _shape(tasks: list) -> list[tuple[int, int, int]]:
    return [(plan.index, len(plan.strips), piece) for plan, piece in tasks]


def test_schedule_keeps_two_equal_pages_whole_and_the_table_last() -> None:
    tasks = schedule([_plan(0, 100, band=True), _plan(1, 100)], workers=2)
    assert _shape(tasks) == [(0, 1, 0), (1, 1, 0), (0, 1, -1)]


def test_schedule_cuts_one_page_of_three_and_queues_big_pieces_first() -> None:
    tasks = schedule([_plan(0, 100, band=True), _plan(1, 100), _plan(2, 100)], workers=2)
    shape = _shape(tasks)
    assert sorted(shape) == [(0, 2, -1), (0, 2, 0), (0, 2, 1), (1, 1, 0), (2, 1, 0)]
    assert shape[:2] == [(1, 1, 0), (2, 1, 0)] and shape[-1] == (0, 2, -1)
    # every piece of a page carries the same plan: the page is put back together from it
    assert len({id(plan) for plan, _ in tasks if plan.index == 0}) == 1


def test_schedule_cuts_a_single_page_for_two_workers_but_not_for_one() -> None:
    assert _shape(schedule([_plan(0, 100)], workers=2)) == [(0, 2, 0), (0, 2, 1)]
    assert _shape(schedule([_plan(0, 100), _plan(1, 60)], workers=1)) == [(0, 1, 0), (1, 1, 0)]


def test_schedule_cuts_only_pages_that_can_be_cut() -> None:
    whole = PagePlan(0, 612, 792, 200, ((0.0, 0.0, 612.0, 792.0),), None, (1.0,), 100)
    assert _shape(schedule([whole], workers=2)) == [(0, 1, 0)]
