"""Deterministic train/dev/test splits keyed by the document's sha256.

A document's bucket depends only on its own hash, so it stays in its split when the
library grows or is exported again, and no document leaks between splits across exports.
"""

from __future__ import annotations

import hashlib

from imr_desktop.core.exports.base import ExportError

NAMES = {2: ("train", "test"), 3: ("train", "dev", "test")}


def parse_split(spec: str) -> list[tuple[str, float]]:
    """``"80/10/10"`` -> [("train", .8), ("dev", .1), ("test", .1)]; also ``"90/10"``."""
    parts = spec.replace(",", "/").split("/")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        numbers = []
    if len(numbers) not in NAMES or any(n < 0 for n in numbers) or abs(sum(numbers) - 100) > 1e-6:
        raise ExportError(
            f"--split {spec!r}: give two or three percentages that add up to 100, "
            "e.g. 80/10/10 (train/dev/test) or 90/10 (train/test)."
        )
    return [(name, n / 100) for name, n in zip(NAMES[len(numbers)], numbers, strict=True)]


def bucket(document_id: str) -> float:
    """A number in [0, 1) fixed by the document id (salted, so it is not the id's prefix)."""
    digest = hashlib.sha256(b"imr-desktop-split\0" + document_id.encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def assign(document_id: str, split: list[tuple[str, float]]) -> str:
    x = bucket(document_id)
    total = 0.0
    for name, share in split:
        total += share
        if x < total:
            return name
    return split[-1][0]  # rounding at the top end
