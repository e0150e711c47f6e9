"""Running OCR in worker processes, with progress and cancel.

Two processes by default (the target machines have two cores), started with ``spawn``:
forking a process whose other threads hold MuPDF or Qt locks can deadlock the child.
Workers open their own copy of the document and answer through a queue; the owner calls
``poll()`` (the GUI from a timer, scripts in a loop) and gets events back. ``cancel()``
ends the workers at once: a page of Tesseract cannot be interrupted any other way.

Each worker caps its address space (``core.sandbox``): a scan is a file from outside.

An encrypted scan's password (the one the user typed to open it) reaches the workers with
the document's bytes, in the pickled process arguments that ``spawn`` writes to the
child's pipe: never on a command line (``ps`` shows those), in a file or in the database.
"""

from __future__ import annotations

import heapq
import multiprocessing as mp
import queue
import time
from dataclasses import dataclass, field
from pathlib import Path

from imr_desktop.core.ocr.engine import OcrPage, PagePlan, assemble
from imr_desktop.core.ocr.tessdata import require_tessdata
from imr_desktop.core.sandbox import GIB

WORKERS = 2
MEMORY_LIMIT = 2 * GIB
SECONDS_PER_PAGE = 60.0  # a page taking longer than this is stuck, not slow
PLAN_WEIGHT = 0.1  # share of a page's progress that planning it stands for
SPLIT_COST = 0.03  # a page read as two strips costs this much more CPU (measured: 1-4 %)
TABLE_COST = 0.1  # a header table costs about this share of its page (0.45 of 4.8 CPU-s)
CUT_UP_TO = 16  # pages; ``schedule`` considers cutting pages of documents this short


@dataclass(frozen=True, slots=True)
class Progress:
    pages_done: int
    page_count: int
    fraction: float  # 0..1, grows smoothly with every piece


@dataclass(frozen=True, slots=True)
class Finished:
    pages: tuple[OcrPage, ...]
    seconds: float

    @property
    def notes(self) -> list[str]:
        return [n for p in self.pages for n in p.notes]


@dataclass(frozen=True, slots=True)
class Failed:
    message: str


OcrEvent = Progress | Finished | Failed
Task = tuple[PagePlan, int]  # a plan and one of its pieces (-1: the header table)


def schedule(plans: list[PagePlan], workers: int) -> list[Task]:
    """Which pages to read in two strips, and in what order to queue every piece.

    Workers take the next piece as they become free, so the pieces are queued biggest
    first (the small ones at the end let the workers finish together) and a page is cut
    only where that shortens the predicted time of the whole job: cutting costs a few per
    cent more CPU, so two equal pages stay whole, while the third page of a letter is cut.
    A piece's cost is predicted from its ink (``scan.find_cut``). Longer documents keep
    their pages whole: there the last piece is a small part of the job.
    """

    def pieces(cut: set[int]) -> list[tuple[float, Task]]:
        out: list[tuple[float, Task]] = []
        for plan in plans:
            chosen = plan if plan.index in cut else plan.whole()
            extra = 1 + SPLIT_COST if len(chosen.strips) > 1 else 1.0
            out += [(plan.ink * w * extra, (chosen, k)) for k, w in enumerate(chosen.weights)]
            if plan.band is not None:
                out.append((plan.ink * TABLE_COST, (chosen, -1)))
        return sorted(out, key=lambda c: -c[0])  # stable: page order among equals

    def makespan(costs: list[tuple[float, Task]]) -> float:
        loads = [0.0] * max(1, workers)
        for cost, _ in costs:
            heapq.heapreplace(loads, loads[0] + cost)
        return max(loads)

    cut: set[int] = set()
    best = makespan(pieces(cut))
    while len(plans) <= CUT_UP_TO:  # cut the page that helps most, until none does
        trials = [
            (makespan(pieces(cut | {p.index})), p.index)
            for p in plans
            if len(p.strips) > 1 and p.index not in cut
        ]
        if not trials or min(trials)[0] >= best * 0.999:
            break
        best, index = min(trials)
        cut.add(index)
    return [task for _, task in pieces(cut)]


def _worker_main(
    data: bytes, password: str | None, tessdata: str, tasks: mp.Queue, results: mp.Queue
) -> None:
    """Worker process body: open the document once, then serve tasks until None."""
    from imr_desktop.core.sandbox import limit_child

    limit_child(memory_bytes=MEMORY_LIMIT, cpu_seconds=None)
    import pymupdf

    from imr_desktop.core.ocr import engine

    pymupdf.TOOLS.mupdf_display_errors(False)
    doc = pymupdf.open(stream=data, filetype="pdf")
    # an encrypted scan: without this every page renders blank (and "recognises" as
    # nothing), or MuPDF refuses it
    if doc.needs_pass and not doc.authenticate(password or ""):
        why = "its password is needed" if password is None else "its password was not accepted"
        results.put(("fatal", 0, why))
        return
    folder = Path(tessdata)
    while (task := tasks.get()) is not None:
        kind, index = task[0], task[1]
        try:
            if kind == "plan":
                results.put(("plan", index, engine.plan_page(doc, index)))
            else:
                plan, piece = task[2], task[3]
                results.put(("piece", index, piece, engine.recognise(doc, plan, piece, folder)))
        except MemoryError:
            results.put(("error", index, "it is too large to recognise within the memory limit"))
        except Exception as exc:  # MuPDF errors on a damaged page: report, keep serving
            results.put(("error", index, f"{type(exc).__name__}: {exc}"))


@dataclass
class _PageState:
    plan: PagePlan | None = None
    strips: dict[int, list] = field(default_factory=dict)
    table: list | None = None
    result: OcrPage | None = None

    def pieces_left(self) -> int:
        if self.plan is None:
            return -1
        need = len(self.plan.strips) + (1 if self.plan.band else 0)
        have = len(self.strips) + (1 if self.table is not None else 0)
        return need - have

    def fraction(self) -> float:
        if self.result is not None:
            return 1.0
        if self.plan is None:
            return 0.0
        need = len(self.plan.strips) + (1 if self.plan.band else 0)
        have = len(self.strips) + (1 if self.table is not None else 0)
        return PLAN_WEIGHT + (1 - PLAN_WEIGHT) * have / need


class OcrJob:
    """OCR of one PDF's pages without a text layer (pages with one keep their text)."""

    def __init__(
        self,
        data: bytes,
        name: str,
        page_count: int,
        *,
        workers: int = WORKERS,
        tessdata: Path | None = None,
        password: str | None = None,
    ) -> None:
        self.name = name
        self.page_count = page_count
        self._data = data
        self._password = password  # in memory only, for the workers (see the docstring)
        self._workers_wanted = max(1, min(workers, page_count * 2))
        self._tessdata = tessdata
        self._procs: list[mp.process.BaseProcess] = []
        self._pages = [_PageState() for _ in range(page_count)]
        self._started = 0.0
        self._deadline = 0.0
        self._done = False
        self._tasks: mp.Queue | None = None
        self._results: mp.Queue | None = None

    # ------------------------------------------------------------------ control
    def prepare(self) -> None:
        """Start the workers without giving them work yet: a Python and pymupdf take a
        second to boot, which the GUI spends while the user reads the OCR offer.
        Raises ``OcrUnavailable`` without language data."""
        if self._procs:
            return
        tessdata = self._tessdata or require_tessdata()
        ctx = mp.get_context("spawn")
        self._tasks, self._results = ctx.Queue(), ctx.Queue()
        for _ in range(self._workers_wanted):
            proc = ctx.Process(
                target=_worker_main,
                args=(self._data, self._password, str(tessdata), self._tasks, self._results),
                name="imr-ocr",
                daemon=True,
            )
            proc.start()
            self._procs.append(proc)

    def start(self) -> None:
        """Start recognising (the workers too, unless ``prepare`` did)."""
        self.prepare()
        assert self._tasks is not None
        for index in range(self.page_count):
            self._tasks.put(("plan", index))
        self._started = time.monotonic()
        self._deadline = self._started + 15 + SECONDS_PER_PAGE * self.page_count

    def cancel(self) -> None:
        """Stop now; results so far are dropped."""
        self._done = True
        self._stop()

    @property
    def running(self) -> bool:
        return bool(self._procs) and not self._done

    def _stop(self) -> None:
        for proc in self._procs:
            if proc.is_alive():
                proc.kill()
        for proc in self._procs:
            proc.join(timeout=2)
            proc.close()
        self._procs = []
        for q in (self._tasks, self._results):
            if q is not None:
                q.cancel_join_thread()  # never block on data a dead worker left behind
                q.close()
        self._tasks = self._results = None

    # ------------------------------------------------------------------ progress
    def poll(self, timeout: float = 0.0) -> list[OcrEvent]:
        """Events since the last call; waits up to ``timeout`` seconds for the first."""
        if self._done or self._results is None or not self._started:
            return []
        events: list[OcrEvent] = []
        got = False
        block = timeout > 0
        while True:
            try:
                message = self._results.get(block, timeout) if block else self._results.get_nowait()
            except queue.Empty:
                break
            except (EOFError, OSError):
                return self._fail("the OCR worker's answer was cut off")
            block = False
            got = True
            failure = self._handle(message)
            if failure is not None:
                return self._fail(failure)
        if got:
            events.append(self.progress())
        if all(p.result is not None for p in self._pages):
            pages = tuple(p.result for p in self._pages if p.result is not None)
            self._done = True
            self._stop()
            events.append(Finished(pages, time.monotonic() - self._started))
            return events
        dead = [p for p in self._procs if p.exitcode is not None]
        if dead:
            return self._fail(
                f"an OCR worker process stopped unexpectedly (exit code {dead[0].exitcode})"
            )
        if time.monotonic() > self._deadline:
            return self._fail("it took too long (more than a minute a page)")
        return events

    def progress(self) -> Progress:
        done = sum(1 for p in self._pages if p.result is not None)
        fraction = sum(p.fraction() for p in self._pages) / max(1, self.page_count)
        return Progress(done, self.page_count, fraction)

    def _handle(self, message: tuple) -> str | None:
        kind, index = message[0], message[1]
        if kind == "fatal":  # the worker could not open the document at all
            return str(message[2])
        state = self._pages[index]
        if kind == "error":
            return f"page {index + 1} could not be recognised: {message[2]}"
        if kind == "plan":
            plan = message[2]
            if isinstance(plan, OcrPage):
                state.result = plan  # a page with its own text layer
            else:
                state.plan = plan
            if all(p.plan is not None or p.result is not None for p in self._pages):
                self._queue_pieces()
            return None
        piece, blocks = message[2], message[3]
        if piece < 0:
            state.table = blocks
        else:
            state.strips[piece] = blocks
        if state.pieces_left() == 0 and state.plan is not None:
            strips = [state.strips[k] for k in range(len(state.plan.strips))]
            state.result = assemble(state.plan, strips, state.table or [])
            if self._tasks is not None and all(p.result is not None for p in self._pages):
                for _ in self._procs:
                    self._tasks.put(None)
        return None

    def _queue_pieces(self) -> None:
        """Every page is planned: queue their pieces (a worker that is done planning
        waits for them until the owner's next poll, at most 100 ms in the GUI)."""
        assert self._tasks is not None
        plans = [p.plan for p in self._pages if p.plan is not None]
        for plan, piece in schedule(plans, len(self._procs)):
            self._pages[plan.index].plan = plan  # whole, or cut in two
            self._tasks.put(("piece", plan.index, plan, piece))

    def _fail(self, reason: str) -> list[OcrEvent]:
        self._done = True
        self._stop()
        return [Failed(f"Text recognition of {self.name} failed: {reason}.")]

    def wait(self, timeout: float | None = None) -> Finished | Failed:
        """Block until done (scripts, tests, benchmarks)."""
        end = None if timeout is None else time.monotonic() + timeout
        while True:
            for event in self.poll(timeout=0.2):
                if isinstance(event, Finished | Failed):
                    return event
            if end is not None and time.monotonic() > end:
                self.cancel()
                return Failed(f"Text recognition of {self.name} did not finish in time.")
