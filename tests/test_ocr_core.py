"""OCR building blocks without Qt: field repair, language data, page analysis, geometry,
cache. The full fax test is in ``test_ocr_fax.py``; the GUI flow in ``test_ocr_gui.py``."""

from __future__ import annotations

import itertools
from pathlib import Path

import pymupdf
import pytest

from imr_desktop.core.document import load_document
from imr_desktop.core.ocr import cache, engine, geometry, scan
from imr_desktop.core.ocr.fields import repair_fields, valid_date
from imr_desktop.core.ocr.tessdata import (
    APT_PACKAGE,
    ENV_VAR,
    OcrUnavailable,
    find_tessdata,
    require_tessdata,
)
from imr_desktop.core.pdf import PageChars
from imr_desktop.core.textlayer import TextLayer
from tests import pdfgen, scangen
from tests.conftest import LETTERS


# ---------------------------------------------------------------------------- fields
@pytest.mark.parametrize(
    ("read", "fixed"),
    [
        ("CMl6-O219557", "CM16-0219557"),
        ("CM1S-02I9557", "CM15-0219557"),
        ("CN16-0219557", "CM16-0219557"),
        ("CM16—0219557", "CM16-0219557"),
        ("1l/18/2O16", "11/18/2016"),
        ("O2/2B/2016", "02/28/2016"),
        ("12/I9/20l6", "12/19/2016"),
    ],
)
def test_confused_characters_are_repaired_in_place(read: str, fixed: str) -> None:
    text = f"Case Number:\n{read} \nnext"
    out, notes = repair_fields(text)
    assert out == f"Case Number:\n{fixed} \nnext"
    assert len(out) == len(text)  # every character keeps its box
    assert [(n.before, n.after) for n in notes] == [(read, fixed)]
    assert fixed in notes[0].message(0) and "page 1" in notes[0].message(0)


def test_invalid_dates_are_reported_not_guessed() -> None:
    text = "Date Assigned: 14/18/2016 and 02/30/2016"
    out, notes = repair_fields(text)
    assert out == text
    assert [(n.before, n.after) for n in notes] == [("14/18/2016", None), ("02/30/2016", None)]
    assert "could not be read reliably" in notes[0].message(2)


def test_words_that_only_look_like_numbers_are_left_alone() -> None:
    text = "ISBN Sl/SO/IOOS lost CMS-ISSUES 11/05/2016 CM16-0219557 abc1l/18/2016"
    out, notes = repair_fields(text)
    assert out == text and notes == []


def test_valid_date() -> None:
    assert valid_date("02/29/2016") and not valid_date("02/29/2017")
    assert not valid_date("13/01/2016") and not valid_date("01/01/1850")


# ---------------------------------------------------------------------------- tessdata
def test_tessdata_from_the_environment(tmp_path: Path) -> None:
    (tmp_path / "tessdata").mkdir()
    (tmp_path / "tessdata" / "eng.traineddata").write_bytes(b"x")
    assert find_tessdata({ENV_VAR: str(tmp_path / "tessdata")}) == tmp_path / "tessdata"
    # older Tesseract convention: the variable names the parent folder
    assert find_tessdata({ENV_VAR: str(tmp_path)}) == tmp_path / "tessdata"


def test_missing_tessdata_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from imr_desktop.core.ocr import tessdata

    monkeypatch.setattr(tessdata, "_PATTERNS", ("/nonexistent/*/tessdata",))
    assert find_tessdata({}) is None
    with pytest.raises(OcrUnavailable) as err:
        require_tessdata({ENV_VAR: "/nonexistent"})
    message = str(err.value)
    assert f"apt install {APT_PACKAGE}" in message and ENV_VAR in message


# ---------------------------------------------------------------------------- scan
def _image_page(dpi: int, *, rotate: int = 0) -> bytes:
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    pix = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 612 * dpi // 72, 792 * dpi // 72))
    pix.clear_with(255)
    page.insert_image(page.rect, pixmap=pix, rotate=rotate)
    logo = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 600, 100))  # 1200 "dpi" logo
    logo.clear_with(128)
    page.insert_image(pymupdf.Rect(400, 20, 436, 26), pixmap=logo)
    return doc.tobytes()


@pytest.mark.parametrize("dpi", [150, 200, 300])
def test_native_dpi_comes_from_the_scan_image(dpi: int) -> None:
    with pymupdf.open(stream=_image_page(dpi)) as doc:
        assert scan.native_dpi(doc[0]) == dpi  # not the logo's 1200, not 72


def test_native_dpi_of_a_page_without_a_scan_is_none(letter_pdf: Path) -> None:
    with pymupdf.open(letter_pdf) as doc:
        assert scan.native_dpi(doc[0]) is None


def test_header_band_found_on_every_corpus_first_page_and_nowhere_else(corpus_dir: Path) -> None:
    letters = sorted(LETTERS.glob("*.pdf"))[::6]  # a spread of ~23 letters keeps it quick
    for path in letters:
        with pymupdf.open(path) as doc:
            band = scan.find_header_band(doc[0])
            assert band is not None, path.name
            # the table: under the logo, above the first heading, most of the width
            text = doc[0].get_text("text", clip=band)
            assert "Case Number" in text and "HOW THE IMR" not in text, path.name
            assert band.width > 0.6 * doc[0].rect.width
            for page in list(doc)[1:]:
                assert scan.find_header_band(page) is None, (path.name, page.number)


def test_header_band_survives_fax_noise_and_skew(fax_letter: tuple[Path, Path]) -> None:
    letter, fax = fax_letter
    with pymupdf.open(fax) as doc, pymupdf.open(letter) as original:
        band = scan.find_header_band(doc[0])
        assert band is not None
        table = original[0].search_for("Case Number")[0]
        assert band.contains(table)


def test_clean_table_removes_rules_and_shading_but_keeps_text() -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=300, height=100)
    page.draw_rect(pymupdf.Rect(10, 10, 290, 90), color=(0, 0, 0), fill=(0.87, 0.87, 0.87))
    page.draw_line((10, 50), (290, 50), color=(0, 0, 0))
    page.insert_text((20, 40), "Case Number:", fontsize=12)
    pix = scan.clean_table(page.get_pixmap(dpi=200), 200)
    grey = pymupdf.Pixmap(pymupdf.csGRAY, pix)
    z = 200 / 72

    def at(x: float, y: float) -> int:
        return grey.pixel(int(x * z), int(y * z))[0]

    assert at(150, 50) == 255 and at(10, 70) == 255  # rules gone
    assert at(200, 70) == 255  # shading gone
    words = pymupdf.Pixmap(grey, 0) if False else grey
    ink = sum(
        1
        for x in range(int(20 * z), int(100 * z))
        for y in range(int(30 * z), int(42 * z))
        if words.pixel(x, y)[0] == 0
    )
    assert ink > 200  # the label's letters are still there


def test_find_cut_falls_between_lines(letter_pdf: Path) -> None:
    with pymupdf.open(letter_pdf) as doc:
        page = doc[0]
        cut = scan.find_cut(page)
        y, share = cut.y, cut.share
        assert y is not None and cut.ink > 0
        lines = [ln["bbox"] for b in page.get_text("dict")["blocks"] for ln in b["lines"]]
        top, bottom = min(b[1] for b in lines), max(b[3] for b in lines)
        # the text shared about evenly (it is what OCR time follows), and the cut goes
        # through no line's letters (a font box is taller than its ink: its outer thirds
        # may be crossed)
        words = page.get_text("words")
        above = sum(len(w[4]) for w in words if w[3] <= y) / sum(len(w[4]) for w in words)
        assert 0.35 < share < 0.65 and abs(share - above) < 0.1, (share, above)
        assert top + 0.3 * (bottom - top) < y < top + 0.7 * (bottom - top)
        for _x0, y0, _x1, y1 in lines:
            third = (y1 - y0) / 3
            assert not (y0 + third < y < y1 - third)


# ---------------------------------------------------------------------------- engine
def test_ocr_page_gives_born_digital_geometry(
    clean_scan_pdf: Path, tessdata: Path, letter_pdf: Path
) -> None:
    with pymupdf.open(clean_scan_pdf) as doc:
        page = engine.ocr_page(doc, 0, tessdata)
    assert page.recognised and page.dpi == 200
    chars = page.chars
    assert isinstance(chars, PageChars) and len(chars.boxes) == 4 * len(chars.text)
    born = load_document(pdfgen.write_letter_pdf(letter_pdf.parent / "one.pdf", 1)).text
    assert scangen.word_recovery(born, chars.text) >= 0.97
    # every box is on the page and no two consecutive lines overlap
    for i in range(0, len(chars.boxes), 4):
        x0, y0, x1, y1 = chars.boxes[i : i + 4]
        assert 0 <= x0 <= x1 <= chars.width + 1 and 0 <= y0 <= y1 <= chars.height + 1

    def band(s: int, e: int) -> tuple[float, float]:
        return (
            min(chars.boxes[4 * k + 1] for k in range(s, e)),
            max(chars.boxes[4 * k + 3] for k in range(s, e)),
        )

    for (a0, a1), (b0, b1) in itertools.pairwise(band(s, e) for s, e in chars.lines):
        assert a1 <= b0 + 0.01 or b1 <= a0 + 0.01
    # the text layer works as for born-digital text: click a word's middle, get the word
    layer = TextLayer(1)
    layer.add_page(chars)
    start = layer.text.index("Page 1 of 1")
    x0, y0, x1, y1 = layer.box(start + 2)  # the "g"
    caret = layer.caret_at(0, (x0 + x1) / 2 - 0.01, (y0 + y1) / 2)
    assert start + 1 <= caret <= start + 3
    [(pg, rect)] = layer.line_rects(start, start + 4)
    assert pg == 0 and rect[0] <= x0 and rect[2] >= x1


def test_a_page_with_a_text_layer_is_not_recognised(letter_pdf: Path, tessdata: Path) -> None:
    with pymupdf.open(letter_pdf) as doc:
        page = engine.ocr_page(doc, 0, tessdata)
    assert not page.recognised and "Page 1 of 3" in page.chars.text


def test_ocr_version_marks_ocr_text() -> None:
    assert engine.OCR_VERSION.startswith("ocr-")
    assert engine.is_ocr_version(engine.OCR_VERSION)
    assert not engine.is_ocr_version("imr-text-1/mupdf-1.28.5") and not engine.is_ocr_version(None)


# ---------------------------------------------------------------------------- cache
def _pages() -> list[engine.OcrPage]:
    chars = PageChars(0, 612.0, 792.0, "Ab\n", (1, 2, 3, 4, 3, 2, 5, 4, 5, 2, 5, 4), ((0, 2),))
    return [engine.OcrPage(chars, 200, ("page 1: read the date “1l/01/2016” as …",))]


def test_cache_round_trip_and_version_check(tmp_path: Path) -> None:
    sha = "ab" * 32
    cache.save(sha, _pages(), tmp_path)
    back = cache.load(sha, tmp_path)
    assert back == _pages()
    assert cache.layer_of(back).text == "Ab\n"
    assert cache.summary(back) == "1 page at 200 dpi"
    (tmp_path / f"{sha}.json.gz").write_bytes(b"\x1f\x8b damaged")
    assert cache.load(sha, tmp_path) is None
    assert cache.load("cd" * 32, tmp_path) is None


def test_cache_of_another_ocr_version_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sha = "ef" * 32
    cache.save(sha, _pages(), tmp_path)
    monkeypatch.setattr(cache, "OCR_VERSION", "ocr-999")
    assert cache.load(sha, tmp_path) is None


def test_load_document_uses_the_ocr_of_a_recognised_scan(image_only_pdf: Path) -> None:
    # the packet export reads letters through load_document: a recognised scan must give
    # the text that was annotated, not nothing
    loaded = load_document(image_only_pdf)
    assert loaded.text.strip() == ""
    pages = [
        engine.OcrPage(PageChars(i, 612.0, 792.0, f"page {i}\n", (0.0,) * 28, ((0, 6),)), 100)
        for i in range(2)
    ]
    cache.save(loaded.source.sha256, pages)
    again = load_document(image_only_pdf)
    assert again.text == "page 0\npage 1\n"
    assert again.extractor_version == engine.OCR_VERSION


# ---------------------------------------------------------------------------- geometry
def _line(words: list[tuple[str, float, float]], y0: float, y1: float) -> dict:
    """A rawdict-like line: words as (text, x0, x1), all in one band y0..y1."""
    chars = []
    for k, (word, x0, x1) in enumerate(words):
        if k:
            chars.append({"c": " ", "bbox": (x0 - 4, y0, x0, y1)})
        step = (x1 - x0) / len(word)
        chars += [{"c": c, "bbox": (x0 + i * step, y0, x0 + (i + 1) * step, y1)}
                  for i, c in enumerate(word)]  # fmt: skip
    return {"bbox": (words[0][1], y0, words[-1][2], y1), "spans": [{"chars": chars}]}


def test_fit_puts_boxes_on_the_page_skew_even_for_short_lines() -> None:
    slope = 0.025  # a page turned ~1.4°
    long_lines = []
    for base in (100.0, 120.0, 140.0):
        words = [
            (w, 72 + 60 * k, 72 + 60 * k + 40)
            for k, w in enumerate(["abcd", "efgh", "ijkl", "mnop", "qrst"])
        ]
        line = _line(words, base - 15, base + 15)  # the writer's tall, level band
        line["ink"] = [
            ((x0 + x1) / 2, base + slope * (x0 + x1) / 2, 10.0, 50.0) for _, x0, x1 in words
        ]
        long_lines.append(line)
    short = _line([("ab", 300, 330), ("cd", 340, 370)], 145, 175)
    short["ink"] = [(315, 160.0, 10.0, 50.0), (355, 160.0, 10.0, 50.0)]  # looks level
    blocks = [{"bbox": (0, 0, 0, 0), "lines": [*long_lines, short]}]
    geometry.fit(blocks)
    for line in long_lines:
        for ch in line["spans"][0]["chars"]:
            _x0, y0, _x1, y1 = ch["bbox"]
            assert y1 - y0 == pytest.approx(10.0 * geometry.PAD)
    first, last = long_lines[0]["spans"][0]["chars"][0], long_lines[0]["spans"][0]["chars"][-1]
    rise = (last["bbox"][1] - first["bbox"][1]) / (last["bbox"][0] - first["bbox"][0])
    assert rise == pytest.approx(slope, abs=1e-3)
    a, b = short["spans"][0]["chars"][0], short["spans"][0]["chars"][-1]
    assert b["bbox"][1] > a["bbox"][1]  # the short line follows the page, not its own guess
    assert "ink" not in short


def test_follow_skew_cuts_slanted_lines_at_word_starts_only() -> None:
    text = "aaa bbb ccc ddd\nlevel line\n"
    boxes: list[float] = []
    for i in range(16):
        y = 100 + 0.6 * i  # slants 9 pt over the line: more than a quarter box height
        boxes += (10.0 * i, y, 10.0 * i + 9, y + 10)
    for i in range(11):
        boxes += (10.0 * i, 200.0, 10.0 * i + 9, 210.0)
    page = PageChars(0, 612.0, 792.0, text, tuple(boxes), ((0, 15), (16, 26)))
    cut = geometry.follow_skew(page)
    assert cut.text == page.text and cut.boxes == page.boxes
    assert cut.lines[-1] == (16, 26)  # a level line stays whole
    pieces = cut.lines[:-1]
    assert len(pieces) > 1 and pieces[0][0] == 0 and pieces[-1][1] == 15
    for s, _e in pieces[1:]:
        assert text[s - 1] == " " and text[s] != " "


def _table_line(text: str, x: float = 10.0, y: float = 20.0) -> dict:
    chars = [{"c": c, "bbox": (x + 5 * k, y, x + 5 * k + 4, y + 10)} for k, c in enumerate(text)]
    return {"bbox": (x, y, x + 5 * len(text), y + 10), "spans": [{"chars": chars}]}


def test_rule_marks_at_the_ends_of_header_table_lines_are_dropped() -> None:
    lines = ["= 11/15/2016 ", ". Received:", "|", "— 11/22/2016 —", "Priority:", "a - b"]
    blocks = engine._drop_rule_marks(
        [{"bbox": (0, 0, 100, 100), "lines": list(map(_table_line, lines))}]
    )
    kept = blocks[0]["lines"]
    texts = ["".join(ch["c"] for s in ln["spans"] for ch in s["chars"]) for ln in kept]
    assert texts == ["11/15/2016", "Received:", "11/22/2016", "Priority:", "a - b"]
    first = kept[0]
    assert first["bbox"][0] == first["spans"][0]["chars"][0]["bbox"][0] == 20  # box follows
    assert engine._drop_rule_marks([{"bbox": (0, 0, 1, 1), "lines": [_table_line("|")]}]) == []
