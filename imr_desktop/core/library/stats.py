"""The figures of the statistics view and of ``imr-desktop stats --json``.

Everything is plain JSON-ready data (dicts, lists, numbers, strings), computed by SQL
aggregates over the library tables, optionally for the letters of one ``LibraryFilter``.

Counting rules: annotations are live manual ones (pending suggestions are counted apart,
rejected ones and those of deleted labels not at all); an item's outcome is Upheld or
Overturned as printed (items whose outcome was not found count in ``items`` only); an
item counts for every specialty of its letter's reviewer and for every guideline source
the reviewer (MAXIMUS) cited for it; days are UTC days of ``created_at``.
"""

from __future__ import annotations

from typing import Any

from imr_desktop.core.library import categories
from imr_desktop.core.library.query import LibraryFilter, LibraryQuery
from imr_desktop.core.model import ORIGIN_MANUAL, ORIGIN_SUGGESTED
from imr_desktop.core.store import Store

_RATES = (
    "count(*) AS items, "
    "sum(i.outcome = 'Upheld') AS upheld, "
    "sum(i.outcome = 'Overturned') AS overturned"
)


def compute(store: Store, filter: LibraryFilter | None = None) -> dict[str, Any]:
    """All figures, for the whole library or for the letters matching ``filter``."""
    db = store.db
    docs, args = _scope(store, filter)
    live = f"a.deleted = 0 AND l.deleted = 0 AND a.document IN (SELECT sha256 FROM catalog c{docs})"
    ann_from = "FROM annotations a JOIN labels l ON l.id = a.label_id"
    manual = f"{live} AND a.origin = '{ORIGIN_MANUAL}'"

    def one(sql: str) -> int:
        return db.execute(sql, args).fetchone()[0] or 0

    out: dict[str, Any] = {
        "documents": one(f"SELECT count(*) FROM catalog c{docs}"),
        "annotations": one(f"SELECT count(*) {ann_from} WHERE {manual}"),
        "suggestions_pending": one(
            f"SELECT count(*) {ann_from} WHERE {live} AND a.origin = '{ORIGIN_SUGGESTED}'"
        ),
        "items": one(f"SELECT count(*) FROM catalog_items i WHERE i.doc_id IN {_ids(docs)}"),
    }
    out["statuses"] = {
        status: n
        for status, n in db.execute(
            f"SELECT c.status, count(*) FROM catalog c{docs} GROUP BY 1 ORDER BY 1", args
        )
    }
    out["final_outcomes"] = {
        outcome or "unknown": n
        for outcome, n in db.execute(
            f"SELECT c.final_outcome, count(*) FROM catalog c{docs} GROUP BY 1 ORDER BY 2 DESC",
            args,
        )
    }
    out["annotations_per_label"] = [
        {"label_id": lid, "label": name, "color": color, "annotations": n, "documents": d}
        for lid, name, color, n, d in db.execute(
            f"SELECT l.id, l.name, l.color, count(*), count(DISTINCT a.document) {ann_from} "
            f"WHERE {manual} GROUP BY l.id ORDER BY l.position, l.name",
            args,
        )
    ]
    out["annotations_per_annotator"] = [
        {"annotator": who, "annotations": n, "documents": d}
        for who, n, d in db.execute(
            f"SELECT a.annotator, count(*), count(DISTINCT a.document) {ann_from} "
            f"WHERE {manual} GROUP BY 1 ORDER BY 2 DESC, 1",
            args,
        )
    ]
    out["annotations_per_day"] = [
        {"day": day, "annotations": n}
        for day, n in db.execute(
            f"SELECT substr(a.created_at, 1, 10), count(*) {ann_from} "
            f"WHERE {manual} GROUP BY 1 ORDER BY 1",
            args,
        )
    ]
    items_in = f"i.doc_id IN {_ids(docs)}"
    by_category = {
        key: row
        for key, *row in db.execute(
            f"SELECT i.category, {_RATES} FROM catalog_items i WHERE {items_in} GROUP BY 1",
            args,
        )
    }
    out["outcomes_by_category"] = [
        _rates({"category": key, "name": name}, *by_category[key])
        for key, name in categories.CATEGORIES.items()
        if key in by_category
    ]
    out["outcomes_by_specialty"] = [
        _rates({"specialty": spec}, *row)
        for spec, *row in db.execute(
            f"SELECT s.specialty, {_RATES} FROM catalog_items i "
            f"JOIN catalog_specialties s ON s.doc_id = i.doc_id WHERE {items_in} "
            "GROUP BY 1 ORDER BY 2 DESC, 1",
            args,
        )
    ]
    out["outcomes_by_guideline_source"] = [
        _rates({"source": source}, *row)
        for source, *row in db.execute(
            f"SELECT g.source, {_RATES} FROM catalog_items i "
            "JOIN catalog_guidelines g ON g.doc_id = i.doc_id AND g.idx = i.idx "
            f"WHERE {items_in} GROUP BY 1 ORDER BY 2 DESC, 1",
            args,
        )
    ]
    return out


def _scope(store: Store, filter: LibraryFilter | None) -> tuple[str, list[Any]]:
    """A WHERE clause over ``catalog c`` selecting the letters in scope, and its args."""
    if filter is None:
        return "", []
    query = LibraryQuery(store, filter)
    return query.where_clause()


def _ids(docs: str) -> str:
    return f"(SELECT c.doc_id FROM catalog c{docs})"


def _rates(head: dict[str, Any], items: int, upheld: int | None, overturned: int | None) -> dict:
    upheld, overturned = upheld or 0, overturned or 0
    decided = upheld + overturned
    return head | {
        "items": items,
        "upheld": upheld,
        "overturned": overturned,
        "overturn_rate": round(overturned / decided, 4) if decided else None,
    }
