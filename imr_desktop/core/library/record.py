"""The library's values of one letter, derived from its structure (pure data).

``from_structure`` is the one place that turns a ``LetterStructure.to_dict()`` into the
values the library sorts and filters by, whether an import worker read the letter or the
GUI saved its structure. No database here: the import workers import this module and
must start fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from imr_desktop.core.library import categories


@dataclass(frozen=True, slots=True)
class DerivedItem:
    request: str
    heading: str
    outcome: str  # "Upheld" | "Overturned" | ""
    category: str  # a key of categories.CATEGORIES
    sources: tuple[str, ...]  # guideline sources the reviewer (MAXIMUS) cited


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


def from_structure(d: dict[str, Any]) -> Derived:
    """Library values of a ``LetterStructure.to_dict()``."""
    sources: dict[int, list[str]] = {}
    for c in d.get("citations") or ():
        k, source = c.get("item"), c.get("source")
        # what the reviewer relied on; "none" is the "did not cite" sentence, not a source
        if c.get("role") == "maximus" and isinstance(k, int) and source and source != "none":
            sources.setdefault(k, [])
            if source not in sources[k]:
                sources[k].append(source)
    items = tuple(
        DerivedItem(
            request=_clean(it.get("request") or it.get("heading")),
            heading=_clean(it.get("heading")),
            outcome=_clean(it.get("outcome")),
            category=categories.classify(it.get("request"), it.get("heading")),
            sources=tuple(sources.get(k, ())),
        )
        for k, it in enumerate(d.get("items") or ())
    )
    specialties = tuple(dict.fromkeys(_clean(s) for s in d.get("specialties") or () if s))
    return Derived(
        key=derived_key(d.get("text_sha256") or "", str(d.get("schema") or "")),
        case_number=_clean(d.get("case_number")),
        decision_date=_clean(d.get("decision_date")),
        final_outcome=_clean(d.get("final_outcome")),
        layout=_clean(d.get("layout")),
        specialties=specialties,
        items=items,
    )


def derived_key(text_sha256: str, structure_schema: str) -> str:
    # the classifier version is kept once, in library_meta: new rules reclassify in place
    return f"{text_sha256}|{structure_schema}"


def _clean(value: Any) -> str:
    return " ".join(str(value).split()) if value else ""


def category_names(keys: set[str] | tuple[str, ...]) -> str:
    """The categories column: display names in DWC's order."""
    return ", ".join(categories.label(c) for c in categories.CATEGORIES if c in keys)
