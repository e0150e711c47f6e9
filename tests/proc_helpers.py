"""Running IMR Desktop as a separate process in tests: where it is, and an environment
with offscreen Qt and throw-away user folders."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "samples" / "sample-determination.pdf"


def child_env(base: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        IMR_DESKTOP_DATA_DIR=str(base / "data"),
        IMR_DESKTOP_CONFIG_DIR=str(base / "config"),
        PYTHONPATH=str(ROOT),
    )
    return env
