"""Building real test libraries for the export tests: generated PDFs and text letters,
stored and annotated through the real Store / AnnotationSet API."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pymupdf

from imr_desktop.core.document import LoadedDocument, load_document
from imr_desktop.core.labels import LabelSet
from imr_desktop.core.model import ORIGIN_MANUAL, Annotation, DocumentRecord
from imr_desktop.core.session import AnnotationSet
from imr_desktop.core.store import Store

LETTER = pymupdf.paper_rect("letter")

CSS = "body {font-family: sans-serif; font-size: 11pt;} h2 {font-size: 13pt;}"


def letter_html(case: str = "CM16-0219557", items: int = 2, filler: int = 0) -> str:
    """A small IMR-like letter; ``filler`` paragraphs make it longer."""
    parts = [
        "<h2>Final Determination Letter</h2>",
        f"<p>Case Number: {case}</p><p>Date Assigned: 01/26/2016</p>",
        "<h2>CLINICAL CASE SUMMARY</h2>",
        "<p>The injured worker is a 54 year old female who reported an injury on "
        "03/14/2012. He saw  on 01/26/14 for chronic low back pain.</p>",
    ]
    parts += [
        f"<p>Filler paragraph {i}: the reviewer noted ongoing findings and treatment "
        "history with physical therapy and medication management.</p>"
        for i in range(filler)
    ]
    parts.append("<h2>IMR ISSUES, DECISIONS AND RATIONALES</h2>")
    for i in range(items):
        parts.append(
            f"<p><b>Tramadol 50mg #{60 + i}: Upheld</b></p>"
            "<p>Claims Administrator guideline: MTUS Chronic Pain Medical Treatment "
            "Guidelines 2009, Page(s): 78.</p><p>Decision rationale: the request is not "
            "medically necessary.</p>"
        )
    return "".join(parts)


def story_pdf(path: Path, html: str, *, rotate: int = 0) -> Path:
    """A flowing multi-page PDF made with pymupdf.Story (no committed binaries)."""
    story = pymupdf.Story(html, user_css=CSS)
    writer = pymupdf.DocumentWriter(str(path))
    where = pymupdf.Rect(54, 54, LETTER.width - 54, LETTER.height - 54)
    more = True
    while more:
        device = writer.begin_page(LETTER)
        more, _ = story.place(where)
        story.draw(device)
        writer.end_page()
    writer.close()
    if rotate:
        doc = pymupdf.open(path)
        for page in doc:
            page.set_rotation(rotate)
        doc.saveIncr()
        doc.close()
    return path


def add_document(store: Store, path: Path) -> LoadedDocument:
    loaded = load_document(path)
    store.upsert_document(
        DocumentRecord(
            sha256=loaded.source.sha256,
            path=str(path.resolve()),
            kind=loaded.source.kind,
            page_count=loaded.page_count,
            size=len(loaded.source.data),
            text=loaded.text,
            text_sha256=loaded.layer.sha256(),
            extractor_version=loaded.extractor_version,
        )
    )
    return loaded


def add_text_document(store: Store, text: str, path: str = "letter.txt") -> str:
    sha = hashlib.sha256(text.encode()).hexdigest()
    store.upsert_document(
        DocumentRecord(
            sha256=sha,
            path=path,
            kind="text",
            page_count=0,
            size=len(text.encode()),
            text=text,
            text_sha256=sha,
            extractor_version="imr-plain-1",
        )
    )
    return sha


def annotate(
    store: Store,
    sha: str,
    text: str,
    phrase: str,
    label: str = "Decision",
    *,
    annotator: str = "alice",
    note: str = "",
    origin: str = ORIGIN_MANUAL,
    occurrence: int = 0,
    span: tuple[int, int] | None = None,
) -> Annotation:
    """Annotate the ``occurrence``-th ``phrase`` (or an explicit span) with ``label``."""
    if span is None:
        start = -1
        for _ in range(occurrence + 1):
            start = text.index(phrase, start + 1)
        span = (start, start + len(phrase))
    labels = LabelSet(store)
    lb = labels.by_name(label)
    if lb is None:
        lb = labels.new(label)
        labels.save(lb)
    ann = Annotation.create(
        document=sha,
        text=text,
        start=span[0],
        end=span[1],
        label_id=lb.id,
        annotator=annotator,
        note=note,
        origin=origin,
    )
    AnnotationSet(store, sha, text, annotator).add(ann)
    return ann
