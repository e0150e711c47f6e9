"""spaCy ``.spacy`` (DocBin): spans in ``doc.spans["sc"]``, non-overlapping ``doc.ents``.

Tokens come from a blank English pipeline. A span whose edges fall inside a token
cannot be represented (``char_span(..., alignment_mode="strict")`` is None): it is
reported with its document and offsets, never dropped silently.

``DocBin.to_bytes`` needs every document in memory at once. To keep memory flat on a
whole library, documents are added to small DocBins and their serialised parts streamed
to temporary files; ``close`` writes the same zlib-compressed msgpack map that
``DocBin.to_bytes`` writes (keys and per-document encodings come from DocBin itself),
so ``DocBin().from_disk()`` and ``spacy debug data`` read it as any .spacy file.
"""

from __future__ import annotations

import contextlib
import struct
import tempfile
import zlib
from array import array
from pathlib import Path
from typing import IO, Any

from imr_desktop.core.exports.base import (
    AtomicOutputs,
    DocRecord,
    ExportError,
    LabelInfo,
    Report,
    Writer,
)

ATTRS = ("ENT_IOB", "ENT_TYPE")  # ORTH and SPACY are always stored
SPAN_KEY = "sc"
BATCH = 256
_CHUNK = 1 << 20


def _msgpack_array_header(n: int) -> bytes:
    if n < 16:
        return bytes([0x90 | n])
    if n < 1 << 16:
        return b"\xdc" + struct.pack(">H", n)
    return b"\xdd" + struct.pack(">I", n)


def _msgpack_bin(data: bytes) -> bytes:
    return b"\xc6" + struct.pack(">I", len(data)) + data


def _temp() -> IO[bytes]:
    return tempfile.TemporaryFile()  # closed by the writer's ExitStack


class SpacyWriter(Writer):
    suffix = ".spacy"

    def __init__(
        self, out: Path, outputs: AtomicOutputs, labels: list[LabelInfo], report: Report
    ) -> None:
        super().__init__(out, outputs, labels, report)
        try:
            import spacy
            from spacy.tokens import DocBin
            from spacy.util import filter_spans
        except ImportError:
            raise ExportError(
                "The spacy format needs spaCy: install it with 'pip install spacy'."
            ) from None
        self._DocBin = DocBin
        self._filter_spans = filter_spans
        self._nlp = spacy.blank("en")
        self._file = outputs.open(out, binary=True)
        # per-document parts, in document order
        # (spooled to disk; they live until close(), hence no with-block)
        self._temps = contextlib.ExitStack()
        self._tokens, self._spaces, self._flags, self._span_groups, self._user_data = (
            self._temps.enter_context(_temp()) for _ in range(5)
        )
        self._lengths = array("i")
        self._strings: set[str] = set()
        self._batch: list[Any] = []
        self._attrs: list[int] | None = None

    def write(self, record: DocRecord) -> None:
        doc = self._nlp.make_doc(record.text)
        spans = []
        for s in record.spans:
            span = doc.char_span(s.start, s.end, label=s.label, alignment_mode="strict")
            if span is None:
                self.report.problem(
                    "misaligned",
                    f"{record.id[:12]} [{s.start}, {s.end}) {s.label!r} {s.text!r}: does not "
                    "start and end on spaCy token boundaries; not in the .spacy file.",
                )
                continue
            spans.append(span)
        doc.spans[SPAN_KEY] = spans
        doc.ents = self._filter_spans(spans)
        doc.user_data["id"] = record.id
        if record.split is not None:
            doc.user_data["split"] = record.split
        self._batch.append(doc)
        if len(self._batch) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if not self._batch:
            return
        import numpy
        import srsly

        bin_ = self._DocBin(attrs=list(ATTRS), store_user_data=True, docs=self._batch)
        self._batch = []
        self._attrs = bin_.attrs
        for tokens, spaces in zip(bin_.tokens, bin_.spaces, strict=True):
            self._tokens.write(numpy.ascontiguousarray(tokens, dtype="uint64").tobytes("C"))
            self._spaces.write(numpy.ascontiguousarray(spaces, dtype=bool).tobytes("C"))
            self._lengths.append(len(tokens))
        for groups in bin_.span_groups:
            self._span_groups.write(_msgpack_bin(groups))
        for data in bin_.user_data:
            self._user_data.write(_msgpack_bin(data))
        for flags in bin_.flags:
            self._flags.write(srsly.msgpack_dumps(flags))
        self._strings.update(bin_.strings)

    def close(self) -> None:
        import srsly

        self._flush()
        if self._attrs is None:  # no documents: an empty DocBin
            self._attrs = self._DocBin(attrs=list(ATTRS)).attrs
        n = len(self._lengths)
        z = zlib.compressobj()
        out = self._file

        def put(data: bytes) -> None:
            out.write(z.compress(data))

        def copy(tmp: IO[bytes], header: bytes) -> None:
            put(header)
            tmp.seek(0)
            while chunk := tmp.read(_CHUNK):
                put(chunk)

        # the map DocBin.to_bytes builds, in the same key order
        put(bytes([0x80 | 10]))
        put(srsly.msgpack_dumps("version") + srsly.msgpack_dumps("0.1"))
        put(srsly.msgpack_dumps("attrs") + srsly.msgpack_dumps(self._attrs))
        put(srsly.msgpack_dumps("tokens"))
        copy(self._tokens, b"\xc6" + struct.pack(">I", self._tokens.tell()))
        put(srsly.msgpack_dumps("spaces"))
        copy(self._spaces, b"\xc6" + struct.pack(">I", self._spaces.tell()))
        put(srsly.msgpack_dumps("lengths") + _msgpack_bin(self._lengths.tobytes()))
        put(srsly.msgpack_dumps("strings") + srsly.msgpack_dumps(sorted(self._strings)))
        put(srsly.msgpack_dumps("cats") + _msgpack_array_header(n) + b"\x80" * n)
        put(srsly.msgpack_dumps("flags"))
        copy(self._flags, _msgpack_array_header(n))
        put(srsly.msgpack_dumps("span_groups"))
        copy(self._span_groups, _msgpack_array_header(n))
        put(srsly.msgpack_dumps("user_data"))
        copy(self._user_data, _msgpack_array_header(n))
        out.write(z.flush())
        out.close()
        self._temps.close()
