"""What the library list shows (``LibraryFilter``, ``Sort``) and how it becomes SQL.

Each filter field becomes a ``Condition`` written three ways, because at 100,000 letters
the right plan depends on how many letters match, and SQLite's planner (without
statistics, and blind to FTS5 result sizes) often picks a slow one:
- ``drive``: a form an index or a list can serve, to find the matching rows from;
- ``check``: a form tested row by row while another index is walked (``+`` keeps the
  planner off this column's index; child tables are probed by primary key; the FTS5 and
  label lists are built once, then looked up);
- ``size``: a query that counts the letters meeting this condition alone, from its own
  index (a few ms), used to pick the smallest condition to drive from.
Measured at 100,000 letters: a correlated FTS5 probe (``MATCH ? AND rowid = ?``) costs
~170 µs (seconds with a prefix term the index has no prefix index for), building the list
of matches ~0.5 µs per match, so the full-text condition is probed only when a page needs
few rows walked and most letters match ("medically": 50 probes against a list of 98,000).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from imr_desktop.core.library.schema import FTS_TABLE, SORT_COLUMNS
from imr_desktop.core.library.search import Search
from imr_desktop.core.model import ORIGIN_MANUAL


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
class Condition:
    drive: str
    check: str
    args: tuple[Any, ...]
    size: str  # SELECT count(…) …
    size_args: tuple[Any, ...]
    column: str | None = None  # the catalog column it constrains, if any
    probe: str | None = None  # a per-row test cheaper than ``check`` when few rows are walked


@dataclass(slots=True)
class Plan:
    """A WHERE clause over ``catalog c`` and its arguments."""

    where: list[str] = field(default_factory=list)
    args: list[Any] = field(default_factory=list)

    def clause(self, *extra: str) -> str:
        parts = [*self.where, *(e for e in extra if e)]
        return " WHERE " + " AND ".join(parts) if parts else ""


def conditions(f: LibraryFilter, search: Search) -> list[Condition]:
    out: list[Condition] = []
    matching = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?"
    count_matching = f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?"
    query = search.fts_query()
    if query is not None:
        # an unindexed prefix makes each probe merge every term with that prefix: seconds
        probe = None
        if not search.has_unindexed_prefix:
            probe = (
                f"EXISTS (SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ? AND rowid = c.doc_id)"
            )
        out.append(
            Condition(
                f"c.doc_id IN ({matching})",
                f"+c.doc_id IN ({matching})",
                (query,),
                count_matching,
                (query,),
                probe=probe,
            )
        )
    elif (excluded := search.excluded()) is not None:
        # only "-word" terms: every letter without them (FTS5 cannot NOT alone)
        check = f"+c.doc_id NOT IN ({matching})"
        total = "SELECT count(*) FROM catalog"
        out.append(
            Condition(
                check, check, (excluded,), f"SELECT ({total}) - ({count_matching})", (excluded,)
            )
        )
    # a search of punctuation alone filters nothing, as while it is being typed
    if f.outcomes:
        out.append(_column("final_outcome", f"IN ({_marks(f.outcomes)})", f.outcomes))
    if f.statuses:
        out.append(_column("status", f"IN ({_marks(f.statuses)})", f.statuses))
    if f.specialties:
        out.append(_child("catalog_specialties", "specialty", f.specialties))
    if f.categories:
        out.append(_child("catalog_items", "category", f.categories))
    if f.labels:
        rows = (
            "FROM annotations WHERE deleted = 0 "
            f"AND origin = '{ORIGIN_MANUAL}' AND label_id IN ({_marks(f.labels)})"
        )
        out.append(
            Condition(
                f"c.sha256 IN (SELECT document {rows})",
                f"+c.sha256 IN (SELECT document {rows})",
                f.labels,
                f"SELECT count(DISTINCT document) {rows}",
                f.labels,
            )
        )
    for column, low, high in (
        ("decision_date", f.decided_from, f.decided_to),
        ("added_at", f.added_from, f.added_to),
    ):
        if low or high:
            parts, args = [], []
            if low:
                parts.append(">= ?")
                args.append(low)
            if high:
                # inclusive of the whole day when given a date: "2017-01-31" < "2017-01-31T…"
                parts += ["<> ''", "<= ?"]
                args.append(high + "\uffff")
            out.append(_column(column, parts, tuple(args)))
    if f.annotated is not None:
        out.append(_column("annotation_count", "> 0" if f.annotated else "= 0", ()))
    return out


def _column(column: str, tests: str | list[str], args: tuple[Any, ...]) -> Condition:
    tests = [tests] if isinstance(tests, str) else tests
    drive = " AND ".join(f"c.{column} {t}" for t in tests)
    check = " AND ".join(f"+c.{column} {t}" for t in tests)
    return Condition(
        drive, check, args, f"SELECT count(*) FROM catalog c WHERE {drive}", args, column
    )


def _child(table: str, column: str, values: tuple[str, ...]) -> Condition:
    where = f"{column} IN ({_marks(values)})"
    return Condition(
        f"c.doc_id IN (SELECT doc_id FROM {table} WHERE {where})",
        # "+": the probe seeks the primary key (doc_id, …); the (category, outcome, doc_id)
        # index would scan every item of the category for each letter (13 s at 100,000)
        f"EXISTS (SELECT 1 FROM {table} WHERE doc_id = c.doc_id AND +{where})",
        values,
        f"SELECT count(DISTINCT doc_id) FROM {table} WHERE {where}",
        values,
    )


def _marks(values: tuple[Any, ...]) -> str:
    return ", ".join("?" * len(values))


# ----------------------------------------------------------------------------- plans
def driven(conds: list[Condition], driver: int) -> Plan:
    """Find rows from ``conds[driver]`` and test the others on each."""
    plan = Plan()
    for k, cond in enumerate(conds):
        plan.where.append(cond.drive if k == driver else cond.check)
        plan.args.extend(cond.args)
    return plan


def walking(conds: list[Condition], sort_column: str, probes: bool = False) -> Plan:
    """Walk the sort column's index and test every condition on each row; a condition on
    the sort column itself stays a range on that same index. With ``probes``, conditions
    that have a probe use it (when so few rows are walked that building a list of every
    match would cost more)."""
    plan = Plan()
    for cond in conds:
        if cond.column == sort_column:
            plan.where.append(cond.drive)
        elif probes and cond.probe:
            plan.where.append(cond.probe)
        else:
            plan.where.append(cond.check)
        plan.args.extend(cond.args)
    return plan
