"""--selftest counts from process start: the start time must not run ahead of reality."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

CODE = (
    "import time; from imr_desktop.ui.app import process_start_time; "
    "print(time.time() - process_start_time())"
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_process_age_is_within_the_measured_lifetime() -> None:
    # The child's own idea of its age can never exceed the time we saw it run. Reading
    # /proc/stat's whole-second btime made it up to a second too old.
    for _ in range(3):
        before = time.time()
        out = subprocess.run(
            [sys.executable, "-c", CODE], capture_output=True, text=True, check=True
        )
        lifetime = time.time() - before
        age = float(out.stdout)
        assert 0 <= age <= lifetime + 0.02, (age, lifetime)
