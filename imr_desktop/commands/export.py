"""``imr-desktop export``: annotations as training data (JSONL, spaCy, CoNLL, ...)."""

from __future__ import annotations

import argparse
import sys

from imr_desktop.commands._common import Progress, fail, open_store, print_problems
from imr_desktop.core.errors import UserFacingError

FORMAT_NAMES = ("jsonl", "spacy", "conll", "hf-tokens", "labelstudio", "webanno", "csv")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", required=True, metavar="DB", help="annotation database")
    parser.add_argument("--format", required=True, choices=FORMAT_NAMES)
    parser.add_argument(
        "--out",
        required=True,
        metavar="PATH",
        help="output file; with --split, x.jsonl becomes x.train.jsonl, x.dev.jsonl, x.test.jsonl",
    )
    parser.add_argument(
        "--include-suggestions",
        action="store_true",
        help="also export suggested (not yet accepted) annotations",
    )
    parser.add_argument(
        "--split",
        metavar="TRAIN/DEV/TEST",
        help="deterministic split by document hash, e.g. 80/10/10 or 90/10",
    )
    parser.add_argument(
        "--deidentify",
        action="store_true",
        help="replace dates, case numbers and redaction gaps by placeholders "
        "(offsets are shifted to match)",
    )
    parser.add_argument(
        "--document",
        nargs="+",
        metavar="SHA_OR_PATH",
        help="export only these documents (sha256, path or case number); default: all",
    )


def run(args: argparse.Namespace) -> int:
    from imr_desktop.core.exports import export
    from imr_desktop.core.exports.records import resolve_documents

    progress = Progress("exported")
    try:
        store = open_store(args.db, read_only=True)
        try:
            documents = resolve_documents(store, args.document) if args.document else None
            result = export(
                store,
                args.format,
                args.out,
                include_suggestions=args.include_suggestions,
                split=args.split,
                deidentify=args.deidentify,
                documents=documents,
                progress=progress,
            )
        finally:
            store.close()
    except UserFacingError as exc:
        progress.finish()
        return fail(str(exc))
    progress.finish()
    report = result.report
    where = ", ".join(str(p) for p in result.paths)
    skipped = ""
    if report.orphans:
        # never exported as if placed: their offsets point into an older text
        skipped = (
            f"; skipped {report.orphans} not placed in their letter's text "
            "(re-attach them in IMR Desktop)"
        )
    print(
        f"exported {report.spans} annotations of {report.documents} documents to {where}" + skipped,
        file=sys.stderr,
    )
    if report.problem_count:
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(report.problems.items()))
        print(f"{report.problem_count} problems ({kinds}):", file=sys.stderr)
        print_problems(report.messages, report.problems)
    return 0
