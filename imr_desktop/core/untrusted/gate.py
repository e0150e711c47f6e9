"""The app side of the probe: a pre-started worker process, a timeout, a verdict cache.

``ProbeGate.check`` is called on the render thread before it opens a PDF. The probe
process is started ahead of time (``start()`` right at app start) so the first letter
does not wait for a Python to boot; it is replaced after every timeout or crash. Verdicts
that do not depend on timing are cached by the file's sha256 (memory and disk), so a
known letter opens without waiting for the probe at all.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import threading
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING

from imr_desktop.core.errors import DocumentError, PasswordRequired
from imr_desktop.core.sandbox import GIB
from imr_desktop.core.untrusted.report import PROBE_VERSION, Link, ProbeReport

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

_NAME = "\x00name\x00"  # stands for the file name in cached refusals (same bytes, any name)
TIMEOUT_SECONDS = 8.0  # per file, from the request to the verdict (target: 10 s)
MEMORY_LIMIT = int(1.5 * GIB)


def _probe_main(conn: Connection, memory_limit: int) -> None:
    """The probe process: limits first, then answer (path, sha256, name, password)."""
    from imr_desktop.core.sandbox import limit_child

    limit_child(memory_bytes=memory_limit, cpu_seconds=None)
    import hashlib

    import pymupdf

    from imr_desktop.core.untrusted.probe import probe

    pymupdf.TOOLS.mupdf_display_errors(False)
    conn.send("ready")
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        path, sha256, name, password = request
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            conn.send(ProbeReport(refusal=f"Cannot read {name}: {exc.strerror or exc}"))
            continue
        if hashlib.sha256(data).hexdigest() != sha256:
            conn.send(ProbeReport(refusal=f"{name} changed while it was being opened.",
                                  cacheable=False))  # fmt: skip
            continue
        conn.send(probe(data, name, password))


class ProbeGate:
    def __init__(
        self,
        *,
        timeout: float = TIMEOUT_SECONDS,
        cache_dir: Path | None = None,
        memory_limit: int = MEMORY_LIMIT,
    ) -> None:
        self.timeout = timeout
        self.memory_limit = memory_limit
        self.cache_dir = cache_dir
        self._lock = threading.Lock()
        self._proc: BaseProcess | None = None
        self._conn: Connection | None = None
        self._ready = False
        self._memory: dict[tuple[str, bool], ProbeReport] = {}
        self.last_seconds = 0.0  # how long the last verdict took (for tests, benchmarks)

    # ------------------------------------------------------------------ process
    def start(self) -> None:
        """Start the probe process now (non-blocking) so it is ready when needed."""
        with self._lock:
            self._ensure_process()

    def _ensure_process(self) -> None:
        if self._proc is not None and self._proc.is_alive():
            return
        self._discard_process()
        # imported here: multiprocessing (with socket, pickle, selectors) costs start-up
        # time, and a letter with a cached verdict never needs the probe
        import multiprocessing as mp

        ctx = mp.get_context("spawn")  # never fork a process that runs Qt and MuPDF threads
        parent, child = ctx.Pipe(duplex=True)
        proc = ctx.Process(
            target=_probe_main, args=(child, self.memory_limit), name="imr-probe", daemon=True
        )
        proc.start()
        child.close()
        self._proc, self._conn, self._ready = proc, parent, False

    def _discard_process(self) -> None:
        proc, conn = self._proc, self._conn
        self._proc = self._conn = None
        if conn is not None:
            conn.close()
        if proc is not None:
            if proc.is_alive():
                proc.kill()
            proc.join(timeout=2)
            with contextlib.suppress(ValueError):
                proc.close()

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                with contextlib.suppress(OSError):
                    self._conn.send(None)
            self._discard_process()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    # ------------------------------------------------------------------ verdicts
    def knows(self, path: Path, *, max_bytes: int = 32 * 1024 * 1024) -> bool:
        """Whether a verdict on this file is cached (app start: a known letter needs no
        probe process to open, so none is booted while the window is being built)."""
        try:
            if path.stat().st_size > max_bytes:
                return False
            sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            return False
        report = self._memory.get((sha256, False)) or self._load(sha256)
        if report is None:
            return False
        self._memory[(sha256, False)] = report
        return True

    def check(self, path: Path, sha256: str, name: str, password: str | None) -> ProbeReport:
        """The probe's report on an opened file; raises ``DocumentError`` (or
        ``PasswordRequired``) when the file must not be opened."""
        started = time.monotonic()
        key = (sha256, password is not None)
        report = self._memory.get(key) if password is None else None
        if report is None and password is None:
            report = self._load(sha256)
        if report is None:
            with self._lock:
                report = self._ask(path, sha256, name, password, started)
            if report.refusal is not None:  # cached by content: the name is filled in later
                report = replace(report, refusal=report.refusal.replace(name, _NAME))
            if report.cacheable and password is None:
                self._memory[key] = report
                self._save(sha256, report)
        self.last_seconds = time.monotonic() - started
        refusal = report.refusal.replace(_NAME, name) if report.refusal is not None else None
        if report.needs_password:
            raise PasswordRequired(
                refusal or f"{name} is protected by a password.", wrong=report.wrong_password
            )
        if refusal is not None:
            raise DocumentError(refusal)
        return report

    def _ask(
        self,
        path: Path,
        sha256: str,
        name: str,
        password: str | None,
        started: float,
        *,
        retry: bool = True,
    ) -> ProbeReport:
        self._ensure_process()
        assert self._conn is not None and self._proc is not None
        conn, proc = self._conn, self._proc
        deadline = started + self.timeout
        try:
            while not self._ready:  # the boot message ("ready")
                if not conn.poll(max(0.0, deadline - time.monotonic())):
                    raise TimeoutError
                conn.recv()
                self._ready = True
            conn.send((str(path), sha256, name, password))
            if not conn.poll(max(0.0, deadline - time.monotonic())):
                raise TimeoutError
            report = conn.recv()
        except TimeoutError:
            self._replace_process()
            return ProbeReport(
                refusal=f"{name} was not opened: reading it took longer than "
                f"{self.timeout:.0f} seconds (it may be damaged, or built to exhaust the "
                "reader, e.g. a decompression bomb).",
                cacheable=False,
            )
        except (EOFError, OSError):
            proc.join(timeout=1)
            code = proc.exitcode
            self._replace_process()
            if retry and time.monotonic() < deadline:
                # the process may have died before this file reached it (killed while
                # idle): a file that really crashes the reader crashes it again
                return self._ask(path, sha256, name, password, started, retry=False)
            return ProbeReport(refusal=_crash_message(name, code), cacheable=False)
        if not isinstance(report, ProbeReport):
            self._replace_process()
            return ProbeReport(refusal=f"{name} was not opened (the check failed).",
                               cacheable=False)  # fmt: skip
        if report.refusal and "memory" in report.refusal:
            self._replace_process()  # after an allocation failure, start clean
        return report

    def _replace_process(self) -> None:
        self._discard_process()
        self._ensure_process()  # the next file must not wait for a Python to boot

    # ------------------------------------------------------------------ disk cache
    def _cache_file(self, sha256: str) -> Path | None:
        if self.cache_dir is None:
            return None
        return self.cache_dir / f"{sha256}.json"

    def _load(self, sha256: str) -> ProbeReport | None:
        path = self._cache_file(sha256)
        if path is None:
            return None
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if raw.get("version") != PROBE_VERSION or raw.get("mupdf") != _mupdf_version():
                return None
            raw.pop("mupdf")
            raw["links"] = tuple(Link(p, tuple(r), u) for p, r, u in raw.get("links", ()))
            for key in ("unreadable_pages", "ignored", "notes"):
                raw[key] = tuple(raw.get(key, ()))
            return ProbeReport(**raw)
        except (OSError, ValueError, TypeError, KeyError):
            return None

    def _save(self, sha256: str, report: ProbeReport) -> None:
        path = self._cache_file(sha256)
        if path is None:
            return
        raw = asdict(report)
        raw["links"] = [(ln.page, list(ln.rect), ln.url) for ln in report.links]
        raw["mupdf"] = _mupdf_version()
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(raw), encoding="utf-8")
            os.replace(tmp, path)


def _mupdf_version() -> str:
    import pymupdf

    return str(pymupdf.VersionFitz)


def _crash_message(name: str, code: int | None) -> str:
    how = ""
    if code is not None and code < 0:
        with contextlib.suppress(ValueError):
            how = f" ({signal.Signals(-code).name})"
    return (
        f"{name} was not opened: the PDF reader stopped while checking it{how}. "
        "The file is damaged or malicious."
    )


_shared: ProbeGate | None = None
_shared_lock = threading.Lock()


def shared_gate() -> ProbeGate:
    """The app's one probe process (one per app process, shared by its windows)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            from imr_desktop import paths

            _shared = ProbeGate(cache_dir=paths.data_dir() / "probe")
        return _shared
