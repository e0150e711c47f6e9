"""Broken and hostile PDFs for the untrusted-file tests and benchmark, made at test time.

``cases(count, seed)`` yields ``Case``s: first one of each *constructed* kind (zero pages,
page-tree cycles, deep nesting, decompression bombs, a 2,000-page and a 100 MB file,
JavaScript, Launch and embedded-file PDFs, dangerous link targets), then *mutants* of
real and generated letters (truncations, bit flips, xref damage, and stacks of several),
until ``count`` files. Deterministic for a seed; nothing is committed.
"""

from __future__ import annotations

import functools
import random
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pymupdf

from tests import pdfgen

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "letters"


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    kind: str  # constructed kind, or "mutant:<mutations>"
    data: bytes
    # what must happen: "open" (it is a readable letter), "refuse", or "either"
    expect: str = "either"


# ---------------------------------------------------------------------------- helpers
def _doc_bytes(doc: pymupdf.Document, **kw: object) -> bytes:
    data = doc.tobytes(**kw)
    doc.close()
    return data


def _one_page(text: str = "A letter.") -> pymupdf.Document:
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_text((72, 72), text, fontsize=12)
    return doc


def _raw_pdf(objects: list[bytes], root: int = 1) -> bytes:
    """A classic-xref PDF from object bodies (object k is objects[k-1])."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<</Size %d/Root %d 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        root,
        xref,
    )
    return bytes(out)


def _stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<<" + dictionary + b"/Length %d>>\nstream\n" % len(data) + data + b"\nendstream"


@functools.cache
def _flate_of_repeats(chunk: bytes, total: int) -> bytes:
    """zlib data that inflates to ``total`` bytes of ``chunk`` repeated (a bomb).

    Built without compressing ``total`` bytes: after a full flush deflate forgets its
    history, so every further 1 MiB block compresses to the same bytes; they are repeated
    and the checksum is computed over the whole.
    """
    block = chunk * (1_048_576 // len(chunk))
    count = max(1, total // len(block))
    comp = zlib.compressobj(9)
    first = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    again = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    adler = 1
    for _ in range(count):
        adler = zlib.adler32(block, adler)
    # an empty final block (fixed Huffman), then the Adler-32 of everything
    return first + again * (count - 1) + b"\x03\x00" + struct.pack(">I", adler)


def _page_objects(content: bytes, extra: bytes = b"") -> list[bytes]:
    return [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Count 1/Kids[3 0 R]>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R"
        b"/Resources<</Font<</F1<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>>>"
        + extra
        + b">>>>",
        _stream(b"", content),
    ]


# ---------------------------------------------------------------------------- constructed
def zero_pages() -> bytes:
    return _raw_pdf([b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Count 0/Kids[]>>"])


def page_tree_cycle() -> bytes:
    # the page tree's Kids point back at the root of the tree
    return _raw_pdf(
        [
            b"<</Type/Catalog/Pages 2 0 R>>",
            b"<</Type/Pages/Count 2/Kids[3 0 R 2 0 R]>>",
            b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>",
            _stream(b"", b"BT /F1 12 Tf 72 700 Td (cycle) Tj ET"),
        ]
    )


def parent_cycle() -> bytes:
    # two Pages nodes that are each other's kid and parent
    return _raw_pdf(
        [
            b"<</Type/Catalog/Pages 2 0 R>>",
            b"<</Type/Pages/Parent 3 0 R/Count 1/Kids[3 0 R]>>",
            b"<</Type/Pages/Parent 2 0 R/Count 1/Kids[2 0 R]>>",
        ]
    )


def deep_array_content(depth: int = 200_000) -> bytes:
    return _raw_pdf(_page_objects(b"[" * depth + b"]" * depth + b" BT /F1 12 Tf ET"))


def deep_dictionary(depth: int = 50_000) -> bytes:
    nested = b"<</A " * depth + b"1" + b">>" * depth
    objects = _page_objects(b"BT /F1 12 Tf 72 700 Td (deep) Tj ET")
    objects[0] = b"<</Type/Catalog/Pages 2 0 R/Deep " + nested + b">>"
    return _raw_pdf(objects)


def nested_forms(depth: int = 400) -> bytes:
    """Form XObjects drawing each other ``depth`` deep, the last one drawing itself."""
    first = 5
    objects = _page_objects(b"/X0 Do", b"/XObject<</X0 %d 0 R>>" % first)
    for k in range(depth):
        target = first + k + 1 if k + 1 < depth else first + k  # the last is recursive
        objects.append(
            _stream(
                b"/Type/XObject/Subtype/Form/BBox[0 0 612 792]"
                b"/Resources<</XObject<</N %d 0 R>>>>" % target,
                b"q 0.99 0 0 0.99 1 1 cm /N Do Q",
            )
        )
    return _raw_pdf(objects)


def content_bomb(size: int = 512 * 1_048_576) -> bytes:
    """A 1-page PDF whose ~0.5 MB content stream inflates to ``size`` bytes of 'q Q '."""
    data = _flate_of_repeats(b"q Q ", size)
    objects = _page_objects(b"")
    objects[3] = _stream(b"/Filter/FlateDecode", data)
    return _raw_pdf(objects)


def image_bomb(side: int = 40_000, rgb: bool = False) -> bytes:
    """An image of side × side pixels (1.6 GB decoded by default) from zeros that
    compress ~1000:1."""
    n = 3 if rgb else 1
    data = _flate_of_repeats(b"\x00", side * side * n)
    objects = _page_objects(b"q 612 0 0 792 0 0 cm /Im Do Q", b"/XObject<</Im 5 0 R>>")
    space = b"/DeviceRGB" if rgb else b"/DeviceGray"
    objects.append(
        _stream(
            b"/Type/XObject/Subtype/Image/Width %d/Height %d/ColorSpace%s"
            b"/BitsPerComponent 8/Filter/FlateDecode" % (side, side, space),
            data,
        )
    )
    return _raw_pdf(objects)


def font_bomb(size: int = 400 * 1_048_576) -> bytes:
    """A page whose embedded font inflates to ``size`` bytes: fonts are read whole."""
    objects = _page_objects(b"BT /F9 24 Tf 72 700 Td (bomb) Tj ET")
    objects[2] = (
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R"
        b"/Resources<</Font<</F9 5 0 R>>>>>>"
    )
    objects += [
        b"<</Type/Font/Subtype/TrueType/BaseFont/Bomb/FirstChar 32/LastChar 32/Widths[500]"
        b"/FontDescriptor 6 0 R>>",
        b"<</Type/FontDescriptor/FontName/Bomb/Flags 32/FontBBox[0 0 1000 1000]"
        b"/ItalicAngle 0/Ascent 800/Descent -200/CapHeight 700/StemV 80/FontFile2 7 0 R>>",
        _stream(b"/Filter/FlateDecode", _flate_of_repeats(b"\x00", size)),
    ]
    return _raw_pdf(objects)


def huge_page() -> bytes:
    """A page 200 inches square (PDF's own limit): gigabytes to draw at full zoom."""
    return _raw_pdf(
        [
            b"<</Type/Catalog/Pages 2 0 R>>",
            b"<</Type/Pages/Count 1/Kids[3 0 R]>>",
            b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 14400 14400]>>",
        ]
    )


def big_image() -> bytes:
    """8000 × 8000 RGB (192 MB decoded): within the size limit, heavy to draw."""
    return image_bomb(8000, rgb=True)


def many_pages(count: int = 2000) -> bytes:
    """``count`` pages, each with its own line of text (written directly: seconds faster
    than through pymupdf)."""
    kids = " ".join(f"{3 + 2 * k} 0 R" for k in range(count)).encode()
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Count %d/Kids[%s]>>" % (count, kids),
    ]
    font = b"/Resources<</Font<</F1<</Type/Font/Subtype/Type1/BaseFont/Times-Roman>>>>>>"
    for k in range(count):
        objects.append(
            b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents %d 0 R%s>>"
            % (4 + 2 * k, font)
        )
        text = b"BT /F1 12 Tf 72 700 Td (Page %d of %d. The reviewer found no record.) Tj ET"
        objects.append(_stream(b"", text % (k + 1, count)))
    return _raw_pdf(objects)


def hundred_megabytes(size: int = 100 * 1_048_576) -> bytes:
    """A real letter carrying ~100 MB of incompressible data (e.g. a big attachment)."""
    doc = pymupdf.open(stream=pdfgen.letter_bytes(2), filetype="pdf")
    xref = doc.get_new_xref()
    doc.update_object(xref, "<<>>")
    doc.update_stream(xref, random.Random(1).randbytes(size), compress=False)
    doc.xref_set_key(doc.pdf_catalog(), "Blob", f"{xref} 0 R")
    return _doc_bytes(doc)


def javascript() -> bytes:
    doc = _one_page("This letter carries JavaScript.")
    cat = doc.pdf_catalog()
    js = doc.get_new_xref()
    doc.update_object(js, "<</S/JavaScript/JS(app.alert('pwned'); app.launchURL('http://x'))>>")
    doc.xref_set_key(cat, "OpenAction", f"{js} 0 R")
    names = doc.get_new_xref()
    doc.update_object(names, f"<</Names[(a) {js} 0 R]>>")
    doc.xref_set_key(cat, "Names", f"<</JavaScript {names} 0 R>>")
    page = doc[0]
    doc.xref_set_key(page.xref, "AA", f"<</O {js} 0 R>>")
    return _doc_bytes(doc)


def launch() -> bytes:
    doc = _one_page("This letter tries to start programs.")
    launch_action = doc.get_new_xref()
    doc.update_object(
        launch_action,
        "<</S/Launch/F(/bin/sh)/Win<</F(cmd.exe)/P(/c calc)>>/NewWindow true>>",
    )
    doc.xref_set_key(doc.pdf_catalog(), "OpenAction", f"{launch_action} 0 R")
    page = doc[0]
    page.insert_link(
        {"kind": pymupdf.LINK_LAUNCH, "from": pymupdf.Rect(72, 100, 300, 120), "file": "/bin/sh"}
    )
    return _doc_bytes(doc)


def links() -> bytes:
    """One safe link and three that must never be followed."""
    doc = _one_page("Links: safe, javascript:, file:, and another file.")
    page = doc[0]
    targets = [
        ("https://www.dir.ca.gov/dwc/IMR.htm", 100),
        ("javascript:app.alert(1)", 140),
        ("file:///etc/passwd", 180),
    ]
    for uri, y in targets:
        page.insert_text((72, y + 12), uri, fontsize=10)
        area = pymupdf.Rect(72, y, 400, y + 16)
        page.insert_link({"kind": pymupdf.LINK_URI, "from": area, "uri": uri})
    other = {"kind": pymupdf.LINK_GOTOR, "from": pymupdf.Rect(72, 220, 300, 236)}
    page.insert_link({**other, "file": "other.pdf", "page": 0})
    return _doc_bytes(doc)


def embedded_file() -> bytes:
    doc = _one_page("This letter carries an attachment.")
    doc.embfile_add("payload.exe", b"MZ\x90\x00" + b"\x00" * 100, filename="payload.exe")
    doc[0].add_file_annot(pymupdf.Point(300, 300), b"#!/bin/sh\necho pwned\n", "run.sh")
    return _doc_bytes(doc)


SAFE_LINK = "https://www.dir.ca.gov/dwc/IMR.htm"


def active_letter() -> bytes:
    """A real 2-page letter carrying every kind of active content at once, beside a web
    link and a link to its page 2 (which are fine): what a case packet must not pass on."""
    doc = pymupdf.open(stream=pdfgen.letter_bytes(2), filetype="pdf")
    cat = doc.pdf_catalog()

    def action(body: str) -> int:
        xref = doc.get_new_xref()
        doc.update_object(xref, body)
        return xref

    opened = action("<</S/JavaScript/JS(app.alert('opened'))>>")
    doc.xref_set_key(cat, "OpenAction", f"{opened} 0 R")
    named = action("<</S/JavaScript/JS(app.alert('names'))>>")
    tree = action(f"<</Names[(init) {named} 0 R]>>")
    doc.xref_set_key(cat, "Names", f"<</JavaScript {tree} 0 R>>")
    doc.xref_set_key(cat, "AA", f"<</WC {opened} 0 R>>")
    doc.xref_set_key(cat, "AcroForm", "<</Fields[]/XFA[(template) (<xdp/>)]>>")
    doc.embfile_add("payload.exe", b"MZ\x90\x00" + b"\x00" * 64, filename="payload.exe")
    page = doc[0]
    doc.xref_set_key(page.xref, "AA", f"<</O {opened} 0 R>>")
    r = pymupdf.Rect
    page.insert_link({"kind": pymupdf.LINK_URI, "from": r(72, 20, 300, 30), "uri": SAFE_LINK})
    page.insert_link({"kind": pymupdf.LINK_GOTO, "from": r(72, 32, 300, 42), "page": 1})
    page.insert_link({"kind": pymupdf.LINK_LAUNCH, "from": r(72, 44, 300, 54), "file": "/bin/sh"})
    js_uri = "javascript:app.alert(1)"
    page.insert_link({"kind": pymupdf.LINK_URI, "from": r(72, 56, 300, 66), "uri": js_uri})
    page.add_file_annot(pymupdf.Point(500, 40), b"#!/bin/sh\necho pwned\n", "run.sh")
    field = pymupdf.Widget()
    field.field_type, field.field_name = pymupdf.PDF_WIDGET_TYPE_TEXT, "reviewer"
    field.rect = r(400, 700, 560, 720)
    field.script_format = "app.launchURL('http://example.invalid/')"
    page.add_widget(field)
    del page  # pymupdf is done with the page: the raw annotations below go in after its own
    # a JavaScript link and a web link whose /Next runs JavaScript, written raw
    js_link = action("<</Type/Annot/Subtype/Link/Rect[72 500 300 520]/Border[0 0 0]"
                     "/A<</S/JavaScript/JS(app.alert(2))>>>>")  # fmt: skip
    chained = action(f"<</Type/Annot/Subtype/Link/Rect[72 530 300 550]/Border[0 0 0]"
                     f"/A<</S/URI/URI({SAFE_LINK})/Next {named} 0 R>>>>")  # fmt: skip
    xref = doc.page_xref(0)
    annots = doc.xref_get_key(xref, "Annots")[1]
    doc.xref_set_key(xref, "Annots", annots[:-1] + f" {js_link} 0 R {chained} 0 R]")
    return _doc_bytes(doc)


CONSTRUCTED: dict[str, tuple[Callable[[], bytes], str]] = {
    "zero-pages": (zero_pages, "refuse"),
    "page-tree-cycle": (page_tree_cycle, "either"),
    "parent-cycle": (parent_cycle, "refuse"),
    "deep-array-content": (deep_array_content, "either"),
    "deep-dictionary": (deep_dictionary, "either"),
    "nested-forms": (nested_forms, "either"),
    "content-bomb": (content_bomb, "refuse"),
    "image-bomb": (image_bomb, "refuse"),
    "big-image": (big_image, "open"),
    "font-bomb": (font_bomb, "refuse"),
    "huge-page": (huge_page, "refuse"),
    "2000-pages": (many_pages, "open"),
    "100-mb": (hundred_megabytes, "open"),
    "javascript": (javascript, "open"),
    "launch": (launch, "open"),
    "links": (links, "open"),
    "embedded-file": (embedded_file, "open"),
    "active-letter": (active_letter, "open"),
    "empty-file": (lambda: b"", "refuse"),
    "not-a-pdf": (lambda: b"GIF89a" + bytes(range(256)) * 4, "refuse"),
}


# ---------------------------------------------------------------------------- mutants
@functools.cache
def bases() -> tuple[bytes, ...]:
    """Letters to mutate: generated ones, uncompressed copies, and corpus letters."""
    out = [pdfgen.letter_bytes(3), pdfgen.image_only_bytes(), pdfgen.ligature_bytes()]
    with pymupdf.open(stream=pdfgen.letter_bytes(2), filetype="pdf") as doc:
        out.append(doc.tobytes())  # uncompressed: mutations hit readable syntax
    for path in sorted(CORPUS.glob("*.pdf"))[:4] if CORPUS.is_dir() else []:
        out.append(path.read_bytes())
    return tuple(out)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(0, len(data))]


def flip_bits(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice((1, 2, 8, 64, 512))):
        i = rng.randrange(len(out))
        out[i] ^= 1 << rng.randrange(8)
    return bytes(out)


def damage_xref(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    how = rng.randrange(4)
    at = data.rfind(b"startxref")
    if at < 0 or how == 0:  # scramble digits in the last 4 KB (xref table, offsets)
        tail = max(0, len(out) - 4096)
        for _ in range(rng.randrange(1, 40)):
            i = rng.randrange(tail, len(out))
            if chr(out[i]).isdigit():
                out[i] = ord(str(rng.randrange(10)))
        return bytes(out)
    if how == 1:  # startxref points somewhere else
        return data[:at] + b"startxref\n%d\n%%%%EOF\n" % rng.randrange(len(data))
    if how == 2:  # no trailer at all
        return data[: data.rfind(b"trailer")] if b"trailer" in data else data[:at]
    xref = data.rfind(b"xref", 0, at)  # the table replaced by junk of the same size
    if xref < 0:
        return data[:at]
    junk = rng.randbytes(at - xref)
    return data[:xref] + junk + data[at:]


def shuffle_chunks(data: bytes, rng: random.Random) -> bytes:
    cut = sorted(rng.randrange(len(data)) for _ in range(4))
    parts = [data[: cut[0]], data[cut[0] : cut[1]], data[cut[1] : cut[2]], data[cut[2] :]]
    rng.shuffle(parts)
    return b"".join(parts)


MUTATIONS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "truncate": truncate,
    "bitflip": flip_bits,
    "xref": damage_xref,
    "shuffle": shuffle_chunks,
}


def mutant(rng: random.Random) -> tuple[str, bytes]:
    data = rng.choice(bases())
    stacked = rng.random() < 0.3
    names = rng.choices(list(MUTATIONS), k=rng.randint(2, 4) if stacked else 1)
    for name in names:
        if data:
            data = MUTATIONS[name](data, rng)
    return "+".join(names), data


# ---------------------------------------------------------------------------- corpus
def cases(count: int, seed: int = 2024, *, constructed: bool = True) -> Iterator[Case]:
    made = 0
    if constructed:
        for name, (make, expect) in CONSTRUCTED.items():
            if made >= count:
                return
            yield Case(f"{name}.pdf", name, make(), expect)
            made += 1
    rng = random.Random(seed)
    k = 0
    while made < count:
        kind, data = mutant(rng)
        yield Case(f"mutant-{k:04d}.pdf", f"mutant:{kind}", data)
        made += 1
        k += 1
