"""Regression test for the PySide6 6.12.0 crash on Python 3.11 (issue 2).

PySide6 6.12.0 drops one reference to ``None`` on every call of a void Qt method; after a
few thousand calls Python 3.11 aborts with ``Fatal Python error: none_dealloc``. The pin
in pyproject.toml keeps that version out; this test fails loudly if it ever comes back.
"""

from __future__ import annotations

import sys

import pytest

CALLS = 10_000


@pytest.mark.skipif(
    sys.version_info >= (3, 12),
    reason="None is immortal on Python >= 3.12 (PEP 683): its refcount cannot drift",
)
def test_void_qt_calls_do_not_leak_references_to_none() -> None:
    from PySide6.QtCore import QObject

    obj = QObject()
    obj.setObjectName("warm-up")  # first-call caches are not a leak
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        obj.setObjectName("x")  # a void method: returns None to Python
    drift = sys.getrefcount(None) - before
    # 6.12.0 drifts by -CALLS; a healthy binding stays within a few references
    assert abs(drift) < 100, f"refcount of None drifted by {drift} over {CALLS} void calls"
