"""Disputed items: headings, outcomes, modified requests, item boundaries."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from imr_desktop.core.document import load_document
from imr_desktop.core.structure import extract_file, extract_structure, read_text

LETTERS = Path(__file__).parent / "fixtures" / "letters"

INTRO = (
    "IMR ISSUES, DECISIONS AND RATIONALES \n"
    "The Final Determination was based on decisions for the disputed items/services set "
    "forth below: \n \n"
)


def item_text(heading: str, rationale: str = "The request is not medically necessary.") -> str:
    return (
        f"{heading} \n \n"
        "Claims Administrator guideline: Decision based on MTUS Low Back Complaints 2004. \n \n"
        "MAXIMUS guideline: Decision based on MTUS Low Back Complaints 2004. \n \n"
        f"Decision rationale: {rationale} \n \n"
    )


def test_fifteen_items_in_order() -> None:
    rec = extract_file(LETTERS / "dwc2016_fifteen_items.txt")
    assert len(rec.items) == 15
    headings = [it.heading.value for it in rec.items]
    assert headings[0] == "Left knee arthroscopic partial medial meniscectomy"
    # printed with two spaces after the colon; the prefix is kept, whitespace collapsed
    assert headings[1] == "Associated surgical service: Pre-operative medical clearance"
    assert headings[7] == "Associated surgical service: Cold therapy unit, 7 days rental"
    assert headings[13:] == ["Post-operative physical therapy 12 sessions", "Assistant surgeon"]
    assert [it.request.value for it in rec.items] == headings
    assert {it.outcome.value for it in rec.items} == {"Upheld"}
    assert rec.final_outcome.value == "Upheld"
    # item 6 has no blank line before "Decision rationale:"
    assert rec.items[5].maximus_guideline.value == (
        "The Expert Reviewer did not cite any medical evidence for its decision."
    )
    assert rec.items[5].rationale.value.startswith("As the primary surgical procedure")
    # items do not overlap and each rationale ends before the next heading
    for a, b in zip(rec.items, rec.items[1:], strict=False):
        assert a.end <= b.start
        assert a.rationale.end <= b.heading.start
    assert len([c for c in rec.citations if c.source == "none"]) == 2 * 13


def test_outcome_word_alone_on_its_line() -> None:
    text = INTRO + item_text(
        "Additional physical therapy two times four visits (8) for the lumbar and bilateral "
        "knees: \nUpheld"
    )
    (item,) = extract_structure(text).items
    assert item.heading.value == (
        "Additional physical therapy two times four visits (8) for the lumbar and bilateral knees"
    )
    assert item.outcome.value == "Upheld"
    assert text[item.outcome.start : item.outcome.end] == "Upheld"


@pytest.mark.parametrize(
    ("printed", "heading"),
    [
        ("Oxycodone HCL ER 20mg #60 day supply: 30:  Overturned",
         "Oxycodone HCL ER 20mg #60 day supply: 30"),
        ("Associated surgical service:  Labs - PT/PTT:  Upheld",
         "Associated surgical service: Labs - PT/PTT"),
        ("Labs to include: EKG: Upheld", "Labs to include: EKG"),
        ("Chiropractic care for the low back; six sessions:  Overturned",
         "Chiropractic care for the low back; six sessions"),
    ],
)  # fmt: skip
def test_headings_containing_colons_are_kept_whole(printed: str, heading: str) -> None:
    (item,) = extract_structure(INTRO + item_text(printed)).items
    assert item.heading.value == heading
    assert item.request.value == heading
    assert item.original_request is None and item.authorized is None
    assert item.outcome.value == printed.rsplit(None, 1)[-1]


def test_modified_request_standard_wording() -> None:
    heading = (
        "Chiropractic physiotherapy 12 visits for the cervical spine and back followed by \n"
        "re-examination was the original request. Chiropractic physiotherapy 6 visits was \n"
        "authorized by the Claims Administrator. The remaining IMR eligible portion of the \n"
        "original request, Chiropractic physiotherapy 6 visits is: Upheld"
    )
    (item,) = extract_structure(INTRO + item_text(heading)).items
    assert item.original_request.value == (
        "Chiropractic physiotherapy 12 visits for the cervical spine and back followed by "
        "re-examination"
    )
    assert item.authorized.value == "Chiropractic physiotherapy 6 visits"
    assert item.request.value == "Chiropractic physiotherapy 6 visits"
    assert item.heading.value.startswith("Chiropractic physiotherapy 12 visits")
    assert item.heading.value.endswith("original request, Chiropractic physiotherapy 6 visits")
    assert item.outcome.value == "Upheld"


def test_modified_request_variant_wording_with_commas() -> None:
    heading = (
        "Acupuncture treatments (unspecified quantity) was the original request. The Claims \n"
        "Administrator authorized Acupuncture treatments, 6 sessions, leaving the original \n"
        "request IMR eligible. The original request, acupuncture treatments (unspecified \n"
        "quantity) is: \nUpheld"
    )
    (item,) = extract_structure(INTRO + item_text(heading)).items
    assert item.original_request.value == "Acupuncture treatments (unspecified quantity)"
    assert item.authorized.value == "Acupuncture treatments, 6 sessions"
    assert item.request.value == "acupuncture treatments (unspecified quantity)"  # verbatim
    assert item.outcome.value == "Upheld"


def test_both_wordings_in_one_letter() -> None:
    rec = extract_file(LETTERS / "dwc2016_modified.txt")
    assert [it.authorized.value for it in rec.items] == [
        "Physical therapy for the lumbar spine and left knee, 6 sessions",
        "acupuncture, 4 visits",
        "Knee sleeve, left",
    ]
    assert rec.items[1].request.value == "acupuncture, unspecified number of visits"
    assert rec.items[2].request.value == "Knee brace, hinged, left"  # "…request, X:" no "is"
    assert [it.outcome.value for it in rec.items] == ["Upheld", "Upheld", "Overturned"]


def test_heading_directly_after_rationale_with_sentence_inside_heading() -> None:
    """No blank line: the heading starts after the rationale's last sentence, and its own
    "…was the original request." line end does not cut it."""
    text = (
        INTRO
        + item_text("Norco 10/325mg #60: Upheld").rstrip(" \n")
        + "\nPhysical therapy, 12 sessions was the original request.\n"
        "Physical therapy, 4 sessions was authorized by the Claims Administrator.\n"
        "The remaining IMR eligible portion of the original request, physical therapy,\n"
        "8 sessions is: Overturned\n"
        "Claims Administrator guideline: Decision based on MTUS Low Back Complaints 2004.\n"
        "MAXIMUS guideline: Decision based on MTUS Low Back Complaints 2004.\n"
        "Decision rationale: Gains were documented. The request is medically necessary.\n"
    )
    first, second = extract_structure(text).items
    assert first.rationale.value == "The request is not medically necessary."
    assert second.original_request.value == "Physical therapy, 12 sessions"
    assert second.request.value == "physical therapy, 8 sessions"
    assert second.outcome.value == "Overturned"


def _write_pdf(path: Path, pages: list[list[str]]) -> None:
    doc = pymupdf.open()
    for lines in pages:
        page = doc.new_page()
        for k, line in enumerate(lines):
            page.insert_text((72, 72 + 14 * k), line, fontsize=10)
    doc.save(path)
    doc.close()


def test_heading_split_across_pages_of_a_pdf(tmp_path: Path) -> None:
    path = tmp_path / "split.pdf"
    _write_pdf(
        path,
        [
            [
                "Case Number:",
                "CM16-0000909",
                " ",
                "IMR ISSUES, DECISIONS AND RATIONALES",
                "The Final Determination was based on decisions for the disputed "
                "items/services set forth below:",
                " ",
                "Occupational therapy for the right hand, 12 visits was the original request.",
                "Occupational therapy for the right hand, 6 visits was authorized by the Claims",
            ],
            [
                "Administrator. The remaining IMR eligible portion of the original request,",
                "Occupational therapy for the right hand, 6 visits is:  Upheld",
                " ",
                "Claims Administrator guideline: Decision based on MTUS Forearm, Wrist, and Hand",
                "Complaints 2004.",
                " ",
                "MAXIMUS guideline: Decision based on MTUS Chronic Pain Medical",
                "Treatment 2016, Section(s): Physical medicine treatment.",
                " ",
                "Decision rationale: Six visits were already approved. The request is not",
                "medically necessary.",
            ],
        ],
    )
    text = read_text(path)
    assert text == load_document(path).text  # the fast path reads the canonical text
    rec = extract_structure(text)
    (item,) = rec.items
    assert rec.case_number.value == "CM16-0000909"
    assert item.original_request.value == "Occupational therapy for the right hand, 12 visits"
    assert item.request.value == "Occupational therapy for the right hand, 6 visits"
    assert item.authorized.value == "Occupational therapy for the right hand, 6 visits"
    assert item.outcome.value == "Upheld"
    page2 = text.index("Administrator. The remaining")
    assert item.heading.start < page2 < item.heading.end
    assert item.rationale.value == (
        "Six visits were already approved. The request is not medically necessary."
    )
    (mtus,) = [c for c in rec.citations if c.role == "claims_administrator"]
    assert (mtus.document, mtus.year) == ("Forearm, Wrist, and Hand Complaints", 2004)


def test_last_rationale_stops_at_a_trailer() -> None:
    text = INTRO + item_text("TENS unit: Upheld") + "cc: Example Claims Services\n"
    (item,) = extract_structure(text).items
    assert item.rationale.value == "The request is not medically necessary."
    assert item.end <= text.index("cc:")


@pytest.mark.parametrize(
    ("heading", "parts"),
    [
        ("Norco 10/325mg #90 was the original request. Norco 10/325mg #45 was approved by the "
         "Claims Administrator. The remaining IMR eligible portion of the original request, "
         "Norco 10/325mg #45 is: Upheld",
         ("Norco 10/325mg #90", "Norco 10/325mg #45", "Norco 10/325mg #45")),
        ("Norco 10/325mg #90 was the original request. Something else was decided: Upheld",
         ("Norco 10/325mg #90", None, None)),
    ],
)  # fmt: skip
def test_unfamiliar_modified_wording_keeps_the_recognisable_parts(
    heading: str, parts: tuple[str | None, ...]
) -> None:
    (item,) = extract_structure(INTRO + item_text(heading)).items
    got = tuple(
        None if f is None else f.value
        for f in (item.original_request, item.authorized, item.request)
    )
    assert got == parts
    assert item.outcome.value == "Upheld"


def test_rationale_quoting_a_modified_request_then_plain_heading_without_blank_lines() -> None:
    text = (
        INTRO + "Knee sleeve: Upheld\n"
        "Claims Administrator guideline: Decision based on MTUS Knee Complaints 2004.\n"
        "MAXIMUS guideline: Decision based on MTUS Knee Complaints 2004.\n"
        "Decision rationale: Twelve visits was the original request. Ten visits was\n"
        "authorized by the Claims Administrator. The remaining IMR eligible portion of the\n"
        "original request, two visits is not medically necessary.\n"
        "Gym membership: Upheld\n"
        "Claims Administrator guideline: Decision based on MTUS Knee Complaints 2004.\n"
        "MAXIMUS guideline: Decision based on MTUS Knee Complaints 2004.\n"
        "Decision rationale: Gym memberships are not medical treatment.\n"
    )
    first, second = extract_structure(text).items
    assert first.rationale.value.endswith(
        "original request, two visits is not medically necessary."
    )
    assert second.heading.value == "Gym membership"
    assert second.original_request is None
