"""The cover letter of the party version (and the 2013 notice page).

The copy mailed to the parties opens with a letter naming the employee, claim number,
employer, claims administrator and requesting provider, and stating "Final Determination:
UPHOLD" (or OVERTURN), followed by appeal rights. Public copies are redacted, so any of
these may be missing; a missing value stays missing.
"""

from __future__ import annotations

import re

from imr_desktop.core.structure.lines import Lines, ignorecase_words, make_field
from imr_desktop.core.structure.model import Field

_LABELS: dict[str, str] = {
    "employee": r"(?:Employee|Injured\s+Worker|Applicant)(?:'s)?(?:\s+Name)?",
    "claim_number": r"Claims?\s+(?:Number|No\.?|#)",
    "employer": r"Employer(?:\s+Name)?",
    "claims_administrator": r"Claims\s+Administrator|Insurer",
    "requesting_provider": r"(?:Requesting|Treating)\s+(?:Provider|Physician)(?:\s+Name)?"
    r"|Provider\s+Name",
}
_LABEL_RES = {
    name: re.compile(rf"^(?:.*?\s)??(?P<label>{pat})[ \t]*:[ \t]*", re.I | re.M)
    for name, pat in _LABELS.items()
}
# another "Label:" later on the same line ends a value (two pairs per line in 2013)
_NEXT_LABEL = re.compile(r"(?<!\s)(?:\s{2,}|\t)[A-Z][A-Za-z'()/#. ]{1,40}:")
_LABEL_LINE = re.compile(r"[ \t]*[A-Z][A-Za-z'()/#. ]{1,40}:")
FINAL_DETERMINATION = ignorecase_words(
    (r"Final\s+Determination",),
    r"\s*:\s*(?P<v>(?:PARTIALLY\s+)?(?:UPHOLD|UPHELD|OVERTURN(?:ED)?)(?:\s+IN\s+PART)?)\b",
)


def final_from_cover(printed: str) -> str:
    s = printed.upper()
    if "PART" in s:
        return "Partially Overturned"
    return "Overturned" if "OVERTURN" in s else "Upheld"


def _value(lines: Lines, m: re.Match[str], end_limit: int) -> Field | None:
    text = lines.text
    i = lines.index_at(m.end())
    line_end = lines.ends[i]
    nxt = _NEXT_LABEL.search(text, m.end(), min(line_end, m.end() + 300))
    f = make_field(text, m.end(), nxt.start() if nxt else line_end)
    if f is not None or nxt is not None:
        return f
    # the value on the next line (table layout), unless that line is another label
    j = i + 1
    if (
        j < lines.count
        and not lines.blank[j]
        and lines.starts[j] < end_limit
        and not _LABEL_LINE.match(text, lines.starts[j], lines.ends[j])
    ):
        return make_field(text, lines.starts[j], lines.ends[j])
    return None


def find_cover(lines: Lines, end: int) -> dict[str, Field]:
    """Cover-letter fields found in ``text[:end]``."""
    text = lines.text
    out: dict[str, Field] = {}
    for name, rx in _LABEL_RES.items():
        m = rx.search(text, 0, end)
        if m is None:
            continue
        f = _value(lines, m, end)
        if f is not None:
            out[name] = f
    m = FINAL_DETERMINATION.search(text, 0, end)
    if m:
        out["final_determination"] = Field(final_from_cover(m["v"]), m.start("v"), m.end("v"))
    return out
