"""Plain data types shared by the store, the UI and the exports."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

QUOTE_CONTEXT = 32  # characters of prefix/suffix kept to re-anchor a quote

ORIGIN_MANUAL = "manual"
ORIGIN_SUGGESTED = "suggested"

# annotations.anchor_status: NULL = placed in the current text; ANCHOR_ORPHAN = re-anchoring
# (core/anchoring.py) could not place it after the text changed, so its offsets point into
# the old text and only the user may place it again
ANCHOR_ORPHAN = "orphan"


def now_iso() -> str:
    """UTC timestamp with microseconds: sortable, and merge-safe across machines."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True, slots=True)
class Label:
    id: str
    name: str
    color: str  # "#rrggbb"
    hotkey: int | None = None  # 1..9
    description: str = ""
    position: int = 0
    updated_at: str = field(default_factory=now_iso)

    def with_changes(self, **changes: object) -> Label:
        return replace(self, updated_at=now_iso(), **changes)  # type: ignore[arg-type]


DEFAULT_LABELS: tuple[tuple[str, str, int, str], ...] = (
    # Colours chosen to stay distinct for the common colour-vision deficiencies and to stay
    # legible as translucent fills on white and on dark pages.
    ("Summary fact", "#2f80ed", 1, "A fact from the clinical case summary."),
    ("Decision", "#eb5757", 2, "A decision on a disputed item and its outcome."),
    ("Guideline citation", "#f2a93b", 3, "A cited guideline: MTUS, ACOEM, ODG or other."),
)


@dataclass(frozen=True, slots=True)
class Annotation:
    id: str
    document: str  # sha256 of the document's file bytes
    label_id: str
    start: int  # code points into the canonical text
    end: int  # exclusive
    exact: str
    prefix: str = ""
    suffix: str = ""
    note: str = ""
    annotator: str = ""
    origin: str = ORIGIN_MANUAL
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)
    anchor_status: str | None = None  # None = placed; ANCHOR_ORPHAN = needs the user

    @property
    def is_orphan(self) -> bool:
        """Not placed in the current text: ``start``/``end`` are offsets into an older
        text and must never be used to draw or export it."""
        return self.anchor_status == ANCHOR_ORPHAN

    @classmethod
    def create(
        cls,
        *,
        document: str,
        text: str,
        start: int,
        end: int,
        label_id: str,
        annotator: str,
        note: str = "",
        origin: str = ORIGIN_MANUAL,
    ) -> Annotation:
        if not 0 <= start < end <= len(text):
            raise ValueError(f"bad span [{start}, {end}) for a text of {len(text)} characters")
        return cls(
            id=new_id(),
            document=document,
            label_id=label_id,
            start=start,
            end=end,
            exact=text[start:end],
            prefix=text[max(0, start - QUOTE_CONTEXT) : start],
            suffix=text[end : end + QUOTE_CONTEXT],
            note=note,
            annotator=annotator,
            origin=origin,
        )

    def with_changes(self, **changes: object) -> Annotation:
        return replace(self, updated_at=now_iso(), **changes)  # type: ignore[arg-type]

    def placed_at(self, text: str, start: int, end: int) -> Annotation:
        """This annotation attached to ``[start, end)`` of ``text``: quote and context are
        read from ``text`` (never carried over), and it is no longer an orphan."""
        if not 0 <= start < end <= len(text):
            raise ValueError(f"bad span [{start}, {end}) for a text of {len(text)} characters")
        return self.with_changes(
            start=start,
            end=end,
            exact=text[start:end],
            prefix=text[max(0, start - QUOTE_CONTEXT) : start],
            suffix=text[end : end + QUOTE_CONTEXT],
            anchor_status=None,
        )


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    sha256: str
    path: str
    kind: str  # "pdf" | "text"
    page_count: int
    size: int
    text: str | None = None
    text_sha256: str | None = None
    extractor_version: str | None = None
    status: str = "new"  # new | in_progress | done
