"""Generators for the PDFs the tests need, so that no test PDF is committed.

Every ``*_bytes()`` function builds one kind of file in memory (cached: each is built once
per test process) and every ``write_*()`` function writes it to a path and returns the
path. ``tests/fixtures_pdf.py`` turns them into pytest fixtures that write into
``tmp_path``. Everything here uses pymupdf only and runs in milliseconds, except the
300-page letter (about half a second).

Kinds of file (see each function):
- ligatures and non-ASCII text, in a font that forms ligatures, plus literal ligature code
  points;
- pages displayed rotated by 90° (text upright on a landscape page, and text running
  sideways);
- a two-column page;
- a page whose rows are split by the wide gaps redacted names leave;
- a letter of N pages (300 for benchmarks);
- a PDF that needs a user password;
- an image-only PDF (a picture of a letter, no text layer);
- a truncated PDF, a corrupt PDF and a text file named .pdf;
- a three-page letter whose page 2 holds ``KNOWN_PASSAGE`` on a line of its own.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Iterable
from pathlib import Path

import pymupdf

LETTER = pymupdf.paper_rect("letter")  # 612 x 792 pt
BODY = pymupdf.Rect(72, 72, 540, 720)

# ----------------------------------------------------------------------------- texts
LIGATURE_WORDS = "office, affirm, fluffy, shuffle, final, flow, efficient, baffled"
LITERAL_LIGATURES = "\ufb01nal \ufb02ow \ufb00ect \ufb03x \ufb04e"  # ﬁ ﬂ ﬀ ﬃ ﬄ
NON_ASCII = "Café résumé — “quoted” naïve piñata über Zürich señor ½ ±5 µg"
USER_PASSWORD = "open-sesame"
OWNER_PASSWORD = "owner-only-7"
KNOWN_PASSAGE = "The reviewer found no record of a home exercise program."
NOT_A_PDF_TEXT = "This is a plain text note that someone saved with a .pdf name.\n"

_PARAGRAPHS = (
    "The applicant is a 52-year-old male who reported low back pain after lifting boxes "
    "at work. He was treated with physical therapy, medications and activity changes.",
    "On examination, lumbar flexion was limited and the straight leg raise was negative "
    "on both sides. Strength and reflexes were normal in the lower extremities.",
    "The claims administrator denied the request for a lumbar support; the applicant "
    "appealed. The expert reviewer considered the MTUS Low Back Complaints chapter.",
)


# ----------------------------------------------------------------------------- helpers
def story_pdf(
    html: str,
    *,
    css: str = "",
    rects: Iterable[pymupdf.Rect] = (BODY,),
    page_size: pymupdf.Rect = LETTER,
) -> bytes:
    """Lay out HTML with ``pymupdf.Story`` over as many pages as it needs.

    ``rects`` are filled in turn on each page (two rects make two columns).
    """
    story = pymupdf.Story(html=html, user_css=css)
    buf = io.BytesIO()
    writer = pymupdf.DocumentWriter(buf)
    areas = list(rects)
    more = True
    while more:
        device = writer.begin_page(page_size)
        for area in areas:
            more, _ = story.place(area)
            story.draw(device)
            if not more:
                break
        writer.end_page()
    writer.close()
    return buf.getvalue()


def _save(doc: pymupdf.Document, **kwargs: object) -> bytes:
    data = doc.tobytes(garbage=3, deflate=True, **kwargs)
    doc.close()
    return data


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _p(text: str) -> str:
    return f"<p>{text}</p>"


# ----------------------------------------------------------------------------- (a)
@functools.cache
def ligature_bytes() -> bytes:
    """One page in Charis SIL (MuPDF's 'serif'), which forms ff/fi/fl/ffi/ffl ligatures.

    Holds shaped ligatures (``LIGATURE_WORDS``), literal ligature code points
    (``LITERAL_LIGATURES``) and accented letters, dashes and curly quotes (``NON_ASCII``),
    in two sizes so boxes differ in height.
    """
    html = "".join(
        [
            _p(f"Shaped ligatures: {LIGATURE_WORDS}."),
            _p(f"Literal ligature code points: {LITERAL_LIGATURES}."),
            _p(f"Non-ASCII: {NON_ASCII}."),
            '<p style="font-size: 18pt">Affidavit — “ﬁnal” effort, café.</p>',
            _p(_PARAGRAPHS[0]),
        ]
    )
    return story_pdf(html, css="body { font-family: serif; font-size: 12pt; }")


# ----------------------------------------------------------------------------- (b)
@functools.cache
def rotated_bytes() -> bytes:
    """Two pages with ``/Rotate 90``.

    Page 0: a landscape letter page whose text reads upright on screen (the common case:
    a portrait page turned into landscape). Page 1: a portrait page with ``/Rotate 90``
    whose text therefore runs sideways (top to bottom) on screen.
    """
    doc = pymupdf.open()
    upright = doc.new_page(width=LETTER.width, height=LETTER.height)
    upright.set_rotation(90)
    # rect in displayed (landscape) coordinates, mapped back to the unrotated page
    shown = pymupdf.Rect(72, 72, upright.rect.width - 72, upright.rect.height - 72)
    upright.insert_htmlbox(
        shown * upright.derotation_matrix,
        "".join(_p(t) for t in ("Landscape page, upright text.", *_PARAGRAPHS)),
        css="body { font-family: sans-serif; font-size: 12pt; }",
        rotate=90,
    )
    sideways = doc.new_page(width=LETTER.width, height=LETTER.height)
    sideways.set_rotation(90)
    sideways.insert_htmlbox(
        BODY,
        "".join(_p(t) for t in ("Sideways text on a rotated page.", *_PARAGRAPHS[:2])),
        css="body { font-family: serif; font-size: 12pt; }",
    )
    return _save(doc)


# ----------------------------------------------------------------------------- (c)
@functools.cache
def two_column_bytes() -> bytes:
    """One page in two columns whose lines sit at the same heights.

    Each column is its own story, left drawn first, so reading order is the left column,
    then the right one.
    """
    css = "body { font-family: sans-serif; font-size: 10pt; } p { margin: 0 0 8pt 0; }"
    columns = (
        ("".join(_p(f"Left column {i}. {t}") for i, t in enumerate(_PARAGRAPHS)), 54, 298),
        ("".join(_p(f"Right column {i}. {t}") for i, t in enumerate(_PARAGRAPHS)), 314, 558),
    )
    buf = io.BytesIO()
    writer = pymupdf.DocumentWriter(buf)
    device = writer.begin_page(LETTER)
    for html, x0, x1 in columns:
        story = pymupdf.Story(html=html, user_css=css)
        more, _ = story.place(pymupdf.Rect(x0, 72, x1, 720))
        if more:  # pragma: no cover - guards the generator itself
            raise AssertionError("a column did not fit on the page")
        story.draw(device)
    writer.end_page()
    writer.close()
    return buf.getvalue()


# ----------------------------------------------------------------------------- gaps
@functools.cache
def redaction_gap_bytes() -> bytes:
    """A letter page where removed names left wide gaps inside rows of text.

    Public letters drop names but keep the space they took, so one visual row comes out
    as two lines side by side at the same height (as in corpus letter CM17-0002551).
    """
    rows: list[tuple[tuple[float, str], ...]] = [
        ((72, "Hearing aids are recommended for sensorineural hearing loss by the guideline"),),
        (
            (72, "cited; prior authorization is required for aids costing more than"),
            (420, "per ear."),
        ),
        ((72, "He saw"), (130, "on 01/26/14 and still had severe pain in the left hip traveling")),
        ((72, "to his knee. He was unable to walk for long periods and had stopped his Norco."),),
        ((72, "The report of"), (190, "dated 02/11/14 was reviewed."), (420, "Signed by")),
        ((72, "End of the summary."),),
        ((72, "The reviewer considered the ODG Pain chapter and the MTUS guidelines together."),),
    ]
    doc = pymupdf.open()
    page = doc.new_page(width=LETTER.width, height=LETTER.height)
    y = 90.0
    for row in rows:
        for x, piece in row:
            page.insert_text((x, y), piece, fontname="tiro", fontsize=11)
        y += 14
    return _save(doc)


# ----------------------------------------------------------------------------- (d), (h)
def _letter_page_html(number: int, total: int, passage: str | None) -> str:
    body = [
        f'<p class="h">Page {number} of {total}</p>',
        _p(_PARAGRAPHS[number % 3]),
        _p(_PARAGRAPHS[(number + 1) % 3]),
    ]
    if passage:
        body.append(_p(passage))
    body += [_p(_PARAGRAPHS[(number + 2) % 3]), _p(f"End of page {number}.")]
    brk = ' style="page-break-before: always"' if number > 1 else ""
    return f"<div{brk}>{''.join(body)}</div>"


LETTER_CSS = (
    "body { font-family: Times; font-size: 12pt; } p { margin: 0 0 12pt 0; }"
    " p.h { font-weight: bold; text-align: center; }"
)


@functools.cache
def letter_bytes(pages: int = 3, passage_page: int | None = None) -> bytes:
    """A plain letter of exactly ``pages`` pages, each headed "Page k of N".

    ``passage_page`` (1-based) puts ``KNOWN_PASSAGE`` as a one-line paragraph on that page.
    300 pages take about half a second.
    """
    html = "".join(
        _letter_page_html(k, pages, KNOWN_PASSAGE if k == passage_page else None)
        for k in range(1, pages + 1)
    )
    data = story_pdf(html, css=LETTER_CSS)
    count = pymupdf.open(stream=data, filetype="pdf").page_count
    if count != pages:  # pragma: no cover - guards the generator itself
        raise AssertionError(f"letter generator made {count} pages, not {pages}")
    return data


def passage_letter_bytes() -> bytes:
    """Three pages; page 2 (index 1) holds ``KNOWN_PASSAGE`` on one line."""
    return letter_bytes(3, passage_page=2)


# ----------------------------------------------------------------------------- (e)
@functools.cache
def encrypted_bytes() -> bytes:
    """A one-page letter (AES-256) that needs ``USER_PASSWORD`` to open."""
    doc = pymupdf.open(stream=letter_bytes(1), filetype="pdf")
    return _save(
        doc,
        encryption=pymupdf.PDF_ENCRYPT_AES_256,
        user_pw=USER_PASSWORD,
        owner_pw=OWNER_PASSWORD,
    )


# ----------------------------------------------------------------------------- (f)
@functools.cache
def image_only_bytes() -> bytes:
    """Two pages that are pictures of letter pages: no text layer at all (a 'scan')."""
    source = pymupdf.open(stream=letter_bytes(2), filetype="pdf")
    doc = pymupdf.open()
    for page in source:
        pix = page.get_pixmap(dpi=100, colorspace=pymupdf.csGRAY)
        target = doc.new_page(width=page.rect.width, height=page.rect.height)
        target.insert_image(target.rect, pixmap=pix)
    source.close()
    return _save(doc)


# ----------------------------------------------------------------------------- (g)
@functools.cache
def truncated_bytes() -> bytes:
    """The first 60 % of a 3-page letter, as left by an interrupted download.

    The page tree sits near the start of the file (pymupdf saves it early, as do
    linearized PDFs), so MuPDF repairs the file and finds 3 pages that draw nothing.
    """
    data = letter_bytes(3)
    doc = pymupdf.open(stream=data, filetype="pdf")
    whole = _save(doc)  # garbage-collected and renumbered: page tree first
    return whole[: int(len(whole) * 0.6)]


def corrupt_bytes() -> bytes:
    """A PDF header followed by bytes that are not PDF syntax."""
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"


def not_a_pdf_bytes() -> bytes:
    """Plain text, meant to be saved under a .pdf name."""
    return NOT_A_PDF_TEXT.encode("utf-8")


# ----------------------------------------------------------------------------- registry
# Files with a text layer that the text-geometry tests run over.
TEXT_PDFS: dict[str, Callable[[], bytes]] = {
    "ligatures": ligature_bytes,
    "rotated": rotated_bytes,
    "two_columns": two_column_bytes,
    "redaction_gaps": redaction_gap_bytes,
    "letter": letter_bytes,
}


def write_ligature_pdf(path: Path) -> Path:
    return _write(path, ligature_bytes())


def write_rotated_pdf(path: Path) -> Path:
    return _write(path, rotated_bytes())


def write_two_column_pdf(path: Path) -> Path:
    return _write(path, two_column_bytes())


def write_letter_pdf(path: Path, pages: int = 3) -> Path:
    return _write(path, letter_bytes(pages))


def write_passage_letter_pdf(path: Path) -> Path:
    return _write(path, passage_letter_bytes())


def write_encrypted_pdf(path: Path) -> Path:
    return _write(path, encrypted_bytes())


def write_image_only_pdf(path: Path) -> Path:
    return _write(path, image_only_bytes())


def write_truncated_pdf(path: Path) -> Path:
    return _write(path, truncated_bytes())


def write_corrupt_pdf(path: Path) -> Path:
    return _write(path, corrupt_bytes())


def write_not_a_pdf(path: Path) -> Path:
    return _write(path, not_a_pdf_bytes())
