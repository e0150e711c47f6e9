"""A plain-text case summary for the clipboard, e-mail or a claim note."""

from __future__ import annotations

from imr_desktop.core.structure.model import LetterStructure

_HEADER = (
    ("Case number", "case_number"),
    ("Date assigned", "date_assigned"),
    ("Date of injury", "date_of_injury"),
    ("Decision date", "decision_date"),
    ("UR denial date", "ur_denial_date"),
    ("Application received", "application_received"),
    ("Priority", "priority"),
)


def case_summary_text(structure: LetterStructure, source_name: str = "") -> str:
    lines = [f"IMR Final Determination{f' — {source_name}' if source_name else ''}"]
    for title, name in _HEADER:
        field = getattr(structure, name)
        if field is not None:
            lines.append(f"{title}: {field.value}")
    if structure.final_outcome is not None:
        lines.append(f"Final outcome: {structure.final_outcome.value}")
    if structure.licensure:
        lines.append("Reviewer licensure: " + ", ".join(f.value for f in structure.licensure))
    if structure.specialties:
        lines.append("Reviewer specialty: " + ", ".join(f.value for f in structure.specialties))
    if structure.items:
        lines.append("")
        lines.append("Disputed items:")
    for number, item in enumerate(structure.items, 1):
        request = item.request or item.heading
        outcome = item.outcome.value if item.outcome else "outcome not found"
        lines.append(f"{number}. {request.value if request else '(no heading)'} — {outcome}")
        if item.original_request is not None:
            lines.append(f"   Original request: {item.original_request.value}")
        if item.authorized is not None:
            lines.append(f"   Authorized by the claims administrator: {item.authorized.value}")
        sources = sorted(
            {c.source for c in structure.citations_for(number - 1) if c.role == "maximus"}
        )
        if sources:
            lines.append(f"   Guideline sources (MAXIMUS): {', '.join(sources)}")
        if item.maximus_guideline is not None:
            lines.append(f"   MAXIMUS guideline: {item.maximus_guideline.value}")
    return "\n".join(lines) + "\n"
