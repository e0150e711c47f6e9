"""Disputed items of the 2013 "Notice of Independent Medical Review Determination".

These letters list the decisions as numbered sentences ("1) MAXIMUS Federal Services,
Inc. has determined the request for X is not medically necessary and appropriate.") and
then explain each under a numbered heading ("1) Regarding the request for X:") with the
"Medical Treatment Guideline (MTG) Citation:" sentences of the claims administrator and of
the reviewer, and a "Rationale for the Decision:". "Not medically necessary" means the
UR decision is upheld.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from imr_desktop.core.structure.items import TRAILER
from imr_desktop.core.structure.lines import Lines, make_field, trim
from imr_desktop.core.structure.model import Field, Item

# a request: up to 600 characters that do not cross a blank line
_REQUEST = r"(?P<req>(?:(?!\n[ \t]*\n).){1,600}?)"
_DECISION = re.compile(
    r"^[ \t]*(?P<num>\d{1,2})[.)][ \t]+MAXIMUS\s+Federal\s+Services,?\s+Inc\.?,?\s+has\s+"
    r"determined\s+(?:that\s+)?the\s+request\s+for\s+" + _REQUEST + r"(?<!\s)\s+"
    r"(?P<verdict>(?:is|are|was|were)\s+(?P<not>not\s*)?medically\s+necessary"
    r"(?:\s+and\s+appropriate)?)",
    re.IGNORECASE | re.MULTILINE | re.DOTALL,
)
_DETAIL = re.compile(
    r"^[ \t]*(?P<num>\d{1,2})[.)][ \t]+Regarding\s+the\s+request\s+for\s+"
    + _REQUEST
    + r"(?<![ \t])[ \t]*:[ \t]*$",
    re.IGNORECASE | re.MULTILINE | re.DOTALL,
)
_CA = re.compile(r"The\s+Claims\s+Administrator\s+(?:based|relied|did\s+not\s+cite)", re.IGNORECASE)
_MX = re.compile(
    r"The\s+(?:Expert|Physician|Professional)\s+Reviewer\s+(?:based|relied|did\s+not\s+cite)",
    re.IGNORECASE,
)
_RATIONALE = re.compile(
    r"^[ \t]*Rationale(?:\s+for\s+the\s+Decision)?[ \t]*:", re.IGNORECASE | re.MULTILINE
)
_VERDICT = re.compile(
    r"(?:is|are|was|were)\s+(?P<not>not\s*)?medically\s+necessary(?:\s+and\s+appropriate)?",
    re.IGNORECASE,
)


@dataclass(slots=True)
class _Decision:
    request: Field | None
    outcome: Field


def has_numbered_items(text: str) -> bool:
    return bool(_DETAIL.search(text) or _DECISION.search(text))


def _outcome(m: re.Match[str], group: str | int = "verdict") -> Field:
    return Field("Upheld" if m["not"] else "Overturned", m.start(group), m.end(group))


def parse_numbered(lines: Lines, start: int, end: int) -> list[Item]:
    text = lines.text
    decisions: dict[int, _Decision] = {}
    for m in _DECISION.finditer(text, start, end):
        num = int(m["num"])
        if num not in decisions:  # the list is printed twice: keep the first
            decisions[num] = _Decision(make_field(text, *m.span("req")), _outcome(m))
    details = list(_DETAIL.finditer(text, start, end))
    if not details:
        return [
            Item(
                d.outcome.start if d.request is None else d.request.start,
                d.outcome.end,
                heading=d.request,
                request=d.request,
                outcome=d.outcome,
            )
            for _, d in sorted(decisions.items())
        ]
    items: list[Item] = []
    for k, m in enumerate(details):
        block_end = details[k + 1].start() if k + 1 < len(details) else end
        if k + 1 == len(details):
            trailer = TRAILER.search(text, m.end(), block_end)
            if trailer:
                block_end = trailer.start()
        item = Item(*trim(text, m.start(), block_end))
        item.heading = make_field(text, *m.span("req"))
        item.request = item.heading
        body = m.end()
        rat = _RATIONALE.search(text, body, block_end)
        guide_end = rat.start() if rat else block_end
        ca = _CA.search(text, body, guide_end)
        mx = _MX.search(text, body, guide_end)
        if ca:
            ca_end = mx.start() if mx and mx.start() > ca.start() else guide_end
            item.claims_administrator_guideline = make_field(text, ca.start(), ca_end)
        if mx:
            mx_end = ca.start() if ca and ca.start() > mx.start() else guide_end
            item.maximus_guideline = make_field(text, mx.start(), mx_end)
        if rat:
            item.rationale = make_field(text, rat.end(), block_end)
        decision = decisions.get(int(m["num"]))
        if decision is not None:
            item.outcome = decision.outcome
        elif item.rationale is not None:
            verdicts = list(_VERDICT.finditer(text, item.rationale.start, item.rationale.end))
            if verdicts:  # the rationale's last verdict sentence decides
                item.outcome = _outcome(verdicts[-1], 0)
        items.append(item)
    return items
