"""Opening a letter from disk: identity, kind, and its canonical text.

A document is identified by the sha256 of its file bytes, so a renamed or moved copy is
the same document and keeps its annotations.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from imr_desktop.core import pdf
from imr_desktop.core.errors import DocumentError
from imr_desktop.core.textlayer import TextLayer

TEXT_EXTRACTOR_VERSION = "imr-plain-1"


@dataclass(slots=True)
class SourceFile:
    """The bytes of a letter on disk and what they are."""

    path: Path
    data: bytes
    sha256: str
    kind: str  # "pdf" | "text"

    @property
    def name(self) -> str:
        return self.path.name


def read_source(path: str | Path) -> SourceFile:
    """Read a file and decide what it is by its content, not by its extension.

    A PDF renamed ``.txt`` still opens as a PDF; a text file renamed ``.pdf`` is refused
    with a message saying it is not a PDF.
    """
    path = Path(path)
    data = pdf.read_bytes(path)
    if not data:
        raise DocumentError(f"{path.name} is empty (0 bytes).")
    kind = pdf.sniff_kind(data)
    if kind == "text" and path.suffix.lower() == ".pdf":
        raise DocumentError(f"{path.name} is not a PDF file (it has no PDF header).")
    return SourceFile(path, data, hashlib.sha256(data).hexdigest(), kind)


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM), newlines normalised to ``\\n``."""
    if b"\x00" in data[:4096]:
        raise DocumentError(f"{name} is a binary file, not a text letter.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(
            f"{name} is not UTF-8 text (undecodable byte 0x{data[exc.start]:02x} "
            f"at position {exc.start}). Save it as UTF-8 and open it again."
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


@dataclass(slots=True)
class LoadedDocument:
    """A fully read document: what the CLI, import and exports work with."""

    source: SourceFile
    layer: TextLayer
    extractor_version: str
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.layer.text

    @property
    def page_count(self) -> int:
        return self.layer.page_count

    @property
    def has_text(self) -> bool:
        return bool(self.layer.text.strip())


def load_document(path: str | Path, password: str | None = None) -> LoadedDocument:
    """Read a whole document synchronously (CLI and worker processes, never the GUI thread)."""
    return load_source(read_source(path), password)


def load_source(source: SourceFile, password: str | None = None) -> LoadedDocument:
    """``load_document`` for bytes already read (and checked, e.g. by the probe)."""
    if source.kind == "text":
        text = decode_text(source.data, source.name)
        return LoadedDocument(source, TextLayer.from_plain_text(text), TEXT_EXTRACTOR_VERSION)
    doc = pdf.open_pdf(source.data, source.name, password)
    try:
        layer = TextLayer(doc.page_count)
        for i in range(doc.page_count):
            try:
                chars = pdf.extract_page(doc, i)
            except pdf.MUPDF_ERRORS:  # as in the GUI: an unreadable page has no text
                chars = pdf.PageChars(i, *pdf.page_size(doc, i), "", (), ())
            layer.add_page(chars)
    finally:
        doc.close()
    warnings = [w for w in [pdf.repair_warnings()] if w]
    if not layer.text.strip():
        # a scan recognised in the app: its OCR text is what was annotated
        from imr_desktop.core.ocr import OCR_VERSION, cache

        pages = cache.load(source.sha256)
        if pages is not None and len(pages) == layer.page_count:
            return LoadedDocument(source, cache.layer_of(pages), OCR_VERSION, warnings)
    return LoadedDocument(source, layer, pdf.EXTRACTOR_VERSION, warnings)
