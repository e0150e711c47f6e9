"""Annotated case packets: one PDF a supervisor or attorney opens in any reader.

For each document: summary page(s) (case header, items with outcomes and citations when
the structure is known, the annotations table with letter page numbers, annotators and
the export time, and under "Not placed (needs re-attaching)" the quotes of annotations
the letter's changed text no longer places, which get no highlight), then the letter's
own pages (text letters are typeset first) with one highlight annotation per annotation
and page in its label's colour, carrying the label (subject), the annotator (author) and
the note (contents), which comment panels show. Bookmarks lead to each summary, each item
(with a structure), each label and each of its annotations. The JSONL records ride along
as an embedded file. The source files are only read; the packet is written to a
temporary file and moved into place. A letter's JavaScript, Launch actions, attachments
and other active content are left out of the packet's copy (``sanitize``); the ZIP's
``originals/`` keep the files byte for byte.
"""

from __future__ import annotations

import html
import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pymupdf

from imr_desktop import paths as app_paths
from imr_desktop.core.document import LoadedDocument, load_source, read_source
from imr_desktop.core.errors import DocumentError
from imr_desktop.core.exports import records
from imr_desktop.core.exports.base import (
    AtomicOutputs,
    DocRecord,
    ExportError,
    Report,
    check_cancelled,
)
from imr_desktop.core.exports.jsonl import dumps
from imr_desktop.core.exports.sanitize import sanitize
from imr_desktop.core.exports.typeset import typeset
from imr_desktop.core.model import ORIGIN_SUGGESTED, now_iso
from imr_desktop.core.store import Store
from imr_desktop.core.textlayer import TextLayer
from imr_desktop.core.untrusted.gate import ProbeGate

ATTACHMENT = "annotations.jsonl"
QUOTE_CHARS = 160
NOT_PLACED_HEADING = "Not placed (needs re-attaching)"

CSS = """
body { font-family: sans-serif; font-size: 9pt; }
h1 { font-size: 15pt; margin-bottom: 4pt; }
h2 { font-size: 11.5pt; margin-top: 10pt; margin-bottom: 3pt; }
p.small { font-size: 8pt; color: #555555; }
table { border-collapse: collapse; width: 100%; }
td, th { border: 0.5pt solid #999999; padding: 2pt; vertical-align: top; text-align: left; }
th { background-color: #eeeeee; }
"""

HEADER_FIELDS = (
    ("case_number", "Case Number"),
    ("date_assigned", "Date Assigned"),
    ("date_of_injury", "Date of Injury"),
    ("decision_date", "Decision Date"),
    ("ur_denial_date", "UR Denial Date"),
    ("application_received", "Application Received"),
    ("priority", "Priority"),
    ("final_outcome", "Final Outcome"),
)


@dataclass(slots=True)
class PacketResult:
    paths: list[Path]
    documents: int = 0
    highlights: int = 0
    pages: int = 0
    report: Report = field(default_factory=Report)


@dataclass(slots=True)
class _Source:
    record: DocRecord
    loaded: LoadedDocument
    layer: TextLayer


def _hex_rgb(color: str) -> tuple[float, float, float]:
    c = color.lstrip("#")
    try:
        return tuple(int(c[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]
    except ValueError:
        return (1.0, 0.85, 0.0)


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _short(text: str, n: int = QUOTE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def case_number(record: DocRecord) -> str | None:
    structure = record.structure or {}
    if structure.get("case_number"):
        return str(structure["case_number"])
    m = records.CASE_NUMBER.search(record.text[:5000])
    return m.group() if m else None


# --------------------------------------------------------------------------- sources
def _load_source(record: DocRecord, path: Path | None, gate: ProbeGate) -> LoadedDocument:
    name = Path(record.meta.get("path") or record.id).name
    path = path or Path(record.meta.get("path") or "")
    if not path.is_file():
        raise ExportError(
            f"The source file of {name} ({record.id[:12]}) is not at {path}: it was moved "
            "or deleted. Pass its current path instead."
        )
    try:
        source = read_source(path)  # bytes and sha256 only: nothing is parsed yet
    except DocumentError as exc:
        raise ExportError(f"Cannot read the source file {path}: {exc}") from None
    if source.sha256 != record.id:
        raise ExportError(
            f"{path} has changed since it was annotated (its sha256 is "
            f"{source.sha256[:12]}, the database has {record.id[:12]}); "
            "the packet was not written."
        )
    try:
        if source.kind == "pdf":
            # a file from outside: the probe process reads it first, under limits, as
            # when the GUI opens one (a verdict cached by sha256 costs nothing)
            gate.check(source.path, source.sha256, source.name, None)
        loaded = load_source(source)
    except DocumentError as exc:
        raise ExportError(f"Cannot read the source file {path}: {exc}") from None
    stored = record.meta.get("text_sha256")
    if loaded.text != record.text or (stored and loaded.layer.sha256() != stored):
        raise ExportError(
            f"The text read from {path} now differs from the text that was annotated "
            f"(extractor {loaded.extractor_version}, stored "
            f"{record.meta.get('extractor_version')}); highlights would be misplaced, "
            "so the packet was not written."
        )
    return loaded


def _sanitize_letter(letter: pymupdf.Document, src: _Source, report: Report) -> None:
    """The packet's copy of a letter loses what could act in other readers (the user's
    file is not touched: ``letter`` was opened from bytes)."""
    removed = sanitize(letter)
    if removed:
        name = Path(src.record.meta.get("path") or src.record.id).name
        report.problem(
            "active content left out",
            f"{name}: its {', '.join(removed)} were left out of the packet (other PDF "
            "readers might run or follow them).",
        )


# --------------------------------------------------------------------------- summary
def _summary_html(src: _Source, exported_at: str) -> str:
    record, layer = src.record, src.layer
    structure = record.structure or {}
    name = Path(record.meta.get("path") or record.id).name
    case = case_number(record)
    out = [f"<h1>Annotated case packet: {_esc(case or name)}</h1>"]
    rows = [("File", name), ("Document sha256", record.id)]
    for key, title in HEADER_FIELDS:
        value = structure.get(key)
        if key == "case_number" and not value:
            value = case
        if value:
            rows.append((title, value))
    kind = "PDF" if record.meta.get("kind") == "pdf" else "text letter, typeset for this packet"
    rows.append(("Pages", f"{layer.page_count} ({kind})"))
    annotators = sorted({s.annotator for s in record.spans if s.annotator})
    rows.append(("Annotators", ", ".join(annotators) or "none"))
    rows.append(("Exported", exported_at))
    out.append("<table>")
    out += [f"<tr><th>{_esc(k)}</th><td>{_esc(v)}</td></tr>" for k, v in rows]
    out.append("</table>")

    items = structure.get("items") or []
    if items:
        cites: dict[int, list[str]] = {}
        for c in structure.get("citations") or []:
            if c.get("item") is not None:
                cites.setdefault(int(c["item"]), []).append(_short(c.get("text") or "", 120))
        out.append("<h2>Items and decisions</h2><table>")
        out.append("<tr><th>#</th><th>Item</th><th>Outcome</th><th>Citations</th></tr>")
        for i, item in enumerate(items):
            heading = item.get("request") or item.get("heading") or ""
            out.append(
                f"<tr><td>{i + 1}</td><td>{_esc(_short(heading, 120))}</td>"
                f"<td>{_esc(item.get('outcome') or '')}</td>"
                f"<td>{'<br/>'.join(_esc(c) for c in cites.get(i, []))}</td></tr>"
            )
        out.append("</table>")

    out.append(f"<h2>Annotations ({len(record.spans)})</h2>")
    if record.spans:
        out.append(
            '<p class="small">Page numbers are the letter\'s own pages, which follow this '
            "summary in the packet.</p>"
        )
        out.append(
            "<table><tr><th>#</th><th>Label</th><th>Page</th><th>Text</th><th>Note</th>"
            "<th>Annotator</th></tr>"
        )
        for i, s in enumerate(record.spans, start=1):
            pages = _letter_pages(layer, s.start, s.end)
            who = s.annotator + (" (suggestion)" if s.origin == ORIGIN_SUGGESTED else "")
            out.append(
                f'<tr><td>{i}</td><td><b style="color: {_esc(s.color)}">{_esc(s.label)}'
                f"</b></td><td>{_esc(pages)}</td><td>{_esc(_short(s.text))}</td>"
                f"<td>{_esc(s.note)}</td><td>{_esc(who)}</td></tr>"
            )
        out.append("</table>")
    else:
        out.append("<p>No annotations.</p>")
    out += _orphans_html(record)
    return "".join(out)


def _orphans_html(record: DocRecord) -> list[str]:
    """Orphans by quote: their offsets point into an older text, so no highlight."""
    if not record.orphans:
        return []
    n = len(record.orphans)
    out = [
        f"<h2>{_esc(NOT_PLACED_HEADING)}</h2>",
        f'<p class="small">{n} annotation{"s" if n != 1 else ""} could not be placed '
        "in the letter's current text after it changed, so "
        f"{'they have' if n != 1 else 'it has'} no highlight in this packet. Re-attach "
        "them in IMR Desktop (side panel, “Needs re-attaching”).</p>",
        "<table><tr><th>#</th><th>Label</th><th>Quote</th><th>Note</th><th>Annotator</th></tr>",
    ]
    for i, s in enumerate(record.orphans, start=1):
        who = s.annotator + (" (suggestion)" if s.origin == ORIGIN_SUGGESTED else "")
        out.append(
            f'<tr><td>{i}</td><td><b style="color: {_esc(s.color)}">{_esc(s.label)}</b>'
            f"</td><td>“{_esc(_short(s.text))}”</td><td>{_esc(s.note)}</td>"
            f"<td>{_esc(who)}</td></tr>"
        )
    out.append("</table>")
    return out


def _letter_pages(layer: TextLayer, start: int, end: int) -> str:
    first, last = layer.page_of(start) + 1, layer.page_of(max(start, end - 1)) + 1
    return str(first) if first == last else f"{first}–{last}"


def _story_pdf(body: str) -> pymupdf.Document:
    buffer = io.BytesIO()
    writer = pymupdf.DocumentWriter(buffer)
    story = pymupdf.Story(body, user_css=CSS)
    page = pymupdf.paper_rect("letter")
    more = True
    while more:
        device = writer.begin_page(page)
        more, _ = story.place(pymupdf.Rect(48, 48, page.width - 48, page.height - 48))
        story.draw(device)
        writer.end_page()
    writer.close()
    return pymupdf.open("pdf", buffer.getvalue())


# --------------------------------------------------------------------------- building
def _add_highlights(
    out: pymupdf.Document,
    src: _Source,
    offset: int,
    toc: list[list[Any]],
    level: int,
    cancelled: Callable[[], bool] | None = None,
) -> int:
    """Highlight every span; returns the number of highlight annotations written."""
    count = 0
    by_label: dict[str, list[tuple[int, str]]] = {}
    for s in src.record.spans:
        check_cancelled(cancelled)
        pieces: dict[int, list[pymupdf.Quad]] = {}
        for page_no, rect in src.layer.line_rects(s.start, s.end):
            page = out[offset + page_no]
            # line_rects is in the displayed (rotated) space; annotations live unrotated
            r = pymupdf.Rect(rect) * page.derotation_matrix if page.rotation else rect
            pieces.setdefault(page_no, []).append(pymupdf.Rect(r).quad)
        for k, (page_no, quads) in enumerate(sorted(pieces.items())):
            page = out[offset + page_no]
            annot = page.add_highlight_annot(quads=quads)
            annot.set_colors(stroke=_hex_rgb(s.color))
            who = s.annotator + (" (suggestion)" if s.origin == ORIGIN_SUGGESTED else "")
            content = s.label + (f"\n{s.note}" if s.note else "")
            annot.set_info(title=who, subject=s.label, content=content)
            annot.update()
            # /NM ties the highlight to the annotation (a cross-page one gets -2, -3, ...)
            nm = s.id if k == 0 else f"{s.id}-{k + 1}"
            out.xref_set_key(annot.xref, "NM", pymupdf.get_pdf_str(nm))
            count += 1
        if pieces:
            by_label.setdefault(s.label, []).append(
                (offset + min(pieces) + 1, f"p. {min(pieces) + 1}: {_short(s.text, 60)}")
            )
    if by_label:
        toc.append([level, "Annotations by label", by_label[next(iter(by_label))][0][0]])
        for label in sorted(by_label):
            entries = by_label[label]
            toc.append([level + 1, f"{label} ({len(entries)})", entries[0][0]])
            toc += [[level + 2, title, page] for page, title in entries]
    return count


def _item_bookmarks(src: _Source, offset: int, toc: list[list[Any]], level: int) -> None:
    items = (src.record.structure or {}).get("items") or []
    entries = []
    for i, item in enumerate(items):
        span = (item.get("spans") or {}).get("item")
        if not span:
            continue
        page = offset + src.layer.page_of(int(span[0])) + 1
        title = _short(item.get("request") or item.get("heading") or f"Item {i + 1}", 70)
        if item.get("outcome"):
            title += f": {item['outcome']}"
        entries.append([level + 1, title, page])
    if entries:
        toc.append([level, "Items", entries[0][2]])
        toc += entries


def build_packet(
    store: Store,
    documents: Sequence[str],
    *,
    include_suggestions: bool = False,
    paths: dict[str, Path] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    gate: ProbeGate | None = None,
) -> tuple[pymupdf.Document, list[_Source], PacketResult]:
    """The packet as an open pymupdf Document (not yet saved) and its sources.

    ``progress(done, total)`` counts steps: reading each source, building each
    document's pages, and saving (done by ``write_packet``). ``cancelled()`` is asked
    between steps and between highlights; True stops with ``ExportCancelled``.
    ``gate`` checks each source PDF before it is parsed here; by default one that
    shares the app's verdict cache, started only for a file without a verdict.
    """
    report = Report()
    exported_at = now_iso()
    sources: list[_Source] = []
    total = 2 * len(documents) + 1
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(min(done, total - 1), total)
        check_cancelled(cancelled)

    check_cancelled(cancelled)
    own_gate = gate is None
    gate = gate or ProbeGate(cache_dir=app_paths.data_dir() / "probe")
    try:
        for record in records.iter_records(
            store, report, include_suggestions=include_suggestions, documents=documents
        ):
            loaded = _load_source(record, (paths or {}).get(record.id), gate)
            sources.append(_Source(record, loaded, loaded.layer))
            step()
    finally:
        if own_gate:
            gate.close()
    if not sources:
        raise ExportError("No documents to put in the packet.")
    out = pymupdf.open()
    toc: list[list[Any]] = []
    result = PacketResult([], report=report)
    many = len(sources) > 1
    level = 2 if many else 1
    try:
        for src in sources:
            record = src.record
            summary_at = out.page_count
            if record.meta.get("kind") == "pdf":
                letter = pymupdf.open(stream=src.loaded.source.data, filetype="pdf")
                _sanitize_letter(letter, src, report)
            else:
                # typeset first: the summary cites the typeset letter's page numbers
                letter = pymupdf.open()
                src.layer = typeset(letter, record.text)
            letter_pages = letter.page_count
            summary = _story_pdf(_summary_html(src, exported_at))
            out.insert_pdf(summary)
            letter_at = out.page_count
            out.insert_pdf(letter)
            letter.close()
            title = case_number(record) or Path(record.meta.get("path") or record.id).name
            if many:
                toc.append([1, title, summary_at + 1])
            toc.append([level, "Summary" if many else f"Summary: {title}", summary_at + 1])
            toc.append([level, f"Letter ({letter_pages} pages)", letter_at + 1])
            _item_bookmarks(src, letter_at, toc, level)
            result.highlights += _add_highlights(out, src, letter_at, toc, level, cancelled)
            result.documents += 1
            step()
    except BaseException:
        out.close()  # cancelled or failed: nothing of it is kept
        raise
    # whatever insert_pdf made of the letters' pages (it turns Launch links into GoToR
    # links, say) is checked once more, before our own bookmarks and attachment
    sanitize(out)
    out.set_toc(toc)
    jsonl = "".join(dumps(s.record) + "\n" for s in sources).encode("utf-8")
    out.embfile_add(
        ATTACHMENT,
        jsonl,
        filename=ATTACHMENT,
        desc="IMR Desktop annotations: one JSON record per document (code-point offsets)",
    )
    out.set_metadata(
        {
            "title": "Annotated case packet: "
            + ", ".join(
                case_number(s.record) or Path(s.record.meta.get("path") or "").name for s in sources
            ),
            "creator": "IMR Desktop",
            "producer": "IMR Desktop (PyMuPDF)",
        }
    )
    result.pages = out.page_count
    return out, sources, result


def write_packet(
    store: Store,
    documents: Sequence[str],
    out_path: str | Path,
    *,
    include_suggestions: bool = False,
    as_zip: bool = False,
    paths: dict[str, Path] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    gate: ProbeGate | None = None,
) -> PacketResult:
    """Build the packet and write it (or a ZIP of packet, JSONL and originals).

    ``progress`` and ``cancelled`` as for ``build_packet``; a cancelled packet leaves
    no file behind.
    """
    out_path = Path(out_path)
    doc, sources, result = build_packet(
        store,
        documents,
        include_suggestions=include_suggestions,
        paths=paths,
        progress=progress,
        cancelled=cancelled,
        gate=gate,
    )
    try:
        check_cancelled(cancelled)
        with AtomicOutputs() as outputs:
            if not as_zip:
                tmp = outputs.temp_for(out_path)
                doc.save(str(tmp), garbage=3, deflate=True)
            else:
                with outputs.open(out_path, binary=True) as f:
                    _write_zip(f, doc, sources, out_path.stem)
            check_cancelled(cancelled)  # saving a long packet takes a moment
            result.paths = outputs.commit()
        if progress is not None:
            total = 2 * len(documents) + 1
            progress(total, total)
    except (RuntimeError, ValueError) as exc:  # MuPDF write errors
        raise ExportError(f"Cannot write {out_path}: {exc}") from None
    finally:
        doc.close()
    return result


def _write_zip(f: Any, doc: pymupdf.Document, sources: list[_Source], stem: str) -> None:
    with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{stem}.pdf", doc.tobytes(garbage=3, deflate=True))
        z.writestr(f"{stem}.jsonl", "".join(dumps(s.record) + "\n" for s in sources))
        used: set[str] = set()
        for s in sources:
            name = s.loaded.source.path.name
            if name in used:
                name = f"{s.record.id[:12]}-{name}"
            used.add(name)
            z.writestr(f"originals/{name}", s.loaded.source.data)
