"""Full-text search: what people type, turned into an FTS5 query; hits as text offsets.

Syntax (no FTS5 operator leaks through, so no input is an SQL error):
- words must all occur, in any order: ``lumbar mri``;
- ``"medically necessary"`` is a phrase; a case number ``CM16-0219557`` is one too;
- ``gaba*`` is a prefix (at least 2 characters before the star);
- ``-opioid`` excludes letters with that word.
Matching ignores case and accents (unicode61 tokenizer, diacritics removed).

FTS5 decides which letters match. Where in a letter the hits are (for snippets, and to
highlight them when the letter opens) is found here, in Python, the way the tokenizer
matches: whole tokens, case and accents folded, phrase tokens separated by anything that
is not a token character. FTS5's ``highlight()`` gives the same spans but costs about
0.7 ms per letter, and 8 ms for a short prefix such as ``me*`` (400 ms for a page of
50); this costs about 0.15 ms for a 8 kB letter. Should the two ever disagree on a letter
(a token rule this emulation lacks), that letter's hits come from ``highlight()``.
Offsets are code points into ``documents.text`` (``text[start:end]`` is the hit), as
annotations use.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from functools import cached_property

from imr_desktop.core.library.schema import FTS_PREFIXES, FTS_TABLE

MIN_PREFIX = 2
# Unicode noncharacters: never in interchange text, so they cannot collide with the letter
_OPEN, _CLOSE = "\ufdd0", "\ufdd1"
_INPUT = re.compile(r'(-?)"([^"]*)"?|(-?)(\S+)')
_TOKEN = re.compile(r"[^\W_]+")
_SEPARATORS = r"[\W_]+"

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Term:
    """One word or phrase of a search, as folded tokens."""

    tokens: tuple[str, ...]
    prefix: bool = False
    negative: bool = False

    def fts(self) -> str:
        body = " ".join(self.tokens).replace('"', '""')
        return f'"{body}"' + ("*" if self.prefix else "")


@dataclass(frozen=True)
class Search:
    """A parsed search box text."""

    terms: tuple[Term, ...]

    @classmethod
    def parse(cls, text: str) -> Search:
        terms: list[Term] = []
        for m in _INPUT.finditer(text):
            if m.group(2) is not None:
                negative, body, star = bool(m.group(1)), m.group(2), False
            else:
                negative, body = bool(m.group(3)), m.group(4)
                star = body.endswith("*")
            tokens = tuple(_TOKEN.findall(fold(body)))
            if not tokens:
                continue  # punctuation alone matches nothing
            prefix = star and len(tokens[-1]) >= MIN_PREFIX
            terms.append(Term(tokens, prefix, negative))
        return cls(tuple(terms))

    @property
    def has_prefix(self) -> bool:
        return any(t.prefix for t in self.terms)

    @property
    def has_unindexed_prefix(self) -> bool:
        """A prefix the full-text index has no prefix index for: FTS5 then merges the
        position lists of every term starting with it, on every evaluation."""
        return any(t.prefix and len(t.tokens[-1]) not in FTS_PREFIXES for t in self.terms)

    @property
    def positive(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if not t.negative)

    def fts_query(self) -> str | None:
        """The FTS5 MATCH expression; None when there is nothing to look for."""
        if not self.positive:
            return None
        query = " AND ".join(t.fts() for t in self.positive)
        for term in self.terms:
            if term.negative:
                query = f"({query}) NOT {term.fts()}"
        return query

    def excluded(self) -> str | None:
        """For a search of "-word" terms only: the FTS5 query of the excluded words."""
        if self.positive:
            return None
        negative = [t.fts() for t in self.terms if t.negative]
        return " OR ".join(negative) if negative else None

    @cached_property
    def _patterns(self) -> list[tuple[re.Pattern[str], bool]]:
        out = []
        for term in self.positive:
            body = _SEPARATORS.join(re.escape(tok) for tok in term.tokens)
            out.append((re.compile(body + (r"[^\W_]*" if term.prefix else "")), term.prefix))
        return out

    def hits(self, text: str) -> list[Span]:
        """Where the positive terms occur in ``text``: sorted, overlaps merged."""
        folded = fold(text)
        n = len(folded)
        spans: list[Span] = []
        for pattern, prefix in self._patterns:
            for m in pattern.finditer(folded):
                s, e = m.span()
                if s > 0 and folded[s - 1].isalnum():
                    continue  # inside a longer token
                if not prefix and e < n and folded[e].isalnum():
                    continue
                spans.append((s, e))
        spans.sort()
        merged: list[Span] = []
        for s, e in spans:
            if merged and s <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
            else:
                merged.append((s, e))
        return merged


def fts_query(text: str) -> str | None:
    """The FTS5 MATCH expression for a search box's text; None when nothing to search."""
    return Search.parse(text).fts_query()


def fold(text: str) -> str:
    """Lower case, accents removed, one code point for one (offsets are kept)."""
    if text.isascii():
        return text.lower()
    low = text.lower()
    if len(low) != len(text):
        # a letter whose lower case is longer ("İ"): fold character by character
        return "".join(_fold_char(ch) for ch in text)
    # str.lower() never shortens, so equal lengths mean one for one; only the (few)
    # non-ASCII runs need their accents removed
    return _NON_ASCII.sub(_fold_run, low)


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _fold_run(m: re.Match[str]) -> str:
    return "".join(_fold_char(ch) for ch in m.group())


@functools.lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    low = ch.lower()
    if len(low) != 1:
        low = ch  # e.g. "İ" lowers to two code points: fold its base letter below instead
    base = unicodedata.normalize("NFD", low)
    if len(base) > 1 and all(unicodedata.combining(c) for c in base[1:]):
        low = base[0].lower() if len(base[0].lower()) == 1 else base[0]
    return low


# ----------------------------------------------------------------------------- snippets
@dataclass(frozen=True, slots=True)
class Snippet:
    """A passage around the first hit: ``text`` is ``document[start:end]`` with line
    breaks and tabs shown as spaces (one for one, so offsets still hold)."""

    start: int
    end: int
    text: str
    hits: tuple[Span, ...]  # offsets into the document, inside [start, end)
    more_before: bool
    more_after: bool

    def local_hits(self) -> list[Span]:
        """The hits as offsets into ``self.text``."""
        return [(s - self.start, e - self.start) for s, e in self.hits]


_SPACES = str.maketrans({"\n": " ", "\t": " ", "\r": " ", "\f": " ", "\v": " "})


def make_snippet(text: str, spans: list[Span], width: int = 160) -> Snippet | None:
    """About ``width`` characters around the first hit, cut at spaces."""
    if not spans:
        return None
    first_start, first_end = spans[0]
    start = max(0, first_start - width // 3)
    if start > 0:
        space = text.find(" ", start, first_start)
        start = space + 1 if space >= 0 else start
    end = min(len(text), max(first_end, start + width))
    if end < len(text):
        space = text.rfind(" ", first_end, end)
        end = space if space > 0 else end
    shown = text[start:end].translate(_SPACES)
    inside = tuple((s, e) for s, e in spans if s >= start and e <= end)
    return Snippet(start, end, shown, inside, start > 0, end < len(text))


# ----------------------------------------------------------------------------- lookups
def hits_by_doc(
    conn: sqlite3.Connection, search: Search, doc_ids: list[int]
) -> dict[int, tuple[str, list[Span]]]:
    """For each of ``doc_ids``: its text and the spans of every hit of ``search``."""
    if not doc_ids:
        return {}
    marks = ",".join("?" * len(doc_ids))
    rows = conn.execute(
        f"SELECT c.doc_id, d.text FROM catalog c JOIN documents d ON d.sha256 = c.sha256 "
        f"WHERE c.doc_id IN ({marks}) AND d.text IS NOT NULL",
        doc_ids,
    ).fetchall()
    out = {doc_id: (text, search.hits(text)) for doc_id, text in rows}
    missed = [doc_id for doc_id, (_text, spans) in out.items() if not spans]
    query = search.fts_query()
    if missed and query:
        out.update(_highlighted(conn, query, missed))
    return out


def document_hits(conn: sqlite3.Connection, sha256: str, text: str) -> list[Span]:
    """Every hit of a search box's ``text`` in one document (to highlight it on open)."""
    search = Search.parse(text)
    if search.fts_query() is None:
        return []
    row = conn.execute("SELECT doc_id FROM catalog WHERE sha256 = ?", [sha256]).fetchone()
    if row is None:
        return []
    found = hits_by_doc(conn, search, [row[0]])
    return found[row[0]][1] if row[0] in found else []


def _highlighted(
    conn: sqlite3.Connection, query: str, doc_ids: list[int]
) -> dict[int, tuple[str, list[Span]]]:
    """Hits as FTS5 itself marks them (the slow, exact way)."""
    marks = ",".join("?" * len(doc_ids))
    rows = conn.execute(
        f"SELECT rowid, highlight({FTS_TABLE}, 0, ?, ?) FROM {FTS_TABLE} "
        f"WHERE {FTS_TABLE} MATCH ? AND rowid IN ({marks})",
        [_OPEN, _CLOSE, query, *doc_ids],
    )
    out: dict[int, tuple[str, list[Span]]] = {}
    for doc_id, marked in rows:
        parsed = parse_marked(marked or "")
        if parsed is not None:
            out[doc_id] = parsed
    return out


def parse_marked(marked: str) -> tuple[str, list[Span]] | None:
    """Strip the markers ``highlight()`` put in; None if they do not pair up."""
    parts: list[str] = []
    spans: list[Span] = []
    pos = 0  # offset in the unmarked text
    start = -1
    i = 0
    for m in re.finditer(f"[{_OPEN}{_CLOSE}]", marked):
        chunk = marked[i : m.start()]
        parts.append(chunk)
        pos += len(chunk)
        i = m.end()
        if m.group() == _OPEN:
            if start >= 0:
                return None
            start = pos
        else:
            if start < 0:
                return None
            spans.append((start, pos))
            start = -1
    if start >= 0:
        return None
    parts.append(marked[i:])
    return "".join(parts), spans


def fts_hits(conn: sqlite3.Connection, text: str, doc_id: int) -> list[Span]:
    """Hits by ``highlight()`` alone (tests compare the Python emulation against it)."""
    query = fts_query(text)
    if query is None:
        return []
    found = _highlighted(conn, query, [doc_id])
    return found[doc_id][1] if doc_id in found else []
