"""The user's preferences: one typed, versioned JSON file in the user config folder.

Window geometry and dock layout stay in QSettings (Qt's own format for them); everything
the app decides with lives here, so the core and the CLI can read it without Qt.
Writes are atomic (temp file + ``os.replace``): a crash never leaves half a file.

Versions: a file is migrated step by step (``MIGRATIONS[n]`` turns version n into n+1)
before it is read. A file from a newer IMR Desktop is read as far as it is understood,
and keys this version does not know are written back unchanged, so going back to an
older version and forward again loses nothing.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from imr_desktop import paths

SETTINGS_VERSION = 2
MAX_RECENT = 10
THEMES = ("system", "light", "dark")
FONT_SIZE_RANGE = (6.0, 32.0)  # points; 0 = the system's size
BACKUP_COUNT_MAX = 1000


def _default_annotator() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some sandboxes and services
        return "annotator"


@dataclass(slots=True)
class BackupSettings:
    """How many automatic backups of the database to keep (recent + daily + weekly, as
    Anki does) and where; ``folder`` "" means ``backups/`` beside the database, the
    default of ``core.backup``. The counts are those of ``core.backup.Retention``."""

    keep_recent: int = 10  # at least 1: the newest backup is always kept
    keep_daily: int = 7
    keep_weekly: int = 8
    folder: str = ""

    def folder_for(self, db_path: str | Path) -> Path:
        from imr_desktop.core.backup import backup_folder

        return backup_folder(db_path, Path(self.folder).expanduser() if self.folder else None)

    def retention(self):  # type: ignore[no-untyped-def]
        from imr_desktop.core.backup import Retention

        return Retention(self.keep_recent, self.keep_daily, self.keep_weekly)


@dataclass(slots=True)
class Settings:
    version: int = SETTINGS_VERSION
    annotator: str = field(default_factory=_default_annotator)
    annotator_confirmed: bool = False  # False until the user has seen the first-run prompt
    recent_files: list[str] = field(default_factory=list)
    theme: str = "system"  # system | light | dark
    font_size: float = 0.0  # 0 = system default
    shortcuts: dict[str, str] = field(default_factory=dict)  # action id -> key sequence
    backups: BackupSettings = field(default_factory=BackupSettings)
    # keys written by a newer version, kept so they survive a save by this one
    unknown: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def add_recent(self, path: str | Path) -> None:
        path = str(Path(path).resolve())
        self.recent_files = [path] + [p for p in self.recent_files if p != path]
        del self.recent_files[MAX_RECENT:]


def _v1_to_v2(raw: dict[str, Any]) -> dict[str, Any]:
    # version 2 added the backup retention; version 1 files had no such key
    raw.setdefault("backups", asdict(BackupSettings()))
    return raw


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2}


def migrate(raw: dict[str, Any]) -> dict[str, Any]:
    """Bring a settings dict up to ``SETTINGS_VERSION`` (a newer one is left as it is)."""
    version = raw.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        version = 1
    while version < SETTINGS_VERSION:
        raw = MIGRATIONS[version](dict(raw))
        version += 1
    raw["version"] = max(version, SETTINGS_VERSION)
    return raw


def settings_path() -> Path:
    return paths.config_dir() / "settings.json"


def _coerce(default: Any, value: Any) -> Any:
    """``value`` if it has the type of ``default`` (int accepted for float), else default."""
    if isinstance(default, bool) != isinstance(value, bool):
        return default
    if isinstance(default, float) and isinstance(value, int):
        return float(value)
    return value if type(value) is type(default) else default


def _load_backups(value: Any) -> BackupSettings:
    backups = BackupSettings()
    if not isinstance(value, dict):
        return backups
    for f in fields(BackupSettings):
        if f.name in value:
            setattr(backups, f.name, _coerce(getattr(backups, f.name), value[f.name]))
    for name, low in (("keep_recent", 1), ("keep_daily", 0), ("keep_weekly", 0)):
        if not low <= getattr(backups, name) <= BACKUP_COUNT_MAX:
            setattr(backups, name, getattr(BackupSettings(), name))
    return backups


def _sane(settings: Settings) -> Settings:
    """Values of the right type can still be out of range: fall back to defaults."""
    default = Settings()
    if settings.theme not in THEMES:
        settings.theme = default.theme
    low, high = FONT_SIZE_RANGE
    if settings.font_size != 0 and not low <= settings.font_size <= high:
        settings.font_size = default.font_size
    if not settings.annotator.strip():
        settings.annotator = default.annotator
    settings.shortcuts = {
        k: v for k, v in settings.shortcuts.items() if isinstance(k, str) and isinstance(v, str)
    }
    settings.recent_files = [p for p in settings.recent_files if isinstance(p, str)]
    return settings


def from_dict(raw: dict[str, Any]) -> Settings:
    """Settings from a parsed file of any version; bad values fall back to defaults."""
    raw = migrate(dict(raw))
    settings = Settings()
    known = {f.name for f in fields(Settings)} - {"version", "unknown"}
    for key, value in raw.items():
        if key == "version":
            settings.version = value  # migrate() made it an int >= SETTINGS_VERSION
        elif key not in known:
            settings.unknown[key] = value
        elif key == "backups":
            settings.backups = _load_backups(value)
        else:
            setattr(settings, key, _coerce(getattr(settings, key), value))
    return _sane(settings)


def to_dict(settings: Settings) -> dict[str, Any]:
    data = asdict(settings)
    unknown = data.pop("unknown")
    # a newer file keeps its number: this version wrote only keys it understands
    data["version"] = max(settings.version, SETTINGS_VERSION)
    return {**unknown, **data}


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
    return from_dict(raw)


def save_settings(settings: Settings, path: Path | None = None) -> None:
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(to_dict(settings), indent=2), encoding="utf-8")
    os.replace(tmp, path)
