"""Statistics on a small library whose every figure is known."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from imr_desktop.core.library import stats
from imr_desktop.core.library.query import LibraryFilter
from imr_desktop.core.model import ORIGIN_SUGGESTED, Annotation
from imr_desktop.core.store import Store
from tests.library_helpers import build_known_library


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store.open(tmp_path / "db" / "library.sqlite")
    cases = build_known_library(store, tmp_path / "letters")
    labels = store.labels()

    def ann(case: str, label: int, who: str, day: str, **kw: object) -> Annotation:
        sha = cases[case]
        a = Annotation.create(
            document=sha,
            text=store.document(sha).text,
            start=0,
            end=4,
            label_id=labels[label].id,
            annotator=who,
            **kw,  # type: ignore[arg-type]
        )
        return replace(a, created_at=f"{day}T10:00:00.000000+00:00")

    for a in (
        ann("CM16-0000001", 0, "ana", "2024-03-01"),
        ann("CM16-0000001", 0, "ana", "2024-03-01"),
        ann("CM16-0000001", 1, "ben", "2024-03-02"),
        ann("CM16-0000002", 0, "ben", "2024-03-02"),
    ):
        store.add_annotation(a)
    store.add_annotations([ann("CM17-0000003", 2, "", "2024-03-02", origin=ORIGIN_SUGGESTED)])
    gone = ann("CM17-0000004", 1, "cy", "2024-03-03")
    store.add_annotation(gone)
    store.delete_annotation(gone.id)
    yield store
    store.close()


def test_counts_and_annotation_figures(store: Store) -> None:
    f = stats.compute(store)
    labels = store.labels()
    assert (f["documents"], f["items"], f["annotations"], f["suggestions_pending"]) == (5, 6, 4, 1)
    assert f["statuses"] == {"in_progress": 3, "new": 2}
    assert f["final_outcomes"] == {"Overturned": 2, "Upheld": 2, "Partially Overturned": 1}
    assert f["annotations_per_label"] == [
        {
            "label_id": labels[0].id,
            "label": labels[0].name,
            "color": labels[0].color,
            "annotations": 3,
            "documents": 2,
        },
        {
            "label_id": labels[1].id,
            "label": labels[1].name,
            "color": labels[1].color,
            "annotations": 1,
            "documents": 1,
        },
    ]
    assert f["annotations_per_annotator"] == [
        {"annotator": "ana", "annotations": 2, "documents": 1},
        {"annotator": "ben", "annotations": 2, "documents": 2},
    ]
    assert f["annotations_per_day"] == [
        {"day": "2024-03-01", "annotations": 2},
        {"day": "2024-03-02", "annotations": 2},
    ]


def test_outcome_rates_by_category_specialty_and_guideline_source(store: Store) -> None:
    f = stats.compute(store)

    def rates(key: str, name: str) -> dict[str, tuple]:
        return {
            r[name]: (r["items"], r["upheld"], r["overturned"], r["overturn_rate"]) for r in f[key]
        }

    assert rates("outcomes_by_category", "category") == {
        "pharmaceuticals": (1, 1, 0, 0.0),
        "physical_medicine": (1, 0, 1, 1.0),
        "diagnostics": (1, 0, 1, 1.0),
        "surgery": (1, 1, 0, 0.0),
        "behavioral_health": (1, 0, 1, 1.0),
        "home_health": (1, 1, 0, 0.0),
    }
    # in DWC's order, with the names people read
    assert [r["name"] for r in f["outcomes_by_category"]][:2] == [
        "Pharmaceuticals",
        "Physical medicine",
    ]
    assert rates("outcomes_by_specialty", "specialty") == {
        "Pain Management": (3, 2, 1, 0.3333),
        "Orthopedic Surgery": (3, 1, 2, 0.6667),
        "Family Practice": (1, 1, 0, 0.0),
        "Internal Medicine": (1, 1, 0, 0.0),
        "Psychiatry": (1, 0, 1, 1.0),
    }
    assert rates("outcomes_by_guideline_source", "source") == {
        "MTUS": (3, 1, 2, 0.6667),
        "ODG": (2, 1, 1, 0.5),
        "ACOEM": (1, 1, 0, 0.0),
    }


def test_figures_for_the_letters_of_a_filter(store: Store) -> None:
    f = stats.compute(store, LibraryFilter(specialties=("Orthopedic Surgery",)))
    assert (f["documents"], f["items"], f["annotations"], f["suggestions_pending"]) == (2, 3, 1, 1)
    assert f["annotations_per_annotator"] == [
        {"annotator": "ben", "annotations": 1, "documents": 1}
    ]
    assert {r["source"] for r in f["outcomes_by_guideline_source"]} == {"ODG", "ACOEM", "MTUS"}
    empty = stats.compute(store, LibraryFilter(search="nonexistentword"))
    assert (empty["documents"], empty["items"], empty["annotations"]) == (0, 0, 0)
    assert empty["outcomes_by_category"] == []


def test_an_empty_library(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "empty.sqlite")
    f = stats.compute(store)
    assert (f["documents"], f["items"], f["annotations"]) == (0, 0, 0)
    assert f["annotations_per_day"] == [] and f["statuses"] == {}
    store.close()
