"""The user's preferences: one typed, versioned JSON file in the user config folder.

Window geometry and dock layout stay in QSettings (Qt's own format for them); everything
the app decides with lives here, so the core and the CLI can read it without Qt.
Writes are atomic (temp file + ``os.replace``): a crash never leaves half a file.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from imr_desktop import paths

SETTINGS_VERSION = 1
MAX_RECENT = 10


def _default_annotator() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some sandboxes and services
        return "annotator"


@dataclass(slots=True)
class Settings:
    version: int = SETTINGS_VERSION
    annotator: str = field(default_factory=_default_annotator)
    annotator_confirmed: bool = False  # False until the user has seen the first-run prompt
    recent_files: list[str] = field(default_factory=list)
    theme: str = "system"  # system | light | dark
    font_size: float = 0.0  # 0 = system default
    shortcuts: dict[str, str] = field(default_factory=dict)  # action id -> key sequence

    def add_recent(self, path: str | Path) -> None:
        path = str(Path(path).resolve())
        self.recent_files = [path] + [p for p in self.recent_files if p != path]
        del self.recent_files[MAX_RECENT:]


def settings_path() -> Path:
    return paths.config_dir() / "settings.json"


def load_settings(path: Path | None = None) -> Settings:
    """Read settings; a missing or damaged file gives defaults (the damaged one is kept)."""
    path = path or settings_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            path.replace(path.with_suffix(".damaged.json"))
        return Settings()
    if not isinstance(raw, dict):
        return Settings()
    known = {f.name: f for f in fields(Settings)}
    values = {k: v for k, v in raw.items() if k in known and k != "version"}
    settings = Settings()
    for key, value in values.items():
        default = getattr(settings, key)
        # keep a value only if it has the type we expect; a bad one falls back to default
        if isinstance(default, bool) != isinstance(value, bool):
            continue
        if isinstance(default, float) and isinstance(value, int):
            value = float(value)
        if type(value) is type(default):
            setattr(settings, key, value)
    return settings


def save_settings(settings: Settings, path: Path | None = None) -> None:
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(settings), indent=2), encoding="utf-8")
    os.replace(tmp, path)
