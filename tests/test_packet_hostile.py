"""Case packets leave out the active content of their source letters, checked with a
second PDF library (pypdf): what other readers could run or follow never reaches them."""

from __future__ import annotations

import json
from pathlib import Path

import pymupdf
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from imr_desktop.core.exports.packet import ATTACHMENT, write_packet
from imr_desktop.core.exports.sanitize import sanitize
from imr_desktop.core.store import Store
from tests import fuzzgen, pdfgen
from tests.export_helpers import add_document, annotate

# actions no packet may hold, whatever object they hide in
ACTIVE = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/ResetForm", "/GoToR",
          "/GoToE", "/Rendition", "/Movie", "/Sound", "/RichMediaExecute"}  # fmt: skip
SAFE_PREFIXES = ("http://", "https://", "mailto:")


def _resolve(obj: object) -> object:
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def _walk(obj: object, seen: set[int], found: list[str], where: str) -> None:
    """Every dictionary reachable from ``obj``: actions, /AA, /JS, unsafe URIs."""
    if isinstance(obj, IndirectObject):
        if obj.idnum in seen:
            return
        seen.add(obj.idnum)
        where = f"obj {obj.idnum}"
    obj = _resolve(obj)
    if isinstance(obj, ArrayObject):
        for item in obj:
            _walk(item, seen, found, where)
        return
    if not isinstance(obj, DictionaryObject):
        return
    kind = obj.get("/S")
    if kind in ACTIVE:
        found.append(f"{kind} action in {where}")
    if kind == "/URI" and not str(obj.get("/URI", "")).startswith(SAFE_PREFIXES):
        found.append(f"unsafe URI {obj.get('/URI')!r} in {where}")
    for key in ("/AA", "/JS", "/OpenAction", "/XFA"):
        if key in obj:
            found.append(f"{key} in {where}")
    if "/S" in obj and "/Next" in obj:  # an action chained to another (outlines have /Next too)
        found.append(f"/Next in {where}")
    if obj.get("/Subtype") in ("/FileAttachment", "/Screen", "/RichMedia", "/Movie", "/Sound"):
        found.append(f"{obj['/Subtype']} annotation in {where}")
    for key, value in obj.items():
        if key not in ("/Parent", "/P"):  # back links: everything is reached from the root
            _walk(value, seen, found, where)


def active_content(reader: PdfReader) -> list[str]:
    found: list[str] = []
    seen: set[int] = set()
    root = reader.trailer["/Root"]
    names = _resolve(root.get("/Names")) or {}
    if "/JavaScript" in names:
        found.append("JavaScript name tree")
    _walk(reader.trailer, seen, found, "trailer")
    # objects nothing refers to still sit in the file: a reader never reaches them, but
    # a packet is checked whole
    for number in range(1, int(reader.trailer["/Size"])):
        _walk(IndirectObject(number, 0, reader), seen, found, f"obj {number}")
    found += [f"attachment {name}" for name in reader.attachments if name != ATTACHMENT]
    return found


def link_targets(reader: PdfReader, page: int) -> list[str]:
    out = []
    for ref in reader.pages[page].get("/Annots") or []:
        a = ref.get_object()
        if a["/Subtype"] == "/Link" and "/A" in a:
            action = a["/A"].get_object()
            out.append(str(action.get("/URI", action["/S"])))
        elif a["/Subtype"] == "/Link":
            out.append("/Dest")
    return out


def test_the_hostile_letter_really_is_hostile(tmp_path: Path) -> None:
    # guards the generator: each kind the packet test checks for is in the source
    found = " | ".join(active_content(PdfReader(_write(tmp_path, fuzzgen.active_letter()))))
    for kind in ("JavaScript name tree", "/JavaScript action", "/Launch action",
                 "/OpenAction", "/AA", "/Next", "/XFA", "unsafe URI 'javascript:",
                 "/FileAttachment annotation", "attachment payload.exe"):  # fmt: skip
        assert kind in found, kind


def _write(tmp_path: Path, data: bytes, name: str = "active.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_packet_leaves_out_scripts_launches_and_attachments(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "db.sqlite")
    source = _write(tmp_path, fuzzgen.active_letter())
    before = source.read_bytes()
    loaded = add_document(store, source)
    sha, text = loaded.source.sha256, loaded.text
    ann = annotate(store, sha, text, "End of page 1.", note="checked")
    out = tmp_path / "packet.pdf"
    result = write_packet(store, [sha], out)
    assert source.read_bytes() == before  # the user's file is never modified

    reader = PdfReader(out)
    assert active_content(reader) == []
    summary_pages = len(reader.pages) - 2
    # the web link and the link to page 2 stay; the others went
    targets = link_targets(reader, summary_pages)
    assert fuzzgen.SAFE_LINK in targets and "/GoTo" in targets
    assert not any(t.startswith("javascript") or t in ("/Launch", "/GoToR") for t in targets)
    # our highlight and our attachment stay
    [highlight] = [
        a.get_object()
        for a in reader.pages[summary_pages].get("/Annots") or []
        if a.get_object()["/Subtype"] == "/Highlight"
    ]
    assert highlight["/NM"] == ann.id and highlight["/Contents"] == "Decision\nchecked"
    assert list(reader.attachments) == [ATTACHMENT]
    [record] = [json.loads(x) for x in reader.attachments[ATTACHMENT][0].decode().splitlines()]
    assert record["id"] == sha and [s["id"] for s in record["spans"]] == [ann.id]
    # the letter's text is all there, and the user is told what was left out
    assert "End of page 2." in reader.pages[summary_pages + 1].extract_text()
    [message] = result.report.messages
    assert message.startswith("active.pdf: its ") and "JavaScript" in message
    assert "Launch actions" in message and "embedded files" in message
    assert result.report.problems == {"active content left out": 1}


def test_a_plain_letter_loses_nothing(tmp_path: Path) -> None:
    data = pdfgen.letter_bytes(2)
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        page = doc[0]
        mail = "mailto:imr@example.org"
        page.insert_link(
            {"kind": pymupdf.LINK_URI, "from": pymupdf.Rect(72, 20, 300, 30), "uri": mail}
        )
        page.insert_link(
            {"kind": pymupdf.LINK_GOTO, "from": pymupdf.Rect(72, 40, 300, 50), "page": 1}
        )
        before = [page.get_text() for page in doc], [dict(ln) for ln in doc[0].get_links()]
        assert sanitize(doc) == []
        after = [page.get_text() for page in doc], [dict(ln) for ln in doc[0].get_links()]
    assert after == before


def test_sanitizing_is_complete_in_one_pass(tmp_path: Path) -> None:
    with pymupdf.open(stream=fuzzgen.active_letter(), filetype="pdf") as doc:
        removed = sanitize(doc)
        assert sanitize(doc) == []  # nothing left for a second pass
        assert doc.embfile_count() == 0
        # the web link, the page link, and the web link that lost its chained script
        links = [(ln["kind"], ln.get("uri")) for ln in doc[0].get_links()]
        safe = (pymupdf.LINK_URI, fuzzgen.SAFE_LINK)
        assert links == [safe, (pymupdf.LINK_GOTO, None), safe]
        saved = doc.tobytes(garbage=3)
    assert {"JavaScript", "Launch actions (to start programs)", "embedded files",
            "additional actions", "XFA forms", "chained actions"} <= set(removed)  # fmt: skip
    assert active_content(PdfReader(_write(tmp_path, saved, "clean.pdf"))) == []
