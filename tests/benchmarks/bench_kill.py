"""Benchmark: kill the app with SIGKILL at random moments, at least 200 times.

Run from the repository root:  python tests/benchmarks/bench_kill.py [--annotate N]
[--migrate N] [--library N] [--import N] [--window S] [--workers 2] [--seed 1]

Scenarios and checks are those of tests/test_kill.py (tests/killtest.py): the real window
in ``--automation`` mode tagging, deleting and undoing; the latest schema migration of
3,000 letters; ``imr-desktop import`` of 400 letters; ``import-annotations`` of 6,000
annotations. Prints kills, acknowledged edits, rows checked, and lost (must be 0), per
scenario and in total; exits 1 if anything was lost or any check failed.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests import killtest
from tests.killtest import Tally, run_parallel
from tests.proc_helpers import SAMPLE
from tests.test_kill import text_letter


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--annotate", type=int, default=120, help="kills while annotating")
    parser.add_argument("--migrate", type=int, default=40, help="kills during migrations")
    parser.add_argument("--library", type=int, default=30, help="kills in imr-desktop import")
    parser.add_argument(
        "--import", dest="imports", type=int, default=20, help="kills in import-annotations"
    )
    parser.add_argument(
        "--window", type=float, default=1.5, help="editing kills land 0..WINDOW s after ready"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    w = args.workers
    with tempfile.TemporaryDirectory(prefix="bench-kill-") as tmp:
        base = Path(tmp)
        letters = [SAMPLE, text_letter(base)]
        scenarios: dict[str, list] = {
            "annotate": [
                lambda i=i: killtest.annotate_kills(
                    base / f"a{i}",
                    letters[i % 2],
                    _share(args.annotate, w, i),
                    _rng(rng),
                    after_ready=(0.0, args.window),
                )
                for i in range(w)
            ],
            "migrate": [
                lambda i=i: killtest.migrate_kills(
                    base / f"m{i}",
                    _share(args.migrate, w, i),
                    _rng(rng),
                    documents=3000,
                    finish_all=True,
                )
                for i in range(w)
            ],
            "library": [
                lambda i=i: killtest.library_import_kills(
                    base / f"l{i}", _share(args.library, w, i), _rng(rng), files=400
                )
                for i in range(w)
            ],
            "import": [
                lambda i=i: killtest.import_kills(
                    base / f"i{i}", _share(args.imports, w, i), _rng(rng), documents=40
                )
                for i in range(w)
            ],
        }
        total = Tally()
        print(f"{'scenario':<10} {'kills':>6} {'acked':>7} {'rows':>9} {'lost':>5} {'s':>6}  where")
        for name, jobs in scenarios.items():
            tally = run_parallel(jobs, workers=w)
            total.add(tally)
            _row(name, tally)
        _row("total", total)
        for problem in total.problems[:20]:
            print(f"  problem: {problem}")
    return 0 if total.lost == 0 and not total.problems else 1


def _share(n: int, workers: int, i: int) -> int:
    return n // workers + (1 if i < n % workers else 0)


def _rng(rng: random.Random) -> random.Random:
    return random.Random(rng.randrange(2**32))


def _row(name: str, t: Tally) -> None:
    phases = ", ".join(f"{k} {v}" for k, v in sorted(t.phases.items()))
    print(
        f"{name:<10} {t.kills:>6} {t.acknowledged:>7} {t.rows_checked:>9} {t.lost:>5} "
        f"{t.seconds:>6.0f}  {phases}",
        flush=True,
    )


if __name__ == "__main__":
    raise SystemExit(main())
