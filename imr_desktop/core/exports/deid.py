"""De-identification of training text: placeholders for dates, case numbers and gaps.

Every replacement is recorded, and annotation offsets are moved through the same edit
list, so exported spans still equal ``text[start:end]`` of the de-identified text. The
same value gets the same placeholder throughout one document ("[DATE-2]" is always the
same date), so models can still learn that two mentions agree.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass, replace

from imr_desktop.core.exports.base import DocRecord, SpanRecord

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
    "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("CASE", re.compile(r"\b(?:CM|EM)\d{2}-\d{5,7}\b")),
    (
        "DATE",
        re.compile(
            r"\b\d{1,2}/\d{1,2}/(?:\d{4}|\d{2})\b"
            r"|\b\d{4}-\d{2}-\d{2}\b"
            rf"|\b(?:{_MONTHS})\.? \d{{1,2}}, \d{{4}}\b"
        ),
    ),
    # a removed name leaves exactly two spaces between two words ("He saw  on 01/26/14");
    # wider runs are layout (table columns) and are kept
    ("NAME", re.compile(r"(?<=\w)  (?=\w)")),
)


@dataclass(frozen=True, slots=True)
class Edit:
    start: int
    end: int
    replacement: str


def find_edits(text: str) -> list[Edit]:
    """Non-overlapping replacements in text order; earlier patterns win overlaps."""
    found: list[tuple[int, int, str, str]] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in PATTERNS:
        for m in pattern.finditer(text):
            s, e = m.span()
            i = bisect.bisect_left(taken, (s, e))
            if (i > 0 and taken[i - 1][1] > s) or (i < len(taken) and taken[i][0] < e):
                continue
            taken.insert(i, (s, e))
            found.append((s, e, kind, m.group()))
    found.sort()
    numbers: dict[tuple[str, str], int] = {}
    counts: dict[str, int] = {}
    edits: list[Edit] = []
    for s, e, kind, value in found:
        if kind == "NAME":
            edits.append(Edit(s, e, " [NAME] "))
            continue
        key = (kind, value)
        if key not in numbers:
            counts[kind] = counts.get(kind, 0) + 1
            numbers[key] = counts[kind]
        edits.append(Edit(s, e, f"[{kind}-{numbers[key]}]"))
    return edits


class OffsetMap:
    """Maps offsets of the original text to the de-identified text.

    A span boundary inside a replaced value moves outward to the placeholder's edge, so a
    span that covered part of a date covers the whole placeholder.
    """

    def __init__(self, edits: list[Edit]) -> None:
        self.edits = edits
        self._starts = [e.start for e in edits]
        self._shift: list[int] = []  # cumulative length change after each edit
        total = 0
        for e in edits:
            total += len(e.replacement) - (e.end - e.start)
            self._shift.append(total)

    def _before(self, i: int) -> int:
        return self._shift[i - 1] if i > 0 else 0

    def start(self, offset: int) -> int:
        i = bisect.bisect_right(self._starts, offset) - 1
        if i >= 0 and offset < self.edits[i].end:
            return self.edits[i].start + self._before(i)  # inside: to the placeholder start
        return offset + (self._shift[i] if i >= 0 else 0)

    def end(self, offset: int) -> int:
        i = bisect.bisect_left(self._starts, offset) - 1
        if i >= 0 and offset <= self.edits[i].end:
            e = self.edits[i]
            return e.start + self._before(i) + len(e.replacement)
        return offset + (self._shift[i] if i >= 0 else 0)


def apply(text: str, edits: list[Edit]) -> str:
    parts: list[str] = []
    pos = 0
    for e in edits:
        parts.append(text[pos : e.start])
        parts.append(e.replacement)
        pos = e.end
    parts.append(text[pos:])
    return "".join(parts)


def deidentify_string(value: str) -> str:
    return apply(value, find_edits(value))


def deidentify(record: DocRecord) -> DocRecord:
    """The record with placeholders in text, span texts and notes, and shifted offsets.

    The path and the structure (whose offsets point into the original text and whose
    values are the identifying fields) are dropped; the id becomes a hash of the
    de-identified text so it cannot be matched to the original file.
    """
    edits = find_edits(record.text)
    text = apply(record.text, edits)
    omap = OffsetMap(edits)
    spans: list[SpanRecord] = []
    for s in record.spans:
        start, end = omap.start(s.start), omap.end(s.end)
        spans.append(
            replace(s, start=start, end=end, text=text[start:end], note=deidentify_string(s.note))
        )
    meta = {k: v for k, v in record.meta.items() if k not in ("path", "text_sha256")}
    meta["deidentified"] = True
    new_id = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return DocRecord(new_id, text, spans, meta, structure=None, split=record.split)
