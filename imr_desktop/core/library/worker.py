"""Reading one file for the library: runs in a worker process, returns plain data.

pymupdf is not thread-safe, and a hostile PDF can take seconds per page, so files are read
in worker processes (``pool``) that open their own documents. ``read_file`` never raises:
a file that cannot be imported comes back with ``status="failed"`` and a reason meant for
the user. The text is the fast canonical text (``pdf.pdf_text``: ``pdf.page_text`` of every
page, equal to what the GUI builds from per-character boxes), so annotations made later
line up with it.
"""

from __future__ import annotations

import os
import signal
import stat
from dataclasses import dataclass
from multiprocessing.connection import Connection

from imr_desktop.core.errors import DocumentError, PasswordRequired
from imr_desktop.core.library.record import Derived, from_letter, positional_pickle
from imr_desktop.core.sandbox import out_of_memory

NOT_A_LETTER = "not an IMR letter: no case number, sections or decisions were found"
NO_TEXT = "no text layer (a scan or a picture?): run OCR on it first"
TOO_LARGE = "too large to read within the memory limit (a decompression bomb?)"


@dataclass(frozen=True, slots=True)
class ReadOptions:
    require_letter: bool = True  # refuse readable files in which nothing of a letter is found
    store_structure: bool = False  # also return the structure JSON (about 1x the text)


@positional_pickle
@dataclass(slots=True)
class FileResult:
    """What a worker found in one file."""

    path: str  # imported: absolute, links resolved (as the GUI records it); failed: as given
    status: str  # "new" | "known" (sha256 already in the library) | "failed"; "read" (extract)
    sha256: str = ""
    size: int = 0
    kind: str = ""  # "pdf" | "text"
    page_count: int = 0
    text: str = ""
    text_sha256: str = ""
    extractor_version: str = ""
    derived: Derived | None = None
    structure_json: str | None = None
    reason: str = ""  # why it failed

    @classmethod
    def failed(cls, path: str, reason: str) -> FileResult:
        return cls(path=path, status="failed", reason=reason)


def read_file(path: str, known: frozenset[str] | set[str], options: ReadOptions) -> FileResult:
    """Identify, read and parse one file. Never raises."""
    try:
        return _read(path, known, options)
    except Exception as exc:  # a parser bug must not stop an import of 10,000 files
        if out_of_memory(exc):  # under the worker's memory cap: a bomb, most likely
            return FileResult.failed(path, TOO_LARGE)
        if isinstance(exc, DocumentError):
            return FileResult.failed(path, exc.message)
        return FileResult.failed(path, f"could not be read (internal error: {exc!r})")


def _read(path: str, known: frozenset[str] | set[str], options: ReadOptions) -> FileResult:
    from imr_desktop.core import pdf
    from imr_desktop.core.document import TEXT_EXTRACTOR_VERSION, decode_text, read_source
    from imr_desktop.core.structure import extract_structure

    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return FileResult.failed(path, "file not found (or a broken link)")
    except PermissionError:
        return FileResult.failed(path, "permission denied")
    if not stat.S_ISREG(mode):
        # a FIFO would block the reader forever, a device would never end
        return FileResult.failed(path, "not a regular file")
    source = read_source(path)
    real = os.path.realpath(path)
    if source.sha256 in known:
        return FileResult(path=real, status="known", sha256=source.sha256, size=len(source.data))
    if source.kind == "text":
        text = decode_text(source.data, source.name)
        pages, version = 0, TEXT_EXTRACTOR_VERSION
    else:
        version = pdf.EXTRACTOR_VERSION
        try:
            pages, text = pdf.pdf_text(source.data, source.name)
        except PasswordRequired:
            raise DocumentError(
                f"{source.name} is encrypted (password protected); open it in IMR Desktop "
                "with its password instead"
            ) from None
        except pdf.MUPDF_ERRORS as exc:  # MuPDF errors on a damaged page
            raise DocumentError(f"{source.name} is damaged and cannot be read ({exc}).") from None
        finally:
            pdf.repair_warnings()  # this file's MuPDF messages must not leak into the next
    if not text.strip():
        return FileResult.failed(path, NO_TEXT if source.kind == "pdf" else "no text (blank)")
    structure = extract_structure(text)
    if options.require_letter and structure.is_empty:
        return FileResult.failed(path, NOT_A_LETTER)
    return FileResult(
        path=real,
        status="new",
        sha256=source.sha256,
        size=len(source.data),
        kind=source.kind,
        page_count=pages,
        text=text,
        text_sha256=structure.text_sha256,  # sha256 of the UTF-8 text, as the GUI records
        extractor_version=version,
        derived=from_letter(structure),
        structure_json=structure.to_json() if options.store_structure else None,
    )


READY = "ready"


def serve(conn: Connection, known: frozenset[str], options: ReadOptions) -> None:
    """Worker process main loop: say ``READY`` once the reader is imported (the time
    limit runs from then), then receive paths and send ``FileResult``s; stop on ``None``."""
    # Ctrl-C reaches the whole process group: the parent decides, and stops us itself
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import imr_desktop.core.pdf
    import imr_desktop.core.structure.extract  # noqa: F401  (the structure package is lazy)

    conn.send(READY)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return  # the parent went away
        if task is None:
            return
        conn.send(read_file(task, known, options))
