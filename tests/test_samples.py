"""The bundled sample letters look and read like real ones, and regenerate identically."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pymupdf
import pytest

from imr_desktop import paths
from imr_desktop.core.document import load_document

SAMPLES = Path(__file__).resolve().parents[1] / "resources" / "samples"
HEADER = [
    ("Case Number:", r"CM1[67]-\d{7}"),
    ("Date Assigned:", r"\d\d/\d\d/\d{4}"),
    ("Date of Injury:", r"\d\d/\d\d/\d{4}"),
    ("Decision Date:", r"\d\d/\d\d/\d{4}"),
    ("UR Denial Date:", r"\d\d/\d\d/\d{4}"),
    ("Priority:", r"Standard|Expedited"),
    ("Application\nReceived:", r"\d\d/\d\d/\d{4}"),
]


def make_samples() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sample_letter_is_found_by_paths() -> None:
    assert paths.sample_letter() == SAMPLES / "sample-determination.pdf"
    assert paths.sample_letter().is_file()


def test_sample_pdf_layout() -> None:
    doc = pymupdf.open(SAMPLES / "sample-determination.pdf")
    assert doc.page_count == 3
    assert all(page.rect == pymupdf.paper_rect("letter") for page in doc)
    assert "fictional" in doc.metadata["title"]
    fonts = {f[3] for page in doc for f in page.get_fonts()}
    assert any("Roman" in f for f in fonts) and any("Sans" in f for f in fonts)
    # grey header table
    fills = {d["fill"] for d in doc[0].get_drawings() if d.get("fill")}
    assert any(abs(f[0] - 0.875) < 0.01 and f[0] == f[1] == f[2] for f in fills)
    # Word forms no ligatures; neither does the sample, even with ligatures preserved
    assert not re.search("[\ufb00-\ufb06]", "".join(page.get_text() for page in doc))
    doc.close()


def test_sample_pdf_text_reads_like_a_real_letter() -> None:
    loaded = load_document(SAMPLES / "sample-determination.pdf")
    text = loaded.text
    # header: label, then value, row by row, as MuPDF reads the real letters
    header = re.compile(
        r"\s*"
        + r"\s*".join(rf"{re.escape(label)}\n(?:{value})\n(?: \n)?" for label, value in HEADER)
    )
    assert header.match(text), text[:400]
    order = [
        "HOW THE IMR FINAL DETERMINATION WAS MADE",
        "State(s) of Licensure: ",
        "Certification(s)/Specialty: ",
        "CLINICAL CASE SUMMARY",
        "IMR ISSUES, DECISIONS AND RATIONALES",
        "Cyclobenzaprine 7.5mg #90: Upheld",
        "Repeat MRI of the lumbar spine without contrast: Overturned",
        "was the original request.",
        "was authorized by the Claims Administrator.",
        "The remaining IMR eligible portion of the original request,",
    ]
    flat = " ".join(text.split())  # as the structure extractor compares text
    positions = [flat.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert flat.count("Claims Administrator guideline:") == 3
    assert flat.count("MAXIMUS guideline:") == 3
    assert flat.count("Decision rationale:") == 3
    assert "Non-MTUS Citation Official Disability Guidelines (ODG)" in flat
    assert re.search(r"6 sessions is:\nUpheld\n", text)
    # the Overturned item's rationale flows from page 2 onto page 3
    layer = loaded.layer
    start = text.index("Yes, the request for a repeat MRI")
    end = text.index("without contrast is medically necessary.")
    assert (layer.page_of(start), layer.page_of(end)) == (1, 2)


def test_sample_text_letter_is_the_older_layout() -> None:
    loaded = load_document(SAMPLES / "sample-determination.txt")
    text = loaded.text
    assert loaded.source.kind == "text"
    assert "Case Number" not in text
    flat = " ".join(text.split())
    assert "The expert reviewer is Board Certified in Orthopedic Surgery" in flat
    assert len(re.findall(r"Page\(s\): [\d, -]+", text)) >= 4
    assert re.search(r"^Physical therapy x 8 visits for the right shoulder:  Upheld $", text, re.M)
    assert re.search(r"^Naproxen sodium 550mg #60:  Overturned $", text, re.M)
    assert "seen by  on 04/29/14" in text  # a redacted name leaves a double space
    assert all(len(line) <= 100 for line in text.splitlines())


def test_sample_pdf_regenerates_byte_for_byte() -> None:
    committed = (SAMPLES / "sample-determination.pdf").read_bytes()
    producer = pymupdf.open(stream=committed, filetype="pdf").metadata["producer"]
    if producer != f"pymupdf {pymupdf.__version__}":
        pytest.skip(f"sample made with {producer}; this is pymupdf {pymupdf.__version__}")
    module = make_samples()
    assert module.build_pdf() == committed
    assert module.layout_problems(committed) == []
    assert module.build_text() == (SAMPLES / "sample-determination.txt").read_text("utf-8")
