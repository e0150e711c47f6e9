"""Re-placing annotations when a document's canonical text changes.

A new extractor version, a re-saved PDF or a second OCR run gives a document a new
canonical text; annotations stored as offsets into the old one must be re-placed from
what they remember: the quote (``exact``), up to 32 characters of context on each side
(``prefix``/``suffix``) and the old position. In order of trust:

1. the quote and both contexts still sit at the stored offsets → ``exact``;
2. exact occurrences of the quote, scored by context similarity and by distance from
   where the annotation is expected now → ``moved``;
3. approximate occurrences (edit distance at most a quarter of the quote) found with
   Myers' bit-parallel algorithm, scored by quote, context and position → ``fuzzy``.

Matching runs on a normalised copy of both texts (whitespace runs → one space, NFKC,
typographic quotes and dashes folded, soft hyphens dropped) with an offset map back to
the real text, so reflowed lines and doubled spaces re-anchor exactly. A candidate is
accepted only above ``ACCEPT`` and clearly ahead of any other place; everything else is
an **orphan**: returned unchanged with its best rejected place as a suggestion, never
dropped and never moved silently onto other text.

Position: annotations placed with certainty (at their stored offsets, or a quote found
once with intact context) are anchors; the longest in-order chain of them is kept, since
an anchor out of order is usually a copy of boilerplate. An annotation is expected
between where the anchors on either side put it, so an insertion early in the text does
not count against every annotation after it, and a second pass retries the orphans with
the confident placements of the first as anchors (OCR noise leaves few certain ones).

Letters repeat boilerplate ("Decision based on MTUS …"). With the old text known
(``apply_reanchoring`` passes it): copies of the quote between the two anchors are
matched by rank, and all of them are refused when their number changed (one was
deleted, and the survivors look just like it); an imperfect match must be more alike
than any other place of the old text already was; and only a quote with no look-alike
in the old text may be found far from where it was (a moved paragraph).

Speed, 1,000 annotations on a 30,000-character letter (tests/benchmarks/
bench_anchoring.py): 0.03 s unchanged; 0.15-0.45 s of CPU after insertions, deletions
or reflow; ~0.75 s when OCR noise touches every quote.
"""

from __future__ import annotations

import bisect
import heapq
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from imr_desktop.core.errors import StoreError
from imr_desktop.core.model import QUOTE_CONTEXT, Annotation, now_iso
from imr_desktop.core.store import Store

EXACT = "exact"
MOVED = "moved"
FUZZY = "fuzzy"
ORPHAN = "orphan"

# A candidate's score (0..1) mixes the similarity of quote + context with closeness to the
# expected place ("pinned"), sharply when a nearby annotation fixed that place: only
# position tells copies of repeated boilerplate apart. A distinctive quote found verbatim
# may instead score by context alone ("guessed" position), wherever it moved.
ACCEPT = 0.7  # minimum score to place an annotation
SURE = 0.9  # a verbatim match this good is taken without looking for approximate ones
AMBIGUITY_MARGIN = 0.05  # the winner must beat any other place by this much
MAX_QUOTE_ERRORS = 0.25  # approximate matches: edits allowed per quote character
MIN_FUZZY_LENGTH = 8  # shorter quotes match too many places approximately to mean anything
FUZZY_MIN_CONTEXT = 0.3  # an approximate match needs both context sides at least this similar
QUOTE_WEIGHT = 1.0  # a quote character counts as much as a context character
CONTEXT_BASELINE = 0.3  # raw similarity of unrelated 32-char snippets of prose, rescaled to 0
CORE_CONTEXT = 12  # context characters that make a quote distinctive or repeated
COPY_SIMILARITY = 0.9  # the quote with one context side this alike is a copy of boilerplate
NEAR = 6  # context characters next to the quote compared first, to rule out copies cheaply
RIVAL_CHECK = 0.9  # a match less alike than this must beat the old text's other places
RIVAL_MARGIN = 0.03  # by this much
GUESSED_WEIGHT, GUESSED_SCALE = 0.1, 256  # position weight; distance that halves it
PINNED_WEIGHT, PINNED_SCALE = 0.35, 32
RELIABLE_RANGE = 2000  # an anchor this close (old offsets) makes the expected place reliable
ANCHOR_MIN_SIMILARITY = 0.8  # a unique quote with context this intact anchors positions
ANCHOR_MIN_CONFIDENCE = 0.85  # a placement this sure anchors the second try at orphans
MAX_EXACT_CANDIDATES = 64  # verbatim occurrences scored at most, the most promising first
RIVALS_AFTER_PERFECT = 8  # places scored at most once one matched perfectly
MAX_FUZZY_CANDIDATES = 6  # approximate occurrences scored per search
SEARCH_WINDOW = 256  # characters either side of the expected place searched first


@dataclass(frozen=True, slots=True)
class Result:
    """Where one annotation ended up in the new text.

    ``annotation`` carries the new ``start``/``end``/``exact``/``prefix``/``suffix`` when
    placed, and is the stored annotation unchanged when ``status`` is ``orphan``.
    ``suggestion`` is, for an orphan, the best place that was rejected (offsets into the
    new text) so the user can look there first; ``None`` when nothing came close.
    """

    annotation: Annotation
    status: str  # exact | moved | fuzzy | orphan
    confidence: float  # 0..1
    suggestion: tuple[int, int] | None = None

    @property
    def placed(self) -> bool:
        return self.status != ORPHAN


# --------------------------------------------------------------------------- normalising
_FOLD = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u00ad": "",  # soft hyphen
    "\u200b": "",
    "\u200c": "",
    "\u200d": "",
    "\u2060": "",
    "\ufeff": "",
}
_SPECIAL = re.compile(r"\s+|[^\x00-\x7f]")


def _fold_char(ch: str) -> str:
    folded = _FOLD.get(ch)
    return folded if folded is not None else unicodedata.normalize("NFKC", ch)


def normalize(text: str) -> tuple[str, list[int]]:
    """The matching form of ``text`` and, per character of it, its offset in ``text``."""
    out: list[str] = []
    offsets: list[int] = []
    pos = 0
    for m in _SPECIAL.finditer(text):
        i = m.start()
        if i > pos:
            out.append(text[pos:i])
            offsets.extend(range(pos, i))
        chunk = m.group()
        if chunk[0].isspace():
            out.append(" ")
            offsets.append(i)
        else:
            folded = _fold_char(chunk)
            out.append(folded)
            offsets.extend([i] * len(folded))
        pos = m.end()
    out.append(text[pos:])
    offsets.extend(range(pos, len(text)))
    return "".join(out), offsets


_SPACES = re.compile(r"\s+")


def _norm(text: str) -> str:
    """The matching form of a short string (quote, prefix, suffix)."""
    if text.isascii():
        return _SPACES.sub(" ", text)
    return normalize(text)[0]


# --------------------------------------------------------------------------- edit distance
# Myers' bit-parallel edit distance (Hyyrö's formulation), transposed: the *text* is the
# bit vector and the loop runs over the pattern's characters, so CPython's big integers
# do the long dimension in C. One call costs len(pattern) steps of a dozen integer
# operations on len(text)-bit numbers (~3 ms for a 200-char quote over 30k characters).


def _masks(text: str) -> dict[str, int]:
    """Bit j of ``masks[c]`` is set where ``text[j] == c`` (for short texts)."""
    masks: dict[str, int] = {}
    bit = 1
    for ch in text:
        masks[ch] = masks.get(ch, 0) | bit
        bit <<= 1
    return masks


def _last_row(pattern: str, masks: dict[str, int], n: int, anchored: bool) -> tuple[int, int]:
    """Bit vectors (plus, minus) of D[m][j] - D[m][j-1] for j = 1..n.

    D[i][j] is the edit distance between ``pattern[:i]`` and a piece of the text that
    ends at j and starts at 0 (``anchored``) or anywhere (free start). D[m][0] = m.
    """
    full = (1 << n) - 1
    vp = full if anchored else 0
    vn = 0
    for ch in pattern:
        eq = masks.get(ch, 0)
        d0 = (((eq & vp) + vp) ^ vp) | eq | vn
        hp = vn | (full & ~(d0 | vp))
        hn = vp & d0
        hp = ((hp << 1) | 1) & full  # D[i][0] = i: the first column always grows by one
        hn = (hn << 1) & full
        vp = hn | (full & ~(d0 | hp))
        vn = hp & d0
    return vp, vn


_BYTE_STEPS: list[tuple[int, int]] = []  # (net change, lowest running change) per byte pair


def _byte_steps() -> list[tuple[int, int]]:
    """For 8 positions of plus/minus bits (index plus << 8 | minus): net and minimum.

    Plus and minus bits never coincide, so only 3**8 of the 65536 entries are filled.
    """
    if not _BYTE_STEPS:
        table = [(0, 0)] * 65536
        for plus in range(256):
            free = 255 & ~plus
            minus = free
            while True:
                value = low = 0
                for b in range(8):
                    value += ((plus >> b) & 1) - ((minus >> b) & 1)
                    low = min(low, value)
                table[plus << 8 | minus] = (value, low)
                if not minus:
                    break
                minus = (minus - 1) & free
        _BYTE_STEPS[:] = table
    return _BYTE_STEPS


def _row_values(m: int, vp: int, vn: int, n: int, limit: int) -> list[tuple[int, int]]:
    """(j, D[m][j]) for every j in 1..n with D[m][j] <= limit, from the delta vectors."""
    steps = _byte_steps()
    out: list[tuple[int, int]] = []
    size = (n + 7) // 8
    value = m
    # a byte at a time from a table; bit by bit only where the values come under the limit
    plus, minus = vp.to_bytes(size, "little"), vn.to_bytes(size, "little")
    for i, (p, q) in enumerate(zip(plus, minus, strict=True)):
        net, low = steps[p << 8 | q]
        if value + low <= limit:
            v = value
            for b in range(min(8, n - 8 * i)):
                v += ((p >> b) & 1) - ((q >> b) & 1)
                if v <= limit:
                    out.append((8 * i + b + 1, v))
        value += net
    return out


def _end_distance(pattern_masks: dict[str, int], m: int, text: str) -> int:
    """Edit distance of a pattern to the best-matching suffix of ``text``.

    Myers' algorithm the usual way round (the pattern is the bit vector, the loop runs
    over ``text``): the pattern's masks are built once per annotation, not per place.
    """
    if m == 0:
        return 0
    full = (1 << m) - 1
    high = 1 << (m - 1)
    vp, vn, score = full, 0, m
    for ch in text:
        eq = pattern_masks.get(ch, 0)
        xv = eq | vn
        xh = (((eq & vp) + vp) ^ vp) | eq
        hp = vn | (full & ~(xh | vp))
        hn = vp & xh
        if hp & high:
            score += 1
        elif hn & high:
            score -= 1
        hp = (hp << 1) & full  # free start in the text: the top row stays 0
        hn = (hn << 1) & full
        vp = hn | (full & ~(xv | hp))
        vn = hp & xv
    return score


def _best_start(pattern: str, text: str, end: int, k: int) -> tuple[int, int]:
    """Start and distance of the best match of ``pattern`` ending at ``end``."""
    m = len(pattern)
    lo = max(0, end - m - k)
    window = text[lo:end][::-1]  # reversed: the match is anchored at the window's start
    vp, vn = _last_row(pattern[::-1], _masks(window), len(window), anchored=True)
    best = (m, 0)  # (distance, length)
    for j, value in _row_values(m, vp, vn, len(window), m + k):
        if (value, abs(j - m)) < (best[0], abs(best[1] - m)):
            best = (value, j)
    return end - best[1], best[0]


# --------------------------------------------------------------------------- texts
class _Text:
    """A canonical text, normalised, with the indexes matching needs."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.norm, self.offsets = normalize(text)
        self._masks: dict[str, int] = {}
        self._reversed = ""
        self._zeros: dict[int, str] = {}

    def to_norm(self, offset: int) -> int:
        return bisect.bisect_left(self.offsets, offset)

    def to_text(self, start: int, end: int) -> tuple[int, int]:
        return self.offsets[start], self.offsets[end - 1] + 1

    def mask(self, ch: str) -> int:
        """Bit j set where ``norm[j] == ch``; built on first use per character."""
        found = self._masks.get(ch)
        if found is None:
            if not self._zeros:
                self._reversed = self.norm[::-1]  # bit 0 is the first character
                self._zeros = dict.fromkeys(map(ord, set(self.norm)), "0")
            found = 0
            if ord(ch) in self._zeros:
                table = self._zeros | {ord(ch): "1"}
                found = int(self._reversed.translate(table), 2)
            self._masks[ch] = found
        return found

    def exact(self, quote: str, lo: int = 0, hi: int | None = None) -> list[int]:
        """Starts of the exact occurrences of ``quote`` that start in [lo, hi]."""
        hi = len(self.norm) if hi is None else hi
        starts: list[int] = []
        i = self.norm.find(quote, lo)
        while 0 <= i <= hi:
            starts.append(i)
            i = self.norm.find(quote, i + 1)
        return starts

    def approximate(
        self, quote: str, k: int, lo: int, hi: int, limit: int | None = MAX_FUZZY_CANDIDATES
    ) -> list[tuple[int, int, int]]:
        """(start, end, distance) of the best approximate matches within norm[lo:hi]."""
        hi = min(hi, len(self.norm))
        n = hi - lo
        if n <= 0:
            return []
        full = (1 << n) - 1
        masks = {ch: (self.mask(ch) >> lo) & full for ch in set(quote)}
        vp, vn = _last_row(quote, masks, n, anchored=False)
        hits = _row_values(len(quote), vp, vn, n, k)
        # a match shows as a run of consecutive ends under the limit: keep each run's lowest
        runs: list[tuple[int, int]] = []
        previous = -2
        for j, value in hits:
            if j == previous + 1 and value >= runs[-1][1]:
                previous = j
                continue
            if j == previous + 1:
                runs[-1] = (j, value)
            else:
                runs.append((j, value))
            previous = j
        best = runs if limit is None else heapq.nsmallest(limit, runs, key=lambda r: r[1])
        out = []
        for j, _ in best:
            end = lo + j
            start, distance = _best_start(quote, self.norm, end, k)
            out.append((start, end, distance))
        return out


# --------------------------------------------------------------------------- scoring
def _context_similarity(distance: int, length: int) -> float:
    """1 for identical context, 0 for text no closer than unrelated prose."""
    raw = 1.0 - distance / length
    return max(0.0, (raw - CONTEXT_BASELINE) / (1.0 - CONTEXT_BASELINE))


@dataclass(frozen=True, slots=True)
class _Expectation:
    """Where an annotation should be now.

    ``positions``: offsets into the normalised new text implied by the anchors on either
    side, the nearest first; text inserted or deleted between them leaves the quote
    anywhere in between, so the whole range counts as expected. ``reliable``: derived
    from anchors near the annotation. ``bracket``: the offsets of those two anchors,
    (old left, old right, new left, new right), normalised, when both exist and the old
    text is known.
    """

    positions: tuple[int, ...]
    reliable: bool
    bracket: tuple[int, int, int, int] | None = None

    def distance(self, start: int) -> int:
        return max(min(self.positions) - start, start - max(self.positions), 0)

    def score(self, text: float, start: int, anywhere: bool = False) -> float:
        """``anywhere``: a distinctive verbatim quote, trusted wherever it moved."""
        distance = self.distance(start)
        scale = PINNED_SCALE if self.reliable else GUESSED_SCALE
        pinned = (1 - PINNED_WEIGHT) * text + PINNED_WEIGHT / (1 + distance / scale)
        if not anywhere:
            return pinned
        guessed = (1 - GUESSED_WEIGHT) * text + GUESSED_WEIGHT / (1 + distance / GUESSED_SCALE)
        return max(guessed, pinned)


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int  # offsets into the normalised new text
    end: int
    distance: int  # edits between the quote and new[start:end]
    text: float  # similarity of quote and context, 0..1
    weakest: float  # similarity of the worse context side (1 without context)
    strongest: float  # similarity of the better context side (1 without context)
    score: float  # text and position together


class _Quote:
    """One annotation's quote and context in matching form."""

    def __init__(self, ann: Annotation) -> None:
        self.ann = ann
        self.quote = _norm(ann.exact)
        self.prefix = _norm(ann.prefix)
        self.suffix = _norm(ann.suffix)
        self.core = self.prefix[-CORE_CONTEXT:] + self.quote + self.suffix[:CORE_CONTEXT]
        self.slack = max(2, len(self.quote) // 10)  # how far apart two starts are the same
        self.prefix_masks = _masks(self.prefix)
        self.suffix_masks = _masks(self.suffix[::-1])  # the suffix is matched backwards

    def candidate(
        self,
        new: _Text,
        start: int,
        end: int,
        distance: int,
        expect: _Expectation,
        anywhere: bool = False,
    ) -> _Candidate:
        m = len(self.quote)
        num = QUOTE_WEIGHT * m * (1.0 - distance / max(m, end - start, 1))
        den = QUOTE_WEIGHT * m
        sides = []  # (length, similarity); the windows leave room for insertions
        norm = new.norm
        if self.prefix:
            lp = len(self.prefix)
            if norm.endswith(self.prefix, 0, start):
                sim = 1.0
            else:
                before = norm[max(0, start - lp - lp // 2) : start]
                sim = _context_similarity(_end_distance(self.prefix_masks, lp, before), lp)
            sides.append((lp, sim))
        if self.suffix:
            ls = len(self.suffix)
            if norm.startswith(self.suffix, end):
                sim = 1.0
            else:
                after = norm[end : end + ls + ls // 2]
                edits = _end_distance(self.suffix_masks, ls, after[::-1])
                sim = _context_similarity(edits, ls)
            sides.append((ls, sim))
        for length, sim in sides:
            num += length * sim
            den += length
        text = num / den
        sims = [sim for _, sim in sides] or [1.0]
        score = expect.score(text, start, anywhere and distance == 0)
        return _Candidate(start, end, distance, text, min(sims), max(sims), score)

    def candidates_exact(
        self,
        new: _Text,
        expect: _Expectation,
        lo: int = 0,
        hi: int | None = None,
        anywhere: bool = False,
    ) -> list[_Candidate]:
        """Verbatim occurrences starting in [lo, hi] that could win (or make the winner
        ambiguous)."""
        m = len(self.quote)
        norm = new.norm
        starts = new.exact(self.quote, lo, hi)
        # nearest first, and among equals those whose context is intact (cheap to see)
        starts.sort(
            key=lambda s: (
                expect.distance(s),
                not norm.endswith(self.prefix, 0, s),
                not norm.startswith(self.suffix, s + m),
            )
        )
        found: list[_Candidate] = []
        best = 0.0
        perfect = False
        for s in starts[:MAX_EXACT_CANDIDATES]:
            # stop when even a perfect context could not compete, or when a perfect
            # match was found and a few more places were looked at
            if expect.score(1.0, s, anywhere) < best - AMBIGUITY_MARGIN:
                break
            if perfect and len(found) >= RIVALS_AFTER_PERFECT:
                break
            found.append(self.candidate(new, s, s + m, 0, expect, anywhere))
            best = max(best, found[-1].score)
            perfect = perfect or found[-1].text == 1.0
        return found

    def candidates_fuzzy(
        self, new: _Text, expect: _Expectation, lo: int, hi: int
    ) -> list[_Candidate]:
        k = int(len(self.quote) * MAX_QUOTE_ERRORS)
        found = [
            self.candidate(new, s, e, d, expect)
            for s, e, d in new.approximate(self.quote, k, lo, hi)
            if e > s
        ]
        # an approximate quote needs its context on both sides: a quote cut short by an
        # insertion, or text that merely resembles it, fails this
        return [c for c in found if c.weakest >= FUZZY_MIN_CONTEXT]

    def copies(self, text: _Text, lo: int, hi: int) -> list[int]:
        """Starts of the places in [lo, hi] that look like this annotation: the quote
        verbatim with the context on one side at least ``COPY_SIMILARITY`` alike.

        One side is enough: boilerplate is followed (or preceded) by text that differs
        from copy to copy, and after a deletion a copy can take over the annotated
        one's other side as well.
        """
        m = len(self.quote)
        near_prefix, near_suffix = self.prefix[-CORE_CONTEXT:], self.suffix[:CORE_CONTEXT]
        neutral = _Expectation((0,), reliable=False)
        return [
            s
            for s in text.exact(self.quote, lo, hi)
            # cheap test first: boilerplate shares the context next to the quote
            if (text.norm.endswith(near_prefix, 0, s) or text.norm.startswith(near_suffix, s + m))
            and self.candidate(text, s, s + m, 0, neutral).strongest >= COPY_SIMILARITY
        ]

    def noisy_copies(self, text: _Text, lo: int, hi: int) -> list[int]:
        """Like ``copies``, allowing the quote to differ a little (OCR noise)."""
        k = int(len(self.quote) * MAX_QUOTE_ERRORS)
        neutral = _Expectation((0,), reliable=False)
        found = text.approximate(self.quote, k, lo, hi + len(self.quote) + k, None)
        near_prefix, near_suffix = self.prefix[-NEAR:], self.suffix[:NEAR]
        return sorted(
            s
            for s, e, d in found
            if lo <= s <= hi
            # cheap test first, as in ``copies`` but on fewer characters (noise)
            and (text.norm.endswith(near_prefix, 0, s) or text.norm.startswith(near_suffix, e))
            and self.candidate(text, s, e, d, neutral).strongest >= COPY_SIMILARITY
        )

    def rival(self, old: _Text, expect: _Expectation, approximate: bool) -> float:
        """How alike the most similar *other* place in the old text was (0 if none).

        A new place no more alike than that may be that other place, with the annotated
        one deleted: a templated sentence repeated with another number, say.
        """
        lo, hi = (expect.bracket[0], expect.bracket[1]) if expect.bracket else (0, len(old.norm))
        mine = old.to_norm(self.ann.start)
        m = len(self.quote)
        neutral = _Expectation((0,), reliable=False)
        places = [(s, s + m, 0) for s in old.exact(self.quote, lo, hi)]
        if approximate and m >= MIN_FUZZY_LENGTH:
            k = int(m * MAX_QUOTE_ERRORS)
            places += old.approximate(self.quote, k, lo, hi + m + k)
        return max(
            [0.0]
            + [
                self.candidate(old, s, e, d, neutral).text
                for s, e, d in places
                if abs(s - mine) > self.slack
            ]
        )

    def distinctive(self, old: _Text | None) -> bool:
        """Whether the old text held no other place that looks like this annotation."""
        if old is None or len(self.copies(old, 0, len(old.norm))) > 1:
            return False
        return len(self.noisy_copies(old, 0, len(old.norm))) <= 1

    def other_copies(self, expect: _Expectation, old: _Text | None, new: _Text) -> list[int]:
        """Starts (normalised new text) of boilerplate copies that are not this one.

        Between two anchors, editing keeps copies in order: if the old and the new text
        hold as many copies there, the annotated one has the same rank. If the numbers
        differ (one was deleted or rewritten), no copy there can be trusted.
        """
        if old is None or expect.bracket is None:
            return []
        old_lo, old_hi, new_lo, new_hi = expect.bracket
        before = self.copies(old, old_lo, old_hi)
        if len(before) < 2:
            return []
        after = self.copies(new, new_lo, new_hi)
        if len(before) != len(after):  # noise in the new text may hide a copy
            after = self.noisy_copies(new, new_lo, new_hi)
        mine = old.to_norm(self.ann.start)
        rank = next((i for i, s in enumerate(before) if abs(s - mine) <= self.slack), None)
        if rank is None:
            return []
        if len(before) == len(after):
            del after[rank]
        return after


def _choose(cands: Sequence[_Candidate]) -> tuple[_Candidate | None, bool]:
    """The best candidate, and whether it is clearly ahead of every other place."""
    if not cands:
        return None, False
    ranked = sorted(cands, key=lambda c: -c.score)
    best = ranked[0]
    for other in ranked[1:]:
        if other.end <= best.start or other.start >= best.end:  # a different place
            return best, best.score - other.score >= AMBIGUITY_MARGIN
    return best, True


def _accepted(best: _Candidate | None, clear: bool) -> bool:
    return best is not None and clear and best.score >= ACCEPT


# --------------------------------------------------------------------------- placing
def _at_stored_place(ann: Annotation, text: str) -> bool:
    s, e = ann.start, ann.end
    return (
        0 <= s < e <= len(text)
        and text[s:e] == ann.exact
        and text[max(0, s - len(ann.prefix)) : s] == ann.prefix
        and text[e : e + len(ann.suffix)] == ann.suffix
    )


def _placed(ann: Annotation, text: str, start: int, end: int) -> Annotation:
    exact = text[start:end]
    prefix = text[max(0, start - QUOTE_CONTEXT) : start]
    suffix = text[end : end + QUOTE_CONTEXT]
    if (start, end, exact, prefix, suffix, None) == (
        ann.start,
        ann.end,
        ann.exact,
        ann.prefix,
        ann.suffix,
        ann.anchor_status,
    ):
        return ann
    # an earlier orphan placed again is an orphan no more
    return ann.with_changes(
        start=start, end=end, exact=exact, prefix=prefix, suffix=suffix, anchor_status=None
    )


def _candidates(
    q: _Quote, new: _Text, old: _Text | None, expect: _Expectation
) -> tuple[_Candidate | None, bool]:
    """The best place for ``q`` and whether it is clearly the best, in rising cost."""
    others = q.other_copies(expect, old, new)
    # editing keeps text in order: the quote lies between the anchors on either side
    lo, hi = 0, len(new.norm)
    if expect.bracket is not None:
        lo, hi = expect.bracket[2], expect.bracket[3]

    def mine(found: list[_Candidate]) -> list[_Candidate]:
        return [
            c
            for c in found
            if lo <= c.start <= hi and all(abs(c.start - o) > q.slack for o in others)
        ]

    # 1. verbatim, near where it should be
    pool = mine(q.candidates_exact(new, expect, lo, hi))
    best, clear = _choose(pool)
    if best is not None and clear and best.score >= SURE:
        return best, clear
    # 2. approximately (the real place, changed a little, beats a verbatim copy
    # elsewhere): near the expected place first, then anywhere it may be
    if len(q.quote) >= MIN_FUZZY_LENGTH:
        reach = len(q.quote) + SEARCH_WINDOW
        near_lo = max(lo, min(expect.positions) - reach)
        near_hi = min(hi + len(q.quote) + q.slack, max(expect.positions) + len(q.quote) + reach)
        pool += mine(q.candidates_fuzzy(new, expect, near_lo, near_hi))
        best, clear = _choose(pool)
        if not _accepted(best, clear) and (near_lo > lo or near_hi < hi):
            seen = {(c.start, c.end) for c in pool}
            found = mine(q.candidates_fuzzy(new, expect, lo, hi + len(q.quote) + q.slack))
            pool += [c for c in found if (c.start, c.end) not in seen]
            best, clear = _choose(pool)
    # 3. a distinctive quote found verbatim anywhere: a moved paragraph (checked last,
    # the check costs a search of the whole old text)
    long_enough = len(q.quote) >= MIN_FUZZY_LENGTH
    if not _accepted(best, clear) and long_enough and old is not None:
        wider = pool + q.candidates_exact(new, expect, anywhere=True)
        moved, moved_clear = _choose(wider)
        if _accepted(moved, moved_clear) and q.distinctive(old):
            best, clear = moved, moved_clear
    return best, clear


def _place(q: _Quote, new: _Text, old: _Text | None, expect: _Expectation) -> Result:
    ann = q.ann
    if not q.quote.strip():
        return Result(ann, ORPHAN, 0.0)
    best, clear = _candidates(q, new, old, expect)
    if best is None:
        return Result(ann, ORPHAN, 0.0)
    start, end = new.to_text(best.start, best.end)
    confidence = round(min(1.0, best.score), 3)
    if _accepted(best, clear) and best.text < RIVAL_CHECK and old is not None:
        # an imperfect match must be more alike than any other place already was
        clear = best.text >= q.rival(old, expect, best.distance > 0) + RIVAL_MARGIN
    if not _accepted(best, clear):
        return Result(ann, ORPHAN, confidence, suggestion=(start, end))
    placed = _placed(ann, new.text, start, end)
    if (start, end) == (ann.start, ann.end) and placed.exact == ann.exact:
        status = EXACT
    elif best.distance == 0:
        status = MOVED
    else:
        status = FUZZY
    return Result(placed, status, confidence)


def _monotone(anchors: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest chain of anchors whose new offsets grow with their old ones.

    Editing keeps text in order, so an anchor out of order is usually a quote that found
    a copy of itself elsewhere (repeated boilerplate) and would mislead its neighbours.
    """
    anchors = sorted(set(anchors))
    tails: list[int] = []  # tails[k]: new offset ending the best chain of length k + 1
    tail_index: list[int] = []
    parent = [-1] * len(anchors)
    for i, (_, new) in enumerate(anchors):
        k = bisect.bisect_left(tails, new)
        if k == len(tails):
            tails.append(new)
            tail_index.append(i)
        else:
            tails[k] = new
            tail_index[k] = i
        parent[i] = tail_index[k - 1] if k else -1
    chain = []
    i = tail_index[-1] if tail_index else -1
    while i >= 0:
        chain.append(anchors[i])
        i = parent[i]
    return chain[::-1]


def _expect(
    q: _Quote, anchors: list[tuple[int, int]], new: _Text, old: _Text | None
) -> _Expectation:
    """Where ``q`` should be now: between where the anchors on either side put it."""
    old_start = q.ann.start
    if not anchors:  # only without the old text: no anchors at its ends either
        return _Expectation((new.to_norm(old_start),), reliable=False)
    i = bisect.bisect_left(anchors, (old_start, -1))
    near = sorted(
        (anchors[j] for j in (i - 1, i) if 0 <= j < len(anchors)),
        key=lambda a: abs(a[0] - old_start),
    )
    reliable = [a for a in near if abs(a[0] - old_start) <= RELIABLE_RANGE]
    positions = tuple(new.to_norm(max(0, old_start + now - was)) for was, now in reliable or near)
    bracket = None
    if old is not None and 0 < i < len(anchors):
        (old_lo, new_lo), (old_hi, new_hi) = anchors[i - 1], anchors[i]
        bracket = (
            old.to_norm(old_lo),
            old.to_norm(old_hi),
            new.to_norm(new_lo),
            new.to_norm(new_hi),
        )
    return _Expectation(positions, bool(reliable), bracket)


def reanchor(
    annotations: Iterable[Annotation], new_text: str, *, old_text: str | None = None
) -> list[Result]:
    """Place each annotation in ``new_text``; results in the order of ``annotations``.

    Pure: nothing is stored. Pass ``old_text`` when it is known: it tells distinctive
    quotes (found anywhere) from repeated boilerplate (told apart by rank and position)
    and anchors the two ends of the texts. Without it position weighs as much as
    context for every quote, the safe side.
    """
    anns = list(annotations)
    results: list[Result | None] = [None] * len(anns)
    new = _Text(new_text)
    old = _Text(old_text) if old_text is not None else None
    anchors: list[tuple[int, int]] = []  # (old start, new start) placed with certainty
    pending: list[tuple[int, _Quote]] = []
    for i, ann in enumerate(anns):
        if _at_stored_place(ann, new_text):
            results[i] = Result(_placed(ann, new_text, ann.start, ann.end), EXACT, 1.0)
            anchors.append((ann.start, ann.start))
        else:
            pending.append((i, _Quote(ann)))
    # a quote found once with its context intact also tells how the text shifted
    neutral = _Expectation((0,), reliable=False)
    for _, q in pending:
        if len(q.quote) < MIN_FUZZY_LENGTH or (old and old.norm.count(q.core) != 1):
            continue
        first = new.norm.find(q.quote)
        if first >= 0 and new.norm.find(q.quote, first + 1) < 0:
            end = first + len(q.quote)
            if q.candidate(new, first, end, 0, neutral).text >= ANCHOR_MIN_SIMILARITY:
                anchors.append((q.ann.start, new.to_text(first, end)[0]))
    if old_text is not None:  # the ends of the texts correspond too
        anchors += [(0, 0), (len(old_text), len(new_text))]
    anchors = _monotone(anchors)
    for i, q in pending:
        results[i] = _place(q, new, old, _expect(q, anchors, new, old))
    # what was placed with confidence narrows the expected places: try the orphans again
    # (with noise everywhere, e.g. a new OCR run, few anchors were certain at first)
    placed = [
        (anns[i].start, r.annotation.start)
        for i, r in enumerate(results)
        if r is not None and r.placed and r.confidence >= ANCHOR_MIN_CONFIDENCE
    ]
    retry = [(i, q) for i, q in pending if not results[i].placed]  # type: ignore[union-attr]
    if retry and placed:
        anchors = _monotone(anchors + placed)
        for i, q in retry:
            results[i] = _place(q, new, old, _expect(q, anchors, new, old))
    return [r for r in results if r is not None]


# --------------------------------------------------------------------------- the store
def apply_reanchoring(
    store: Store,
    document_sha256: str,
    new_text: str,
    new_text_sha256: str,
    extractor_version: str,
) -> list[Result]:
    """Re-anchor a document's live annotations to ``new_text`` in one transaction.

    Placed annotations get their new offsets, quote and context; orphans keep theirs
    (offsets into the old text, kept for the user to re-attach) and are marked
    ``anchor_status = 'orphan'``; earlier orphans are retried and cleared when placed.
    The document's text, its hash and the extractor version change in the same
    transaction, so a crash leaves either the old state or the new one. ``updated_at``
    moves only for rows whose anchoring changed. Raises ``StoreError`` (nothing written)
    when the document is unknown or the database refuses the write.
    """
    doc = store.document(document_sha256)
    if doc is None:
        raise StoreError(f"Document {document_sha256[:12]}… is not in the database {store.path}.")
    now = now_iso()
    with store._write() as db:  # the store's one-transaction writer (read-only, disk full)
        originals = store.annotations(document_sha256, include_orphans=True)
        results = reanchor(originals, new_text, old_text=doc.text)
        was_orphan = {
            row[0]
            for row in db.execute(
                "SELECT id FROM annotations WHERE document = ? AND deleted = 0 "
                "AND anchor_status = 'orphan'",
                [document_sha256],
            )
        }
        for old, r in zip(originals, results, strict=True):
            a = r.annotation
            if r.status == ORPHAN:
                db.execute(
                    "UPDATE annotations SET anchor_status = 'orphan', anchor_confidence = ?, "
                    "updated_at = ? WHERE id = ?",
                    [r.confidence, a.updated_at if a.id in was_orphan else now, a.id],
                )
            else:
                changed = a is not old or a.id in was_orphan
                db.execute(
                    'UPDATE annotations SET start = ?, "end" = ?, exact = ?, prefix = ?, '
                    "suffix = ?, anchor_status = NULL, anchor_confidence = ?, updated_at = ? "
                    "WHERE id = ?",
                    [
                        a.start,
                        a.end,
                        a.exact,
                        a.prefix,
                        a.suffix,
                        r.confidence,
                        now if changed else a.updated_at,
                        a.id,
                    ],
                )
        db.execute(
            "UPDATE documents SET text = ?, text_sha256 = ?, extractor_version = ?, "
            "updated_at = ? WHERE sha256 = ?",
            [new_text, new_text_sha256, extractor_version, now, document_sha256],
        )
    return results


def orphans(store: Store, document_sha256: str) -> list[Annotation]:
    """The document's live annotations that re-anchoring could not place."""
    ids = {
        row[0]
        for row in store.db.execute(
            "SELECT id FROM annotations WHERE document = ? AND deleted = 0 "
            "AND anchor_status = 'orphan'",
            [document_sha256],
        )
    }
    return [a for a in store.annotations(document_sha256, include_orphans=True) if a.id in ids]
