"""spaCy ``.spacy`` (DocBin): spans in ``doc.spans["sc"]``, non-overlapping ``doc.ents``.

Tokens are our own (``tokens.words_and_spaces``): ``\\w+`` runs and single other
characters, split at every span edge, with spaCy's whitespace convention. So every span
is in the file, by construction. Running spaCy's tokenizer instead cost ~10 ms a letter
and dropped the spans it did not align with.

Our tokens differ from spaCy's tokenizer inside words ("50mg" is one token here, two in
spaCy). That matters to a user in one case: ``spacy train`` re-tokenizes the text with
the pipeline's tokenizer unless ``gold_preproc = true``, and a span whose edge falls
inside one of *its* tokens ("ramadol" in "Tramadol") is then not learnt. Such spans are
reported as ``misaligned`` (they stay in the file). The check tokenizes with spaCy only
the whitespace-separated chunks that hold a span edge, which is exact (spaCy's tokenizer
works chunk by chunk) and cheap.

The file is written without building ``Doc`` objects: each document's token attributes,
span groups and user data are encoded the way ``DocBin.add`` encodes them (hashes from
the spaCy vocab, msgpack through one reused packer) and streamed to temporary files, so
memory stays flat; ``close`` writes the same zlib-compressed msgpack map that
``DocBin.to_bytes`` writes. ``tests/test_export_formats.py`` checks the bytes against
spaCy's own serialisation of the loaded documents.
"""

from __future__ import annotations

import bisect
import contextlib
import re
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
    SpanRecord,
    Writer,
)
from imr_desktop.core.exports.tokens import words_and_spaces

ATTRS = ("ENT_IOB", "ENT_TYPE")  # ORTH and SPACY are always stored
SPAN_KEY = "sc"
IOB_I, IOB_O, IOB_B = 1, 2, 3  # spaCy's ENT_IOB codes
_CHUNK = 1 << 20
_CHUNK_CACHE = 50_000
_NONSPACE = re.compile(r"\S+")


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


def filter_spans(spans: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """``spacy.util.filter_spans`` on (start token, end token, index) triples.

    Longest first, then earliest; a span is kept when neither its first nor its last
    token was taken. Same rule, so ``doc.ents`` are what spaCy itself would keep.
    """
    seen: set[int] = set()
    kept = []
    for span in sorted(spans, key=lambda s: (s[1] - s[0], -s[0]), reverse=True):
        if span[0] not in seen and span[1] - 1 not in seen:
            kept.append(span)
        seen.update(range(span[0], span[1]))
    return sorted(kept)


class SpacyBoundaries:
    """Whether a character offset is a token boundary of spaCy's own tokenizer."""

    def __init__(self, tokenizer: Any) -> None:
        self._tokenizer = tokenizer
        self._chunks: dict[str, frozenset[int]] = {}

    def _chunk(self, chunk: str) -> frozenset[int]:
        found = self._chunks.get(chunk)
        if found is None:
            if len(self._chunks) >= _CHUNK_CACHE:
                self._chunks.clear()
            found = frozenset(t.idx for t in self._tokenizer(chunk)) | {len(chunk)}
            self._chunks[chunk] = found
        return found

    def aligned(self, text: str, start: int, end: int) -> bool:
        return self._edge(text, start, True) and self._edge(text, end, False)

    def _edge(self, text: str, c: int, is_start: bool) -> bool:
        n = len(text)
        left_space = c == 0 or text[c - 1].isspace()
        right_space = c == n or text[c].isspace()
        if not left_space and not right_space:
            # inside a chunk: ask the tokenizer about that chunk alone
            a = c - 1
            while a > 0 and not text[a - 1].isspace():
                a -= 1
            m = _NONSPACE.match(text, a)
            assert m is not None
            return c - a in self._chunk(m.group())
        if (is_start and not right_space) or (not is_start and not left_space):
            return True  # a word starts or ends here
        # at or in a whitespace run [r0, r1): spaCy makes it one token, except that a
        # space right after a word is that word's trailing whitespace
        r0 = c
        while r0 > 0 and text[r0 - 1].isspace():
            r0 -= 1
        r1 = c
        while r1 < n and text[r1].isspace():
            r1 += 1
        token_start = r0 + 1 if r0 > 0 and text[r0] == " " else r0
        return c == (token_start if is_start else r1) and token_start < r1


class SpacyWriter(Writer):
    suffix = ".spacy"

    def __init__(
        self, out: Path, outputs: AtomicOutputs, labels: list[LabelInfo], report: Report
    ) -> None:
        super().__init__(out, outputs, labels, report)
        try:
            import numpy
            import spacy
            import srsly
            from spacy.attrs import ENT_IOB, ENT_TYPE, ORTH
            from spacy.tokens import DocBin
        except ImportError:
            raise ExportError(
                "The spacy format needs spaCy: install it with 'pip install spacy'."
            ) from None
        self._numpy = numpy
        nlp = spacy.blank("en")
        self._vocab = nlp.vocab
        self._boundaries = SpacyBoundaries(nlp.tokenizer)
        # srsly.msgpack_dumps builds a Packer per call, which looks up entry points
        # (~2.5 ms); one packer gives the same bytes
        self._packer = srsly.msgpack.Packer(use_bin_type=True)
        self._flags_bytes = self._packer.pack({"has_unknown_spaces": False})
        self._attrs: list[int] = DocBin(attrs=list(ATTRS)).attrs
        self._columns = [self._attrs.index(a) for a in (ORTH, ENT_IOB, ENT_TYPE)]
        self._file = outputs.open(out, binary=True)
        # per-document parts, in document order
        # (spooled to disk; they live until close(), hence no with-block)
        self._temps = contextlib.ExitStack()
        self._tokens, self._spaces, self._flags, self._span_groups, self._user_data = (
            self._temps.enter_context(_temp()) for _ in range(5)
        )
        self._lengths = array("i")
        # the strings DocBin.add collects: token texts and norms, labels, "" for the
        # empty tag, lemma, dependency and morphology
        self._strings: set[str] = {""}
        self._hashes: dict[str, int] = {}

    def _hash(self, word: str) -> int:
        h = self._hashes.get(word)
        if h is None:
            h = self._hashes[word] = self._vocab.strings.add(word)
            self._strings.add(word)
            self._strings.add(self._vocab[word].norm_)
        return h

    def write(self, record: DocRecord) -> None:
        numpy = self._numpy
        text = record.text
        spans = record.spans
        offsets, words, spaces = words_and_spaces(
            text, {s.start for s in spans}, {s.end for s in spans}
        )
        hash_ = self._hash
        packed = []
        triples = []
        for k, s in enumerate(spans):
            if not self._boundaries.aligned(text, s.start, s.end):
                self._misaligned(record, s)
            # tokens are in text order and span edges are token edges: a span starts at
            # the token that starts at s.start and ends before the first one at s.end
            ts, te = bisect.bisect_left(offsets, s.start), bisect.bisect_left(offsets, s.end)
            label = hash_(s.label)
            packed.append(struct.pack(">QQQllll", 0, 0, label, ts, te, s.start, s.end))
            triples.append((ts, te, k))

        n = len(words)
        table = numpy.zeros((n, len(self._attrs)), dtype="uint64")
        orth_col, iob_col, type_col = self._columns
        orths = list(map(self._hashes.get, words))
        if None in orths:  # words this export has not seen yet (dict.get is C-fast)
            orths = [h or hash_(w) for h, w in zip(orths, words, strict=True)]
        table[:, orth_col] = orths
        table[:, iob_col] = IOB_O
        for ts, te, k in filter_spans(triples):
            table[ts, iob_col] = IOB_B
            table[ts + 1 : te, iob_col] = IOB_I
            table[ts:te, type_col] = hash_(spans[k].label)
        self._tokens.write(table.tobytes("C"))
        self._spaces.write(numpy.array(spaces, dtype=bool).tobytes("C"))
        self._lengths.append(n)
        self._flags.write(self._flags_bytes)

        pack = self._packer.pack
        group = pack({"name": SPAN_KEY, "attrs": {}, "spans": packed})
        self._span_groups.write(_msgpack_bin(pack({group: [SPAN_KEY]})))
        user_data: dict[str, str] = {"id": record.id}
        if record.split is not None:
            user_data["split"] = record.split
        self._user_data.write(_msgpack_bin(pack(user_data)))

    def _misaligned(self, record: DocRecord, s: SpanRecord) -> None:
        self.report.problem(
            "misaligned",
            f"{record.id[:12]} [{s.start}, {s.end}) {s.label!r} {s.text!r}: starts or ends "
            "inside a token of spaCy's tokenizer. It is in the .spacy file, but 'spacy "
            "train' learns it only with gold_preproc = true.",
        )

    def discard(self) -> None:
        self._temps.close()

    def close(self) -> None:
        import srsly

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
