"""Worker processes that read files for the import, each file under a time limit.

``concurrent.futures`` cannot stop one task that hangs (a decompression bomb keeps MuPDF
busy for minutes), so this small pool gives each worker its own pipe and at most
``depth`` files at a time: the parent always knows which file a worker is on and since
when. A worker past the time limit is killed and replaced, and that file is reported; a
worker that dies (a crash in MuPDF) costs only the file it was reading. The others it
had queued are handed out again.

Workers are started with ``spawn`` (safe with a multithreaded parent such as the GUI, and
the only way on Windows and macOS); each caps its address space first (``core.sandbox``:
a bomb fails as an allocation error in the worker, never in the parent), then imports the
reader and opens its own documents. ``imr-desktop extract`` uses the same pool with its
own ``target`` (``core.structure.batch``).
"""

from __future__ import annotations

import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from types import TracebackType
from typing import Any

from imr_desktop.core.library.worker import READY, FileResult, ReadOptions, read_file, serve
from imr_desktop.core.sandbox import GIB

# per worker, as for the probe process: far above what any letter needs to be read
MEMORY_LIMIT = int(1.5 * GIB)

# a worker's main loop: (pipe, sha256s already known, options); ``serve`` for the import
Target = Callable[[Connection, frozenset[str], Any], None]


def _limited(target: Target, memory_limit: int | None, conn: Connection,
             known: frozenset[str], options: Any) -> None:  # fmt: skip
    """A worker's first step: its limits, before it imports or reads anything."""
    from imr_desktop.core.sandbox import limit_child

    limit_child(memory_bytes=memory_limit, cpu_seconds=None)
    target(conn, known, options)


class _Worker:
    def __init__(self, proc: BaseProcess, conn: Connection) -> None:
        self.proc = proc
        self.conn = conn
        self.tasks: deque[str] = deque()
        self.ready = False  # imports done: the time limit runs from then
        self.head_since = time.monotonic()  # when it started on tasks[0]


class ReaderPool:
    """Read files in ``workers`` processes; ``workers=0`` reads in this process (no time
    limit: for tests and tools that must patch the reader)."""

    def __init__(
        self,
        workers: int,
        known: frozenset[str],
        options: ReadOptions | Any,  # whatever ``target`` takes
        *,
        time_limit: float = 60.0,
        memory_limit: int | None = MEMORY_LIMIT,
        depth: int = 2,
        target: Target = serve,
    ) -> None:
        self.workers = max(0, workers)
        self.known = known
        self.options = options
        self.time_limit = time_limit
        self.memory_limit = memory_limit
        self.depth = max(1, depth)
        self.target = target  # the worker main loop (tests pass one that crashes or hangs)
        self._ctx = multiprocessing.get_context("spawn")
        self._pool: list[_Worker] = []
        self._started = 0.0  # when the first reader was ready
        self._read = 0  # files read since (for the pause in _collect)

    def __enter__(self) -> ReaderPool:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ workers
    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(
            target=_limited,
            args=(self.target, self.memory_limit, child, self.known, self.options),
            name="imr-reader",
            daemon=True,
        )
        proc.start()
        child.close()
        return _Worker(proc, parent)

    def _kill(self, w: _Worker) -> None:
        if w.proc.is_alive():
            w.proc.kill()
        w.proc.join(5)
        w.conn.close()

    def close(self) -> None:
        """Stop every worker: idle ones finish cleanly, busy ones are killed (cancel)."""
        for w in self._pool:
            if not w.tasks and w.proc.is_alive():
                try:
                    w.conn.send(None)
                    w.proc.join(2)
                except (OSError, ValueError):
                    pass
            self._kill(w)
        self._pool.clear()

    # ------------------------------------------------------------------ reading
    def imap(self, paths: Sequence[str], tick: float = 0.1) -> Iterator[FileResult | None]:
        """One ``FileResult`` per path, in completion order; ``None`` after ``tick``
        seconds without one, so the caller can check for cancellation."""
        if self.workers == 0:
            for path in paths:
                yield read_file(path, self.known, self.options)
            return
        queue = deque(paths)
        self._pool = [self._spawn() for _ in range(min(self.workers, len(queue)))]
        while queue or any(w.tasks for w in self._pool):
            self._dispatch(queue)
            results = self._collect(queue, tick)
            # refill first: the caller may spend a while writing a batch with these,
            # and the readers should have a full queue to work through meanwhile
            self._dispatch(queue)
            yield from results
            if not results:
                yield None

    def _dispatch(self, queue: deque[str]) -> None:
        # near the end, no more than a fair share each: files sent to a reader stay
        # there, and one reader should not be left with many while the others idle
        share = max(2, min(self.depth, -(-len(queue) // max(1, len(self._pool)))))
        for w in self._pool:
            while queue and len(w.tasks) < share:
                path = queue.popleft()
                if not w.tasks:
                    w.head_since = time.monotonic()
                w.tasks.append(path)
                w.conn.send(path)

    def _collect(self, queue: deque[str], tick: float) -> list[FileResult]:
        busy = [w for w in self._pool if w.tasks]
        now = time.monotonic()
        deadlines = [w.head_since + self.time_limit - now for w in busy if w.ready]
        conns = [w.conn for w in busy]
        ready = set(wait(conns, max(0.0, min([tick, *deadlines]))))
        pause = self._pause(min(len(w.tasks) for w in busy))
        if ready and pause and all(w.ready for w in busy):
            # results come back a few ms apart, and waking up for each one cost this
            # process ~0.15 ms of CPU per file: let a few gather and take them together
            time.sleep(pause)
            ready = set(wait(conns, 0))
        out: list[FileResult] = []
        for w in busy:
            if w.conn in ready:
                try:
                    while True:
                        message = w.conn.recv()
                        w.head_since = time.monotonic()
                        if message == READY:
                            w.ready = True
                            self._started = self._started or w.head_since
                        else:
                            out.append(message)
                            w.tasks.popleft()
                            self._read += 1
                        if not (w.tasks and w.conn.poll(0)):
                            break
                except (EOFError, OSError):
                    out.append(self._replace(w, queue, "the reader crashed on this file"))
            elif not w.proc.is_alive() and not w.conn.poll():
                out.append(self._replace(w, queue, "the reader crashed on this file"))
            elif w.ready and time.monotonic() - w.head_since > self.time_limit:
                reason = (
                    f"took longer than {self.time_limit:g} s to read and was skipped "
                    "(a damaged or hostile file?)"
                )
                out.append(self._replace(w, queue, reason))
        return out

    def _pause(self, queued: int) -> float:
        """How long results may gather: at most 20 ms, and at most a quarter of the
        time a reader takes to work through ``queued`` files (none may run dry
        meanwhile); 0 until some files were read."""
        if self._read < 2 * len(self._pool):
            return 0.0
        per_file = (time.monotonic() - self._started) * len(self._pool) / self._read
        return min(0.02, per_file * queued / 4)

    def _replace(self, w: _Worker, queue: deque[str], reason: str) -> FileResult:
        """Kill a stuck or dead worker: its current file fails, its queued files go back."""
        self._kill(w)
        culprit = w.tasks.popleft()
        queue.extendleft(reversed(w.tasks))
        self._pool[self._pool.index(w)] = self._spawn()
        return FileResult.failed(culprit, reason)
