"""Streaming documents and their annotations out of the store for the exports.

Two SQL cursors are walked side by side (a merge join on the document sha256), so only
one document and its annotations are in memory at a time, however large the library.
Optional ``documents`` columns added by later schema versions (``structure``) are picked
up when present: add the column name to ``OPTIONAL_JSON_COLUMNS`` and it is exported.
Orphans (annotations re-anchoring could not place) are never exported as spans: they go
to ``DocRecord.orphans`` and are counted in the report.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from imr_desktop.core.exports.base import (
    ORPHAN_PROBLEM,
    DocRecord,
    ExportError,
    LabelInfo,
    Report,
    SpanRecord,
)
from imr_desktop.core.model import ANCHOR_ORPHAN, ORIGIN_MANUAL
from imr_desktop.core.store import Store

# documents columns holding JSON that is exported under the same name when present
OPTIONAL_JSON_COLUMNS: tuple[str, ...] = ("structure",)

META_COLUMNS = (
    "path",
    "kind",
    "page_count",
    "size",
    "text_sha256",
    "extractor_version",
    "status",
)

CASE_NUMBER = re.compile(r"\bCM\d{2}-\d{7}\b")
SHA256 = re.compile(r"^[0-9a-f]{64}$")


def document_columns(store: Store) -> set[str]:
    return {row[1] for row in store.db.execute("PRAGMA table_info(documents)")}


def labels(store: Store) -> list[LabelInfo]:
    return [LabelInfo(lb.id, lb.name, lb.color) for lb in store.labels()]


def _annotation_sql(include_suggestions: bool, where_doc: str) -> str:
    origin = "" if include_suggestions else f" AND a.origin = '{ORIGIN_MANUAL}'"
    # labels that were deleted take their annotations with them (tombstoned together);
    # the join guards against a label deleted by a merge that left annotations live
    return (
        "SELECT a.document, a.id, a.start, a.end, a.exact, a.note, a.annotator, a.origin, "
        "a.created_at, a.updated_at, l.name, l.color, a.anchor_status "
        "FROM annotations a JOIN labels l ON l.id = a.label_id AND l.deleted = 0 "
        f"WHERE a.deleted = 0{origin}{where_doc} ORDER BY a.document, a.start, a.end, a.id"
    )


def count_documents(store: Store, documents: Sequence[str] | None = None) -> int:
    if documents is not None:
        return len(documents)
    return store.db.execute("SELECT count(*) FROM documents WHERE text IS NOT NULL").fetchone()[0]


def iter_records(
    store: Store,
    report: Report,
    *,
    include_suggestions: bool = False,
    documents: Sequence[str] | None = None,
    tick: Callable[[], None] | None = None,
) -> Iterator[DocRecord]:
    """Yield one ``DocRecord`` per exportable document, ordered by sha256.

    Without ``documents`` (the whole library), a document is exported when it has
    annotations or is marked done (reviewed with nothing to label): an unannotated letter
    is not a negative example. Named ``documents`` are exported whatever their state.
    Annotations whose stored quote no longer matches the text, and orphans, are reported
    and left out of the spans; a library document left with no spans is then not
    exported unless it is done (it would read as a letter with nothing to label).
    ``tick`` is called once per document looked at (for progress).
    """
    tick = tick or (lambda: None)
    optional = [c for c in OPTIONAL_JSON_COLUMNS if c in document_columns(store)]
    columns = ", ".join(("sha256", "text", *META_COLUMNS, *optional))
    conn = store.db.conn
    if documents is not None:
        for sha in documents:
            row = conn.execute(f"SELECT {columns} FROM documents WHERE sha256 = ?", [sha])
            doc = row.fetchone()
            if doc is None:
                raise ExportError(f"Document {sha} is not in the database.")
            anns = conn.execute(_annotation_sql(include_suggestions, " AND a.document = ?"), [sha])
            record = _record(doc, list(anns), optional, report)
            tick()
            if record is not None:
                yield record
        return

    missing_text = conn.execute(
        "SELECT count(*) FROM documents d WHERE text IS NULL AND EXISTS "
        "(SELECT 1 FROM annotations a WHERE a.document = d.sha256 AND a.deleted = 0)"
    ).fetchone()[0]
    if missing_text:
        report.problem(
            "no_text",
            f"{missing_text} annotated document(s) have no extracted text yet and were left "
            "out: open each once in IMR Desktop so its text is read.",
        )
    docs = conn.execute(f"SELECT {columns} FROM documents WHERE text IS NOT NULL ORDER BY sha256")
    anns = conn.execute(_annotation_sql(include_suggestions, ""))
    pending = anns.fetchone()
    for doc in docs:
        sha = doc[0]
        rows: list[tuple[Any, ...]] = []
        # annotations of documents without text sort in between: skip past them
        while pending is not None and pending[0] < sha:
            pending = anns.fetchone()
        while pending is not None and pending[0] == sha:
            rows.append(pending)
            pending = anns.fetchone()
        tick()
        done = doc[2 + META_COLUMNS.index("status")] == "done"
        if not rows and not done:
            continue
        record = _record(doc, rows, optional, report)
        if record is not None and (record.spans or done):
            yield record


def _record(
    doc: tuple[Any, ...], rows: list[tuple[Any, ...]], optional: list[str], report: Report
) -> DocRecord | None:
    sha, text = doc[0], doc[1]
    meta = dict(zip(META_COLUMNS, doc[2 : 2 + len(META_COLUMNS)], strict=True))
    if text is None:
        report.problem("no_text", f"{sha[:12]} ({meta['path']}): no extracted text yet; skipped.")
        return None
    extra: dict[str, Any] = {}
    for name, raw in zip(optional, doc[2 + len(META_COLUMNS) :], strict=True):
        extra[name] = json.loads(raw) if raw else None
    spans: list[SpanRecord] = []
    orphans: list[SpanRecord] = []
    for row in rows:
        _doc, ann_id, start, end, exact, note, annotator, origin, created, updated = row[:10]
        label, color, anchor_status = row[10:]
        span = SpanRecord(
            ann_id,
            start,
            end,
            label,
            exact,
            note or "",
            annotator or "",
            origin,
            created_at=created or "",
            updated_at=updated or "",
            color=color,
        )
        if anchor_status == ANCHOR_ORPHAN:
            # its offsets point into an older text: exporting them would mark other words
            report.problem(
                ORPHAN_PROBLEM,
                f"{sha[:12]} annotation {ann_id} {label!r} {exact!r}: not placed in the "
                "letter's current text, so it is not exported as a span or highlight; "
                "re-attach it in IMR Desktop (side panel, “Needs re-attaching”).",
            )
            orphans.append(span)
            continue
        if not (0 <= start < end <= len(text)) or text[start:end] != exact:
            report.problem(
                "stale",
                f"{sha[:12]} annotation {ann_id} [{start}, {end}) {label!r}: its quote "
                f"{exact!r} no longer matches the document text; left out.",
            )
            continue
        spans.append(span)
    return DocRecord(sha, text, spans, meta, structure=extra.get("structure"), orphans=orphans)


# --------------------------------------------------------------------- resolving names
def resolve_documents(store: Store, refs: Sequence[str]) -> list[str]:
    """Turn paths, sha256s (or unique prefixes of 8+) and case numbers into sha256s.

    A case number selects every document whose text (or structure) carries it. Raises
    ``ExportError`` naming the first reference that matches nothing.
    """
    from imr_desktop.core.document import read_source
    from imr_desktop.core.errors import DocumentError

    out: list[str] = []
    conn = store.db.conn
    has_structure = "structure" in document_columns(store)
    for ref in refs:
        key = ref.strip()
        found: list[str] = []
        path = Path(key).expanduser()
        if path.is_file():
            try:
                sha = read_source(path).sha256
            except DocumentError as exc:
                raise ExportError(str(exc)) from None
            if store.document(sha) is None:
                raise ExportError(f"{path} is not in the database (open it in IMR Desktop first).")
            found = [sha]
        elif re.fullmatch(r"[0-9a-fA-F]{8,64}", key):
            found = [
                r[0]
                for r in conn.execute(
                    "SELECT sha256 FROM documents WHERE sha256 LIKE ? ORDER BY sha256",
                    [key.lower() + "%"],
                )
            ]
            if len(found) > 1:
                raise ExportError(f"{key} matches {len(found)} documents; give more of the sha256.")
        elif CASE_NUMBER.fullmatch(key.upper()):
            needle = f"%{key.upper()}%"
            sql = "SELECT sha256 FROM documents WHERE text LIKE ?"
            args = [needle]
            if has_structure:
                sql += " OR structure LIKE ?"
                args.append(needle)
            found = [r[0] for r in conn.execute(sql + " ORDER BY added_at, sha256", args)]
        elif key.endswith((".pdf", ".txt", ".PDF", ".TXT")) or "/" in key:
            raise ExportError(f"File not found: {key}")
        if not found:
            raise ExportError(f"No document in the database matches {key!r}.")
        out.extend(sha for sha in found if sha not in out)
    return out
