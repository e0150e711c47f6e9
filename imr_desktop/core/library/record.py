"""The library's values of one letter, derived from its structure (pure data).

``from_structure`` is the one place that turns a ``LetterStructure.to_dict()`` into the
values the library sorts and filters by, whether an import worker read the letter or the
GUI saved its structure. No database here: the import workers import this module and
must start fast.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from imr_desktop.core.library import categories
from imr_desktop.core.structure.model import SCHEMA_VERSION, Field, Item, LetterStructure


def positional_pickle(cls: type) -> type:
    """Pickle a slots dataclass as its class called with its fields in order.

    Every import result crosses a pipe; the dataclass default (``__getstate__`` and
    ``__setstate__`` calling ``fields()`` for every object) took 3x as long each way.
    """
    names = tuple(f.name for f in dataclasses.fields(cls))

    def __reduce__(self: Any) -> tuple[type, tuple[Any, ...]]:
        return cls, tuple(getattr(self, n) for n in names)

    cls.__reduce__ = __reduce__  # type: ignore[method-assign,assignment]
    return cls


@positional_pickle
@dataclass(frozen=True, slots=True)
class DerivedItem:
    request: str
    heading: str  # only when it says more than the request (else empty: it is stored)
    outcome: str  # "Upheld" | "Overturned" | ""
    category: str  # a key of categories.CATEGORIES
    sources: tuple[str, ...]  # guideline sources the reviewer (MAXIMUS) cited


@positional_pickle
@dataclass(frozen=True, slots=True)
class Derived:
    """What the library keeps of one letter's structure; empty strings when not found."""

    key: str  # what it was derived from: text sha256 and structure schema
    case_number: str = ""
    decision_date: str = ""  # ISO
    final_outcome: str = ""
    layout: str = ""
    specialties: tuple[str, ...] = ()
    items: tuple[DerivedItem, ...] = ()

    @property
    def categories(self) -> tuple[str, ...]:
        seen = dict.fromkeys(item.category for item in self.items)
        return tuple(c for c in categories.CATEGORIES if c in seen)


EMPTY = Derived(key="")


def from_letter(rec: LetterStructure) -> Derived:
    """Library values of a letter's structure (import workers call this directly: it
    saves the ~0.5 ms of ``to_dict()`` per letter)."""
    sources: dict[int, list[str]] = {}
    for c in rec.citations:
        # what the reviewer relied on; "none" is the "did not cite" sentence, not a source
        if c.role == "maximus" and c.item is not None and c.source and c.source != "none":
            found = sources.setdefault(c.item, [])
            if c.source not in found:
                found.append(c.source)
    items = tuple(_item(it, tuple(sources.get(k, ()))) for k, it in enumerate(rec.items))
    specialties = tuple(dict.fromkeys(v for v in map(_value, rec.specialties) if v))
    return Derived(
        key=derived_key(rec.text_sha256, SCHEMA_VERSION),
        case_number=_value(rec.case_number),
        decision_date=_value(rec.decision_date),
        final_outcome=_value(rec.final_outcome),
        layout=rec.layout,
        specialties=specialties,
        items=items,
    )


def _item(it: Item, sources: tuple[str, ...]) -> DerivedItem:
    request, heading = _value(it.request), _value(it.heading)
    return DerivedItem(
        request=request or heading,
        heading="" if heading in ("", request) else heading,
        outcome=_value(it.outcome),
        category=categories.classify(request, heading),
        sources=sources,
    )


def from_structure(d: dict[str, Any]) -> Derived:
    """Library values of a stored ``LetterStructure.to_dict()`` of this parser version
    (``ValueError`` for another version: parse the text again instead)."""
    return from_letter(LetterStructure.from_dict(d))


def derived_key(text_sha256: str, structure_schema: str) -> str:
    # the classifier version is kept once, in library_meta: new rules reclassify in place
    return f"{text_sha256}|{structure_schema}"


def _value(f: Field | None) -> str:
    return " ".join(f.value.split()) if f is not None and f.value else ""


def category_names(keys: set[str] | tuple[str, ...]) -> str:
    """The categories column: display names in DWC's order."""
    return ", ".join(categories.label(c) for c in categories.CATEGORIES if c in keys)
