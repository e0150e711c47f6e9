"""Re-anchoring annotations after the canonical text changed (issue 7, item 5).

Texts are letter-like and generated with a seed (no corpus needed); edits are applied
with an offset map so every test knows where each quote truly is in the new text.
"""

from __future__ import annotations

import hashlib
import random
import sqlite3
from pathlib import Path

import pytest

from imr_desktop.core import anchoring
from imr_desktop.core.anchoring import (
    EXACT,
    FUZZY,
    MOVED,
    ORPHAN,
    apply_reanchoring,
    normalize,
    orphans,
    reanchor,
)
from imr_desktop.core.errors import ReadOnlyStoreError, StoreError
from imr_desktop.core.model import Annotation, DocumentRecord
from imr_desktop.core.store import MIGRATIONS, SCHEMA_VERSION, Store

# --------------------------------------------------------------------------- texts
_PARTS = ["lumbar spine", "cervical spine", "left shoulder", "right knee", "both wrists"]
_DRUGS = ["Norco 10/325mg", "Gabapentin 600mg", "Lidoderm 5% patch", "Tramadol 50mg"]
_SERVICES = [
    "physical therapy",
    "acupuncture",
    "an MRI of the {part}",
    "chiropractic manipulation",
    "an epidural steroid injection",
]
_SENTENCES = [
    "The injured worker is a {age} year old {sex} who sustained an industrial injury on {date}.",
    "The injured worker reported {pain}/10 pain in the {part} radiating to the {side} leg.",
    "Treatment to date has included {drug}, {n} sessions of {service} and home exercise.",
    "Physical examination of the {part} revealed tenderness, spasm and a decreased range "
    "of motion by {n} degrees.",
    "The request for {service} was denied by utilization review on {date}.",
    "The documentation does not show objective functional improvement after {n} sessions.",
    "Guidelines recommend {n} visits over {w} weeks with evidence of functional gains.",
    "There is no documentation of a failed trial of {drug} or of its side effects.",
    "An MRI of the {part} dated {date} showed a {mm} mm disc protrusion at L{level}.",
]
BOILERPLATE = (
    "Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): Physical medicine."
)


def _fill(rng: random.Random, template: str) -> str:
    return template.format(
        age=rng.randint(25, 70),
        sex=rng.choice(["male", "female"]),
        date=f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/20{rng.randint(10, 16)}",
        pain=rng.randint(3, 9),
        part=rng.choice(_PARTS),
        side=rng.choice(["left", "right"]),
        drug=rng.choice(_DRUGS),
        n=rng.randint(2, 24),
        w=rng.randint(2, 8),
        mm=rng.randint(2, 7),
        level=rng.randint(1, 5),
        service=rng.choice(_SERVICES).format(part=rng.choice(_PARTS)),
    )


def _wrap(text: str, width: int) -> str:
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\n".join(lines)


def letter_text(length: int, seed: int = 1) -> str:
    """About ``length`` characters of an IMR-like letter: wrapped lines, paragraphs, and
    the repeated decision boilerplate of real letters."""
    rng = random.Random(seed)
    paragraphs: list[str] = []
    size = item = 0
    while size < length:
        if rng.random() < 0.2:
            item += 1
            para = f"Item {item}: {_fill(rng, '{service}')} is not medically necessary. "
            para += BOILERPLATE
        else:
            para = " ".join(_fill(rng, rng.choice(_SENTENCES)) for _ in range(rng.randint(2, 5)))
        paragraphs.append(_wrap(para, 80))
        size += len(paragraphs[-1]) + 2
    return "\n\n".join(paragraphs)[:length]


def annotate(text: str, start: int, end: int) -> Annotation:
    return Annotation.create(
        document="d" * 64, text=text, start=start, end=end, label_id="label", annotator="t"
    )


def annotate_quote(text: str, quote: str, occurrence: int = 0) -> Annotation:
    """An annotation on the ``occurrence``-th copy of ``quote`` in ``text``."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    return annotate(text, start, start + len(quote))


def word_spans(text: str, count: int, seed: int = 2) -> list[Annotation]:
    """``count`` annotations on whole words (1 to 30 words long) spread over ``text``."""
    rng = random.Random(seed)
    words = [
        i for i in range(len(text)) if (i == 0 or text[i - 1].isspace()) and not text[i].isspace()
    ]
    out = []
    for _ in range(count):
        first = rng.randrange(len(words) - 31)
        end = words[first + rng.choice([1, 1, 2, 3, 5, 8, 13, 30])]
        while text[end - 1].isspace():
            end -= 1
        out.append(annotate(text, words[first], end))
    return out


Edit = tuple[int, int, str]  # (position, characters deleted, text inserted)


def apply_edits(text: str, edits: list[Edit]) -> tuple[str, list[int | None]]:
    """The edited text and, per old character, its new offset (None when deleted)."""
    out: list[str] = []
    where: list[int | None] = [None] * len(text)
    pos = new_pos = 0
    for at, deleted, inserted in sorted(edits):
        assert at >= pos, "edits overlap"
        for i in range(pos, at):
            where[i] = new_pos
            new_pos += 1
        out += [text[pos:at], inserted]
        new_pos += len(inserted)
        pos = at + deleted
    for i in range(pos, len(text)):
        where[i] = new_pos
        new_pos += 1
    out.append(text[pos:])
    return "".join(out), where


def ocr_edits(text: str, seed: int = 3, rate: float = 0.03) -> list[Edit]:
    """Noise like a poor OCR run: m→rn, l→1, O→0, dropped and wrong letters."""
    rng = random.Random(seed)
    edits: list[Edit] = []
    for i, ch in enumerate(text):
        r = rng.random()
        if ch == "m" and r < 0.15:
            edits.append((i, 1, "rn"))
        elif ch == "l" and r < 0.15:
            edits.append((i, 1, "1"))
        elif ch == "O" and r < 0.3:
            edits.append((i, 1, "0"))
        elif r < rate / 2:
            edits.append((i, 1, ""))
        elif r < rate and ch.isalpha():
            edits.append((i, 1, rng.choice("aeiounrc")))
    return edits


def reflow(text: str, width: int = 60) -> str:
    """The same words with the line breaks moved and doubled spaces after sentences."""
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n")]
    return "\n\n".join(_wrap(p, width).replace(". ", ".  ") for p in paragraphs)


def squash(text: str) -> str:
    return " ".join(text.split())


def truth(ann: Annotation, where: list[int | None]) -> tuple[int, int] | None:
    """Where the annotated characters are in the edited text (None if any was deleted)."""
    spots = where[ann.start : ann.end]
    if any(s is None for s in spots):
        return None
    return spots[0], spots[-1] + 1  # type: ignore[operator]


# --------------------------------------------------------------------------- algorithm
def _edit_distance_rows(pattern: str, text: str, anchored: bool) -> list[int]:
    """Last DP row by the textbook recurrence, to check the bit-parallel one."""
    prev = [j if anchored else 0 for j in range(len(text) + 1)]
    for i, p in enumerate(pattern, 1):
        cur = [i] + [0] * len(text)
        for j, t in enumerate(text, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (p != t))
        prev = cur
    return prev


def test_bit_parallel_edit_distance_agrees_with_the_textbook_recurrence() -> None:
    rng = random.Random(5)
    for _ in range(500):
        pattern = "".join(rng.choice("abc") for _ in range(rng.randint(1, 70)))
        text = "".join(rng.choice("abcd") for _ in range(rng.randint(1, 90)))
        for anchored in (False, True):
            vp, vn = anchoring._last_row(pattern, anchoring._masks(text), len(text), anchored)
            expected = _edit_distance_rows(pattern, text, anchored)
            limit = len(pattern)
            got = dict(anchoring._row_values(len(pattern), vp, vn, len(text), limit))
            assert got == {j: v for j, v in enumerate(expected) if j and v <= limit}


def test_context_distance_agrees_with_the_textbook_recurrence() -> None:
    rng = random.Random(6)
    for _ in range(500):
        pattern = "".join(rng.choice("abc") for _ in range(rng.randint(1, 40)))
        text = "".join(rng.choice("abcd") for _ in range(rng.randint(0, 60)))
        got = anchoring._end_distance(anchoring._masks(pattern), len(pattern), text)
        assert got == _edit_distance_rows(pattern, text, anchored=False)[-1]


def test_normalize_maps_every_character_back() -> None:
    text = "The  ﬁnal\n determination \u2014 it\u2019s  upheld\u00ad."
    norm, offsets = normalize(text)
    assert norm == "The final determination - it's upheld."
    assert len(offsets) == len(norm)
    assert offsets == sorted(offsets)
    assert text[offsets[norm.index("final")]] == "ﬁ"  # the ligature expands to two
    assert text[offsets[norm.index("determination")]] == "d"


# --------------------------------------------------------------------------- placing
TEXT = letter_text(12_000)


def test_unchanged_text_keeps_every_annotation_as_it_is() -> None:
    anns = word_spans(TEXT, 200)
    results = reanchor(anns, TEXT, old_text=TEXT)
    assert [r.status for r in results] == [EXACT] * 200
    assert all(
        r.annotation is a and r.confidence == 1.0 for r, a in zip(results, anns, strict=True)
    )


@pytest.mark.parametrize("old_text_known", [True, False])
def test_insertions_shift_annotations_to_the_same_words(old_text_known: bool) -> None:
    anns = word_spans(TEXT, 200)
    rng = random.Random(11)
    edits = [(0, 0, "REVISED LETTER\n\n")] + [
        (p, 0, " The reviewer also read the supplemental report.")
        for p in sorted(rng.sample(range(1, len(TEXT)), 15))
    ]
    new, where = apply_edits(TEXT, edits)
    results = reanchor(anns, new, old_text=TEXT if old_text_known else None)
    placed = 0
    for a, r in zip(anns, results, strict=True):
        spot = truth(a, where)
        if r.placed:
            placed += 1
            assert r.annotation.exact == new[r.annotation.start : r.annotation.end]
            if spot and new[spot[0] : spot[1]] == a.exact:
                assert (r.annotation.start, r.annotation.end) == spot, a.exact
                assert r.status in (EXACT, MOVED)
    # only annotations with an insertion inside them, or right beside a short quote,
    # may become orphans
    assert placed >= 185


def test_deletions_orphan_what_was_deleted_and_move_the_rest() -> None:
    anns = word_spans(TEXT, 200)
    rng = random.Random(12)
    starts = sorted(rng.sample(range(0, len(TEXT) - 400, 400), 10))
    new, where = apply_edits(TEXT, [(s, rng.randint(20, 300), "") for s in starts])
    results = reanchor(anns, new, old_text=TEXT)
    deleted = 0
    for a, r in zip(anns, results, strict=True):
        spot = truth(a, where)
        if spot is None and all(w is None for w in where[a.start : a.end]):
            deleted += 1
            assert r.status == ORPHAN, f"{a.exact!r} was deleted but placed"
            assert r.annotation is a
        elif spot and new[spot[0] : spot[1]] == a.exact and r.placed:
            assert (r.annotation.start, r.annotation.end) == spot, a.exact
    assert deleted >= 5  # the scenario does delete quotes
    intact = [
        (a, r)
        for a, r in zip(anns, results, strict=True)
        if (s := truth(a, where)) and new[s[0] : s[1]] == a.exact
    ]
    assert sum(r.placed for _, r in intact) >= 0.95 * len(intact)


def test_reflowed_whitespace_reanchors_exactly() -> None:
    anns = word_spans(TEXT, 300)
    new = reflow(TEXT)
    assert new != TEXT and squash(new) == squash(TEXT)
    results = reanchor(anns, new, old_text=TEXT)
    for a, r in zip(anns, results, strict=True):
        assert r.status in (EXACT, MOVED), (a.exact, r)
        b = r.annotation
        assert squash(b.exact) == squash(a.exact)
        # exactly the same words: no neighbouring character pulled in or cut off
        assert not new[b.start].isspace() and not new[b.end - 1].isspace()
        assert b.start == 0 or not new[b.start - 1].isalnum()
        assert b.end == len(new) or not new[b.end].isalnum()


def test_reflow_without_the_old_text_also_reanchors_exactly() -> None:
    anns = word_spans(TEXT, 100)
    results = reanchor(anns, reflow(TEXT, width=50))
    assert all(r.status in (EXACT, MOVED) for r in results)
    assert all(
        squash(r.annotation.exact) == squash(a.exact) for r, a in zip(results, anns, strict=True)
    )


def test_ocr_substitutions_are_found_approximately() -> None:
    old = (
        "Treatment to date has included medications. The claimant was prescribed "
        "Gabapentin 600mg for neuropathic pain in the lumbar spine. Physical therapy "
        "was completed with limited benefit."
    )
    new = (
        "Treatrnent to date has inc1uded medications. The c1aimant was prescribed "
        "Gabapentin 600rng for neuropatic pain in the 1umbar spine. Physica1 therapy "
        "was cornpleted with limited benefit."
    )
    ann = annotate_quote(old, "prescribed Gabapentin 600mg for neuropathic pain")
    (r,) = reanchor([ann], new, old_text=old)
    assert r.status == FUZZY
    assert r.annotation.exact == "prescribed Gabapentin 600rng for neuropatic pain"
    assert 0.7 <= r.confidence < 1.0
    assert r.annotation.prefix == new[max(0, r.annotation.start - 32) : r.annotation.start]


def test_ocr_noise_over_a_whole_letter() -> None:
    anns = [a for a in word_spans(TEXT, 300) if len(a.exact) >= 12]
    new, where = apply_edits(TEXT, ocr_edits(TEXT))
    results = reanchor(anns, new, old_text=TEXT)
    placed = [(a, r) for a, r in zip(anns, results, strict=True) if r.placed]
    assert len(placed) >= 0.9 * len(anns)
    for a, r in placed:
        first = next(w for w in where[a.start : a.end] if w is not None)
        last = next(w for w in reversed(where[a.start : a.end]) if w is not None)
        # on the noisy copy of the quote, give or take a noisy character at either end
        assert abs(r.annotation.start - first) <= 2 and abs(r.annotation.end - last - 1) <= 2, (
            a.exact,
            r.annotation.exact,
        )


@pytest.mark.parametrize("old_text_known", [True, False])
def test_repeated_phrase_context_picks_the_right_copy(old_text_known: bool) -> None:
    a = "Item 1: acupuncture for the lumbar spine is not medically necessary. "
    b = "Item 2: an MRI of the right knee is not medically necessary. "
    c = "Item 3: physical therapy for the left shoulder is upheld."
    old = a + b + c
    ann = annotate_quote(old, "is not medically necessary", occurrence=1)  # in item 2
    # Item 1 grew: now *its* copy of the phrase sits exactly at the stored offsets
    growth = ann.start - a.index("is not")
    grown = a.replace("acupuncture", "acupuncture, " + "x" * (growth - 3) + ",")
    new = grown + b + c
    assert new[ann.start : ann.end] == ann.exact
    (r,) = reanchor([ann], new, old_text=old if old_text_known else None)
    assert r.status == MOVED
    assert r.annotation.start == len(grown) + b.index("is not")
    assert r.annotation.suffix.startswith(". Item 3")


def test_a_quote_deleted_entirely_is_an_orphan_not_moved_onto_other_text() -> None:
    old = (
        "The request for acupuncture was denied on 01/02/2016. The injured worker "
        "reported 7/10 pain in the lumbar spine. The request for an MRI was denied on "
        "03/04/2016. Guidelines recommend six visits."
    )
    sentence = "The injured worker reported 7/10 pain in the lumbar spine. "
    long = annotate_quote(old, "reported 7/10 pain in the lumbar spine")
    short = annotate_quote(old, "denied", occurrence=0)
    new = old.replace(sentence, "").replace("acupuncture was denied on 01/02/2016", "X")
    results = reanchor([long, short], new, old_text=old)
    for ann, r in zip([long, short], results, strict=True):
        assert r.status == ORPHAN
        assert r.annotation is ann  # kept as it was, for the user to re-attach
    # without the old text too
    assert [r.status for r in reanchor([long, short], new)] == [ORPHAN, ORPHAN]


def test_deleted_boilerplate_copy_is_not_moved_onto_another_copy() -> None:
    items = [
        f"Item {i}: {service} is not medically necessary. {BOILERPLATE}"
        for i, service in enumerate(["Acupuncture", "Massage", "Aquatic therapy"], 1)
    ]
    old = "\n\n".join(items)
    ann = annotate_quote(old, "Physical medicine", occurrence=1)  # item 2's boilerplate
    new = "\n\n".join([items[0], items[2]])
    (r,) = reanchor([ann], new, old_text=old)
    assert r.status == ORPHAN
    # all three kept, item 1 rewritten: the copy of the same rank is item 2's
    rewritten = "\n\n".join([items[0].replace("Acupuncture", "Acupuncture, 12 visits"), *items[1:]])
    (r2,) = reanchor([ann], rewritten, old_text=old)
    item2 = rewritten.index("Item 2")
    assert r2.placed and r2.annotation.start == rewritten.index("Physical medicine", item2)


def test_a_word_inserted_inside_a_quote_is_a_fuzzy_match_covering_it() -> None:
    old = TEXT[:2000] + " The documentation does not show objective functional improvement. "
    ann = annotate_quote(old, "documentation does not show objective functional improvement")
    new = old.replace("does not show", "does not clearly show")
    (r,) = reanchor([ann], new, old_text=old)
    assert r.status == FUZZY
    assert (
        r.annotation.exact == "documentation does not clearly show objective functional improvement"
    )


def test_typography_changes_between_extractors_reanchor_as_the_same_text() -> None:
    old = "Upheld \u2014 the reviewer\u2019s final decision on the ﬁle review is upheld."
    new = "Upheld - the reviewer's final decision on the file review is upheld."
    ann = annotate_quote(old, "reviewer\u2019s final decision on the ﬁle review")
    (r,) = reanchor([ann], new)
    assert r.status == MOVED
    assert r.annotation.exact == "reviewer's final decision on the file review"


def test_orphan_offers_the_place_it_rejected_as_a_suggestion() -> None:
    old = "The utilization reviewer wrote that the request is denied for lack of evidence."
    ann = annotate_quote(old, "denied")
    new = "Summary table. Acupuncture: denied (see the rationale below). End of table."
    (r,) = reanchor([ann], new, old_text=old)
    assert r.status == ORPHAN and r.annotation is ann
    assert r.suggestion is not None
    assert new[r.suggestion[0] : r.suggestion[1]] == "denied"
    assert 0 < r.confidence < anchoring.ACCEPT


def test_results_follow_the_input_order() -> None:
    anns = word_spans(TEXT, 50)
    shuffled = anns[::-1]
    results = reanchor(shuffled, "NEW LINE\n" + TEXT, old_text=TEXT)
    assert [r.annotation.id for r in results] == [a.id for a in shuffled]


def test_empty_new_text_orphans_everything() -> None:
    anns = word_spans(TEXT, 20)
    results = reanchor(anns, "", old_text=TEXT)
    assert [r.status for r in results] == [ORPHAN] * 20


# --------------------------------------------------------------------------- the store
SHA = "a" * 64


def _store_with_letter(tmp_path: Path, text: str) -> tuple[Store, list[Annotation]]:
    store = Store.open(tmp_path / "db.sqlite")
    store.upsert_document(
        DocumentRecord(
            sha256=SHA,
            path="letter.pdf",
            kind="pdf",
            page_count=2,
            size=1,
            text=text,
            text_sha256=hashlib.sha256(text.encode()).hexdigest(),
            extractor_version="v1",
        )
    )
    label = store.labels()[0]
    anns = []
    for quote in ("reported", "is not medically necessary", "Guidelines recommend"):
        a = annotate_quote(text, quote)
        a = Annotation.create(
            document=SHA, text=text, start=a.start, end=a.end, label_id=label.id, annotator="t"
        )
        store.add_annotation(a)
        anns.append(a)
    return store, anns


LETTER = (
    "The injured worker reported 6/10 pain. Item 1: acupuncture is not medically necessary. "
    "Guidelines recommend six visits over two weeks."
)


def _anchor_columns(store: Store, ann_id: str) -> tuple[str | None, float | None, str]:
    return store.db.execute(
        "SELECT anchor_status, anchor_confidence, updated_at FROM annotations WHERE id = ?",
        [ann_id],
    ).fetchone()


def test_apply_reanchoring_updates_annotations_and_document_together(tmp_path: Path) -> None:
    store, (reported, necessary, _) = _store_with_letter(tmp_path, LETTER)
    new = "REVISED\n" + LETTER.replace("The injured worker reported 6/10 pain. ", "")
    results = apply_reanchoring(store, SHA, new, "f" * 64, "v2")
    assert [r.status for r in results] == [ORPHAN, MOVED, MOVED]
    doc = store.document(SHA)
    assert doc is not None and (doc.text, doc.text_sha256, doc.extractor_version) == (
        new,
        "f" * 64,
        "v2",
    )
    moved = store.annotation(necessary.id)
    assert moved is not None and new[moved.start : moved.end] == "is not medically necessary"
    assert moved.prefix == new[max(0, moved.start - 32) : moved.start]
    status, confidence, _ = _anchor_columns(store, necessary.id)
    assert status is None and 0.7 <= confidence <= 1.0
    # the orphan keeps its quote and old offsets, marked for the side panel
    assert _anchor_columns(store, reported.id)[0] == "orphan"
    orphan = store.annotation(reported.id)
    assert orphan is not None and (orphan.start, orphan.exact) == (reported.start, "reported")
    assert [a.id for a in orphans(store, SHA)] == [reported.id]
    store.close()


def test_reapplying_the_old_text_places_earlier_orphans_again(tmp_path: Path) -> None:
    store, (reported, *_rest) = _store_with_letter(tmp_path, LETTER)
    apply_reanchoring(store, SHA, LETTER.replace("reported", "said"), "b" * 64, "v2")
    assert [a.id for a in orphans(store, SHA)] == [reported.id]
    apply_reanchoring(store, SHA, LETTER, "c" * 64, "v3")
    assert orphans(store, SHA) == []
    assert _anchor_columns(store, reported.id)[0] is None
    store.close()


def test_unchanged_rows_keep_their_updated_at(tmp_path: Path) -> None:
    store, anns = _store_with_letter(tmp_path, LETTER)
    before = [_anchor_columns(store, a.id)[2] for a in anns]
    apply_reanchoring(store, SHA, LETTER, "d" * 64, "v1b")
    assert [_anchor_columns(store, a.id)[2] for a in anns] == before  # merges stay quiet
    store.close()


def test_a_failed_write_leaves_annotations_and_document_untouched(tmp_path: Path) -> None:
    store, anns = _store_with_letter(tmp_path, LETTER)
    # the document update is the last statement of the transaction: make it fail
    store.db.execute(
        "CREATE TRIGGER fail_doc BEFORE UPDATE ON documents "
        "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
    )
    with pytest.raises(StoreError):
        apply_reanchoring(store, SHA, "PREFIX " + LETTER, "e" * 64, "v2")
    assert [store.annotation(a.id) for a in anns] == anns
    assert all(_anchor_columns(store, a.id)[1] is None for a in anns)
    doc = store.document(SHA)
    assert doc is not None and doc.text == LETTER
    store.close()


def test_read_only_store_refuses_and_changes_nothing(tmp_path: Path) -> None:
    store, anns = _store_with_letter(tmp_path, LETTER)
    store.close()
    ro = Store.open(tmp_path / "db.sqlite", read_only=True)
    with pytest.raises(ReadOnlyStoreError):
        apply_reanchoring(ro, SHA, "PREFIX " + LETTER, "e" * 64, "v2")
    assert [ro.annotation(a.id) for a in anns] == anns
    ro.close()


def test_unknown_document_is_a_clear_error(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "db.sqlite")
    with pytest.raises(StoreError, match="not in the database"):
        apply_reanchoring(store, "0" * 64, "text", "1" * 64, "v1")
    store.close()


def test_migration_adds_anchor_columns_to_a_version_1_database(tmp_path: Path) -> None:
    from sqlite_utils import Database

    path = tmp_path / "v1.sqlite"
    db = Database(sqlite3.connect(path))
    MIGRATIONS[0](db)
    db.execute("PRAGMA user_version=1")
    db.conn.commit()
    db.conn.close()
    store = Store.open(path)
    assert store.schema_version == SCHEMA_VERSION >= 2
    columns = {c.name: c.type for c in store.db["annotations"].columns}
    assert columns["anchor_status"] == "TEXT" and columns["anchor_confidence"] == "REAL"
    store.close()
