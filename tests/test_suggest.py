"""Suggestions and stored structure, without Qt."""

from __future__ import annotations

from pathlib import Path

import pytest

from imr_desktop import paths
from imr_desktop.core import analysis
from imr_desktop.core.case_summary import case_summary_text
from imr_desktop.core.document import load_document
from imr_desktop.core.labels import LabelSet
from imr_desktop.core.model import DocumentRecord
from imr_desktop.core.session import AnnotationSet
from imr_desktop.core.store import Store
from imr_desktop.core.structure import extract_structure
from imr_desktop.core.suggest import sentences, suggest, suggestion_annotations


@pytest.fixture
def sample():  # type: ignore[no-untyped-def]
    doc = load_document(paths.sample_letter())
    return doc, extract_structure(doc.text)


def _store(tmp_path: Path, doc) -> tuple[Store, AnnotationSet, LabelSet]:  # type: ignore[no-untyped-def]
    store = Store.open(tmp_path / "s.sqlite")
    store.upsert_document(
        DocumentRecord(
            doc.source.sha256,
            str(doc.source.path),
            "pdf",
            doc.page_count,
            len(doc.source.data),
            doc.text,
        )
    )
    return store, AnnotationSet(store, doc.source.sha256, doc.text, "tester"), LabelSet(store)


def test_suggestions_cover_items_guidelines_and_key_facts(sample) -> None:  # type: ignore[no-untyped-def]
    doc, structure = sample
    found = suggest(structure, doc.text)
    decisions = [s for s in found if s.label == "Decision"]
    assert len(decisions) == len(structure.items) == 3
    for sug, item in zip(decisions, structure.items, strict=True):
        printed = doc.text[sug.start : sug.end]
        assert printed.endswith(item.outcome.value), printed
        assert sug.start == item.heading.start
    guidelines = [s for s in found if s.label == "Guideline citation"]
    assert len(guidelines) == 6  # two per item
    facts = {s.note: doc.text[s.start : s.end] for s in found if s.label == "Summary fact"}
    assert "March" in facts["injury date"] and "2015" in facts["injury date"]
    assert "utilization review" in facts["UR action"]
    assert "diagnosed" in facts["diagnoses"]
    for s in found:  # never starts or ends with whitespace, always inside the text
        span = doc.text[s.start : s.end]
        assert span == span.strip() and 0 <= s.start < s.end <= len(doc.text)


def test_sentences_do_not_break_on_abbreviations() -> None:
    text = "Dr. Smith saw her on 01/02/2016. She had 2.5 mg daily.\n\nNew paragraph here"
    spans = [text[s:e] for s, e in sentences(text, 0, len(text))]
    assert spans == [
        "Dr. Smith saw her on 01/02/2016.",
        "She had 2.5 mg daily.",
        "New paragraph here",
    ]


def test_no_suggestions_for_labels_that_do_not_exist(tmp_path: Path, sample) -> None:  # type: ignore[no-untyped-def]
    doc, structure = sample
    *_rest, labels = _store(tmp_path, doc)
    labels.delete(labels.by_name("Guideline citation").id)
    rows = suggestion_annotations(structure, doc.text, doc.source.sha256, labels)
    assert rows and {labels.get(r.label_id).name for r in rows} == {"Decision", "Summary fact"}
    assert all(r.origin == "suggested" and r.exact == doc.text[r.start : r.end] for r in rows)


def test_suggestions_are_made_once_and_rejections_stick(tmp_path: Path, sample) -> None:  # type: ignore[no-untyped-def]
    doc, structure = sample
    store, annotations, labels = _store(tmp_path, doc)
    added = analysis.ensure_suggestions(annotations, structure, labels)
    assert added == len(annotations.suggested()) > 5
    assert annotations.manual() == []
    first = annotations.suggested()[0]
    annotations.remove(first.id)  # rejected
    assert analysis.ensure_suggestions(annotations, structure, labels) == 0
    fresh = AnnotationSet(store, doc.source.sha256, doc.text, "tester")
    assert first.id not in fresh
    assert len(fresh.suggested()) == added - 1
    # suggestions are not human labels
    assert store.annotations(doc.source.sha256, origin="manual") == []


def test_structure_is_stored_and_reused_until_the_text_changes(
    tmp_path: Path, sample, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    doc, _structure = sample
    store, _annotations, _labels = _store(tmp_path, doc)
    calls = []
    real = analysis.extract_structure
    monkeypatch.setattr(analysis, "extract_structure", lambda t: calls.append(1) or real(t))
    first = analysis.ensure_structure(store, doc.source.sha256, doc.text)
    assert store.structure(doc.source.sha256)["case_number"] == "CM16-0913527"
    second = analysis.ensure_structure(store, doc.source.sha256, doc.text)
    assert len(calls) == 1 and second.to_dict() == first.to_dict()
    analysis.ensure_structure(store, doc.source.sha256, doc.text + "\nAddendum.\n")
    assert len(calls) == 2  # another text: extracted again


def test_damaged_stored_structure_is_extracted_again(tmp_path: Path, sample) -> None:  # type: ignore[no-untyped-def]
    doc, _ = sample
    store, *_ = _store(tmp_path, doc)
    store.db.execute("UPDATE documents SET structure = '{not json'")
    store.db.conn.commit()
    again = analysis.ensure_structure(store, doc.source.sha256, doc.text)
    assert again.case_number.value == "CM16-0913527"


def test_case_summary_text_names_every_item(sample) -> None:  # type: ignore[no-untyped-def]
    _doc, structure = sample
    summary = case_summary_text(structure, "sample.pdf")
    assert "Case number: CM16-0913527" in summary
    assert "Final outcome: Partially Overturned" in summary
    assert summary.count(" — Upheld") == 2 and summary.count(" — Overturned") == 1
    assert "Original request:" in summary
