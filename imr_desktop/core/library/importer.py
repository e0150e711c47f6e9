"""Import files and folders of letters into the library.

Files are read in worker processes (``pool``); this process is the one writer and stores
their results in batched transactions. Cancellation is checked between results and the
batch read so far is committed, so what was imported is always whole: a document is in
the library with its text, its index entry and its library columns, or not at all.

Source files are never written. A document is keyed by the sha256 of its bytes: a file
already in the library is skipped as a duplicate (re-importing is idempotent), and one
found at a new path while its recorded path no longer exists is relinked there.

Run it off the GUI thread, with a ``Store`` opened in that thread (one connection per
thread); ``progress`` and ``cancel`` are then called from that thread.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from threading import Event

from imr_desktop.core.library import derive
from imr_desktop.core.library.pool import ReaderPool
from imr_desktop.core.library.scan import LETTER_EXTENSIONS, Problem, scan
from imr_desktop.core.library.worker import FileResult, ReadOptions
from imr_desktop.core.model import now_iso
from imr_desktop.core.store import Store

Progress = Callable[[int, int, str], None]  # (files done, files in all, current path)


@dataclass(frozen=True, slots=True)
class ImportOptions:
    workers: int | None = None  # None: one per CPU; 0: read in this process (tests)
    time_limit: float = 60.0  # seconds per file before its reader is killed
    batch_size: int = 200  # documents per transaction
    batch_seconds: float = 1.0  # ... or commit at least this often
    # files handed to each reader ahead: no file is handed out while a batch is being
    # written, and a reader that runs dry meanwhile sits idle (with 8 queued, ~10 ms
    # each, readers sat idle 20-90 ms at every batch: the write competes with them
    # for the CPUs and waits for its commit)
    queue_per_worker: int = 32
    require_letter: bool = True  # refuse readable files with nothing of a letter in them
    store_structure: bool = False  # keep the structure JSON too (adds about 1x the text)
    extensions: tuple[str, ...] = LETTER_EXTENSIONS  # what is taken inside folders


@dataclass(slots=True)
class ImportSummary:
    total: int = 0  # files looked at
    imported: int = 0
    duplicates: int = 0  # same sha256 as a document already in the library (or this run)
    relinked: int = 0  # known document found at a new path; its old path is gone
    failed: list[Problem] = field(default_factory=list)
    ignored: int = 0  # in folders: not .pdf/.txt, hidden, special files
    repeated: int = 0  # the same file or folder reached twice through links
    cancelled: bool = False
    seconds: float = 0.0
    documents: list[str] = field(default_factory=list)  # sha256 of every file now in it

    @property
    def ok(self) -> bool:
        return not self.failed and not self.cancelled

    def lines(self) -> list[str]:
        """The closing summary for people."""
        head = (
            f"imported {self.imported}, skipped {self.duplicates} as duplicate, "
            f"relinked {self.relinked}, failed {len(self.failed)}"
        )
        if self.ignored:
            head += f", ignored {self.ignored} other files in folders"
        if self.cancelled:
            head += f" (cancelled after {self.processed} of {self.total} files)"
        return [head] + [f"{p.path}: {p.reason}" for p in self.failed]

    @property
    def processed(self) -> int:
        return self.imported + self.duplicates + self.relinked + len(self.failed)


def import_paths(
    store: Store,
    paths: Iterable[str | Path],
    *,
    options: ImportOptions | None = None,
    progress: Progress | None = None,
    cancel: Event | Callable[[], bool] | None = None,
) -> ImportSummary:
    """Import files and folders (recursively); returns what happened to each file."""
    options = options or ImportOptions()
    started = time.monotonic()
    is_cancelled = _cancel_check(cancel)
    found = scan(paths, options.extensions)
    summary = ImportSummary(
        total=len(found.files) + len(found.problems),
        failed=list(found.problems),
        ignored=found.ignored,
        repeated=found.repeated,
    )
    report = progress or (lambda done, total, path: None)
    report(len(found.problems), summary.total, "")
    derive.sync(store)  # stale rows first, so the library is whole before it grows
    known = frozenset(r[0] for r in store.db.execute("SELECT sha256 FROM documents"))
    workers = (os.cpu_count() or 1) if options.workers is None else options.workers
    read = ReadOptions(options.require_letter, options.store_structure)
    writer = _Writer(store, summary, options.store_structure)
    pool = ReaderPool(
        min(workers, len(found.files)),
        known,
        read,
        time_limit=options.time_limit,
        depth=options.queue_per_worker,
    )
    batch: list[FileResult] = []
    last_commit = time.monotonic()
    try:
        with pool:
            for result in pool.imap(found.files):
                if result is not None:
                    batch.append(result)
                    done = len(found.problems) + writer.seen + len(batch)
                    report(done, summary.total, result.path)
                if len(batch) >= options.batch_size or (
                    batch and time.monotonic() - last_commit >= options.batch_seconds
                ):
                    pending, batch = batch, []
                    writer.write(pending)
                    last_commit = time.monotonic()
                if is_cancelled():
                    summary.cancelled = True
                    break
    except KeyboardInterrupt:
        summary.cancelled = True  # Ctrl-C in a terminal: keep what was read, as a cancel
    if batch:
        writer.write(batch)
    summary.seconds = time.monotonic() - started
    return summary


def _cancel_check(cancel: Event | Callable[[], bool] | None) -> Callable[[], bool]:
    if cancel is None:
        return lambda: False
    if isinstance(cancel, Event):
        return cancel.is_set
    return cancel


class _Writer:
    """Stores batches of worker results in one transaction each.

    The new documents of a batch go into ``documents`` in one multi-row ``INSERT`` (the
    full-text index is filled by its trigger), after everything else the batch writes.
    Inside a transaction, every statement that needs a statement journal (an ``INSERT``
    that fires triggers is one) makes FTS5 flush its pending terms to a new segment of
    the index. One ``INSERT`` per document made one segment per document, which FTS5 then
    merged again and again: half of this process's time went there. One statement per
    batch, written last, makes one segment per batch.
    """

    ROWS_PER_INSERT = 500  # 11 values each; fewer where SQLite allows fewer parameters

    def __init__(self, store: Store, summary: ImportSummary, store_structure: bool) -> None:
        self.store = store
        self.summary = summary
        self.store_structure = store_structure
        self.seen = 0  # results written

    def write(self, batch: Sequence[FileResult]) -> None:
        now = now_iso()
        outcomes: list[tuple[str, FileResult]] = []
        with self.store.transaction() as db:
            conn = db.conn
            present = self._present(conn, [r.sha256 for r in batch if r.status == "new"])
            fresh: list[FileResult] = []
            for r in batch:
                if r.status == "failed":
                    outcomes.append(("failed", r))
                elif r.status == "known" or r.sha256 in present:
                    # a relink updates documents: before the insert below (see above)
                    outcomes.append((self._known(conn, r, now), r))
                else:
                    present.add(r.sha256)  # the same file twice in this run
                    fresh.append(r)
                    outcomes.append(("imported", r))
            for r in fresh:
                assert r.derived is not None
                derive.insert(conn, r.sha256, r.path, now, r.derived)
            step = max(1, min(self.ROWS_PER_INSERT, _max_parameters(conn) // 11))
            for k in range(0, len(fresh), step):
                self._insert(conn, fresh[k : k + step], now)
        # counted only once committed, so the summary never claims what was rolled back
        for outcome, r in outcomes:
            if outcome == "failed":
                self.summary.failed.append(Problem(r.path, r.reason))
                continue
            setattr(self.summary, outcome, getattr(self.summary, outcome) + 1)
            self.summary.documents.append(r.sha256)
        self.seen += len(batch)

    @staticmethod
    def _present(conn: sqlite3.Connection, shas: list[str]) -> set[str]:
        """Which of ``shas`` the library already holds (read inside the write
        transaction: nobody else can add one before it commits)."""
        found: set[str] = set()
        step = min(500, _max_parameters(conn))
        for k in range(0, len(shas), step):
            part = shas[k : k + step]
            rows = conn.execute(
                f"SELECT sha256 FROM documents WHERE sha256 IN ({', '.join('?' * len(part))})",
                part,
            )
            found.update(row[0] for row in rows)
        return found

    def _insert(self, conn: sqlite3.Connection, rows: Sequence[FileResult], now: str) -> None:
        values: list[object] = []
        for r in rows:
            structure = r.structure_json if self.store_structure else None
            values += [
                r.sha256,
                r.path,
                r.kind,
                r.page_count,
                r.size,
                r.text,
                r.text_sha256,
                r.extractor_version,
                now,
                now,
                structure,
            ]
        marks = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, 'new', ?, ?, ?)"] * len(rows))
        conn.execute(
            "INSERT INTO documents (sha256, path, kind, page_count, size, text, text_sha256, "
            f"extractor_version, status, added_at, updated_at, structure) VALUES {marks}",
            values,
        )

    def _known(self, conn: sqlite3.Connection, r: FileResult, now: str) -> str:
        row = conn.execute("SELECT path FROM documents WHERE sha256 = ?", [r.sha256]).fetchone()
        if row is None or row[0] == r.path or os.path.exists(row[0]):
            return "duplicates"  # a copy, or the very same file again (maybe in this batch)
        conn.execute(
            "UPDATE documents SET path = ?, updated_at = ? WHERE sha256 = ?",
            [r.path, now, r.sha256],
        )
        return "relinked"


def _max_parameters(conn: sqlite3.Connection) -> int:
    """How many ``?`` one statement may hold (999 in SQLite builds before 3.32)."""
    return conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
