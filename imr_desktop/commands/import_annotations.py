"""``imr-desktop import-annotations``: read a Label Studio export or our JSONL back."""

from __future__ import annotations

import argparse
import sys

from imr_desktop.commands._common import fail, print_problems
from imr_desktop.core.errors import UserFacingError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", required=True, metavar="DB", help="annotation database")
    parser.add_argument("file", metavar="FILE", help="the export to import")
    parser.add_argument("--format", required=True, choices=("labelstudio", "jsonl"))


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from imr_desktop.core.exports.importers import import_annotations
    from imr_desktop.core.store import Store

    created = not Path(args.db).exists()
    try:
        # a new database is created: importing into one restores a colleague's export
        store = Store.open(args.db)
        if created:
            print(f"created the database {args.db}", file=sys.stderr)
        try:
            result = import_annotations(store, args.file, args.format)
        finally:
            store.close()
    except UserFacingError as exc:
        return fail(str(exc))
    print(
        f"imported {result.annotations} annotations into {result.documents} documents "
        f"({result.documents_created} new documents, {result.unchanged} already there"
        + (f", new labels: {', '.join(result.labels_created)}" if result.labels_created else "")
        + ")",
        file=sys.stderr,
    )
    report = result.report
    if report.problem_count:
        print(f"{report.problem_count} not imported:", file=sys.stderr)
        print_problems(report.messages, report.problems)
    return 0
