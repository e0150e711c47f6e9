"""Canonical text -> ``LetterStructure``: the one entry point of the structure parser.

The parser is driven by what it finds, not by a layout switch: labels, section titles and
item patterns of every known layout are looked for in any letter, so a letter mixing
features (a party cover on a 2016 body, a 2014 body without header table) still reads.
Whatever is not found stays empty; nothing is guessed. It never raises on any text.
"""

from __future__ import annotations

import hashlib
import re

from imr_desktop.core.structure import header
from imr_desktop.core.structure.citations import parse_guideline
from imr_desktop.core.structure.cover import FINAL_DETERMINATION, find_cover
from imr_desktop.core.structure.items import parse_items
from imr_desktop.core.structure.lines import Lines
from imr_desktop.core.structure.model import (
    NO_TEXT_WARNING,
    Field,
    Item,
    LetterStructure,
    Section,
)
from imr_desktop.core.structure.numbered import has_numbered_items, parse_numbered
from imr_desktop.core.structure.sections import find_sections, title_lines

# the letter proper after a cover letter starts with its header table or a section title
_HEADER_START = re.compile(r"^[ \t]*(?:IMR\s+)?Case\s+Number[ \t]*:", re.I | re.M)


def extract_structure(text: str) -> LetterStructure:
    """Read the structure of one letter from its canonical text."""
    rec = LetterStructure(
        text_length=len(text),
        text_sha256=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
    )
    if not text.strip():
        rec.warnings.append(NO_TEXT_WARNING)
        return rec
    lines = Lines(text)
    rec.sections = find_sections(lines)
    cover_end = _cover_end(text, rec.sections)
    if cover_end:
        rec.cover = find_cover(lines, cover_end)
        if not any(s.start < cover_end for s in rec.sections):
            rec.sections.insert(0, Section("cover_letter", "", 0, cover_end))

    rec.case_number = header.find_case_number(text)
    for name, f in header.find_dates(text).items():
        setattr(rec, name, f)
    rec.priority = header.find_priority(text)
    rec.licensure, rec.specialties = header.find_credentials(
        lines, title_lines(lines, rec.sections)
    )

    numbered = has_numbered_items(text)
    rec.items = _find_items(lines, rec, cover_end, numbered=numbered)
    for k, item in enumerate(rec.items):
        for role, f in (
            ("claims_administrator", item.claims_administrator_guideline),
            ("maximus", item.maximus_guideline),
        ):
            if f is not None:
                rec.citations.extend(parse_guideline(text, f.start, f.end, role=role, item=k))
    rec.final_outcome = _final_outcome(rec)
    rec.layout = _layout(rec, numbered=numbered)
    if not rec.items:
        rec.warnings.append("no disputed items found")
    return rec


def _cover_end(text: str, sections: list[Section]) -> int:
    """End of a cover letter ("Final Determination: UPHOLD" before the letter), or 0."""
    m = FINAL_DETERMINATION.search(text)
    if m is None:
        return 0
    after = [s.start for s in sections if s.start > m.end() and s.name != "notice"]
    h = _HEADER_START.search(text, m.end())
    if h:
        after.append(h.start())
    return min(after) if after else 0


def _find_items(
    lines: Lines, rec: LetterStructure, cover_end: int, *, numbered: bool
) -> list[Item]:
    text = lines.text
    if numbered:
        # the 2013 notice may list its decisions on the notice page itself
        items = parse_numbered(lines, 0, len(text))
        if items:
            return items
    issues = rec.section("issues")
    if issues is not None:
        items = parse_items(lines, issues.start, issues.end, titled=True)
        if items:
            return items
    return parse_items(lines, cover_end, len(text), titled=False)


def _final_outcome(rec: LetterStructure) -> Field | None:
    printed = rec.cover.get("final_determination")
    outcomes = [it.outcome for it in rec.items]
    if not outcomes or any(o is None for o in outcomes):
        if outcomes:
            rec.warnings.append("an item has no outcome: final outcome left empty")
            return None
        return printed
    found = [o for o in outcomes if o is not None]
    values = {o.value for o in found}
    if values == {"Upheld"}:
        value = "Upheld"
    elif values == {"Overturned"}:
        value = "Overturned"
    else:
        value = "Partially Overturned"
    if printed is not None and printed.value != value:
        rec.warnings.append(f"cover letter says {printed.value}, the items say {value}: items kept")
    # derived from the items: the span runs from the first to the last outcome word
    return Field(value, found[0].start, found[-1].end)


def _layout(rec: LetterStructure, *, numbered: bool) -> str:
    names = {s.name for s in rec.sections}
    if numbered and rec.items:
        return "notice-2013"
    if names & {"professional_review", "issue_at_dispute"}:
        return "professional-review"
    if not rec.items:
        return "unknown"
    # the 2016-17 letters open with a header table; the 2014-15 ones have none
    return "dwc-2016" if rec.date_assigned is not None else "dwc-2014"
