"""Validating and repairing the header values OCR most often gets wrong.

Only two shapes are touched, where a letter cannot be a digit: case numbers
(``CM16-0219557``) and numeric dates (``11/18/2016``). Inside them the usual OCR
confusions are undone (O→0, l/I/|→1, S→5, B→8, Z→2). A repair replaces one character by
one, so every character keeps its box on the page. A value that is still not valid after
repair is left as read and reported, never guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_TO_DIGIT = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "|": "1", "S": "5",
                           "s": "5", "B": "8", "Z": "2"})  # fmt: skip
_D = r"[0-9OolI|SsBZ]"  # a digit, or a letter OCR confuses with one
_DASH = "-\u2010\u2011\u2012\u2013\u2014\u2212"  # hyphen and the dashes OCR reads it as
CASE_SHAPE = re.compile(rf"(?<![A-Za-z0-9])[CG][MN]{_D}{{2}}[{_DASH}]{_D}{{7}}(?![0-9])")
DATE_SHAPE = re.compile(rf"(?<![\w/]){_D}{{2}}/{_D}{{2}}/{_D}{{4}}(?![\w/])")
CASE_NUMBER = re.compile(r"CM\d{2}-\d{7}")
_MIN_DIGITS = 6  # below this a token is more likely a word than a damaged number


@dataclass(frozen=True, slots=True)
class FieldNote:
    """One repair (``before`` → ``after``) or one value left invalid (``after`` None)."""

    kind: str  # "case number" | "date"
    offset: int  # in the page text
    before: str
    after: str | None

    def message(self, page: int) -> str:
        if self.after is None:
            return f"page {page + 1}: the {self.kind} “{self.before}” could not be read reliably"
        return f"page {page + 1}: read the {self.kind} “{self.before}” as “{self.after}”"


def _digits(s: str) -> int:
    return sum(c.isdigit() for c in s)


def valid_date(mmddyyyy: str) -> bool:
    try:
        month, day, year = (int(p) for p in mmddyyyy.split("/"))
        dt.date(year, month, day)
    except ValueError:
        return False
    return 1900 <= year <= 2099


def repair_fields(text: str) -> tuple[str, list[FieldNote]]:
    """Repair case numbers and dates in ``text``; same length in, same length out."""
    chars = list(text)
    notes: list[FieldNote] = []
    for m in CASE_SHAPE.finditer(text):
        token = m.group()
        if _digits(token) < _MIN_DIGITS:
            continue
        fixed = "CM" + token[2:4].translate(_TO_DIGIT) + "-" + token[5:].translate(_TO_DIGIT)
        if fixed != token:
            chars[m.start() : m.end()] = fixed
            notes.append(FieldNote("case number", m.start(), token, fixed))
    for m in DATE_SHAPE.finditer(text):
        token = m.group()
        if _digits(token) < _MIN_DIGITS:
            continue
        fixed = token.translate(_TO_DIGIT)
        if not valid_date(fixed):
            notes.append(FieldNote("date", m.start(), token, None))
        elif fixed != token:
            chars[m.start() : m.end()] = fixed
            notes.append(FieldNote("date", m.start(), token, fixed))
    out = "".join(chars)
    assert len(out) == len(text)
    return out, sorted(notes, key=lambda n: n.offset)
