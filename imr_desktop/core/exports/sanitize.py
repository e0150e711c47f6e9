"""Active content left out of case packets: the packet is opened "in any PDF reader".

IMR Desktop never runs a letter's JavaScript or Launch actions, but a packet goes to
people whose readers may (Acrobat runs document JavaScript, asks to start programs, opens
attachments). So the copy of a letter that goes into a packet keeps its pages, text,
internal links and web/mail links, and loses everything that can act: JavaScript (the
name tree, OpenAction, link and field actions), Launch / ImportData / SubmitForm /
ResetForm / GoToR / GoToE / multimedia actions, additional actions (/AA), links to
anything but http, https, mailto or a page of the document, XFA forms, embedded files and
file-attachment, sound, movie, screen, rich-media and 3D annotations.

This works on a ``Document`` opened from bytes in memory (the user's file is never
written). ``Document.scrub()`` is not used: it deletes every link, redacts "hidden" text
(the invisible text layer of OCR'd scans, which the highlights lie on), rewrites content
streams, and still keeps Launch actions and OpenAction.
"""

from __future__ import annotations

import re

import pymupdf
from pymupdf import mupdf

from imr_desktop.core.untrusted.links import is_safe_url

# actions that only move within the document or open a checked web/mail address
_NAVIGATION = frozenset({"/GoTo", "/URI"})
# what each kept-out action or annotation is called in the report
_ACTION_LABELS = {
    "/JavaScript": "JavaScript",
    "/Launch": "Launch actions (to start programs)",
    "/ImportData": "form data import actions",
    "/SubmitForm": "form submission actions",
    "/ResetForm": "form reset actions",
    "/GoToR": "links to other files",
    "/GoToE": "links into embedded files",
    "/Rendition": "multimedia",
    "/Movie": "multimedia",
    "/Sound": "multimedia",
    "/RichMediaExecute": "multimedia",
    "/URI": "links to other than web or mail addresses",
}
_ACTIVE_ANNOTS = {
    "/FileAttachment": "embedded files",
    "/Sound": "multimedia",
    "/Movie": "multimedia",
    "/Screen": "multimedia",
    "/RichMedia": "multimedia",
    "/3D": "3D content",
}
_REF = re.compile(rb"(\d+)\s+\d+\s+R")


def _label(kind: str) -> str:
    return _ACTION_LABELS.get(kind, f"{kind.lstrip('/') or 'unknown'} actions")


def _has(doc: pymupdf.Document, xref: int, key: str) -> bool:
    return doc.xref_get_key(xref, key)[0] != "null"


def _delete(doc: pymupdf.Document, xref: int, path: str) -> None:
    """Remove the key at ``path`` ("A/Next") from object ``xref``. ``xref_set_key(...,
    "null")`` would leave ``/Key null`` behind, which some checkers still count."""
    obj = mupdf.pdf_load_object(mupdf.pdf_document_from_fz_document(doc.this), xref)
    *parents, last = path.split("/")
    for part in parents:
        obj = mupdf.pdf_dict_gets(obj, part)  # resolves indirect references
        if not mupdf.pdf_is_dict(obj):
            return
    mupdf.pdf_dict_dels(obj, last)


def _unsafe_action(doc: pymupdf.Document, xref: int, key: str) -> str | None:
    """The kind of the action at ``xref``'s ``key`` when it may not stay, else None.

    A destination (array, name or string) is navigation; an action dictionary stays only
    as GoTo or as a URI action whose address ``is_safe_url``.
    """
    kind, value = doc.xref_get_key(xref, key)
    if kind == "null":
        return None
    if kind in ("array", "name", "string"):
        return None  # a destination in this document
    if kind == "xref" and doc.xref_object(int(value.split()[0]), compressed=True)[:1] == "[":
        return None  # an indirect destination array
    action = doc.xref_get_key(xref, f"{key}/S")[1]
    if action not in _NAVIGATION:
        return action if action != "null" else "/unknown"
    if action == "/URI":
        uri_kind, uri = doc.xref_get_key(xref, f"{key}/URI")
        if uri_kind != "string" or not is_safe_url(uri):
            return "/URI"
    return None


def _drop_chain(doc: pymupdf.Document, xref: int, key: str, removed: set[str]) -> None:
    """A kept action's /Next could chain to JavaScript: kept actions never chain."""
    if _has(doc, xref, f"{key}/Next"):
        _delete(doc, xref, f"{key}/Next")
        removed.add("chained actions")


def _catalog(doc: pymupdf.Document, removed: set[str]) -> None:
    cat = doc.pdf_catalog()
    if cat <= 0:
        return
    kind = _unsafe_action(doc, cat, "OpenAction")
    if kind is not None:
        _delete(doc, cat, "OpenAction")
        removed.add(_label(kind))
    elif doc.xref_get_key(cat, "OpenAction")[0] in ("dict", "xref"):
        _drop_chain(doc, cat, "OpenAction", removed)
    for key, label in (
        ("AA", "additional actions"),
        ("Names/JavaScript", "JavaScript"),
        ("Names/EmbeddedFiles", "embedded files"),
        ("AcroForm/XFA", "XFA forms"),
    ):
        if _has(doc, cat, key):
            _delete(doc, cat, key)
            removed.add(label)


def _annot_refs(doc: pymupdf.Document, page_xref: int) -> list[int] | None:
    kind, value = doc.xref_get_key(page_xref, "Annots")
    if kind == "null":
        return None
    if kind == "xref":
        value = doc.xref_object(int(value.split()[0]), compressed=True)
    return [int(m) for m in _REF.findall(value.encode("latin-1", "replace"))]


def _page(doc: pymupdf.Document, page_xref: int, removed: set[str]) -> None:
    if _has(doc, page_xref, "AA"):
        _delete(doc, page_xref, "AA")
        removed.add("additional actions")
    refs = _annot_refs(doc, page_xref)
    if refs is None:
        return
    keep: list[int] = []
    dropped: set[int] = set()
    for xref in refs:
        if not 0 < xref < doc.xref_length():
            continue
        subtype = doc.xref_get_key(xref, "Subtype")[1]
        if subtype in _ACTIVE_ANNOTS:
            removed.add(_ACTIVE_ANNOTS[subtype])
            dropped.add(xref)
            continue
        if _has(doc, xref, "AA"):
            _delete(doc, xref, "AA")
            removed.add("additional actions")
        kind = _unsafe_action(doc, xref, "A")
        if kind is not None:
            removed.add(_label(kind))
            if subtype == "/Link":
                dropped.add(xref)
                continue  # a link that only acts: the whole link goes
            _delete(doc, xref, "A")  # a field or other annotation stays inert
        elif doc.xref_get_key(xref, "A")[0] in ("dict", "xref"):
            _drop_chain(doc, xref, "A", removed)
        keep.append(xref)
    # the pop-up notes of removed annotations go with them
    keep = [x for x in keep if _parent(doc, x) not in dropped]
    # rewritten also when nothing went: an indirect or malformed array (inline
    # annotation dictionaries, which nothing above inspected) becomes a plain one
    doc.xref_set_key(page_xref, "Annots", "[" + " ".join(f"{x} 0 R" for x in keep) + "]")


def _parent(doc: pymupdf.Document, xref: int) -> int:
    kind, value = doc.xref_get_key(xref, "Parent")
    return int(value.split()[0]) if kind == "xref" else 0


def _sweep(doc: pymupdf.Document, removed: set[str]) -> None:
    """Actions reachable other than through a page's annotations (form field parents,
    action chains, objects no page refers to yet): neutralised wherever they are."""
    for xref in range(1, doc.xref_length()):
        try:
            obj = doc.xref_object(xref, compressed=True)
        except Exception:  # a damaged object: nothing a reader could run either
            continue
        if not obj.startswith("<<") or ("/S" not in obj and "/A" not in obj):
            continue
        action = doc.xref_get_key(xref, "S")[1]
        if action in _ACTION_LABELS and _unsafe_action_object(doc, xref, action):
            doc.update_object(xref, "null")  # every reference to it now means "none"
            removed.add(_label(action))
            continue
        if _has(doc, xref, "AA"):
            _delete(doc, xref, "AA")
            removed.add("additional actions")
        kind = _unsafe_action(doc, xref, "A") if _has(doc, xref, "A") else None
        if kind is not None:
            _delete(doc, xref, "A")
            removed.add(_label(kind))


def _unsafe_action_object(doc: pymupdf.Document, xref: int, action: str) -> bool:
    if action != "/URI":
        return True
    kind, uri = doc.xref_get_key(xref, "URI")
    return kind != "string" or not is_safe_url(uri)


def sanitize(doc: pymupdf.Document) -> list[str]:
    """Remove active content from ``doc`` in place; returns what kinds were removed
    (sorted labels for the user, empty when the document had none)."""
    removed: set[str] = set()
    _catalog(doc, removed)
    for number in range(doc.page_count):
        _page(doc, doc.page_xref(number), removed)
    _sweep(doc, removed)
    return sorted(removed)
