"""OCR benchmark (issue 7, item 6). Run: python tests/benchmarks/bench_ocr.py [--letters N]

Corpus letters are turned into fax-like scans at run time (200 dpi grey, turned 1–2°,
noise, JPEG: ``tests/scangen.py``) and read back by the app's OCR job with two worker
processes. Per letter and overall it prints:
- ``s_per_page``: wall clock from the click to the last page assembled (the app boots the
  two workers while the offer is shown; so does this). Target: ≤ 2 s/page on 2 cores;
- ``cpu_s_per_page``: CPU of everything the job costs — the workers (boot included) and
  this process (queues, assembling pages) — split into ``worker_cpu_s_per_page`` (after
  boot), ``boot_cpu_s`` (per letter, both workers) and ``main_cpu_s_per_page``;
- ``parallel``: worker CPU after boot / (2 × wall): 1.0 is both cores busy all the time;
- words recovered: the share of the born-digital words (whitespace-separated, punctuation
  and case kept; a multiset) found in the OCR text (target: ≥ 95 %);
- whether the structure extractor still finds every item, every outcome, the final
  outcome and the header values;
- the load average (1 min) before and after: the machine is shared, and CPU seconds
  grow with other people's load too (caches), so compare runs made at similar load.
Next to it, in the same run, the raw library doing the same work: pymupdf's
``get_textpage_ocr(full=True)`` page by page in this one process, at the scan's 200 dpi
(CPU and wall per page, words) for the same letters, and at pymupdf's 72 dpi default for
the first one; and, when the ``tesseract`` program is installed (which the app then uses:
``imr_desktop/core/ocr/program.py``), that program on the same 200 dpi page images, one
page at a time. ``engine`` names the engine the app used; ``IMR_OCR_ENGINE=builtin``
measures the app with pymupdf's built-in Tesseract instead.
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


def _cpu(who: int) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def _process_cpu(pid: int) -> float:
    """CPU seconds a live process has used so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def bench_letter(path: Path, seed: int) -> dict:
    import multiprocessing as mp

    import pymupdf

    from imr_desktop.core.document import load_document
    from imr_desktop.core.ocr import cache
    from imr_desktop.core.ocr.job import Finished, OcrJob
    from imr_desktop.core.structure import extract_structure
    from tests import scangen

    fax = scangen.fax_bytes(path.read_bytes(), seed)
    pages = pymupdf.open(stream=fax).page_count
    load = _load()
    children0 = _cpu(resource.RUSAGE_CHILDREN)
    job = OcrJob(fax, path.name, pages)
    job.prepare()  # as in the app: workers boot while the user reads the OCR offer
    time.sleep(1.5)
    boot = sum(_process_cpu(p.pid) for p in mp.active_children() if p.name == "imr-ocr")
    main0 = _cpu(resource.RUSAGE_SELF)
    started = time.perf_counter()
    job.start()
    result = job.wait(timeout=600)
    wall = time.perf_counter() - started
    main = _cpu(resource.RUSAGE_SELF) - main0
    workers = _cpu(resource.RUSAGE_CHILDREN) - children0  # the workers are joined by now
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
        "cpu_s_per_page": round((workers + main) / pages, 2),
        "worker_cpu_s_per_page": round((workers - boot) / pages, 2),
        "boot_cpu_s": round(boot, 2),
        "main_cpu_s_per_page": round(main / pages, 2),
        "parallel": round((workers - boot) / (2 * wall), 2),
        "load": [load, _load()],
        "words": round(100 * scangen.word_recovery(born, text), 2),
        "items_found": items,
        "outcomes_found": outcomes,
        "final_outcome": _v(want.final_outcome) == _v(got.final_outcome),
        "header_fields": f"{header}/{len(HEADER)}",
        "notes": list(result.notes),
    }


def bench_raw(path: Path, seed: int, resolutions: tuple[int, ...]) -> dict:
    """pymupdf's own OCR call, one process, page by page."""
    import pymupdf

    from imr_desktop.core.document import load_document
    from imr_desktop.core.ocr import program
    from imr_desktop.core.ocr.tessdata import require_tessdata
    from tests import scangen

    tessdata = str(require_tessdata())
    fax = scangen.fax_bytes(path.read_bytes(), seed)
    born = load_document(path).text
    out = {}
    for dpi in resolutions:
        doc = pymupdf.open(stream=fax)
        load = _load()
        cpu0, started = _cpu(resource.RUSAGE_SELF), time.perf_counter()
        text = "".join(
            page.get_text(textpage=page.get_textpage_ocr(dpi=dpi, full=True, tessdata=tessdata))
            for page in doc
        )
        wall = time.perf_counter() - started
        cpu = _cpu(resource.RUSAGE_SELF) - cpu0
        out[f"raw_{dpi}dpi"] = {
            "pages": doc.page_count,
            "s_per_page": round(wall / doc.page_count, 2),
            "cpu_s_per_page": round(cpu / doc.page_count, 2),
            "words": round(100 * scangen.word_recovery(born, text), 2),
            "load": [load, _load()],
        }
    if program.find() is not None:  # the same page images through the tesseract program
        doc = pymupdf.open(stream=fax)
        load = _load()
        cpu0 = _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        parts = []
        for page in doc:
            pix = page.get_pixmap(dpi=200, colorspace=pymupdf.csGRAY, alpha=False)
            data = program.ocr_pdf(pix.tobytes("pnm"), 200, "eng", Path(tessdata))
            with pymupdf.open(stream=data, filetype="pdf") as ocr:
                parts.append(ocr[0].get_text())
        wall = time.perf_counter() - started
        cpu = _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN) - cpu0
        out["raw_program_200dpi"] = {
            "pages": doc.page_count,
            "s_per_page": round(wall / doc.page_count, 2),
            "cpu_s_per_page": round(cpu / doc.page_count, 2),
            "words": round(100 * scangen.word_recovery(born, "".join(parts)), 2),
            "load": [load, _load()],
        }
    return out


def _engine() -> str:
    from imr_desktop.core.ocr import program

    found = program.find()
    return f"tesseract program {found[1]}" if found else "pymupdf built-in Tesseract"


def _pooled(runs: list[dict]) -> dict:
    """Per-letter raw runs as one: per-page means weighted by pages, words min/median."""
    pages = sum(r["pages"] for r in runs)
    return {
        "pages": pages,
        **{
            key: round(sum(r[key] * r["pages"] for r in runs) / pages, 2)
            for key in ("s_per_page", "cpu_s_per_page")
        },
        "words_min": min(r["words"] for r in runs),
        "words_median": statistics.median(r["words"] for r in runs),
        "load": [runs[0]["load"][0], runs[-1]["load"][1]],
    }


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
    load = _load()
    letters = [(LETTERS / name, 7 + k) for k, name in enumerate(DEFAULT[: args.letters])]
    rows = []
    for path, seed in letters:
        rows.append(bench_letter(path, seed))
        print(json.dumps(rows[-1]), flush=True)
    pages = sum(r["pages"] for r in rows)

    def per_page(key: str) -> float:
        return round(sum(r[key] * r["pages"] for r in rows) / pages, 2)

    summary = {
        "letters": len(rows),
        "pages": pages,
        "s_per_page": per_page("s_per_page"),
        "cpu_s_per_page": per_page("cpu_s_per_page"),
        "worker_cpu_s_per_page": per_page("worker_cpu_s_per_page"),
        "boot_cpu_s": round(statistics.median(r["boot_cpu_s"] for r in rows), 2),
        "main_cpu_s_per_page": per_page("main_cpu_s_per_page"),
        "parallel": round(statistics.median(r["parallel"] for r in rows), 2),
        "words_min": min(r["words"] for r in rows),
        "words_median": statistics.median(r["words"] for r in rows),
        "all_items_and_outcomes": all(
            r["items_found"] and r["outcomes_found"] and r["final_outcome"] for r in rows
        ),
        "header_fields": f"{sum(int(r['header_fields'].split('/')[0]) for r in rows)}"
        f"/{len(HEADER) * len(rows)}",
        "engine": _engine(),
        "cores": os.cpu_count(),
        "load_average_before": load,
        "load_average_after": _load(),
    }
    if not args.no_raw:
        raw = [
            bench_raw(path, seed, (200, 72) if k == 0 else (200,))
            for k, (path, seed) in enumerate(letters)
        ]
        for name in ("raw_200dpi", "raw_program_200dpi"):
            if name in raw[0]:
                summary[name] = _pooled([r[name] for r in raw])
        summary["raw_72dpi_first_letter"] = raw[0]["raw_72dpi"]
    print(json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":  # the OCR workers are spawned: this guard is required
    raise SystemExit(main())
