"""``imr-desktop backup [--db DB] [--list] [--folder DIR] [--reason TEXT]``.

Without ``--list``: back up the database with SQLite's backup API, check the copy, rotate
old backups, and print the new backup's path. With ``--list``: one line per backup,
newest first: time (UTC), size, live annotations, whether it passed its check, path.
Errors (no database, a damaged one, a read-only backup folder) are one line on stderr
and exit status 1. Qt is never imported.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from imr_desktop.core.errors import UserFacingError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="annotation database (default: imr-desktop.sqlite in the user data folder)",
    )
    parser.add_argument("--list", action="store_true", help="list the backups instead")
    parser.add_argument(
        "--folder", metavar="DIR", help="backup folder (default: backups/ beside the database)"
    )
    parser.add_argument(
        "--reason", default="manual", help="word recorded in the backup's name (default: manual)"
    )


def database(args: argparse.Namespace) -> Path:
    """``--db``, or the default database (shared with ``restore``)."""
    from imr_desktop import paths

    return Path(args.db) if args.db else paths.default_database()


def run(args: argparse.Namespace) -> int:
    from imr_desktop.core.backup import list_backups, make_backup

    db = database(args)
    try:
        if args.list:
            backups = list_backups(db, folder=args.folder)
            if not backups:
                print(f"No backups of {db}.")
            for b in backups:
                count = "?" if b.annotations is None else str(b.annotations)
                state = "ok" if b.ok else f"DAMAGED ({b.problem})"
                print(
                    f"{b.time:%Y-%m-%d %H:%M:%S}Z  {_size(b.size):>9}  "
                    f"{count:>6} annotations  {b.reason:<15}  {state}  {b.path}"
                )
        else:
            print(make_backup(db, args.reason, folder=args.folder))
    except (UserFacingError, OSError) as exc:
        print(f"imr-desktop backup: {error_message(exc)}", file=sys.stderr)
        return 1
    return 0


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


def error_message(exc: BaseException) -> str:
    """One line for the user (shared with ``restore``)."""
    if isinstance(exc, OSError):
        return f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": ")
    return str(exc)
