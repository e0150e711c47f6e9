"""Storing a letter's library values, and keeping them current.

``write`` stores the values of ``record.from_structure``; ``sync`` re-derives the rows the
triggers marked stale (text or structure changed, e.g. saved by the GUI) and reclassifies
every item when the classifier's rules changed.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable
from typing import Any

from imr_desktop.core.library import categories, schema
from imr_desktop.core.library.record import (
    EMPTY,
    Derived,
    category_names,
    from_letter,
    from_structure,
)
from imr_desktop.core.store import Store

_META_CLASSIFIER = "classifier_version"


def write(conn: sqlite3.Connection, sha256: str, derived: Derived, *, new: bool = False) -> None:
    """Store the derived values of a document already in ``catalog`` (inside a
    transaction); ``new`` when it was just inserted (nothing to replace)."""
    row = conn.execute(
        "UPDATE catalog SET case_number = ?, decision_date = ?, final_outcome = ?, "
        "specialties = ?, item_count = ?, categories = ?, layout = ?, derived_key = ? "
        "WHERE sha256 = ? RETURNING doc_id",
        [*_columns(derived), sha256],
    ).fetchone()
    if row is None:
        return
    doc_id = row[0]
    if not new:
        for child in ("catalog_items", "catalog_specialties", "catalog_guidelines"):
            conn.execute(f"DELETE FROM {child} WHERE doc_id = ?", [doc_id])
    _write_children(conn, doc_id, derived)


def insert(
    conn: sqlite3.Connection, sha256: str, path: str, added_at: str, derived: Derived
) -> int:
    """The catalog row of a document about to be inserted, whole (inside the
    transaction that inserts it, before it): returns its ``doc_id``.

    The import writes the catalog row first, so the ``documents`` insert trigger finds
    it (``INSERT OR IGNORE``) instead of inserting an empty row that ``write`` would then
    update, moving every sort index entry of it a second time.
    """
    cur = conn.execute(
        "INSERT INTO catalog (sha256, path, status, added_at, case_number, decision_date, "
        "final_outcome, specialties, item_count, categories, layout, derived_key) "
        "VALUES (?, ?, 'new', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [sha256, path, added_at, *_columns(derived)],
    )
    doc_id = cur.lastrowid
    assert doc_id is not None
    _write_children(conn, doc_id, derived)
    return doc_id


def _columns(derived: Derived) -> list[object]:
    """case_number, decision_date, final_outcome, specialties, item_count, categories,
    layout, derived_key."""
    return [
        derived.case_number,
        derived.decision_date,
        derived.final_outcome,
        "; ".join(derived.specialties),
        len(derived.items),
        category_names(derived.categories),
        derived.layout,
        derived.key,
    ]


def _write_children(conn: sqlite3.Connection, doc_id: int, derived: Derived) -> None:
    conn.executemany(
        "INSERT INTO catalog_items (doc_id, idx, request, heading, outcome, category) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            (doc_id, k, it.request, it.heading, it.outcome, it.category)
            for k, it in enumerate(derived.items)
        ],
    )
    if derived.specialties:
        upheld = sum(it.outcome == "Upheld" for it in derived.items)
        overturned = sum(it.outcome == "Overturned" for it in derived.items)
        conn.executemany(
            "INSERT OR IGNORE INTO catalog_specialties (doc_id, specialty, items, upheld, "
            "overturned) VALUES (?, ?, ?, ?, ?)",
            [(doc_id, s, len(derived.items), upheld, overturned) for s in derived.specialties],
        )
    guidelines = [
        (doc_id, k, s, it.outcome) for k, it in enumerate(derived.items) for s in it.sources
    ]
    if guidelines:
        conn.executemany(
            "INSERT OR IGNORE INTO catalog_guidelines (doc_id, idx, source, outcome) "
            "VALUES (?, ?, ?, ?)",
            guidelines,
        )


# ------------------------------------------------------------------------------- sync
def stale_count(store: Store) -> int:
    return store.db.execute("SELECT count(*) FROM catalog WHERE derived_key IS NULL").fetchone()[0]


def sync(
    store: Store,
    *,
    batch: int = 200,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Bring the library columns up to date; returns how many documents were re-derived.

    Cheap when nothing changed (two indexed look-ups). A document saved by the GUI is
    re-derived from its stored structure; one without a stored structure is parsed from
    its text (a few ms each). Does nothing on a read-only store (the columns then show
    what was last derived).
    """
    if store.read_only:
        return 0
    conn = store.db.conn
    if schema.missing_triggers(conn):
        with store.transaction():
            schema.repair(conn)
    _reclassify_if_needed(store)
    total = stale_count(store)
    done = 0
    while True:
        rows = conn.execute(
            "SELECT c.sha256, d.structure, d.text FROM catalog c "
            "JOIN documents d ON d.sha256 = c.sha256 "
            "WHERE c.derived_key IS NULL ORDER BY c.doc_id LIMIT ?",
            [batch],
        ).fetchall()
        if not rows:
            return done
        with store.transaction():
            for sha256, structure_json, text in rows:
                write(conn, sha256, derive_document(structure_json, text))
        done += len(rows)
        if progress is not None:
            progress(done, total)


def derive_document(structure_json: str | None, text: str | None) -> Derived:
    """From the stored structure when it was read from this text by this parser,
    otherwise by parsing the text now."""
    from imr_desktop.core.structure import SCHEMA_VERSION, extract_structure

    if text is None:
        return EMPTY  # not read yet: the text trigger marks it stale again when it is
    d: Any = None
    if structure_json:
        with contextlib.suppress(ValueError):
            d = json.loads(structure_json)
    fresh = isinstance(d, dict) and d.get("schema") == SCHEMA_VERSION
    if fresh and d.get("text_length") == len(text):
        with contextlib.suppress(ValueError, KeyError, TypeError, IndexError):
            return from_structure(d)
    return from_letter(extract_structure(text))  # none stored, stale or damaged


def _reclassify_if_needed(store: Store) -> None:
    """Recompute every item's category when the classifier's rules changed."""
    conn = store.db.conn
    row = conn.execute("SELECT value FROM library_meta WHERE key = ?", [_META_CLASSIFIER])
    stored = row.fetchone()
    if stored is not None and stored[0] == categories.CLASSIFIER_VERSION:
        return
    with store.transaction():
        if stored is not None:
            # items keep their request and heading, so no letter is parsed again
            rows = conn.execute("SELECT doc_id, idx, request, heading FROM catalog_items")
            conn.executemany(
                "UPDATE catalog_items SET category = ? WHERE doc_id = ? AND idx = ?",
                [(categories.classify(req, head), d, k) for d, k, req, head in rows.fetchall()],
            )
            _refresh_category_columns(conn)
        conn.execute(
            "INSERT OR REPLACE INTO library_meta (key, value) VALUES (?, ?)",
            [_META_CLASSIFIER, categories.CLASSIFIER_VERSION],
        )


def _refresh_category_columns(conn: sqlite3.Connection) -> None:
    by_doc: dict[int, set[str]] = {}
    for doc_id, category in conn.execute("SELECT doc_id, category FROM catalog_items"):
        by_doc.setdefault(doc_id, set()).add(category)
    conn.executemany(
        "UPDATE catalog SET categories = ? WHERE doc_id = ?",
        [(category_names(cats), doc_id) for doc_id, cats in by_doc.items()],
    )
