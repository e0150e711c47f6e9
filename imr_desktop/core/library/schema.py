"""Library tables, indexes, triggers and the full-text index (schema versions 4 to 6).

Why a narrow ``catalog`` table beside ``documents`` rather than columns on ``documents``:
a ``documents`` row carries the whole letter text (and maybe its structure JSON), so any
column stored after them sits on overflow pages; counting or filtering 30,000 such rows
by ``status`` took 0.6 s warm (2 s cold) against 7 ms on a narrow table. Everything the
library view sorts, filters and counts lives in ``catalog`` (one row per document) and its
child tables; the letter text stays in ``documents``.

What keeps it correct, whoever writes (the importer, the GUI through ``Store``, a merge):
- triggers on ``documents`` create and delete ``catalog`` rows, mirror ``path`` and
  ``status``, keep the FTS5 index in step with ``documents.text``, and mark the derived
  columns stale (``derived_key = NULL``) when the text or the structure changes; the
  derived columns are then filled in Python (``derive.sync``), because the treatment
  categories come from a Python classifier;
- triggers on ``annotations`` keep ``annotation_count`` and ``annotators`` (live, manual
  annotations: pending suggestions are not labels yet).

The full-text index is an external-content FTS5 table over a view, keyed by the stable
``catalog.doc_id`` (the implicit rowid of ``documents`` may be renumbered by VACUUM), so
the text is stored once. ``unicode61`` rather than porter keeps prefix queries working.
Migration 6 adds a prefix index of two-character prefixes (see ``v6_prefix_index``).

Each migration is frozen once released: change the schema by appending a migration.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

FTS_TABLE = "catalog_fts"

# columns the library view can sort by; each has an index (column, doc_id)
SORT_COLUMNS = (
    "case_number",
    "decision_date",
    "specialties",
    "item_count",
    "final_outcome",
    "status",
    "annotation_count",
    "annotators",
    "path",
    "added_at",
    "categories",
)

_TABLES = """
CREATE TABLE catalog (
    doc_id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'new',
    added_at TEXT NOT NULL DEFAULT '',
    case_number TEXT NOT NULL DEFAULT '',
    decision_date TEXT NOT NULL DEFAULT '',
    final_outcome TEXT NOT NULL DEFAULT '',
    specialties TEXT NOT NULL DEFAULT '',
    item_count INTEGER NOT NULL DEFAULT 0,
    categories TEXT NOT NULL DEFAULT '',
    layout TEXT NOT NULL DEFAULT '',
    annotation_count INTEGER NOT NULL DEFAULT 0,
    annotators TEXT NOT NULL DEFAULT '',
    derived_key TEXT
);
CREATE TABLE catalog_items (
    doc_id INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    request TEXT NOT NULL DEFAULT '',
    heading TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL DEFAULT 'other',
    PRIMARY KEY (doc_id, idx)
) WITHOUT ROWID;
CREATE TABLE catalog_specialties (
    doc_id INTEGER NOT NULL,
    specialty TEXT NOT NULL,
    PRIMARY KEY (doc_id, specialty)
) WITHOUT ROWID;
CREATE TABLE catalog_guidelines (
    doc_id INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (doc_id, idx, source)
) WITHOUT ROWID;
CREATE TABLE library_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE INDEX catalog_items_category ON catalog_items (category, doc_id);
CREATE INDEX catalog_specialties_specialty ON catalog_specialties (specialty, doc_id);
CREATE INDEX catalog_stale ON catalog (doc_id) WHERE derived_key IS NULL;
CREATE VIEW catalog_text AS
    SELECT c.doc_id AS doc_id, d.text AS text
    FROM catalog c JOIN documents d ON d.sha256 = c.sha256;
CREATE VIRTUAL TABLE catalog_fts USING fts5(
    text, content='catalog_text', content_rowid='doc_id',
    tokenize='unicode61 remove_diacritics 2'
);
"""


def _counts(where: str) -> str:
    """SQL refreshing the annotation columns of the catalog rows matching ``where``."""
    live = "a.document = catalog.sha256 AND a.deleted = 0 AND a.origin = 'manual'"
    return f"""
    UPDATE catalog SET
        annotation_count = (SELECT count(*) FROM annotations a WHERE {live}),
        annotators = coalesce((
            SELECT group_concat(annotator, ', ') FROM (
                SELECT DISTINCT a.annotator FROM annotations a
                WHERE {live} AND a.annotator <> '' ORDER BY a.annotator
            )), '')
    WHERE {where};"""


TRIGGERS: dict[str, str] = {
    "catalog_document_insert": f"""
    CREATE TRIGGER catalog_document_insert AFTER INSERT ON documents BEGIN
        INSERT OR IGNORE INTO catalog (sha256, path, status, added_at)
        VALUES (NEW.sha256, NEW.path, NEW.status, coalesce(NEW.added_at, ''));
        INSERT INTO {FTS_TABLE} (rowid, text)
            SELECT doc_id, NEW.text FROM catalog
            WHERE sha256 = NEW.sha256 AND NEW.text IS NOT NULL;
    END""",
    "catalog_document_text": f"""
    CREATE TRIGGER catalog_document_text AFTER UPDATE OF text ON documents
    WHEN OLD.text IS NOT NEW.text BEGIN
        INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, text)
            SELECT 'delete', doc_id, OLD.text FROM catalog
            WHERE sha256 = OLD.sha256 AND OLD.text IS NOT NULL;
        INSERT INTO {FTS_TABLE} (rowid, text)
            SELECT doc_id, NEW.text FROM catalog
            WHERE sha256 = NEW.sha256 AND NEW.text IS NOT NULL;
        UPDATE catalog SET derived_key = NULL WHERE sha256 = NEW.sha256;
    END""",
    "catalog_document_structure": """
    CREATE TRIGGER catalog_document_structure AFTER UPDATE OF structure ON documents
    WHEN OLD.structure IS NOT NEW.structure BEGIN
        UPDATE catalog SET derived_key = NULL WHERE sha256 = NEW.sha256;
    END""",
    "catalog_document_status": """
    CREATE TRIGGER catalog_document_status AFTER UPDATE OF status ON documents
    WHEN OLD.status IS NOT NEW.status BEGIN
        UPDATE catalog SET status = NEW.status WHERE sha256 = NEW.sha256;
    END""",
    "catalog_document_path": """
    CREATE TRIGGER catalog_document_path AFTER UPDATE OF path ON documents
    WHEN OLD.path IS NOT NEW.path BEGIN
        UPDATE catalog SET path = NEW.path WHERE sha256 = NEW.sha256;
    END""",
    "catalog_document_delete": f"""
    CREATE TRIGGER catalog_document_delete AFTER DELETE ON documents BEGIN
        INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, text)
            SELECT 'delete', doc_id, OLD.text FROM catalog
            WHERE sha256 = OLD.sha256 AND OLD.text IS NOT NULL;
        DELETE FROM catalog_items WHERE doc_id IN
            (SELECT doc_id FROM catalog WHERE sha256 = OLD.sha256);
        DELETE FROM catalog_specialties WHERE doc_id IN
            (SELECT doc_id FROM catalog WHERE sha256 = OLD.sha256);
        DELETE FROM catalog_guidelines WHERE doc_id IN
            (SELECT doc_id FROM catalog WHERE sha256 = OLD.sha256);
        DELETE FROM catalog WHERE sha256 = OLD.sha256;
    END""",
    "catalog_annotation_insert": f"""
    CREATE TRIGGER catalog_annotation_insert AFTER INSERT ON annotations BEGIN
        {_counts("sha256 = NEW.document")}
    END""",
    "catalog_annotation_update": f"""
    CREATE TRIGGER catalog_annotation_update
    AFTER UPDATE OF deleted, origin, annotator, document ON annotations BEGIN
        {_counts("sha256 IN (NEW.document, OLD.document)")}
    END""",
    "catalog_annotation_delete": f"""
    CREATE TRIGGER catalog_annotation_delete AFTER DELETE ON annotations BEGIN
        {_counts("sha256 = OLD.document")}
    END""",
}


def v4_library(db: Database) -> None:
    """Migration 4: the library tables, filled from what the database already holds.

    The derived columns of existing documents are left stale here and filled by
    ``derive.sync`` the first time the library is opened (it needs the parser).
    """
    conn = db.conn
    for statement in _statements(_TABLES):
        conn.execute(statement)
    for column in SORT_COLUMNS:
        conn.execute(f"CREATE INDEX catalog_by_{column} ON catalog ({column}, doc_id)")
    _fill(conn)
    for sql in TRIGGERS.values():
        conn.execute(sql)


def _statements(script: str) -> list[str]:
    # executescript would COMMIT the migration's transaction; split by hand instead
    return [s.strip() for s in script.split(";\n") if s.strip()]


def _fill(conn: sqlite3.Connection) -> None:
    """Catalog rows, annotation counts and the text index for the existing documents."""
    conn.execute(
        "INSERT OR IGNORE INTO catalog (sha256, path, status, added_at) "
        "SELECT sha256, path, status, coalesce(added_at, '') FROM documents "
        "ORDER BY added_at, sha256"
    )
    conn.execute(_counts("sha256 IN (SELECT document FROM annotations)"))
    conn.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('rebuild')")


def missing_triggers(conn: sqlite3.Connection) -> list[str]:
    """Triggers that should exist and do not (a later table rebuild may drop them)."""
    present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    return [name for name in TRIGGERS if name not in present]


def repair(conn: sqlite3.Connection) -> None:
    """Recreate missing triggers and bring the catalog back in step with ``documents``.

    For a database whose ``documents`` table was rebuilt by a later migration (which
    drops its triggers). Call inside a transaction.
    """
    for name in missing_triggers(conn):
        conn.execute(TRIGGERS[name])
    conn.execute("DELETE FROM catalog WHERE sha256 NOT IN (SELECT sha256 FROM documents)")
    for child in ("catalog_items", "catalog_specialties", "catalog_guidelines"):
        conn.execute(f"DELETE FROM {child} WHERE doc_id NOT IN (SELECT doc_id FROM catalog)")
    _fill(conn)
    # rows added meanwhile are stale (derived_key NULL) and get derived by sync; the others
    # keep theirs: a rebuilt table holds the same texts
    conn.execute(
        "UPDATE catalog SET path = d.path, status = d.status "
        "FROM documents d WHERE d.sha256 = catalog.sha256"
    )


# ----------------------------------------------------------------------------- migration 5
_OUTCOMES = """
ALTER TABLE catalog_specialties ADD COLUMN items INTEGER NOT NULL DEFAULT 0;
ALTER TABLE catalog_specialties ADD COLUMN upheld INTEGER NOT NULL DEFAULT 0;
ALTER TABLE catalog_specialties ADD COLUMN overturned INTEGER NOT NULL DEFAULT 0;
ALTER TABLE catalog_guidelines ADD COLUMN outcome TEXT NOT NULL DEFAULT '';
UPDATE catalog_specialties SET
    items = (SELECT count(*) FROM catalog_items i WHERE i.doc_id = catalog_specialties.doc_id),
    upheld = (SELECT count(*) FROM catalog_items i
              WHERE i.doc_id = catalog_specialties.doc_id AND i.outcome = 'Upheld'),
    overturned = (SELECT count(*) FROM catalog_items i
                  WHERE i.doc_id = catalog_specialties.doc_id AND i.outcome = 'Overturned');
UPDATE catalog_guidelines SET outcome = coalesce((
    SELECT i.outcome FROM catalog_items i
    WHERE i.doc_id = catalog_guidelines.doc_id AND i.idx = catalog_guidelines.idx), '');
DROP INDEX catalog_items_category;
CREATE INDEX catalog_items_category ON catalog_items (category, outcome, doc_id);
CREATE INDEX annotations_by_label ON annotations (label_id, deleted, origin, document);
"""


def v5_library_outcomes(db: Database) -> None:
    """Migration 5: statistics in one pass per table, label filters from an index.

    At 100,000 letters the statistics took 3.3 s, joining items to specialties and to
    guideline sources: the child tables now repeat the outcomes (per specialty, the
    letter's item counts; per source, the item's outcome), the category index covers the
    outcome, and label filters read a covering index of annotations (their rows are wide).
    Filled from what the tables hold; ``derive.write`` keeps them from now on.
    """
    for statement in _statements(_OUTCOMES):
        db.conn.execute(statement)


# ----------------------------------------------------------------------------- migration 6
_FTS_V6 = f"""
CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(
    text, content='catalog_text', content_rowid='doc_id',
    tokenize='unicode61 remove_diacritics 2', prefix='2'
)"""
# prefix lengths (characters) the full-text index has a prefix index for, as the latest
# migration that built it (6) made it; searches plan with it
FTS_PREFIXES = (2,)


def v6_prefix_index(db: Database) -> None:
    """Migration 6: the full-text index also indexes every two-character prefix.

    Without it, FTS5 answers a prefix query by merging the position lists of every term
    with that prefix: ``me*`` merges 51 terms and over 1.3 million positions at 100,000
    letters, so counting its matches and listing the first page took 180-280 ms. With
    ``prefix='2'`` a two-character prefix is one list (a few ms). Longer prefixes match
    far fewer positions each and stay unindexed: each prefix length indexed adds about
    0.23x the extracted text to the database (the index without one is 0.34x), and the
    library must stay within twice its text.

    The index is dropped and rebuilt from the letters (about 0.6 ms CPU each): the
    triggers name it and carry on as they are. Inside the migration's transaction, so a
    crash leaves the old index or the new one, never none.
    """
    conn = db.conn
    conn.execute(f"DROP TABLE {FTS_TABLE}")
    conn.execute(_FTS_V6.strip())
    conn.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('rebuild')")
