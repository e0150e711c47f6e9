"""Reading annotations back: our own JSONL and Label Studio JSON exports.

Documents missing from the database are created from the record (id, text and the
metadata the export carried; a task without our id is keyed by the sha256 of its UTF-8
text, as the same text saved as a file would be). Labels are matched by name and created
when missing. An annotation already in the database is replaced only by a newer version
(``updated_at``), so importing twice, or merging exports, is safe. The whole import
is one transaction, so a bad record halfway imports nothing.

Label Studio offsets: current versions count code points; older ones counted UTF-16
code units, which drift after characters outside the BMP. An offset whose quote does not
match is retried as UTF-16 before being reported.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imr_desktop.core.exports.base import ExportError, Report
from imr_desktop.core.labels import LabelSet
from imr_desktop.core.model import (
    ORIGIN_MANUAL,
    ORIGIN_SUGGESTED,
    QUOTE_CONTEXT,
    Annotation,
    DocumentRecord,
    new_id,
    now_iso,
)
from imr_desktop.core.store import Store

IMPORT_FORMATS = ("jsonl", "labelstudio")


@dataclass(slots=True)
class ImportResult:
    documents: int = 0
    documents_created: int = 0
    annotations: int = 0
    unchanged: int = 0
    labels_created: list[str] = field(default_factory=list)
    report: Report = field(default_factory=Report)


@dataclass(slots=True)
class _Span:
    start: int
    end: int
    label: str
    quote: str | None
    id: str | None = None
    note: str = ""
    annotator: str = ""
    origin: str = ORIGIN_MANUAL
    created_at: str | None = None
    updated_at: str | None = None


@dataclass(slots=True)
class _Doc:
    id: str | None
    text: str
    meta: dict[str, Any]
    spans: list[_Span]
    where: str  # "line 3" / "task 2", for messages


def import_annotations(store: Store, path: str | Path, fmt: str) -> ImportResult:
    path = Path(path)
    if fmt not in IMPORT_FORMATS:
        raise ExportError(f"Unknown import format {fmt!r}; choose jsonl or labelstudio.")
    if store.read_only:
        raise ExportError(f"The database {store.path} is read-only; nothing was imported.")
    if not path.is_file():
        raise ExportError(f"File not found: {path}")
    docs = _read_jsonl(path) if fmt == "jsonl" else _read_labelstudio(path)
    result = ImportResult()
    labels = LabelSet(store)
    try:
        # all or nothing: a bad record halfway leaves the database as it was
        with store.db.atomic():
            for doc in docs:
                _import_doc(store, labels, doc, result)
            if result.documents == 0:
                raise ExportError(f"{path} holds no documents to import.")
    except sqlite3.Error as exc:
        raise ExportError(
            f"Could not write to {store.path}: {exc}; nothing was imported."
        ) from None
    return result


# --------------------------------------------------------------------------- readers
def _read_jsonl(path: Path) -> Iterator[_Doc]:
    with path.open(encoding="utf-8-sig") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                text = row["text"]
                spans = [
                    _Span(
                        int(s["start"]),
                        int(s["end"]),
                        str(s["label"]),
                        s.get("text"),
                        s.get("id"),
                        s.get("note") or "",
                        s.get("annotator") or "",
                        s.get("origin") or ORIGIN_MANUAL,
                        s.get("created_at") or None,
                        s.get("updated_at") or None,
                    )
                    for s in row.get("spans") or ()
                ]
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                raise ExportError(
                    f"{path.name} line {n} is not an IMR Desktop JSONL record ({exc})."
                ) from None
            if not isinstance(text, str):
                raise ExportError(f"{path.name} line {n}: 'text' is not a string.")
            yield _Doc(row.get("id"), text, row.get("meta") or {}, spans, f"line {n}")


def _read_labelstudio(path: Path) -> Iterator[_Doc]:
    try:
        with path.open(encoding="utf-8-sig") as f:
            tasks = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ExportError(f"{path.name} is not a Label Studio JSON export ({exc}).") from None
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list):
        raise ExportError(f"{path.name} is not a Label Studio JSON export (no task list).")
    for n, task in enumerate(tasks, start=1):
        data = task.get("data") if isinstance(task, dict) else None
        text = data.get("text") if isinstance(data, dict) else None
        if not isinstance(text, str):
            raise ExportError(f"{path.name} task {n} has no data.text; is it a text project?")
        spans: list[_Span] = []
        for ann in task.get("annotations") or task.get("completions") or ():
            if ann.get("was_cancelled"):
                continue
            spans.extend(_ls_regions(ann, ORIGIN_MANUAL))
        for pred in task.get("predictions") or ():
            spans.extend(_ls_regions(pred, ORIGIN_SUGGESTED))
        meta = {k: v for k, v in data.items() if k not in ("text", "document")}
        yield _Doc(data.get("document"), text, meta, spans, f"task {n}")


def _ls_user(ann: dict[str, Any]) -> str:
    user = ann.get("completed_by")
    if isinstance(user, dict):
        return str(user.get("email") or user.get("id") or "")
    if user is not None:
        return f"labelstudio-user-{user}"
    return str(ann.get("created_username") or "")


def _ls_regions(ann: dict[str, Any], origin: str) -> Iterator[_Span]:
    results = ann.get("result") or []
    notes = {
        r.get("id"): "\n".join(r.get("value", {}).get("text") or [])
        for r in results
        if r.get("type") == "textarea" and r.get("id")
    }
    for r in results:
        value = r.get("value") or {}
        if r.get("type") != "labels" or "start" not in value or not value.get("labels"):
            continue
        extra = r.get("imr") or {}
        note = "\n".join((r.get("meta") or {}).get("text") or []) or notes.get(r.get("id"), "")
        yield _Span(
            int(value["start"]),
            int(value["end"]),
            str(value["labels"][0]),
            value.get("text"),
            r.get("id") if extra else None,  # LS's short region ids are not UUIDs
            note,
            extra.get("annotator") or _ls_user(ann) or "labelstudio",
            extra.get("origin") or origin,
            extra.get("created_at") or ann.get("created_at"),
            extra.get("updated_at") or ann.get("updated_at"),
        )


# --------------------------------------------------------------------------- writing
def _utf16_to_codepoints(text: str, offset: int) -> int:
    units = 0
    for i, c in enumerate(text):
        if units >= offset:
            return i
        units += 2 if ord(c) > 0xFFFF else 1
    return len(text)


def _align(text: str, span: _Span) -> tuple[int, int] | None:
    s, e = span.start, span.end
    if 0 <= s < e <= len(text) and (span.quote is None or text[s:e] == span.quote):
        return s, e
    s16, e16 = _utf16_to_codepoints(text, s), _utf16_to_codepoints(text, e)
    if s16 < e16 and span.quote is not None and text[s16:e16] == span.quote:
        return s16, e16
    return None


def _ensure_document(store: Store, doc: _Doc, result: ImportResult) -> str | None:
    sha = doc.id or hashlib.sha256(doc.text.encode("utf-8")).hexdigest()
    existing = store.document(sha)
    if existing is not None:
        if existing.text is not None and existing.text != doc.text:
            result.report.problem(
                "text_differs",
                f"{doc.where}: document {sha[:12]} is in the database with a different "
                "text (re-extracted?); its annotations were not imported.",
            )
            return None
        if existing.text is not None:
            return sha
    meta = doc.meta
    kind = meta.get("kind") if meta.get("kind") in ("pdf", "text") else "text"
    store.upsert_document(
        DocumentRecord(
            sha256=sha,
            path=str(meta.get("path") or f"imported:{sha}"),
            kind=kind,
            page_count=int(meta.get("page_count") or 0),
            size=int(meta.get("size") or len(doc.text.encode("utf-8"))),
            text=doc.text,
            text_sha256=hashlib.sha256(doc.text.encode("utf-8")).hexdigest(),
            extractor_version=str(meta.get("extractor_version") or "imported"),
        )
    )
    if existing is None:
        result.documents_created += 1
        if meta.get("status") in ("in_progress", "done"):
            store.set_document_status(sha, meta["status"])
    return sha


def _import_doc(store: Store, labels: LabelSet, doc: _Doc, result: ImportResult) -> None:
    result.documents += 1
    sha = _ensure_document(store, doc, result)
    if sha is None:
        return
    text = doc.text
    rows: list[Annotation] = []
    for span in doc.spans:
        where = _align(text, span)
        if where is None:
            result.report.problem(
                "misaligned",
                f"{doc.where} [{span.start}, {span.end}) {span.label!r}: the quote "
                f"{span.quote!r} is not at these offsets in the text; not imported.",
            )
            continue
        start, end = where
        label = labels.by_name(span.label)
        if label is None:
            label = labels.new(span.label)
            labels.save(label)
            result.labels_created.append(label.name)
        now = now_iso()
        rows.append(
            Annotation(
                id=span.id or new_id(),
                document=sha,
                label_id=label.id,
                start=start,
                end=end,
                exact=text[start:end],
                prefix=text[max(0, start - QUOTE_CONTEXT) : start],
                suffix=text[end : end + QUOTE_CONTEXT],
                note=span.note,
                annotator=span.annotator,
                origin=span.origin
                if span.origin in (ORIGIN_MANUAL, ORIGIN_SUGGESTED)
                else ORIGIN_MANUAL,
                created_at=span.created_at or now,
                updated_at=span.updated_at or now,
            )
        )
    for ann in rows:
        old = store.db.execute("SELECT updated_at FROM annotations WHERE id = ?", [ann.id])
        row = old.fetchone()
        if row is not None and (row[0] or "") >= ann.updated_at:
            result.unchanged += 1  # we already have this version or a newer one
            continue
        store.add_annotation(ann)  # a savepoint inside the import's transaction
        result.annotations += 1
