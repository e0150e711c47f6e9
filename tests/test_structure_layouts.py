"""One fictional letter per known layout (tests/fixtures/letters), read end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from imr_desktop.core.structure import LetterStructure, extract_structure
from imr_desktop.core.structure.lines import collapse

LETTERS = Path(__file__).parent / "fixtures" / "letters"


def read(name: str) -> tuple[str, LetterStructure]:
    text = (LETTERS / name).read_text(encoding="utf-8")
    return text, extract_structure(text)


def values(rec: LetterStructure, field: str) -> list[str | None]:
    return [None if getattr(it, field) is None else getattr(it, field).value for it in rec.items]


def assert_spans_match(text: str, rec: LetterStructure) -> None:
    """Every text value is what its span holds (collapsed); dates/outcomes are normalised."""
    for item in rec.items:
        for name in (
            "heading",
            "request",
            "original_request",
            "authorized",
            "claims_administrator_guideline",
            "maximus_guideline",
            "rationale",
        ):
            f = getattr(item, name)
            if f is not None:
                assert collapse(text[f.start : f.end]) == f.value, name
        assert item.start <= (item.heading or item.outcome).start
    for f in rec.licensure + rec.specialties:
        assert collapse(text[f.start : f.end]) == f.value
    for c in rec.citations:
        assert collapse(text[c.start : c.end]) == c.text


def test_2016_layout_header_credentials_and_items() -> None:
    text, rec = read("dwc2016_basic.txt")
    assert rec.layout == "dwc-2016"
    assert rec.case_number.value == "CM16-0000101"
    assert text[rec.case_number.start : rec.case_number.end] == "CM16-0000101"
    assert [rec.date_assigned.value, rec.date_of_injury.value, rec.decision_date.value,
            rec.ur_denial_date.value, rec.application_received.value] == [
        "2016-10-03", "2014-04-22", "2016-11-07", "2016-09-26", "2016-09-29"]  # fmt: skip
    assert text[rec.application_received.start : rec.application_received.end] == "09/29/2016"
    assert rec.priority.value == "Expedited"
    # printed without a space after the comma; the specialty wraps onto the next line
    assert [f.value for f in rec.licensure] == ["Oregon", "California"]
    assert [f.value for f in rec.specialties] == [
        "Internal Medicine",
        "Public Health & General Preventive Medicine",
    ]
    assert [s.name for s in rec.sections] == ["determination_method", "case_summary", "issues"]
    assert values(rec, "heading") == [
        "MRI of the cervical spine without contrast",
        "Wrist brace, right: trial for 30 days",  # colon inside, outcome alone on next line
        "Ketoprofen 10% cream 120 grams",
    ]
    assert values(rec, "outcome") == ["Upheld", "Overturned", "Upheld"]
    assert rec.final_outcome.value == "Partially Overturned"
    assert rec.items[0].claims_administrator_guideline.value == (
        "Decision based on MTUS Neck and Upper Back Complaints 2004, Section(s): Special Studies."
    )
    assert rec.items[1].rationale.value.startswith("Yes, the splint was medically necessary.")
    assert rec.items[1].rationale.value.endswith("the request is medically necessary.")
    assert rec.items[2].rationale.value.endswith("The request is not medically necessary.")
    assert rec.warnings == []
    assert_spans_match(text, rec)


def test_2016_layout_without_blank_lines() -> None:
    text, rec = read("dwc2016_no_blank_lines.txt")
    assert values(rec, "heading")[:2] == ["Tizanidine 4mg #60 with 1 refill", "Omeprazole 20mg #30"]
    assert values(rec, "request")[2] == "Sertraline 50mg #15"
    assert values(rec, "original_request")[2] == "Sertraline 50mg #30"
    assert values(rec, "outcome") == ["Upheld", "Upheld", "Overturned"]
    # each rationale stops where the next heading starts, even without a blank line
    assert rec.items[0].rationale.value.endswith("The request is not medically necessary.")
    assert rec.items[1].rationale.value.endswith('the request is "not medically necessary."')
    assert [f.value for f in rec.specialties] == ["Anesthesiology", "Pain Management"]
    assert_spans_match(text, rec)


def test_2014_layout_double_spaced_text() -> None:
    text, rec = read("dwc2014_double_spaced.txt")
    assert rec.layout == "dwc-2014"
    assert rec.case_number is None and rec.date_of_injury is None  # no header table
    assert [f.value for f in rec.specialties] == [
        "Physical Medicine and Rehabilitation",
        "Pain Medicine",
    ]
    assert [f.value for f in rec.licensure] == ["California", "Nevada"]
    assert values(rec, "heading") == [
        "Lumbar epidural steroid injection at right L5-S1",
        "Naproxen 550mg #60",
    ]
    assert values(rec, "outcome") == ["Upheld", "Overturned"]
    assert rec.items[0].maximus_guideline.value == (
        "Decision based on MTUS Chronic Pain Medical Treatment Guidelines Page(s): 46."
    )
    assert rec.items[1].rationale.value.endswith("The request is medically necessary.")
    pages = [c.pages for c in rec.citations if c.item == 1 and c.role == "claims_administrator"]
    assert pages == [("47-48",), ("67-68",)]
    assert_spans_match(text, rec)


def test_2013_numbered_notice() -> None:
    text, rec = read("notice2013.txt")
    assert rec.layout == "notice-2013"
    assert rec.case_number.value == "CM13-0000501"
    assert rec.decision_date.value == "2013-11-19"
    assert rec.ur_denial_date.value == "2013-09-06"
    assert rec.application_received.value == "2013-09-20"
    assert rec.date_of_injury.value == "2011-01-15"
    assert rec.date_assigned.value == "2013-10-02"  # from the Notice of Assignment sentence
    assert [f.value for f in rec.specialties] == ["Family Medicine"]
    assert values(rec, "request") == ["twelve sessions of aquatic therapy", "a urine drug screen"]
    assert values(rec, "outcome") == ["Upheld", "Overturned"]
    outcome = rec.items[1].outcome
    assert text[outcome.start : outcome.end] == "is medically necessary and appropriate"
    assert rec.items[0].claims_administrator_guideline.value.startswith(
        "The Claims Administrator based its decision on the Chronic Pain"
    )
    assert rec.items[0].maximus_guideline.value.startswith("The Expert Reviewer based his/her")
    assert rec.items[1].rationale.value.endswith("is medically necessary and appropriate.")
    assert "/ex" not in rec.items[1].rationale.value
    assert rec.final_outcome.value == "Partially Overturned"
    assert rec.cover["final_determination"].value == "Partially Overturned"
    assert rec.cover["employee"].value == "Pat Example"
    assert {s.name for s in rec.sections} >= {
        "notice",
        "issues",
        "case_summary",
        "documents_reviewed",
        "determination_method",
    }
    assert_spans_match(text, rec)


def test_professional_review_variant() -> None:
    text, rec = read("professional_review.txt")
    assert rec.layout == "professional-review"
    assert [s.name for s in rec.sections] == [
        "professional_review", "issue_at_dispute", "documents_reviewed", "case_summary", "issues"
    ]  # fmt: skip
    # two label/value pairs per line
    assert rec.case_number.value == "CM14-0000611"
    assert rec.date_of_injury.value == "2012-07-08"
    assert rec.ur_denial_date.value == "2014-04-15"
    assert rec.application_received.value == "2014-04-25"
    # decision sentences as headings: the outcome comes from "(not) medically necessary"
    assert values(rec, "heading") == ["A TENS unit purchase", "Six chiropractic visits"]
    assert values(rec, "outcome") == ["Upheld", "Overturned"]
    assert rec.items[0].rationale.value.endswith("The request is not medically necessary.")
    assert_spans_match(text, rec)


def test_party_version_with_cover_letter() -> None:
    text, rec = read("party_version.txt")
    cover = {k: f.value for k, f in rec.cover.items()}
    assert cover == {
        "employee": "Jordan Sample",
        "claim_number": "EX-000-7788",
        "employer": "Example Produce Co.",
        "claims_administrator": "Example Mutual Claims",
        "requesting_provider": "Casey Doe, MD",
        "final_determination": "Upheld",
    }
    f = rec.cover["final_determination"]
    assert text[f.start : f.end] == "UPHOLD"
    assert rec.sections[0].name == "cover_letter"
    assert rec.sections[1].name == "determination_method"
    assert rec.case_number.value == "CM16-0000712"
    # the body reads exactly like the public letter
    assert values(rec, "outcome") == ["Upheld", "Upheld", "Upheld"]
    assert rec.items[1].heading.value == "Wrist brace, right: trial for 30 days"
    assert rec.final_outcome.value == "Upheld"
    assert rec.warnings == []
    assert_spans_match(text, rec)


def test_cover_letter_disagreeing_with_items_is_reported() -> None:
    text = (LETTERS / "party_version.txt").read_text(encoding="utf-8")
    rec = extract_structure(
        text.replace("Final Determination: UPHOLD", "Final Determination: OVERTURN")
    )
    assert rec.final_outcome.value == "Upheld"  # the printed decisions win
    assert any("cover letter says Overturned" in w for w in rec.warnings)


@pytest.mark.parametrize("name", sorted(p.name for p in LETTERS.glob("*.txt")))
def test_every_fixture_round_trips_through_json(name: str) -> None:
    _, rec = read(name)
    back = LetterStructure.from_json(rec.to_json())
    assert back.to_dict() == rec.to_dict()
    assert back.items and back.items[0].heading == rec.items[0].heading
