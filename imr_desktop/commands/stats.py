"""``imr-desktop stats --db DB [--json]``: the figures of the statistics view.

``--json`` prints one object with at least ``"documents"``, ``"annotations"`` and
``"items"`` (counts), then annotations per label, per annotator and per day, and
uphold/overturn counts and rates by treatment category, specialty and guideline source
(see ``imr_desktop.core.library.stats``). Without it, a readable summary. The library
columns of letters saved by the GUI since the last look are brought up to date first
when the database is writable. Qt is never imported.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from imr_desktop.commands._common import fail, open_store
from imr_desktop.core.errors import UserFacingError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", required=True, metavar="DB", help="library database")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")


def run(args: argparse.Namespace) -> int:
    from imr_desktop.core.library import derive, stats

    try:
        store = open_store(args.db, read_only=False)  # falls back to read-only by itself
        try:
            derive.sync(store)
            stale = derive.stale_count(store)
            figures = stats.compute(store)
        finally:
            store.close()
    except UserFacingError as exc:
        return fail(str(exc))
    if stale:
        print(
            f"imr-desktop stats: {stale} letters have out-of-date library columns "
            "(the database is read-only); their categories and outcomes are left out.",
            file=sys.stderr,
        )
    if args.json:
        json.dump(figures, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(readable(figures))
    return 0


def readable(f: dict[str, Any]) -> str:
    out = [
        f"{f['documents']} letters, {f['items']} disputed items, {f['annotations']} "
        f"annotations ({f['suggestions_pending']} suggestions pending)",
        "status: " + ", ".join(f"{k} {v}" for k, v in f["statuses"].items()),
        "final outcome: " + ", ".join(f"{k} {v}" for k, v in f["final_outcomes"].items()),
    ]
    if f["annotations_per_label"]:
        out.append("annotations per label:")
        out += [f"  {r['annotations']:>7}  {r['label']}" for r in f["annotations_per_label"]]
    if f["annotations_per_annotator"]:
        out.append("annotations per annotator:")
        out += [
            f"  {r['annotations']:>7}  {r['annotator'] or '(unnamed)'}"
            for r in f["annotations_per_annotator"]
        ]
    for key, title, name in (
        ("outcomes_by_category", "treatment category", "name"),
        ("outcomes_by_specialty", "specialty", "specialty"),
        ("outcomes_by_guideline_source", "guideline source", "source"),
    ):
        if f[key]:
            out.append(f"by {title}: items, upheld, overturned, overturn rate")
            out += [
                f"  {r['items']:>7} {r['upheld']:>7} {r['overturned']:>7}  "
                f"{_pct(r['overturn_rate']):>6}  {r[name]}"
                for r in f[key]
            ]
    return "\n".join(out) + "\n"


def _pct(rate: float | None) -> str:
    return "-" if rate is None else f"{100 * rate:.1f}%"
