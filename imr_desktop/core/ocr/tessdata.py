"""Finding Tesseract's language data (pymupdf has Tesseract built in; it needs only this).

We look in the places packages put it instead of calling ``pymupdf.get_tessdata()``, which
shells out to ``tesseract``/``whereis`` and fails without the Tesseract program, although
the language data alone is all the built-in engine needs.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path

from imr_desktop.core.errors import UserFacingError

LANGUAGE = "eng"
APT_PACKAGE = "tesseract-ocr-eng"
ENV_VAR = "TESSDATA_PREFIX"

# Debian/Ubuntu (tesseract-ocr-eng), Fedora, Homebrew, MacPorts, a manual install
_PATTERNS = (
    "/usr/share/tesseract-ocr/*/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/opt/homebrew/share/tessdata",
    "/opt/local/share/tessdata",
)

INSTALL_HELP = (
    "Text recognition (OCR) needs Tesseract's English language data, which is not "
    f"installed. On Debian or Ubuntu: sudo apt install {APT_PACKAGE}. Elsewhere, get "
    f"{LANGUAGE}.traineddata (github.com/tesseract-ocr/tessdata_fast) and set the "
    f"environment variable {ENV_VAR} to the folder that holds it, then restart IMR Desktop."
)


class OcrUnavailable(UserFacingError):
    """OCR cannot run here (no language data); the message says how to install it."""


def _has_language(folder: Path) -> bool:
    return (folder / f"{LANGUAGE}.traineddata").is_file()


def find_tessdata(environ: dict[str, str] | None = None) -> Path | None:
    """The folder holding ``eng.traineddata``, or None.

    ``TESSDATA_PREFIX`` wins when it holds the data (it may name the folder itself or,
    as older Tesseract versions expect, its parent).
    """
    env = os.environ if environ is None else environ
    prefix = env.get(ENV_VAR)
    if prefix:
        for folder in (Path(prefix), Path(prefix) / "tessdata"):
            if _has_language(folder):
                return folder
    for pattern in _PATTERNS:
        for folder in sorted(glob.glob(pattern), reverse=True):  # newest version first
            if _has_language(Path(folder)):
                return Path(folder)
    return None


def require_tessdata(environ: dict[str, str] | None = None) -> Path:
    folder = find_tessdata(environ)
    if folder is None:
        raise OcrUnavailable(INSTALL_HELP)
    return folder
