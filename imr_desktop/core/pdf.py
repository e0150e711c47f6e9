"""Thin, typed wrappers around pymupdf: open, extract page characters, render.

pymupdf is not thread-safe. Everything here must be called from one thread per process
(the GUI's render thread, or a worker process); nothing here keeps global state besides
MuPDF's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pymupdf
from pymupdf import extra as _extra
from pymupdf import mupdf as _mupdf

from imr_desktop.core.errors import DocumentError, PasswordRequired

# MuPDF prints repairs and syntax errors on stderr; we collect them instead and show the
# user one clear line ("repaired").
pymupdf.TOOLS.mupdf_display_errors(False)

# Pinned text flags (see docs): whitespace kept so every character has a box, clipped to
# the media box, unknown glyphs kept as CIDs. No ligature preservation (ligatures are
# expanded and their box split), no dehyphenation (offsets must match what is on the page).
TEXT_FLAGS = (
    pymupdf.TEXT_PRESERVE_WHITESPACE
    | pymupdf.TEXT_MEDIABOX_CLIP
    | pymupdf.TEXT_CID_FOR_UNKNOWN_UNICODE
)
# What MuPDF raises on a damaged file: pymupdf's own errors are RuntimeErrors or
# ValueErrors, but the low-level ones (``FzErrorFormat: cycle in page tree`` when a page
# is loaded, say) derive from Exception only.
MUPDF_ERRORS: tuple[type[Exception], ...] = (RuntimeError, ValueError, pymupdf.mupdf.FzErrorBase)

# Bump when the way canonical text is built changes; stored with every document so that
# annotations can be re-anchored when it does.
EXTRACTOR_VERSION = f"imr-text-1/mupdf-{pymupdf.VersionFitz}"


@dataclass(frozen=True, slots=True)
class PageChars:
    """Characters of one page in reading order, with one box per character.

    ``text`` ends each line with a synthetic ``"\\n"`` whose box is a zero-width box at
    the end of its line. ``boxes`` holds x0, y0, x1, y1 per character in points, in the
    page's displayed (rotated) coordinate space. ``lines`` holds (start, end) offsets into
    ``text`` for every line, ``end`` excluding the newline.
    """

    index: int
    width: float
    height: float
    text: str
    boxes: tuple[float, ...]
    lines: tuple[tuple[int, int], ...]


def sniff_kind(data: bytes) -> str:
    """'pdf' when the bytes carry a PDF header (MuPDF tolerates junk before it), else 'text'."""
    return "pdf" if b"%PDF-" in data[:1024] else "text"


def open_pdf(data: bytes, name: str, password: str | None = None) -> pymupdf.Document:
    """Open PDF bytes; raise a ``DocumentError`` with a clear message on failure.

    The document is opened from memory so the user's file is never locked or written.
    """
    if not data:
        raise DocumentError(f"{name} is empty (0 bytes).")
    if sniff_kind(data) != "pdf":
        raise DocumentError(f"{name} is not a PDF file (it has no PDF header).")
    # warnings left by an earlier file (one that failed to open) are not this file's
    pymupdf.TOOLS.mupdf_warnings(reset=True)
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except (pymupdf.FileDataError, RuntimeError, ValueError) as exc:
        raise DocumentError(f"{name} is damaged and cannot be read as a PDF ({exc}).") from None
    if doc.needs_pass:
        if password is None:
            doc.close()
            raise PasswordRequired(f"{name} is protected by a password.")
        if not doc.authenticate(password):
            doc.close()
            raise PasswordRequired(f"The password for {name} is not correct.", wrong=True)
    if doc.page_count == 0:
        doc.close()
        raise DocumentError(f"{name} is damaged: it opened with 0 pages.")
    if doc.is_repaired and not any(_draws_something(doc, i) for i in range(doc.page_count)):
        # e.g. a truncated download whose page tree survived but whose pages did not;
        # without this it would open as blank pages, like a scan with no text layer
        count = doc.page_count  # repairs made while trying the pages can change it
        doc.close()
        if count == 0:
            raise DocumentError(f"{name} is damaged: it opened with 0 pages.")
        raise DocumentError(
            f"{name} is damaged (truncated or corrupt): none of its {count} pages can be read."
        )
    return doc


def _draws_something(doc: pymupdf.Document, index: int) -> bool:
    try:
        return bool(doc[index].get_bboxlog())
    except Exception:  # any MuPDF error (e.g. FzErrorFormat: malformed page tree)
        return False


def repair_warnings() -> str:
    """MuPDF's warnings since the last call (empty when the file was clean)."""
    return pymupdf.TOOLS.mupdf_warnings(reset=True).strip()


LETTER_SIZE = (612.0, 792.0)


def page_size(doc: pymupdf.Document, index: int) -> tuple[float, float]:
    """A page's displayed size; US Letter for a page MuPDF cannot load (a damaged page
    tree): it shows blank, and the probe's report names it, instead of the whole file
    failing to open."""
    try:
        rect = doc[index].rect
    except Exception:
        return LETTER_SIZE
    return rect.width, rect.height


_SURROGATES = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Replace lone surrogates (broken font maps) with U+FFFD, one for one.

    They cannot be encoded as UTF-8, so SQLite, JSON and exports would fail on them;
    replacing one code point by one keeps every offset where it was.
    """
    return _SURROGATES.sub("\ufffd", text) if _SURROGATES.search(text) else text


def page_text(doc: pymupdf.Document, index: int) -> str:
    """A page's canonical text without geometry: equal to ``extract_page(...).text``
    (tested on every corpus page and on the generated PDFs) and several times faster.

    What ``page.get_text("text", flags=...)`` does, without its wrapper (which also
    works out the crop box, unused for plain text): 3% less per page, and the library
    import reads every page of thousands of letters this way."""
    return clean_text(doc[index].get_textpage(flags=TEXT_FLAGS).extractText())


def pdf_text(data: bytes, name: str) -> tuple[int, str]:
    """Page count and canonical text (every ``page_text``, joined) of PDF bytes, with
    ``open_pdf``'s errors: what the library import reads from each file.

    A plain file is read straight from MuPDF's own document and page objects, without
    pymupdf's ``Document`` and ``Page`` wrappers (their Python set-up and tear-down were
    ~1 ms of a ~10 ms letter, and the import reads thousands); the same MuPDF calls
    make the same text. Anything else (a file that does not open, a password, no pages,
    repairs, a rotated page, an error on a page) goes through ``open_pdf`` and
    ``page_text``, which say what is wrong and handle it as everywhere else.
    """
    plain = _plain_text(data)
    if plain is not None:
        return plain
    doc = open_pdf(data, name)
    try:
        return doc.page_count, "".join(page_text(doc, i) for i in range(doc.page_count))
    finally:
        doc.close()


def _plain_text(data: bytes) -> tuple[int, str] | None:
    if not data or sniff_kind(data) != "pdf":
        return None
    pymupdf.TOOLS.mupdf_warnings(reset=True)  # as open_pdf does
    try:
        # ``data`` outlives the document: MuPDF reads it in place
        stream = _mupdf.fz_open_memory(_mupdf.python_buffer_data(data), len(data))
        doc = _mupdf.fz_open_document_with_stream("pdf", stream)
        if _mupdf.fz_needs_password(doc) or _mupdf.pdf_was_repaired(_mupdf.pdf_specifics(doc)):
            return None
        count = _mupdf.fz_count_pages(doc)
        texts: list[str] = []
        for i in range(count):
            page = _mupdf.fz_load_page(doc, i)
            rotate = _mupdf.pdf_dict_get_inheritable(
                _mupdf.pdf_page_from_fz_page(page).obj(), _mupdf.PDF_ENUM_NAME_Rotate
            )
            if _mupdf.pdf_to_int(rotate):
                return None  # get_textpage() unrotates the page while it reads it
            texts.append(_stext_text(page))
    except Exception:  # MuPDF errors: open_pdf and page_text raise them as they do
        return None
    return (count, "".join(texts)) if count else None


def _stext_text(page: _mupdf.FzPage) -> str:
    """``page.get_textpage(flags=TEXT_FLAGS).extractText()`` of an unrotated page, on
    MuPDF's page object (the calls pymupdf makes, without its wrappers)."""
    stext = _mupdf.FzStextPage(_extra.page_get_textpage(page, None, TEXT_FLAGS, None))
    buffer = _mupdf.fz_new_buffer(1024)
    out = _mupdf.FzOutput(buffer)
    _extra.JM_print_stext_page_as_text(buffer, stext)
    out.fz_close_output()
    raw = _mupdf.fz_buffer_extract_copy(buffer)
    return clean_text(raw.decode("raw_unicode_escape", errors="replace"))


def _split_ligatures(boxes: list[float], first: int, count: int) -> None:
    """Share the box of an expanded ligature among its characters.

    MuPDF gives the first character of an expanded ligature ("ffi") the whole glyph box and
    the others zero width at its right edge; splitting it evenly lets every character be
    selected and highlighted on its own.
    """
    x0 = boxes[4 * first]
    x1 = boxes[4 * first + 2]
    step = (x1 - x0) / count
    for k in range(count):
        boxes[4 * (first + k)] = x0 + k * step
        boxes[4 * (first + k) + 2] = x0 + (k + 1) * step


def extract_page(doc: pymupdf.Document, index: int) -> PageChars:
    page = doc[index]
    raw = page.get_text("rawdict", flags=TEXT_FLAGS)
    matrix = page.rotation_matrix if page.rotation else None
    rect = page.rect
    return chars_from_rawdict(raw, index, rect.width, rect.height, matrix)


def chars_from_rawdict(
    raw: dict, index: int, width: float, height: float, matrix: pymupdf.Matrix | None = None
) -> PageChars:
    """``PageChars`` from a ``rawdict`` extraction; ``matrix`` maps its coordinates into
    the displayed page (None when they already are). Shared by born-digital text and OCR
    (``imr_desktop.core.ocr``), so both have the same geometry."""
    chars: list[str] = []
    boxes: list[float] = []
    lines: list[tuple[int, int]] = []
    for block in raw["blocks"]:
        if block.get("type", 0) != 0:
            continue
        for line in block["lines"]:
            line_start = len(chars)
            for span in line["spans"]:
                span_chars = span["chars"]
                run_start = -1
                for ch in span_chars:
                    x0, y0, x1, y1 = ch["bbox"]
                    c = ch["c"]
                    if x1 <= x0 and run_start >= 0 and not c.isspace():
                        # continuation of a ligature: zero width at the previous right edge
                        pass
                    else:
                        if run_start >= 0 and len(chars) - run_start > 1:
                            _split_ligatures(boxes, run_start, len(chars) - run_start)
                        run_start = len(chars) if x1 > x0 else -1
                    chars.append(c)
                    boxes.extend((x0, y0, x1, y1))
                if run_start >= 0 and len(chars) - run_start > 1:
                    _split_ligatures(boxes, run_start, len(chars) - run_start)
            if len(chars) == line_start:
                continue
            lines.append((line_start, len(chars)))
            # synthetic newline: zero-width box at the end of the line
            lx1, ly0, ly1 = boxes[-2], boxes[-3], boxes[-1]
            chars.append("\n")
            boxes.extend((lx1, ly0, lx1, ly1))
    if matrix is not None:
        _rotate_boxes(boxes, matrix)
    text = clean_text("".join(chars))
    return PageChars(index, width, height, text, tuple(boxes), tuple(lines))


def _rotate_boxes(boxes: list[float], m: pymupdf.Matrix) -> None:
    """Map unrotated text coordinates into the displayed (rotated) page space."""
    a, b, c, d, e, f = m.a, m.b, m.c, m.d, m.e, m.f
    for i in range(0, len(boxes), 4):
        x0, y0, x1, y1 = boxes[i : i + 4]
        px0, py0 = a * x0 + c * y0 + e, b * x0 + d * y0 + f
        px1, py1 = a * x1 + c * y1 + e, b * x1 + d * y1 + f
        boxes[i] = min(px0, px1)
        boxes[i + 1] = min(py0, py1)
        boxes[i + 2] = max(px0, px1)
        boxes[i + 3] = max(py0, py1)


@dataclass(frozen=True, slots=True)
class RenderedPage:
    """RGB pixels of a rendered page; ``samples`` is an owned copy."""

    index: int
    zoom: float
    width: int
    height: int
    stride: int
    samples: bytes


def render_page(doc: pymupdf.Document, index: int, zoom: float) -> RenderedPage:
    pix = doc[index].get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
    return RenderedPage(index, zoom, pix.width, pix.height, pix.stride, bytes(pix.samples_mv))


def read_bytes(path: Path) -> bytes:
    """Read a source file, turning OS errors into clear messages."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise DocumentError(f"File not found: {path}") from None
    except IsADirectoryError:
        raise DocumentError(f"{path} is a folder, not a letter.") from None
    except PermissionError:
        raise DocumentError(f"Permission denied: {path}") from None
    except OSError as exc:
        raise DocumentError(f"Cannot read {path}: {exc.strerror or exc}") from None
