"""Canonical text and character geometry (no Qt).

The round-trip tests run over every generated PDF with a text layer: ligatures and
non-ASCII text, pages rotated by 90° (upright and sideways text), two columns, a letter.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pymupdf
import pytest

from imr_desktop.core import pdf
from imr_desktop.core.textlayer import TextLayer, line_at, snap_to_words, word_at
from tests import pdfgen

EPS = 0.01


def open_bytes(data: bytes) -> pymupdf.Document:
    return pymupdf.open(stream=data, filetype="pdf")


def build_layer(data: bytes) -> TextLayer:
    doc = open_bytes(data)
    try:
        layer = TextLayer(doc.page_count)
        for i in range(doc.page_count):
            layer.add_page(pdf.extract_page(doc, i))
    finally:
        doc.close()
    return layer


def solid_chars(layer: TextLayer) -> Iterator[tuple[int, tuple[float, float, float, float]]]:
    """Offsets of every character whose box has an area, with the box."""
    for i in range(len(layer)):
        box = layer.box(i)
        if box[2] - box[0] > EPS and box[3] - box[1] > EPS:
            yield i, box


def covers(outer: tuple[float, ...], inner: tuple[float, ...]) -> bool:
    return (
        outer[0] <= inner[0] + EPS
        and outer[1] <= inner[1] + EPS
        and outer[2] >= inner[2] - EPS
        and outer[3] >= inner[3] - EPS
    )


# --------------------------------------------------------------------------- round trip
@pytest.mark.parametrize("name", sorted(pdfgen.TEXT_PDFS))
def test_caret_and_line_rects_round_trip_every_character(name: str) -> None:
    layer = build_layer(pdfgen.TEXT_PDFS[name]())
    checked = 0
    misses: list[tuple[int, str, int | None]] = []
    for i, (x0, y0, x1, y1) in solid_chars(layer):
        page = layer.page_of(i)
        # centre-left: a quarter into the box along the line, halfway across it
        if x1 - x0 >= y1 - y0 or layer.text[i].isspace():
            x, y = x0 + (x1 - x0) / 4, (y0 + y1) / 2
        else:  # a tall box: a character of a line running down (or up) the page
            x, y = (x0 + x1) / 2, y0 + (y1 - y0) / 4
        caret = layer.caret_at(page, x, y)
        if caret != i:
            misses.append((i, layer.text[i], caret))
        checked += 1
        rects = layer.line_rects(i, i + 1)
        if layer.text[i].isspace():
            assert rects == []  # a space alone carries no ink: nothing to highlight
            continue
        assert len(rects) == 1, (name, i, rects)
        assert rects[0][0] == page
        assert covers(rects[0][1], (x0, y0, x1, y1)), (name, i, rects[0][1], (x0, y0, x1, y1))
    assert checked > 300, f"{name}: too few characters checked ({checked})"
    assert not misses, f"{name}: {len(misses)} of {checked} carets wrong, e.g. {misses[:5]}"


@pytest.mark.corpus
@pytest.mark.parametrize(
    "letter",
    ["CM16-0219557.pdf", "CM17-0002551.pdf"],  # the second has rows split by redaction gaps
)
def test_caret_round_trip_on_real_letters(letter: str) -> None:
    from tests.conftest import corpus_letter

    layer = build_layer(corpus_letter(letter).read_bytes())
    misses = [
        i
        for i, (x0, y0, x1, y1) in solid_chars(layer)
        if layer.caret_at(layer.page_of(i), x0 + (x1 - x0) / 4, (y0 + y1) / 2) != i
    ]
    assert len(layer) > 2000
    assert misses == []


@pytest.mark.parametrize("name", sorted(pdfgen.TEXT_PDFS))
def test_fast_text_path_equals_canonical_page_text(name: str) -> None:
    doc = open_bytes(pdfgen.TEXT_PDFS[name]())
    try:
        for i in range(doc.page_count):
            fast = doc[i].get_text("text", flags=pdf.TEXT_FLAGS)
            assert fast == pdf.extract_page(doc, i).text, f"{name} page {i}"
    finally:
        doc.close()


@pytest.mark.parametrize("name", sorted(pdfgen.TEXT_PDFS))
def test_page_chars_are_consistent(name: str) -> None:
    doc = open_bytes(pdfgen.TEXT_PDFS[name]())
    try:
        for i in range(doc.page_count):
            page = pdf.extract_page(doc, i)
            assert len(page.boxes) == 4 * len(page.text)
            assert (page.width, page.height) == (doc[i].rect.width, doc[i].rect.height)
            for s, e in page.lines:
                assert "\n" not in page.text[s:e]
                assert page.text[e] == "\n"  # every line ends with a synthetic newline
            # all boxes lie on the displayed page
            for k in range(0, len(page.boxes), 4):
                x0, y0, x1, y1 = page.boxes[k : k + 4]
                assert -1 <= x0 <= x1 <= page.width + 1
                assert -1 <= y0 <= y1 <= page.height + 1
    finally:
        doc.close()


# --------------------------------------------------------------------------- ligatures
def test_ligatures_are_expanded_and_each_letter_has_its_own_box() -> None:
    doc = open_bytes(pdfgen.ligature_bytes())
    shaped = doc[0].get_text("text", flags=pymupdf.TEXT_PRESERVE_LIGATURES)
    doc.close()
    assert "o\ufb03ce" in shaped and "\ufb02u\ufb00y" in shaped  # the font really forms them
    layer = build_layer(pdfgen.ligature_bytes())
    text = layer.text
    assert not any("\ufb00" <= c <= "\ufb06" for c in text), "ligature code points leaked"
    for word in ("office", "affirm", "fluffy", "efficient", "baffled", "final", "flow"):
        assert word in text
    # the shaped "ffi" of "office": three boxes side by side, none of them empty
    start = text.index("office") + 1
    boxes = [layer.box(k) for k in range(start, start + 3)]
    assert text[start : start + 3] == "ffi"
    for left, right in itertools.pairwise(boxes):
        assert left[2] - left[0] > 0.5
        assert abs(left[2] - right[0]) < EPS  # contiguous split of one glyph box
    # literal ligature code points in the source come out as their letters
    assert "final flow ffect ffix ffle" in text


def test_non_ascii_text_survives_extraction() -> None:
    text = build_layer(pdfgen.ligature_bytes()).text
    assert pdfgen.NON_ASCII in text
    assert unicodedata.is_normalized("NFC", text)


# --------------------------------------------------------------------------- rotation
def test_rotated_pages_report_displayed_size_and_upright_reading_order() -> None:
    layer = build_layer(pdfgen.rotated_bytes())
    assert layer.page_sizes == [(792.0, 612.0), (792.0, 612.0)]
    first = layer.text.index("Landscape page, upright text.")
    x0, y0, _, _ = layer.box(first)
    # upright on a landscape page: near the top-left corner as displayed
    assert x0 < 100 and y0 < 100
    ((_, rect),) = layer.line_rects(first, first + len("Landscape page"))
    assert rect[2] - rect[0] > rect[3] - rect[1]  # a horizontal highlight


def test_sideways_text_highlights_run_down_the_page() -> None:
    layer = build_layer(pdfgen.rotated_bytes())
    start = layer.text.index("Sideways text")
    ((page, rect),) = layer.line_rects(start, start + len("Sideways text"))
    assert page == 1
    assert rect[3] - rect[1] > 3 * (rect[2] - rect[0])  # a vertical highlight
    # clicking below the last letter of a sideways line gives the caret after it
    _, line_end = layer.line_span(start)
    x0, _, x1, y1 = layer.box(line_end - 1)
    assert layer.caret_at(1, (x0 + x1) / 2, y1 + 0.5) == line_end


# --------------------------------------------------------------------------- columns
def test_two_columns_read_left_column_first_and_hit_the_right_column() -> None:
    layer = build_layer(pdfgen.two_column_bytes())
    text = layer.text
    assert text.index("Left column 2.") < text.index("Right column 0.")
    right = text.index("Right column 1.")
    x0, y0, _, y1 = layer.box(right)
    assert x0 > 300
    assert layer.caret_at(0, x0 + 0.1, (y0 + y1) / 2) == right
    # a point in the gutter, nearer the right column, goes to the right column
    gutter = layer.caret_at(0, 310, (y0 + y1) / 2)
    assert gutter is not None and gutter >= text.index("Right column 0.")
    # a point in the right column between two of its paragraphs stays in that column
    above = layer.line_span(right - 2)
    _, _, _, above_bottom = layer.box(above[0])
    _, below_top, _, _ = layer.box(right)
    between = layer.caret_at(0, 436, (above_bottom + below_top) / 2)
    assert between is not None and between >= text.index("Right column 0.")


# --------------------------------------------------------------------------- caret edges
def test_caret_outside_lines_snaps_to_line_ends() -> None:
    layer = build_layer(pdfgen.letter_bytes(3))
    start, end = layer.page_range(0)
    line_start, line_end = layer.line_span(start)
    x0, y0, _, y1 = layer.box(line_start)
    mid = (y0 + y1) / 2
    assert layer.caret_at(0, -100, mid) == line_start  # far left of the first line
    assert layer.caret_at(0, 10_000, mid) == line_end  # far right: before its newline
    assert layer.caret_at(0, x0 + 1, -500) == line_start  # above the page: first line
    last_line_start, _ = layer.line_span(end - 2)
    assert layer.caret_at(0, -100, 10_000) == last_line_start  # below: last line


def test_click_in_the_margin_beside_a_short_line_lands_on_that_line() -> None:
    """Dragging past the end of a paragraph's last line must select to its end."""
    layer = build_layer(pdfgen.letter_bytes(3))
    for needle in ("End of page 1.", "Page 1 of 3", "lower extremities."):
        i = layer.text.index(needle)
        start, end = layer.line_span(i)
        _, y0, _, y1 = layer.box(i)
        for dy in (-2.0, 0.0, 2.0):
            y = (y0 + y1) / 2 + dy
            assert layer.caret_at(0, 590, y) == end, (needle, "right margin", dy)
            assert layer.caret_at(0, 20, y) == start, (needle, "left margin", dy)


@pytest.mark.corpus
def test_click_beside_short_lines_of_a_real_letter() -> None:
    from tests.conftest import corpus_letter

    doc = pymupdf.open(corpus_letter("CM16-0219557.pdf"))
    layer = TextLayer(doc.page_count)
    for i in range(doc.page_count):
        layer.add_page(pdf.extract_page(doc, i))
    doc.close()
    for needle in ("Review determinations.", "HOW THE IMR FINAL", "seemingly kept off"):
        i = layer.text.index(needle)
        start, end = layer.line_span(i)
        _, y0, _, y1 = layer.box(i)
        page = layer.page_of(i)
        assert layer.caret_at(page, 580, (y0 + y1) / 2) == end, needle
        assert layer.caret_at(page, 20, (y0 + y1) / 2) == start, needle


def test_caret_on_missing_or_empty_pages_is_none() -> None:
    layer = build_layer(pdfgen.letter_bytes(3))
    assert layer.caret_at(3, 100, 100) is None
    scan = build_layer(pdfgen.image_only_bytes())
    assert scan.text == ""
    assert scan.pages_done == 2
    assert scan.caret_at(0, 100, 100) is None
    assert scan.line_rects(0, 10) == []


def test_line_rects_across_lines_and_pages() -> None:
    layer = build_layer(pdfgen.letter_bytes(3))
    p0_start, p0_end = layer.page_range(0)
    p1_start, _ = layer.page_range(1)
    rects = layer.line_rects(p0_end - 20, p1_start + 20)
    assert {page for page, _ in rects} == {0, 1}
    assert [page for page, _ in rects] == sorted(page for page, _ in rects)
    two_lines = layer.line_rects(p0_start, layer.line_span(p0_start)[1] + 5)
    assert len(two_lines) == 2
    assert two_lines[0][1][3] <= two_lines[1][1][1] + EPS  # first above second
    assert layer.line_rects(10, 10) == []
    assert layer.line_rects(10, 5) == []
    assert layer.line_rects(len(layer) - 3, len(layer) + 50)  # clamped, not an error


def test_plain_text_layer_has_no_geometry() -> None:
    layer = TextLayer.from_plain_text("line one\nline two")
    assert not layer.has_geometry
    assert layer.line_rects(0, 5) == []
    assert layer.caret_at(0, 10, 10) is None
    assert layer.page_of(12) == 0
    assert layer.line_span(12) == (9, 17)


def test_pages_must_be_added_in_order() -> None:
    doc = open_bytes(pdfgen.letter_bytes(3))
    layer = TextLayer(3)
    with pytest.raises(ValueError, match="in order"):
        layer.add_page(pdf.extract_page(doc, 1))
    layer.add_page(pdf.extract_page(doc, 0))
    assert not layer.complete
    doc.close()


def test_offsets_of_earlier_pages_never_move() -> None:
    doc = open_bytes(pdfgen.letter_bytes(3))
    layer = TextLayer(3)
    layer.add_page(pdf.extract_page(doc, 0))
    first_text, first_sha = layer.text, layer.sha256()
    layer.add_page(pdf.extract_page(doc, 1))
    layer.add_page(pdf.extract_page(doc, 2))
    assert layer.complete
    assert layer.text.startswith(first_text)
    assert layer.sha256() != first_sha
    assert layer.page_starts[1] == len(first_text)
    doc.close()


# --------------------------------------------------------------------------- selection
@pytest.mark.parametrize(
    ("text", "start", "end", "expected"),
    [
        ("   \n\t ", 0, 6, None),  # whitespace only
        ("", 0, 0, None),  # empty text
        ("low back pain", 5, 5, None),  # empty selection
        ("low back pain", 5, 7, (4, 8)),  # inside one word: whole word
        ("low back pain", 2, 6, (0, 8)),  # across words: both whole
        ("low back pain", 7, 2, (0, 8)),  # reversed
        ("low back pain", -5, 99, (0, 13)),  # clamped to the text
        ("low back pain", 0, 1, (0, 3)),  # start of text
        ("low back pain", 12, 13, (9, 13)),  # end of text
        ("  back  ", 0, 8, (2, 6)),  # surrounding whitespace dropped
        ("pain, upheld", 4, 5, (4, 5)),  # punctuation alone stays
        ("pain, upheld", 3, 6, (0, 5)),  # word + comma + space
        ("(MTUS)", 0, 6, (0, 6)),
        ("Notes 😀 here", 6, 7, (6, 7)),  # an emoji alone
        ("Notes 😀 here", 2, 7, (0, 7)),
        ("über Zürich", 1, 2, (0, 4)),  # non-ASCII letters are word letters
        ("L4-L5", 1, 2, (0, 2)),  # hyphen splits words
    ],
)
def test_snap_to_words(text: str, start: int, end: int, expected: tuple[int, int] | None) -> None:
    assert snap_to_words(text, start, end) == expected


def test_snap_keeps_decomposed_accents_with_their_letters() -> None:
    text = "cafe\u0301 noir"  # "café" with a combining acute accent (NFD, e.g. from macOS)
    assert snap_to_words(text, 0, 2) == (0, 5)
    assert snap_to_words(text, 5, 8) == (6, 10)


@pytest.mark.parametrize(("start", "end"), [(2, 3), (3, 4), (2, 4)])
def test_snap_never_cuts_an_emoji_sequence(start: int, end: int) -> None:
    text = "x 👍🏽 y"
    assert snap_to_words(text, start, end) == (2, 4)
    assert word_at(text, start) == (2, 4)


@pytest.mark.parametrize(
    ("text", "offset", "expected"),
    [
        ("", 0, None),
        ("   ", 1, None),  # whitespace only
        ("low back", 0, (0, 3)),  # start of text
        ("low back", 8, (4, 8)),  # end of text (caret after the last letter)
        ("low back", 99, (4, 8)),  # past the end: clamped
        ("low back", -3, (0, 3)),
        ("low back", 3, (0, 3)),  # just after a word: that word
        ("low  back", 4, None),  # between two spaces
        ("pain, upheld", 4, (0, 4)),  # caret right after a word: the word
        ("pain , upheld", 5, (5, 6)),  # a punctuation mark on its own
        ("a (b)", 2, (2, 3)),
        ("Notes 😀 here", 6, (6, 7)),  # an emoji
        ("ok 😀😀", 4, (4, 5)),  # one of two emoji
        ("über Zürich", 7, (5, 11)),
    ],
)
def test_word_at(text: str, offset: int, expected: tuple[int, int] | None) -> None:
    assert word_at(text, offset) == expected


@pytest.mark.parametrize(
    "cluster",
    [
        "e\u0301",  # letter + combining accent
        "👍🏽",  # emoji + skin-tone modifier
        "❤️",  # heart + variation selector 16
        "👩\u200d⚕️",  # ZWJ sequence: health worker
    ],
)
def test_word_at_never_splits_a_character_the_user_sees_as_one(cluster: str) -> None:
    text = f"x {cluster} y"
    span = word_at(text, 2)
    assert span is not None
    assert text[span[0] : span[1]].strip(" xy") == cluster


@pytest.mark.parametrize(
    ("text", "offset", "expected"),
    [
        ("first line\nsecond line\n", 13, (11, 22)),
        ("first line\nsecond line\n", 0, (0, 10)),  # start of text
        ("first line\nsecond line", 22, (11, 22)),  # end of text
        ("first line\nsecond line\n", 10, (0, 10)),  # on the newline: its own line
        ("first\n   \nthird", 7, None),  # whitespace-only line
        ("first\n\nthird", 6, None),  # empty line
        ("  padded line  \n", 3, (2, 13)),  # surrounding whitespace dropped
        ("😀 emoji line", 0, (0, 12)),
        ("", 0, None),
    ],
)
def test_line_at(text: str, offset: int, expected: tuple[int, int] | None) -> None:
    assert line_at(text, offset) == expected


@pytest.mark.parametrize("name", sorted(pdfgen.TEXT_PDFS))
def test_pdf_text_equals_page_text_of_every_page(name: str) -> None:
    # the import's direct MuPDF path (or its fallback, for the rotated pages) must make
    # exactly the text the GUI gets page by page
    data = pdfgen.TEXT_PDFS[name]()
    doc = open_bytes(data)
    try:
        expected = "".join(pdf.extract_page(doc, i).text for i in range(doc.page_count))
        count = doc.page_count
    finally:
        doc.close()
    assert pdf.pdf_text(data, name) == (count, expected)
    assert (pdf._plain_text(data) is None) == (name == "rotated")


def test_pdf_text_raises_what_open_pdf_raises() -> None:
    from imr_desktop.core.errors import DocumentError, PasswordRequired

    with pytest.raises(PasswordRequired):
        pdf.pdf_text(pdfgen.encrypted_bytes(), "e.pdf")
    for data in (pdfgen.truncated_bytes(), pdfgen.corrupt_bytes(), b"", b"hello"):
        with pytest.raises(DocumentError) as caught:
            pdf.pdf_text(data, "x.pdf")
        with pytest.raises(DocumentError) as expected:
            pdf.open_pdf(data, "x.pdf")
        assert caught.value.message == expected.value.message


@pytest.mark.corpus
def test_pdf_text_on_real_letters(corpus_dir: Path) -> None:
    paths = sorted((corpus_dir / "letters").glob("*.pdf"))
    assert paths
    for path in paths:
        data = path.read_bytes()
        doc = pdf.open_pdf(data, path.name)
        try:
            expected = "".join(pdf.page_text(doc, i) for i in range(doc.page_count))
            count = doc.page_count
        finally:
            doc.close()
        assert pdf.pdf_text(data, path.name) == (count, expected), path.name
