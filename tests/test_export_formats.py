"""Training-data exports, checked by the tools that consume them (spaCy, datasets)."""

from __future__ import annotations

import csv
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from imr_desktop.core.exports import export
from imr_desktop.core.exports.base import ExportError
from imr_desktop.core.model import ORIGIN_SUGGESTED
from imr_desktop.core.store import Store
from tests.export_helpers import (
    add_document,
    add_text_document,
    annotate,
    letter_html,
    story_pdf,
)

TEXT_LETTER = (
    "Case Number: CM16-0219557\nDate Assigned: 01/26/2016\n\n"
    "He saw  on 01/26/14 for low back pain. Café visit 😀 noted on 01/26/14.\n"
    "Tramadol 50mg #60: Upheld. The request is not medically necessary.\n"
)


@pytest.fixture
def library(tmp_path: Path) -> dict:
    """Two generated PDFs and a text letter, annotated through the real store API."""
    store = Store.open(tmp_path / "lib.sqlite")
    docs = {}
    for i, case in enumerate(("CM16-0219557", "CM17-0000001")):
        loaded = add_document(store, story_pdf(tmp_path / f"l{i}.pdf", letter_html(case)))
        docs[case] = (loaded.source.sha256, loaded.text)
    sha, text = docs["CM16-0219557"]
    anns = [
        annotate(store, sha, text, "Tramadol 50mg #60: Upheld", note="first item"),
        # overlaps the decision above
        annotate(store, sha, text, "Upheld", "Summary fact", annotator="bob", occurrence=0),
        annotate(store, sha, text, "MTUS Chronic Pain", "Guideline citation"),
        # not on a token boundary for spaCy: reported, never dropped silently
        annotate(store, sha, text, "ramadol 50mg #61", "Decision", annotator="bob"),
    ]
    suggestion = annotate(store, sha, text, "03/14/2012", "Summary fact", origin=ORIGIN_SUGGESTED)
    gone = annotate(store, sha, text, "low back pain", "Summary fact")
    store.delete_annotation(gone.id)
    sha2, text2 = docs["CM17-0000001"]
    anns.append(annotate(store, sha2, text2, "Tramadol 50mg #61: Upheld", annotator="carol"))
    tsha = add_text_document(store, TEXT_LETTER)
    anns.append(annotate(store, tsha, TEXT_LETTER, "Café visit 😀", "Summary fact"))
    anns.append(annotate(store, tsha, TEXT_LETTER, "01/26/14", "Summary fact", occurrence=1))
    # a document with no annotations that is not done: not training data
    add_text_document(store, "An unrelated letter with nothing labelled.\n", "empty.txt")
    return {
        "store": store,
        "path": tmp_path / "lib.sqlite",
        "anns": anns,
        "suggestion": suggestion,
        "deleted": gone,
        "texts": {sha: text, sha2: text2, tsha: TEXT_LETTER},
    }


def label_of(library: dict, ann) -> str:  # type: ignore[no-untyped-def]
    label = library["store"].label(ann.label_id)
    assert label is not None
    return label.name


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_jsonl_spans_equal_the_text_and_datasets_loads_it(library: dict, tmp_path: Path) -> None:
    out = tmp_path / "train.jsonl"
    result = export(library["store"], "jsonl", out)
    rows = read_jsonl(out)
    assert {r["id"] for r in rows} == set(library["texts"])  # the unannotated one is left out
    ids = set()
    for row in rows:
        assert row["text"] == library["texts"][row["id"]]
        for s in row["spans"]:
            assert row["text"][s["start"] : s["end"]] == s["text"]
            assert s["origin"] == "manual"
            ids.add(s["id"])
    assert ids == {a.id for a in library["anns"]}  # no suggestion, no deleted annotation
    assert result.report.spans == len(library["anns"])

    from datasets import load_dataset

    ds = load_dataset("json", data_files=str(out), split="train")
    assert ds.num_rows == 3
    for row in ds:
        for s in row["spans"]:
            assert row["text"][s["start"] : s["end"]] == s["text"]
    assert sum(len(r["spans"]) for r in ds) == len(library["anns"])


def test_suggestions_only_on_request(library: dict, tmp_path: Path) -> None:
    out = tmp_path / "all.jsonl"
    export(library["store"], "jsonl", out, include_suggestions=True)
    spans = [s for r in read_jsonl(out) for s in r["spans"]]
    suggested = [s for s in spans if s["origin"] == "suggested"]
    assert [s["id"] for s in suggested] == [library["suggestion"].id]
    assert library["deleted"].id not in {s["id"] for s in spans}


def test_csv_webanno_and_labelstudio_quotes_equal_the_text(library: dict, tmp_path: Path) -> None:
    store, texts = library["store"], library["texts"]
    export(store, "csv", tmp_path / "a.csv")
    with (tmp_path / "a.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(library["anns"])
    for r in rows:
        assert texts[r["document"]][int(r["start"]) : int(r["end"])] == r["text"]

    export(store, "webanno", tmp_path / "a.jsonld")
    coll = json.loads((tmp_path / "a.jsonld").read_text(encoding="utf-8"))
    assert coll["@context"] == "http://www.w3.org/ns/anno.jsonld"
    items = coll["first"]["items"]
    assert len(items) == len(library["anns"])
    for a in items:
        text = texts[a["target"]["source"].removeprefix("urn:sha256:")]
        pos, quote = a["target"]["selector"]
        assert text[pos["start"] : pos["end"]] == quote["exact"]
        assert text[: pos["start"]].endswith(quote["prefix"])
        assert text[pos["end"] :].startswith(quote["suffix"])

    export(store, "labelstudio", tmp_path / "ls.json", include_suggestions=True)
    tasks = json.loads((tmp_path / "ls.json").read_text(encoding="utf-8"))
    config = (tmp_path / "ls.config.xml").read_text(encoding="utf-8")
    n = 0
    for t in tasks:
        for group in [*t["annotations"], *t.get("predictions", [])]:
            for r in group["result"]:
                v = r["value"]
                assert t["data"]["text"][v["start"] : v["end"]] == v["text"]
                assert f'value="{v["labels"][0]}"' in config
                n += 1
    assert n == len(library["anns"]) + 1
    assert sum(len(t.get("predictions", [])) for t in tasks) == 1
    # one annotation per annotator (Label Studio's model)
    first = next(t for t in tasks if len(t["annotations"]) > 1)
    people = [{r["imr"]["annotator"] for r in a["result"]} for a in first["annotations"]]
    assert all(len(p) == 1 for p in people) and len(people) == len(set.union(*people))


def test_token_formats_tag_every_span_or_report_it(library: dict, tmp_path: Path) -> None:
    store, texts = library["store"], library["texts"]
    result = export(store, "hf-tokens", tmp_path / "tok.jsonl")
    from datasets import load_dataset

    ds = load_dataset("json", data_files=str(tmp_path / "tok.jsonl"), split="train")
    rebuilt: set[tuple[str, int, int, str]] = set()
    for row in ds:
        text = texts[row["id"]]
        assert len(row["tokens"]) == len(row["ner_tags"]) == len(row["starts"])
        current = None
        for tok, tag, s, e in zip(
            row["tokens"], row["ner_tags"], row["starts"], row["ends"], strict=True
        ):
            assert text[s:e] == tok
            if tag.startswith("B-"):
                current = [row["id"], s, e, tag[2:]]
                rebuilt.add(tuple(current))
            elif tag.startswith("I-"):
                assert current is not None and current[3] == tag[2:]
                rebuilt.discard(tuple(current))
                current[2] = e
                rebuilt.add(tuple(current))
            else:
                current = None
    expected = {(a.document, a.start, a.end) for a in library["anns"]}
    got = {(d, s, e) for d, s, e, _ in rebuilt}
    # the one overlapped span ("Upheld" inside the decision) is reported, not silently lost
    assert result.report.problems == {"overlap": 1}
    assert "Upheld" in result.report.messages[0]
    missing = expected - got
    assert len(missing) == 1 and got <= expected

    export(store, "conll", tmp_path / "a.conll")
    lines = (tmp_path / "a.conll").read_text(encoding="utf-8").splitlines()
    assert lines.count("-DOCSTART- -X- -X- O") == 3
    tags = [ln.split()[-1] for ln in lines if ln and not ln.startswith("-DOCSTART-")]
    assert all(len(ln.split()) == 4 for ln in lines if ln)
    assert tags.count("B-Guideline_citation") == 1
    assert sum(t.startswith("B-") for t in tags) == len(library["anns"]) - 1
    # no entity is cut by a sentence break
    for i, ln in enumerate(lines):
        if ln.endswith(tuple(f"I-{x}" for x in ("Decision", "Summary_fact"))):
            assert lines[i - 1] != ""


SPACY_CONFIG_ARGS = ["--lang", "en", "--pipeline", "spancat,ner", "--optimize", "efficiency"]


def test_spacy_docbin_loads_and_debug_data_accepts_it(library: dict, tmp_path: Path) -> None:
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    out = tmp_path / "train.spacy"
    result = export(library["store"], "spacy", out)
    # the partial word "ramadol 50mg #61" does not align with spaCy's tokenizer: it is
    # kept (our tokens split there) and reported with its place, since spacy train
    # would not learn it without gold_preproc
    assert result.report.problems == {"misaligned": 1}
    assert "'ramadol 50mg #61'" in result.report.messages[0]
    nlp = spacy.blank("en")
    docs = list(DocBin().from_disk(out).get_docs(nlp.vocab))
    assert len(docs) == 3
    texts = library["texts"]
    seen = set()
    for doc in docs:
        assert doc.text == texts[doc.user_data["id"]]
        for span in doc.spans["sc"]:
            assert doc.text[span.start_char : span.end_char] == span.text
            seen.add((doc.user_data["id"], span.start_char, span.end_char, span.label_))
        ents = sorted((e.start_char, e.end_char) for e in doc.ents)
        assert ents and all(a[1] <= b[0] for a, b in itertools.pairwise(ents))
    # every annotation is a span, with its label
    assert seen == {(a.document, a.start, a.end, label_of(library, a)) for a in library["anns"]}


def test_spacy_debug_data_accepts_a_training_set(tmp_path: Path) -> None:
    """``spacy debug data`` errors below 100 training docs, so the set is that large."""
    pytest.importorskip("spacy")
    store = Store.open(tmp_path / "big.sqlite")
    for i in range(150):
        text = (
            f"Letter {i}. Tramadol 50mg #{i}: Upheld. The MTUS Chronic Pain guideline "
            f"applies. He saw  on 0{i % 9 + 1}/12/2015 for back pain.\n"
        )
        sha = add_text_document(store, text, f"l{i}.txt")
        annotate(store, sha, text, f"Tramadol 50mg #{i}: Upheld")
        annotate(store, sha, text, "Upheld", "Summary fact")
        annotate(store, sha, text, "MTUS Chronic Pain", "Guideline citation")
    train, dev = tmp_path / "c.train.spacy", tmp_path / "c.dev.spacy"
    export(store, "spacy", tmp_path / "c.spacy", split="90/10")
    (tmp_path / "c.test.spacy").rename(dev)
    cfg = tmp_path / "config.cfg"
    subprocess.run(
        [sys.executable, "-m", "spacy", "init", "config", str(cfg), *SPACY_CONFIG_ARGS],
        check=True,
        capture_output=True,
    )
    paths = ["--paths.train", str(train), "--paths.dev", str(dev)]
    proc = subprocess.run(
        [sys.executable, "-m", "spacy", "debug", "data", str(cfg), *paths],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Corpus is loadable" in proc.stdout
    assert "0 error" in proc.stdout or "error" not in proc.stdout.split("Summary")[-1]


def test_streamed_docbin_equals_spacys_own_serialisation(library: dict, tmp_path: Path) -> None:
    """Our streamed writer must produce what DocBin.to_bytes would for the same docs."""
    spacy = pytest.importorskip("spacy")
    import zlib

    import srsly
    from spacy.tokens import DocBin

    from imr_desktop.core.exports import spacy_format

    out = tmp_path / "x.spacy"
    export(library["store"], "spacy", out)
    docs = list(DocBin().from_disk(out).get_docs(spacy.blank("en").vocab))
    again = DocBin(attrs=list(spacy_format.ATTRS), store_user_data=True, docs=docs)
    ours = srsly.msgpack_loads(zlib.decompress(out.read_bytes()))
    theirs = srsly.msgpack_loads(zlib.decompress(again.to_bytes()))
    assert list(ours) == list(theirs)
    for key in ("attrs", "tokens", "spaces", "lengths", "cats", "flags", "span_groups"):
        assert ours[key] == theirs[key], key
    assert set(theirs["strings"]) <= set(ours["strings"])


def test_split_is_deterministic_and_stable_as_the_library_grows(
    library: dict, tmp_path: Path
) -> None:
    store = library["store"]
    export(store, "jsonl", tmp_path / "d.jsonl", split="34/33/33")
    parts = {
        name: {r["id"] for r in read_jsonl(tmp_path / f"d.{name}.jsonl")}
        for name in ("train", "dev", "test")
    }
    assert set.union(*parts.values()) == set(library["texts"])
    assert sum(len(p) for p in parts.values()) == len(library["texts"])
    for name in parts:
        for row in read_jsonl(tmp_path / f"d.{name}.jsonl"):
            assert row["meta"]["split"] == name
    # more documents later: the earlier ones keep their split
    for i in range(20):
        t = f"Letter {i}: Tramadol upheld.\n"
        annotate(store, add_text_document(store, t, f"x{i}.txt"), t, "Tramadol")
    export(store, "jsonl", tmp_path / "e.jsonl", split="34/33/33")
    for name, ids in parts.items():
        later = {r["id"] for r in read_jsonl(tmp_path / f"e.{name}.jsonl")}
        assert ids <= later
    with pytest.raises(ExportError, match="add up to 100"):
        export(store, "jsonl", tmp_path / "f.jsonl", split="80/30")


def test_deidentify_replaces_consistently_and_shifts_offsets(library: dict, tmp_path: Path) -> None:
    out = tmp_path / "deid.jsonl"
    export(library["store"], "jsonl", out, deidentify=True)
    rows = read_jsonl(out)
    assert len(rows) == 3
    for row in rows:
        text = row["text"]
        assert "CM16-0219557" not in text and "CM17-0000001" not in text
        assert "01/26/14" not in text and "03/14/2012" not in text
        assert "path" not in row["meta"] and row["structure"] is None
        assert row["id"] not in library["texts"]
        for s in row["spans"]:
            assert text[s["start"] : s["end"]] == s["text"]
    letter = next(r for r in rows if "Café" in r["text"])
    assert letter["text"].startswith("Case Number: [CASE-1]\nDate Assigned: [DATE-1]\n")
    # the same date gets the same placeholder; the redaction gap becomes [NAME]
    assert "He saw [NAME] on [DATE-2] for low back pain." in letter["text"]
    assert "noted on [DATE-2]." in letter["text"]
    assert {s["text"] for s in letter["spans"]} == {"Café visit 😀", "[DATE-2]"}
    with pytest.raises(ExportError, match="does not apply to webanno"):
        export(library["store"], "webanno", tmp_path / "w.jsonld", deidentify=True)


def test_stale_annotations_are_reported_not_exported(library: dict, tmp_path: Path) -> None:
    store = library["store"]
    ann = library["anns"][0]
    # simulate a document whose text was re-extracted differently after annotating
    store.db.execute(
        "UPDATE documents SET text = replace(text, 'Tramadol 50mg #60', 'Tramadol 50 mg #60') "
        "WHERE sha256 = ?",
        [ann.document],
    )
    store.db.conn.commit()
    result = export(store, "jsonl", tmp_path / "s.jsonl")
    assert result.report.problems.get("stale", 0) >= 1
    assert any(ann.id in m for m in result.report.messages)
    for row in read_jsonl(tmp_path / "s.jsonl"):
        for s in row["spans"]:
            assert row["text"][s["start"] : s["end"]] == s["text"]


def test_a_failed_export_leaves_no_file(
    library: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from imr_desktop.core.exports import jsonl

    out = tmp_path / "keep.jsonl"
    out.write_text("previous export\n")
    calls = 0

    def boom(self, record) -> None:  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 2:
            raise OSError("disk full")
        self._file.write("x\n")

    monkeypatch.setattr(jsonl.JsonlWriter, "write", boom)
    with pytest.raises(OSError):
        export(library["store"], "jsonl", out)
    assert out.read_text() == "previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize("fmt", ["jsonl", "spacy", "labelstudio"])
def test_progress_and_cancel_leave_no_file(library: dict, tmp_path: Path, fmt: str) -> None:
    from imr_desktop.core.exports import ExportCancelled

    seen: list[tuple[int, int]] = []
    out = tmp_path / f"c.{fmt}"
    with pytest.raises(ExportCancelled):
        export(
            library["store"],
            fmt,
            out,
            split="80/10/10",
            progress=lambda d, t: seen.append((d, t)),
            cancelled=lambda: len(seen) >= 2,
        )
    assert seen == [(1, 4), (2, 4)]  # four documents have text; it stopped at the second
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith((".c.", "c."))] == []
    # the same export, not cancelled, reports every document
    seen.clear()
    export(library["store"], fmt, out, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (4, 4) and out.exists()
