"""OCR of scanned pages into the same ``PageChars`` geometry as born-digital text.

Runs in worker processes (see ``job.py``): pymupdf is not thread-safe and OCR costs
seconds a page. A page is rendered at its scan's native resolution and read by the
Tesseract built into MuPDF (``Pixmap.pdfocr_tobytes``: a one-page PDF whose invisible
text sits on the words); its ``rawdict`` gives one box per character, converted by the
same code as born-digital text, so selection, highlights and exports work unchanged.

Work is cut into pieces so two processes stay busy: ``plan_page`` (fast) decides
resolution, the header table band, how much text the page holds and where it can be cut
between lines (the job's ``schedule`` decides which pages are cut); ``recognise`` OCRs one
piece; ``assemble`` (pure Python) puts a page back together.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pymupdf

from imr_desktop.core import pdf
from imr_desktop.core.ocr import geometry, program, scan
from imr_desktop.core.ocr.fields import repair_fields
from imr_desktop.core.ocr.tessdata import LANGUAGE

# the CID flag is left out on purpose: OCR text is real Unicode
OCR_FLAGS = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP
# Bump when the way OCR text is made changes (re-anchoring keys on it). Starts "ocr-":
# exports and the UI tell OCR text from born-digital text by that prefix.
OCR_VERSION = f"ocr-1/tesseract-{LANGUAGE}/mupdf-{pymupdf.VersionFitz}"
DESCENDER = 0.22  # OCR boxes stop at the baseline; extend them over descenders

RectT = tuple[float, float, float, float]
Block = dict  # a rawdict text block, trimmed to what ``chars_from_rawdict`` reads


def is_ocr_version(extractor_version: str | None) -> bool:
    return bool(extractor_version) and str(extractor_version).startswith("ocr-")


@dataclass(frozen=True, slots=True)
class OcrPage:
    """One page as read: its characters, at what resolution, what was repaired."""

    chars: pdf.PageChars
    dpi: int  # 0: the page had a text layer and was not OCR'd
    notes: tuple[str, ...] = ()

    @property
    def recognised(self) -> bool:
        return self.dpi > 0


@dataclass(frozen=True, slots=True)
class PagePlan:
    """How to OCR one page: ``strips`` cover it top to bottom; ``band`` is its header
    table (read separately, blanked in the strips). ``ink`` measures how much text the
    page holds (what Tesseract's time follows) and ``weights`` each strip's share of it.
    A plan comes with the page cut in two where it can be; ``whole()`` reads it in one."""

    index: int
    width: float
    height: float
    dpi: int
    strips: tuple[RectT, ...]
    band: RectT | None
    weights: tuple[float, ...] = (1.0,)
    ink: int = 0

    def whole(self) -> PagePlan:
        x0, y0, _, _ = self.strips[0]
        _, _, x1, y1 = self.strips[-1]
        return replace(self, strips=((x0, y0, x1, y1),), weights=(1.0,))


def plan_page(doc: pymupdf.Document, index: int) -> PagePlan | OcrPage:
    """An ``OcrPage`` straight away for a page with a text layer, else a plan."""
    page = doc[index]
    if page.get_text("text", flags=pdf.TEXT_FLAGS).strip():
        return OcrPage(pdf.extract_page(doc, index), 0)
    dpi = scan.native_dpi(page) or scan.DEFAULT_DPI
    probe = scan.probe(page)
    band = scan.find_header_band(page, probe) if index == 0 else None
    rect = page.rect
    cut = scan.find_cut(page, below=band.y1 if band else rect.y0, pix=probe)
    strips: tuple[RectT, ...] = (tuple(rect),)
    weights: tuple[float, ...] = (1.0,)
    if cut.y is not None:
        strips = ((rect.x0, rect.y0, rect.x1, cut.y), (rect.x0, cut.y, rect.x1, rect.y1))
        weights = (cut.share, 1.0 - cut.share)
    table = tuple(band) if band is not None else None
    return PagePlan(index, rect.width, rect.height, dpi, strips, table, weights, cut.ink)


def recognise(doc: pymupdf.Document, plan: PagePlan, piece: int, tessdata: Path) -> list[Block]:
    """OCR strip ``piece`` of a plan (-1: its header table); blocks in page points."""
    page = doc[plan.index]
    if piece < 0:
        assert plan.band is not None
        band = pymupdf.Rect(plan.band)
        pix = page.get_pixmap(dpi=plan.dpi, clip=band, colorspace=pymupdf.csGRAY, alpha=False)
        pix = scan.clean_table(pix, plan.dpi)
        blocks = _drop_rule_marks(_ocr(pix, band, tessdata))
        geometry.measure(blocks, pix, band)
        return _order_table_lines(blocks)
    strip = pymupdf.Rect(plan.strips[piece])
    # displayed orientation, in grey: 10 ms where RGB takes 90 ms, and ``measure`` wants
    # grey (a scan's colour carries no text; the OCR writer turns RGB into grey anyway)
    pix = page.get_pixmap(dpi=plan.dpi, clip=strip, colorspace=pymupdf.csGRAY, alpha=False)
    if plan.band is not None and strip.intersects(plan.band):
        # read on its own; left in, the table comes out as fragments
        hidden = (pymupdf.Rect(plan.band) & strip) - (strip.x0, strip.y0, strip.x0, strip.y0)
        _blank(pix, (hidden * (plan.dpi / 72)).irect)
    blocks = _ocr(pix, strip, tessdata)
    geometry.measure(blocks, pix, strip)  # where the words' ink is (for ``assemble``)
    return blocks


def assemble(plan: PagePlan, strips: list[list[Block]], table: list[Block]) -> OcrPage:
    """Put a page back together from its pieces (pure Python: runs in any process)."""
    blocks = [b for blocks in strips for b in blocks]
    if plan.band is not None and table:
        top = plan.band[1]
        at = next((k for k, b in enumerate(blocks) if b["bbox"][1] >= top), len(blocks))
        blocks[at:at] = table
    geometry.fit(blocks)  # character boxes onto the (possibly skewed) ink
    chars = pdf.chars_from_rawdict({"blocks": blocks}, plan.index, plan.width, plan.height)
    chars = geometry.separate(geometry.follow_skew(chars))
    text, notes = repair_fields(chars.text)
    if text != chars.text:
        chars = pdf.PageChars(plan.index, chars.width, chars.height, text, chars.boxes, chars.lines)
    return OcrPage(chars, plan.dpi, tuple(n.message(plan.index) for n in notes))


def ocr_page(doc: pymupdf.Document, index: int, tessdata: Path) -> OcrPage:
    """One page in this process, start to finish (tests, small jobs)."""
    plan = plan_page(doc, index)
    if isinstance(plan, OcrPage):
        return plan
    plan = plan.whole()
    strips = [recognise(doc, plan, k, tessdata) for k in range(len(plan.strips))]
    table = recognise(doc, plan, -1, tessdata) if plan.band else []
    return assemble(plan, strips, table)


# ---------------------------------------------------------------------------- helpers
def _blank(pix: pymupdf.Pixmap, area: pymupdf.IRect) -> None:
    """Paint ``area`` (pixel coordinates) of ``pix`` white, in place.

    Row by row through the samples' memoryview: pymupdf's ``Pixmap.clear_with(value,
    irect)`` sets one pixel at a time from Python (≈ 1.5 CPU-s for a header table at
    200 dpi, more than reading the table), this takes milliseconds.
    """
    area = area & pymupdf.IRect(0, 0, pix.width, pix.height)
    if area.is_empty:
        return
    n, stride = pix.n, pix.stride
    samples = pix.samples_mv
    row = b"\xff" * (area.width * n)
    for y in range(area.y0, area.y1):
        start = y * stride + area.x0 * n
        samples[start : start + len(row)] = row


def _ocr(pix: pymupdf.Pixmap, target: pymupdf.Rect, tessdata: Path) -> list[Block]:
    """OCR a pixmap that shows ``target`` (page points); text blocks in page points.

    Coordinates are mapped here rather than with a textpage matrix: MuPDF clips text to
    the OCR page's own media box *after* applying the matrix, which would drop every
    piece not at the top of the page.
    """
    dpi = round(pix.width * 72 / target.width) if target.width > 0 else 72
    ocr_pdf = pymupdf.open(stream=_ocr_pdf(pix, dpi, tessdata), filetype="pdf")
    try:
        ocr = ocr_pdf[0]
        sx = target.width / ocr.rect.width
        sy = target.height / ocr.rect.height
        raw = ocr.get_text("rawdict", flags=OCR_FLAGS)
    finally:
        ocr_pdf.close()
    ox, oy = target.x0, target.y0

    def place(b: tuple[float, float, float, float]) -> RectT:
        return (ox + b[0] * sx, oy + b[1] * sy, ox + b[2] * sx, oy + b[3] * sy)

    out: list[Block] = []
    for block in raw["blocks"]:
        if block.get("type", 0) != 0:
            continue
        lines = []
        for line in block["lines"]:
            spans = []
            for span in line["spans"]:
                chars = []
                for ch in span["chars"]:
                    x0, y0, x1, y1 = place(ch["bbox"])
                    chars.append({"c": ch["c"], "bbox": (x0, y0, x1, y1 + DESCENDER * (y1 - y0))})
                spans.append({"chars": chars})
            lines.append({"bbox": place(line["bbox"]), "spans": spans})
        out.append({"bbox": place(block["bbox"]), "lines": lines})
    return out


def _ocr_pdf(pix: pymupdf.Pixmap, dpi: int, tessdata: Path) -> bytes:
    """A one-page PDF of ``pix`` with its text read by Tesseract: the system's program
    when there is one (``program``: twice as fast), else pymupdf's built-in engine."""
    if program.available():
        try:
            return program.ocr_pdf(pix.tobytes("pnm"), dpi, LANGUAGE, tessdata)
        except program.ProgramFailed:
            if program.wanted() == "program":
                raise
            program.give_up()  # the rest of this job uses the built-in engine
    if pix.n == 1:  # MuPDF 1.28's OCR writer copies a grey pixmap's first row into every
        pix = pymupdf.Pixmap(pymupdf.csRGB, pix)  # row (0 words read): give it RGB
    return pix.pdfocr_tobytes(compress=False, language=LANGUAGE, tessdata=str(tessdata))


# what is left of a table's rules and shading after ``scan.clean_table`` reads as these
_RULE_MARKS = frozenset("=|_~-–—.,:;'\"`^*°«»")


def _drop_rule_marks(blocks: list[Block]) -> list[Block]:
    """Header table lines without the tokens made only of rule marks at their ends
    ("= 11/15/2016", ". Received:", a lone "|"): no label or value of the table is one,
    and in front of a value they hide it from the letter parser."""
    out: list[Block] = []
    for block in blocks:
        lines = []
        for line in block["lines"]:
            chars = [ch for span in line["spans"] for ch in span["chars"]]
            words = geometry.line_words(line)
            while words and all(ch["c"] in _RULE_MARKS for ch in words[0]):
                words.pop(0)
            while words and all(ch["c"] in _RULE_MARKS for ch in words[-1]):
                words.pop()
            if not words:
                continue
            first = next(k for k, ch in enumerate(chars) if ch is words[0][0])
            last = next(k for k, ch in enumerate(chars) if ch is words[-1][-1])
            kept = chars[first : last + 1]  # the spaces between the words stay
            x0 = min(ch["bbox"][0] for ch in kept)
            x1 = max(ch["bbox"][2] for ch in kept)
            _, y0, _, y1 = line["bbox"]
            lines.append({**line, "bbox": (x0, y0, x1, y1), "spans": [{"chars": kept}]})
        if lines:
            out.append({**block, "lines": lines})
    return out


def _line_text(line: dict) -> str:
    return "".join(ch["c"] for span in line["spans"] for ch in span["chars"]).strip()


def _order_table_lines(blocks: list[Block]) -> list[Block]:
    """One block, lines in the order a label table is read: a label that wraps in its
    cell ("Application" / "Received:") is kept together, before the value beside it."""
    lines = [ln for b in blocks for ln in b["lines"]]
    ordered: list[dict] = []
    for line in lines:
        if any(line is x for x in ordered):
            continue
        ordered.append(line)
        text = _line_text(line)
        if not text or text.endswith(":") or any(c.isdigit() for c in text):
            continue
        x0, _y0, _x1, y1 = line["bbox"]
        height = line["bbox"][3] - line["bbox"][1]
        for other in lines:
            ox0, oy0 = other["bbox"][0], other["bbox"][1]
            if (
                other is not line
                and not any(other is x for x in ordered)
                and abs(ox0 - x0) < 8
                and -0.2 * height <= oy0 - y1 <= 0.8 * height
                and _line_text(other).endswith(":")
            ):
                ordered.append(other)  # the rest of the label, right after its start
                break
    if not ordered:
        return []
    bbox = (
        min(ln["bbox"][0] for ln in ordered),
        min(ln["bbox"][1] for ln in ordered),
        max(ln["bbox"][2] for ln in ordered),
        max(ln["bbox"][3] for ln in ordered),
    )
    return [{"bbox": bbox, "lines": ordered}]
