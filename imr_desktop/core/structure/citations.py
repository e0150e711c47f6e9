"""Guideline citations: what a decision was based on, as source/document/year/sections.

The guideline fields are made of fixed sentences:

- "Decision based on MTUS <Document> <year>[, Section(s): <list>][, and <Document> ...]."
  (older letters: "MTUS ACOEM Page(s): 58-59,Chronic Pain ...")
- "Decision based on Non-MTUS Citation <guideline>[ and Other Medical Treatment
  Guidelines <other>]." where <guideline> is usually the Official Disability Guidelines.
- "The Claims Administrator did not cite any medical evidence for its decision."
- 2013: "The Claims Administrator based its decision on the <Document> (<year>), page(s)
  N, which is part of the MTUS."

Sources: "MTUS", "ACOEM" (non-MTUS ACOEM editions), "ODG", "Non-MTUS" (anything else
outside the MTUS) and "none" (the fixed "did not cite" sentence). ``sections`` splits the
printed list at commas outside parentheses (numbered Opioid sections at their numbers);
names that themselves hold commas ("NSAIDs, GI symptoms & cardiovascular risk") split too.
"""

from __future__ import annotations

import re

from imr_desktop.core.structure.lines import collapse, ignorecase_words, trim
from imr_desktop.core.structure.model import Citation

_WHO = r"Claims\s+Administrator|(?:Expert|Physician|Professional)\s+Reviewer|Reviewer|MAXIMUS"
# "(?:The\s+)?(?:<who>)\s+did not cite ...", spelled out by first letter (ignorecase_words)
_NONE = ignorecase_words(
    (
        rf"The\s+(?:{_WHO})",
        r"Claims\s+Administrator",
        r"Expert\s+Reviewer",
        r"Physician\s+Reviewer",
        r"Professional\s+Reviewer",
        r"Reviewer",
        r"MAXIMUS",
    ),
    r"\s+did\s+not\s+cite\s+any\s+(?:medical\s+)?evidence[^.]*\.?",
)
_DECISION_BASED = re.compile(r"Decision\s+based\s+on\s+", re.I)
_MTUS_HEAD = re.compile(r"(?:the\s+)?(?:CA\s+|California\s+)?MTUS\b[\s,:]*", re.I)
_NON_MTUS_HEAD = re.compile(r"Non-?\s*MTUS\s+Citations?\s*:?\s*", re.I)
# 2013: "The Claims Administrator based its decision on the ..." (not the "outside of the
# MTUS" notice that introduces a Non-MTUS sentence)
_BASED_ITS = re.compile(
    r"(?:The\s+)?(?:Claims\s+Administrator|Reviewer|MAXIMUS)\s+(?:based|relied)\s+"
    r"(?:its|his/her|his|her|their)\s+(?:decision|determination)\s+on\s+",
    re.I,
)
_OUTSIDE_MTUS = re.compile(r"recommendation\(?s?\)?\s+outside\s+of\s+the\s+MTUS", re.I)
# "... outside of the MTUS Guidelines." ends where the next fixed sentence begins
_OUTSIDE_SENTENCE = re.compile(r"\.\s+The\s+(?:Claims|Expert|Physician|Professional)", re.I)

_YEAR = re.compile(r"(?<![\d/.-])(?:19|20)\d{2}(?![\d/])")
# Patterns start at a keyword or at the first character of a whitespace run ((?<!\s)):
# a pattern starting with \s+ would rescan long whitespace runs quadratically.
_SECTIONS = re.compile(r"(?<![A-Za-z])Sections?(?:\(s\))?\s*:\s*", re.I)
_PAGES = re.compile(
    r"(?<![A-Za-z])(?:Page\(s\)\s*:|pages?|pgs?\.?|pp\.?|p\.)\s*"
    r"(?P<p>\d+(?:\s*[-–]\s*\d+)?(?:\s*,\s*\d+(?:\s*[-–]\s*\d+)?)*)",
    re.I,
)
_OTHER_MTG = re.compile(r"(?<!\s)\s+and\s+Other\s+Medical\s+Treatment\s+Guidelines?\s*", re.I)
_ODG_NAME = re.compile(
    r"^(?:the\s+)?(?:Official\s+Disability\s+Guidelines?(?:\s*\(ODG\))?|ODG)[\s,:;\-–]*", re.I
)
_ACOEM_NAME = re.compile(
    r"^(?:the\s+)?(?:American\s+College\s+of\s+Occupational\s+and\s+Environmental\s+"
    r"Medicine(?:\s*\(ACOEM\))?|ACOEM)[\s,:;\-–]*",
    re.I,
)
_IS_ODG = re.compile(r"Official\s+Disability\s+Guidelines|\bODG\b", re.I)
_IS_ACOEM = re.compile(r"\bACOEM\b|American\s+College\s+of\s+Occupational", re.I)
_IS_MTUS = re.compile(r"\bMTUS\b|Medical\s+Treatment\s+Utilization\s+Schedule", re.I)
# a second guideline inside one Non-MTUS sentence
_NON_MTUS_SPLIT = re.compile(
    r";\s*(?=(?:ODG|Official\s+Disability|ACOEM)\b)|(?<!\s)\s+and\s+(?:the\s+)?"
    r"(?=(?:Official\s+Disability\s+Guidelines|ODG\b|ACOEM\b))",
    re.I,
)
# next MTUS document after ", and " (only once the current one has its year or list)
_AND_NEXT = re.compile(r",\s*and\s+(?=[A-Z])")
_COMMA_NEXT = re.compile(r"\s*,\s*(?=[A-Z])")
_NUMBERED_SECTION = re.compile(r",\s*(?=\d+(?:\.\d+)*\.?\s+[A-Z])")
# chapter names printed with commas of their own
_COMMA_NAMES = re.compile(
    r"Forearm,\s*Wrist,?\s*(?:and|&)\s*Hand|Low\s+Back\s*[-–,]\s*Lumbar\s*(?:and|&)\s*Thoracic",
    re.I,
)
_GUIDELINES_WORD = re.compile(r"\bGuidelines\b")
_LEADING_THE = re.compile(r"^\s*the\s+", re.I)
_CHAPTER_PREFIX = re.compile(r"^\s*Chapter\s*:\s*", re.I)
_TRAILING_MTUS_NOTE = re.compile(
    r"(?<!\s),?\s*(?:which\s+(?:is|are)\s+)?part\s+of\s+the\s+(?:California\s+)?"
    r"(?:MTUS|Medical\s+Treatment\s+Utilization\s+Schedule)(?:\s*\(MTUS\))?\.?\s*$",
    re.I,
)


# a guideline field is a few sentences; beyond this it is not one (garbage input)
MAX_FIELD = 10_000


def parse_guideline(
    text: str, start: int, end: int, *, role: str = "", item: int | None = None
) -> list[Citation]:
    """Every citation in the guideline text ``text[start:end]``, in order."""
    end = min(end, start + MAX_FIELD)
    out: list[Citation] = []
    nones = [m.span() for m in _NONE.finditer(text, start, end)]
    for s, e in nones:
        out.append(_cite(text, "none", None, None, (), (), s, e, role, item))
    # each "Decision based on" sentence runs to the next one (periods occur inside them:
    # "3rd ed.", "pg. 607"), or to a following fixed sentence
    heads = [m.span() for m in _DECISION_BASED.finditer(text, start, end)]
    heads += [m.span() for m in _BASED_ITS.finditer(text, start, end)]
    heads += nones
    heads.sort()
    for k, (hs, he) in enumerate(heads):
        limit = heads[k + 1][0] if k + 1 < len(heads) else end
        if _NONE.match(text, hs, he) or _OUTSIDE_MTUS.match(text, he, limit):
            continue
        e = _OUTSIDE_SENTENCE.search(text, he, limit)
        out.extend(_parse_basis(text, he, e.start() + 1 if e else limit, role, item))
    out.sort(key=lambda c: c.start)
    return out


def _parse_basis(text: str, s: int, e: int, role: str, item: int | None) -> list[Citation]:
    m = _NON_MTUS_HEAD.match(text, s, e)
    if m:
        return _parse_non_mtus(text, m.end(), e, role, item)
    m = _MTUS_HEAD.match(text, s, e)
    if m:
        return _parse_mtus(text, m.end(), e, role, item)
    # 2013 wording: the document first, its MTUS membership stated after it
    body = text[s:e]
    if _IS_MTUS.search(body) and not _IS_ODG.search(body):
        return _parse_mtus(text, s, e, role, item)
    return _parse_non_mtus(text, s, e, role, item)


# ---------------------------------------------------------------------------- MTUS
def _parse_mtus(text: str, s: int, e: int, role: str, item: int | None) -> list[Citation]:
    s, e = trim(text, s, e)
    e = _strip_period(text, s, e)
    note = _TRAILING_MTUS_NOTE.search(text, s, e)
    if note and note.start() > s:
        e = note.start()
    out: list[Citation] = []
    for ds, de in _mtus_documents(text, s, e):
        c = _document(text, ds, de, "MTUS", role, item)
        if c is not None:
            out.append(c)
    return out


def _mtus_documents(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """Split "A 2004, Section(s): x, and B 2016" into documents.

    ", and " starts a new document only once the current one has its year, section list or
    pages, so "Forearm, Wrist, and Hand Complaints 2004" stays one document.
    """
    cuts: list[tuple[int, int]] = []
    cur = last = s
    complete = False  # the current document has its year, section list or pages
    for m in _AND_NEXT.finditer(text, s, e):
        complete = complete or any(
            rx.search(text, last, m.start()) for rx in (_YEAR, _SECTIONS, _PAGES)
        )
        last = m.end()
        if complete:
            cuts.append((cur, m.start()))
            cur = m.end()
            complete = False
    cuts.append((cur, e))
    # older letters: "ACOEM Page(s): 58-59,Chronic Pain ..." - a page list ends a document
    out: list[tuple[int, int]] = []
    for a, b in cuts:
        pos = a
        for p in _PAGES.finditer(text, a, b):
            after = _COMMA_NEXT.match(text, p.end(), b)
            if after:
                out.append((pos, p.end()))
                pos = after.end()
        out.append((pos, b))
    return [(a, b) for a, b in out if a < b]


# ---------------------------------------------------------------------------- Non-MTUS
def _parse_non_mtus(text: str, s: int, e: int, role: str, item: int | None) -> list[Citation]:
    s, e = trim(text, s, e)
    e = _strip_period(text, s, e)
    parts: list[tuple[int, int, bool]] = []  # (start, end, is "Other Medical Treatment ...")
    pos = s
    for m in _OTHER_MTG.finditer(text, s, e):
        parts.append((pos, m.start(), False))
        pos = m.end()
        parts.append((pos, e, True))
        break
    else:
        parts.append((s, e, False))
    if len(parts) == 2:
        parts[1] = (pos, e, True)
    out: list[Citation] = []
    for a, b, other in parts:
        pieces = [(a, b)] if other else _split_non_mtus(text, a, b)
        for pa, pb in pieces:
            body = text[pa:pb]
            if other:
                source = "Non-MTUS"
            elif _IS_ODG.search(body):
                source = "ODG"
            elif _IS_ACOEM.search(body):
                source = "ACOEM"
            else:
                source = "Non-MTUS"
            c = _document(text, pa, pb, source, role, item)
            if c is not None:
                out.append(c)
    return out


def _split_non_mtus(text: str, s: int, e: int) -> list[tuple[int, int]]:
    out = []
    pos = s
    for m in _NON_MTUS_SPLIT.finditer(text, s, e):
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, e))
    return out


# ---------------------------------------------------------------------------- one document
def _document(
    text: str, s: int, e: int, source: str, role: str, item: int | None
) -> Citation | None:
    s, e = trim(text, s, e)
    e = _strip_period(text, s, e)
    while e > s and text[e - 1] in ",;:":
        e -= 1
    if s >= e:
        return None
    body = text[s:e]
    sections: list[str] = []
    m = _SECTIONS.search(body)
    name = body
    if m:
        name = body[: m.start()].rstrip(" ,\t\n")
        sections = _split_sections(body[m.end() :])
    pages: list[str] = []
    kept, pos = [], 0
    for p in _PAGES.finditer(name):
        kept.append(name[pos : p.start()].rstrip(" ,\t\n"))
        pos = p.end()
        for part in p["p"].split(","):
            page = "".join(part.split()).replace("–", "-")
            if page and page not in pages:
                pages.append(page)
    name = " ".join([*kept, name[pos:]])
    year = None
    y = _YEAR.search(name)
    if y:
        year = int(y.group())
        # "Low Back Complaints 2004" / "Guidelines (2009), Aquatic therapy": the year ends
        # the document's name; ODG prints it anywhere ("(ODG), 2016, Neck and Upper Back")
        before, after = name[: y.start()].rstrip(" (,"), name[y.end() :].lstrip(" ),")
        if source == "ODG":
            name = f"{before} {after}".strip()
        else:
            name = before
            if after and not sections:
                sections = _split_sections(after)
    if source == "MTUS" and not sections:
        # older letters: "Chronic Pain Medical Treatment Guidelines NSAIDs Page(s): 67-68"
        g = _GUIDELINES_WORD.search(name)
        if g and name[g.end() :].strip(" ,:"):
            sections = _split_sections(name[g.end() :].strip(" ,:"))
            name = name[: g.end()]
    name = _LEADING_THE.sub("", name)
    if source == "ODG":
        name = _ODG_NAME.sub("", name.strip())
        if not sections:
            name, sections = _chapter_and_topics(name)
    elif source == "ACOEM":
        name = _ACOEM_NAME.sub("", name.strip())
    document = collapse(name).strip(" ,;:-–") or None
    return _cite(text, source, document, year, tuple(sections), tuple(pages), s, e, role, item)


def _chapter_and_topics(name: str) -> tuple[str, list[str]]:
    """Chapter and topics: "Low Back Chapter, Physical Therapy" -> ("Low Back Chapter", [...])."""
    name = _CHAPTER_PREFIX.sub("", name)
    cuts = _top_level_cuts(name, ",:;")
    if not cuts:
        return name, []
    return name[: cuts[0]], _split_sections(name[cuts[0] + 1 :])


def _split_sections(s: str) -> list[str]:
    s = collapse(s).strip(" .")
    if not s:
        return []
    if re.match(r"\d+(?:\.\d+)*\.?\s+[A-Z]", s):
        parts = _NUMBERED_SECTION.split(s)
    else:
        parts, pos = [], 0
        for cut in _top_level_cuts(s, ",;"):
            parts.append(s[pos:cut])
            pos = cut + 1
        parts.append(s[pos:])
    return [p.strip(" .") for p in parts if p.strip(" .")]


def _top_level_cuts(s: str, seps: str) -> list[int]:
    """Positions of separators outside parentheses and outside names that hold commas."""
    protected = [m.span() for m in _COMMA_NAMES.finditer(s)]
    cuts, depth = [], 0
    for i, ch in enumerate(s):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif depth == 0 and ch in seps and not any(a <= i < b for a, b in protected):
            cuts.append(i)
    return cuts


def _strip_period(text: str, s: int, e: int) -> int:
    while e > s and (text[e - 1].isspace() or text[e - 1] == "."):
        e -= 1
    return e


def _cite(
    text: str,
    source: str,
    document: str | None,
    year: int | None,
    sections: tuple[str, ...],
    pages: tuple[str, ...],
    s: int,
    e: int,
    role: str,
    item: int | None,
) -> Citation:
    s, e = trim(text, s, e)
    return Citation(source, document, year, sections, pages, collapse(text[s:e]), s, e, item, role)
