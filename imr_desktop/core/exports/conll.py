"""CoNLL-2003 style BIO: ``token -X- _ TAG`` per line, blank lines between sentences.

Each document starts with a ``-DOCSTART- -X- -X- O`` line. Sentences end after ``.``,
``?`` or ``!`` before whitespace, and at blank lines, but never inside a span, so no
entity is cut in two.
"""

from __future__ import annotations

from pathlib import Path

from imr_desktop.core.exports.base import AtomicOutputs, DocRecord, LabelInfo, Report, Writer
from imr_desktop.core.exports.tokens import bio_tokens

SENTENCE_END = {".", "?", "!"}


class ConllWriter(Writer):
    suffix = ".conll"

    def __init__(
        self, out: Path, outputs: AtomicOutputs, labels: list[LabelInfo], report: Report
    ) -> None:
        super().__init__(out, outputs, labels, report)
        self._file = outputs.open(out)

    def write(self, record: DocRecord) -> None:
        text = record.text
        lines = ["-DOCSTART- -X- -X- O", ""]
        tokens = bio_tokens(record, self.report, "CoNLL")
        for i, tok in enumerate(tokens):
            lines.append(f"{tok.text} -X- _ {tok.tag}")
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if nxt is None or nxt.tag.startswith("I-"):
                continue
            gap = text[tok.end : nxt.start]
            if (tok.text in SENTENCE_END and gap) or gap.count("\n") >= 2:
                lines.append("")
        if lines[-1] != "":
            lines.append("")
        self._file.write("\n".join(lines) + "\n")

    def close(self) -> None:
        self._file.close()
