"""Character boxes that sit on the ink of a skewed scan.

MuPDF's OCR writer gives every word of a line the same horizontal band: the whole height
Tesseract's line box spans, which on a page turned 1–2° is far taller than the text and
overlaps the lines above and below (a click near a line's end then lands on its
neighbour). Here each word is looked up in the pixels it was read from (``measure``, in
the OCR worker), the page's skew is estimated from all its lines, and every character
gets a box of its line's text height on a line with that skew (``fit``). ``follow_skew``
then cuts each text line into pieces that are each nearly level, so ``TextLayer`` (which
works with level line bands) hit-tests and highlights them tightly. Text is unchanged.
"""

from __future__ import annotations

import itertools
import math

import pymupdf

from imr_desktop.core.pdf import PageChars

_DARK = bytes(1 if v < 128 else 0 for v in range(256))
MAX_SLOPE = math.tan(math.radians(5))  # more is not a scan's skew: keep the line level
PAD = 1.12


def line_words(line: dict) -> list[list[dict]]:
    """A line's characters grouped into words (runs without spaces)."""
    words: list[list[dict]] = []
    current: list[dict] = []
    for span in line["spans"]:
        for ch in span["chars"]:
            if ch["c"].isspace():
                if current:
                    words.append(current)
                current = []
            else:
                current.append(ch)
    if current:
        words.append(current)
    return words


def _ink_run(
    mask: bytes, stride: int, xa: int, xb: int, ya: int, yb: int
) -> tuple[int, int, int] | None:
    """The densest run of inked rows in columns [xa, xb) between rows ya and yb:
    (first row, last row, ink count), or None when there is no ink."""
    counts = [mask[y * stride + xa : y * stride + xb].count(1) for y in range(ya, yb)]
    if not counts or max(counts) == 0:
        return None
    floor = max(1, 0.08 * max(counts))
    best: tuple[int, int, int] | None = None
    start, total = None, 0
    for k, n in enumerate([*counts, 0]):
        if n >= floor:
            if start is None:
                start, total = k, 0
            total += n
        elif start is not None:
            if best is None or total > best[2]:
                best = (ya + start, ya + k - 1, total)
            start = None
    return best


def measure(blocks: list[dict], pix: pymupdf.Pixmap, target: pymupdf.Rect) -> None:
    """Find each word's ink in ``pix`` (which shows ``target``; boxes in page points) and
    keep it with its line as ``line["ink"]``: (x centre, y centre, height, weight).

    Runs where the pixels are (the OCR worker); ``fit`` uses the result for the page."""
    gray = pix if pix.n == 1 and not pix.alpha else pymupdf.Pixmap(pymupdf.csGRAY, pix)
    mask = gray.samples.translate(_DARK)
    w, h, stride = gray.width, gray.height, gray.stride
    sx, sy = w / target.width, h / target.height
    for block in blocks:
        for line in block["lines"]:
            _, ly0, _, ly1 = line["bbox"]
            reach = 0.3 * (ly1 - ly0)
            ya = max(0, int((ly0 - reach - target.y0) * sy))
            yb = min(h, int((ly1 + reach - target.y0) * sy) + 1)
            found: list[tuple[float, float, float, float]] = []
            for word in line_words(line):
                x0, x1 = word[0]["bbox"][0], word[-1]["bbox"][2]
                xa = max(0, int((x0 - target.x0) * sx))
                xb = min(w, int((x1 - target.x0) * sx) + 1)
                run = _ink_run(mask, stride, xa, xb, ya, yb) if xb > xa and yb > ya else None
                if run is not None:
                    top, bottom, ink = run
                    yc = target.y0 + (top + bottom + 1) / 2 / sy
                    found.append(((x0 + x1) / 2, yc, (bottom + 1 - top) / sy, float(ink)))
            line["ink"] = found


def fit(blocks: list[dict]) -> None:
    """Give every measured line's characters boxes of the line's text height, centred on
    a line with the page's skew; in place. The skew is one for the whole page (the
    median over its longer lines), so a short line cannot tilt on its own."""
    lines = [ln for b in blocks for ln in b["lines"] if ln.get("ink")]
    slopes = [(_slope(ln["ink"]), len(ln["ink"])) for ln in lines if len(ln["ink"]) >= 4]
    slope = _weighted_median([s for s, _ in slopes], [n for _, n in slopes]) if slopes else 0.0
    slope = max(-MAX_SLOPE, min(MAX_SLOPE, slope))
    for block in blocks:
        for line in block["lines"]:
            ink = line.pop("ink", None)
            if not ink:
                continue
            # a little air above and below, as a font's own box has: an outline drawn on
            # the box must not run through the tops of the capitals
            height = _quantile([f[2] for f in ink], 0.75) * PAD
            intercept = _weighted_median([f[1] - slope * f[0] for f in ink], [f[3] for f in ink])
            for span in line["spans"]:
                for ch in span["chars"]:
                    x0, _y0, x1, _y1 = ch["bbox"]
                    yc = intercept + slope * (x0 + x1) / 2
                    ch["bbox"] = (x0, yc - height / 2, x1, yc + height / 2)


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _weighted_median(values: list[float], weights: list[float]) -> float:
    pairs = sorted(zip(values, weights, strict=True))
    half, acc = sum(weights) / 2, 0.0
    for value, weight in pairs:
        acc += weight
        if acc >= half:
            return value
    return pairs[-1][0]


def _slope(points: list[tuple[float, float, float, float]]) -> float:
    """Weighted least-squares slope of y over x through word centres."""
    total = sum(p[3] for p in points)
    mx = sum(p[0] * p[3] for p in points) / total
    my = sum(p[1] * p[3] for p in points) / total
    sxx = sum(p[3] * (p[0] - mx) ** 2 for p in points)
    if sxx <= 0:
        return 0.0
    return sum(p[3] * (p[0] - mx) * (p[1] - my) for p in points) / sxx


def follow_skew(page: PageChars, tolerance: float = 0.25) -> PageChars:
    """Cut each text line (at spaces) into pieces whose boxes stay within ``tolerance``
    of a box height of level; a level line stays whole. Only ``lines`` changes."""
    boxes = page.boxes
    text = page.text
    pieces: list[tuple[int, int]] = []
    for s, e in page.lines:
        start = s
        ref = (boxes[4 * s + 1] + boxes[4 * s + 3]) / 2
        height = max(boxes[4 * s + 3] - boxes[4 * s + 1], 1e-6)
        for i in range(s + 1, e):
            if not text[i - 1].isspace() or text[i].isspace():
                continue  # cut only at the start of a word
            centre = (boxes[4 * i + 1] + boxes[4 * i + 3]) / 2
            if abs(centre - ref) > tolerance * height:
                pieces.append((start, i))
                start, ref = i, centre
                height = max(boxes[4 * i + 3] - boxes[4 * i + 1], 1e-6)
        pieces.append((start, e))
    return PageChars(page.index, page.width, page.height, page.text, page.boxes, tuple(pieces))


def separate(page: PageChars) -> PageChars:
    """Make the boxes of neighbouring text lines touch instead of overlap.

    Boxes padded for looks, or a line box Tesseract made too tall, can overlap the line
    above or below; a click there would be ambiguous and a highlight would cover part of
    the next line. Each overlap between a piece of one text line and a piece of the next
    one above/below it is split at its middle.
    """
    boxes = list(page.boxes)
    text = page.text

    def band(s: int, e: int) -> list[float]:
        return [
            min(boxes[4 * i] for i in range(s, e)),
            min(boxes[4 * i + 1] for i in range(s, e)),
            max(boxes[4 * i + 2] for i in range(s, e)),
            max(boxes[4 * i + 3] for i in range(s, e)),
        ]

    rows: list[list[tuple[int, int]]] = []  # the pieces of each text line
    for s, e in page.lines:
        if rows and text.count("\n", rows[-1][-1][1], s) == 0:
            rows[-1].append((s, e))
        else:
            rows.append([(s, e)])
    for upper, lower in itertools.pairwise(rows):
        for s, e in upper:
            for s2, e2 in lower:
                a, b = band(s, e), band(s2, e2)
                if a[2] <= b[0] or b[2] <= a[0] or not (a[1] < b[1] < a[3]):
                    continue
                cut = (a[3] + b[1]) / 2
                for i in range(s, e + 1 if text[e : e + 1] == "\n" else e):
                    boxes[4 * i + 3] = min(boxes[4 * i + 3], cut)
                    boxes[4 * i + 1] = min(boxes[4 * i + 1], boxes[4 * i + 3])
                for i in range(s2, e2 + 1 if text[e2 : e2 + 1] == "\n" else e2):
                    boxes[4 * i + 1] = max(boxes[4 * i + 1], cut)
                    boxes[4 * i + 3] = max(boxes[4 * i + 3], boxes[4 * i + 1])
    return PageChars(page.index, page.width, page.height, page.text, tuple(boxes), page.lines)
