"""Read a letter's canonical text fast, without per-character geometry.

``load_document`` builds the text from ``rawdict`` characters so every character has a box;
the structure needs only the text, and ``page.get_text("text", flags=TEXT_FLAGS)`` joined
over the pages gives the same string (checked on every corpus page) at a fraction of the
cost. pymupdf is imported on first use so that the parser itself stays import-light.
"""

from __future__ import annotations

from pathlib import Path

from imr_desktop.core.errors import DocumentError
from imr_desktop.core.structure.extract import extract_structure
from imr_desktop.core.structure.model import LetterStructure


def read_text(path: str | Path, password: str | None = None) -> str:
    """The canonical text of a PDF or UTF-8 text file; ``DocumentError`` if unreadable."""
    from imr_desktop.core import pdf
    from imr_desktop.core.document import decode_text, read_source

    source = read_source(path)
    if source.kind == "text":
        return decode_text(source.data, source.name)
    doc = pdf.open_pdf(source.data, source.name, password)
    try:
        return "".join(pdf.page_text(doc, i) for i in range(doc.page_count))
    except pdf.MUPDF_ERRORS as exc:  # MuPDF errors on a damaged page
        raise DocumentError(f"{source.name} is damaged and cannot be read ({exc}).") from None
    finally:
        doc.close()
        pdf.repair_warnings()  # drop MuPDF's messages so they do not leak into the next file


def extract_file(path: str | Path, password: str | None = None) -> LetterStructure:
    return extract_structure(read_text(path, password))
