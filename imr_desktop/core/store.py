"""The annotation database: one SQLite file, written through sqlite-utils.

Rules this module keeps:
- every public write is one transaction, committed before the method returns (WAL,
  ``synchronous=FULL``), so an edit the UI shows as saved is on disk;
- rows are keyed for merging databases later: annotations and labels by UUID with
  ``updated_at``, deletes are tombstones, documents by the sha256 of their bytes;
- environment failures (read-only, locked, disk full, I/O) become ``StoreError``s with a
  message for the user, never a traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from imr_desktop.core.errors import (
    NewerSchemaError,
    ReadOnlyStoreError,
    StorageFault,
    StoreError,
)
from imr_desktop.core.library.schema import v4_library, v5_library_outcomes, v6_prefix_index
from imr_desktop.core.model import (
    DEFAULT_LABELS,
    Annotation,
    DocumentRecord,
    Label,
    new_id,
    now_iso,
)

if TYPE_CHECKING:
    from imr_desktop.core.dbapi import Database

# --------------------------------------------------------------------------- migrations
Migration = Callable[["Database"], None]


def _v1_initial(db: Database) -> None:
    db["documents"].create(
        {
            "sha256": str,
            "path": str,
            "kind": str,
            "page_count": int,
            "size": int,
            "text": str,
            "text_sha256": str,
            "extractor_version": str,
            "status": str,
            "added_at": str,
            "updated_at": str,
        },
        pk="sha256",
        not_null={"path", "kind", "status"},
        defaults={"status": "new", "page_count": 0, "size": 0},
    )
    db["labels"].create(
        {
            "id": str,
            "name": str,
            "color": str,
            "hotkey": int,
            "description": str,
            "position": int,
            "deleted": int,
            "updated_at": str,
        },
        pk="id",
        not_null={"name", "color"},
        defaults={"deleted": 0, "position": 0, "description": ""},
    )
    db["annotations"].create(
        {
            "id": str,
            "document": str,
            "label_id": str,
            "start": int,
            "end": int,
            "exact": str,
            "prefix": str,
            "suffix": str,
            "note": str,
            "annotator": str,
            "origin": str,
            "deleted": int,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"document", "label_id", "start", "end", "exact", "origin"},
        defaults={"deleted": 0, "note": "", "prefix": "", "suffix": "", "annotator": ""},
        foreign_keys=[("document", "documents", "sha256"), ("label_id", "labels", "id")],
    )
    db["annotations"].create_index(["document", "deleted"])
    db["annotations"].create_index(["label_id"])
    for position, (name, color, hotkey, description) in enumerate(DEFAULT_LABELS):
        db["labels"].insert(
            {
                "id": new_id(),
                "name": name,
                "color": color,
                "hotkey": hotkey,
                "description": description,
                "position": position,
                "deleted": 0,
                "updated_at": now_iso(),
            }
        )


def _v2_structure(db: Database) -> None:
    # the letter's extracted structure (JSON), so views and exports never parse twice
    db["documents"].add_column("structure", str)


def _v3_anchor_status(db: Database) -> None:
    # Re-anchoring (core/anchoring.py) keeps annotations it cannot place in a changed text
    # as orphans instead of dropping them: NULL = anchored, 'orphan' = needs the user.
    db.execute("ALTER TABLE annotations ADD COLUMN anchor_status TEXT")
    db.execute("ALTER TABLE annotations ADD COLUMN anchor_confidence REAL")


# Append only. The index + 1 is the schema version stored in PRAGMA user_version.
MIGRATIONS: list[Migration] = [
    _v1_initial,
    _v2_structure,
    _v3_anchor_status,
    v4_library,
    v5_library_outcomes,
    v6_prefix_index,
]
SCHEMA_VERSION = len(MIGRATIONS)

# Called with (path, version) before an existing database is migrated; raising refuses.
BeforeMigration = Callable[[Path, int], None]


def _backup_before_migration(path: Path, version: int) -> None:
    # imported here: backup.py imports this module for SCHEMA_VERSION
    from imr_desktop.core.autobackup import backup_before_migration

    backup_before_migration(path, version)


def _classify(exc: sqlite3.Error, path: Path) -> StoreError:
    """Turn an sqlite3 error from the environment into a message for the user."""
    msg = str(exc).lower()
    if "readonly" in msg or "read-only" in msg:
        return ReadOnlyStoreError(f"The database {path} is read-only; the change was not saved.")
    if "locked" in msg or "busy" in msg:
        return StorageFault(
            f"The database {path} is locked by another program; the change was not saved."
        )
    if "full" in msg:
        return StorageFault(f"The disk holding {path} is full; the change was not saved.")
    if "disk i/o" in msg or "i/o" in msg:
        return StorageFault(f"Could not write {path} (disk I/O error); the change was not saved.")
    if "not a database" in msg or "malformed" in msg or "file is encrypted" in msg:
        return StoreError(f"{path} is not an IMR Desktop database or it is damaged ({exc}).")
    if "unable to open" in msg:
        return StoreError(f"Cannot open the database {path} ({exc}).")
    return StoreError(f"Database error in {path}: {exc}")


def _row_to(cls: type, row: dict[str, Any]) -> Any:
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in row.items() if k in names})


class Store:
    """Documents, labels and annotations in one SQLite file."""

    def __init__(self, conn: sqlite3.Connection, path: Path, read_only: bool) -> None:
        self.conn = conn
        # sqlite-utils (with click, pluggy and dateutil) is imported on the first write or
        # migration, not at open: reading a letter's annotations does not need it, and
        # importing it cost ~0.1 s before the first page could show
        self._db: Database | None = None
        self.path = path
        self.read_only = read_only
        self.closed = False  # set by close(); a window switching databases checks it

    @property
    def db(self) -> Database:
        """The connection as a sqlite-utils ``Database`` (made on first use)."""
        if self._db is None:
            from imr_desktop.core.dbapi import Database

            self._db = Database(self.conn, execute_plugins=False)
        return self._db

    def _query(self, sql: str, params: Sequence[Any] = ()) -> Iterator[dict[str, Any]]:
        """Rows as dicts straight from sqlite3 (what ``Database.query`` returns)."""
        cursor = self.conn.execute(sql, params)
        keys = [d[0] for d in cursor.description]
        for row in cursor:
            yield dict(zip(keys, row, strict=True))

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        read_only: bool = False,
        before_migration: BeforeMigration | None = _backup_before_migration,
        connection_factory: type[sqlite3.Connection] = sqlite3.Connection,
    ) -> Store:
        """Open (creating and migrating when writable) the database at ``path``.

        Falls back to read-only when the file or its folder cannot be written; check
        ``store.read_only`` to tell the user. A database that needs migrating is first
        backed up by ``before_migration`` (default: a checked backup in ``backups/``);
        if that fails, nothing is changed. ``connection_factory`` lets tests inject
        storage faults (tests/faults.py).
        """
        path = Path(path)
        if not read_only and path.exists() and not _writable(path):
            read_only = True
        if not read_only and not path.exists() and not _writable(_nearest_existing(path.parent)):
            raise StoreError(f"Cannot create the database {path}: its folder is not writable.")
        try:
            if read_only:
                if not path.exists():
                    raise StoreError(f"Database not found: {path}")
                conn = sqlite3.connect(
                    f"{path.resolve().as_uri()}?mode=ro", uri=True, factory=connection_factory
                )
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(str(path), timeout=2.0, factory=connection_factory)
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA recursive_triggers=ON")  # as sqlite-utils' Database sets
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.Error as exc:
            raise _classify(exc, path) from None
        if version > SCHEMA_VERSION:
            conn.close()
            raise NewerSchemaError(
                f"The database {path} was written by a newer version of IMR Desktop "
                f"(schema {version}; this version knows up to {SCHEMA_VERSION}). "
                "Update IMR Desktop to open it; the file was not changed."
            )
        store = cls(conn, path, read_only)
        try:
            if not read_only:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=FULL")
                if sys.platform == "darwin":
                    # macOS fsync does not reach the platter; F_FULLFSYNC does
                    conn.execute("PRAGMA fullfsync=ON")
                if 0 < version < SCHEMA_VERSION and before_migration is not None:
                    store._before_migration(before_migration, version)
                store._migrate(version)
            elif version < SCHEMA_VERSION:
                conn.close()
                raise StoreError(
                    f"The database {path} is from an older version and is read-only, "
                    "so it cannot be upgraded. Make it writable and open it again."
                )
        except sqlite3.Error as exc:
            conn.close()
            raise _classify(exc, path) from None
        return store

    def _before_migration(self, hook: BeforeMigration, version: int) -> None:
        try:
            hook(self.path, version)
        except StoreError as exc:
            self.conn.close()
            raise StoreError(
                f"{self.path} must be upgraded from schema {version} to {SCHEMA_VERSION}, "
                f"and it is backed up first; that failed, so nothing was changed. {exc}"
            ) from None

    def _migrate(self, version: int) -> None:
        # All steps in one transaction, user_version included: a crash mid-migration
        # leaves the database at the old version, untouched, never half upgraded.
        if version >= SCHEMA_VERSION:
            return
        with self.db.atomic():
            for target in range(version + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[target - 1](self.db)
                self.conn.execute(f"PRAGMA user_version={target}")

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def close(self) -> None:
        self.closed = True
        with contextlib.suppress(sqlite3.Error):
            self.conn.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[Database]:
        """One committed transaction, or a ``StoreError`` and nothing written."""
        with self._atomic():
            yield self.db

    @contextlib.contextmanager
    def _atomic(self) -> Iterator[sqlite3.Connection]:
        """``_write`` on the bare connection, for the edits a user makes by the hundred
        (tag, relabel, delete): sqlite-utils' table methods read the schema (eight
        queries) before every row, and a tag does not need them. Nested in a batch
        (``transaction``) it is a savepoint, as sqlite-utils' ``atomic`` does."""
        if self.read_only:
            raise ReadOnlyStoreError(
                f"The database {self.path} is open read-only; the change was not saved."
            )
        conn = self.conn
        try:
            if conn.in_transaction:
                conn.execute("SAVEPOINT edit")
                try:
                    yield conn
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK TO SAVEPOINT edit")
                        conn.execute("RELEASE SAVEPOINT edit")
                    raise
                conn.execute("RELEASE SAVEPOINT edit")
                return
            conn.execute("BEGIN")
            try:
                yield conn
                conn.commit()
            except BaseException:
                # a failed COMMIT (disk full, I/O error) leaves the transaction open
                with contextlib.suppress(sqlite3.Error):
                    conn.rollback()
                raise
        except sqlite3.Error as exc:
            raise _classify(exc, self.path) from None

    def transaction(self) -> contextlib.AbstractContextManager[Database]:
        """A batch of writes (library import) as one committed transaction, or a
        ``StoreError`` and nothing written."""
        return self._write()

    # ------------------------------------------------------------------ documents
    def upsert_document(self, doc: DocumentRecord) -> None:
        now = now_iso()
        row = asdict(doc)
        if self._unchanged(row):
            return  # reopening a known letter: no transaction, no fsync
        with self._write() as db:
            existing = db.execute(
                "SELECT status, added_at FROM documents WHERE sha256 = ?", [doc.sha256]
            ).fetchone()
            if existing:
                row["status"] = existing[0]
                row["added_at"] = existing[1]
                if row["text"] is None:
                    row.pop("text")
                    row.pop("text_sha256")
                    row.pop("extractor_version")
            else:
                row["added_at"] = now
            row["updated_at"] = now
            db["documents"].upsert(row, pk="sha256")

    def _unchanged(self, row: dict[str, Any]) -> bool:
        """Whether the stored document already has every value of ``row``; the fields an
        upsert keeps are ignored (status, and the text fields when ``row`` has no text)."""
        kept = {"status"} | (
            {"text", "text_sha256", "extractor_version"} if row["text"] is None else set()
        )
        wanted = {k: v for k, v in row.items() if k not in kept}
        columns = ", ".join(f'"{k}"' for k in wanted)
        try:
            stored = self.conn.execute(
                f"SELECT {columns} FROM documents WHERE sha256 = ?", [row["sha256"]]
            ).fetchone()
        except sqlite3.Error:
            return False  # let the write path report it
        return stored is not None and tuple(stored) == tuple(wanted.values())

    def save_structure(self, sha256: str, structure: dict[str, Any]) -> None:
        with self._write() as db:
            db.execute(
                "UPDATE documents SET structure = ?, updated_at = ? WHERE sha256 = ?",
                [json.dumps(structure, ensure_ascii=False), now_iso(), sha256],
            )

    def structure(self, sha256: str) -> dict[str, Any] | None:
        row = self.conn.execute(
            "SELECT structure FROM documents WHERE sha256 = ?", [sha256]
        ).fetchone()
        if not row or not row[0]:
            return None
        try:
            value = json.loads(row[0])
        except ValueError:
            return None  # damaged: the caller extracts again
        return value if isinstance(value, dict) else None

    def ever_suggested(self, document: str) -> bool:
        """True once suggestions were made for a document, even if all were rejected."""
        return (
            self.conn.execute(
                "SELECT 1 FROM annotations WHERE document = ? AND origin = 'suggested' LIMIT 1",
                [document],
            ).fetchone()
            is not None
        )

    def add_annotations(self, annotations: list[Annotation]) -> None:
        """Insert several annotations in one transaction (suggestions, imports)."""
        with self._atomic() as conn:
            conn.executemany(_UPSERT_ANNOTATION, [_annotation_row(a) for a in annotations])

    def document(self, sha256: str) -> DocumentRecord | None:
        rows = list(self._query("SELECT * FROM documents WHERE sha256 = ?", [sha256]))
        return _row_to(DocumentRecord, rows[0]) if rows else None

    def set_document_status(self, sha256: str, status: str) -> None:
        if status not in ("new", "in_progress", "done"):
            raise ValueError(status)
        with self._write() as db:
            db.execute(
                "UPDATE documents SET status = ?, updated_at = ? WHERE sha256 = ?",
                [status, now_iso(), sha256],
            )

    # ------------------------------------------------------------------ labels
    def labels(self) -> list[Label]:
        rows = self._query("SELECT * FROM labels WHERE deleted = 0 ORDER BY position, name")
        return [_row_to(Label, r) for r in rows]

    def label(self, label_id: str) -> Label | None:
        rows = list(self._query("SELECT * FROM labels WHERE id = ?", [label_id]))
        return _row_to(Label, rows[0]) if rows else None

    def save_label(self, label: Label) -> None:
        """Insert or update a label (and undelete it)."""
        row = asdict(label) | {"deleted": 0}
        with self._write() as db:
            db["labels"].upsert(row, pk="id")

    def save_labels(self, labels: list[Label]) -> None:
        """Save several labels in one transaction (reordering)."""
        with self._write() as db:
            for label in labels:
                db["labels"].upsert(asdict(label) | {"deleted": 0}, pk="id")

    def delete_label(self, label_id: str) -> list[str]:
        """Tombstone a label and its live annotations; returns the annotation ids."""
        now = now_iso()
        with self._write() as db:
            ids = [
                r[0]
                for r in db.execute(
                    "SELECT id FROM annotations WHERE label_id = ? AND deleted = 0", [label_id]
                )
            ]
            db.execute(
                "UPDATE labels SET deleted = 1, updated_at = ? WHERE id = ?", [now, label_id]
            )
            db.execute(
                "UPDATE annotations SET deleted = 1, updated_at = ? "
                "WHERE label_id = ? AND deleted = 0",
                [now, label_id],
            )
        return ids

    def restore_label(self, label_id: str, annotation_ids: list[str]) -> None:
        now = now_iso()
        with self._write() as db:
            db.execute(
                "UPDATE labels SET deleted = 0, updated_at = ? WHERE id = ?", [now, label_id]
            )
            db.conn.executemany(
                "UPDATE annotations SET deleted = 0, updated_at = ? WHERE id = ?",
                [(now, i) for i in annotation_ids],
            )

    # ------------------------------------------------------------------ annotations
    def annotations(
        self, document: str, *, origin: str | None = None, include_orphans: bool = False
    ) -> list[Annotation]:
        """Live annotations of a document. Orphans (annotations re-anchoring could not
        place in a changed text) hold offsets into the old text, so they are left out
        unless asked for."""
        sql = "SELECT * FROM annotations WHERE document = ? AND deleted = 0"
        if not include_orphans:
            sql += " AND anchor_status IS NULL"
        args: list[Any] = [document]
        if origin is not None:
            sql += " AND origin = ?"
            args.append(origin)
        sql += " ORDER BY start, end"
        return [_row_to(Annotation, r) for r in self._query(sql, args)]

    def annotation(self, annotation_id: str) -> Annotation | None:
        rows = list(self._query("SELECT * FROM annotations WHERE id = ?", [annotation_id]))
        return _row_to(Annotation, rows[0]) if rows and not rows[0]["deleted"] else None

    def add_annotation(self, ann: Annotation) -> None:
        """Insert (or revive, for redo) an annotation; commits before returning."""
        with self._atomic() as conn:
            conn.execute(_UPSERT_ANNOTATION, _annotation_row(ann))
            # the first annotation moves a new document to "in progress"
            conn.execute(
                "UPDATE documents SET status = 'in_progress' WHERE sha256 = ? AND status = 'new'",
                [ann.document],
            )

    def update_annotation(self, ann: Annotation) -> None:
        with self._atomic() as conn:
            row = asdict(ann)
            conn.execute(_UPDATE_ANNOTATION, [row[c] for c in _ANNOTATION_FIELDS[1:]] + [ann.id])

    def reattach_annotation(
        self, annotation_id: str, start: int, end: int, *, exact: str | None = None
    ) -> Annotation:
        """Attach an annotation (normally an orphan) to ``[start, end)`` of its document's
        current text, because the user chose that place; returns it as stored.

        Quote and context are read from the stored text, ``anchor_status`` is cleared,
        all in one committed transaction. ``exact`` is the text the user had selected:
        when given, the stored text must hold exactly that there, so an annotation is
        never attached to text other than what the user saw. Raises ``StoreError``
        (nothing written) when the annotation is gone, the document has no text yet, the
        span does not fit it, or the text differs.
        """
        with self._write() as db:
            rows = list(
                db.query("SELECT * FROM annotations WHERE id = ? AND deleted = 0", [annotation_id])
            )
            if not rows:
                raise StoreError("That annotation was deleted meanwhile; nothing was re-attached.")
            ann: Annotation = _row_to(Annotation, rows[0])
            found = db.execute("SELECT text FROM documents WHERE sha256 = ?", [ann.document])
            text = (found.fetchone() or [None])[0]
            if not text:
                raise StoreError(
                    "The letter's text is not saved yet; wait until it is read, then re-attach."
                )
            if not 0 <= start < end <= len(text) or (
                exact is not None and text[start:end] != exact
            ):
                raise StoreError(
                    "The selection is not in the letter's saved text (it may still be "
                    "loading); nothing was re-attached."
                )
            placed = ann.placed_at(text, start, end)
            db.execute(
                'UPDATE annotations SET start = ?, "end" = ?, exact = ?, prefix = ?, '
                "suffix = ?, anchor_status = NULL, anchor_confidence = NULL, updated_at = ? "
                "WHERE id = ?",
                [
                    placed.start,
                    placed.end,
                    placed.exact,
                    placed.prefix,
                    placed.suffix,
                    placed.updated_at,
                    placed.id,
                ],
            )
        return placed

    def delete_annotation(self, annotation_id: str) -> None:
        with self._atomic() as conn:
            conn.execute(
                "UPDATE annotations SET deleted = 1, updated_at = ? WHERE id = ?",
                [now_iso(), annotation_id],
            )

    def count_annotations(self, document: str | None = None) -> int:
        if document is None:
            sql = "SELECT count(*) FROM annotations WHERE deleted = 0"
            return self.conn.execute(sql).fetchone()[0]
        return self.conn.execute(
            "SELECT count(*) FROM annotations WHERE document = ? AND deleted = 0", [document]
        ).fetchone()[0]


# The annotation writes of the hot path, as plain SQL (see ``Store._atomic``). On
# conflict only these columns change: the anchoring columns stay as they are.
_ANNOTATION_FIELDS = tuple(f.name for f in fields(Annotation))  # "id" first
_ANNOTATION_COLUMNS = (*_ANNOTATION_FIELDS, "deleted")
_UPSERT_ANNOTATION = (
    f"INSERT INTO annotations ({', '.join(f'[{c}]' for c in _ANNOTATION_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _ANNOTATION_COLUMNS)}) ON CONFLICT(id) DO UPDATE SET "
    + ", ".join(f"[{c}] = excluded.[{c}]" for c in _ANNOTATION_COLUMNS[1:])
)
_UPDATE_ANNOTATION = (
    "UPDATE annotations SET "
    + ", ".join(f"[{c}] = ?" for c in _ANNOTATION_FIELDS[1:])
    + " WHERE id = ?"
)


def _annotation_row(ann: Annotation) -> list[Any]:
    row = asdict(ann)
    return [row[c] for c in _ANNOTATION_FIELDS] + [0]  # deleted = 0: a redo revives it


def _nearest_existing(folder: Path) -> Path:
    """``folder`` or its closest existing parent: the one that must let us create files."""
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    return folder


def _writable(path: Path) -> bool:
    """Writable for us, and not marked read-only (root ignores mode bits; users do not)."""
    if not os.access(path, os.W_OK):
        return False
    return path.is_dir() or bool(path.stat().st_mode & 0o222)
