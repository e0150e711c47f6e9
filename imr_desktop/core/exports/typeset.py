"""Plain-text letters laid out on PDF pages, with the geometry of every character.

The layout is ours (fixed-pitch Courier, greedy wrapping at spaces), so the character
boxes are known exactly and a ``TextLayer`` is built from them: highlights on a typeset
letter use the same code as on a PDF. Every character of the text, newlines included,
keeps its offset; a wrap adds no character.
"""

from __future__ import annotations

import pymupdf

from imr_desktop.core.pdf import PageChars
from imr_desktop.core.textlayer import TextLayer

FONT_SIZE = 10.0
LEADING = 12.5
MARGIN = 54.0


_Page = tuple[int, int, list[float], list[tuple[int, int]], list[tuple[float, int, int]]]


def _drawable(c: str) -> str:
    return " " if c.isspace() or not c.isprintable() else c


def typeset(doc: pymupdf.Document, text: str) -> TextLayer:
    """Append pages holding ``text`` to ``doc``; return their character geometry."""
    font = pymupdf.Font("cour")
    width, height = pymupdf.paper_size("letter")
    right = width - MARGIN
    ascent, descent = font.ascender * FONT_SIZE, font.descender * FONT_SIZE
    pitch = font.text_length(" ", FONT_SIZE)
    # per page: start, stop, char boxes, (start, end) lines, (baseline, start, end) runs
    pages: list[_Page] = []

    def new_page(start: int) -> None:
        pages.append((start, start, [], [], []))

    pos = 0
    new_page(0)
    y = MARGIN + ascent
    for raw_line in text.split("\n"):
        line_start = pos
        segments: list[tuple[int, int]] = []
        # greedy wrap: break after the last space that fits, else hard-break the word
        s = line_start
        end = line_start + len(raw_line)
        while True:
            max_chars = int((right - MARGIN) // pitch)
            if end - s <= max_chars:
                segments.append((s, end))
                break
            cut = text.rfind(" ", s, s + max_chars)
            cut = cut + 1 if cut > s else s + max_chars
            segments.append((s, cut))
            s = cut
        for i, (s, e) in enumerate(segments):
            if y - descent > height - MARGIN and pages[-1][3]:
                page_start = s
                _close(pages, s)
                new_page(page_start)
                y = MARGIN + ascent
            _, _, boxes, lines, runs = pages[-1]
            x = MARGIN
            for k in range(s, e):
                w = font.text_length(_drawable(text[k]), FONT_SIZE) or pitch
                boxes.extend((x, y - ascent, x + w, y - descent))
                x += w
            if e > s:
                lines.append((s, e))
                runs.append((y, s, e))
            last = i == len(segments) - 1
            if last and e < len(text):  # the newline: zero width at the line's end
                boxes.extend((x, y - ascent, x, y - descent))
            y += LEADING
        pos = end + 1
    _close(pages, len(text))

    layer = TextLayer(len(pages))
    for index, (start, stop, boxes, lines, runs) in enumerate(pages):
        page = doc.new_page(width=width, height=height)
        writer = pymupdf.TextWriter(page.rect)
        for baseline, s, e in runs:
            writer.append((MARGIN, baseline), "".join(map(_drawable, text[s:e])), font, FONT_SIZE)
        writer.write_text(page)
        local = tuple((ls - start, le - start) for ls, le in lines)
        layer.add_page(PageChars(index, width, height, text[start:stop], tuple(boxes), local))
    return layer


def _close(pages: list[_Page], stop: int) -> None:
    start, _, boxes, lines, runs = pages[-1]
    pages[-1] = (start, stop, boxes, lines, runs)
