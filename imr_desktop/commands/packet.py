"""``imr-desktop packet``: an annotated case packet PDF (or ZIP) for some documents."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from imr_desktop.commands._common import fail, open_store
from imr_desktop.core.errors import UserFacingError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", required=True, metavar="DB", help="annotation database")
    parser.add_argument(
        "documents",
        nargs="+",
        metavar="DOCUMENT",
        help="a letter's path, its case number (CM16-0219557) or its sha256",
    )
    parser.add_argument("--out", required=True, metavar="PATH", help="packet PDF (or ZIP)")
    parser.add_argument(
        "--include-suggestions", action="store_true", help="also highlight suggestions"
    )
    parser.add_argument(
        "--zip",
        action="store_true",
        help="write a ZIP holding the packet, the JSONL records and the original files",
    )


def run(args: argparse.Namespace) -> int:
    from imr_desktop.core.exports.packet import write_packet
    from imr_desktop.core.exports.records import resolve_documents

    try:
        store = open_store(args.db, read_only=True)
        try:
            shas = resolve_documents(store, args.documents)
            # a path given on the command line is where the source is now, whatever
            # path the database remembers
            paths = {}
            for ref in args.documents:
                p = Path(ref).expanduser()
                if p.is_file():
                    from imr_desktop.core.document import read_source

                    paths[read_source(p).sha256] = p
            result = write_packet(
                store,
                shas,
                args.out,
                include_suggestions=args.include_suggestions,
                as_zip=args.zip,
                paths=paths,
            )
        finally:
            store.close()
    except UserFacingError as exc:
        return fail(str(exc))
    orphans = result.report.orphans
    print(
        f"wrote {result.paths[0]}: {result.documents} document(s), {result.pages} pages, "
        f"{result.highlights} highlights"
        + (f", {orphans} not placed (listed on the summary page)" if orphans else ""),
        file=sys.stderr,
    )
    for message in result.report.messages[:10]:
        print(f"  {message}", file=sys.stderr)
    return 0
