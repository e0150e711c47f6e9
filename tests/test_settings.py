"""The settings file: round trip, migration from version 1, bad values, newer files."""

from __future__ import annotations

import json
from pathlib import Path

from imr_desktop.core import settings as settings_mod
from imr_desktop.core.settings import (
    SETTINGS_VERSION,
    BackupSettings,
    Settings,
    load_settings,
    save_settings,
)

# A file as version 0.1.0 of IMR Desktop wrote it (settings version 1, no backups key).
VERSION_1_FILE = {
    "version": 1,
    "annotator": "maria",
    "annotator_confirmed": True,
    "recent_files": ["/letters/a.pdf"],
    "theme": "dark",
    "font_size": 11,
    "shortcuts": {"find": "Ctrl+K"},
}


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    original = Settings(
        annotator="ana",
        annotator_confirmed=True,
        theme="light",
        font_size=12.5,
        shortcuts={"undo": "Ctrl+U"},
        backups=BackupSettings(keep_recent=3, keep_daily=2, keep_weekly=1, folder="/b"),
    )
    save_settings(original, path)
    assert load_settings(path) == original
    assert json.loads(path.read_text())["version"] == SETTINGS_VERSION


def test_migration_from_version_1(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(VERSION_1_FILE))
    loaded = load_settings(path)
    assert SETTINGS_VERSION == 2
    assert loaded.version == SETTINGS_VERSION
    assert (loaded.annotator, loaded.theme, loaded.font_size) == ("maria", "dark", 11.0)
    assert loaded.annotator_confirmed is True
    assert loaded.shortcuts == {"find": "Ctrl+K"}
    assert loaded.backups == BackupSettings()  # the new section, with its defaults
    save_settings(loaded, path)
    written = json.loads(path.read_text())
    assert written["version"] == 2
    assert written["backups"] == {
        "keep_recent": 10,
        "keep_daily": 7,
        "keep_weekly": 8,
        "folder": "",
    }


def test_a_file_without_version_is_version_1(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({k: v for k, v in VERSION_1_FILE.items() if k != "version"}))
    assert load_settings(path).backups == BackupSettings()


def test_every_migration_step_exists() -> None:
    assert sorted(settings_mod.MIGRATIONS) == list(range(1, SETTINGS_VERSION))


def test_bad_values_fall_back_to_defaults(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(
        json.dumps(
            {
                "version": 2,
                "annotator": "   ",
                "theme": "purple",
                "font_size": 300,
                "annotator_confirmed": "yes",
                "shortcuts": {"find": 5, "undo": "Ctrl+U"},
                "backups": {"keep_recent": -1, "keep_daily": "7", "keep_weekly": 2},
            }
        )
    )
    loaded = load_settings(path)
    default = Settings()
    assert loaded.annotator == default.annotator
    assert loaded.theme == "system"
    assert loaded.font_size == 0.0
    assert loaded.annotator_confirmed is False
    assert loaded.shortcuts == {"undo": "Ctrl+U"}
    assert loaded.backups == BackupSettings(keep_weekly=2)


def test_a_newer_file_keeps_what_this_version_does_not_know(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"version": 7, "theme": "dark", "sync": {"server": "x"}}))
    loaded = load_settings(path)
    assert loaded.theme == "dark"
    save_settings(loaded, path)
    written = json.loads(path.read_text())
    assert written["sync"] == {"server": "x"}
    assert written["version"] == 7  # not re-migrated by the newer version later


def test_damaged_file_is_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("{not json")
    assert load_settings(path) == Settings(annotator=Settings().annotator)
    assert (tmp_path / "settings.damaged.json").read_text() == "{not json"


def test_backup_settings_drive_the_backup_engine(tmp_path: Path) -> None:
    from imr_desktop.core.backup import Retention

    db = tmp_path / "work" / "a.sqlite"
    assert BackupSettings().folder_for(db) == tmp_path / "work" / "backups"  # the engine's
    assert BackupSettings(folder="/x/y").folder_for(db) == Path("/x/y")
    assert BackupSettings().retention() == Retention()  # same defaults in both places
    assert BackupSettings(3, 2, 1).retention() == Retention(3, 2, 1)


def test_keep_recent_is_at_least_one(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"version": 2, "backups": {"keep_recent": 0, "keep_daily": 0}}))
    loaded = load_settings(path)
    assert loaded.backups.keep_recent == 10  # 0 would keep no backup at all
    assert loaded.backups.keep_daily == 0
    loaded.backups.retention()  # the engine accepts it
