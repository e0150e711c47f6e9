"""``imr-desktop restore [--db DB] [--folder DIR] (BACKUP | --latest)``.

Replaces the database with a backup after checking it. The current database is backed
up first (or set aside as ``<name>.damaged-<time>`` when it is itself damaged), and the
line printed says where it went. ``--latest`` takes the newest backup that passes its
check and says which damaged ones it skipped. Errors are one line on stderr and exit
status 1; a damaged backup is never restored. Qt is never imported.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from imr_desktop.commands.backup import database, error_message
from imr_desktop.core.errors import UserFacingError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("backup", nargs="?", metavar="BACKUP", help="the backup file to restore")
    which.add_argument(
        "--latest", action="store_true", help="restore the newest backup that passes its check"
    )
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="annotation database (default: imr-desktop.sqlite in the user data folder)",
    )
    parser.add_argument(
        "--folder", metavar="DIR", help="backup folder (default: backups/ beside the database)"
    )


def run(args: argparse.Namespace) -> int:
    from imr_desktop.core.backup import BackupError, list_backups, restore_backup

    db = database(args)
    try:
        if args.latest:
            backups = list_backups(db, folder=args.folder)
            good = [b for b in backups if b.ok]
            if not good:
                plural = "s" if len(backups) > 1 else ""
                damaged = f" ({len(backups)} damaged backup{plural} skipped)" if backups else ""
                raise BackupError(f"No usable backup of {db} was found{damaged}.")
            for b in backups[: backups.index(good[0])]:  # newer than the one restored
                print(
                    f"imr-desktop restore: skipping damaged backup {b.path.name}: {b.problem}",
                    file=sys.stderr,
                )
            source = good[0].path
        else:
            source = Path(args.backup)
        previous = restore_backup(source, db, folder=args.folder)
    except (UserFacingError, OSError) as exc:
        print(f"imr-desktop restore: {error_message(exc)}", file=sys.stderr)
        return 1
    print(f"Restored {db} from {source}.")
    if previous is not None:
        print(f"The database it replaced was saved as {previous}.")
    return 0
