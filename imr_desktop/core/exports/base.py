"""What every export format shares: records, the problem report, atomic output files.

An export never leaves a half-written file: each output goes to a hidden temporary file
beside its destination and is moved into place with ``os.replace`` only when the whole
export succeeded.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from imr_desktop.core.errors import UserFacingError

ORPHAN_PROBLEM = "orphan"  # Report kind: an annotation not placed in the current text


class ExportError(UserFacingError):
    """An export or import cannot be done; the message is meant for the user."""


class ExportCancelled(ExportError):
    """The user cancelled the export; nothing was written."""

    def __init__(self) -> None:
        super().__init__("The export was cancelled; no file was written.")


def check_cancelled(cancelled: Callable[[], bool] | None) -> None:
    if cancelled is not None and cancelled():
        raise ExportCancelled


@dataclass(frozen=True, slots=True)
class SpanRecord:
    """One annotation as exported: offsets are code points into the record's text."""

    id: str
    start: int
    end: int
    label: str
    text: str
    note: str = ""
    annotator: str = ""
    origin: str = "manual"
    created_at: str = ""
    updated_at: str = ""
    color: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "start": self.start,
            "end": self.end,
            "label": self.label,
            "text": self.text,
            "note": self.note,
            "annotator": self.annotator,
            "origin": self.origin,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@dataclass(slots=True)
class DocRecord:
    """One document with its exported annotations (sorted by start, end, id).

    ``orphans`` are annotations re-anchoring could not place in this text: their offsets
    point into an older one, so no format exports them as spans; case packets list them
    by quote. They never leave through ``to_json``.
    """

    id: str  # sha256 of the file bytes (or a de-identified id)
    text: str
    spans: list[SpanRecord]
    meta: dict[str, Any]
    structure: dict[str, Any] | None = None
    split: str | None = None
    orphans: list[SpanRecord] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        meta = dict(self.meta)
        if self.split is not None:
            meta["split"] = self.split
        return {
            "id": self.id,
            "text": self.text,
            "spans": [s.to_json() for s in self.spans],
            "meta": meta,
            "structure": self.structure,
        }


@dataclass(frozen=True, slots=True)
class LabelInfo:
    id: str
    name: str
    color: str


@dataclass(slots=True)
class Report:
    """What an export did, and every span or document it could not carry over.

    Problems are counted by kind and the first ``keep`` are kept verbatim, so a library
    with a systematic problem does not fill memory with messages.
    """

    documents: int = 0
    spans: int = 0
    problems: dict[str, int] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    keep: int = 200

    def problem(self, kind: str, message: str) -> None:
        self.problems[kind] = self.problems.get(kind, 0) + 1
        if len(self.messages) < self.keep:
            self.messages.append(message)

    @property
    def problem_count(self) -> int:
        return sum(self.problems.values())

    @property
    def orphans(self) -> int:
        """Annotations left out because they are not placed in their letter's text."""
        return self.problems.get(ORPHAN_PROBLEM, 0)


class AtomicOutputs:
    """Temporary files beside their destinations, moved into place by ``commit``."""

    def __init__(self) -> None:
        self._pending: list[tuple[Path, Path]] = []
        self._files: list[IO[Any]] = []

    def temp_for(self, path: str | Path) -> Path:
        """Reserve a temporary file beside ``path``; it is created empty."""
        path = Path(path)
        parent = path.parent
        if path.is_dir():
            raise ExportError(f"Cannot write {path}: it is a folder.")
        if not parent.is_dir():
            raise ExportError(f"Cannot write {path}: the folder {parent} does not exist.")
        tmp = parent / f".{path.name}.{uuid.uuid4().hex[:8]}.part"
        try:
            # os.open applies the umask to 0o666: the file gets the mode open() would give
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except PermissionError:
            raise ExportError(f"Cannot write {path}: permission denied.") from None
        except OSError as exc:
            raise ExportError(f"Cannot write {path}: {exc.strerror or exc}.") from None
        os.close(fd)
        self._pending.append((tmp, path))
        return tmp

    def open(self, path: str | Path, *, binary: bool = False) -> IO[Any]:
        tmp = self.temp_for(path)
        # newline="" so CSV and JSONL get exactly the line ends they write
        f = tmp.open("wb") if binary else tmp.open("w", encoding="utf-8", newline="")
        self._files.append(f)  # closed on discard, should a writer fail before close()
        return f

    def commit(self) -> list[Path]:
        done: list[Path] = []
        final: Path | None = None
        try:
            for f in self._files:
                f.close()  # flushes: a full disk shows here
            for tmp, final in self._pending:
                os.replace(tmp, final)
                done.append(final)
        except OSError as exc:
            where = final or (self._pending[0][1] if self._pending else "the output")
            raise ExportError(f"Cannot write {where}: {exc.strerror or exc}.") from None
        finally:
            self.discard()
        return done

    def discard(self) -> None:
        for f in self._files:
            with contextlib.suppress(OSError):
                f.close()
        self._files.clear()
        for tmp, _ in self._pending:
            with contextlib.suppress(OSError):
                tmp.unlink()
        self._pending.clear()

    def __enter__(self) -> AtomicOutputs:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        # commit() must be called explicitly; leaving the block any other way discards
        self.discard()


def with_suffix_part(path: Path, part: str) -> Path:
    """``data/x.jsonl`` + ``train`` -> ``data/x.train.jsonl`` (for split outputs)."""
    return path.with_name(f"{path.stem}.{part}{path.suffix}")


class Writer:
    """One output of one format. ``write`` is called once per document, then ``close``.

    Subclasses open their files through ``outputs`` so that nothing appears at the
    destination before the whole export succeeded.
    """

    suffix = ""
    #: exports whose records must carry the original document's text positions
    supports_deidentify = True

    def __init__(
        self, out: Path, outputs: AtomicOutputs, labels: list[LabelInfo], report: Report
    ) -> None:
        self.out = out
        self.outputs = outputs
        self.labels = labels
        self.report = report

    @classmethod
    def write_shared(cls, out: Path, outputs: AtomicOutputs, labels: list[LabelInfo]) -> None:
        """Files shared by all splits of one export (e.g. a labeling config)."""

    def write(self, record: DocRecord) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def discard(self) -> None:
        """The export failed or was cancelled: release what ``close`` would have."""
