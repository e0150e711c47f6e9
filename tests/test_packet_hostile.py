"""Case packets and hostile sources: a source PDF is probed (time and memory limits)
before the packet parses it, and the packet leaves out its active content, checked with a
second PDF library (pypdf): what other readers could run or follow never reaches them."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pymupdf
import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from imr_desktop.core.exports.base import ExportError
from imr_desktop.core.exports.packet import ATTACHMENT, write_packet
from imr_desktop.core.exports.sanitize import sanitize
from imr_desktop.core.model import DocumentRecord
from imr_desktop.core.store import Store
from imr_desktop.core.untrusted.gate import ProbeGate
from tests import fuzzgen, pdfgen
from tests.export_helpers import add_document, annotate

# actions no packet may hold, whatever object they hide in
ACTIVE = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/ResetForm", "/GoToR",
          "/GoToE", "/Rendition", "/Movie", "/Sound", "/RichMediaExecute"}  # fmt: skip
SAFE_PREFIXES = ("http://", "https://", "mailto:")


def _resolve(obj: object) -> object:
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def _walk(obj: object, seen: set[int], found: list[str], where: str) -> None:
    """Every dictionary reachable from ``obj``: actions, /AA, /JS, unsafe URIs."""
    if isinstance(obj, IndirectObject):
        if obj.idnum in seen:
            return
        seen.add(obj.idnum)
        where = f"obj {obj.idnum}"
    obj = _resolve(obj)
    if isinstance(obj, ArrayObject):
        for item in obj:
            _walk(item, seen, found, where)
        return
    if not isinstance(obj, DictionaryObject):
        return
    kind = obj.get("/S")
    if kind in ACTIVE:
        found.append(f"{kind} action in {where}")
    if kind == "/URI" and not str(obj.get("/URI", "")).startswith(SAFE_PREFIXES):
        found.append(f"unsafe URI {obj.get('/URI')!r} in {where}")
    for key in ("/AA", "/JS", "/OpenAction", "/XFA"):
        if key in obj:
            found.append(f"{key} in {where}")
    if "/S" in obj and "/Next" in obj:  # an action chained to another (outlines have /Next too)
        found.append(f"/Next in {where}")
    if obj.get("/Subtype") in ("/FileAttachment", "/Screen", "/RichMedia", "/Movie", "/Sound"):
        found.append(f"{obj['/Subtype']} annotation in {where}")
    for key, value in obj.items():
        if key not in ("/Parent", "/P"):  # back links: everything is reached from the root
            _walk(value, seen, found, where)


def active_content(reader: PdfReader) -> list[str]:
    found: list[str] = []
    seen: set[int] = set()
    root = reader.trailer["/Root"]
    names = _resolve(root.get("/Names")) or {}
    if "/JavaScript" in names:
        found.append("JavaScript name tree")
    _walk(reader.trailer, seen, found, "trailer")
    # objects nothing refers to still sit in the file: a reader never reaches them, but
    # a packet is checked whole
    for number in range(1, int(reader.trailer["/Size"])):
        _walk(IndirectObject(number, 0, reader), seen, found, f"obj {number}")
    found += [f"attachment {name}" for name in reader.attachments if name != ATTACHMENT]
    return found


def link_targets(reader: PdfReader, page: int) -> list[str]:
    out = []
    for ref in reader.pages[page].get("/Annots") or []:
        a = ref.get_object()
        if a["/Subtype"] == "/Link" and "/A" in a:
            action = a["/A"].get_object()
            out.append(str(action.get("/URI", action["/S"])))
        elif a["/Subtype"] == "/Link":
            out.append("/Dest")
    return out


def test_the_hostile_letter_really_is_hostile(tmp_path: Path) -> None:
    # guards the generator: each kind the packet test checks for is in the source
    found = " | ".join(active_content(PdfReader(_write(tmp_path, fuzzgen.active_letter()))))
    for kind in ("JavaScript name tree", "/JavaScript action", "/Launch action",
                 "/OpenAction", "/AA", "/Next", "/XFA", "unsafe URI 'javascript:",
                 "/FileAttachment annotation", "attachment payload.exe"):  # fmt: skip
        assert kind in found, kind


def _write(tmp_path: Path, data: bytes, name: str = "active.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_packet_leaves_out_scripts_launches_and_attachments(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "db.sqlite")
    source = _write(tmp_path, fuzzgen.active_letter())
    before = source.read_bytes()
    loaded = add_document(store, source)
    sha, text = loaded.source.sha256, loaded.text
    ann = annotate(store, sha, text, "End of page 1.", note="checked")
    out = tmp_path / "packet.pdf"
    result = write_packet(store, [sha], out)
    assert source.read_bytes() == before  # the user's file is never modified

    reader = PdfReader(out)
    assert active_content(reader) == []
    summary_pages = len(reader.pages) - 2
    # the web link and the link to page 2 stay; the others went
    targets = link_targets(reader, summary_pages)
    assert fuzzgen.SAFE_LINK in targets and "/GoTo" in targets
    assert not any(t.startswith("javascript") or t in ("/Launch", "/GoToR") for t in targets)
    # our highlight and our attachment stay
    [highlight] = [
        a.get_object()
        for a in reader.pages[summary_pages].get("/Annots") or []
        if a.get_object()["/Subtype"] == "/Highlight"
    ]
    assert highlight["/NM"] == ann.id and highlight["/Contents"] == "Decision\nchecked"
    assert list(reader.attachments) == [ATTACHMENT]
    [record] = [json.loads(x) for x in reader.attachments[ATTACHMENT][0].decode().splitlines()]
    assert record["id"] == sha and [s["id"] for s in record["spans"]] == [ann.id]
    # the letter's text is all there, and the user is told what was left out
    assert "End of page 2." in reader.pages[summary_pages + 1].extract_text()
    [message] = result.report.messages
    assert message.startswith("active.pdf: its ") and "JavaScript" in message
    assert "Launch actions" in message and "embedded files" in message
    assert result.report.problems == {"active content left out": 1}


def test_a_plain_letter_loses_nothing(tmp_path: Path) -> None:
    data = pdfgen.letter_bytes(2)
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        page = doc[0]
        mail = "mailto:imr@example.org"
        page.insert_link(
            {"kind": pymupdf.LINK_URI, "from": pymupdf.Rect(72, 20, 300, 30), "uri": mail}
        )
        page.insert_link(
            {"kind": pymupdf.LINK_GOTO, "from": pymupdf.Rect(72, 40, 300, 50), "page": 1}
        )
        before = [page.get_text() for page in doc], [dict(ln) for ln in doc[0].get_links()]
        assert sanitize(doc) == []
        after = [page.get_text() for page in doc], [dict(ln) for ln in doc[0].get_links()]
    assert after == before


def test_sanitizing_is_complete_in_one_pass(tmp_path: Path) -> None:
    with pymupdf.open(stream=fuzzgen.active_letter(), filetype="pdf") as doc:
        removed = sanitize(doc)
        assert sanitize(doc) == []  # nothing left for a second pass
        assert doc.embfile_count() == 0
        # the web link, the page link, and the web link that lost its chained script
        links = [(ln["kind"], ln.get("uri")) for ln in doc[0].get_links()]
        safe = (pymupdf.LINK_URI, fuzzgen.SAFE_LINK)
        assert links == [safe, (pymupdf.LINK_GOTO, None), safe]
        saved = doc.tobytes(garbage=3)
    assert {"JavaScript", "Launch actions (to start programs)", "embedded files",
            "additional actions", "XFA forms", "chained actions"} <= set(removed)  # fmt: skip
    assert active_content(PdfReader(_write(tmp_path, saved, "clean.pdf"))) == []


def _annotated_file(store: Store, path: Path, data: bytes) -> str:
    """A file the database knows (say, from a merged colleague's library)."""
    path.write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    text = "Case Number: CM16-0000001\n"
    store.upsert_document(
        DocumentRecord(sha, str(path), "pdf", 1, len(data), text, None, "imr-text-1")
    )
    return sha


def test_a_source_that_hangs_the_reader_is_refused_in_time(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "db.sqlite")
    sha = _annotated_file(store, tmp_path / "slow.pdf", fuzzgen.content_bomb())
    gate = ProbeGate(timeout=2.0, cache_dir=tmp_path / "probe")
    started = time.monotonic()
    try:
        with pytest.raises(ExportError) as err:
            write_packet(store, [sha], tmp_path / "p.pdf", gate=gate)
    finally:
        gate.close()
    assert time.monotonic() - started < 10
    assert "slow.pdf was not opened: reading it took longer than 2 seconds" in str(err.value)
    assert not (tmp_path / "p.pdf").exists()


def test_packet_command_refuses_a_bomb_in_one_line(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "db.sqlite")
    sha = _annotated_file(store, tmp_path / "bomb.pdf", fuzzgen.image_bomb())
    store.close()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "imr_desktop",
            "packet",
            "--db",
            str(tmp_path / "db.sqlite"),
            sha,
            "--out",
            str(tmp_path / "p.pdf"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "IMR_DESKTOP_DATA_DIR": str(tmp_path / "data")},
    )
    assert proc.returncode == 1
    [line] = proc.stderr.splitlines()
    assert line.startswith(f"imr-desktop: Cannot read the source file {tmp_path / 'bomb.pdf'}")
    assert "40000 × 40000 pixels, too large to display safely." in line


def test_a_letter_with_a_verdict_needs_no_probe_process(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "db.sqlite")
    loaded = add_document(store, _write(tmp_path, pdfgen.letter_bytes(2), "letter.pdf"))
    sha = loaded.source.sha256
    first = ProbeGate(cache_dir=tmp_path / "probe")
    write_packet(store, [sha], tmp_path / "p1.pdf", gate=first)
    assert first.pid is not None  # a new file: probed
    first.close()
    again = ProbeGate(cache_dir=tmp_path / "probe")
    write_packet(store, [sha], tmp_path / "p2.pdf", gate=again)
    assert again.pid is None  # its verdict was cached by sha256: no process was started


# ----------------------------------------------------------------------------- the GUI's
def _packet_process(store_path: Path, sha: str, source: Path, out: Path):  # type: ignore[no-untyped-def]
    from imr_desktop.core.exports.packet_job import PacketRequest
    from imr_desktop.ui.export_jobs import PacketProcess

    request = PacketRequest(str(store_path), (sha,), str(out), paths={sha: str(source)})
    return PacketProcess(request)


def test_gui_packet_process_probes_and_sanitizes(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # the packet process is a daemon: its probe process is its own child all the same
    store = Store.open(tmp_path / "db.sqlite")
    source = _write(tmp_path, fuzzgen.active_letter())
    sha = add_document(store, source).source.sha256
    bomb_sha = _annotated_file(store, tmp_path / "bomb.pdf", fuzzgen.image_bomb())
    store.close()
    job = _packet_process(tmp_path / "db.sqlite", sha, source, tmp_path / "p.pdf")
    with qtbot.waitSignal(job.succeeded, timeout=60_000) as done:
        job.start()
    assert done.args[0].problems == {"active content left out": 1}
    assert active_content(PdfReader(tmp_path / "p.pdf")) == []
    job = _packet_process(
        tmp_path / "db.sqlite", bomb_sha, tmp_path / "bomb.pdf", tmp_path / "b.pdf"
    )
    with qtbot.waitSignal(job.failed, timeout=60_000) as failed:
        job.start()
    assert "bomb.pdf was not opened: page 1 holds an image of 40000 × 40000" in failed.args[0]


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_a_cancelled_gui_packet_ends_its_probe_process_too(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = Store.open(tmp_path / "db.sqlite")
    sha = _annotated_file(store, tmp_path / "slow.pdf", fuzzgen.content_bomb())
    store.close()
    job = _packet_process(tmp_path / "db.sqlite", sha, tmp_path / "slow.pdf", tmp_path / "p.pdf")
    job.start()
    pid = job._process.pid
    qtbot.waitUntil(lambda: bool(_children(pid)), timeout=20_000)  # the probe, at work
    [probe] = _children(pid)
    with qtbot.waitSignal(job.cancelled, timeout=20_000):
        job.cancel()  # stuck in the probe's verdict: killed after KILL_AFTER_MS
    qtbot.waitUntil(lambda: not _alive(probe), timeout=5_000)
