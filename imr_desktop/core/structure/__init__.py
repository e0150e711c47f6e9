"""Structure of an IMR letter: header values, sections, items, citations, with spans.

Qt-free. ``extract_structure(text)`` reads a letter's canonical text; ``extract_file(path)``
reads a file first (PDF text layer or UTF-8 text). ``LetterStructure.to_dict()`` /
``from_dict()`` convert to and from the JSON stored with the document.
"""

from imr_desktop.core.structure.extract import extract_structure
from imr_desktop.core.structure.model import (
    SCHEMA_VERSION,
    Citation,
    Field,
    Item,
    LetterStructure,
    Section,
)
from imr_desktop.core.structure.reading import extract_file, read_text

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
