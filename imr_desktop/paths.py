"""Where things live: bundled resources, user data and config.

One helper for resources that works from a checkout (``resources/`` at the top), an
installed wheel (``imr_desktop/resources``) and a frozen PyInstaller bundle
(``sys._MEIPASS/resources``). ``IMR_DESKTOP_DATA_DIR`` / ``IMR_DESKTOP_CONFIG_DIR``
override the user directories (tests, portable installs).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from imr_desktop import APP_ID


def resources_dir() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    candidates = []
    if frozen:
        candidates.append(Path(frozen) / "resources")
    here = Path(__file__).resolve().parent
    candidates += [here / "resources", here.parent / "resources"]
    for candidate in candidates:
        if (candidate / "samples").is_dir():
            return candidate
    raise FileNotFoundError("IMR Desktop's resources folder is missing from this installation")


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def sample_letter() -> Path:
    return resource("samples", "sample-determination.pdf")


def data_dir() -> Path:
    override = os.environ.get("IMR_DESKTOP_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_ID, appauthor=False))


def config_dir() -> Path:
    override = os.environ.get("IMR_DESKTOP_CONFIG_DIR")
    if override:
        return Path(override)
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_ID, appauthor=False))


def default_database() -> Path:
    return data_dir() / "imr-desktop.sqlite"
