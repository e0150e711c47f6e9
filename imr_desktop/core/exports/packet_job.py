"""A case packet written in a worker process, talking to its parent over a Pipe.

pymupdf is not thread-safe and the GUI's render thread already uses it, so the GUI
writes packets in a separate process (``multiprocessing``, spawn context) whose entry
point is ``run``. Messages to the parent are tuples: ``("progress", done, total)``, then
exactly one of ``("done", PacketSummary)``, ``("error", message)`` or ``("cancelled",)``.
The parent sends ``"cancel"``; the packet stops at its next check and leaves no file.
Only a Pipe is used (no semaphores), so no resource-tracker process is started, which
keeps this working the same from source and from a frozen bundle. A source PDF without a
cached verdict is probed first in a probe process of this process's own.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imr_desktop.core.errors import UserFacingError

PROGRESS_INTERVAL = 0.05  # seconds between progress messages


@dataclass(frozen=True, slots=True)
class PacketRequest:
    db: str
    documents: tuple[str, ...]  # sha256s
    out: str
    include_suggestions: bool = False
    as_zip: bool = False
    paths: dict[str, str] = field(default_factory=dict)  # sha256 -> where the file is now


@dataclass(frozen=True, slots=True)
class PacketSummary:
    path: str
    documents: int
    pages: int
    highlights: int
    problems: dict[str, int]  # kind -> count
    messages: tuple[str, ...]


def write(
    request: PacketRequest,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> PacketSummary:
    """Write the packet of ``request``; raises ``UserFacingError`` for the user."""
    from imr_desktop.core.exports.packet import write_packet
    from imr_desktop.core.store import Store

    store = Store.open(request.db, read_only=True)
    try:
        result = write_packet(
            store,
            list(request.documents),
            request.out,
            include_suggestions=request.include_suggestions,
            as_zip=request.as_zip,
            paths={sha: Path(p) for sha, p in request.paths.items()},
            progress=progress,
            cancelled=cancelled,
        )
    finally:
        store.close()
    report = result.report
    return PacketSummary(
        str(result.paths[0]),
        result.documents,
        result.pages,
        result.highlights,
        dict(report.problems),
        tuple(report.messages),
    )


def _allow_probe_process() -> None:
    """The GUI starts this process as a daemon (it must never outlive the app), and
    multiprocessing forbids daemons children; but the packet's probe gate needs one
    (``packet.build_packet`` checks each source PDF in it). Allowed here: when this
    process is told to stop (SIGTERM: the dialog's cancel, the app's exit) it kills its
    children first, and an idle probe ends by itself once its pipe closes."""
    multiprocessing.current_process().daemon = False

    def stop(signum: int, _frame: object) -> None:
        for child in multiprocessing.active_children():
            child.kill()
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def run(conn: Any, request: PacketRequest) -> None:
    """Process entry point: write the packet, reporting over ``conn`` (a Connection)."""
    from imr_desktop.core.exports.base import ExportCancelled

    _allow_probe_process()

    state = {"cancel": False, "sent": 0.0}

    def cancelled() -> bool:
        while not state["cancel"] and conn.poll():
            state["cancel"] = conn.recv() == "cancel"
        return bool(state["cancel"])

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - state["sent"] >= PROGRESS_INTERVAL:
            state["sent"] = now
            conn.send(("progress", done, total))

    try:
        summary = write(request, progress, cancelled)
    except ExportCancelled:
        conn.send(("cancelled",))
    except UserFacingError as exc:
        conn.send(("error", str(exc)))
    except Exception as exc:  # a bug: one line for the user, the traceback on stderr
        traceback.print_exc()
        conn.send(("error", f"The packet could not be written ({type(exc).__name__}: {exc})."))
    else:
        conn.send(("done", summary))
    finally:
        conn.close()
