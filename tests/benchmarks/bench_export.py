"""Export benchmarks: ``python tests/benchmarks/bench_export.py [--docs 10000]``.

Targets (issue 5): 10,000 annotated documents to JSONL in <= 10 s and to .spacy in
<= 60 s; a 20-page packet in <= 1 s; memory flat as the library grows (peak RSS of the
export process at 1k vs 10k documents). Libraries are built through the real Store API
(one transaction per library) from the corpus letters when present, else from generated
letters. Each export runs in a fresh process so its peak RSS is its own; its CPU time
is printed beside the wall time, which other work on a shared machine inflates.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from imr_desktop.core.model import Annotation, DocumentRecord  # noqa: E402
from imr_desktop.core.store import Store  # noqa: E402

LETTERS = ROOT.parent / "shared" / "corpus" / "letters"
PHRASES = ("Upheld", "Overturned", "medically necessary", "MTUS", "ODG", "Decision rationale")


def base_texts() -> list[str]:
    texts: list[str] = []
    if LETTERS.is_dir():
        from imr_desktop.core.document import load_document

        for path in sorted(LETTERS.glob("*.pdf"))[:40]:
            texts.append(load_document(path).text)
    if not texts:
        from tests.export_helpers import letter_html

        texts = [letter_html(items=3, filler=30)]
    return texts


def build(path: Path, n: int, texts: list[str]) -> int:
    store = Store.open(path)
    labels = store.labels()
    count = 0
    with store.db.atomic():  # savepoints inside: one commit for the whole library
        for i in range(n):
            text = texts[i % len(texts)] + f"\nCopy {i}.\n"
            sha = hashlib.sha256(text.encode()).hexdigest()
            store.upsert_document(
                DocumentRecord(sha, f"/letters/{i}.txt", "text", 0, len(text), text, sha, "bench")
            )
            k = 0
            for phrase in PHRASES:
                start = text.find(phrase)
                while start >= 0 and k < 12:
                    ann = Annotation.create(
                        document=sha,
                        text=text,
                        start=start,
                        end=start + len(phrase),
                        label_id=labels[k % len(labels)].id,
                        annotator="bench",
                    )
                    store.add_annotation(ann)
                    k += 1
                    start = text.find(phrase, start + 1)
            count += k
    store.close()
    return count


def timed_export(db: Path, fmt: str, out: Path) -> dict:
    code = (
        "import resource, sys, time, json\n"
        "from imr_desktop.core.store import Store\n"
        "from imr_desktop.core.exports import export\n"
        "s = Store.open(sys.argv[1], read_only=True)\n"
        "t, c = time.perf_counter(), time.process_time()\n"
        "r = export(s, sys.argv[2], sys.argv[3])\n"
        "dt, cpu = time.perf_counter() - t, time.process_time() - c\n"
        "print(json.dumps({'seconds': dt, 'cpu': cpu, 'docs': r.report.documents,"
        " 'spans': r.report.spans,"
        " 'problems': r.report.problem_count,"
        " 'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(db), fmt, str(out)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(proc.stdout)


def bench_packet(tmp: Path) -> float:
    from imr_desktop.core.exports.packet import write_packet
    from tests.export_helpers import add_document, annotate, letter_html, story_pdf

    pdf = story_pdf(tmp / "p20.pdf", letter_html(items=40, filler=245))
    store = Store.open(tmp / "packet.sqlite")
    loaded = add_document(store, pdf)
    sha, text = loaded.source.sha256, loaded.text
    for i in range(40):
        annotate(store, sha, text, f"Tramadol 50mg #{60 + i}: Upheld")
    write_packet(store, [sha], tmp / "warm.pdf")  # imports and MuPDF caches warm
    t = time.perf_counter()
    result = write_packet(store, [sha], tmp / "p20-packet.pdf")
    dt = time.perf_counter() - t
    print(
        f"packet: {loaded.page_count} letter pages + summary = {result.pages} pages, "
        f"{result.highlights} highlights: {dt:.2f} s (target <= 1 s)"
    )
    return dt


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=10_000)
    args = parser.parse_args()
    texts = base_texts()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        bench_packet(tmp)
        for n in (args.docs // 10, args.docs):
            db = tmp / f"lib{n}.sqlite"
            t = time.perf_counter()
            spans = build(db, n, texts)
            print(f"library {n} docs, {spans} annotations built in {time.perf_counter() - t:.1f} s")
            for fmt, suffix, target in (("jsonl", "jsonl", 10), ("spacy", "spacy", 60)):
                r = timed_export(db, fmt, tmp / f"out{n}.{suffix}")
                print(
                    f"  {fmt:6s} {r['docs']} docs, {r['spans']} spans: {r['seconds']:.2f} s "
                    f"({r['cpu']:.2f} s CPU; target <= {target} s at 10k), "
                    f"peak RSS {r['peak_rss_mb']:.0f} MB, "
                    f"{r['problems']} problems"
                )


if __name__ == "__main__":
    main()
