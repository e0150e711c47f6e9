"""Benchmark: re-anchoring 1,000 annotations on a 30,000-character letter.

Run from the repository root:  python tests/benchmarks/bench_anchoring.py [--runs N]

For each kind of text change it prints the best wall time of N runs of ``reanchor``
(with the old text, as ``apply_reanchoring`` calls it), how the annotations came out,
and how many were placed somewhere other than where their words really went (should
be 0). Texts and annotations are the seeded ones of tests/test_anchoring.py.
"""

from __future__ import annotations

import argparse
import collections
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from imr_desktop.core.anchoring import reanchor
from tests.test_anchoring import (
    apply_edits,
    letter_text,
    ocr_edits,
    reflow,
    truth,
    word_spans,
)

LENGTH = 30_000
ANNOTATIONS = 1_000


def scenarios(text: str) -> dict[str, tuple[str, list[int | None] | None]]:
    rng = random.Random(7)
    insertions = [(0, 0, "AMENDED DETERMINATION\n\n")] + [
        (p, 0, " The reviewer also read the supplemental report.")
        for p in sorted(rng.sample(range(1, len(text)), 30))
    ]
    deletions = [
        (s, rng.randint(20, 300), "") for s in sorted(rng.sample(range(0, len(text), 1000), 15))
    ]
    return {
        "unchanged": (text, list(range(len(text)))),
        "insertions (31)": apply_edits(text, insertions),
        "deletions (15)": apply_edits(text, deletions),
        "reflowed lines": (reflow(text), None),
        "OCR noise (3%)": apply_edits(text, ocr_edits(text)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    text = letter_text(LENGTH)
    anns = word_spans(text, ANNOTATIONS)
    print(f"{ANNOTATIONS} annotations (1-30 words) on a {len(text):,}-character letter")
    print(f"{'change':<18}{'wall s':>8}{'cpu s':>8}  outcome (best of {args.runs} runs)")
    for name, (new, where) in scenarios(text).items():
        times, cpu = [], []
        for _ in range(args.runs):
            t0, c0 = time.perf_counter(), time.process_time()
            results = reanchor(anns, new, old_text=text)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        counts = collections.Counter(r.status for r in results)
        misplaced = 0
        if where is not None:
            for a, r in zip(anns, results, strict=True):
                spot = truth(a, where)
                if r.placed and spot and new[spot[0] : spot[1]] == a.exact:
                    misplaced += (r.annotation.start, r.annotation.end) != spot
        outcome = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        if where is not None:
            outcome += f"; misplaced {misplaced}"
        print(f"{name:<18}{min(times):>8.3f}{min(cpu):>8.3f}  {outcome}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
