"""The canonical text as a table of lines, plus small span helpers.

Letters are laid out in paragraphs separated by blank lines (whitespace-only lines in the
PDF text layer). Some plain-text copies are "double spaced": an empty line after every
printed line, with real paragraph breaks shown as a line holding a space. ``Lines`` hides
those filler lines so that blank lines mean paragraph breaks in both.
"""

from __future__ import annotations

import bisect
import re

from imr_desktop.core.structure.model import Field

_SENTENCE_END = re.compile(r"""[.!?;][)"'”’\]]*\s*$""")


# what else an ASCII letter matches when case is ignored (the ``re`` documentation)
_FOLDS_TO = {"i": "\u0130\u0131", "s": "\u017f", "k": "\u212a"}


def ignorecase_words(
    alternatives: tuple[str, ...], rest: str = "", *, not_after_letter: bool = False
) -> re.Pattern[str]:
    """``(?:alt1|alt2|...)rest`` compiled with ``re.IGNORECASE``, written to be found fast.

    Python's ``re`` tries a pattern at every position of the text unless the pattern
    opens with a plain set of characters; it then jumps from one such character to the
    next. A pattern opening with a choice of words, an optional word or a look-behind is
    three to six times slower over a letter (several such patterns were a third of the
    parser's time). So the pattern starts with the alternatives' first letters, in both
    cases (and the non-ASCII letters ``re`` folds onto them), and each alternative goes on
    after its own first letter. Same matches, same spans. With ``not_after_letter`` the
    match must not start right after an ASCII letter (``(?<![A-Za-z])`` before it).
    Every alternative must start with an ASCII letter.
    """
    firsts = sorted({alt[0].lower() for alt in alternatives})
    assert all("a" <= f <= "z" for f in firsts), alternatives
    letters = "".join(f + f.upper() + _FOLDS_TO.get(f, "") for f in firsts)
    branches = "|".join(f"(?<={alt[0].lower()}){alt[1:]}" for alt in alternatives)
    guard = "(?<![A-Za-z].)" if not_after_letter else ""
    return re.compile(f"[{letters}](?i:{guard}(?:{branches}){rest})")


def collapse(s: str) -> str:
    return " ".join(s.split())


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """[start, end) without surrounding whitespace (empty spans collapse onto ``start``)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def make_field(text: str, start: int, end: int, value: str | None = None) -> Field | None:
    """A field for the trimmed span, or None when the span holds only whitespace."""
    start, end = trim(text, start, end)
    if start >= end:
        return None
    return Field(collapse(text[start:end]) if value is None else value, start, end)


class Lines:
    """Line table of ``text``: offsets of every (logical) line and whether it is blank."""

    __slots__ = ("blank", "count", "ends", "starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        starts: list[int] = []
        ends: list[int] = []
        blank: list[bool] = []
        pos = 0
        for raw in text.split("\n"):
            starts.append(pos)
            ends.append(pos + len(raw))
            blank.append(not raw.strip())
            pos += len(raw) + 1
        if _double_spaced(text, starts, ends, blank):
            keep = [
                i
                for i in range(len(starts))
                # an empty filler line between two printed lines is not a paragraph break
                if not (
                    starts[i] == ends[i]
                    and 0 < i < len(starts) - 1
                    and not blank[i - 1]
                    and not blank[i + 1]
                )
            ]
            starts = [starts[i] for i in keep]
            ends = [ends[i] for i in keep]
            blank = [blank[i] for i in keep]
        self.starts = starts
        self.ends = ends
        self.blank = blank
        self.count = len(starts)

    def index_at(self, offset: int) -> int:
        """Index of the line holding ``offset``."""
        return max(0, bisect.bisect_right(self.starts, offset) - 1)

    def content(self, i: int) -> str:
        return self.text[self.starts[i] : self.ends[i]].strip()

    def ends_sentence(self, i: int) -> bool:
        return bool(_SENTENCE_END.search(self.text, self.starts[i], self.ends[i]))

    def prev_nonblank(self, i: int, floor: int = 0) -> int:
        """The last non-blank line at or before ``i`` (not below ``floor``), or -1."""
        while i >= floor:
            if not self.blank[i]:
                return i
            i -= 1
        return -1


def _double_spaced(text: str, starts: list[int], ends: list[int], blank: list[bool]) -> bool:
    """True when most printed lines are followed by exactly one empty filler line."""
    printed = sum(1 for b in blank if not b)
    if printed < 4:
        return False
    filler = 0
    for i in range(1, len(starts) - 1):
        if starts[i] == ends[i] and not blank[i - 1] and not blank[i + 1]:
            filler += 1
    # text from a PDF never has an empty line between two printed lines of a paragraph
    return filler >= 0.5 * printed
