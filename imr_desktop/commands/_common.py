"""Helpers the export, packet and import commands share: opening the database, errors
as one stderr line, and a progress line when stderr is a terminal."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from imr_desktop.core.errors import UserFacingError
from imr_desktop.core.store import Store


def fail(message: str, code: int = 1) -> int:
    print(f"imr-desktop: {message}", file=sys.stderr)
    return code


def open_store(path: str, *, read_only: bool) -> Store:
    """Open an existing database; a missing file is an error, never a new empty database."""
    db = Path(path)
    if not db.is_file():
        raise UserFacingError(f"Database not found: {db}")
    return Store.open(db, read_only=read_only)


class Progress:
    """``exported 1200/10000 documents`` rewritten in place, at most ten times a second."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.enabled = sys.stderr.isatty()
        self._last = 0.0
        self._shown = False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if not self.enabled or (now - self._last < 0.1 and done < total):
            return
        self._last = now
        self._shown = True
        sys.stderr.write(f"\r{self.what} {done}/{total} documents")
        sys.stderr.flush()

    def finish(self) -> None:
        if self._shown:
            sys.stderr.write("\n")
            sys.stderr.flush()


def print_problems(messages: list[str], counts: dict[str, int], limit: int = 10) -> None:
    """Every problem is counted; the first few are shown in full."""
    for message in messages[:limit]:
        print(f"  {message}", file=sys.stderr)
    total = sum(counts.values())
    if total > limit:
        print(f"  … and {total - min(limit, len(messages))} more", file=sys.stderr)
