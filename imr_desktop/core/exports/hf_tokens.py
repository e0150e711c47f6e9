"""Tokens and BIO tags as JSONL for Hugging Face ``datasets`` (token classification).

One record per document: ``{"id", "tokens", "ner_tags", "starts", "ends"}``; ``starts``
and ``ends`` are code-point offsets of each token in the document text, so predictions
can be mapped back to the letter.
"""

from __future__ import annotations

import json
from pathlib import Path

from imr_desktop.core.exports.base import AtomicOutputs, DocRecord, LabelInfo, Report, Writer
from imr_desktop.core.exports.tokens import bio_tokens


class HfTokensWriter(Writer):
    suffix = ".jsonl"

    def __init__(
        self, out: Path, outputs: AtomicOutputs, labels: list[LabelInfo], report: Report
    ) -> None:
        super().__init__(out, outputs, labels, report)
        self._file = outputs.open(out)

    def write(self, record: DocRecord) -> None:
        tokens = bio_tokens(record, self.report, "hf-tokens")
        row = {
            "id": record.id,
            "tokens": [t.text for t in tokens],
            "ner_tags": [t.tag for t in tokens],
            "starts": [t.start for t in tokens],
            "ends": [t.end for t in tokens],
        }
        if record.split is not None:
            row["split"] = record.split
        self._file.write(json.dumps(row, ensure_ascii=False) + "\n")

    def close(self) -> None:
        self._file.close()
