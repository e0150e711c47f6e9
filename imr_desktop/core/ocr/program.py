"""The system's Tesseract program, used instead of pymupdf's built-in copy when present.

Both are Tesseract with the same language data and the same settings (one text block per
image, as MuPDF's OCR runs it), and both hand back a one-page PDF whose invisible text
sits on the words, which ``engine`` reads the same way. The difference is speed: pymupdf's
wheel builds Tesseract for any x86-64 CPU, without the vector instructions its neural
network spends nearly all its time in, while distributions build the program to pick
AVX2/FMA at run time. Measured on a 200 dpi letter page: 4.6 CPU-s built-in, 2.5 with the
program (start-up and model loading included), the same words read.

The program is found on ``PATH`` (Debian: ``tesseract-ocr``), run with the image on its
stdin and the PDF on its stdout (nothing is written to disk: the letters are medical
records), one thread (the OCR job already keeps every core busy with one process each),
and it dies with the worker that started it when a job is cancelled. Anything unexpected
(a missing or old program, an error, no PDF) makes the caller fall back to the built-in
engine. ``IMR_OCR_ENGINE=builtin`` forces the built-in one (``program`` forces this one).
"""

from __future__ import annotations

import ctypes
import functools
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ENV_VAR = "IMR_OCR_ENGINE"
MIN_MAJOR = 4  # the LSTM engine and text-only PDF output
TIMEOUT = 300.0  # seconds for one piece of a page; the job's own cancel comes first
_VERSION = re.compile(rb"tesseract v?(\d+)\.(\d+)(?:\.(\d+))?", re.IGNORECASE)


class ProgramFailed(RuntimeError):
    """The program ran but gave no usable PDF (the caller falls back to the built-in)."""


def wanted(environ: dict[str, str] | None = None) -> str:
    """``"auto"`` (the program when found), ``"builtin"`` or ``"program"``."""
    value = (os.environ if environ is None else environ).get(ENV_VAR, "auto").strip().lower()
    return value if value in ("builtin", "program") else "auto"


@functools.cache
def find() -> tuple[str, str] | None:
    """(absolute path, version) of a usable ``tesseract`` program, or None."""
    if wanted() == "builtin":
        return None
    path = shutil.which("tesseract")
    if path is None:
        return None
    try:
        out = subprocess.run(
            [path, "--version"], capture_output=True, timeout=10, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.SubprocessError):
        return None
    m = _VERSION.search(out.stdout + out.stderr)
    if out.returncode != 0 or m is None or int(m.group(1)) < MIN_MAJOR:
        return None
    return path, ".".join(g.decode() for g in m.groups() if g is not None)


_failed = False  # the program failed once in this process: not tried again


def available() -> bool:
    return not _failed and find() is not None


def give_up() -> None:
    global _failed
    _failed = True


def _die_with_parent() -> Callable[[], None] | None:
    """Linux: a function for the child to run before the program starts, so that the
    program is killed with the worker that started it (a cancelled job). Looked up here,
    in the parent: nothing may be imported between fork and exec."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None

    def pdeathsig() -> None:  # pragma: no cover - runs in the child
        prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG

    return pdeathsig


def ocr_pdf(image: bytes, dpi: int, language: str, tessdata: Path) -> bytes:
    """Recognise ``image`` (PNM bytes) at ``dpi``: a one-page PDF of invisible text."""
    found = find()
    if found is None:
        raise ProgramFailed("no usable tesseract program")
    path, _ = found
    command = [
        path, "stdin", "stdout",
        "--psm", "6",  # one uniform block of text: what MuPDF's built-in call uses
        "--dpi", str(dpi),
        "-l", language,
        "--tessdata-dir", str(tessdata),
        "-c", "textonly_pdf=1",  # the text alone; the page image stays with us
        "pdf",
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "TESSDATA_PREFIX"}
    env["OMP_THREAD_LIMIT"] = "1"
    try:
        done = subprocess.run(
            command,
            input=image,
            capture_output=True,
            timeout=TIMEOUT,
            env=env,
            preexec_fn=_die_with_parent(),
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise ProgramFailed(f"tesseract could not run: {exc}") from None
    if done.returncode != 0 or not done.stdout.startswith(b"%PDF"):
        detail = done.stderr.decode("utf-8", "replace").strip()[-300:]
        raise ProgramFailed(f"tesseract failed ({done.returncode}): {detail}")
    return done.stdout
