"""Disputed items of the labelled layouts (2014-2017, and the professional-review variant).

Each item is a bold heading "<item>: Upheld" followed by three labelled paragraphs:
"Claims Administrator guideline:", "MAXIMUS guideline:" and "Decision rationale:". The labels
are reliable anchors; the heading is the paragraph just above the first label, and the
rationale runs until the next item's heading.

Finding where a heading starts is the subtle part: most letters put a blank line between
the previous rationale and the heading, but some text layers have no blank lines at all, a
heading can be split over a page break, the outcome word can sit alone on its own line, and
headings contain colons and full stops (the modified-request pattern is three sentences).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from imr_desktop.core.structure.lines import Lines, make_field, trim
from imr_desktop.core.structure.model import Field, Item

CA, MX, DR = "ca", "mx", "dr"
_LABEL = re.compile(
    r"^[ \t]*(?:"
    r"(?P<ca>Claims\s+Administrator(?:'s)?\s+guidelines?(?:\(s\))?)"
    r"|(?P<mx>MAXIMUS\s+guidelines?(?:\(s\))?)"
    r"|(?P<dr>Decision\s+rationale|Rationale\s+for\s+the\s+Decision|Rationale)"
    r")[ \t]*:",
    re.IGNORECASE | re.MULTILINE,
)
# "... set forth below:" introduces the first item
_INTRO = re.compile(r"set\s+forth\s+below\s*:|in\s+dispute\s*:", re.IGNORECASE)
# "<heading>: Upheld" / "<heading> is: Upheld" / outcome alone on the next line
_OUTCOME_END = re.compile(
    r"(?<!\s)(?:(?:\s+is)?\s*:\s*|\s+[-–—]\s*|\s+)(?P<o>Upheld|Overturned)[ \t]*[.]?\s*\Z",
    re.IGNORECASE,
)
# "<request> is (not) medically necessary [and appropriate]." as a decision heading
_VERDICT_END = re.compile(
    r"(?<!\s)\s+(?:is|are)\s+(?P<not>not\s*)?medically\s+necessary"
    r"(?:\s+and\s+appropriate)?[ \t]*\.?\s*\Z",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"[ \t]*(?:\d{1,2}[.)]|[IVX]{1,4}\.)[ \t]+")
_ORIGINAL = re.compile(r"(?<!\s)\s+was\s+the\s+original\s+request\b", re.IGNORECASE)
# the two wordings of the modified-request pattern (corpus/README.md)
_MODIFIED = re.compile(
    r"(?P<orig>.+?)(?<!\s)\s+was\s+the\s+original\s+request\.\s+"
    r"(?P<auth>.+?)(?<!\s)\s+was\s+authorized\s+by\s+the\s+Claims\s+Administrator\.\s+"
    r"The\s+remaining\s+IMR\s+eligible\s+portion\s+of\s+the\s+original\s+request,?\s+"
    r"(?P<req>.+)",
    re.IGNORECASE | re.DOTALL,
)
_MODIFIED_VARIANT = re.compile(
    r"(?P<orig>.+?)(?<!\s)\s+was\s+the\s+original\s+request\.\s+"
    r"The\s+Claims\s+Administrator\s+authorized\s+(?P<auth>.+?),\s+leaving\s+the\s+original"
    r"\s+request\s+IMR\s+eligible\.\s+The\s+original\s+request,?\s+(?P<req>.+)",
    re.IGNORECASE | re.DOTALL,
)
# the parts of an unfamiliar modified-request wording
_AUTH_BEFORE = re.compile(
    r"original\s+request\.\s+(?P<auth>[^.]{1,400}?)(?<!\s)\s+was\s+(?:authorized|approved|"
    r"certified|modified)\b",
    re.IGNORECASE,
)
_AUTH_AFTER = re.compile(
    r"\b(?:authorized|approved|certified)\s+(?P<auth>[^.]{1,400}?),\s+leaving\b", re.IGNORECASE
)
_REMAINING = re.compile(r"original\s+request,\s*", re.IGNORECASE)
# a sentence of the modified-request pattern other than its first
_MODIFIED_PART = re.compile(
    r"original\s+request|IMR\s+eligible|authorized\s+by\s+the\s+Claims", re.IGNORECASE
)

# what may follow the last rationale in a party copy: copies, signature, typist initials
TRAILER = re.compile(
    r"^[ \t]*(?:cc\s*:|Sincerely,?[ \t]*$|/[a-z]{2,4}[ \t]*$"
    r"|(?:YOUR\s+)?(?:RIGHT\s+TO\s+APPEAL|APPEAL\s+RIGHTS)\b)",
    re.MULTILINE,
)


MAX_HEADING = 3000


@dataclass(slots=True)
class _Label:
    kind: str
    start: int  # label start
    end: int  # after its colon
    line: int


@dataclass(slots=True)
class Heading:
    start: int
    end: int  # end of the heading text, before the outcome
    outcome: Field | None


def parse_items(lines: Lines, start: int, end: int, *, titled: bool) -> list[Item]:
    """Items whose labels lie in ``text[start:end]``.

    ``titled``: ``start`` is the issues section title (headings start below it), else the
    start of the region to search (a cover letter's end, or 0).
    """
    text = lines.text
    labels = [
        _Label(m.lastgroup or "", m.start(m.lastgroup or 0), m.end(), lines.index_at(m.start()))
        for m in _LABEL.finditer(text, start, end)
    ]
    groups = _group(labels)
    if not groups:
        return []
    intro = _INTRO.search(text, start, groups[0][0].start)
    if intro:
        floor = lines.index_at(intro.end()) + 1
    else:  # below the section title, or anywhere in the region when there is none
        floor = lines.index_at(start) + (1 if titled else 0)
    items: list[Item] = []
    headings: list[Heading | None] = []
    for k, group in enumerate(groups):
        lower = floor if k == 0 else groups[k - 1][-1].line + 1
        headings.append(_find_heading(lines, group[0].line, lower, bounded=k > 0 or intro is None))
    for k, group in enumerate(groups):
        head = headings[k]
        if k + 1 < len(groups):
            nxt = headings[k + 1]
            stop = nxt.start if nxt else lines.starts[groups[k + 1][0].line]
        else:
            trailer = TRAILER.search(text, group[-1].end, end)
            stop = trailer.start() if trailer else end
        items.append(_build_item(lines, head, group, stop))
    return items


def _group(labels: list[_Label]) -> list[list[_Label]]:
    """One group per item: a new one at every CA label, or when a label repeats."""
    order = {CA: 0, MX: 1, DR: 2}
    groups: list[list[_Label]] = []
    for lab in labels:
        if not groups or lab.kind == CA or order[lab.kind] <= order[groups[-1][-1].kind]:
            groups.append([lab])
        else:
            groups[-1].append(lab)
    return groups


def _find_heading(lines: Lines, label_line: int, lower: int, *, bounded: bool) -> Heading | None:
    """The heading paragraph just above ``label_line``, not above line ``lower``."""
    text = lines.text
    last = lines.prev_nonblank(label_line - 1, lower)
    if last < 0:
        return None
    first = last
    while first - 1 >= lower and not lines.blank[first - 1]:
        first -= 1
    # no blank line above: the block may hold the end of the previous rationale
    merged = first == lower and bounded
    # a heading is a few lines; in text without blank lines look no further back than this
    while first < last and lines.ends[last] - lines.starts[first] > MAX_HEADING:
        first += 1
        merged = True
    hend = lines.ends[last]
    hstart = max(lines.starts[first], hend - MAX_HEADING)
    m = _OUTCOME_END.search(text, hstart, hend)
    outcome = None
    text_end = hend
    if m:
        outcome = Field(m["o"].capitalize(), m.start("o"), m.end("o"))
        text_end = m.start()
    if merged:
        last_text = lines.index_at(text_end - 1) if text_end > hstart else last
        first = _heading_start(lines, first, last_text, text_end)
        hstart = max(lines.starts[first], hend - MAX_HEADING)
    hstart, text_end = trim(text, hstart, text_end)
    if hstart >= text_end:
        return Heading(hstart, hstart, outcome)
    return Heading(hstart, text_end, outcome)


def _heading_start(lines: Lines, first: int, last: int, text_end: int) -> int:
    """Where a heading starts in a block that also holds the end of the previous rationale.

    Headings start on a new line after a line that ends a sentence. The latest such line
    wins, unless what follows it is the tail of a modified-request heading (its own
    sentences: "... was authorized by the Claims Administrator. The remaining ..."): then
    the heading starts where its "X was the original request." sentence starts.
    """
    text = lines.text
    starts = [i for i in range(last, first, -1) if lines.ends_sentence(i - 1)]
    for i in [*starts, first]:  # latest first; the block's own start is always a candidate
        if not _MODIFIED_PART.search(text, lines.starts[i], text_end):
            return i
        orig = _ORIGINAL.search(text, lines.starts[i], text_end)
        if orig and not any(j in starts for j in range(i + 1, lines.index_at(orig.start()) + 1)):
            return i  # "X was the original request." runs from line i without a sentence end
    return starts[0] if starts else first


def _build_item(lines: Lines, head: Heading | None, group: list[_Label], stop: int) -> Item:
    text = lines.text
    start = head.start if head else group[0].start
    item = Item(start, trim(text, start, stop)[1])
    if head is not None:
        _fill_heading(text, head, item)
    for k, lab in enumerate(group):
        value_end = group[k + 1].start if k + 1 < len(group) else stop
        f = make_field(text, lab.end, value_end)
        if lab.kind == CA:
            item.claims_administrator_guideline = f
        elif lab.kind == MX:
            item.maximus_guideline = f
        else:
            item.rationale = f
    return item


def _fill_heading(text: str, head: Heading, item: Item) -> None:
    """Heading, request (and the modified-request parts) and outcome from the heading."""
    s, e = head.start, head.end
    num = _NUMBER.match(text, s, e)
    if num and num.end() < e:
        s = num.end()
    item.outcome = head.outcome
    if item.outcome is None:
        v = _VERDICT_END.search(text, s, e)
        if v:
            phrase = trim(text, v.start(), v.end())
            word = "Upheld" if v["not"] else "Overturned"
            item.outcome = Field(word, *phrase)
            e = v.start()
            for prefix in ("the request for ", "request for "):
                if text[s : s + len(prefix)].lower() == prefix:
                    s += len(prefix)
                    break
    item.heading = make_field(text, s, e)
    if item.heading is None:
        return
    body = text[s:e]
    orig = _ORIGINAL.search(body)  # cheap test first: the full patterns backtrack
    m = orig and (_MODIFIED.fullmatch(body) or _MODIFIED_VARIANT.fullmatch(body))
    if m:
        item.original_request = make_field(text, s + m.start("orig"), s + m.end("orig"))
        item.authorized = make_field(text, s + m.start("auth"), s + m.end("auth"))
        item.request = make_field(text, s + m.start("req"), s + m.end("req"))
    elif orig:
        _fill_modified_parts(text, s, e, orig.start(), item)
    else:
        item.request = item.heading


def _fill_modified_parts(text: str, s: int, e: int, orig_end: int, item: Item) -> None:
    """A wording close to the two known ones: take each part that is recognisable.

    "X was the original request." gives the original request; "Y was authorized ..." or
    "... authorized Y, leaving ..." what was authorized; what follows the last "original
    request," the remaining request. Parts not found stay empty rather than guessed.
    """
    item.original_request = make_field(text, s, s + orig_end)
    a = _AUTH_BEFORE.search(text, s + orig_end, e) or _AUTH_AFTER.search(text, s + orig_end, e)
    if a:
        item.authorized = make_field(text, *a.span("auth"))
    rest = list(_REMAINING.finditer(text, s + orig_end, e))
    item.request = make_field(text, rest[-1].end(), e) if rest else None
