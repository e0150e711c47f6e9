"""The library list: filters, sorting, paging, moving, and the triggers that keep it."""

from __future__ import annotations

from pathlib import Path

import pytest

from imr_desktop.core.library import derive
from imr_desktop.core.library.query import LibraryFilter, LibraryQuery, Sort, facets
from imr_desktop.core.model import ORIGIN_SUGGESTED, Annotation, DocumentRecord
from imr_desktop.core.store import Store
from tests.library_helpers import build_known_library, letter_text

F = LibraryFilter


@pytest.fixture
def lib(tmp_path: Path) -> tuple[Store, dict[str, str]]:
    store = Store.open(tmp_path / "db" / "library.sqlite")
    cases = build_known_library(store, tmp_path / "letters")
    yield store, cases
    store.close()


def cases_of(store: Store, flt: LibraryFilter | None = None, sort: Sort | None = None) -> list:
    q = LibraryQuery(store, flt, sort)
    rows = q.page(0, 100)
    assert q.count() == len(rows)
    return [r.case_number for r in rows]


def annotate(store: Store, sha: str, label: int = 0, who: str = "ana", **kw: object) -> Annotation:
    text = store.document(sha).text
    ann = Annotation.create(
        document=sha,
        text=text,
        start=0,
        end=4,
        label_id=store.labels()[label].id,
        annotator=who,
        **kw,  # type: ignore[arg-type]
    )
    store.add_annotation(ann)
    return ann


# ----------------------------------------------------------------------------- sorting
def test_default_order_is_newest_decision_first(lib) -> None:
    store, _ = lib
    assert cases_of(store) == [
        "CM17-0000003",
        "CM17-0000004",
        "CM16-0000002",
        "CM16-0000001",
        "CM16-0000005",
    ]


@pytest.mark.parametrize(
    ("column", "descending", "expected"),
    [
        ("case_number", False, ["CM16-0000001", "CM16-0000002", "CM16-0000005"]),
        ("case_number", True, ["CM17-0000004", "CM17-0000003", "CM16-0000005"]),
        ("item_count", True, ["CM17-0000003"]),
        ("final_outcome", False, ["CM16-0000002", "CM16-0000005", "CM17-0000003"]),
        ("specialties", False, ["CM16-0000001", "CM17-0000004", "CM16-0000002"]),
    ],
)
def test_sort_by_a_column(lib, column: str, descending: bool, expected: list[str]) -> None:
    store, _ = lib
    assert cases_of(store, sort=Sort(column, descending))[: len(expected)] == expected


def test_sort_refuses_unknown_columns() -> None:
    with pytest.raises(ValueError, match="cannot sort by 'text'"):
        Sort("text")


def test_pages_tile_the_list_without_overlap(lib) -> None:
    store, _ = lib
    q = LibraryQuery(store, sort=Sort("status", False))  # all equal: the doc_id tie-break decides
    pages = [q.page(offset, 2) for offset in (0, 2, 4, 6)]
    assert [len(p) for p in pages] == [2, 2, 1, 0]
    ids = [r.doc_id for page in pages for r in page]
    assert ids == sorted(ids) and len(set(ids)) == 5
    assert q.page(0, 0) == [] and q.page(-1, 5) == []


def test_rows_carry_what_the_table_shows(lib) -> None:
    store, cases = lib
    annotate(store, cases["CM17-0000003"], who="ben")
    annotate(store, cases["CM17-0000003"], who="ana")
    row = LibraryQuery(store).page(0, 1)[0]
    assert row.sha256 == cases["CM17-0000003"]
    assert (row.case_number, row.decision_date, row.final_outcome) == (
        "CM17-0000003",
        "2017-02-10",
        "Partially Overturned",
    )
    assert row.specialties == "Orthopedic Surgery; Pain Management"
    assert (row.item_count, row.categories) == (2, "Physical medicine, Surgery")
    assert (row.status, row.annotation_count, row.annotators) == ("in_progress", 2, "ana, ben")
    assert row.name == "CM17-0000003.txt" and row.layout == "dwc-2016"
    assert row.snippet is None


# ----------------------------------------------------------------------------- filters
@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (F(outcomes=("Overturned",)), {"CM16-0000002", "CM16-0000005"}),
        (
            F(outcomes=("Upheld", "Partially Overturned")),
            {"CM16-0000001", "CM17-0000003", "CM17-0000004"},
        ),
        (F(specialties=("Pain Management",)), {"CM16-0000001", "CM17-0000003"}),
        (F(categories=("surgery",)), {"CM17-0000003"}),
        (F(categories=("home_health", "behavioral_health")), {"CM17-0000004", "CM16-0000005"}),
        (F(decided_from="2017-01-01"), {"CM16-0000002", "CM17-0000003", "CM17-0000004"}),
        (F(decided_from="2017-01-05", decided_to="2017-01-20"), {"CM16-0000002", "CM17-0000004"}),
        (F(decided_to="2016-12-19"), {"CM16-0000001", "CM16-0000005"}),
        (F(search="gabapentin"), {"CM16-0000001", "CM17-0000004"}),
        (
            F(search="gabapentin", outcomes=("Upheld",), specialties=("Internal Medicine",)),
            {"CM17-0000004"},
        ),
        (F(search="gaba* -opioid"), {"CM16-0000001"}),
        (F(search="-gabapentin"), {"CM16-0000002", "CM17-0000003", "CM16-0000005"}),
        (F(search='"medically necessary care"'), {"CM17-0000003"}),
        (F(search="cafe resume"), {"CM16-0000002"}),  # accents and case folded
        (F(search="CM17-0000004"), {"CM17-0000004"}),
        (
            F(search='" * ()'),
            {"CM16-0000001", "CM16-0000002", "CM17-0000003", "CM17-0000004", "CM16-0000005"},
        ),
        (F(search="nonexistentword"), set()),
        (F(statuses=("done",)), set()),
    ],
)
def test_filters(lib, flt: LibraryFilter, expected: set[str]) -> None:
    store, _ = lib
    assert set(cases_of(store, flt)) == expected


def test_status_label_and_annotation_filters_follow_the_store(lib) -> None:
    store, cases = lib
    labels = store.labels()
    annotate(store, cases["CM16-0000001"], label=1)
    annotate(store, cases["CM16-0000002"], label=0)
    store.set_document_status(cases["CM17-0000004"], "done")
    assert set(cases_of(store, F(labels=(labels[1].id,)))) == {"CM16-0000001"}
    assert set(cases_of(store, F(labels=(labels[0].id, labels[1].id)))) == {
        "CM16-0000001",
        "CM16-0000002",
    }
    assert set(cases_of(store, F(statuses=("in_progress",)))) == {"CM16-0000001", "CM16-0000002"}
    assert cases_of(store, F(statuses=("done",))) == ["CM17-0000004"]
    assert set(cases_of(store, F(annotated=False))) == {
        "CM17-0000003",
        "CM17-0000004",
        "CM16-0000005",
    }


def test_added_date_range(lib) -> None:
    store, _ = lib
    today = store.db.execute("SELECT substr(min(added_at), 1, 10) FROM catalog").fetchone()[0]
    assert len(cases_of(store, F(added_from=today, added_to=today))) == 5
    assert cases_of(store, F(added_to="2000-01-01")) == []


# ----------------------------------------------------------------------------- snippets
def test_search_rows_carry_snippets_whose_offsets_point_into_the_text(lib) -> None:
    store, _cases = lib
    rows = LibraryQuery(store, F(search="gabapentin*"), Sort("case_number", False)).page(0, 10)
    assert [r.case_number for r in rows] == ["CM16-0000001", "CM17-0000004"]
    for row in rows:
        text = store.document(row.sha256).text
        snip = row.snippet
        assert snip is not None and snip.hits
        assert snip.text == text[snip.start : snip.end].replace("\n", " ")
        for s, e in snip.hits:
            assert text[s:e].lower().startswith("gabapentin")
        for (s, e), (ls, le) in zip(snip.hits, snip.local_hits(), strict=True):
            assert snip.text[ls:le] == text[s:e]
    assert [text_of(store, rows[1].sha256, h) for h in rows[1].snippet.hits] == [
        "Gabapentin",
        "gabapentinoids",
    ]


def text_of(store: Store, sha: str, span: tuple[int, int]) -> str:
    return store.document(sha).text[span[0] : span[1]]


# ----------------------------------------------------------------------------- moving
def test_next_previous_and_position_in_the_filtered_list(lib) -> None:
    store, cases = lib
    q = LibraryQuery(store, F(outcomes=("Upheld", "Overturned")), Sort("case_number", False))
    order = ["CM16-0000001", "CM16-0000002", "CM16-0000005", "CM17-0000004"]
    assert cases_of(store, q.filter, q.sort) == order
    shas = [cases[c] for c in order]
    assert [q.neighbour(s) for s in shas] == [*shas[1:], None]
    assert [q.neighbour(s, -1) for s in shas] == [None, *shas[:-1]]
    assert [q.row_of(s) for s in shas] == [0, 1, 2, 3]
    # the letter in view no longer matches (its outcome is not in the filter): the
    # neighbours are still those around where it would sort
    outside = cases["CM17-0000003"]
    assert q.row_of(outside) is None and not q.contains(outside)
    assert q.neighbour(outside, -1) == cases["CM16-0000005"]
    assert q.neighbour(outside, 1) == cases["CM17-0000004"]
    desc = LibraryQuery(store, q.filter, Sort("case_number", True))
    assert desc.neighbour(shas[1]) == shas[0] and desc.row_of(shas[0]) == 3


def test_next_unlabeled_skips_labelled_and_done_letters_and_wraps(lib) -> None:
    store, cases = lib
    q = LibraryQuery(store, sort=Sort("case_number", False))
    c = cases
    annotate(store, c["CM16-0000002"])
    store.set_document_status(c["CM16-0000005"], "done")
    # suggestions are not labels yet
    annotate(store, c["CM17-0000003"], origin=ORIGIN_SUGGESTED)
    assert q.next_unlabeled() == c["CM16-0000001"]
    assert q.next_unlabeled(c["CM16-0000001"]) == c["CM17-0000003"]
    assert q.next_unlabeled(c["CM17-0000003"]) == c["CM17-0000004"]
    assert q.next_unlabeled(c["CM17-0000004"]) == c["CM16-0000001"]  # wrapped
    assert q.next_unlabeled(c["CM17-0000004"], wrap=False) is None
    only = LibraryQuery(store, F(search="opioid"))
    assert only.next_unlabeled(c["CM17-0000004"]) is None  # it is the only one


# ----------------------------------------------------------------------------- triggers
def test_annotation_counts_follow_add_and_delete_through_the_store(lib) -> None:
    store, cases = lib
    sha = cases["CM16-0000001"]

    def counts() -> tuple:
        return store.db.execute(
            "SELECT annotation_count, annotators, status FROM catalog WHERE sha256 = ?", [sha]
        ).fetchone()

    assert counts() == (0, "", "new")
    a = annotate(store, sha, who="zoe")
    b = annotate(store, sha, who="ana")
    annotate(store, sha, who="ana", origin=ORIGIN_SUGGESTED)
    assert counts() == (2, "ana, zoe", "in_progress")
    store.delete_annotation(b.id)
    assert counts() == (1, "zoe", "in_progress")
    store.add_annotation(b)  # redo revives the tombstone
    assert counts() == (2, "ana, zoe", "in_progress")
    store.update_annotation(a.with_changes(annotator="ana"))
    assert counts() == (2, "ana", "in_progress")
    store.delete_label(store.labels()[0].id)  # takes its annotations with it
    assert counts() == (0, "", "in_progress")
    store.set_document_status(sha, "done")
    assert counts() == (0, "", "done")


def test_a_letter_opened_in_the_gui_joins_the_library(lib, tmp_path: Path) -> None:
    """The GUI path: upsert without text, then with text, then save_structure."""
    store, _ = lib
    text = letter_text("CM17-0000099", decided="03/03/2017", summary="Baclofen twice.")
    sha = "f" * 64
    record = DocumentRecord(sha, str(tmp_path / "x.pdf"), "pdf", 2, 10, None, None, None)
    store.upsert_document(record)
    assert store.db.execute("SELECT derived_key FROM catalog WHERE sha256 = ?", [sha]).fetchone()
    store.upsert_document(DocumentRecord(sha, record.path, "pdf", 2, 10, text, "t", "v"))
    assert LibraryQuery(store, F(search="baclofen")).count() == 1  # indexed at once
    assert derive.stale_count(store) == 1
    assert derive.sync(store) == 1  # parsed from the text: no structure was stored
    assert cases_of(store, F(search="baclofen")) == ["CM17-0000099"]
    # the GUI then stores the structure: re-derived from it, no parse
    from imr_desktop.core.structure import extract_structure

    structure = extract_structure(text).to_dict()
    structure["final_outcome"] = "Overturned"  # proves the stored structure is what is used
    store.save_structure(sha, structure)
    assert derive.stale_count(store) == 1 and derive.sync(store) == 1
    assert cases_of(store, F(outcomes=("Overturned",), search="baclofen")) == ["CM17-0000099"]
    assert derive.sync(store) == 0  # nothing left to do


def test_a_changed_text_is_reindexed(lib) -> None:
    store, cases = lib
    sha = cases["CM16-0000005"]
    doc = store.document(sha)
    new_text = letter_text("CM16-0000005", summary="Duloxetine was started.")
    store.upsert_document(
        DocumentRecord(sha, doc.path, doc.kind, 0, doc.size, new_text, "t2", "v2")
    )
    assert cases_of(store, F(search="duloxetine")) == ["CM16-0000005"]
    store.db.execute("INSERT INTO catalog_fts (catalog_fts, rank) VALUES ('integrity-check', 1)")


def test_deleting_a_document_removes_it_from_the_library(lib) -> None:
    store, cases = lib
    sha = cases["CM16-0000001"]
    with store.transaction() as db:
        db.execute("DELETE FROM documents WHERE sha256 = ?", [sha])
    assert "CM16-0000001" not in cases_of(store)
    assert cases_of(store, F(search="tramadol")) == []
    assert store.db.execute("SELECT count(*) FROM catalog_items").fetchone() == (5,)
    store.db.execute("INSERT INTO catalog_fts (catalog_fts, rank) VALUES ('integrity-check', 1)")


def test_facets_list_filter_values_with_counts(lib) -> None:
    store, cases = lib
    annotate(store, cases["CM16-0000001"])
    f = facets(store)
    assert f.outcomes == {"Overturned": 2, "Upheld": 2, "Partially Overturned": 1}
    assert f.specialties["Orthopedic Surgery"] == 2 and f.specialties["Psychiatry"] == 1
    assert f.categories == {
        "behavioral_health": 1,
        "diagnostics": 1,
        "home_health": 1,
        "pharmaceuticals": 1,
        "physical_medicine": 1,
        "surgery": 1,
    }
    assert f.statuses == {"in_progress": 1, "new": 4}
    assert f.labels == {store.labels()[0].id: 1}
    assert f.decision_dates == ("2016-12-01", "2017-02-10")


def test_read_only_store_lists_without_writing(lib, tmp_path: Path) -> None:
    store, _ = lib
    path = store.path
    store.close()
    ro = Store.open(path, read_only=True)
    try:
        assert derive.sync(ro) == 0
        assert len(cases_of(ro)) == 5
    finally:
        ro.close()
