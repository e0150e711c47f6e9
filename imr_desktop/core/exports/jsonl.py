"""JSONL: one record per document, ``{"id", "text", "spans", "meta", "structure"}``.

Offsets are code points, ``end`` exclusive, so ``text[start:end] == span["text"]`` in
Python; ``datasets.load_dataset("json", data_files=...)`` reads the file as it is.
"""

from __future__ import annotations

import json
from pathlib import Path

from imr_desktop.core.exports.base import AtomicOutputs, DocRecord, LabelInfo, Report, Writer


class JsonlWriter(Writer):
    suffix = ".jsonl"

    def __init__(
        self, out: Path, outputs: AtomicOutputs, labels: list[LabelInfo], report: Report
    ) -> None:
        super().__init__(out, outputs, labels, report)
        self._file = outputs.open(out)

    def write(self, record: DocRecord) -> None:
        self._file.write(dumps(record))
        self._file.write("\n")

    def close(self) -> None:
        self._file.close()


def dumps(record: DocRecord) -> str:
    return json.dumps(record.to_json(), ensure_ascii=False)
