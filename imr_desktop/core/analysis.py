"""A document's structure and suggestions, made once and kept in the store."""

from __future__ import annotations

import contextlib
import hashlib

from imr_desktop.core import structure as _structure
from imr_desktop.core.errors import StoreError
from imr_desktop.core.labels import LabelSet
from imr_desktop.core.session import AnnotationSet
from imr_desktop.core.store import Store
from imr_desktop.core.structure import SCHEMA_VERSION, LetterStructure
from imr_desktop.core.suggest import suggestion_annotations


def extract_structure(text: str) -> LetterStructure:
    return _structure.extract_structure(text)


def ensure_structure(store: Store | None, sha256: str, text: str) -> LetterStructure:
    """The stored structure when it was read from this very text by this parser version;
    otherwise extract it now (about a millisecond) and store it."""
    text_sha = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    if store is not None:
        stored = store.structure(sha256)
        if (
            stored
            and stored.get("schema") == SCHEMA_VERSION
            and stored.get("text_sha256") == text_sha
        ):
            try:
                return LetterStructure.from_dict(stored)
            except (ValueError, KeyError, TypeError, IndexError):
                pass  # damaged or foreign JSON: extract again
    structure = extract_structure(text)
    if store is not None and not store.read_only:
        # the structure can always be extracted again; a failed save must not stop the view
        with contextlib.suppress(StoreError):
            store.save_structure(sha256, structure.to_dict())
    return structure


def ensure_suggestions(
    annotations: AnnotationSet, structure: LetterStructure, labels: LabelSet
) -> int:
    """Make suggestions the first time a letter is seen; returns how many were added.

    Never again after that, so rejected suggestions (tombstones) do not come back."""
    store = annotations.store
    if store.read_only or store.ever_suggested(annotations.document):
        return 0
    rows = suggestion_annotations(structure, annotations.text, annotations.document, labels)
    annotations.add_many(rows)
    return len(rows)
