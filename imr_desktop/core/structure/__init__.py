"""Structure of an IMR letter: header values, sections, items, citations, with spans.

Qt-free. ``extract_structure(text)`` reads a letter's canonical text; ``extract_file(path)``
reads a file first (PDF text layer or UTF-8 text). ``LetterStructure.to_dict()`` /
``from_dict()`` convert to and from the JSON stored with the document.
"""

from typing import TYPE_CHECKING, Any

from imr_desktop.core.structure.model import (
    SCHEMA_VERSION,
    Citation,
    Field,
    Item,
    LetterStructure,
    Section,
)

if TYPE_CHECKING:
    from imr_desktop.core.structure.extract import extract_structure
    from imr_desktop.core.structure.reading import extract_file, read_text

# The parser compiles many regular expressions on import (~0.1 s); the GUI needs it only
# after the first page is on screen, so it is loaded on first use.
_LAZY = {
    "extract_structure": "imr_desktop.core.structure.extract",
    "extract_file": "imr_desktop.core.structure.reading",
    "read_text": "imr_desktop.core.structure.reading",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(name)


__all__ = [
    "SCHEMA_VERSION",
    "Citation",
    "Field",
    "Item",
    "LetterStructure",
    "Section",
    "extract_file",
    "extract_structure",
    "read_text",
]
