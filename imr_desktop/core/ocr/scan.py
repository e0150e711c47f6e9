"""What a scanned page looks like, read from its pixels: resolution, header table, rules.

Pure pymupdf and byte operations (no numpy: the app stays lean), fast enough because
the heavy loops run inside ``bytes.translate``, ``re`` and big-integer ORs.
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple

import pymupdf

DEFAULT_DPI = 300  # pages with no scan image (e.g. text drawn as outlines)
MIN_DPI, MAX_DPI = 100, 400  # below: unreadable anyway; above: slower, no better
_BIG_IMAGE = 0.25  # an image covering this share of the page is the scan (not a logo)


def native_dpi(page: pymupdf.Page) -> int | None:
    """The resolution of the page's scan image, from its pixel size and placement.

    Read from the image blocks (pixels over the size it is drawn at, so a rotated or
    scaled placement is handled), not from the file's dpi metadata, which is often
    absent or wrong (a JPEG says 72 or 96 whatever it holds). None without a scan image.
    """
    area = abs(page.rect)
    best = 0.0
    for info in page.get_image_info():
        a, b, c, d, _e, _f = info["transform"]
        w_pt, h_pt = math.hypot(a, b), math.hypot(c, d)
        if w_pt <= 0 or h_pt <= 0 or w_pt * h_pt < _BIG_IMAGE * area:
            continue
        # the finer axis: standard fax is 204 x 98 dpi; rendering at 204 loses nothing
        best = max(best, info["width"] * 72 / w_pt, info["height"] * 72 / h_pt)
    if best <= 0:
        return None
    return int(min(MAX_DPI, max(MIN_DPI, round(best))))


# ------------------------------------------------------------------ header table
_PROBE_DPI = 36  # coarse (2 pt a pixel): averaging at this scale removes scan noise
_SHADE = bytes(1 if 200 <= v <= 240 else 0 for v in range(256))  # the cells' light grey
_SHADE_SHARE = 0.25  # share of light grey over 5 rows (10 pt) that makes a shaded band
_MARK = 200  # anything darker than this is ink or shading
_TOP_SHARE = 0.45  # the header table sits in the upper part of the first page
_GROW = 6  # rows a band may grow upwards by, to take in the table's top rule and row
_MAX_ROWS = 150  # 300 pt: a header table is never taller


def probe(page: pymupdf.Page) -> pymupdf.Pixmap:
    """The page in grey at 36 dpi (2 pt a pixel), which the finders below read."""
    return page.get_pixmap(dpi=_PROBE_DPI, colorspace=pymupdf.csGRAY, alpha=False)


def find_header_band(page: pymupdf.Page, pix: pymupdf.Pixmap | None = None) -> pymupdf.Rect | None:
    """The grey-shaded header table at the top of a letter's first page, or None.

    The 2016-17 letters shade their label cells light grey; OCR of a whole page often
    drops that table, so it is found here and read on its own. At 36 dpi a line of text
    looks light grey too, but only for a row or two with white rows between; shading
    stays grey over many rows, so the share of light grey is averaged over 10 pt. A band
    must span half the page width (the grey logo does not). Skew-tolerant by design.
    ``pix``: the page's ``probe``, when the caller has it already.
    """
    if pix is None:
        pix = probe(page)
    w, h, stride = pix.width, pix.height, pix.stride
    samples = pix.samples
    light = samples.translate(_SHADE)
    counts = [light[y * stride : y * stride + w].count(1) for y in range(h)]
    top = int(h * _TOP_SHARE)
    shaded = [sum(counts[max(0, y - 2) : y + 3]) >= 5 * _SHADE_SHARE * w for y in range(top)]
    darkest = [min(samples[y * stride : y * stride + w]) for y in range(h)]
    for y0, y1 in _runs_of_true(shaded, min_len=5):
        # grow over the rest of the table, stopping at the first clean row so the band
        # never cuts through the text above or below it: the table's vertical rules put
        # ink in every one of its rows, so the whole table is one block of inked rows
        lo, hi = max(0, y0 - _GROW), min(h - 1, y0 + _MAX_ROWS)
        while y0 > lo and darkest[y0 - 1] < _MARK:
            y0 -= 1
        while y1 < hi and darkest[y1 + 1] < _MARK:
            y1 += 1
        cols = bytearray(w)
        for y in range(y0, y1 + 1):
            for m in re.finditer(b"\x01+", light[y * stride : y * stride + w]):
                cols[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
        x0, x1 = cols.find(1), cols.rfind(1) + 1
        if x1 - x0 < 0.5 * w:
            continue
        scale = 72 / _PROBE_DPI
        rect = pymupdf.Rect(x0 * scale - 8, y0 * scale - 1, x1 * scale + 8, (y1 + 1) * scale + 1)
        return rect & page.rect
    return None


def _runs_of_true(flags: list[bool], min_len: int, gap: int = 12) -> list[tuple[int, int]]:
    """Runs of True (first, last), joined across gaps of up to ``gap`` rows (a table row
    with little shading), kept when ``min_len`` rows or longer."""
    runs: list[list[int]] = []
    start = None
    for y, on in enumerate([*flags, False]):
        if on and start is None:
            start = y
        elif not on and start is not None:
            if runs and start - runs[-1][1] <= gap + 1:
                runs[-1][1] = y - 1
            else:
                runs.append([start, y - 1])
            start = None
    return [(a, b) for a, b in runs if b - a + 1 >= min_len]


# ------------------------------------------------------------------ table cleaning
_INK = 160  # below: ink (for finding rules); above: paper, including the grey shading
_INK_MASK = bytes(255 if v < _INK else 0 for v in range(256))
# levels 100..200 stretched to black..white: the shading (~223) turns white while the
# letters keep their anti-aliased edges (a hard threshold misread 3 digits in 48, this 0)
_LEVELS = bytes(0 if v <= 100 else 255 if v >= 200 else (v - 100) * 255 // 100 for v in range(256))


def _runs(mask: bytes, min_len: int) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(b"\xff{%d,}" % min_len, mask)]


def clean_table(pix: pymupdf.Pixmap, dpi: int) -> pymupdf.Pixmap:
    """Black text on white without the shading and the ruling lines of a table.

    Tesseract's layout analysis loses text that touches rules or sits on grey; the
    shading goes with a levels stretch, the rules with long runs of ink. A slightly rotated
    rule breaks into short runs, so each row is OR-ed with its neighbours first.
    Returns a grey pixmap.
    """
    gray = pix if pix.n == 1 and not pix.alpha else pymupdf.Pixmap(pymupdf.csGRAY, pix)
    w, h, stride = gray.width, gray.height, gray.stride
    samples = gray.samples
    out = bytearray(samples.translate(_LEVELS))
    ink = samples.translate(_INK_MASK)
    rows = [int.from_bytes(ink[y * stride : y * stride + w], "big") for y in range(h)]
    min_h = max(8, round(0.25 * dpi))  # text has no ink run a quarter inch long
    for y in range(h):
        merged = rows[y] | (rows[y - 1] if y else 0) | (rows[y + 1] if y + 1 < h else 0)
        if merged == 0:
            continue
        for s, e in _runs(merged.to_bytes(w, "big"), min_h):
            out[y * stride + s : y * stride + e] = b"\xff" * (e - s)
    cols = [int.from_bytes(ink[x::stride][:h], "big") for x in range(w)]
    min_v = max(8, round(0.2 * dpi))  # taller than any letter of the table's type
    for x in range(w):
        merged = cols[x] | (cols[x - 1] if x else 0) | (cols[x + 1] if x + 1 < w else 0)
        if merged == 0:
            continue
        for s, e in _runs(merged.to_bytes(h, "big"), min_v):
            for y in range(s, e):
                out[y * stride + x] = 255
    return pymupdf.Pixmap(pymupdf.csGRAY, w, h, bytes(out), 0)


# ------------------------------------------------------------------ cutting a page
_DARK = bytes(1 if v < _MARK else 0 for v in range(256))
_MIN_SHARE = 0.2  # a piece with less of the page's ink is not worth a second OCR call


class Cut(NamedTuple):
    """How much text a page holds and where it can be cut in two to OCR in parallel."""

    ink: int  # dark pixels at 36 dpi: Tesseract's time follows it (bench: 0.28-0.36 ms each)
    y: float | None  # points; None: no clean row leaves both pieces a fifth of the ink
    share: float  # of the ink above ``y``


def find_cut(page: pymupdf.Page, below: float = 0.0, pix: pymupdf.Pixmap | None = None) -> Cut:
    """The page's ink below ``below`` (a header table is read on its own), and the clean
    row between two lines of text that shares it most evenly.

    Tesseract's time follows the amount of text (ink share and CPU share of a strip agreed
    within 0.02 on the bench letters), so the job can size its pieces from this. On a page
    turned 1–2° a line slopes across several rows and only paragraph gaps stay clean, so a
    page may still be cut 27/73. ``pix``: the page's ``probe``, when the caller has it.
    """
    if pix is None:
        pix = probe(page)
    w, h, stride = pix.width, pix.height, pix.stride
    dark = pix.samples.translate(_DARK)
    scale = 72 / _PROBE_DPI
    start = max(0, int(below / scale) + 1)
    counts = [dark[y * stride : y * stride + w].count(1) for y in range(start, h)]
    total = sum(counts)
    inked = [y for y, n in enumerate(counts) if n]
    if len(inked) < 10:
        return Cut(total, None, 1.0)
    best, best_gap, above = None, _MIN_SHARE * total, 0
    for y in range(inked[0], inked[-1]):
        above += counts[y]
        gap = min(above, total - above)
        if counts[y] == 0 and gap > best_gap:
            best, best_gap = y, gap
    if best is None:
        return Cut(total, None, 1.0)
    return Cut(total, (start + best + 0.5) * scale, sum(counts[: best + 1]) / total)
