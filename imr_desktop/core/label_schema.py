"""Label schemas as JSON files: export a database's labels, import them into another.

A team shares one schema file so every laptop tags with the same names, colours and
hotkeys. The file::

    {"format": "imr-desktop.labels", "version": 1,
     "labels": [{"name": "Decision", "color": "#eb5757", "hotkey": 2,
                 "description": "A decision on a disputed item and its outcome."}]}

Import merges by name (case-insensitive): a label with the same name is updated, others
are added at the end, labels not in the file stay. The file's hotkeys win: a label that
is not in the file loses a hotkey the file gives to another label (the plan says so).
``plan_merge`` returns the saves in an order that never breaks the uniqueness rules of
``LabelSet.validate`` on the way, so the UI can push them as undo commands one by one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from imr_desktop.core.model import Label, new_id

FORMAT = "imr-desktop.labels"
VERSION = 1
MAX_NAME = 80
MAX_LABELS = 200
_HEX = re.compile(r"#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


class LabelSchemaError(ValueError):
    """The file is not a label schema we can read; the message says what and where."""


@dataclass(frozen=True, slots=True)
class SchemaLabel:
    name: str
    color: str  # "#rrggbb", lower case
    hotkey: int | None = None
    description: str = ""


@dataclass(slots=True)
class MergePlan:
    steps: list[tuple[Label | None, Label]] = field(default_factory=list)  # (before, after)
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = []
        if self.added:
            parts.append(f"{len(self.added)} added")
        if self.updated:
            parts.append(f"{len(self.updated)} updated")
        if self.unchanged:
            parts.append(f"{len(self.unchanged)} already up to date")
        text = "Labels: " + ", ".join(parts) + "." if parts else "No labels to import."
        return " ".join([text, *self.notes])


# ---------------------------------------------------------------------- reading
def _color(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _HEX.fullmatch(value.strip()):
        raise LabelSchemaError(f"{where}: colour {value!r} is not a colour like #2f80ed.")
    value = value.strip().lower()
    if len(value) == 4:  # "#abc" -> "#aabbcc"
        value = "#" + "".join(c * 2 for c in value[1:])
    return value


def _hotkey(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 9:
        raise LabelSchemaError(f"{where}: hotkey {value!r} is not a digit from 1 to 9 (or null).")
    return value


def _label(item: Any, index: int) -> SchemaLabel:
    where = f"Label {index + 1}"
    if not isinstance(item, dict):
        raise LabelSchemaError(f"{where} is not an object with a name and a colour.")
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise LabelSchemaError(f"{where} has no name.")
    name = " ".join(name.split())
    where = f"Label {index + 1} (“{name}”)"
    if len(name) > MAX_NAME:
        raise LabelSchemaError(f"{where}: the name is longer than {MAX_NAME} characters.")
    if "color" not in item:
        raise LabelSchemaError(f"{where} has no colour.")
    description = item.get("description", "")
    if description is None:
        description = ""
    if not isinstance(description, str):
        raise LabelSchemaError(f"{where}: the description is not text.")
    return SchemaLabel(
        name, _color(item["color"], where), _hotkey(item.get("hotkey"), where), description
    )


def parse_schema(text: str) -> list[SchemaLabel]:
    """The labels of a schema file, validated; LabelSchemaError says what is wrong."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        col = getattr(exc, "colno", None)
        where = f" (line {line}, column {col})" if line else ""
        reason = getattr(exc, "msg", str(exc))
        raise LabelSchemaError(f"The file is not valid JSON{where}: {reason}.") from None
    if not isinstance(data, dict) or not isinstance(data.get("labels"), list):
        raise LabelSchemaError(
            'This is not a label schema: expected an object with a "labels" list.'
        )
    fmt = data.get("format", FORMAT)
    if fmt != FORMAT:
        raise LabelSchemaError(f"This is not a label schema: its format is {fmt!r}.")
    version = data.get("version", VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise LabelSchemaError(f"The schema version {version!r} is not a positive number.")
    if version > VERSION:
        raise LabelSchemaError(
            f"This schema was written by a newer IMR Desktop (schema version {version}); "
            f"this version reads version {VERSION}."
        )
    items = data["labels"]
    if not items:
        raise LabelSchemaError("The schema has no labels.")
    if len(items) > MAX_LABELS:
        raise LabelSchemaError(f"The schema has {len(items)} labels; at most {MAX_LABELS}.")
    labels = [_label(item, i) for i, item in enumerate(items)]
    names: dict[str, int] = {}
    keys: dict[int, str] = {}
    for i, label in enumerate(labels):
        folded = label.name.casefold()
        if folded in names:
            raise LabelSchemaError(
                f"Labels {names[folded] + 1} and {i + 1} are both called “{label.name}”."
            )
        names[folded] = i
        if label.hotkey is not None:
            if label.hotkey in keys:
                raise LabelSchemaError(
                    f"Hotkey {label.hotkey} is given to both “{keys[label.hotkey]}” "
                    f"and “{label.name}”."
                )
            keys[label.hotkey] = label.name
    return labels


# ---------------------------------------------------------------------- writing
def dump_schema(labels: Iterable[Label]) -> str:
    """The schema of ``labels`` (in their order) as JSON text, ending with a newline."""
    ordered = sorted(labels, key=lambda lb: (lb.position, lb.name.casefold()))
    data = {
        "format": FORMAT,
        "version": VERSION,
        "labels": [
            {
                "name": lb.name,
                "color": lb.color.lower(),
                "hotkey": lb.hotkey,
                "description": lb.description,
            }
            for lb in ordered
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------- merging
def plan_merge(
    existing: Iterable[Label],
    incoming: list[SchemaLabel],
    make_id: Callable[[], str] = new_id,
) -> MergePlan:
    """The saves that merge ``incoming`` into ``existing`` by name (see module doc)."""
    current = list(existing)
    by_name = {lb.name.casefold(): lb for lb in current}
    claimed = {s.hotkey: s.name for s in incoming if s.hotkey is not None}
    incoming_names = {s.name.casefold() for s in incoming}
    plan = MergePlan()
    final: dict[str, Label] = {}  # label id -> label after the import
    position = max((lb.position for lb in current), default=-1) + 1

    for label in current:  # labels the file does not name keep all but a claimed hotkey
        if label.name.casefold() in incoming_names:
            continue
        if label.hotkey is not None and label.hotkey in claimed:
            final[label.id] = label.with_changes(hotkey=None)
            plan.notes.append(
                f"“{label.name}” lost hotkey {label.hotkey} to “{claimed[label.hotkey]}”."
            )
    for item in incoming:
        old = by_name.get(item.name.casefold())
        if old is None:
            final_label = Label(
                make_id(), item.name, item.color, item.hotkey, item.description, position
            )
            position += 1
            plan.added.append(item.name)
        else:
            wanted = (item.name, item.color, item.hotkey, item.description)
            if (old.name, old.color.lower(), old.hotkey, old.description) == wanted:
                plan.unchanged.append(old.name)
                continue
            final_label = old.with_changes(
                name=item.name, color=item.color, hotkey=item.hotkey, description=item.description
            )
            plan.updated.append(item.name)
        final[final_label.id] = final_label

    # first free every hotkey that moves, then write the final labels: no step ever
    # gives two labels the same hotkey
    before = {lb.id: lb for lb in current}
    for label_id, after in final.items():
        old = before.get(label_id)
        if old is not None and old.hotkey is not None and old.hotkey != after.hotkey:
            freed = old.with_changes(hotkey=None)
            plan.steps.append((old, freed))
            before[label_id] = freed
    for label_id, after in final.items():
        old = before.get(label_id)
        if old is None or _fields(old) != _fields(after):
            plan.steps.append((old, after))
    return plan


def _fields(label: Label) -> tuple[object, ...]:
    return (label.name, label.color.lower(), label.hotkey, label.description, label.position)
