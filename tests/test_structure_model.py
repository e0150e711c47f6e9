"""The record's JSON form: what the database stores and the CLI prints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imr_desktop.core.structure import SCHEMA_VERSION, LetterStructure, extract_file

LETTERS = Path(__file__).parent / "fixtures" / "letters"


def test_json_shape_keeps_values_flat_and_spans_beside_them() -> None:
    d = extract_file(LETTERS / "party_version.txt").to_dict()
    assert d["schema"] == SCHEMA_VERSION
    assert d["case_number"] == "CM16-0000712"
    assert isinstance(d["spans"]["case_number"], list) and len(d["spans"]["case_number"]) == 2
    assert d["spans"]["priority"] is not None
    assert d["cover"]["employer"] == "Example Produce Co."
    assert d["cover"]["spans"]["employer"][1] > d["cover"]["spans"]["employer"][0]
    assert d["items"][0]["spans"]["item"][0] <= d["items"][0]["spans"]["heading"][0]
    assert d["items"][0]["spans"]["original_request"] is None
    assert d["sections"][0]["name"] == "cover_letter"
    assert len(d["text_sha256"]) == 64
    json.dumps(d)  # plain JSON types only


def test_rebuilt_record_is_equal_and_queryable() -> None:
    rec = extract_file(LETTERS / "dwc2016_basic.txt")
    back = LetterStructure.from_dict(json.loads(rec.to_json()))
    assert back == rec
    assert back.section("issues") == rec.section("issues")
    assert [c.source for c in back.citations_for(2)] == ["ODG", "MTUS", "ACOEM", "Non-MTUS"]
    assert back.citations_for(2)[0].role == "claims_administrator"
    assert not back.is_empty


def test_other_schema_versions_are_refused() -> None:
    d = extract_file(LETTERS / "dwc2016_basic.txt").to_dict()
    d["schema"] = "imr-structure/0"
    with pytest.raises(ValueError, match="schema"):
        LetterStructure.from_dict(d)


def test_empty_record_round_trips() -> None:
    rec = LetterStructure()
    assert rec.is_empty
    d = rec.to_dict()
    assert d["cover"] is None and d["items"] == [] and d["final_outcome"] is None
    assert LetterStructure.from_dict(d) == rec
