"""Command line entry point: ``imr-desktop [FILE] [--db PATH]`` or ``imr-desktop COMMAND``.

Subcommands live in ``imr_desktop.commands.<name>`` modules with ``add_arguments`` and
``run``; they are imported only when called, and none of them imports Qt unless it opens
a window, so ``extract``, ``export`` and friends start fast and run headless.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from imr_desktop import __version__

# name -> one-line help; the module imr_desktop.commands.<name> implements it
COMMANDS: dict[str, str] = {
    "extract": "print the structure of letters as JSON",
    "export": "export annotations as training data (jsonl, spacy, conll, hf-tokens, "
    "labelstudio, webanno, csv)",
    "packet": "write an annotated case packet PDF for one or more documents",
    "import-annotations": "import annotations from a Label Studio export or our JSONL",
    "backup": "back up the annotation database (or --list the backups)",
    "restore": "restore the annotation database from a backup",
    "import": "add letters (files and folders) to the library",
    "stats": "print library statistics (documents, items, annotations, outcome rates)",
}
# commands whose module name is not the command's (``import`` is a Python keyword)
MODULES: dict[str, str] = {"import": "import_documents"}


def _gui_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="imr-desktop",
        description="Read and annotate IMR Final Determination letters.",
        epilog="commands: "
        + "; ".join(f"{name}: {text}" for name, text in COMMANDS.items())
        + ". Run 'imr-desktop COMMAND --help' for one.",
    )
    parser.add_argument(
        "file",
        nargs="?",
        help="a letter to open (PDF or UTF-8 text); default: the bundled sample letter",
    )
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="annotation database (default: imr-desktop.sqlite in the user data folder)",
    )
    parser.add_argument(
        "--selftest",
        action="store_true",
        help="open the file, wait for the first page to be painted, print one "
        "JSON line of timings and exit",
    )
    parser.add_argument(
        "--automation",
        action="store_true",
        help="open the file in the real window and take JSON commands on stdin, one per "
        "line (tag, delete, undo, redo, status, quit); prints 'ack <id>' once each edit "
        "is committed. For tests (the kill test); see imr_desktop/ui/automation.py",
    )
    parser.add_argument("--version", action="version", version=f"IMR Desktop {__version__}")
    return parser


def main(argv: list[str] | None = None) -> int:
    if getattr(sys, "frozen", False):
        # a frozen app is its own worker processes' executable (probe, OCR, packets):
        # this runs a worker's job and exits there. Unfrozen, multiprocessing is not
        # imported at start-up at all.
        import multiprocessing

        multiprocessing.freeze_support()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in COMMANDS:
        name = argv[0]
        module_name = MODULES.get(name, name.replace("-", "_"))
        module = importlib.import_module(f"imr_desktop.commands.{module_name}")
        parser = argparse.ArgumentParser(prog=f"imr-desktop {name}", description=COMMANDS[name])
        module.add_arguments(parser)
        args = parser.parse_args(argv[1:])
        return int(module.run(args) or 0)
    args = _gui_parser().parse_args(argv)
    from imr_desktop.ui.app import run_gui  # Qt is imported only here

    return run_gui(args)
