"""OCR results kept on disk, keyed by the file's sha256 and the OCR version.

OCR takes seconds a page; annotations are anchored on its text. Keeping the characters
and their boxes lets a recognised scan reopen at once with the very same text (so its
annotations stay where they were), and lets the packet export draw highlights on it.
One gzip'd JSON file per document, written atomically (tmp + ``os.replace``).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
from collections.abc import Sequence
from pathlib import Path

from imr_desktop import paths
from imr_desktop.core.ocr.engine import OCR_VERSION, OcrPage
from imr_desktop.core.pdf import PageChars
from imr_desktop.core.textlayer import TextLayer


def cache_dir() -> Path:
    return paths.data_dir() / "ocr"


def _path(sha256: str, folder: Path | None) -> Path:
    return (folder or cache_dir()) / f"{sha256}.json.gz"


def save(sha256: str, pages: Sequence[OcrPage], folder: Path | None = None) -> Path:
    path = _path(sha256, folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "version": OCR_VERSION,
        "sha256": sha256,
        "pages": [
            {
                "index": p.chars.index,
                "width": p.chars.width,
                "height": p.chars.height,
                "text": p.chars.text,
                "boxes": [round(v, 2) for v in p.chars.boxes],
                "lines": p.chars.lines,
                "dpi": p.dpi,
                "notes": list(p.notes),
            }
            for p in pages
        ],
    }
    tmp = path.with_suffix(".tmp")
    with gzip.open(tmp, "wt", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False)
    os.replace(tmp, path)
    return path


def load(sha256: str, folder: Path | None = None) -> list[OcrPage] | None:
    """The cached pages, or None when absent, damaged or from another OCR version."""
    path = _path(sha256, folder)
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            doc = json.load(fh)
        if doc.get("version") != OCR_VERSION or doc.get("sha256") != sha256:
            return None
        return [
            OcrPage(
                PageChars(
                    int(p["index"]),
                    float(p["width"]),
                    float(p["height"]),
                    str(p["text"]),
                    tuple(float(v) for v in p["boxes"]),
                    tuple((int(a), int(b)) for a, b in p["lines"]),
                ),
                int(p["dpi"]),
                tuple(str(n) for n in p.get("notes", ())),
            )
            for p in doc["pages"]
        ]
    except (OSError, ValueError, KeyError, TypeError, EOFError):
        return None


def discard(sha256: str, folder: Path | None = None) -> None:
    with contextlib.suppress(OSError):
        _path(sha256, folder).unlink()


def layer_of(pages: Sequence[OcrPage]) -> TextLayer:
    layer = TextLayer(len(pages))
    for page in pages:
        layer.add_page(page.chars)
    return layer


def summary(pages: Sequence[OcrPage]) -> str:
    """What the banner says about an OCR'd document, e.g. "2 pages at 200 dpi"."""
    done = [p for p in pages if p.recognised]
    dpis = sorted({p.dpi for p in done})
    at = ""
    if dpis:
        at = f" at {dpis[0]} dpi" if len(dpis) == 1 else f" at {dpis[0]}–{dpis[-1]} dpi"
    return f"{len(done)} page{'s' if len(done) != 1 else ''}{at}"
