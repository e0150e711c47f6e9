"""Kill test (issue 7, item 2): the real app and the real commands, killed with SIGKILL at
random moments; every acknowledged edit must survive and the database must stay sound.

52 kills in CI (two processes at a time): while annotating, during the latest schema
migration, and during ``imr-desktop import`` of letters into the library.
``tests/benchmarks/bench_kill.py`` runs 200+, adding ``import-annotations``. The scenarios
and the checks are in ``tests/killtest.py``.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from tests import killtest
from tests.killtest import Tally, run_parallel
from tests.proc_helpers import SAMPLE

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX"),
]

ANNOTATE_KILLS = 12  # per letter: one PDF, one text letter
MIGRATE_KILLS = 7  # per job, two jobs
IMPORT_KILLS = 7  # per job, two jobs
CI_KILLS = 2 * ANNOTATE_KILLS + 2 * MIGRATE_KILLS + 2 * IMPORT_KILLS


def text_letter(folder: Path) -> Path:
    path = folder / "letter.txt"
    line = "The request for 12 sessions of acupuncture is not medically necessary. "
    path.write_text((line * 12 + "\n") * 12, encoding="utf-8")
    return path


def assert_clean(tally: Tally) -> None:
    assert tally.problems == [], tally
    assert tally.lost == 0, tally


def test_ci_runs_at_least_50_kills() -> None:
    assert CI_KILLS >= 50


def test_kills_while_annotating_lose_no_acknowledged_edit(tmp_path: Path) -> None:
    letters = [SAMPLE, text_letter(tmp_path)]
    jobs = [
        lambda i=i, letter=letter: killtest.annotate_kills(
            tmp_path / f"run{i}", letter, ANNOTATE_KILLS, random.Random(100 + i)
        )
        for i, letter in enumerate(letters)
    ]
    tally = run_parallel(jobs)
    assert_clean(tally)
    assert tally.kills == 2 * ANNOTATE_KILLS, tally
    # the kills really hit both start-up and a stream of committed edits
    assert tally.phases.get("start-up", 0) >= 3, tally
    assert tally.phases.get("editing", 0) >= ANNOTATE_KILLS, tally
    assert tally.acknowledged >= ANNOTATE_KILLS, tally  # slow under load: at least one a kill


def test_kills_during_a_schema_migration_leave_old_or_new_version(tmp_path: Path) -> None:
    jobs = [
        lambda i=i: killtest.migrate_kills(
            tmp_path / f"run{i}", MIGRATE_KILLS, random.Random(200 + i), documents=1500
        )
        for i in range(2)
    ]
    tally = run_parallel(jobs)
    assert_clean(tally)
    assert tally.kills == 2 * MIGRATE_KILLS, tally
    assert tally.rows_checked == 2 * MIGRATE_KILLS * 15_000, tally
    assert tally.phases.get("killed-in-migration", 0) >= 2, tally


def test_kills_during_a_library_import_leave_whole_documents(tmp_path: Path) -> None:
    jobs = [
        lambda i=i: killtest.library_import_kills(
            tmp_path / f"run{i}", IMPORT_KILLS, random.Random(300 + i), files=200, finish_every=3
        )
        for i in range(2)
    ]
    tally = run_parallel(jobs)
    assert_clean(tally)
    assert tally.kills == 2 * IMPORT_KILLS, tally
