"""Pre-annotations made from a letter's structure.

Suggestions are ordinary annotation rows with origin "suggested": they are drawn apart,
never exported as human labels unless accepted, and a rejected one stays as a tombstone
so it is not suggested again.

What is suggested (each only if its label exists in the schema, found by name):
- **Decision**: each item's heading through its outcome word ("Facet joint injections
  L4-5, L5-S1: Upheld");
- **Guideline citation**: each item's Claims Administrator and MAXIMUS guideline texts;
- **Summary fact**: sentences of the clinical case summary that state the injury date,
  a diagnosis, or the utilization review action.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from imr_desktop.core.labels import LabelSet
from imr_desktop.core.model import ORIGIN_SUGGESTED, Annotation
from imr_desktop.core.structure.model import LetterStructure
from imr_desktop.core.textlayer import snap_to_words

SUMMARY_FACT = "Summary fact"
DECISION = "Decision"
GUIDELINE = "Guideline citation"

# Sentence cues for the key facts of a clinical summary.
_FACT_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "injury date",
        re.compile(
            r"\b(date of injury|injur(?:y|ed)\b[^.]{0,80}?\b(?:on|of)\b"
            r"[^.]{0,20}?\d{4})",
            re.IGNORECASE,
        ),
    ),
    ("diagnoses", re.compile(r"\bdiagnos(?:is|es|ed)\b", re.IGNORECASE)),
    (
        "UR action",
        re.compile(
            r"\b(utilization review|UR\b|claims administrator "
            r"(?:denied|failed|modified|partially))",
            re.IGNORECASE,
        ),
    ),
)
# A sentence ends at ". " followed by a capital or a digit, or at a blank line; "Dr." and
# decimal points are not ends.
_SENTENCE_END = re.compile(r"(?<!\bDr)(?<!\bMr)(?<!\bMs)(?<!\bvs)\.(?=\s+[A-Z0-9(\"])|\n\s*\n")
MAX_FACT_SENTENCES = 8


@dataclass(frozen=True, slots=True)
class Suggestion:
    start: int
    end: int
    label: str  # label name
    note: str


def sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans in text[start:end], trimmed of whitespace."""
    out = []
    pos = start
    for m in _SENTENCE_END.finditer(text, start, end):
        stop = m.start() + 1 if text[m.start()] == "." else m.start()
        span = snap_to_words(text, pos, stop)
        if span:
            out.append(span)
        pos = m.end()
    span = snap_to_words(text, pos, end)
    if span:
        out.append(span)
    return out


def suggest(structure: LetterStructure, text: str) -> list[Suggestion]:
    found: list[Suggestion] = []
    for number, item in enumerate(structure.items, 1):
        if item.heading is not None:
            end = item.outcome.end if item.outcome is not None else item.heading.end
            outcome = item.outcome.value if item.outcome else "no outcome found"
            found.append(Suggestion(item.heading.start, end, DECISION, f"Item {number}: {outcome}"))
        for field, who in (
            (item.claims_administrator_guideline, "Claims Administrator"),
            (item.maximus_guideline, "MAXIMUS"),
        ):
            if field is not None and field.end > field.start:
                found.append(
                    Suggestion(field.start, field.end, GUIDELINE, f"Item {number}: {who} guideline")
                )
    summary = structure.section("case_summary")
    if summary is not None:
        facts = 0
        for s, e in sentences(text, summary.start, summary.end):
            sentence = text[s:e]
            cue = next((name for name, rx in _FACT_CUES if rx.search(sentence)), None)
            if cue is None or len(sentence) > 600:
                continue
            found.append(Suggestion(s, e, SUMMARY_FACT, cue))
            facts += 1
            if facts >= MAX_FACT_SENTENCES:
                break
    # spans come from the extractor's [start, end): keep only sane, word-snapped ones
    clean = []
    for sug in found:
        span = snap_to_words(text, sug.start, sug.end)
        if span is not None:
            clean.append(Suggestion(span[0], span[1], sug.label, sug.note))
    return clean


def suggestion_annotations(
    structure: LetterStructure, text: str, document: str, labels: LabelSet
) -> list[Annotation]:
    """Suggestions as annotation rows for the labels that exist in this schema."""
    out = []
    seen: set[tuple[int, int, str]] = set()
    for sug in suggest(structure, text):
        label = labels.by_name(sug.label)
        key = (sug.start, sug.end, sug.label)
        if label is None or key in seen:
            continue
        seen.add(key)
        out.append(
            Annotation.create(
                document=document,
                text=text,
                start=sug.start,
                end=sug.end,
                label_id=label.id,
                annotator="IMR Desktop",
                note=sug.note,
                origin=ORIGIN_SUGGESTED,
            )
        )
    return out
