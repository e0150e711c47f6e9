"""Storage faults for tests: the errors SQLite raises when the disk fails under a save.

- Disk full is real: ``fill_database`` lowers SQLite's own ``PRAGMA max_page_count`` to
  the pages the file has and fills their free space, so the next annotation fails
  inside SQLite with ``SQLITE_FULL``, the error a full disk gives (the tiny-filesystem
  test in test_storage_faults.py gets it from the kernel instead).
  ``make_room`` raises the limit again (the user freed space).
- I/O errors are injected: ``faulty_connection(plan)`` is a ``sqlite3.Connection``
  subclass for ``Store.open(connection_factory=…)`` that makes ``COMMIT`` fail with the
  real error class, message and extended code (``SQLITE_IOERR_WRITE``) while
  ``plan.failures`` > 0. It leaves the transaction open, as SQLite may after an I/O
  error, so the test also proves the caller rolls it back.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

SQLITE_IOERR_WRITE = 10 | (3 << 8)  # 778
SQLITE_FULL = 13


@dataclass
class FaultPlan:
    failures: int = 0  # how many of the next commits fail
    code: int = SQLITE_IOERR_WRITE
    failed: int = 0  # how many did

    def error(self) -> sqlite3.OperationalError:
        if self.code == SQLITE_FULL:
            exc = sqlite3.OperationalError("database or disk is full")
            exc.sqlite_errorname = "SQLITE_FULL"
        else:
            exc = sqlite3.OperationalError("disk I/O error")
            exc.sqlite_errorname = "SQLITE_IOERR_WRITE"
        exc.sqlite_errorcode = self.code
        return exc


def faulty_connection(plan: FaultPlan) -> type[sqlite3.Connection]:
    class FaultyConnection(sqlite3.Connection):
        def _maybe_fail(self) -> None:
            if plan.failures > 0 and self.in_transaction:
                plan.failures -= 1
                plan.failed += 1
                raise plan.error()

        def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
            if sql.strip().rstrip(";").upper() in ("COMMIT", "END", "COMMIT TRANSACTION"):
                self._maybe_fail()
            return super().execute(sql, *args)

        def commit(self) -> None:
            self._maybe_fail()
            super().commit()

    return FaultyConnection


def fill_database(conn: sqlite3.Connection, document: str, label_id: str) -> int:
    """Make the database full for new annotations: no page may be added, and the pages
    new rows go to have no room left. Returns the page limit.

    ``max_page_count`` belongs to the connection, so ``conn`` must be the one that will
    write (the store's). New annotation rows are appended to the end of the table, so
    filling it with tombstoned rows of shrinking size leaves no room anywhere a real
    annotation could go."""
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    n = 0
    for size in (2000, 500, 100, 20, 1):
        try:
            while True:
                n += 1
                with conn:
                    conn.execute(
                        'INSERT INTO annotations (id, document, label_id, start, "end", '
                        "exact, origin, deleted) VALUES (?, ?, ?, 0, 1, ?, 'filler', 1)",
                        [f"filler-{n:08d}", document, label_id, "x" * size],
                    )
        except sqlite3.OperationalError as exc:
            assert "full" in str(exc), exc
    return conn.execute("PRAGMA max_page_count").fetchone()[0]


def make_room(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA max_page_count = 1073741823")
