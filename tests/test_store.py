"""The annotation database, the annotation set and the label set (no Qt)."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

from imr_desktop.core import store as store_module
from imr_desktop.core.errors import (
    NewerSchemaError,
    ReadOnlyStoreError,
    StoreError,
)
from imr_desktop.core.labels import LabelSet
from imr_desktop.core.model import DEFAULT_LABELS, Annotation, DocumentRecord, Label, new_id
from imr_desktop.core.session import AnnotationSet, Change
from imr_desktop.core.store import SCHEMA_VERSION, Store

TEXT = "The applicant reports low back pain. Decision: Upheld. MTUS Page(s): 58-59."
DOC = hashlib.sha256(b"a letter").hexdigest()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def raw_rows(path: Path, sql: str, args: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "annotations.sqlite"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    s = Store.open(db_path)
    s.upsert_document(DocumentRecord(DOC, "/letters/a.pdf", "pdf", 2, 1234, TEXT, "t", "v1"))
    yield s
    s.close()


def make_annotation(store: Store, start: int = 4, end: int = 13, label: int = 0) -> Annotation:
    return Annotation.create(
        document=DOC,
        text=TEXT,
        start=start,
        end=end,
        label_id=store.labels()[label].id,
        annotator="tester",
    )


# --------------------------------------------------------------------------- schema
def test_new_database_has_schema_and_default_labels(store: Store, db_path: Path) -> None:
    assert db_path.exists()
    assert store.schema_version == SCHEMA_VERSION == len(store_module.MIGRATIONS)
    assert not store.read_only
    labels = store.labels()
    assert [lb.name for lb in labels] == ["Summary fact", "Decision", "Guideline citation"]
    assert [lb.hotkey for lb in labels] == [1, 2, 3]
    assert [lb.position for lb in labels] == [0, 1, 2]
    colors = [lb.color.lower() for lb in labels]
    assert len(set(colors)) == 3
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in colors)
    assert [lb.name for lb in labels] == [d[0] for d in DEFAULT_LABELS]
    assert len({lb.id for lb in labels}) == 3
    pragmas = raw_rows(db_path, "PRAGMA journal_mode")
    assert pragmas == [("wal",)]


def test_reopening_does_not_migrate_again(db_path: Path) -> None:
    Store.open(db_path).close()
    again = Store.open(db_path)
    assert len(again.labels()) == 3
    assert again.schema_version == SCHEMA_VERSION
    again.close()


def test_foreign_keys_are_enforced(store: Store) -> None:
    ann = Annotation.create(
        document="no-such-document", text=TEXT, start=0, end=3,
        label_id=store.labels()[0].id, annotator="x",
    )  # fmt: skip
    with pytest.raises(StoreError):
        store.add_annotation(ann)
    assert store.count_annotations() == 0


def test_empty_database_file_is_migrated_from_version_zero(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    sqlite3.connect(db_path).close()  # a 0-byte SQLite database: user_version 0
    s = Store.open(db_path)
    assert s.schema_version == SCHEMA_VERSION
    assert len(s.labels()) == 3
    s.close()


def test_new_migration_runs_once_and_bumps_user_version(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Store.open(db_path).close()
    calls: list[int] = []

    def v2(db: Database) -> None:
        calls.append(1)
        db["annotations"].add_column("confidence", float)

    monkeypatch.setattr(store_module, "MIGRATIONS", [*store_module.MIGRATIONS, v2])
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    s = Store.open(db_path)
    assert s.schema_version == SCHEMA_VERSION + 1
    assert "confidence" in s.db["annotations"].columns_dict
    s.close()
    Store.open(db_path).close()
    assert calls == [1]


def test_failing_migration_leaves_the_old_version(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Store.open(db_path).close()

    def broken(db: Database) -> None:
        db["extra"].create({"id": int}, pk="id")
        raise RuntimeError("migration bug")

    monkeypatch.setattr(store_module, "MIGRATIONS", [*store_module.MIGRATIONS, broken])
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(RuntimeError, match="migration bug"):
        Store.open(db_path)
    assert raw_rows(db_path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    tables = {r[0] for r in raw_rows(db_path, "SELECT name FROM sqlite_master")}
    assert "extra" not in tables


def test_database_from_a_newer_version_is_refused_untouched(db_path: Path) -> None:
    Store.open(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 5}")
    conn.commit()
    conn.close()
    before = file_digest(db_path)
    with pytest.raises(NewerSchemaError) as info:
        Store.open(db_path)
    message = str(info.value)
    assert f"schema {SCHEMA_VERSION + 5}" in message and "newer version" in message
    assert "not changed" in message
    assert file_digest(db_path) == before
    assert raw_rows(db_path, "PRAGMA user_version") == [(SCHEMA_VERSION + 5,)]


def test_not_a_database_file(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_text("These are my notes, not a database.\n" * 50)
    before = file_digest(db_path)
    with pytest.raises(StoreError) as info:
        Store.open(db_path)
    assert "not an IMR Desktop database" in str(info.value)
    assert file_digest(db_path) == before


def test_read_only_file_opens_read_only_and_refuses_writes(store: Store, db_path: Path) -> None:
    store.add_annotation(make_annotation(store))
    store.close()
    db_path.chmod(0o444)
    try:
        before = file_digest(db_path)
        ro = Store.open(db_path)
        assert ro.read_only is True
        assert len(ro.labels()) == 3
        assert ro.count_annotations(DOC) == 1
        label = ro.labels()[0]
        ann = ro.annotations(DOC)[0]
        attempts = [
            lambda: ro.save_label(label.with_changes(name="Renamed")),
            lambda: ro.add_annotation(make_annotation(ro, 20, 25)),
            lambda: ro.delete_annotation(ann.id),
            lambda: ro.update_annotation(ann.with_changes(note="x")),
            lambda: ro.delete_label(label.id),
            lambda: ro.set_document_status(DOC, "done"),
        ]
        for attempt in attempts:
            with pytest.raises(ReadOnlyStoreError, match="not saved"):
                attempt()
        assert ro.labels()[0].name == "Summary fact"
        assert ro.count_annotations(DOC) == 1
        ro.close()
        assert file_digest(db_path) == before
    finally:
        db_path.chmod(0o644)


def test_read_only_missing_database(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="not found"):
        Store.open(tmp_path / "missing.sqlite", read_only=True)


# --------------------------------------------------------------------------- documents
def test_upsert_document_keeps_status_and_added_at(store: Store) -> None:
    first = store.document(DOC)
    assert first is not None and first.status == "new"
    store.set_document_status(DOC, "done")
    store.upsert_document(DocumentRecord(DOC, "/moved/a.pdf", "pdf", 2, 1234))
    again = store.document(DOC)
    assert again is not None
    assert again.status == "done"
    assert again.path == "/moved/a.pdf"
    assert again.text == TEXT  # a record without text keeps the stored text
    with pytest.raises(ValueError):
        store.set_document_status(DOC, "archived")


def test_first_annotation_marks_document_in_progress(store: Store) -> None:
    store.add_annotation(make_annotation(store))
    doc = store.document(DOC)
    assert doc is not None and doc.status == "in_progress"


# --------------------------------------------------------------------------- tombstones
def test_annotation_delete_is_a_tombstone_and_redo_revives_it(store: Store) -> None:
    ann = make_annotation(store)
    store.add_annotation(ann)
    store.delete_annotation(ann.id)
    assert store.annotations(DOC) == []
    assert store.annotation(ann.id) is None
    assert store.count_annotations() == 0
    row = store.db.execute("SELECT deleted, updated_at FROM annotations WHERE id = ?", [ann.id])
    deleted, updated_at = row.fetchone()
    assert deleted == 1 and updated_at > ann.updated_at
    store.add_annotation(ann)  # redo
    assert [a.id for a in store.annotations(DOC)] == [ann.id]


def test_label_delete_and_restore(store: Store) -> None:
    labels = store.labels()
    a1 = make_annotation(store, 4, 13, label=0)
    a2 = make_annotation(store, 14, 21, label=0)
    other = make_annotation(store, 37, 45, label=1)
    for a in (a1, a2, other):
        store.add_annotation(a)
    ids = store.delete_label(labels[0].id)
    assert sorted(ids) == sorted([a1.id, a2.id])
    assert [lb.name for lb in store.labels()] == ["Decision", "Guideline citation"]
    assert [a.id for a in store.annotations(DOC)] == [other.id]
    assert store.label(labels[0].id) is not None  # still there, as a tombstone
    store.restore_label(labels[0].id, ids)
    assert store.labels()[0].name == "Summary fact"
    assert {a.id for a in store.annotations(DOC)} == {a1.id, a2.id, other.id}


# --------------------------------------------------------------------------- AnnotationSet
@pytest.fixture
def annotations(store: Store) -> AnnotationSet:
    return AnnotationSet(store, DOC, TEXT, "tester")


def test_annotation_set_events(annotations: AnnotationSet, store: Store) -> None:
    events: list[Change] = []
    unsubscribe = annotations.subscribe(events.append)
    label = store.labels()[1]
    ann = annotations.new(37, 52, label, note="outcome")
    assert ann.exact == TEXT[37:52] and ann.annotator == "tester"
    assert ann.prefix == TEXT[5:37] and ann.suffix == TEXT[52:84]

    annotations.add(ann)
    assert [e.kind for e in events] == ["added"] and events[0].annotation == ann
    assert ann.id in annotations and len(annotations) == 1

    changed = ann.with_changes(note="changed")
    annotations.update(changed)
    assert events[-1] == Change("updated", changed, ann)
    assert store.annotation(ann.id) == changed

    removed = annotations.remove(ann.id)
    assert removed == changed
    assert events[-1] == Change("removed", changed)
    assert len(annotations) == 0 and store.annotations(DOC) == []

    unsubscribe()
    annotations.add(ann)
    assert len(events) == 3  # no event after unsubscribing


def test_annotation_set_loads_existing_and_sorts(store: Store) -> None:
    late = make_annotation(store, 37, 45)
    early = make_annotation(store, 4, 13)
    store.add_annotation(late)
    store.add_annotation(early)
    anns = AnnotationSet(store, DOC, TEXT, "tester")
    assert [a.id for a in anns] == [early.id, late.id]
    assert [a.id for a in anns.at(5)] == [early.id]
    assert anns.at(30) == []


def test_failing_write_leaves_memory_untouched(annotations: AnnotationSet, store: Store) -> None:
    ann = annotations.new(4, 13, store.labels()[0])
    annotations.add(ann)
    events: list[Change] = []
    annotations.subscribe(events.append)

    store.read_only = True  # as if the database had become read-only
    with pytest.raises(ReadOnlyStoreError):
        annotations.add(annotations.new(14, 21, store.labels()[0]))
    with pytest.raises(ReadOnlyStoreError):
        annotations.update(ann.with_changes(note="lost"))
    with pytest.raises(ReadOnlyStoreError):
        annotations.remove(ann.id)
    store.read_only = False

    # a write that SQLite itself refuses (a label that does not exist)
    orphan = Annotation.create(
        document=DOC, text=TEXT, start=0, end=3, label_id=new_id(), annotator="t"
    )
    with pytest.raises(StoreError):
        annotations.add(orphan)

    assert events == []
    assert [a.id for a in annotations] == [ann.id]
    assert annotations.get(ann.id) == ann
    assert orphan.id not in annotations
    assert [a.id for a in store.annotations(DOC)] == [ann.id]


def test_annotation_rejects_bad_spans() -> None:
    for start, end in [(5, 5), (6, 5), (-1, 3), (0, len(TEXT) + 1)]:
        with pytest.raises(ValueError):
            Annotation.create(
                document=DOC, text=TEXT, start=start, end=end, label_id="x", annotator="t"
            )


# --------------------------------------------------------------------------- LabelSet
def test_label_set_validate_clashes(store: Store) -> None:
    labels = LabelSet(store)
    summary = labels.by_name("summary fact")
    assert summary is not None and labels.by_hotkey(1) == summary
    assert labels.validate(summary) is None  # a label never clashes with itself
    assert labels.validate(summary.with_changes(name="  Summary FACT ")) is None

    new = labels.new("Diagnosis")
    assert new.hotkey == 4 and new.position == 3
    assert new.color.lower() not in {lb.color.lower() for lb in labels}
    assert labels.validate(new) is None

    assert labels.validate(Label(new_id(), "decision", "#000000")) == (
        "There is already a label called “Decision”."
    )
    assert labels.validate(Label(new_id(), " Decision ", "#000000")) is not None
    assert labels.validate(Label(new_id(), "Other", "#000000", hotkey=2)) == (
        "Hotkey 2 is already used by “Decision”."
    )
    assert labels.validate(Label(new_id(), "   ", "#000000")) == "A label needs a name."
    assert labels.validate(Label(new_id(), "Other", "#000000", hotkey=0)) == (
        "Hotkeys are the digits 1 to 9."
    )
    assert labels.validate(Label(new_id(), "Other", "#000000", hotkey=10)) is not None


def test_label_set_save_reorder_delete_restore(store: Store) -> None:
    labels = LabelSet(store)
    changes: list[int] = []
    labels.subscribe(lambda: changes.append(len(labels)))
    with pytest.raises(ValueError, match="already a label"):
        labels.save(Label(new_id(), "Decision", "#000000"))
    assert len(labels) == 3 and changes == []

    diagnosis = labels.new("Diagnosis")
    labels.save(diagnosis)
    assert [lb.name for lb in labels][-1] == "Diagnosis" and changes == [4]

    ids = [lb.id for lb in labels]
    labels.reorder(list(reversed(ids)))
    assert [lb.id for lb in labels] == list(reversed(ids))
    assert [lb.id for lb in LabelSet(store)] == list(reversed(ids))  # stored

    ann = make_annotation(store, 4, 13, label=[lb.id for lb in store.labels()].index(ids[0]))
    store.add_annotation(ann)
    removed = labels.delete(ids[0])
    assert removed == [ann.id] and len(labels) == 3
    assert labels.get(ids[0]) is not None  # tombstoned labels can still be looked up
    labels.restore(ids[0], removed)
    assert len(labels) == 4 and store.annotation(ann.id) is not None


def test_reopening_a_known_document_writes_nothing(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "a.sqlite")
    doc = DocumentRecord(sha256="ab" * 32, path="/x/a.pdf", kind="pdf", page_count=2, size=10)
    store.upsert_document(doc)
    before = store.conn.total_changes
    store.upsert_document(doc)  # the same letter opened again: no transaction at all
    assert store.conn.total_changes == before
    moved = DocumentRecord(sha256=doc.sha256, path="/y/a.pdf", kind="pdf", page_count=2, size=10)
    store.upsert_document(moved)  # a moved file is recorded
    assert store.conn.total_changes > before
    assert store.document(doc.sha256).path == "/y/a.pdf"
    store.close()
