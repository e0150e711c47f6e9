"""Section titles of the known layouts, and the sections they open.

A title is recognised only when it fills its line (optionally with a trailing colon), so a
sentence mentioning "clinical case summary" is never taken for one.
"""

from __future__ import annotations

import re

from imr_desktop.core.structure.lines import Lines, collapse
from imr_desktop.core.structure.model import Section

# name -> title alternatives; names are stable ids the UI and storage can rely on
TITLES: dict[str, tuple[str, ...]] = {
    "notice": (r"Notice\s+of\s+Independent\s+Medical\s+Review\s+Determination",),
    "professional_review": (r"MEDICAL\s+PROFESSIONAL\s+REVIEW",),
    "determination_method": (
        r"HOW\s+THE\s+IMR\s+FINAL\s+DETERMINATION\s+WAS\s+MADE",
        r"Medical\s+Qualifications\s+of\s+the\s+Expert\s+Reviewer",
    ),
    "issue_at_dispute": (r"ISSUES?\s+AT\s+DISPUTE", r"ISSUE\(S\)\s+AT\s+DISPUTE"),
    "documents_reviewed": (
        r"DOCUMENTS?\s+REVIEWED(?:\s+FOR\s+DETERMINATION)?",
        r"Documents?\s+Reviewed\s+for\s+Determination",
    ),
    "case_summary": (
        r"CLINICAL\s+CASE\s+SUMMARY",
        r"(?:Expert\s+Reviewer\s+)?Case\s+Summary",
        r"SUMMARY\s+OF\s+(?:THE\s+)?CASE",
    ),
    "issues": (
        r"IMR\s+ISSUES,?\s+DECISIONS,?\s+AND\s+RATIONALES",
        r"IMR\s+DECISIONS?\s+AND\s+RATIONALES?",
        r"IMR\s+DECISION\(S\)\s+AND\s+RATIONALE\(S\)",
        r"INDEPENDENT\s+MEDICAL\s+REVIEW\s+DECISIONS?\s+AND\s+RATIONALES?",
    ),
}

_TITLE_RE = re.compile(
    r"^[ \t]*(?:"
    + "|".join(f"(?P<{name}>{'|'.join(alts)})" for name, alts in TITLES.items())
    + r")[ \t]*:?[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)


def find_sections(lines: Lines) -> list[Section]:
    """Sections in document order; each ends where the next title starts.

    A repeated title (a party copy restating the notice) keeps only its first occurrence so
    that ``section(name)`` is unambiguous.
    """
    text = lines.text
    found: list[tuple[str, int, int]] = []
    seen: set[str] = set()
    for m in _TITLE_RE.finditer(text):
        name = m.lastgroup
        if name is None or name in seen:
            continue
        seen.add(name)
        start = m.start(name)
        found.append((name, start, m.end(name)))
    out: list[Section] = []
    for k, (name, start, title_end) in enumerate(found):
        end = found[k + 1][1] if k + 1 < len(found) else len(text)
        out.append(Section(name, collapse(text[start:title_end]), start, end))
    return out


def title_lines(lines: Lines, sections: list[Section]) -> set[int]:
    """Line indexes holding section titles (values never continue onto them)."""
    return {lines.index_at(s.start) for s in sections}
