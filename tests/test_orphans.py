"""Orphans (annotations re-anchoring could not place) in the core: the store's re-attach,
the annotation set that keeps them apart, and the undo command (no widgets).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PySide6.QtGui import QUndoStack

from imr_desktop.core.anchoring import ORPHAN, apply_reanchoring, reanchor
from imr_desktop.core.errors import ReadOnlyStoreError, StoreError
from imr_desktop.core.model import Annotation, DocumentRecord
from imr_desktop.core.session import AnnotationSet, Change
from imr_desktop.core.store import Store
from imr_desktop.ui.commands import ReattachAnnotation

SHA = hashlib.sha256(b"letter").hexdigest()
OLD = (
    "The injured worker reported 6/10 pain. Item 1: acupuncture is not medically necessary. "
    "Guidelines recommend six visits over two weeks."
)
# a new extraction: the first sentence is gone, so "reported" cannot be placed
NEW = "REVISED\nItem 1: acupuncture is not medically necessary. Guidelines recommend six visits."


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def orphaned_store(tmp_path: Path) -> tuple[Store, Annotation, Annotation]:
    """A letter annotated on OLD, re-anchored to NEW: one orphan, one placed."""
    store = Store.open(tmp_path / "a.sqlite")
    store.upsert_document(
        DocumentRecord(SHA, "/l.pdf", "pdf", 1, 10, OLD, _sha(OLD), "v1"),
    )
    label = store.labels()[0]

    def tag(quote: str, note: str = "") -> Annotation:
        start = OLD.index(quote)
        ann = Annotation.create(
            document=SHA,
            text=OLD,
            start=start,
            end=start + len(quote),
            label_id=label.id,
            annotator="ana",
            note=note,
        )
        store.add_annotation(ann)
        return ann

    lost = tag("reported", note="pain score")
    kept = tag("is not medically necessary")
    results = apply_reanchoring(store, SHA, NEW, _sha(NEW), "v2")
    assert [r.status for r in results] == [ORPHAN, "moved"]
    return store, lost, kept


def test_reanchoring_never_moves_an_orphan(tmp_path: Path) -> None:
    store, lost, _ = orphaned_store(tmp_path)
    orphan = store.annotation(lost.id)
    assert orphan is not None and orphan.is_orphan
    # quote, context and old offsets untouched: nothing was moved onto other text
    assert (orphan.start, orphan.end, orphan.exact, orphan.prefix, orphan.suffix) == (
        lost.start,
        lost.end,
        lost.exact,
        lost.prefix,
        lost.suffix,
    )
    # the pure function agrees: an orphan comes back as it was stored
    (result,) = reanchor([lost], NEW, old_text=OLD)
    assert result.status == ORPHAN and result.annotation == lost
    store.close()


def test_an_orphan_placed_again_by_reanchoring_is_an_orphan_no_more(tmp_path: Path) -> None:
    store, lost, _ = orphaned_store(tmp_path)
    # the old extraction comes back (say, the extractor change was reverted)
    results = {r.annotation.id: r for r in apply_reanchoring(store, SHA, OLD, _sha(OLD), "v1")}
    assert results[lost.id].placed and not results[lost.id].annotation.is_orphan
    back = store.annotation(lost.id)
    assert back is not None and not back.is_orphan and back.start == lost.start
    anns = AnnotationSet(store, SHA, OLD, "ana")
    assert anns.orphans() == [] and anns.get(lost.id) is not None
    store.close()


def test_store_reattaches_an_orphan_to_the_chosen_place(tmp_path: Path) -> None:
    store, lost, _ = orphaned_store(tmp_path)
    start = NEW.index("six visits")
    placed = store.reattach_annotation(lost.id, start, start + 10, exact="six visits")
    assert (placed.start, placed.end, placed.exact) == (start, start + 10, "six visits")
    assert placed.exact == NEW[placed.start : placed.end]
    assert placed.prefix == NEW[max(0, start - 32) : start]
    assert placed.suffix == NEW[start + 10 : start + 42]
    assert placed.note == "pain score" and placed.label_id == lost.label_id  # kept
    row = store.db.execute(
        'SELECT start, "end", exact, anchor_status, anchor_confidence, updated_at '
        "FROM annotations WHERE id = ?",
        [lost.id],
    ).fetchone()
    assert row == (start, start + 10, "six visits", None, None, placed.updated_at)
    assert placed.updated_at > lost.updated_at
    assert lost.id in {a.id for a in store.annotations(SHA)}  # placed: no longer hidden
    store.close()


def test_store_refuses_a_place_that_is_not_the_saved_text(tmp_path: Path) -> None:
    store, lost, _ = orphaned_store(tmp_path)
    start = NEW.index("six visits")
    with pytest.raises(StoreError, match="not in the letter's saved text"):
        store.reattach_annotation(lost.id, start, start + 10, exact="something else")
    with pytest.raises(StoreError, match="not in the letter's saved text"):
        store.reattach_annotation(lost.id, 5, len(NEW) + 1)
    store.delete_annotation(lost.id)
    with pytest.raises(StoreError, match="deleted"):
        store.reattach_annotation(lost.id, start, start + 10)
    assert store.db.execute(
        "SELECT anchor_status, start FROM annotations WHERE id = ?", [lost.id]
    ).fetchone() == ("orphan", lost.start)
    store.close()


def test_read_only_store_reattaches_nothing(tmp_path: Path) -> None:
    store, lost, _ = orphaned_store(tmp_path)
    store.close()
    ro = Store.open(tmp_path / "a.sqlite", read_only=True)
    with pytest.raises(ReadOnlyStoreError):
        ro.reattach_annotation(lost.id, 0, 7)
    ro.close()


def test_annotation_set_keeps_orphans_apart(tmp_path: Path) -> None:
    store, lost, kept = orphaned_store(tmp_path)
    anns = AnnotationSet(store, SHA, NEW, "ana")
    # nothing draws or scrolls to an orphan's stale offsets
    assert [a.id for a in anns] == [kept.id]
    assert len(anns) == 1 and anns.get(lost.id) is None and lost.id not in anns
    assert anns.at(lost.start) == []
    assert [a.id for a in anns.orphans()] == [lost.id]
    found = anns.find(lost.id)
    assert found is not None and found.is_orphan

    events: list[Change] = []
    anns.subscribe(events.append)
    start = NEW.index("Guidelines")
    placed = anns.reattach(lost.id, start, start + len("Guidelines"))
    assert anns.orphans() == [] and anns.get(lost.id) == placed
    assert [(e.kind, e.annotation.is_orphan, e.previous.is_orphan) for e in events] == [
        ("updated", False, True)
    ]
    store.close()


def test_reattach_command_undoes_to_the_orphan_and_redoes(tmp_path: Path) -> None:
    store, lost, _ = orphaned_store(tmp_path)
    anns = AnnotationSet(store, SHA, NEW, "ana")
    stack = QUndoStack()
    orphan = anns.find(lost.id)
    assert orphan is not None
    start = NEW.index("six visits")
    command = ReattachAnnotation(anns, orphan, start, start + 10)
    stack.push(command)
    assert command.error is None
    assert store.annotation(lost.id).exact == "six visits"  # type: ignore[union-attr]

    stack.undo()
    back = store.annotation(lost.id)
    assert back is not None and back.is_orphan
    assert (back.start, back.end, back.exact, back.prefix, back.note) == (
        lost.start,
        lost.end,
        "reported",
        lost.prefix,
        "pain score",
    )
    assert [a.id for a in anns.orphans()] == [lost.id] and anns.get(lost.id) is None

    stack.redo()
    again = store.annotation(lost.id)
    assert again is not None and not again.is_orphan and again.start == start
    store.close()


def test_deleting_an_orphan_is_a_tombstone_and_undo_keeps_it_an_orphan(tmp_path: Path) -> None:
    store, lost, _ = orphaned_store(tmp_path)
    anns = AnnotationSet(store, SHA, NEW, "ana")
    removed = anns.remove(lost.id)
    assert removed.is_orphan and anns.orphans() == []
    assert store.db.execute(
        "SELECT deleted FROM annotations WHERE id = ?", [lost.id]
    ).fetchone() == (1,)
    anns.add(removed)  # what undo does
    assert [a.id for a in anns.orphans()] == [lost.id] and anns.get(lost.id) is None
    assert store.annotation(lost.id).is_orphan  # type: ignore[union-attr]
    store.close()


def test_failed_reattach_leaves_memory_and_stack_untouched(tmp_path: Path) -> None:
    store, lost, _ = orphaned_store(tmp_path)
    anns = AnnotationSet(store, SHA, NEW, "ana")
    stack = QUndoStack()
    orphan = anns.find(lost.id)
    assert orphan is not None
    store.read_only = True  # as if the database had become read-only
    command = ReattachAnnotation(anns, orphan, 0, 7)
    stack.push(command)
    assert isinstance(command.error, ReadOnlyStoreError)
    assert stack.count() == 0
    assert [a.id for a in anns.orphans()] == [lost.id]
    store.read_only = False
    store.close()
