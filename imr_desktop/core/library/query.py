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

import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import PurePath
from typing import Any

from imr_desktop.core.library import filters
from imr_desktop.core.library import search as fts
from imr_desktop.core.library.filters import LibraryFilter, Sort
from imr_desktop.core.model import ORIGIN_MANUAL
from imr_desktop.core.store import Store

__all__ = ["Facets", "LibraryFilter", "LibraryQuery", "LibraryRow", "Sort", "facets"]

STATUSES = ("new", "in_progress", "done")
SMALL = 4000  # a condition this selective always drives the plan (a few ms)
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


class LibraryQuery:
    """One filtered, sorted view of the library.

    Two plans, chosen from how many letters match (see ``filters``):
    - driven: rows are found from the most selective condition (its index or list),
      tested against the others, then sorted; cost grows with that condition's matches;
    - walking: the sort column's index is walked in order and each row tested; cost grows
      with the rows walked until the page is full: right when many letters match.
    """

    def __init__(
        self, store: Store, filter: LibraryFilter | None = None, sort: Sort | None = None
    ) -> None:
        self.store = store
        self.filter = filter or LibraryFilter()
        self.sort = sort or Sort()
        self.search = fts.Search.parse(self.filter.search)
        self.fts = self.search.fts_query()
        self._conds = filters.conditions(self.filter, self.search)
        self._count: int | None = None
        self._total: int | None = None
        self._sizes: list[int] | None = None

    # ------------------------------------------------------------------ counting
    def total(self) -> int:
        """Letters in the library, filtered or not (cached until ``refresh``)."""
        if self._total is None:
            self._total = self._one("SELECT count(*) FROM catalog")
        return self._total

    def sizes(self) -> list[int]:
        """How many letters meet each condition alone (cached until ``refresh``)."""
        if self._sizes is None:
            self._sizes = [self._one(c.size, c.size_args) for c in self._conds]
        return self._sizes

    def count(self) -> int:
        """How many letters match (cached until ``refresh``)."""
        if self._count is None:
            if not self._conds:
                self._count = self.total()
            elif len(self._conds) == 1:
                self._count = self.sizes()[0]
            else:
                plan = self._driven()
                self._count = self._one("SELECT count(*) FROM catalog c" + plan.clause(), plan.args)
        return self._count

    def refresh(self) -> None:
        """Forget the cached counts (after an import, an edit, a status change)."""
        self._count = self._total = self._sizes = None

    def _one(self, sql: str, args: Any = ()) -> int:
        return self.store.db.execute(sql, list(args)).fetchone()[0] or 0

    # ------------------------------------------------------------------ plans
    def _driven(self) -> filters.Plan:
        sizes = self.sizes()
        return filters.driven(self._conds, sizes.index(min(sizes)))

    def _plan(self, rows_needed: int) -> filters.Plan:
        """The cheaper plan for the first ``rows_needed`` rows of the list."""
        if not self._conds:
            return filters.Plan()
        driver = min(self.sizes())
        if driver <= SMALL:
            return self._driven()  # a few ms whatever the rest, even if nothing matches
        walked = rows_needed * self.total() / max(self.count(), 1)
        # a driven plan costs a few µs per row of its driver (look-up, tests, sort), a
        # walked row about 1 µs plus the lists built once
        if walked >= 3 * driver:
            return self._driven()
        # a correlated FTS5 probe costs ~170 µs, a list ~0.5 µs per match
        probes = walked * 170 < 0.5 * self.sizes()[0]
        return filters.walking(self._conds, self.sort.column, probes)

    def where_clause(self) -> tuple[str, list[Any]]:
        """The filter as a WHERE clause over ``catalog c`` and its arguments (statistics
        over the same letters)."""
        plan = self._driven() if self._conds else filters.Plan()
        return plan.clause(), list(plan.args)

    # ------------------------------------------------------------------ the list
    def _order(self, reverse: bool = False) -> str:
        desc = self.sort.descending != reverse
        d = " DESC" if desc else ""
        return f" ORDER BY c.{self.sort.column}{d}, c.doc_id{d}"

    def page(self, offset: int, limit: int, *, snippets: bool = True) -> list[LibraryRow]:
        """Rows ``offset`` … ``offset + limit - 1`` of the list (fewer at its end); with a
        search, each row carries a snippet around its first hit."""
        if limit <= 0 or offset < 0:
            return []
        if self._conds and self.count() == 0:
            return []
        cols = ", ".join(f"c.{c}" for c in _ROW_COLUMNS)
        plan = self._plan(offset + limit)
        rows = self.store.db.execute(
            f"SELECT {cols} FROM catalog c{plan.clause()}{self._order()} LIMIT ? OFFSET ?",
            [*plan.args, limit, offset],
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
        clause, args = self.where_clause()
        cursor = self.store.db.execute(
            f"SELECT c.sha256 FROM catalog c{clause}{self._order()}", args
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
        """Whether a letter is in this list (found by its sha256, every condition tested)."""
        plan = filters.walking(self._conds, "")
        row = self.store.db.execute(
            "SELECT 1 FROM catalog c" + plan.clause("c.sha256 = ?"), [*plan.args, sha256]
        ).fetchone()
        return row is not None

    def row_of(self, sha256: str) -> int | None:
        """The row of a letter in this list (to keep it selected after a re-sort)."""
        key = self._key(sha256)
        if key is None or not self.contains(sha256):
            return None
        before = "<" if not self.sort.descending else ">"
        clause, args = self.where_clause()
        keyset = f"(c.{self.sort.column}, c.doc_id) {before} (?, ?)"
        clause = f"{clause} AND {keyset}" if clause else f" WHERE {keyset}"
        return self._one("SELECT count(*) FROM catalog c" + clause, [*args, *key])

    def neighbour(self, sha256: str, step: int = 1, *, unlabeled: bool = False) -> str | None:
        """The next (``step=1``) or previous (``-1``) letter after ``sha256`` in this list,
        or None at its end. ``sha256`` need not match the filter any more."""
        key = self._key(sha256)
        if key is None:
            return None
        forward = step > 0
        after = ">" if forward != self.sort.descending else "<"
        return self._first_match(after, list(key), unlabeled, reverse=not forward)

    def first(self, *, unlabeled: bool = False) -> str | None:
        """The first letter of this list (with ``unlabeled``: the first unlabeled one)."""
        return self._first_match("", [], unlabeled)

    def _first_match(
        self, after: str, key: list[Any], unlabeled: bool, reverse: bool = False
    ) -> str | None:
        """The first row in sort order meeting the filter (and, with ``after`` "<" or ">",
        beyond the sort ``key`` of the current letter).

        Walking the sort order finds it at once when matches are common, but walks the
        whole library when there are none (next unlabeled in a labelled set: 0.6 s at
        100,000 letters); so a walk gets a time budget, then the indexes drive.
        """
        order = self._order(reverse) + " LIMIT 1"
        check = _UNLABELED if unlabeled else ""
        col = self.sort.column
        if not self._conds or min(self.sizes()) > SMALL:
            walk = filters.walking(self._conds, col, probes=True)
            keyset = f"(c.{col}, c.doc_id) {after} (?, ?)" if after else ""
            sql = f"SELECT c.sha256 FROM catalog c{walk.clause(keyset, check)}{order}"
            try:
                row = _within(self.store.db.conn, WALK_BUDGET, sql, [*walk.args, *key])
                return row[0] if row else None
            except TimeoutError:
                if not self._conds and unlabeled:
                    check = _UNLABELED.replace("+", "")  # few left: their index finds them
        plan = self._driven() if self._conds else filters.Plan()
        # "+": the sort index must not drive here, the selective condition does
        keyset = f"(+c.{col}, +c.doc_id) {after} (?, ?)" if after else ""
        sql = f"SELECT c.sha256 FROM catalog c{plan.clause(keyset, check)}{order}"
        row = self.store.db.execute(sql, [*plan.args, *key]).fetchone()
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


# "+": never from the annotation_count index (most letters have none): walk the sort order
_UNLABELED = "+c.annotation_count = 0 AND +c.status <> 'done'"
WALK_BUDGET = 0.025  # seconds a walk may take before the indexes drive instead


def _within(conn: sqlite3.Connection, seconds: float, sql: str, args: list[Any]) -> Any:
    """The first row of a query, or ``TimeoutError`` once it has run ``seconds``."""
    deadline = time.monotonic() + seconds
    conn.set_progress_handler(lambda: time.monotonic() > deadline, 2000)
    try:
        return conn.execute(sql, args).fetchone()
    except sqlite3.OperationalError as exc:
        if "interrupt" in str(exc):
            raise TimeoutError from None
        raise
    finally:
        conn.set_progress_handler(None, 0)


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
