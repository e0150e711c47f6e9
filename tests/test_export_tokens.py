"""Our spaCy tokens: every span edge is a token boundary, and the check that tells which
spans spaCy's own tokenizer would not align agrees with that tokenizer on the whole text."""

from __future__ import annotations

import random

import pytest

from imr_desktop.core.exports.tokens import words_and_spaces

SAMPLES = (
    "Tramadol 50mg #60: Upheld.\n\nDr. Smith saw  on 01/26/14 (CM16-0219557).",
    " leading space, trailing  \n",
    "a  b\nc \n d. Hello  \n\tTabs\u00a0nbsp don't U.S. e-mail 😀 Café",
    "",
)


def _random_spans(text: str, rng: random.Random, n: int = 40) -> list[tuple[int, int]]:
    spans = []
    for _ in range(n):
        if len(text) < 2:
            break
        a = rng.randrange(len(text))
        b = rng.randrange(a + 1, min(len(text), a + 30) + 1)
        spans.append((a, b))
    return spans


@pytest.mark.parametrize("text", SAMPLES)
def test_words_and_spaces_rebuild_the_text_with_every_edge_a_boundary(text: str) -> None:
    rng = random.Random(7)
    for _ in range(20):
        spans = _random_spans(text, rng, rng.randrange(0, 6))
        starts, ends = {a for a, _ in spans}, {b for _, b in spans}
        offsets, words, spaces = words_and_spaces(text, starts, ends)
        rebuilt = "".join(w + (" " if sp else "") for w, sp in zip(words, spaces, strict=True))
        assert rebuilt == text
        assert all(w and text[o : o + len(w)] == w for o, w in zip(offsets, words, strict=True))
        assert starts <= set(offsets)
        assert ends <= {o + len(w) for o, w in zip(offsets, words, strict=True)}


def test_spans_at_words_keep_spacys_whitespace_convention() -> None:
    spacy = pytest.importorskip("spacy")
    text = "He saw  the doctor.\nTwice \n then"
    _offsets, words, spaces = words_and_spaces(text, {3}, {6})
    doc = spacy.blank("en").make_doc(text)
    ours = list(zip(words, spaces, strict=True))
    theirs = [(t.text, bool(t.whitespace_)) for t in doc]
    # the same whitespace tokens as spaCy ("  " -> trailing space + " "; " \n " -> "\n ")
    assert [w for w in ours if w[0].isspace()] == [w for w in theirs if w[0].isspace()]
    assert [sp for w, sp in ours if w in ("saw", "Twice")] == [True, True]


@pytest.mark.parametrize("text", SAMPLES[:3])
def test_spacy_alignment_check_agrees_with_spacy_on_the_whole_text(text: str) -> None:
    spacy = pytest.importorskip("spacy")
    from imr_desktop.core.exports.spacy_format import SpacyBoundaries

    nlp = spacy.blank("en")
    doc = nlp.make_doc(text)
    check = SpacyBoundaries(nlp.tokenizer)
    rng = random.Random(11)
    spans = _random_spans(text, rng, 400)
    disagree = [
        (a, b)
        for a, b in spans
        if check.aligned(text, a, b) != (doc.char_span(a, b, alignment_mode="strict") is not None)
    ]
    assert disagree == []
    assert any(check.aligned(text, a, b) for a, b in spans)
    assert not all(check.aligned(text, a, b) for a, b in spans)
