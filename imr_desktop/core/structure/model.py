"""The structured record of one letter, and its JSON form.

Every value carries its ``[start, end)`` span (code points, ``end`` exclusive) into the
canonical text it was read from, so the UI can scroll to it and suggestions can be made
from it. Text values are whitespace-collapsed (``" ".join(s.split())``) so they read well
and compare equal across line wraps; the span still points at the printed text.

JSON (``to_dict``/``from_dict``) keeps the field names of ``corpus/expected.json`` flat
(``"case_number": "CM16-0219557"``) and puts the spans beside them in a ``"spans"`` object,
so a record can be scored as it is and stored in the database as it is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

# Bump when the record's shape or the parser's output changes, so that stored structures
# can be recognised as stale and re-extracted.
SCHEMA_VERSION = "imr-structure/1"
# the warning of a letter without text (here, not in ``extract``: the extract command
# checks for it without loading the parser, which runs in its workers)
NO_TEXT_WARNING = "no text: a scan without a text layer needs OCR first"

OUTCOMES = ("Upheld", "Overturned")
FINAL_OUTCOMES = ("Upheld", "Overturned", "Partially Overturned")

HEADER_FIELDS = (
    "case_number",
    "date_assigned",
    "date_of_injury",
    "decision_date",
    "ur_denial_date",
    "application_received",
    "priority",
)
ITEM_FIELDS = (
    "heading",
    "request",
    "original_request",
    "authorized",
    "outcome",
    "claims_administrator_guideline",
    "maximus_guideline",
    "rationale",
)
COVER_FIELDS = (
    "employee",
    "claim_number",
    "employer",
    "claims_administrator",
    "requesting_provider",
    "final_determination",
)

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Field:
    """One value found in the text: ``value`` is normalised, ``text[start:end]`` is printed."""

    value: str
    start: int
    end: int

    @property
    def span(self) -> Span:
        return self.start, self.end


@dataclass(frozen=True, slots=True)
class Section:
    """A titled part of the letter; ``start`` is the title, ``end`` the next title."""

    name: str  # stable id: "cover_letter", "determination_method", "case_summary", ...
    title: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Citation:
    """One guideline a decision was based on, as printed in a guideline field."""

    source: str  # "MTUS" | "ACOEM" | "ODG" | "Non-MTUS" | "none"
    document: str | None  # document or chapter ("Low Back Complaints", "Low Back Chapter")
    year: int | None
    sections: tuple[str, ...]  # sections or topics, best-effort split of the printed list
    pages: tuple[str, ...]  # "58-59", "607"
    text: str
    start: int
    end: int
    item: int | None = None  # index into LetterStructure.items
    role: str = ""  # "claims_administrator" | "maximus"

    def to_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "role": self.role,
            "source": self.source,
            "document": self.document,
            "year": self.year,
            "sections": list(self.sections),
            "pages": list(self.pages),
            "text": self.text,
            "start": self.start,
            "end": self.end,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Citation:
        return cls(
            source=d["source"],
            document=d.get("document"),
            year=d.get("year"),
            sections=tuple(d.get("sections") or ()),
            pages=tuple(d.get("pages") or ()),
            text=d.get("text", ""),
            start=d["start"],
            end=d["end"],
            item=d.get("item"),
            role=d.get("role", ""),
        )


@dataclass(slots=True)
class Item:
    """One disputed item/service and its decision."""

    start: int
    end: int
    heading: Field | None = None
    request: Field | None = None
    original_request: Field | None = None  # modified-request pattern only
    authorized: Field | None = None  # modified-request pattern only
    outcome: Field | None = None  # "Upheld" | "Overturned"
    claims_administrator_guideline: Field | None = None
    maximus_guideline: Field | None = None
    rationale: Field | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {name: _value(getattr(self, name)) for name in ITEM_FIELDS}
        spans: dict[str, Any] = {"item": [self.start, self.end]}
        spans.update({name: _span(getattr(self, name)) for name in ITEM_FIELDS})
        out["spans"] = spans
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Item:
        spans = d.get("spans") or {}
        start, end = spans.get("item") or (0, 0)
        item = cls(start, end)
        for name in ITEM_FIELDS:
            setattr(item, name, _field(d.get(name), spans.get(name)))
        return item


@dataclass(slots=True)
class LetterStructure:
    """Everything the extractor found in one letter; absent values are None or empty."""

    layout: str = "unknown"
    text_length: int = 0
    text_sha256: str = ""
    case_number: Field | None = None
    date_assigned: Field | None = None  # ISO date
    date_of_injury: Field | None = None
    decision_date: Field | None = None
    ur_denial_date: Field | None = None
    application_received: Field | None = None
    priority: Field | None = None  # "Standard" | "Expedited"
    licensure: list[Field] = field(default_factory=list)
    specialties: list[Field] = field(default_factory=list)
    final_outcome: Field | None = None  # "Upheld" | "Overturned" | "Partially Overturned"
    sections: list[Section] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    cover: dict[str, Field] = field(default_factory=dict)  # party version's cover letter
    warnings: list[str] = field(default_factory=list)

    # ------------------------------------------------------------------ queries
    def section(self, name: str) -> Section | None:
        return next((s for s in self.sections if s.name == name), None)

    def citations_for(self, item: int) -> list[Citation]:
        return [c for c in self.citations if c.item == item]

    @property
    def is_empty(self) -> bool:
        """True when nothing at all was recognised (not a letter, or no text layer)."""
        return not (
            self.items
            or self.sections
            or self.cover
            or any(getattr(self, name) for name in HEADER_FIELDS)
        )

    # ------------------------------------------------------------------ JSON
    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"schema": SCHEMA_VERSION, "layout": self.layout}
        spans: dict[str, Any] = {}
        for name in HEADER_FIELDS:
            out[name] = _value(getattr(self, name))
            spans[name] = _span(getattr(self, name))
        out["licensure"] = [f.value for f in self.licensure]
        out["specialties"] = [f.value for f in self.specialties]
        spans["licensure"] = [[f.start, f.end] for f in self.licensure]
        spans["specialties"] = [[f.start, f.end] for f in self.specialties]
        out["final_outcome"] = _value(self.final_outcome)
        spans["final_outcome"] = _span(self.final_outcome)
        out["items"] = [item.to_dict() for item in self.items]
        out["citations"] = [c.to_dict() for c in self.citations]
        out["sections"] = [
            {"name": s.name, "title": s.title, "start": s.start, "end": s.end}
            for s in self.sections
        ]
        if self.cover:
            cover: dict[str, Any] = {name: _value(self.cover.get(name)) for name in COVER_FIELDS}
            cover["spans"] = {name: _span(self.cover.get(name)) for name in COVER_FIELDS}
            out["cover"] = cover
        else:
            out["cover"] = None
        out["spans"] = spans
        out["text_length"] = self.text_length
        out["text_sha256"] = self.text_sha256
        out["warnings"] = list(self.warnings)
        return out

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, **kwargs)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LetterStructure:
        """Rebuild a record from ``to_dict`` output (e.g. read back from the database).

        Raises ``ValueError`` for a record of another schema version: re-extract instead.
        """
        schema = d.get("schema")
        if schema != SCHEMA_VERSION:
            raise ValueError(f"structure schema {schema!r} is not {SCHEMA_VERSION!r}")
        spans = d.get("spans") or {}
        rec = cls(
            layout=d.get("layout", "unknown"),
            text_length=d.get("text_length", 0),
            text_sha256=d.get("text_sha256", ""),
        )
        for name in HEADER_FIELDS:
            setattr(rec, name, _field(d.get(name), spans.get(name)))
        rec.licensure = _fields(d.get("licensure"), spans.get("licensure"))
        rec.specialties = _fields(d.get("specialties"), spans.get("specialties"))
        rec.final_outcome = _field(d.get("final_outcome"), spans.get("final_outcome"))
        rec.items = [Item.from_dict(x) for x in d.get("items") or ()]
        rec.citations = [Citation.from_dict(x) for x in d.get("citations") or ()]
        rec.sections = [
            Section(s["name"], s["title"], s["start"], s["end"]) for s in d.get("sections") or ()
        ]
        cover = d.get("cover") or {}
        cover_spans = cover.get("spans") or {}
        for name in COVER_FIELDS:
            f = _field(cover.get(name), cover_spans.get(name))
            if f is not None:
                rec.cover[name] = f
        rec.warnings = list(d.get("warnings") or ())
        return rec

    @classmethod
    def from_json(cls, s: str) -> LetterStructure:
        return cls.from_dict(json.loads(s))


def _value(f: Field | None) -> str | None:
    return None if f is None else f.value


def _span(f: Field | None) -> list[int] | None:
    return None if f is None else [f.start, f.end]


def _field(value: Any, span: Any) -> Field | None:
    if value is None or not span:
        return None
    return Field(value, span[0], span[1])


def _fields(values: Any, spans: Any) -> list[Field]:
    return [Field(v, s[0], s[1]) for v, s in zip(values or (), spans or (), strict=False)]
