"""Letters and hostile files for the library tests, generated (nothing is committed).

``letter_text`` writes a 2016-layout letter (header table, reviewer credentials, items
with guideline citations) that the structure parser reads fully, so tests know exactly
which case number, date, outcome, specialties and categories a letter has.
"""

from __future__ import annotations

import functools
import os
import time
import zlib
from collections.abc import Sequence
from multiprocessing.connection import Connection
from pathlib import Path

import pymupdf

from imr_desktop.core.library.worker import READY, ReadOptions, read_file

GUIDELINES = {
    "MTUS": "MTUS Chronic Pain Medical Treatment Guidelines 2009, Page(s): 78",
    "ODG": "Official Disability Guidelines (ODG), Pain Chapter, Opioids",
    "ACOEM": "ACOEM Low Back Complaints 2004, Page(s): 303",
}
Item = tuple[str, str, str]  # request, outcome, guideline source


def letter_text(
    case: str,
    *,
    decided: str = "12/19/2016",
    items: Sequence[Item] = (("Tramadol 50mg #60", "Upheld", "MTUS"),),
    specialties: str = "Family Practice, Pain Management",
    summary: str = "",
) -> str:
    out = [
        f"Case Number: {case}",
        "Date Assigned: 11/09/2016",
        "Date of Injury: 03/14/2012",
        f"Decision Date: {decided}",
        "UR Denial Date: 10/20/2016",
        "Priority: Standard",
        "Application",
        "Received: 11/01/2016",
        "",
        "HOW THE IMR FINAL DETERMINATION WAS MADE",
        "MAXIMUS Federal Services sent the complete case file to an expert reviewer.",
        "State(s) of Licensure: California",
        f"Certification(s)/Specialty: {specialties}",
        "",
        "CLINICAL CASE SUMMARY",
        f"The injured worker is a 54 year old female with chronic low back pain. {summary}",
        "",
        "IMR ISSUES, DECISIONS AND RATIONALES",
    ]
    for request, outcome, source in items:
        g = GUIDELINES[source]
        necessary = "not medically necessary" if outcome == "Upheld" else "medically necessary"
        out += [
            f"{request}: {outcome}",
            f"Claims Administrator guideline: Decision based on {g}.",
            f"MAXIMUS guideline: Decision based on {g}.",
            f"Decision rationale: The records were reviewed. The request for {request} "
            f"is {necessary}.",
            "",
        ]
    return "\n".join(out) + "\n"


def write_letter(path: Path, case: str, **kwargs: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(letter_text(case, **kwargs), encoding="utf-8")  # type: ignore[arg-type]
    return path


def letter_pdf_bytes(case: str, **kwargs: object) -> bytes:
    """The same letter as a PDF (one line per text line, Helvetica)."""
    doc = pymupdf.open()
    lines = letter_text(case, **kwargs).splitlines()  # type: ignore[arg-type]
    for start in range(0, len(lines), 50):
        page = doc.new_page()
        y = 60.0
        for line in lines[start : start + 50]:
            page.insert_text((60, y), line, fontsize=9)
            y += 13
    data = doc.tobytes()
    doc.close()
    return data


@functools.cache
def bomb_pdf_bytes() -> bytes:
    """A 40 kB PDF whose page content inflates to 40 MB of no-op operators: reading its
    text keeps MuPDF busy for seconds (a decompression bomb, as in hostile uploads)."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "Case Number: CM16-0000000")
    xref = page.get_contents()[0]
    doc.update_stream(xref, zlib.compress(b"q Q " * 10_000_000, 9), compress=False)
    doc.xref_set_key(xref, "Filter", "/FlateDecode")
    data = doc.tobytes()
    doc.close()
    return data


def misbehaving_reader(conn: Connection, known: frozenset[str], options: ReadOptions) -> None:
    """A worker main loop that dies on paths containing "crash" and hangs on "hang"
    (module level, so a spawned worker can import it)."""
    conn.send(READY)
    while True:
        path = conn.recv()
        if path is None:
            return
        name = os.path.basename(path)
        if "crash" in name:
            os._exit(3)
        if "hang" in name:
            time.sleep(3600)
        conn.send(read_file(path, known, options))


# the small library the query, search and statistics tests know by heart
KNOWN: dict[str, dict] = {
    "CM16-0000001": {
        "decided": "12/19/2016",
        "items": [("Tramadol 50mg #60", "Upheld", "MTUS")],
        "specialties": "Family Practice, Pain Management",
        "summary": "Gabapentin was tried without benefit.",
    },
    "CM16-0000002": {
        "decided": "01/05/2017",
        "items": [("MRI of the lumbar spine", "Overturned", "ODG")],
        "specialties": "Orthopedic Surgery",
        "summary": "Résumé of the CAFÉ visit: naïve treatment.",
    },
    "CM17-0000003": {
        "decided": "02/10/2017",
        "items": [
            ("Lumbar fusion", "Upheld", "ACOEM"),
            ("Physical therapy 2 times a week for 6 weeks", "Overturned", "MTUS"),
        ],
        "specialties": "Orthopedic Surgery, Pain Management",
        "summary": "Medically necessary care was\ndiscussed.",
    },
    "CM17-0000004": {
        "decided": "01/20/2017",
        "items": [("Home health aide 4 hours a day", "Upheld", "ODG")],
        "specialties": "Internal Medicine",
        "summary": "Gabapentin and gabapentinoids; opioid taper.",
    },
    "CM16-0000005": {
        "decided": "12/01/2016",
        "items": [("Psychotherapy 6 sessions", "Overturned", "MTUS")],
        "specialties": "Psychiatry",
        "summary": "",
    },
}


def build_known_library(store: object, folder: Path) -> dict[str, str]:
    """Import ``KNOWN`` (in this process) and return case number -> sha256."""
    from imr_desktop.core.library.importer import ImportOptions, import_paths

    for case, spec in KNOWN.items():
        write_letter(folder / f"{case}.txt", case, **spec)
    summary = import_paths(store, [folder], options=ImportOptions(workers=0))  # type: ignore[arg-type]
    assert summary.imported == len(KNOWN), summary.lines()
    rows = store.db.execute("SELECT case_number, sha256 FROM catalog")  # type: ignore[attr-defined]
    return dict(rows.fetchall())
