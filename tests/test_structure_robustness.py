"""Unknown, damaged and hostile text: whatever is found is returned, nothing is invented,
the parser never raises and never hangs."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from imr_desktop.core.structure import LetterStructure, extract_structure
from imr_desktop.core.structure.model import HEADER_FIELDS

LETTERS = Path(__file__).parent / "fixtures" / "letters"
FIXTURE_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(LETTERS.glob("*.txt"))]


def assert_sane(text: str, rec: LetterStructure) -> None:
    """Spans lie inside the text and round-trip through JSON."""
    n = len(text)
    assert rec.text_length == n
    for name in HEADER_FIELDS:
        f = getattr(rec, name)
        assert f is None or 0 <= f.start < f.end <= n
    for item in rec.items:
        assert 0 <= item.start <= item.end <= n
    for c in rec.citations:
        assert 0 <= c.start < c.end <= n
    for s in rec.sections:
        assert 0 <= s.start < s.end <= n
    assert LetterStructure.from_json(rec.to_json()).to_dict() == rec.to_dict()


@pytest.mark.parametrize("text", ["", " ", "\n\n\n", " \n \n\t\n"])
def test_empty_text(text: str) -> None:
    rec = extract_structure(text)
    assert rec.is_empty
    assert rec.items == [] and rec.final_outcome is None and rec.case_number is None
    assert rec.warnings == ["no text: a scan without a text layer needs OCR first"]
    assert_sane(text, rec)


@pytest.mark.parametrize(
    "text",
    [
        "lorem ipsum dolor sit amet\n" * 50,
        "\x00\x01\x02\ufffd\ufffd binary \x7f\x1b[0m" * 200,
        bytes(range(256)).decode("latin-1") * 20,
        "Dear friend,\nThank you for your order of 12/05/2016.\nSincerely,\nA shop\n",
        "\ud800 lone surrogate \udfff",
        ":" * 5000,
        "Upheld\n" * 300,
    ],
)
def test_garbage_finds_nothing(text: str) -> None:
    rec = extract_structure(text)
    assert rec.items == []
    assert rec.case_number is None and rec.date_of_injury is None and rec.final_outcome is None
    assert rec.layout == "unknown"
    assert "no disputed items found" in rec.warnings
    assert_sane(text, rec)


def test_labels_without_values_invent_nothing() -> None:
    text = (
        "Case Number: \nunknown\nDate of Injury: \nnot stated\nDecision Date: 13/45/2016\n"
        "Priority: \nhigh\nState(s) of Licensure: \n\nFinal Determination: pending\n"
    )
    rec = extract_structure(text)
    assert all(getattr(rec, name) is None for name in HEADER_FIELDS)
    assert rec.licensure == [] and rec.cover == {}
    assert_sane(text, rec)


def test_unknown_layout_keeps_what_it_recognises() -> None:
    text = (
        "Some other cover page\nRe: CM15-0001234\n\nDate of Injury: 03/04/2014\n\n"
        "The reviewer looked at the file.\n"
    )
    rec = extract_structure(text)
    assert rec.case_number.value == "CM15-0001234"
    assert rec.date_of_injury.value == "2014-03-04"
    assert rec.items == [] and rec.layout == "unknown"


def test_item_without_outcome_leaves_final_outcome_empty() -> None:
    text = (
        "Back brace\n\nClaims Administrator guideline: Decision based on MTUS Low Back "
        "Complaints 2004.\n\nMAXIMUS guideline: none\n\nDecision rationale: see above.\n"
    )
    rec = extract_structure(text)
    (item,) = rec.items
    assert item.heading.value == "Back brace" and item.outcome is None
    assert rec.final_outcome is None
    assert any("no outcome" in w for w in rec.warnings)


def test_truncated_letters_never_fail() -> None:
    text = FIXTURE_TEXTS[0]
    for cut in range(0, len(text), 97):
        rec = extract_structure(text[:cut])
        assert_sane(text[:cut], rec)


def test_mutated_letters_never_fail() -> None:
    rng = random.Random(20170213)
    for _ in range(150):
        lines = rng.choice(FIXTURE_TEXTS).split("\n")
        for _ in range(rng.randint(1, 8)):
            op = rng.randrange(4)
            i = rng.randrange(len(lines))
            if op == 0:
                del lines[i]
            elif op == 1:
                lines.insert(i, rng.choice(lines))
            elif op == 2:
                j = rng.randrange(len(lines))
                lines[i], lines[j] = lines[j], lines[i]
            else:
                k = rng.randrange(len(lines[i]) + 1)
                lines[i] = lines[i][:k] + rng.choice([":", "\n", " is: ", "\x00", "Upheld"])
        text = "\n".join(lines)
        assert_sane(text, extract_structure(text))


@pytest.mark.parametrize(
    "text",
    [
        " " * 200_000 + "x",
        "Claims Administrator guideline: " + " " * 50_000 + " and Other\n",
        ("Heading" + " " * 20_000 + ": \nClaims Administrator guideline: x\n") * 3,
        "Board Certified in " + "Medicine " * 20_000,
        "1) Regarding the request for " + "a " * 50_000 + "\n",
        "1) MAXIMUS Federal Services, Inc. has determined the request for " + "x " * 50_000,
        ("MAXIMUS guideline: Decision based on MTUS " + "Knee, and " * 2000 + "\n") * 5,
        "x was the original request. " * 5000 + ": Upheld\nClaims Administrator guideline: x\n",
        "Final Determination: UPHOLD\nEmployee:" + " " * 100_000 + "\n",
    ],
)
def test_hostile_text_finishes_quickly(text: str) -> None:
    t0 = time.perf_counter()
    rec = extract_structure(text)
    assert time.perf_counter() - t0 < 2.0
    assert_sane(text, rec)
