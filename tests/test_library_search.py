"""Search syntax, hit offsets and snippets; the Python hits against FTS5's highlight()."""

from __future__ import annotations

from pathlib import Path

import pytest

from imr_desktop.core.library import search
from imr_desktop.core.library.importer import ImportOptions, import_paths
from imr_desktop.core.library.search import Search, fold, make_snippet
from imr_desktop.core.store import Store


@pytest.mark.parametrize(
    ("typed", "query"),
    [
        ("lumbar MRI", '"lumbar" AND "mri"'),
        ('"medically necessary"', '"medically necessary"'),
        ("CM16-0219557", '"cm16 0219557"'),
        ("gaba*", '"gaba"*'),
        ("g*", '"g"'),  # one character is too short a prefix: the word itself
        ("tramadol -opioid -nsaid", '(("tramadol") NOT "opioid") NOT "nsaid"'),
        ("AND OR NOT NEAR(", '"and" AND "or" AND "not" AND "near"'),
        ('unclosed "quote here', '"unclosed" AND "quote here"'),
        ("Café", '"cafe"'),
        ('he said "x""y"', '"he" AND "said" AND "x" AND "y"'),
        ("", None),
        ("  * - \" ' ", None),
        ("-alone", None),
    ],
)
def test_typed_text_becomes_a_safe_fts_query(typed: str, query: str | None) -> None:
    assert Search.parse(typed).fts_query() == query


def test_only_excluded_words_give_a_not_query() -> None:
    assert Search.parse("-opioid -nsaid").excluded() == '"opioid" OR "nsaid"'
    assert Search.parse("tramadol -opioid").excluded() is None


def test_fold_keeps_one_code_point_for_one() -> None:
    text = "Résumé CAFÉ naïve İstanbul ﬁnal Ω"
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded.startswith("resume cafe naive ")
    assert folded[text.index("İ")] == "i"  # lowers to two code points: its base letter
    assert folded.endswith("ﬁnal ω")


def test_hits_are_whole_tokens_phrases_and_prefixes() -> None:
    text = "Gabapentin, gabapentinoids and pregabapentin.\nMedically\n necessary; not medically."
    s = Search.parse('gabapentin "medically necessary"')
    assert [text[a:b] for a, b in s.hits(text)] == ["Gabapentin", "Medically\n necessary"]
    s = Search.parse("gaba*")
    assert [text[a:b] for a, b in s.hits(text)] == ["Gabapentin", "gabapentinoids"]
    assert Search.parse("tramadol -gabapentin").hits(text) == []


def test_snippet_is_cut_at_spaces_around_the_first_hit() -> None:
    text = ("word " * 40) + "target here\nand " + ("more " * 40)
    start = text.index("target")
    snip = make_snippet(text, [(start, start + 6)], width=60)
    assert snip is not None
    assert snip.start <= start < start + 6 <= snip.end
    assert text[snip.start - 1] == " " and text[snip.end] == " "
    assert snip.text == text[snip.start : snip.end].replace("\n", " ")
    assert snip.more_before and snip.more_after
    assert [snip.text[a:b] for a, b in snip.local_hits()] == ["target"]
    assert make_snippet(text, []) is None


QUERIES = [
    "medically",
    '"medically necessary"',
    "lumbar mri",
    "gaba*",
    "me*",
    "MTUS",
    "ODG guidelines",
    '"low back pain"',
    "upheld -overturned",
    "page*",
    "CM16",
]


def test_python_hits_equal_fts5_highlight_on_the_corpus(corpus_dir: Path, tmp_path: Path) -> None:
    store = Store.open(tmp_path / "lib.sqlite")
    import_paths(store, [corpus_dir], options=ImportOptions(workers=2))
    conn = store.db.conn
    compared = 0
    for typed in QUERIES:
        s = Search.parse(typed)
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT rowid FROM catalog_fts WHERE catalog_fts MATCH ?", [s.fts_query()]
            )
        ]
        assert ids, typed
        ours = search.hits_by_doc(conn, s, ids)
        for doc_id in ids:
            assert ours[doc_id][1] == search.fts_hits(conn, typed, doc_id), (typed, doc_id)
            compared += 1
    assert compared > 500
    store.close()


def test_document_hits_for_the_letter_that_opens(tmp_path: Path) -> None:
    from tests.library_helpers import build_known_library

    store = Store.open(tmp_path / "db" / "lib.sqlite")
    cases = build_known_library(store, tmp_path / "letters")
    sha = cases["CM16-0000002"]
    text = store.document(sha).text
    spans = search.document_hits(store.db.conn, sha, "cafe résumé naive")
    assert [text[a:b] for a, b in spans] == ["Résumé", "CAFÉ", "naïve"]
    assert search.document_hits(store.db.conn, sha, "") == []
    assert search.document_hits(store.db.conn, "0" * 64, "cafe") == []
    store.close()


def test_highlight_markers_are_parsed_or_refused() -> None:
    o, c = "\ufdd0", "\ufdd1"
    assert search.parse_marked(f"a {o}bc{c} d {o}e{c}") == ("a bc d e", [(2, 4), (7, 8)])
    assert search.parse_marked(f"{o}a{o}b{c}") is None
    assert search.parse_marked(f"a{c}") is None
    assert search.parse_marked(f"{o}a") is None


@pytest.mark.parametrize(
    ("text", "unindexed"),
    [
        ("me*", False),  # two characters: the prefix index has them
        ("lumbar me*", False),
        ('"lumbar me*"', False),
        ("med*", True),  # FTS5 merges every term starting with "med"
        ("gaba* me*", True),
        ("g*", False),  # one character is no prefix (the word itself)
        ("medically", False),
    ],
)
def test_which_prefixes_the_index_answers_from_its_prefix_index(text: str, unindexed: bool) -> None:
    assert Search.parse(text).has_unindexed_prefix is unindexed
