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


def _rates_of(outcome: str) -> str:
    return f"count(*), sum({outcome} = 'Upheld'), sum({outcome} = 'Overturned')"


def compute(store: Store, filter: LibraryFilter | None = None) -> dict[str, Any]:
    """All figures, for the whole library or for the letters matching ``filter``.

    About 0.2 s for 100,000 letters unfiltered: each figure is one pass over one table or
    covering index (the per-specialty and per-source tables repeat the outcomes)."""
    db = store.db
    scope = _Scope(store, filter)
    ann = "FROM annotations a JOIN labels l ON l.id = a.label_id"
    live = "a.deleted = 0 AND l.deleted = 0" + scope.of("a.document", "sha256")
    manual = f"{live} AND a.origin = '{ORIGIN_MANUAL}'"

    def rows(sql: str) -> list[tuple[Any, ...]]:
        return db.execute(sql, scope.args).fetchall()

    def one(sql: str) -> int:
        return rows(sql)[0][0] or 0

    out: dict[str, Any] = {
        "documents": one(f"SELECT count(*) FROM catalog c{scope.where}"),
        "annotations": one(f"SELECT count(*) {ann} WHERE {manual}"),
        "suggestions_pending": one(
            f"SELECT count(*) {ann} WHERE {live} AND a.origin = '{ORIGIN_SUGGESTED}'"
        ),
        "items": one(f"SELECT count(*) FROM catalog_items i WHERE 1{scope.of('i.doc_id')}"),
    }
    out["statuses"] = dict(
        rows(f"SELECT c.status, count(*) FROM catalog c{scope.where} GROUP BY 1 ORDER BY 1")
    )
    out["final_outcomes"] = {
        outcome or "unknown": n
        for outcome, n in rows(
            f"SELECT c.final_outcome, count(*) FROM catalog c{scope.where} "
            "GROUP BY 1 ORDER BY 2 DESC"
        )
    }
    out["annotations_per_label"] = [
        {"label_id": lid, "label": name, "color": color, "annotations": n, "documents": d}
        for lid, name, color, n, d in rows(
            f"SELECT l.id, l.name, l.color, count(*), count(DISTINCT a.document) {ann} "
            f"WHERE {manual} GROUP BY l.id ORDER BY l.position, l.name"
        )
    ]
    out["annotations_per_annotator"] = [
        {"annotator": who, "annotations": n, "documents": d}
        for who, n, d in rows(
            f"SELECT a.annotator, count(*), count(DISTINCT a.document) {ann} "
            f"WHERE {manual} GROUP BY 1 ORDER BY 2 DESC, 1"
        )
    ]
    out["annotations_per_day"] = [
        {"day": day, "annotations": n}
        for day, n in rows(
            f"SELECT substr(a.created_at, 1, 10), count(*) {ann} "
            f"WHERE {manual} GROUP BY 1 ORDER BY 1"
        )
    ]
    by_category = {
        key: rest
        for key, *rest in rows(
            f"SELECT category, {_rates_of('outcome')} FROM catalog_items i "
            f"WHERE 1{scope.of('i.doc_id')} GROUP BY 1"
        )
    }
    out["outcomes_by_category"] = [
        _rates({"category": key, "name": name}, *by_category[key])
        for key, name in categories.CATEGORIES.items()
        if key in by_category
    ]
    out["outcomes_by_specialty"] = [
        _rates({"specialty": spec}, *rest)
        for spec, *rest in rows(
            "SELECT specialty, sum(items), sum(upheld), sum(overturned) "
            f"FROM catalog_specialties s WHERE 1{scope.of('s.doc_id')} "
            "GROUP BY 1 ORDER BY 2 DESC, 1"
        )
    ]
    out["outcomes_by_guideline_source"] = [
        _rates({"source": source}, *rest)
        for source, *rest in rows(
            f"SELECT source, {_rates_of('outcome')} FROM catalog_guidelines g "
            f"WHERE 1{scope.of('g.doc_id')} GROUP BY 1 ORDER BY 2 DESC, 1"
        )
    ]
    return out


class _Scope:
    """The letters the figures are about: all of them (no clause at all: the fast
    path), or those of a filter (a ``catalog c`` WHERE clause, used as a subquery)."""

    def __init__(self, store: Store, filter: LibraryFilter | None) -> None:
        self.where, self.args = (
            LibraryQuery(store, filter).where_clause() if filter is not None else ("", [])
        )

    def of(self, key: str, column: str = "doc_id") -> str:
        """`` AND key IN (the letters in scope)``, or nothing when all are."""
        if not self.where:
            return ""
        return f" AND {key} IN (SELECT c.{column} FROM catalog c{self.where})"


def _rates(head: dict[str, Any], items: int, upheld: int | None, overturned: int | None) -> dict:
    upheld, overturned = upheld or 0, overturned or 0
    decided = upheld + overturned
    return head | {
        "items": items,
        "upheld": upheld,
        "overturned": overturned,
        "overturn_rate": round(overturned / decided, 4) if decided else None,
    }
