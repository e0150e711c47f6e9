"""Qt-free exports of annotations: training data formats, case packets, and imports.

``export()`` streams the library through one writer per output (one per split), so the
memory it needs does not grow with the number of documents.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from imr_desktop.core.exports import records
from imr_desktop.core.exports.base import (
    AtomicOutputs,
    DocRecord,
    ExportCancelled,
    ExportError,
    Report,
    Writer,
    check_cancelled,
    with_suffix_part,
)
from imr_desktop.core.exports.deid import deidentify as deid
from imr_desktop.core.exports.split import assign, parse_split
from imr_desktop.core.store import Store

# format name -> (module, writer class); modules are imported only when used
FORMATS: dict[str, tuple[str, str]] = {
    "jsonl": ("jsonl", "JsonlWriter"),
    "spacy": ("spacy_format", "SpacyWriter"),
    "conll": ("conll", "ConllWriter"),
    "hf-tokens": ("hf_tokens", "HfTokensWriter"),
    "labelstudio": ("labelstudio", "LabelStudioWriter"),
    "webanno": ("webanno", "WebAnnoWriter"),
    "csv": ("csv_format", "CsvWriter"),
}

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

__all__ = ["FORMATS", "ExportCancelled", "ExportError", "ExportResult", "export", "writer_class"]


@dataclass(slots=True)
class ExportResult:
    report: Report
    paths: list[Path] = field(default_factory=list)


def writer_class(fmt: str) -> type[Writer]:
    if fmt not in FORMATS:
        raise ExportError(f"Unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}.")
    module, name = FORMATS[fmt]
    return getattr(importlib.import_module(f"imr_desktop.core.exports.{module}"), name)


def export(
    store: Store,
    fmt: str,
    out: str | Path,
    *,
    include_suggestions: bool = False,
    split: str | None = None,
    deidentify: bool = False,
    documents: Sequence[str] | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ExportResult:
    """Write the library (or ``documents``, as sha256s) as ``fmt`` to ``out``.

    With ``split`` ("80/10/10"), ``out`` names the family: ``x.jsonl`` becomes
    ``x.train.jsonl``, ``x.dev.jsonl`` and ``x.test.jsonl``. Nothing is written unless
    the whole export succeeds. ``progress(done, total)`` is called once per document
    looked at; ``cancelled()`` is asked as often, and when it answers True the export
    stops with ``ExportCancelled`` and leaves no file behind.
    """
    cls = writer_class(fmt)
    if deidentify and not cls.supports_deidentify:
        raise ExportError(
            f"--deidentify does not apply to {fmt}: its annotations point into the "
            "original documents, which are not de-identified."
        )
    parts = parse_split(split) if split else None
    out = Path(out)
    if store.db.execute("SELECT count(*) FROM documents").fetchone()[0] == 0:
        raise ExportError(f"The database {store.path} has no documents; nothing to export.")
    labels = records.labels(store)
    report = Report()
    total = records.count_documents(store, documents)
    seen = 0

    def tick() -> None:
        nonlocal seen
        seen += 1
        if progress is not None:
            progress(seen, total)
        check_cancelled(cancelled)

    def prepared() -> Iterator[DocRecord]:
        for record in records.iter_records(
            store, report, include_suggestions=include_suggestions, documents=documents, tick=tick
        ):
            if parts is not None:
                # by the original sha256, so a document keeps its split across exports
                record.split = assign(record.id, parts)
            yield deid(record) if deidentify else record

    with AtomicOutputs() as outputs:
        cls.write_shared(out, outputs, labels)
        writers: dict[str | None, Writer] = {}
        try:
            if parts is None:
                writers[None] = cls(out, outputs, labels, report)
            for name, _ in parts or ():
                writers[name] = cls(with_suffix_part(out, name), outputs, labels, report)
            for record in prepared():
                writers[record.split].write(record)
                report.documents += 1
                report.spans += len(record.spans)
            if report.documents == 0:
                raise ExportError(
                    "Nothing to export: no document has annotations"
                    + ("" if include_suggestions else " (suggestions need --include-suggestions)")
                    + " or is marked done."
                    + (
                        f" {report.orphans} annotation(s) are not placed in their letter's "
                        "text and need re-attaching in IMR Desktop first."
                        if report.orphans
                        else ""
                    )
                )
            for writer in writers.values():
                writer.close()
            check_cancelled(cancelled)  # closing a large .spacy file takes a moment
        except BaseException:
            for writer in writers.values():
                writer.discard()
            raise
        paths = outputs.commit()
    return ExportResult(report, paths)
