"""The library list: filtered, sorted, paged, for a lazily-fetching table model.

A ``LibraryQuery`` is one filter + one sort. A table model asks it for ``count()`` and
for ``page(offset, limit)`` as rows scroll into view; both run on the narrow ``catalog``
table and its indexes (milliseconds at 100,000 letters). Moving through the list is
keyset-based (``neighbour``, ``next_unlabeled``), so it needs no row numbers and still
works when the current letter no longer matches the filter.

Sorting is by one column, then by ``doc_id`` (import order) so that the order is total
and pages never overlap; empty values sort first ascending and last descending. Text
columns compare as stored (binary).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import Any

from imr_desktop.core.library import search as fts
from imr_desktop.core.library.schema import FTS_TABLE, SORT_COLUMNS
from imr_desktop.core.model import ORIGIN_MANUAL
from imr_desktop.core.store import Store

STATUSES = ("new", "in_progress", "done")
_ROW_COLUMNS = (
    "doc_id",
    "sha256",
    "path",
    "case_number",
    "decision_date",
    "final_outcome",
    "specialties",
    "item_count",
    "categories",
    "status",
    "annotation_count",
    "annotators",
    "added_at",
    "layout",
)


@dataclass(frozen=True, slots=True)
class LibraryFilter:
    """What the list shows. Empty tuples and None mean "any"; values within one field
    are alternatives (OR), fields combine with AND."""

    search: str = ""  # full-text, see ``search`` for the syntax
    outcomes: tuple[str, ...] = ()  # final outcome: "Upheld", "Overturned", "Partially …", ""
    specialties: tuple[str, ...] = ()  # reviewer specialties
    categories: tuple[str, ...] = ()  # treatment category keys of any item
    statuses: tuple[str, ...] = ()  # "new" | "in_progress" | "done"
    labels: tuple[str, ...] = ()  # label ids: has a live manual annotation with one of them
    decided_from: str | None = None  # decision date, ISO, inclusive
    decided_to: str | None = None
    added_from: str | None = None  # import date, ISO date or timestamp, inclusive
    added_to: str | None = None
    annotated: bool | None = None  # True: has annotations; False: has none

    def with_changes(self, **changes: Any) -> LibraryFilter:
        return replace(self, **changes)


@dataclass(frozen=True, slots=True)
class Sort:
    column: str = "decision_date"
    descending: bool = True

    def __post_init__(self) -> None:
        if self.column not in SORT_COLUMNS:
            raise ValueError(f"cannot sort by {self.column!r}; one of {', '.join(SORT_COLUMNS)}")


@dataclass(frozen=True, slots=True)
class LibraryRow:
    """One line of the library table; empty strings where the letter did not say."""

    doc_id: int
    sha256: str
    path: str
    case_number: str
    decision_date: str
    final_outcome: str
    specialties: str  # "; "-joined
    item_count: int
    categories: str  # ", "-joined display names
    status: str
    annotation_count: int  # live manual annotations (not pending suggestions)
    annotators: str  # ", "-joined
    added_at: str
    layout: str
    snippet: fts.Snippet | None = None  # with a search: the passage around the first hit

    @property
    def name(self) -> str:
        return PurePath(self.path).name


@dataclass(slots=True)
class _Sql:
    where: list[str] = field(default_factory=list)
    args: list[Any] = field(default_factory=list)

    def add(self, clause: str, *args: Any) -> None:
        self.where.append(clause)
        self.args.extend(args)

    def clause(self, extra: str = "") -> str:
        parts = [*self.where, extra] if extra else self.where
        return " WHERE " + " AND ".join(parts) if parts else ""


class LibraryQuery:
    """One filtered, sorted view of the library."""

    def __init__(
        self, store: Store, filter: LibraryFilter | None = None, sort: Sort | None = None
    ) -> None:
        self.store = store
        self.filter = filter or LibraryFilter()
        self.sort = sort or Sort()
        self.search = fts.Search.parse(self.filter.search)
        self.fts = self.search.fts_query()
        self._sql = self._compile()
        self._count: int | None = None

    def _compile(self) -> _Sql:
        f, sql = self.filter, _Sql()
        matching = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?"
        if self.fts is not None:
            sql.add(f"c.doc_id IN ({matching})", self.fts)
        elif self.search.excluded() is not None:
            # only "-word" terms: every letter without them (FTS5 cannot NOT alone)
            sql.add(f"c.doc_id NOT IN ({matching})", self.search.excluded())
        # a search of punctuation alone filters nothing, as while it is being typed
        if f.outcomes:
            sql.add(f"c.final_outcome IN ({_marks(f.outcomes)})", *f.outcomes)
        if f.statuses:
            sql.add(f"c.status IN ({_marks(f.statuses)})", *f.statuses)
        if f.specialties:
            sql.add(
                "c.doc_id IN (SELECT doc_id FROM catalog_specialties "
                f"WHERE specialty IN ({_marks(f.specialties)}))",
                *f.specialties,
            )
        if f.categories:
            sql.add(
                "c.doc_id IN (SELECT doc_id FROM catalog_items "
                f"WHERE category IN ({_marks(f.categories)}))",
                *f.categories,
            )
        if f.labels:
            sql.add(
                "c.sha256 IN (SELECT document FROM annotations WHERE deleted = 0 "
                f"AND origin = '{ORIGIN_MANUAL}' AND label_id IN ({_marks(f.labels)}))",
                *f.labels,
            )
        for column, low, high in (
            ("decision_date", f.decided_from, f.decided_to),
            ("added_at", f.added_from, f.added_to),
        ):
            if low:
                sql.add(f"c.{column} >= ?", low)
            if high:
                # inclusive of the whole day when given a date: "2017-01-31" < "2017-01-31T…"
                sql.add(f"c.{column} <> '' AND c.{column} <= ?", high + "\uffff")
        if f.annotated is not None:
            sql.add("c.annotation_count > 0" if f.annotated else "c.annotation_count = 0")
        return sql

    def where_clause(self) -> tuple[str, list[Any]]:
        """The filter as a WHERE clause over ``catalog c`` and its arguments (statistics
        over the same letters)."""
        return self._sql.clause(), list(self._sql.args)

    # ------------------------------------------------------------------ the list
    def _order(self, reverse: bool = False) -> str:
        desc = self.sort.descending != reverse
        d = " DESC" if desc else ""
        return f" ORDER BY c.{self.sort.column}{d}, c.doc_id{d}"

    def count(self) -> int:
        """How many letters match (cached until ``refresh``)."""
        if self._count is None:
            self._count = self.store.db.execute(
                "SELECT count(*) FROM catalog c" + self._sql.clause(), self._sql.args
            ).fetchone()[0]
        return self._count

    def refresh(self) -> None:
        """Forget the cached count (after an import, an edit, a status change)."""
        self._count = None

    def page(self, offset: int, limit: int, *, snippets: bool = True) -> list[LibraryRow]:
        """Rows ``offset`` … ``offset + limit - 1`` of the list (fewer at its end); with a
        search, each row carries a snippet around its first hit."""
        if limit <= 0 or offset < 0:
            return []
        cols = ", ".join(f"c.{c}" for c in _ROW_COLUMNS)
        rows = self.store.db.execute(
            f"SELECT {cols} FROM catalog c{self._sql.clause()}{self._order()} LIMIT ? OFFSET ?",
            [*self._sql.args, limit, offset],
        ).fetchall()
        out = [LibraryRow(*row) for row in rows]
        if snippets and self.fts is not None and out:
            found = fts.hits_by_doc(self.store.db.conn, self.search, [r.doc_id for r in out])
            out = [
                replace(r, snippet=fts.make_snippet(*found[r.doc_id])) if r.doc_id in found else r
                for r in out
            ]
        return out

    def sha256s(self) -> Iterator[str]:
        """Every letter of the list, in order (e.g. to export the filtered set)."""
        cursor = self.store.db.execute(
            f"SELECT c.sha256 FROM catalog c{self._sql.clause()}{self._order()}", self._sql.args
        )
        for (sha,) in cursor:
            yield sha

    # ------------------------------------------------------------------ moving
    def _key(self, sha256: str) -> tuple[Any, int] | None:
        row = self.store.db.execute(
            f"SELECT {self.sort.column}, doc_id FROM catalog WHERE sha256 = ?", [sha256]
        ).fetchone()
        return (row[0], row[1]) if row else None

    def contains(self, sha256: str) -> bool:
        row = self.store.db.execute(
            "SELECT 1 FROM catalog c" + self._sql.clause("c.sha256 = ?"),
            [*self._sql.args, sha256],
        ).fetchone()
        return row is not None

    def row_of(self, sha256: str) -> int | None:
        """The row of a letter in this list (to keep it selected after a re-sort)."""
        key = self._key(sha256)
        if key is None or not self.contains(sha256):
            return None
        before = "<" if not self.sort.descending else ">"
        return self.store.db.execute(
            "SELECT count(*) FROM catalog c"
            + self._sql.clause(f"(c.{self.sort.column}, c.doc_id) {before} (?, ?)"),
            [*self._sql.args, *key],
        ).fetchone()[0]

    def neighbour(self, sha256: str, step: int = 1, *, unlabeled: bool = False) -> str | None:
        """The next (``step=1``) or previous (``-1``) letter after ``sha256`` in this list,
        or None at its end. ``sha256`` need not match the filter any more."""
        key = self._key(sha256)
        if key is None:
            return None
        forward = step > 0
        after = ">" if forward != self.sort.descending else "<"
        extra = f"(c.{self.sort.column}, c.doc_id) {after} (?, ?)"
        if unlabeled:
            extra += _UNLABELED
        row = self.store.db.execute(
            f"SELECT c.sha256 FROM catalog c{self._sql.clause(extra)}"
            f"{self._order(reverse=not forward)} LIMIT 1",
            [*self._sql.args, *key],
        ).fetchone()
        return row[0] if row else None

    def first(self, *, unlabeled: bool = False) -> str | None:
        extra = _UNLABELED.removeprefix(" AND ") if unlabeled else ""
        row = self.store.db.execute(
            f"SELECT c.sha256 FROM catalog c{self._sql.clause(extra)}{self._order()} LIMIT 1",
            self._sql.args,
        ).fetchone()
        return row[0] if row else None

    def next_unlabeled(self, after: str | None = None, *, wrap: bool = True) -> str | None:
        """The next letter in this list with no annotations that is not marked done
        (reviewed with nothing to label), after ``after``; from the top when ``wrap``."""
        found = self.neighbour(after, 1, unlabeled=True) if after else None
        if found is None and (wrap or after is None):
            found = self.first(unlabeled=True)
            if found == after:
                return None
        return found


_UNLABELED = " AND c.annotation_count = 0 AND c.status <> 'done'"


def _marks(values: tuple[Any, ...]) -> str:
    return ", ".join("?" * len(values))


# ----------------------------------------------------------------------------- facets
@dataclass(frozen=True, slots=True)
class Facets:
    """Values the filters can take, with how many letters have each (for filter menus)."""

    outcomes: dict[str, int]
    specialties: dict[str, int]
    categories: dict[str, int]
    statuses: dict[str, int]
    labels: dict[str, int]  # label id -> letters with a live manual annotation of it
    decision_dates: tuple[str, str] | None  # earliest, latest


def facets(store: Store) -> Facets:
    db = store.db

    def grouped(sql: str) -> dict[str, int]:
        return {k: n for k, n in db.execute(sql)}

    dates = db.execute(
        "SELECT min(decision_date), max(decision_date) FROM catalog WHERE decision_date <> ''"
    ).fetchone()
    return Facets(
        outcomes=grouped(
            "SELECT final_outcome, count(*) FROM catalog GROUP BY 1 ORDER BY 2 DESC, 1"
        ),
        specialties=grouped(
            "SELECT specialty, count(*) FROM catalog_specialties GROUP BY 1 ORDER BY 2 DESC, 1"
        ),
        categories=grouped(
            "SELECT category, count(DISTINCT doc_id) FROM catalog_items GROUP BY 1 "
            "ORDER BY 2 DESC, 1"
        ),
        statuses=grouped("SELECT status, count(*) FROM catalog GROUP BY 1 ORDER BY 1"),
        labels=grouped(
            "SELECT label_id, count(DISTINCT document) FROM annotations "
            f"WHERE deleted = 0 AND origin = '{ORIGIN_MANUAL}' GROUP BY 1"
        ),
        decision_dates=(dates[0], dates[1]) if dates and dates[0] else None,
    )
