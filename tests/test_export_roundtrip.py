"""Exporting and importing back restores identical annotations; foreign Label Studio
exports are read with their offsets checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imr_desktop.core.exports import export
from imr_desktop.core.exports.base import ExportError
from imr_desktop.core.exports.importers import import_annotations
from imr_desktop.core.store import Store
from tests.test_export_formats import library  # noqa: F401  (fixture)


def snapshot(store: Store) -> set[tuple]:
    rows = store.db.execute(
        "SELECT a.id, a.document, l.name, a.start, a.end, a.exact, a.prefix, a.suffix, a.note, "
        "a.annotator, a.origin, a.created_at, a.updated_at FROM annotations a "
        "JOIN labels l ON l.id = a.label_id WHERE a.deleted = 0"
    )
    return set(rows)


def documents(store: Store) -> set[tuple]:
    return set(
        store.db.execute("SELECT sha256, text, text_sha256, kind, page_count FROM documents")
    )


@pytest.mark.parametrize(("fmt", "name"), [("jsonl", "x.jsonl"), ("labelstudio", "x.json")])
def test_round_trip_into_an_empty_database(
    library: dict,  # noqa: F811
    tmp_path: Path,
    fmt: str,
    name: str,
) -> None:
    src = library["store"]
    export(src, fmt, tmp_path / name, include_suggestions=True)
    dst = Store.open(tmp_path / "empty.sqlite")
    result = import_annotations(dst, tmp_path / name, fmt)
    assert result.report.problem_count == 0, result.report.messages
    assert snapshot(dst) == snapshot(src)
    exported = {d for d in documents(src) if d[0] in library["texts"]}
    assert documents(dst) == exported
    # a second import changes nothing
    again = import_annotations(dst, tmp_path / name, fmt)
    assert again.annotations == 0 and again.unchanged == len(snapshot(src))
    assert snapshot(dst) == snapshot(src)


def test_import_keeps_newer_local_edits(library: dict, tmp_path: Path) -> None:  # noqa: F811
    store = library["store"]
    export(store, "jsonl", tmp_path / "x.jsonl")
    ann = store.annotation(library["anns"][0].id)
    assert ann is not None
    store.update_annotation(ann.with_changes(note="edited after the export"))
    import_annotations(store, tmp_path / "x.jsonl", "jsonl")
    kept = store.annotation(ann.id)
    assert kept is not None and kept.note == "edited after the export"


def test_foreign_label_studio_export_with_utf16_offsets(tmp_path: Path) -> None:
    text = "Note 😀😀 then Tramadol 50mg: Upheld.\n"
    start = text.index("Tramadol")
    utf16 = len(text[:start].encode("utf-16-le")) // 2
    tasks = [
        {
            "id": 7,
            "data": {"text": text},
            "annotations": [
                {
                    "completed_by": 3,
                    "result": [
                        {
                            "id": "aB3xY",
                            "from_name": "label",
                            "to_name": "text",
                            "type": "labels",
                            "value": {
                                "start": utf16,
                                "end": utf16 + 8,
                                "text": "Tramadol",
                                "labels": ["Medication"],
                            },
                            "meta": {"text": ["check dose"]},
                        },
                        {
                            "id": "zz",
                            "from_name": "label",
                            "to_name": "text",
                            "type": "labels",
                            "value": {"start": 0, "end": 4, "text": "Nope", "labels": ["X"]},
                        },
                    ],
                }
            ],
        }
    ]
    path = tmp_path / "ls.json"
    path.write_text(json.dumps(tasks), encoding="utf-8")
    store = Store.open(tmp_path / "db.sqlite")
    result = import_annotations(store, path, "labelstudio")
    assert result.documents_created == 1 and result.annotations == 1
    assert result.labels_created == ["Medication"]
    assert result.report.problems == {"misaligned": 1}
    (ann,) = store.annotations(result_doc := next(iter(documents(store)))[0])
    assert result_doc
    assert text[ann.start : ann.end] == "Tramadol" == ann.exact
    assert ann.note == "check dose" and ann.annotator == "labelstudio-user-3"


def test_import_rejects_garbage_clearly(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "db.sqlite")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x"}\nnot json\n')
    with pytest.raises(ExportError, match="line 2"):
        import_annotations(store, bad, "jsonl")
    assert documents(store) == set()  # line 1 was fine, but nothing was kept
    with pytest.raises(ExportError, match="not a Label Studio"):
        import_annotations(store, bad, "labelstudio")
    with pytest.raises(ExportError, match="not found"):
        import_annotations(store, tmp_path / "nope.json", "labelstudio")
