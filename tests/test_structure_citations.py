"""Guideline citations parsed into source, document, year, sections and pages."""

from __future__ import annotations

import pytest

from imr_desktop.core.structure.citations import parse_guideline
from imr_desktop.core.structure.lines import collapse


def parse(s: str) -> list[tuple]:
    return [
        (c.source, c.document, c.year, list(c.sections), list(c.pages))
        for c in parse_guideline(s, 0, len(s))
    ]


def test_several_mtus_documents_with_sections_and_a_non_mtus_acoem_edition() -> None:
    s = (
        "Decision based on MTUS Low Back Complaints 2004, Section(s): \nSummary, and Chronic "
        "Pain Medical Treatment 2016, Section(s): Facet blocks.  Decision based \non Non-MTUS "
        "Citation ACOEM Occupational Medicine Practice Guidelines, 3rd ed., Low Back \n"
        "Disorders, pg. 607."
    )
    assert parse(s) == [
        ("MTUS", "Low Back Complaints", 2004, ["Summary"], []),
        ("MTUS", "Chronic Pain Medical Treatment", 2016, ["Facet blocks"], []),
        ("ACOEM", "Occupational Medicine Practice Guidelines, 3rd ed., Low Back Disorders",
         None, [], ["607"]),
    ]  # fmt: skip


def test_document_names_with_commas_and_and_are_not_split() -> None:
    s = (
        "Decision based on MTUS Forearm, Wrist, and Hand Complaints 2004, Section(s): "
        "Work-Relatedness, and Postsurgical Treatment 2009, Section(s): Forearm, Wrist, & Hand, "
        "and Chronic Pain Medical Treatment 2016."
    )
    assert parse(s) == [
        ("MTUS", "Forearm, Wrist, and Hand Complaints", 2004, ["Work-Relatedness"], []),
        ("MTUS", "Postsurgical Treatment", 2009, ["Forearm, Wrist, & Hand"], []),
        ("MTUS", "Chronic Pain Medical Treatment", 2016, [], []),
    ]


def test_numbered_opioid_sections_split_at_their_numbers() -> None:
    s = (
        "Decision based on MTUS Opioid Treatment 2016, Section(s): 3.3.4 Opioids for Chronic "
        "Pain and Chronic Opioid Treatment: Use of CURES to Ensure Safe and Effective Opioid "
        "Use, 4.1 Tapering Opioids: Indications for Tapering Opioids."
    )
    ((source, doc, year, sections, _),) = parse(s)
    assert (source, doc, year) == ("MTUS", "Opioid Treatment", 2016)
    assert sections == [
        "3.3.4 Opioids for Chronic Pain and Chronic Opioid Treatment: Use of CURES to Ensure "
        "Safe and Effective Opioid Use",
        "4.1 Tapering Opioids: Indications for Tapering Opioids",
    ]


def test_odg_chapter_and_topics_and_other_guidelines() -> None:
    s = (
        "The Claims Administrator based their decision on recommendation(s) outside of the "
        "MTUS Guidelines. Decision based on Non-MTUS Citation Official Disability Guidelines "
        "(ODG) Low Back - Lumbar & Thoracic (Acute & Chronic), EMG, NCV and Other Medical "
        "Treatment Guidelines www.example.org/ncv."
    )
    assert parse(s) == [
        ("ODG", "Low Back - Lumbar & Thoracic (Acute & Chronic)", None, ["EMG", "NCV"], []),
        ("Non-MTUS", "www.example.org/ncv", None, [], []),
    ]


@pytest.mark.parametrize(
    ("s", "expected"),
    [
        ("Decision based on Non-MTUS Citation Official Disability Guidelines (ODG), 2016, Neck "
         "and Upper Back, Indications for imaging.",
         ("ODG", "Neck and Upper Back", 2016, ["Indications for imaging"], [])),
        ("Decision based on Non-MTUS Citation Official Disability Guidelines (ODG).",
         ("ODG", None, None, [], [])),
        ("Decision based on Non-MTUS Citation Official Disability Guidelines (ODG) Chapter: Low "
         "Back, MRI.", ("ODG", "Low Back", None, ["MRI"], [])),
        ("Decision based on Non-MTUS Citation Sildenafil: Drug information, accessed from "
         "UpToDate.com on 12/17/2016.",
         ("Non-MTUS", "Sildenafil: Drug information, accessed from UpToDate.com on 12/17/2016",
          None, [], [])),
        ("Decision based on MTUS Chronic Pain Treatment Guidelines Physical Medicine, page 130 "
         "Page(s): 130.",
         ("MTUS", "Chronic Pain Treatment Guidelines", None, ["Physical Medicine"], ["130"])),
    ],
)  # fmt: skip
def test_single_citations(s: str, expected: tuple) -> None:
    assert parse(s) == [expected]


def test_older_mtus_acoem_page_list_then_another_document() -> None:
    s = "Decision based on MTUS ACOEM Page(s): 58-59,Chronic Pain Treatment Guidelines."
    assert parse(s) == [
        ("MTUS", "ACOEM", None, [], ["58-59"]),
        ("MTUS", "Chronic Pain Treatment Guidelines", None, [], []),
    ]


def test_2013_sentences() -> None:
    s = (
        "The Claims Administrator based its decision on the Chronic Pain Medical Treatment "
        "Guidelines (2009), Aquatic therapy, page 22, which is part of the MTUS."
    )
    assert parse(s) == [
        ("MTUS", "Chronic Pain Medical Treatment Guidelines", 2009, ["Aquatic therapy"], ["22"])
    ]
    s = "The Expert Reviewer based his/her decision on the Official Disability Guidelines, Knee."
    assert parse(s) == [("ODG", "Knee", None, [], [])]


@pytest.mark.parametrize(
    "s",
    [
        "The Claims Administrator did not cite any medical evidence for its decision.",
        "The Expert Reviewer did not cite any medical evidence for its decision.",
    ],
)
def test_none_cited(s: str) -> None:
    (c,) = parse_guideline(s, 0, len(s), role="maximus", item=3)
    assert (c.source, c.document, c.item, c.role) == ("none", None, 3, "maximus")
    assert (c.start, c.end) == (0, len(s))


def test_spans_point_into_the_text_at_an_offset() -> None:
    prefix = "Claims Administrator guideline: "
    s = prefix + "Decision based on MTUS Knee Complaints 2004, Section(s): \nSpecial Studies. "
    (c,) = parse_guideline(s, len(prefix), len(s))
    assert (
        collapse(s[c.start : c.end])
        == c.text
        == "Knee Complaints 2004, Section(s): Special Studies"
    )
    assert c.start > len(prefix)


def test_text_without_citations_gives_none() -> None:
    assert parse("") == []
    assert parse("The reviewer considered the records.") == []
