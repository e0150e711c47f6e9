"""The canonical text of a document and the geometry of every character.

Offsets are Python code points into ``TextLayer.text``, ``end`` exclusive, everywhere in
IMR Desktop (store, exports, UI). Pages are appended in order, so the offsets of a page
never change once it is added: a long PDF can be annotated on page 1 while later pages are
still being read.
"""

from __future__ import annotations

import bisect
import hashlib
import unicodedata
from array import array
from dataclasses import dataclass

from imr_desktop.core.pdf import PageChars

Rect = tuple[float, float, float, float]


@dataclass(slots=True)
class _Line:
    start: int  # global offset of the first character
    end: int  # global offset after the last visible character (before the newline)
    x0: float
    y0: float
    x1: float
    y1: float
    # Reading direction as displayed: along x (axis 0) or y (axis 1), forwards (+1) or
    # backwards (-1). Text on a page with /Rotate 90 or 270 can run down or up the page.
    axis: int = 0
    sign: float = 1.0
    # Extent along the axis of the run of lines (a column) this line belongs to; a click
    # beside a short line (a paragraph's last line, a centred heading) is measured
    # against its column, so it lands on that line and not on a longer neighbour.
    lo: float = 0.0
    hi: float = 0.0

    def span(self) -> tuple[float, float]:
        return (self.x0, self.x1) if self.axis == 0 else (self.y0, self.y1)


def _set_column_extents(lines: list[_Line]) -> None:
    """Group consecutive lines that overlap along their axis; give each the group's extent."""
    first = 0
    for k in range(1, len(lines) + 1):
        if k < len(lines):
            prev, line = lines[k - 1], lines[k]
            (p0, p1), (q0, q1) = prev.span(), line.span()
            if prev.axis == line.axis and max(p0, q0) < min(p1, q1):
                continue
        group = lines[first:k]
        lo = min(ln.span()[0] for ln in group)
        hi = max(ln.span()[1] for ln in group)
        for ln in group:
            ln.lo, ln.hi = lo, hi
        first = k


def _direction(boxes: tuple[float, ...], s: int, e: int) -> tuple[int, float]:
    """Axis and sense of a line, from the centres of its first and last characters."""
    if e - s < 2:
        return 0, 1.0
    first, last = 4 * s, 4 * (e - 1)
    dx = boxes[last] + boxes[last + 2] - boxes[first] - boxes[first + 2]
    dy = boxes[last + 1] + boxes[last + 3] - boxes[first + 1] - boxes[first + 3]
    if abs(dy) > abs(dx):
        return 1, (1.0 if dy > 0 else -1.0)
    return 0, (1.0 if dx >= 0 else -1.0)


class TextLayer:
    """Canonical text plus per-character (page, box) for PDFs; text only for plain text."""

    def __init__(self, page_count: int = 0) -> None:
        self.page_count = page_count
        self._parts: list[str] = []
        self._text: str | None = ""
        self._length = 0
        self.page_starts: list[int] = []  # global offset where each added page begins
        self.page_sizes: list[tuple[float, float]] = []
        self._boxes = array("f")
        self._lines: list[list[_Line]] = []

    # ----------------------------------------------------------------- building
    @classmethod
    def from_plain_text(cls, text: str) -> TextLayer:
        layer = cls(page_count=0)
        layer._parts.append(text)
        layer._text = text
        layer._length = len(text)
        return layer

    def add_page(self, page: PageChars) -> None:
        if page.index != len(self.page_starts):
            raise ValueError(f"pages must be added in order (got {page.index})")
        base = self._length
        self.page_starts.append(base)
        self.page_sizes.append((page.width, page.height))
        self._parts.append(page.text)
        self._text = None
        self._length += len(page.text)
        self._boxes.extend(page.boxes)
        boxes = page.boxes
        lines: list[_Line] = []
        for s, e in page.lines:
            x0 = min(boxes[4 * i] for i in range(s, e))
            y0 = min(boxes[4 * i + 1] for i in range(s, e))
            x1 = max(boxes[4 * i + 2] for i in range(s, e))
            y1 = max(boxes[4 * i + 3] for i in range(s, e))
            axis, sign = _direction(boxes, s, e)
            lines.append(_Line(base + s, base + e, x0, y0, x1, y1, axis, sign))
        _set_column_extents(lines)
        self._lines.append(lines)

    # ----------------------------------------------------------------- queries
    @property
    def text(self) -> str:
        if self._text is None:
            self._text = "".join(self._parts)
            self._parts = [self._text]
        return self._text

    def __len__(self) -> int:
        return self._length

    @property
    def has_geometry(self) -> bool:
        return bool(self.page_starts)

    @property
    def pages_done(self) -> int:
        return len(self.page_starts)

    @property
    def complete(self) -> bool:
        return self.pages_done >= self.page_count

    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8", "surrogatepass")).hexdigest()

    def page_of(self, offset: int) -> int:
        """Page index holding ``offset`` (0 for plain text)."""
        if not self.page_starts:
            return 0
        return max(0, bisect.bisect_right(self.page_starts, offset) - 1)

    def page_range(self, page: int) -> tuple[int, int]:
        start = self.page_starts[page]
        end = self.page_starts[page + 1] if page + 1 < len(self.page_starts) else self._length
        return start, end

    def box(self, offset: int) -> Rect:
        b = self._boxes
        i = 4 * offset
        return b[i], b[i + 1], b[i + 2], b[i + 3]

    def caret_at(self, page: int, x: float, y: float) -> int | None:
        """Caret offset nearest to the point (page coordinates, points).

        Nearest line band first (so two columns work), then bisect on character centres
        along the line's reading direction (lines may run down or up a rotated page).
        """
        if page >= len(self._lines) or not self._lines[page]:
            return None
        best: _Line | None = None
        best_d = (float("inf"), float("inf"))
        for line in self._lines[page]:
            if line.axis == 0:
                p, q, a0, a1, c0, c1 = x, y, line.x0, line.x1, line.y0, line.y1
            else:
                p, q, a0, a1, c0, c1 = y, x, line.y0, line.y1, line.x0, line.x1
            # along the line: distance to its column; across: distance to the line itself,
            # weighted more, so a point between two lines goes to the nearer one in height;
            # ties (pieces of one row split by a gap) go to the piece nearest the point
            along = max(line.lo - p, 0.0, p - line.hi)
            across = max(c0 - q, 0.0, q - c1)
            d = (along + 4.0 * across, max(a0 - p, 0.0, p - a1))
            if d < best_d:
                best, best_d = line, d
        assert best is not None
        b = self._boxes
        a, sign = best.axis, best.sign
        target = sign * (x if a == 0 else y)
        lo, hi = best.start, best.end
        while lo < hi:
            mid = (lo + hi) // 2
            if sign * (b[4 * mid + a] + b[4 * mid + a + 2]) / 2 < target:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def line_rects(self, start: int, end: int) -> list[tuple[int, Rect]]:
        """One rectangle per (page, line) covered by [start, end)."""
        out: list[tuple[int, Rect]] = []
        if not self.page_starts or end <= start:
            return out
        end = min(end, self._length)
        first_page = self.page_of(start)
        last_page = self.page_of(max(start, end - 1))
        b = self._boxes
        text = self.text
        for page in range(first_page, last_page + 1):
            lines = self._lines[page]
            i = bisect.bisect_right([ln.end for ln in lines], start - 1) if lines else 0
            for line in lines[i:]:
                if line.start >= end:
                    break
                s, e = max(line.start, start), min(line.end, end)
                # blank lines and the spaces at a segment's ends carry no ink: drawing
                # them would leave stubs between paragraphs
                while s < e and text[s].isspace():
                    s += 1
                while e > s and text[e - 1].isspace():
                    e -= 1
                if s >= e:
                    continue
                if line.axis == 0:
                    x0 = min(b[4 * k] for k in range(s, e))
                    x1 = max(b[4 * k + 2] for k in range(s, e))
                    out.append((page, (x0, line.y0, x1, line.y1)))
                else:
                    y0 = min(b[4 * k + 1] for k in range(s, e))
                    y1 = max(b[4 * k + 3] for k in range(s, e))
                    out.append((page, (line.x0, y0, line.x1, y1)))
        return out

    def line_span(self, offset: int) -> tuple[int, int]:
        """The visual line holding ``offset`` as [start, end) (text lines for plain text)."""
        text = self.text
        s = text.rfind("\n", 0, offset) + 1
        e = text.find("\n", offset)
        return s, (len(text) if e < 0 else e)


# --------------------------------------------------------------------- selection rules
def _is_word(c: str) -> bool:
    # combining marks belong to their letter: "e" + U+0301 (decomposed "é") is one letter
    return c.isalnum() or unicodedata.category(c)[0] == "M"


_ZWJ = "\u200d"


def _joins_previous(text: str, i: int) -> bool:
    """Whether text[i] is drawn as part of the character before it (marks, emoji joins)."""
    c = text[i]
    return (
        unicodedata.category(c)[0] == "M"  # combining mark, variation selector
        or c == _ZWJ
        or "\U0001f3fb" <= c <= "\U0001f3ff"  # emoji skin-tone modifier
        or (i > 0 and text[i - 1] == _ZWJ)
    )


def _cluster_end(text: str, end: int) -> int:
    while end < len(text) and _joins_previous(text, end):
        end += 1
    return end


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Grow [start, end) to whole words, then drop surrounding whitespace.

    Returns None when nothing but whitespace is selected. Snapping keeps exports aligned
    with tokenizers (spaCy's strict ``char_span`` fails on partial words).
    """
    start, end = max(0, min(start, end)), min(len(text), max(start, end))
    if start < end and _is_word(text[start]):
        while start > 0 and _is_word(text[start - 1]):
            start -= 1
    if start < end and _is_word(text[end - 1]):
        while end < len(text) and _is_word(text[end]):
            end += 1
    # never cut an emoji sequence or a letter with its marks in two
    while 0 < start < end and _joins_previous(text, start):
        start -= 1
    end = _cluster_end(text, end) if start < end else end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def word_at(text: str, offset: int) -> tuple[int, int] | None:
    """The word (or single punctuation mark) at ``offset``, for double-click."""
    if not text:
        return None
    offset = min(max(offset, 0), len(text) - 1)
    if not _is_word(text[offset]) and offset > 0 and _is_word(text[offset - 1]):
        offset -= 1
    if text[offset].isspace():
        return None
    while offset > 0 and not _is_word(text[offset]) and _joins_previous(text, offset):
        offset -= 1  # inside an emoji sequence: from its first character
    if not _is_word(text[offset]):
        return offset, _cluster_end(text, offset + 1)
    s = e = offset
    while s > 0 and _is_word(text[s - 1]):
        s -= 1
    while e < len(text) and _is_word(text[e]):
        e += 1
    return s, e


def line_at(text: str, offset: int) -> tuple[int, int] | None:
    """The line at ``offset`` without its surrounding whitespace, for triple-click."""
    s = text.rfind("\n", 0, offset) + 1
    e = text.find("\n", offset)
    e = len(text) if e < 0 else e
    return snap_to_words(text, s, e)
