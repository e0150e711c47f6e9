"""Benchmark ``imr-desktop extract`` against plain pymupdf text extraction.

    python tests/benchmarks/bench_extract.py [LETTER_DIR] [--rounds N]

Measures, in one run and as whole processes (interpreter start and imports included):
- a plain pymupdf script that only extracts the text of every letter;
- ``python -m imr_desktop extract LETTERS... --json`` (output to /dev/null).
Rounds alternate between the two so that machine load affects both alike; the best round
of each is compared (target: extract <= 1.5x plain). Then the structure extraction alone,
in process: per letter, best of 5 (target: <= 5 ms per letter).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_LETTERS = ROOT.parent / "shared" / "corpus" / "letters"

PLAIN = """
import sys
import pymupdf
flags = (pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP
         | pymupdf.TEXT_CID_FOR_UNKNOWN_UNICODE)
total = 0
for path in sys.argv[1:]:
    with pymupdf.open(path) as doc:
        total += len("".join(page.get_text("text", flags=flags) for page in doc))
print(total)
"""


def timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("letters", nargs="?", type=Path, default=DEFAULT_LETTERS)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    files = sorted(str(p) for p in args.letters.glob("*.pdf"))
    if not files:
        print(f"no PDF letters in {args.letters}", file=sys.stderr)
        return 2

    plain_cmd = [sys.executable, "-c", PLAIN, *files]
    extract_cmd = [sys.executable, "-m", "imr_desktop", "extract", *files, "--json"]
    timed(plain_cmd)  # warm the file cache
    plain: list[float] = []
    extract: list[float] = []
    for _ in range(args.rounds):
        plain.append(timed(plain_cmd))
        extract.append(timed(extract_cmd))
    print(f"{len(files)} letters, {args.rounds} alternating rounds (whole processes)")
    print(
        f"  plain pymupdf text:   best {min(plain):.3f} s   median {statistics.median(plain):.3f} s"
    )
    print(
        f"  imr-desktop extract:  best {min(extract):.3f} s   "
        f"median {statistics.median(extract):.3f} s"
    )
    print(
        f"  ratio extract/plain:  best {min(extract) / min(plain):.2f}x   "
        f"median {statistics.median(extract) / statistics.median(plain):.2f}x   (target <= 1.5x)"
    )

    sys.path.insert(0, str(ROOT))
    from imr_desktop.core.structure import extract_structure, read_text

    texts = [read_text(f) for f in files]
    # best of 5 rounds over all letters (a load spike then spoils one round, not a letter)
    best = [float("inf")] * len(texts)
    for _ in range(5):
        for k, text in enumerate(texts):
            t0 = time.perf_counter()
            extract_structure(text)
            best[k] = min(best[k], (time.perf_counter() - t0) * 1000)
    print(
        f"  structure only:       mean {statistics.mean(best):.2f} ms   "
        f"median {statistics.median(best):.2f} ms   max {max(best):.2f} ms per letter "
        f"(target <= 5 ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
