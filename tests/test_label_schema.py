"""Label schema files: export/import round trip, merge by name, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imr_desktop.core.label_schema import (
    LabelSchemaError,
    SchemaLabel,
    dump_schema,
    parse_schema,
    plan_merge,
)
from imr_desktop.core.labels import LabelSet
from imr_desktop.core.store import Store


@pytest.fixture
def labels(tmp_path: Path) -> LabelSet:
    return LabelSet(Store.open(tmp_path / "a.sqlite"))


def _apply(labels: LabelSet, text: str) -> str:
    plan = plan_merge(list(labels), parse_schema(text))
    for _before, after in plan.steps:
        labels.save(after)  # raises if a step breaks the name/hotkey rules
    return plan.summary()


def _view(labels: LabelSet) -> list[tuple[str, str, int | None, str]]:
    return [(lb.name, lb.color, lb.hotkey, lb.description) for lb in labels]


def test_export_then_import_into_an_empty_database(labels: LabelSet, tmp_path: Path) -> None:
    extra = labels.new("Treatment requested")
    labels.save(extra.with_changes(color="#00a3a3", description="What the doctor asked for"))
    text = dump_schema(labels)
    data = json.loads(text)
    assert data["format"] == "imr-desktop.labels" and data["version"] == 1
    assert [item["name"] for item in data["labels"]] == [
        "Summary fact",
        "Decision",
        "Guideline citation",
        "Treatment requested",
    ]

    other = LabelSet(Store.open(tmp_path / "b.sqlite"))
    for label in list(other):  # start from nothing
        other.delete(label.id)
    summary = _apply(other, text)
    assert _view(other) == _view(labels)
    assert "4 added" in summary
    # importing the same file again changes nothing
    again = plan_merge(list(other), parse_schema(text))
    assert again.steps == [] and len(again.unchanged) == 4


def test_import_merges_by_name_and_its_hotkeys_win(labels: LabelSet) -> None:
    schema = {
        "format": "imr-desktop.labels",
        "version": 1,
        "labels": [
            # same label, other case, new colour, takes hotkey 1 from "Summary fact"
            {"name": "decision", "color": "#AA0000", "hotkey": 1, "description": "D"},
            {"name": "Dosage", "color": "#0a0", "hotkey": 2},
        ],
    }
    summary = _apply(labels, json.dumps(schema))
    assert _view(labels) == [
        ("Summary fact", "#2f80ed", None, "A fact from the clinical case summary."),
        ("decision", "#aa0000", 1, "D"),
        ("Guideline citation", "#f2a93b", 3, "A cited guideline: MTUS, ACOEM, ODG or other."),
        ("Dosage", "#00aa00", 2, ""),
    ]
    assert "1 added" in summary and "1 updated" in summary
    assert "“Summary fact” lost hotkey 1 to “decision”" in summary


def test_swapped_hotkeys_apply_without_a_clash(labels: LabelSet) -> None:
    text = json.dumps(
        {
            "labels": [
                {"name": "Summary fact", "color": "#2f80ed", "hotkey": 2},
                {"name": "Decision", "color": "#eb5757", "hotkey": 1},
            ]
        }
    )
    _apply(labels, text)
    assert {lb.name: lb.hotkey for lb in labels} == {
        "Summary fact": 2,
        "Decision": 1,
        "Guideline citation": 3,
    }


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("{not json", "not valid JSON (line 1, column 2)"),
        ("[1, 2]", 'expected an object with a "labels" list'),
        ('{"labels": []}', "has no labels"),
        ('{"format": "labelstudio", "labels": [{}]}', "its format is 'labelstudio'"),
        ('{"version": 9, "labels": [{}]}', "newer IMR Desktop"),
        ('{"labels": [{"color": "#fff"}]}', "Label 1 has no name"),
        ('{"labels": [{"name": "A"}]}', "Label 1 (“A”) has no colour"),
        ('{"labels": [{"name": "A", "color": "red"}]}', "colour 'red' is not a colour"),
        ('{"labels": [{"name": "A", "color": "#fff", "hotkey": 0}]}', "hotkey 0 is not a digit"),
        ('{"labels": [{"name": "A", "color": "#fff", "hotkey": true}]}', "hotkey True"),
        (
            '{"labels": [{"name": "A", "color": "#fff"}, {"name": " a ", "color": "#000"}]}',
            "Labels 1 and 2 are both called “a”",
        ),
        (
            '{"labels": [{"name": "A", "color": "#fff", "hotkey": 4},'
            ' {"name": "B", "color": "#000", "hotkey": 4}]}',
            "Hotkey 4 is given to both “A” and “B”",
        ),
    ],
)
def test_bad_files_get_a_clear_message(text: str, needle: str) -> None:
    with pytest.raises(LabelSchemaError) as info:
        parse_schema(text)
    assert needle in str(info.value)


def test_short_colours_and_missing_fields_are_filled_in() -> None:
    assert parse_schema('{"labels": [{"name": "  Two   words ", "color": "#ABC"}]}') == [
        SchemaLabel("Two words", "#aabbcc", None, "")
    ]
