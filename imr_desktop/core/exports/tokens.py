"""Tokens and BIO tags for the token formats (CoNLL, Hugging Face).

Words are ``\\w+`` runs and single other non-space characters, split further at every
span edge, so every annotation starts and ends on a token boundary by construction.
BIO cannot nest: of overlapping spans the longest (then the earliest) is kept and the
others are reported. Tags use the label name with spaces as underscores
("B-Guideline_citation"), since whitespace separates CoNLL columns.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from itertools import accumulate

from imr_desktop.core.exports.base import DocRecord, Report, SpanRecord

WORD = re.compile(r"\w+|[^\w\s]")
# a WORD with the one space that may follow it, or any other whitespace run
_SPACY_TOKEN = re.compile(r"(\w+|[^\w\s])( ?)|(\s+)")


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int
    end: int
    tag: str


def tag_name(label: str) -> str:
    return "_".join(label.split())


def tokenize(text: str, cuts: set[int]) -> list[tuple[int, int]]:
    """Token offsets of ``text``, with extra boundaries at ``cuts``."""
    out: list[tuple[int, int]] = []
    ordered = sorted(cuts)
    for m in WORD.finditer(text):
        s, e = m.span()
        i = bisect.bisect_right(ordered, s)
        while i < len(ordered) and ordered[i] < e:
            out.append((s, ordered[i]))
            s = ordered[i]
            i += 1
        out.append((s, e))
    return out


def non_overlapping(record: DocRecord, report: Report, fmt: str) -> list[SpanRecord]:
    """Longest-first selection of spans that do not overlap; the others are reported."""
    kept: list[SpanRecord] = []
    taken: list[tuple[int, int]] = []
    for s in sorted(record.spans, key=lambda s: (-(s.end - s.start), s.start, s.id)):
        i = bisect.bisect_left(taken, (s.start, s.end))
        if (i > 0 and taken[i - 1][1] > s.start) or (i < len(taken) and taken[i][0] < s.end):
            report.problem(
                "overlap",
                f"{record.id[:12]} [{s.start}, {s.end}) {s.label!r} {s.text!r}: overlaps a "
                f"longer span; {fmt} tags cannot nest, so it is not in the {fmt} file.",
            )
            continue
        taken.insert(i, (s.start, s.end))
        kept.append(s)
    return sorted(kept, key=lambda s: s.start)


def bio_tokens(record: DocRecord, report: Report, fmt: str) -> list[Token]:
    spans = non_overlapping(record, report, fmt)
    cuts = {s.start for s in spans} | {s.end for s in spans}
    text = record.text
    tokens: list[Token] = []
    j = 0
    inside: SpanRecord | None = None
    for start, end in tokenize(text, cuts):
        while j < len(spans) and spans[j].end <= start:
            j += 1
        span = spans[j] if j < len(spans) and spans[j].start < end else None
        if span is None:
            tag = "O"
        elif span is inside:
            tag = "I-" + tag_name(span.label)
        else:
            tag = "B-" + tag_name(span.label)
        inside = span
        tokens.append(Token(text[start:end], start, end, tag))
    return tokens


def words_and_spaces(
    text: str, starts: set[int], ends: set[int]
) -> tuple[list[int], list[str], list[bool]]:
    """Tokens covering all of ``text`` the way ``spacy.tokens.Doc(words, spaces)`` wants.

    Word tokens are those of ``tokenize``, split at every span edge (``starts`` and
    ``ends``), so a span always covers whole tokens. Whitespace follows spaCy's own
    convention: one space after a word is that word's trailing space (``spaces[i]``),
    any other whitespace run is a token. A run is split at span edges too, and a space
    is not swallowed when a span starts on it or ends right after it. Returns each
    token's offset, its text and its trailing-space flag.
    """
    offsets: list[int] = []
    words: list[str] = []
    spaces: list[bool] = []
    n = len(text)
    pos = 0
    # each stretch between span edges is tokenized on its own (a regex stops at endpos);
    # findall and list comprehensions keep the per-token work in C: this runs on every
    # token of every letter of a library
    for stop in [*sorted(starts | ends), n]:
        if stop <= pos:
            continue
        found = _SPACY_TOKEN.findall(text, pos, stop)
        words += [w or run for w, _sp, run in found]
        spaces += [bool(sp) for _w, sp, _run in found]
        offsets += accumulate(
            [len(w) + len(sp) + len(run) for w, sp, run in found][:-1], initial=pos
        )
        if spaces[-1] and stop in ends and offsets[-1] + len(words[-1]) == stop - 1:
            # a span ends with that space: it must be a token of its own
            spaces[-1] = False
            offsets.append(stop - 1)
            words.append(" ")
            spaces.append(False)
        pos = stop
        if (
            not spaces[-1]
            and not words[-1][0].isspace()
            and stop < n
            and text[stop] == " "
            and stop not in starts
            and stop + 1 not in ends
        ):
            spaces[-1] = True  # a span ended at the word: the space after it is its own
            pos = stop + 1
    return offsets, words, spaces
