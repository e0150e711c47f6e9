"""Label deletion and its undo at the store level (no Qt)."""

from __future__ import annotations

from pathlib import Path

from imr_desktop.core.labels import LabelSet
from imr_desktop.core.model import DocumentRecord
from imr_desktop.core.session import AnnotationSet
from imr_desktop.core.store import Store


def test_restore_label_revives_its_annotations(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "a.sqlite")
    store.upsert_document(DocumentRecord("doc", "x.txt", "text", 0, 11, "hello world"))
    labels = LabelSet(store)
    annotations = AnnotationSet(store, "doc", "hello world", "me")
    decision = labels.by_name("Decision")
    ann = annotations.new(0, 5, decision)
    annotations.add(ann)

    removed = labels.delete(decision.id)
    assert removed == [ann.id]
    assert store.annotation(ann.id) is None

    labels.restore(decision.id, removed)
    assert labels.by_name("Decision") is not None
    assert store.annotation(ann.id) is not None
