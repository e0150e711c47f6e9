"""One typed registry of the window's actions; default shortcuts are data.

The cheat sheet, the menus and user shortcut overrides all read this table, so an action
has one name, one shortcut and one place where it is defined.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget


@dataclass(frozen=True, slots=True)
class ActionSpec:
    id: str
    text: str
    shortcuts: tuple[str | QKeySequence.StandardKey, ...] = ()
    tip: str = ""
    group: str = "General"


SPECS: tuple[ActionSpec, ...] = (
    ActionSpec(
        "open", "&Open…", (QKeySequence.StandardKey.Open,), "Open a letter (PDF or text)", "File"
    ),
    ActionSpec("open_db", "Open &Database…", (), "Use another annotation database", "File"),
    ActionSpec(
        "export_data",
        "Export &Training Data…",
        ("Ctrl+Shift+E",),
        "Export annotations as training data (JSONL, spaCy, CoNLL, Label Studio, …)",
        "File",
    ),
    ActionSpec(
        "export_packet",
        "Export Case &Packet…",
        ("Ctrl+Shift+P",),
        "Write the open letter as a PDF with its annotations highlighted",
        "File",
    ),
    ActionSpec("quit", "&Quit", (QKeySequence.StandardKey.Quit,), "", "File"),
    ActionSpec("undo", "&Undo", ("Ctrl+Z",), "", "Edit"),
    ActionSpec("redo", "&Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "", "Edit"),
    ActionSpec("copy", "&Copy", (QKeySequence.StandardKey.Copy,), "Copy the selected text", "Edit"),
    ActionSpec("find", "&Find…", (QKeySequence.StandardKey.Find,), "Find in the letter", "Edit"),
    ActionSpec("find_next", "Find &Next", ("F3", "Ctrl+G"), "", "Edit"),
    ActionSpec("find_prev", "Find &Previous", ("Shift+F3", "Ctrl+Shift+G"), "", "Edit"),
    ActionSpec(
        "delete_annotation",
        "&Delete Annotation",
        (),
        "Delete the annotation selected in the side panel",
        "Edit",
    ),
    ActionSpec("manage_labels", "Manage &Labels…", ("Ctrl+L",), "", "Edit"),
    ActionSpec("zoom_in", "Zoom &In", (QKeySequence.StandardKey.ZoomIn, "Ctrl+="), "", "View"),
    ActionSpec("zoom_out", "Zoom &Out", (QKeySequence.StandardKey.ZoomOut,), "", "View"),
    ActionSpec("fit_width", "Fit &Width", ("Ctrl+0",), "", "View"),
    ActionSpec("fit_page", "Fit &Page", ("Ctrl+9",), "", "View"),
    ActionSpec("go_to_page", "&Go to Page…", ("Ctrl+Alt+G",), "", "View"),
    ActionSpec("prev_page", "Previous Page", ("PgUp",), "", "View"),
    ActionSpec("next_page", "Next Page", ("PgDown",), "", "View"),
    ActionSpec("toggle_panel", "Side &Panel", ("F9",), "Show or hide the side panel", "View"),
    ActionSpec("show_case", "&Case", ("Ctrl+1",), "Show the case summary", "View"),
    ActionSpec("show_annotations", "&Annotations", ("Ctrl+2",), "Show the annotations", "View"),
    ActionSpec(
        "copy_summary",
        "Copy Case &Summary",
        ("Ctrl+Shift+C",),
        "Copy a plain-text summary of the case",
        "Edit",
    ),
    ActionSpec(
        "next_suggestion", "&Next Suggestion", ("N",), "Go to the next suggestion", "Suggestions"
    ),
    ActionSpec(
        "prev_suggestion",
        "&Previous Suggestion",
        ("Shift+N",),
        "Go to the previous suggestion",
        "Suggestions",
    ),
    ActionSpec(
        "accept_suggestion",
        "&Accept Suggestion",
        ("Return", "Enter"),
        "Make the current suggestion an annotation",
        "Suggestions",
    ),
    ActionSpec(
        "reject_suggestion",
        "&Reject Suggestion",
        ("Delete",),
        "Discard the current suggestion",
        "Suggestions",
    ),
    ActionSpec(
        "accept_all_label",
        "Accept All of This &Label",
        ("Ctrl+Shift+Return",),
        "Accept every suggestion with the current suggestion's label",
        "Suggestions",
    ),
)


def make_actions(
    parent: QWidget,
    handlers: dict[str, Callable[[], None]],
    overrides: dict[str, str] | None = None,
) -> dict[str, QAction]:
    """Create a QAction per spec, wired to its handler, with user overrides applied."""
    overrides = overrides or {}
    actions: dict[str, QAction] = {}
    for spec in SPECS:
        action = QAction(spec.text, parent)
        action.setObjectName(f"action_{spec.id}")
        if spec.id in overrides:
            action.setShortcuts([QKeySequence(overrides[spec.id])])
        else:
            action.setShortcuts([QKeySequence(s) for s in spec.shortcuts])
        if spec.tip:
            action.setStatusTip(spec.tip)
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        handler = handlers.get(spec.id)
        if handler is not None:
            action.triggered.connect(lambda _checked=False, h=handler: h())
        actions[spec.id] = action
        parent.addAction(action)
    return actions
