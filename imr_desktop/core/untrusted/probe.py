"""What the probe process does with an untrusted PDF before the app opens it.

It runs the operations the app will run (open, repair, every page's size, its text and
a drawing of it), under a memory limit, in a process the app can kill. Whatever happens
here (an exception, MemoryError, a crash, a hang) costs the probe, never the app. The
answer is a small ``ProbeReport`` of plain data.

Pages are checked in order within a time budget; a very long file gets the rest unchecked
(said so in the report) rather than a refusal: its first pages are what the user sees.
"""

from __future__ import annotations

import time

import pymupdf

from imr_desktop.core import pdf
from imr_desktop.core.errors import DocumentError, PasswordRequired
from imr_desktop.core.untrusted.links import is_safe_url
from imr_desktop.core.untrusted.report import Link, ProbeReport

BUDGET_SECONDS = 6.0  # for the page checks; the parent's hard timeout is longer
# every page is drawn this small: all its content is interpreted and its images decoded
# (sizes are checked first), at a fraction of the cost of a full-size drawing
THUMB_ZOOM = 0.05
# 11 x 17 in at 600 dpi is 67 MP; more is a bomb or not a letter (some decoders hold a
# whole image to draw it at any size: this bounds that to ~210 MB)
MAX_IMAGE_PIXELS = 70_000_000
# points (24 in): the app draws whole pages, up to 6x; a bigger page is not a letter and
# at full zoom would need gigabytes
MAX_PAGE_SIDE = 1728.0
_MEMORY_ERRORS = ("malloc", "realloc", "calloc", "out of memory", "memory limit")


def probe(data: bytes, name: str, password: str | None) -> ProbeReport:
    """Check PDF bytes (in the probe process, never the app's)."""
    started = time.monotonic()
    try:
        doc = pdf.open_pdf(data, name, password)
    except PasswordRequired as exc:
        return ProbeReport(needs_password=True, wrong_password=exc.wrong, refusal=str(exc))
    except DocumentError as exc:
        return ProbeReport(refusal=str(exc))
    except MemoryError:
        return ProbeReport(refusal=_too_big(name))
    except Exception as exc:  # any other MuPDF error while opening: damaged
        return ProbeReport(refusal=_damaged(name, exc))
    try:
        return _check_pages(doc, name, started)
    except MemoryError:
        return ProbeReport(refusal=_too_big(name))
    except Exception as exc:
        return ProbeReport(refusal=_damaged(name, exc))
    finally:
        doc.close()


def _damaged(name: str, exc: Exception) -> str:
    detail = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__
    return f"{name} is damaged and cannot be read as a PDF ({detail})."


def _too_big(name: str) -> str:
    return (
        f"{name} was not opened: reading it needs more memory than a letter ever does "
        "(it may be a decompression bomb)."
    )


def _check_pages(doc: pymupdf.Document, name: str, started: float) -> ProbeReport:
    count = doc.page_count
    repaired = bool(doc.is_repaired)
    unreadable: list[int] = []
    links: list[Link] = []
    ignored: set[str] = set(_document_level_actions(doc))
    checked = 0
    deadline = started + BUDGET_SECONDS
    for index in range(count):
        if time.monotonic() > deadline:
            break
        checked += 1
        try:
            page = doc[index]
            rect = page.rect
            if max(rect.width, rect.height) > MAX_PAGE_SIDE:
                return ProbeReport(
                    refusal=f"{name} was not opened: its page {index + 1} is "
                    f"{rect.width / 72:.0f} × {rect.height / 72:.0f} inches, far larger "
                    "than any letter."
                )
            for img in page.get_images(full=False):
                width, height = img[2], img[3]
                if width * height > MAX_IMAGE_PIXELS:
                    return ProbeReport(
                        refusal=f"{name} was not opened: page {index + 1} holds an image of "
                        f"{width} × {height} pixels, too large to display safely."
                    )
            page.get_pixmap(matrix=pymupdf.Matrix(THUMB_ZOOM, THUMB_ZOOM), alpha=False)
            page.get_text("text", flags=pdf.TEXT_FLAGS)
            for link in page.get_links():
                kind = link.get("kind")
                url = link.get("uri") or ""
                if kind == pymupdf.LINK_URI and is_safe_url(url):
                    r = pymupdf.Rect(link["from"]) * page.rotation_matrix
                    links.append(Link(index, tuple(r), url))
                elif kind == pymupdf.LINK_URI:
                    ignored.add("links to other than web or mail addresses")
                elif kind == pymupdf.LINK_LAUNCH:
                    ignored.add("Launch actions (to start programs)")
                elif kind in (pymupdf.LINK_GOTOR,):
                    ignored.add("links to other files")
        except MemoryError:
            raise
        except Exception as exc:  # MuPDF refused this page; the others may still be fine
            if any(m in str(exc).lower() for m in _MEMORY_ERRORS):
                raise MemoryError from None
            unreadable.append(index)
    # MuPDF recovers from some allocation failures and from the bombs it detects itself
    # (falling back to a substitute font, say): what it logged still decides
    logged = pymupdf.TOOLS.mupdf_warnings(reset=True).lower()
    if any(m in logged for m in _MEMORY_ERRORS):
        raise MemoryError
    if "compression bomb" in logged:
        return ProbeReport(
            refusal=f"{name} was not opened: it contains a decompression bomb (a few bytes "
            "that expand to hundreds of megabytes)."
        )
    if count and len(unreadable) == checked == count:
        return ProbeReport(refusal=f"{name} is damaged: none of its {count} pages can be read.")
    return ProbeReport(
        page_count=count,
        pages_checked=checked,
        repaired=repaired,
        unreadable_pages=tuple(unreadable),
        links=tuple(links),
        ignored=tuple(sorted(ignored)),
        seconds=time.monotonic() - started,
    )


_ACTIVE = {
    "/JS": "JavaScript",
    "/JavaScript": "JavaScript",
    "/Launch": "Launch actions (to start programs)",
    "/EmbeddedFile": "embedded files",
    "/EmbeddedFiles": "embedded files",
    "/RichMedia": "multimedia",
    "/SubmitForm": "form submission actions",
    "/ImportData": "form data import actions",
}


def _document_level_actions(doc: pymupdf.Document) -> list[str]:
    """Active content anywhere in the file, found by scanning object dictionaries (cheap,
    never executing anything). Used only to tell the user what was ignored."""
    found: set[str] = set()
    try:
        if doc.embfile_count():
            found.add("embedded files")
        limit = min(doc.xref_length(), 20_000)  # a bound for absurd files
        for xref in range(1, limit):
            try:
                obj = doc.xref_object(xref, compressed=True)
            except Exception:
                continue
            if len(obj) > 4096:
                obj = obj[:4096]
            for key, label in _ACTIVE.items():
                if key in obj:
                    found.add(label)
    except Exception:
        pass  # a damaged xref: the page checks still decide
    return sorted(found)
