"""``imr-desktop import PATH... --db DB``: add letters (files, folders) to the library.

Folders are read recursively (``.pdf`` and ``.txt`` files). A progress line is shown when
stderr is a terminal; at the end, one summary line (imported, skipped as duplicate,
relinked, failed) and one line per failed file with the reason, on stderr. ``--json``
prints the summary as JSON on stdout instead. Exit status 1 when a file failed, 130 when
interrupted (what was read by then is kept). Qt is never imported.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time

from imr_desktop.commands._common import fail
from imr_desktop.core.errors import UserFacingError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="letters or folders of letters")
    parser.add_argument(
        "--db", required=True, metavar="DB", help="library database (created if missing)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="reader processes (default: one per CPU)",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="give up on a file that takes longer than this to read (default 60)",
    )
    parser.add_argument(
        "--any-text",
        action="store_true",
        help="also import readable files in which nothing of an IMR letter is found",
    )
    parser.add_argument(
        "--store-structure",
        action="store_true",
        help="also store each letter's structure JSON (about doubles the database; "
        "it is otherwise re-read in milliseconds when a letter opens)",
    )
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")


def run(args: argparse.Namespace) -> int:
    from imr_desktop.core.library.importer import ImportOptions, import_paths
    from imr_desktop.core.store import Store

    if args.workers is not None and args.workers < 1:
        return fail("--workers must be at least 1")
    options = ImportOptions(
        workers=args.workers,
        time_limit=args.time_limit,
        require_letter=not args.any_text,
        store_structure=args.store_structure,
    )
    line = ProgressLine()
    try:
        store = Store.open(args.db)
        if store.read_only:
            store.close()
            return fail(f"The database {args.db} is read-only; nothing was imported.")
        try:
            summary = import_paths(store, args.paths, options=options, progress=line)
        finally:
            store.close()
    except UserFacingError as exc:
        line.finish()
        return fail(str(exc))
    line.finish()
    if args.json:
        json.dump(
            {
                "total": summary.total,
                "imported": summary.imported,
                "duplicates": summary.duplicates,
                "relinked": summary.relinked,
                "failed": [{"path": p.path, "reason": p.reason} for p in summary.failed],
                "ignored": summary.ignored,
                "cancelled": summary.cancelled,
                "seconds": round(summary.seconds, 3),
            },
            sys.stdout,
            ensure_ascii=False,
            indent=1,
        )
        sys.stdout.write("\n")
    else:
        head, *failures = summary.lines()
        print(f"imr-desktop import: {head} in {summary.seconds:.1f} s", file=sys.stderr)
        for failure in failures:
            print(f"  {failure}", file=sys.stderr)
    if summary.cancelled:
        return 130
    return 1 if summary.failed else 0


class ProgressLine:
    """``read 1200/10000  letters/2016/CM16-0219557.pdf`` rewritten in place on a terminal,
    at most ten times a second."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self._last = 0.0
        self._shown = False

    def __call__(self, done: int, total: int, path: str) -> None:
        now = time.monotonic()
        if not self.enabled or (now - self._last < 0.1 and done < total):
            return
        self._last = now
        self._shown = True
        width = shutil.get_terminal_size((80, 20)).columns
        text = f"read {done}/{total}  {os.path.basename(path)}"
        sys.stderr.write("\r" + text[: width - 1].ljust(width - 1))
        sys.stderr.flush()

    def finish(self) -> None:
        if self._shown:
            sys.stderr.write("\n")
            sys.stderr.flush()
