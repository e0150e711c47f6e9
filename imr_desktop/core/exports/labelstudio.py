"""Label Studio JSON tasks (human annotations as annotations, suggestions as predictions).

One JSON array of text tasks plus ``<out>.config.xml``, the matching labeling config
(labels with their colours). Offsets are code points, as Label Studio's Text tag counts
them; ``value.text`` repeats the quote so a consumer can check alignment. Label Studio
keeps one annotation per annotator, so manual spans are grouped by annotator. The note
goes in the region's ``meta.text`` (Label Studio's region note); our own fields (the
annotation id, annotator, timestamps) ride along under ``imr`` so an import restores
them exactly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from imr_desktop.core.exports.base import (
    AtomicOutputs,
    DocRecord,
    LabelInfo,
    Report,
    SpanRecord,
    Writer,
)
from imr_desktop.core.model import ORIGIN_SUGGESTED

FROM_NAME = "label"
TO_NAME = "text"
MODEL_VERSION = "imr-desktop-suggestions"


def config_xml(labels: list[LabelInfo]) -> str:
    rows = "\n".join(
        f"    <Label value={quoteattr(lb.name)} background={quoteattr(lb.color)}/>" for lb in labels
    )
    return (
        "<View>\n"
        f'  <Labels name="{FROM_NAME}" toName="{TO_NAME}">\n{rows}\n  </Labels>\n'
        f'  <Text name="{TO_NAME}" value="$text" granularity="symbol"/>\n'
        "</View>\n"
    )


def config_path(out: Path) -> Path:
    return out.with_name(f"{out.stem}.config.xml")


def region(span: SpanRecord) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": span.id,
        "from_name": FROM_NAME,
        "to_name": TO_NAME,
        "type": "labels",
        "origin": "prediction" if span.origin == ORIGIN_SUGGESTED else "manual",
        "value": {"start": span.start, "end": span.end, "text": span.text, "labels": [span.label]},
        "imr": {
            "annotator": span.annotator,
            "origin": span.origin,
            "created_at": span.created_at,
            "updated_at": span.updated_at,
        },
    }
    if span.note:
        item["meta"] = {"text": [span.note]}
    return item


def task(record: DocRecord) -> dict[str, Any]:
    by_annotator: dict[str, list[SpanRecord]] = {}
    suggested: list[SpanRecord] = []
    for s in record.spans:
        if s.origin == ORIGIN_SUGGESTED:
            suggested.append(s)
        else:
            by_annotator.setdefault(s.annotator, []).append(s)
    data = {"text": record.text, "document": record.id, **record.meta}
    if record.split is not None:
        data["split"] = record.split
    out: dict[str, Any] = {
        "data": data,
        "annotations": [
            {"result": [region(s) for s in spans]}
            for _annotator, spans in sorted(by_annotator.items())
        ],
    }
    if suggested:
        out["predictions"] = [
            {"model_version": MODEL_VERSION, "result": [region(s) for s in suggested]}
        ]
    return out


class LabelStudioWriter(Writer):
    suffix = ".json"

    def __init__(
        self, out: Path, outputs: AtomicOutputs, labels: list[LabelInfo], report: Report
    ) -> None:
        super().__init__(out, outputs, labels, report)
        self._file = outputs.open(out)
        self._file.write("[")
        self._first = True

    @classmethod
    def write_shared(cls, out: Path, outputs: AtomicOutputs, labels: list[LabelInfo]) -> None:
        with outputs.open(config_path(out)) as f:
            f.write(config_xml(labels))

    def write(self, record: DocRecord) -> None:
        self._file.write("\n" if self._first else ",\n")
        self._first = False
        self._file.write(json.dumps(task(record), ensure_ascii=False))

    def close(self) -> None:
        self._file.write("\n]\n")
        self._file.close()
