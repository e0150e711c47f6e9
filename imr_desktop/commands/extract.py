"""``imr-desktop extract FILE... [--json]``: print the structure of letters.

With ``--json``: one JSON array, a record per readable file, ``"source"`` first (the path as
given), then the fields of ``LetterStructure.to_dict()`` with the whole ``"rationale"`` of
each item. Without it: a short readable summary per file. A file that cannot be read is
reported on stderr in one line and skipped; the exit status is then 1. Qt is never imported.

Files come from anywhere, so this process never parses one: worker processes do, each
under a memory cap, and a file that takes longer than ``--time-limit`` seconds is given
up (its worker killed and replaced) while the others go on (``core.structure.batch``).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="letters (PDF or UTF-8 text)")
    parser.add_argument("--json", action="store_true", help="print one JSON array of records")
    parser.add_argument(
        "--password", metavar="PW", help="password for encrypted PDFs (same for all files)"
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=None,
        metavar="SECONDS",
        help="give up on a file that takes longer than this to read (default 30)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="reader processes (default: one per 250 files, at most one per CPU and 4)",
    )


def run(args: argparse.Namespace) -> int:
    from imr_desktop.core.structure.batch import TIME_LIMIT, extract_paths
    from imr_desktop.core.structure.model import NO_TEXT_WARNING

    if args.workers is not None and args.workers < 1:
        return _fail("--workers must be at least 1")
    time_limit = TIME_LIMIT if args.time_limit is None else args.time_limit
    if time_limit <= 0:
        return _fail("--time-limit must be more than 0 seconds")
    failed = 0
    records: list[dict[str, Any]] = []
    for done in extract_paths(
        args.files, password=args.password, workers=args.workers, time_limit=time_limit
    ):
        path, rec = done.path, done.record
        if rec is None:
            failed += 1
            print(f"imr-desktop extract: {path}: {done.error}", file=sys.stderr)
            continue
        if NO_TEXT_WARNING in rec["warnings"]:
            print(
                f"imr-desktop extract: {path}: no text layer (a scan? OCR it first)",
                file=sys.stderr,
            )
        if args.json:
            records.append({"source": path, **rec})
        else:
            sys.stdout.write(summary(path, rec))
            sys.stdout.flush()
    if args.json:
        json.dump(records, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    return 1 if failed else 0


def _fail(message: str) -> int:
    print(f"imr-desktop extract: {message}", file=sys.stderr)
    return 2


def summary(path: str, d: dict[str, Any]) -> str:
    """A readable summary of one record (``LetterStructure.to_dict()``)."""
    out = [f"{path}  [{d['layout']}]"]
    for key, label in (
        ("case_number", "Case number"),
        ("date_assigned", "Date assigned"),
        ("date_of_injury", "Date of injury"),
        ("decision_date", "Decision date"),
        ("ur_denial_date", "UR denial date"),
        ("application_received", "Application received"),
        ("priority", "Priority"),
    ):
        if d.get(key):
            out.append(f"  {label + ':':<22}{d[key]}")
    if d["licensure"]:
        out.append(f"  {'Licensure:':<22}{', '.join(d['licensure'])}")
    if d["specialties"]:
        out.append(f"  {'Specialties:':<22}{', '.join(d['specialties'])}")
    out.append(f"  {'Final outcome:':<22}{d['final_outcome'] or '?'}")
    pad = " " * 17
    for k, item in enumerate(d["items"], 1):
        out.append(f"  {k:>2}. {item['outcome'] or '?':<11}{item['request'] or item['heading']}")
        if item["original_request"]:
            out.append(f"{pad}original: {item['original_request']}")
            out.append(f"{pad}authorized: {item['authorized']}")
        sources = sorted({c["source"] for c in d["citations"] if c["item"] == k - 1})
        if sources:
            out.append(f"{pad}guidelines: {', '.join(sources)}")
    for w in d["warnings"]:
        out.append(f"  warning: {w}")
    return "\n".join(out) + "\n\n"
