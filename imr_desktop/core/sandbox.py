"""Limits for worker processes that read untrusted or heavy PDFs (probe, OCR).

A child process caps its own address space and CPU time with ``setrlimit`` before it
touches a file, so a decompression bomb or a runaway page fails *in the child* (as a
``MemoryError``/MuPDF allocation error, or SIGXCPU) instead of taking the app down. The
parent still keeps a wall-clock timeout: CPU limits do not cover a child that sleeps.
"""

from __future__ import annotations

import contextlib
import re
import sys

GIB = 1024**3


def limit_child(*, memory_bytes: int | None, cpu_seconds: int | None) -> None:
    """Apply limits to the calling process (call first thing in a worker).

    Best effort: ``resource`` exists on Linux and macOS only, and macOS ignores
    RLIMIT_AS; the parent's timeout still applies everywhere.
    """
    if sys.platform == "win32":  # pragma: no cover - no resource module
        return
    import resource

    if memory_bytes is not None:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    if cpu_seconds is not None:
        # soft limit sends SIGXCPU (kills the child); hard limit one second later SIGKILL
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))


# how an allocation that failed under the cap surfaces: Python's MemoryError, or a MuPDF
# error such as "malloc (1048576 bytes) failed" (not a file name that says "malloc")
_MEMORY_MESSAGE = re.compile(r"\b(?:m|re|c)alloc\b.*\bfailed\b|out of memory", re.I)


def out_of_memory(exc: BaseException) -> bool:
    """Whether ``exc`` is a failed allocation (in a capped worker: the file's doing)."""
    return isinstance(exc, MemoryError) or bool(_MEMORY_MESSAGE.search(str(exc)))
