"""The structure of many letters, read in worker processes under time and memory limits.

``imr-desktop extract`` is given files from anywhere: a decompression bomb keeps MuPDF busy
for minutes, another can allocate gigabytes. So the files are read by the library
import's worker pool (``core.library.pool``: spawn, an address-space cap per worker, a
per-file time limit after which the worker is killed and replaced), and this process
never parses a file itself. The workers are long-lived (one Python boot per worker, not
per file) and read the text and its structure; only the structure's dictionary comes
back. Results are handed out in the order the files were given.
"""

from __future__ import annotations

import os
import signal
import stat
from collections import defaultdict, deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from imr_desktop.core.errors import UserFacingError
from imr_desktop.core.library.pool import MEMORY_LIMIT, ReaderPool
from imr_desktop.core.library.worker import READY, TOO_LARGE, FileResult
from imr_desktop.core.sandbox import out_of_memory

TIME_LIMIT = 30.0  # seconds per file: a 2,000-page letter reads in ~5
MAX_WORKERS = 4  # more only costs interpreter boots on the short batches this is for
# A worker's boot (Python, pymupdf, the parser) costs ~0.5 CPU-s, the text and structure
# of a letter ~17 ms. A second worker for the 134 corpus letters cost +25 % CPU and, on a
# shared 2-core machine, more wall time too; so another worker is started only per 250
# letters (~4 CPU-s of reading, against which its boot is small).
FILES_PER_WORKER = 250


@dataclass(frozen=True, slots=True)
class ExtractOptions:
    # crosses to the workers inside the pickled process arguments, over spawn's pipe:
    # never on a command line, never in a file
    password: str | None = None


@dataclass(frozen=True, slots=True)
class Extracted:
    path: str  # as given
    record: dict[str, Any] | None  # ``LetterStructure.to_dict()``; None when unreadable
    error: str = ""  # one line for the user when unreadable


def extract_one(path: str, options: ExtractOptions) -> FileResult:
    """Read one file's structure (in a worker process). Never raises."""
    from imr_desktop.core.structure.reading import extract_file

    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
            # a FIFO would block the reader until the time limit, a device never end
            return FileResult.failed(path, f"{path} is not a regular file.")
        structure = extract_file(path, options.password)
    except FileNotFoundError:
        return FileResult.failed(path, f"File not found: {path}")
    except PermissionError:
        return FileResult.failed(path, f"Permission denied: {path}")
    except UserFacingError as exc:
        return FileResult.failed(path, TOO_LARGE if out_of_memory(exc) else exc.message)
    except Exception as exc:  # a parser bug or MuPDF failure must not stop the batch
        if out_of_memory(exc):
            return FileResult.failed(path, TOO_LARGE)
        return FileResult.failed(path, f"could not be read (internal error: {exc!r})")
    return FileResult(path=path, status="read", structure_json=structure.to_json())


def serve(conn: Connection, _known: frozenset[str], options: ExtractOptions) -> None:
    """Worker main loop (``ReaderPool`` target): ``READY`` once imported, then one
    ``FileResult`` per path received, until ``None``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the parent stops us itself
    import imr_desktop.core.pdf
    import imr_desktop.core.structure.reading  # noqa: F401

    conn.send(READY)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            # everything was sent; skip the interpreter's teardown of MuPDF and the
            # parser (a quarter of a second the command would wait for)
            conn.close()
            os._exit(0)
        conn.send(extract_one(task, options))


def default_workers(files: int) -> int:
    wanted = -(-files // FILES_PER_WORKER)  # ceil
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS, wanted))


def extract_paths(
    paths: Sequence[str],
    *,
    password: str | None = None,
    workers: int | None = None,
    time_limit: float = TIME_LIMIT,
    memory_limit: int | None = MEMORY_LIMIT,
) -> Iterator[Extracted]:
    """One ``Extracted`` per path, in the order given, as soon as it and every path
    before it are done."""
    import json

    if not paths:
        return
    count = default_workers(len(paths)) if workers is None else max(1, workers)
    pool = ReaderPool(
        min(count, len(paths)),
        frozenset(),
        ExtractOptions(password),
        time_limit=time_limit,
        memory_limit=memory_limit,
        target=serve,
    )
    done: dict[str, deque[FileResult]] = defaultdict(deque)
    waiting = deque(paths)
    with pool:
        for result in pool.imap(list(paths)):
            if result is not None:
                done[result.path].append(result)
            while waiting and done[waiting[0]]:
                got = done[waiting[0]].popleft()
                path = waiting.popleft()
                if got.status == "failed":
                    yield Extracted(path, None, got.reason)
                else:
                    yield Extracted(path, json.loads(got.structure_json or "{}"))
