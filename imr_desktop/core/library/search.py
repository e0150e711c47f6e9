"""Full-text search: what people type, turned into an FTS5 query; hits as text offsets.

Syntax (no FTS5 operators leak through, so no input is an SQL error):
- words must all occur, in any order: ``lumbar mri``;
- ``"medically necessary"`` is a phrase; a case number ``CM16-0219557`` is one too;
- ``gaba*`` is a prefix (at least 2 characters before the star);
- ``-opioid`` excludes letters with that word (only beside a positive term).
Matching ignores case and accents (unicode61 tokenizer, diacritics removed).

Hits are found by FTS5's own ``highlight()`` on the stored text, so they are exactly what
matched; offsets are code points into ``documents.text`` (``text[start:end]`` is the hit),
the same offsets annotations use, so the GUI can highlight them when the letter opens.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from imr_desktop.core.library.schema import FTS_TABLE

MIN_PREFIX = 2
# Unicode noncharacters: never in interchange text, so they cannot collide with the letter
_OPEN, _CLOSE = "\ufdd0", "\ufdd1"
_TERM = re.compile(r'(-?)"([^"]*)"?|(-?)(\S+)')
_WORD = re.compile(r"\w", re.UNICODE)

Span = tuple[int, int]


def fts_query(text: str) -> str | None:
    """The FTS5 MATCH expression for a search box's text; None when nothing to search."""
    positive: list[str] = []
    negative: list[str] = []
    for m in _TERM.finditer(text):
        if m.group(2) is not None:
            neg, body, star = m.group(1), m.group(2), False
        else:
            neg, body = m.group(3), m.group(4)
            star = body.endswith("*")
            body = body.rstrip("*")
        if not _WORD.search(body):
            continue  # punctuation alone matches nothing
        term = '"' + body.replace('"', '""') + '"'
        if star and len(body) >= MIN_PREFIX:
            term += "*"
        (negative if neg else positive).append(term)
    if not positive:
        return None
    query = " AND ".join(positive)
    for term in negative:
        query = f"({query}) NOT {term}"
    return query


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


def hits_by_doc(
    conn: sqlite3.Connection, query: str, doc_ids: list[int]
) -> dict[int, tuple[str, list[Span]]]:
    """For each of ``doc_ids`` that matches: its text and the spans of every hit."""
    if not doc_ids:
        return {}
    marks = ",".join("?" * len(doc_ids))
    rows = conn.execute(
        f"SELECT rowid, highlight({FTS_TABLE}, 0, ?, ?) FROM {FTS_TABLE} "
        f"WHERE {FTS_TABLE} MATCH ? AND rowid IN ({marks})",
        [_OPEN, _CLOSE, query, *doc_ids],
    )
    out: dict[int, tuple[str, list[Span]]] = {}
    for doc_id, marked in rows:
        parsed = _parse_marked(marked or "")
        if parsed is not None:
            out[doc_id] = parsed
    return out


def document_hits(conn: sqlite3.Connection, sha256: str, search: str) -> list[Span]:
    """Every hit of a search box's text in one document (for highlighting it on open)."""
    query = fts_query(search)
    if query is None:
        return []
    row = conn.execute("SELECT doc_id FROM catalog WHERE sha256 = ?", [sha256]).fetchone()
    if row is None:
        return []
    found = hits_by_doc(conn, query, [row[0]])
    return found[row[0]][1] if row[0] in found else []


def _parse_marked(marked: str) -> tuple[str, list[Span]] | None:
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


_SPACES = str.maketrans({"\n": " ", "\t": " ", "\r": " ", "\f": " ", "\v": " "})
