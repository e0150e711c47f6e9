"""CSV of annotations for spreadsheets: one row per annotation, UTF-8 with a BOM.

The BOM makes Excel read the file as UTF-8. Quotes are written as they are in the text
(no formula escaping), so ``text`` stays equal to the document's ``text[start:end]``.
"""

from __future__ import annotations

import csv
from pathlib import Path

from imr_desktop.core.exports.base import AtomicOutputs, DocRecord, LabelInfo, Report, Writer

COLUMNS = (
    "document",
    "path",
    "annotation",
    "label",
    "start",
    "end",
    "text",
    "note",
    "annotator",
    "origin",
    "created_at",
    "updated_at",
    "split",
)


class CsvWriter(Writer):
    suffix = ".csv"

    def __init__(
        self, out: Path, outputs: AtomicOutputs, labels: list[LabelInfo], report: Report
    ) -> None:
        super().__init__(out, outputs, labels, report)
        self._file = outputs.open(out)
        self._file.write("\ufeff")
        self._csv = csv.writer(self._file)
        self._csv.writerow(COLUMNS)

    def write(self, record: DocRecord) -> None:
        path = record.meta.get("path") or ""
        for s in record.spans:
            self._csv.writerow(
                (
                    record.id,
                    path,
                    s.id,
                    s.label,
                    s.start,
                    s.end,
                    s.text,
                    s.note,
                    s.annotator,
                    s.origin,
                    s.created_at,
                    s.updated_at,
                    record.split or "",
                )
            )

    def close(self) -> None:
        self._file.close()
