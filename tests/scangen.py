"""Scanned-letter PDFs made at test time from born-digital ones (nothing committed).

``fax_bytes`` turns a letter into what a fax or office scanner sends back: every page
rendered at 200 dpi in grey, turned 1–2°, with sensor noise and specks, JPEG-compressed
and wrapped into an image-only PDF of the same page size. ``scan_bytes`` is the clean
version (no turn, no noise) for quick GUI tests. Deterministic for a given seed.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pymupdf

FAX_DPI = 200
NOISE_SIGMA = 10.0  # grey levels of sensor noise
SPECKS = 0.0005  # share of pixels turned black or white (dust, toner)
JPEG_QUALITY = 60


def _image_pdf(pages: list[tuple[pymupdf.Rect, bytes]]) -> bytes:
    out = pymupdf.open()
    for rect, jpeg in pages:
        page = out.new_page(width=rect.width, height=rect.height)
        page.insert_image(page.rect, stream=jpeg)
    data = out.tobytes(garbage=3, deflate=True)
    out.close()
    return data


def fax_bytes(
    source: bytes,
    seed: int = 7,
    dpi: int = FAX_DPI,
    transforms: list[pymupdf.Matrix] | None = None,
) -> bytes:
    """An image-only, fax-like copy of ``source`` (see the module docstring).

    ``transforms``, when given, receives per page the matrix that maps a point of the
    source page onto the fax page (where its ink ended up), for geometry tests."""
    rng = np.random.default_rng(seed)
    pages: list[tuple[pymupdf.Rect, bytes]] = []
    with pymupdf.open(stream=source, filetype="pdf") as doc:
        for page in doc:
            angle = float(rng.uniform(1.0, 2.0) * rng.choice([-1, 1]))
            zoom = dpi / 72
            # rotating in the render matrix turns the page about its origin and grows the
            # pixmap; the page-sized middle is cut out again below
            pix = page.get_pixmap(
                matrix=pymupdf.Matrix(zoom, zoom).prerotate(angle),
                colorspace=pymupdf.csGRAY,
                alpha=False,
            )
            grey = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.stride)
            grey = grey[:, : pix.width].astype(np.float32)
            w, h = round(page.rect.width * zoom), round(page.rect.height * zoom)
            top, left = (grey.shape[0] - h) // 2, (grey.shape[1] - w) // 2
            if transforms is not None:
                m = pymupdf.Matrix(zoom, zoom).prerotate(angle)
                m.e -= pix.x + left  # pixmap origin, then the crop
                m.f -= pix.y + top
                transforms.append(m * pymupdf.Matrix(1 / zoom, 1 / zoom))
            grey = grey[top : top + h, left : left + w]
            grey += rng.normal(0.0, NOISE_SIGMA, grey.shape)
            specks = rng.random(grey.shape)
            grey[specks < SPECKS / 2] = 0
            grey[specks > 1 - SPECKS / 2] = 255
            img = np.clip(grey, 0, 255).astype(np.uint8)
            gray = pymupdf.Pixmap(pymupdf.csGRAY, w, h, img.tobytes(), 0)
            pages.append((page.rect, gray.tobytes("jpeg", jpg_quality=JPEG_QUALITY)))
    return _image_pdf(pages)


def scan_bytes(source: bytes, dpi: int = FAX_DPI) -> bytes:
    """A clean image-only copy of ``source`` at ``dpi`` (straight, no noise)."""
    pages: list[tuple[pymupdf.Rect, bytes]] = []
    with pymupdf.open(stream=source, filetype="pdf") as doc:
        for page in doc:
            pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False)
            pages.append((page.rect, pix.tobytes("jpeg", jpg_quality=85)))
    return _image_pdf(pages)


def encrypted_scan_bytes(source: bytes, user_pw: str, owner_pw: str) -> bytes:
    """``scan_bytes`` of ``source`` that opens only with ``user_pw`` (AES-256)."""
    with pymupdf.open(stream=scan_bytes(source), filetype="pdf") as doc:
        return doc.tobytes(
            encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw=user_pw, owner_pw=owner_pw
        )


@functools.cache
def fax_with_transforms(path: Path, seed: int = 7) -> tuple[bytes, tuple[pymupdf.Matrix, ...]]:
    """``fax_bytes`` of a file and its per-page transforms, built once per test process."""
    transforms: list[pymupdf.Matrix] = []
    data = fax_bytes(path.read_bytes(), seed, transforms=transforms)
    return data, tuple(transforms)


def fax_of(path: Path, seed: int = 7) -> bytes:
    return fax_with_transforms(path, seed)[0]


def word_recovery(reference: str, recognised: str) -> float:
    """Share of the reference's words (whitespace-separated, punctuation included, case
    kept) found in the recognised text, compared as multisets."""
    from collections import Counter

    want, got = Counter(reference.split()), Counter(recognised.split())
    total = sum(want.values())
    return sum((want & got).values()) / total if total else 1.0
