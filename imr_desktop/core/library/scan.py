"""Which files an import reads: the files named, and the letters inside folders.

Inside folders only ``.pdf`` and ``.txt`` files are taken (a folder of letters also holds
spreadsheets, images and ``.DS_Store``), hidden files and folders are skipped, and
symbolic links are followed except into a folder already visited (a link loop, or two
links to one folder). A file reached twice (two links) is read once. A folder that cannot
be listed is reported and the walk goes on. Files named explicitly are always taken,
whatever their extension: the reader decides what they are by their content.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

LETTER_EXTENSIONS = (".pdf", ".txt")


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    reason: str


@dataclass(slots=True)
class ScanResult:
    files: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ignored: int = 0  # files inside folders that are not letters by name, hidden, special
    repeated: int = 0  # the same file or folder reached a second time (links)


def scan(
    paths: Iterable[str | Path], extensions: tuple[str, ...] = LETTER_EXTENSIONS
) -> ScanResult:
    out = ScanResult()
    seen_files: set[tuple[int, int]] = set()
    seen_dirs: set[tuple[int, int]] = set()
    for given in paths:
        path = os.path.abspath(os.fspath(given))
        try:
            st = os.stat(path)
        except FileNotFoundError:
            reason = "broken link" if os.path.islink(path) else "file not found"
            out.problems.append(Problem(path, reason))
            continue
        except OSError as exc:
            out.problems.append(Problem(path, _why(exc)))
            continue
        if stat.S_ISDIR(st.st_mode):
            _walk(path, extensions, out, seen_files, seen_dirs)
        elif _first_time(st, seen_files):
            out.files.append(path)  # named explicitly: the reader judges its content
        else:
            out.repeated += 1
    return out


def _walk(
    root: str,
    extensions: tuple[str, ...],
    out: ScanResult,
    seen_files: set[tuple[int, int]],
    seen_dirs: set[tuple[int, int]],
) -> None:
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            st = os.stat(folder)
        except OSError as exc:
            out.problems.append(Problem(folder, _why(exc)))
            continue
        if not _first_time(st, seen_dirs):
            out.repeated += 1  # a link loop or a second link to a folder already read
            continue
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            out.problems.append(Problem(folder, _why(exc, "cannot list this folder")))
            continue
        subfolders: list[str] = []
        for entry in entries:
            if entry.name.startswith("."):
                out.ignored += 1
                continue
            try:
                is_dir = entry.is_dir()  # follows links
                is_file = not is_dir and entry.is_file()
            except OSError:
                is_dir = is_file = False
            if is_dir:
                subfolders.append(entry.path)
            elif not entry.name.lower().endswith(extensions):
                out.ignored += 1
            elif not is_file:
                if entry.is_symlink() and not os.path.exists(entry.path):
                    out.problems.append(Problem(entry.path, "broken link"))
                else:
                    out.ignored += 1  # a FIFO or device named .pdf: never opened
            else:
                try:
                    fst = entry.stat()
                except OSError as exc:
                    out.problems.append(Problem(entry.path, _why(exc)))
                    continue
                if _first_time(fst, seen_files):
                    out.files.append(entry.path)
                else:
                    out.repeated += 1
        stack.extend(reversed(subfolders))  # depth-first, in name order


def _first_time(st: os.stat_result, seen: set[tuple[int, int]]) -> bool:
    key = (st.st_dev, st.st_ino)
    if key in seen:
        return False
    seen.add(key)
    return True


def _why(exc: OSError, what: str = "") -> str:
    if isinstance(exc, PermissionError):
        return f"permission denied{': ' + what if what else ''}"
    return f"{what + ': ' if what else ''}{exc.strerror or exc}"
