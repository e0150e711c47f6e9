"""Case packets read back with an independent PDF library (pypdf)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pymupdf
import pytest
from pypdf import PdfReader

from imr_desktop.core.exports.base import ExportError
from imr_desktop.core.exports.packet import write_packet
from imr_desktop.core.store import Store
from tests.conftest import corpus_letter
from tests.export_helpers import (
    add_document,
    add_text_document,
    annotate,
    letter_html,
    story_pdf,
)

TOL = 0.6  # points


def highlights(reader: PdfReader) -> list[dict]:
    """Every highlight: its page, /NM, subject, author, contents, colour, quad boxes."""
    out = []
    for n, page in enumerate(reader.pages):
        height = float(page.mediabox.top)
        for ref in page.get("/Annots") or []:
            a = ref.get_object()
            if a["/Subtype"] != "/Highlight":
                continue
            q = [float(v) for v in a["/QuadPoints"]]
            boxes = []
            for i in range(0, len(q), 8):
                xs, ys = q[i : i + 8 : 2], q[i + 1 : i + 8 : 2]
                # PDF space (origin bottom left) -> pymupdf space (origin top left)
                boxes.append((min(xs), height - max(ys), max(xs), height - min(ys)))
            out.append(
                {
                    "page": n,
                    "nm": str(a["/NM"]),
                    "subject": str(a.get("/Subj", "")),
                    "author": str(a.get("/T", "")),
                    "contents": str(a.get("/Contents", "")),
                    "color": [float(c) for c in a["/C"]],
                    "boxes": boxes,
                }
            )
    return out


def word_lines(page: pymupdf.Page, phrase: str, occurrence: int = 0) -> list[tuple]:
    """pymupdf's own word boxes of ``phrase``, merged per line (unrotated space)."""
    # ligatures expanded, as in the canonical text ("ﬁndings" -> "findings")
    flags = pymupdf.TEXTFLAGS_WORDS & ~pymupdf.TEXT_PRESERVE_LIGATURES
    words = page.get_text("words", sort=False, flags=flags)
    target = phrase.split()
    hits = [
        i
        for i in range(len(words) - len(target) + 1)
        if [w[4] for w in words[i : i + len(target)]] == target
    ]
    seq = words[hits[occurrence] : hits[occurrence] + len(target)]
    lines: dict[tuple, list] = {}
    for w in seq:
        lines.setdefault((w[5], w[6]), []).append(w)
    return [
        (min(w[0] for w in ws), min(w[1] for w in ws), max(w[2] for w in ws), max(w[3] for w in ws))
        for ws in lines.values()
    ]


def assert_boxes_cover(boxes: list[tuple], expected: list[tuple]) -> None:
    assert len(boxes) == len(expected), (boxes, expected)
    for got, want in zip(
        sorted(boxes, key=lambda b: b[1]), sorted(expected, key=lambda b: b[1]), strict=True
    ):
        assert all(abs(g - w) <= TOL for g, w in zip(got, want, strict=True)), (got, want)


@pytest.fixture
def letter(tmp_path: Path) -> dict:
    store = Store.open(tmp_path / "db.sqlite")
    # long enough to cross pages; the item paragraphs land near page ends
    pdf = story_pdf(tmp_path / "letter.pdf", letter_html(items=6, filler=38))
    loaded = add_document(store, pdf)
    sha, text = loaded.source.sha256, loaded.text
    return {"store": store, "pdf": pdf, "sha": sha, "text": text, "loaded": loaded}


def test_packet_has_summary_highlights_bookmarks_and_attachment(
    letter: dict, tmp_path: Path
) -> None:
    store, sha, text = letter["store"], letter["sha"], letter["text"]
    a1 = annotate(store, sha, text, "Tramadol 50mg #60: Upheld", note="needs review")
    a2 = annotate(store, sha, text, "Tramadol 50mg", "Summary fact", annotator="bob")  # in a1
    a3 = annotate(store, sha, text, "MTUS Chronic Pain Medical Treatment", "Guideline citation")
    before = letter["pdf"].read_bytes()
    out = tmp_path / "packet.pdf"
    result = write_packet(store, [sha], out)
    assert letter["pdf"].read_bytes() == before  # the source is never modified

    reader = PdfReader(out)
    src = pymupdf.open(letter["pdf"])
    summary_pages = len(reader.pages) - src.page_count
    assert summary_pages >= 1
    first = reader.pages[0].extract_text()
    assert "Annotated case packet: CM16-0219557" in first
    assert "needs review" in first and "Guideline citation" in first

    hl = highlights(reader)
    assert len(hl) == result.highlights == 3
    by_id = {h["nm"]: h for h in hl}
    for ann, phrase in (
        (a1, "Tramadol 50mg #60: Upheld"),
        (a2, "Tramadol 50mg"),
        (a3, "MTUS Chronic Pain Medical Treatment"),
    ):
        h = by_id[ann.id]
        letter_page = h["page"] - summary_pages
        assert_boxes_cover(h["boxes"], word_lines(src[letter_page], phrase))
    assert by_id[a1.id]["subject"] == "Decision"
    assert by_id[a1.id]["author"] == "alice"
    assert by_id[a1.id]["contents"] == "Decision\nneeds review"
    assert by_id[a2.id]["author"] == "bob"
    assert by_id[a1.id]["color"] == pytest.approx([0xEB / 255, 0x57 / 255, 0x57 / 255], abs=0.01)

    titles = [o.title for o in _flatten(reader.outline)]
    assert titles[0] == "Summary: CM16-0219557"
    assert {"Decision (1)", "Summary fact (1)", "Guideline citation (1)"} <= set(titles)
    assert (
        reader.get_destination_page_number(
            next(o for o in _flatten(reader.outline) if o.title.startswith("Letter"))
        )
        == summary_pages
    )

    (record,) = [
        json.loads(line)
        for line in reader.attachments["annotations.jsonl"][0].decode().splitlines()
    ]
    assert record["id"] == sha and record["text"] == text
    assert {s["id"] for s in record["spans"]} == {a1.id, a2.id, a3.id}


def _flatten(outline: list) -> list:
    out = []
    for item in outline:
        if isinstance(item, list):
            out += _flatten(item)
        else:
            out.append(item)
    return out


def test_cross_page_annotation_gets_one_highlight_per_page(letter: dict, tmp_path: Path) -> None:
    store, sha, text, loaded = letter["store"], letter["sha"], letter["text"], letter["loaded"]
    layer = loaded.layer
    assert layer.page_count >= 2
    # from the last line of page 1 to the first line of page 2
    end1 = layer.page_range(0)[1]
    start = text.rfind("\n", 0, end1 - 1) + 1
    stop = text.find("\n", end1)
    ann = annotate(store, sha, text, "", span=(start, stop))
    reader = PdfReader(write_packet(store, [sha], tmp_path / "p.pdf").paths[0])
    hl = sorted(highlights(reader), key=lambda h: h["page"])
    assert [h["nm"] for h in hl] == [ann.id, f"{ann.id}-2"]
    assert hl[1]["page"] == hl[0]["page"] + 1
    src = pymupdf.open(letter["pdf"])
    offset = len(reader.pages) - src.page_count
    # the last line of one page, the first line of the next
    for h, phrase, which in ((hl[0], text[start:end1], -1), (hl[1], text[end1:stop], 0)):
        assert_boxes_cover(h["boxes"], word_lines(src[h["page"] - offset], phrase, which))


def test_rotated_pages_get_quads_in_unrotated_space(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "db.sqlite")
    pdf = story_pdf(tmp_path / "r.pdf", letter_html(), rotate=90)
    loaded = add_document(store, pdf)
    ann = annotate(store, loaded.source.sha256, loaded.text, "Tramadol 50mg #61: Upheld")
    reader = PdfReader(write_packet(store, [loaded.source.sha256], tmp_path / "p.pdf").paths[0])
    (h,) = highlights(reader)
    assert h["nm"] == ann.id
    page = pymupdf.open(pdf)[0]
    assert page.rotation == 90
    assert_boxes_cover(h["boxes"], word_lines(page, "Tramadol 50mg #61: Upheld"))


def test_text_letter_is_typeset_and_highlighted(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "db.sqlite")
    text = "".join(f"Line {i}: the reviewer noted findings.\n" for i in range(70))
    text += "Tramadol 50mg #60: Upheld. " * 6 + "\n"
    sha = add_text_document(store, text, str(tmp_path / "letter.txt"))
    (tmp_path / "letter.txt").write_text(text, encoding="utf-8")
    phrase = "Tramadol 50mg #60: Upheld. Tramadol 50mg #60: Upheld."
    ann = annotate(store, sha, text, phrase, occurrence=2)
    out = write_packet(store, [sha], tmp_path / "p.pdf").paths[0]
    reader = PdfReader(out)
    (h,) = highlights(reader)
    assert h["nm"] == ann.id
    doc = pymupdf.open(out)
    page = doc[h["page"]]
    # the typeset page shows the text, and the quads cover exactly the phrase's words
    assert "Tramadol 50mg #60: Upheld." in page.get_text()
    assert_boxes_cover(h["boxes"], word_lines(page, phrase, occurrence=2))


def test_300_page_packet(tmp_path: Path) -> None:
    doc = pymupdf.open()
    for i in range(300):
        page = doc.new_page()
        page.insert_text((72, 72), f"Page {i + 1} of the record. Case Number: CM16-0000300")
        page.insert_text((72, 100), f"Finding number {i + 1} is documented here.")
    pdf = tmp_path / "long.pdf"
    doc.save(pdf)
    store = Store.open(tmp_path / "db.sqlite")
    loaded = add_document(store, pdf)
    sha, text = loaded.source.sha256, loaded.text
    anns = [
        annotate(store, sha, text, f"Finding number {n} is", "Summary fact") for n in (1, 150, 300)
    ]
    result = write_packet(store, [sha], tmp_path / "p.pdf")
    reader = PdfReader(result.paths[0])
    offset = len(reader.pages) - 300
    assert offset >= 1 and result.pages == len(reader.pages)
    assert "Page 300 of the record" in reader.pages[-1].extract_text()
    pages = {h["nm"]: h["page"] - offset for h in highlights(reader)}
    assert pages == {anns[0].id: 0, anns[1].id: 149, anns[2].id: 299}


def test_source_moved_or_changed_is_reported(letter: dict, tmp_path: Path) -> None:
    store, sha = letter["store"], letter["sha"]
    annotate(store, sha, letter["text"], "Tramadol 50mg #60: Upheld")
    out = tmp_path / "p.pdf"
    moved = letter["pdf"].rename(tmp_path / "moved.pdf")
    with pytest.raises(ExportError, match="moved or deleted"):
        write_packet(store, [sha], out)
    doc = pymupdf.open(moved)
    doc.set_metadata({"title": "changed"})
    doc.save(letter["pdf"])
    with pytest.raises(ExportError, match="has changed since it was annotated"):
        write_packet(store, [sha], out)
    assert not out.exists()
    # given its new place, the packet is made from the moved file
    assert write_packet(store, [sha], out, paths={sha: moved}).highlights == 1


def test_zip_holds_packet_jsonl_and_original(letter: dict, tmp_path: Path) -> None:
    store, sha = letter["store"], letter["sha"]
    annotate(store, sha, letter["text"], "Tramadol 50mg #60: Upheld")
    out = tmp_path / "case.zip"
    write_packet(store, [sha], out, as_zip=True)
    with zipfile.ZipFile(out) as z:
        assert sorted(z.namelist()) == ["case.jsonl", "case.pdf", "originals/letter.pdf"]
        assert z.read("originals/letter.pdf") == letter["pdf"].read_bytes()
        assert json.loads(z.read("case.jsonl"))["id"] == sha
        assert z.read("case.pdf").startswith(b"%PDF-")


def test_real_letter_packet(tmp_path: Path) -> None:
    path = corpus_letter("CM16-0219557.pdf")
    store = Store.open(tmp_path / "db.sqlite")
    loaded = add_document(store, path)
    sha, text = loaded.source.sha256, loaded.text
    ann = annotate(store, sha, text, "Upheld", occurrence=0)
    reader = PdfReader(write_packet(store, [sha], tmp_path / "p.pdf").paths[0])
    (h,) = highlights(reader)
    assert h["nm"] == ann.id
    src = pymupdf.open(path)
    offset = len(reader.pages) - src.page_count
    assert_boxes_cover(h["boxes"], word_lines(src[h["page"] - offset], "Upheld"))


def test_packet_progress_and_cancel(letter: dict, tmp_path: Path) -> None:
    from imr_desktop.core.exports.base import ExportCancelled

    store, sha, text = letter["store"], letter["sha"], letter["text"]
    for i in range(6):
        annotate(store, sha, text, f"Tramadol 50mg #{60 + i}: Upheld")
    out = tmp_path / "p.pdf"
    asked = 0

    def cancel_at_third_highlight() -> bool:
        nonlocal asked
        asked += 1
        return asked > 4  # before any step, after reading, then per highlight

    with pytest.raises(ExportCancelled):
        write_packet(store, [sha], out, cancelled=cancel_at_third_highlight)
    assert asked == 5
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith((".p.", "p."))] == []

    seen: list[tuple[int, int]] = []
    result = write_packet(store, [sha], out, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 3), (2, 3), (3, 3)] and result.highlights == 6
    assert len(highlights(PdfReader(out))) == 6
