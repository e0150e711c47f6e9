"""OCR benchmark (issue 7, item 6). Run: python tests/benchmarks/bench_ocr.py [--letters N]

Corpus letters are turned into fax-like scans at run time (200 dpi grey, turned 1–2°,
noise, JPEG: ``tests/scangen.py``) and read back by the app's OCR job with two worker
processes. Per letter and overall it prints:
- seconds per page, wall clock from the click (the app boots the two workers while the
  offer is shown; so does this), and the workers' CPU seconds per page, start-up
  included (target: ≤ 2 s/page on 2 cores);
- words recovered: the share of the born-digital words (whitespace-separated, punctuation
  and case kept; a multiset) found in the OCR text (target: ≥ 95 %);
- whether the structure extractor still finds every item, every outcome, the final
  outcome and the header values.
Next to it, the raw library doing the same work on the first letter: pymupdf's
``get_textpage_ocr(full=True)`` page by page in one process, at pymupdf's 72 dpi
default and at the scan's 200 dpi.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

LETTERS = ROOT.parent / "shared" / "corpus" / "letters"
# a spread: 2-5 pages, 1-15 items, upheld / overturned / partially overturned
DEFAULT = [
    "CM16-0235991.pdf",
    "CM16-0219557.pdf",
    "CM16-0231745.pdf",
    "CM17-0014449.pdf",
    "CM16-0236380.pdf",
    "CM17-0004738.pdf",
    "CM16-0230651.pdf",
    "CM16-0245796.pdf",
]
HEADER = ("case_number", "date_assigned", "date_of_injury", "decision_date",
          "ur_denial_date", "application_received", "priority")  # fmt: skip


def _v(field):  # type: ignore[no-untyped-def]
    return field.value if field is not None else None


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def bench_letter(path: Path, seed: int) -> dict:
    import pymupdf

    from imr_desktop.core.document import load_document
    from imr_desktop.core.ocr import cache
    from imr_desktop.core.ocr.job import Finished, OcrJob
    from imr_desktop.core.structure import extract_structure
    from tests import scangen

    fax = scangen.fax_bytes(path.read_bytes(), seed)
    pages = pymupdf.open(stream=fax).page_count
    cpu0 = _children_cpu()
    job = OcrJob(fax, path.name, pages)
    job.prepare()  # as in the app: workers boot while the user reads the OCR offer
    time.sleep(1.5)
    started = time.perf_counter()
    job.start()
    result = job.wait(timeout=600)
    wall = time.perf_counter() - started
    cpu = _children_cpu() - cpu0
    assert isinstance(result, Finished), result
    text = cache.layer_of(result.pages).text
    born = load_document(path).text
    want, got = extract_structure(born), extract_structure(text)
    items = [_v(i.heading) for i in want.items] == [_v(i.heading) for i in got.items]
    outcomes = [_v(i.outcome) for i in want.items] == [_v(i.outcome) for i in got.items]
    header = sum(_v(getattr(want, f)) == _v(getattr(got, f)) for f in HEADER)
    return {
        "letter": path.name,
        "pages": pages,
        "items": len(want.items),
        "s_per_page": round(wall / pages, 2),
        "cpu_s_per_page": round(cpu / pages, 2),
        "words": round(100 * scangen.word_recovery(born, text), 2),
        "items_found": items,
        "outcomes_found": outcomes,
        "final_outcome": _v(want.final_outcome) == _v(got.final_outcome),
        "header_fields": f"{header}/{len(HEADER)}",
        "notes": list(result.notes),
    }


def bench_raw(path: Path, seed: int) -> dict:
    """pymupdf's own OCR call, one process, page by page, at two resolutions."""
    import pymupdf

    from imr_desktop.core.document import load_document
    from imr_desktop.core.ocr.tessdata import require_tessdata
    from tests import scangen

    tessdata = str(require_tessdata())
    fax = scangen.fax_bytes(path.read_bytes(), seed)
    born = load_document(path).text
    out = {}
    for dpi in (72, 200):
        doc = pymupdf.open(stream=fax)
        started = time.perf_counter()
        text = "".join(
            page.get_text(textpage=page.get_textpage_ocr(dpi=dpi, full=True, tessdata=tessdata))
            for page in doc
        )
        wall = time.perf_counter() - started
        out[f"raw_{dpi}dpi"] = {
            "s_per_page": round(wall / doc.page_count, 2),
            "words": round(100 * scangen.word_recovery(born, text), 2),
        }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=len(DEFAULT))
    parser.add_argument("--no-raw", action="store_true", help="skip the raw pymupdf runs")
    args = parser.parse_args()
    from imr_desktop.core.ocr.tessdata import find_tessdata

    if find_tessdata() is None:
        print("needs Tesseract's English data: apt install tesseract-ocr-eng", file=sys.stderr)
        return 2
    if not LETTERS.is_dir():
        print(f"needs the corpus at {LETTERS}", file=sys.stderr)
        return 2
    load = os.getloadavg()[0]
    rows = [bench_letter(LETTERS / name, 7 + k) for k, name in enumerate(DEFAULT[: args.letters])]
    for row in rows:
        print(json.dumps(row), flush=True)
    pages = sum(r["pages"] for r in rows)
    summary = {
        "letters": len(rows),
        "pages": pages,
        "s_per_page": round(sum(r["s_per_page"] * r["pages"] for r in rows) / pages, 2),
        "cpu_s_per_page": round(sum(r["cpu_s_per_page"] * r["pages"] for r in rows) / pages, 2),
        "words_min": min(r["words"] for r in rows),
        "words_median": statistics.median(r["words"] for r in rows),
        "all_items_and_outcomes": all(
            r["items_found"] and r["outcomes_found"] and r["final_outcome"] for r in rows
        ),
        "header_fields": f"{sum(int(r['header_fields'].split('/')[0]) for r in rows)}"
        f"/{len(HEADER) * len(rows)}",
        "cores": os.cpu_count(),
        "load_average_before": round(load, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
    }
    if not args.no_raw:
        summary.update(bench_raw(LETTERS / DEFAULT[0], 7))
    print(json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":  # the OCR workers are spawned: this guard is required
    raise SystemExit(main())
