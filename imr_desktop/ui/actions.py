"""QActions for the registry in ``core.keymap``: one per spec, shortcuts from data.

The cheat sheet, the menus and user shortcut overrides all read that table, so an action
has one name, one shortcut and one place where it is defined.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from imr_desktop.core.keymap import SPEC_BY_ID, SPECS, ActionSpec, effective_shortcuts

__all__ = ["SPECS", "ActionSpec", "apply_shortcuts", "make_actions", "shortcut_texts"]


def make_actions(
    parent: QWidget,
    handlers: dict[str, Callable[[], None]],
    overrides: dict[str, str] | None = None,
) -> dict[str, QAction]:
    """Create a QAction per spec, wired to its handler, with user overrides applied."""
    actions: dict[str, QAction] = {}
    for spec in SPECS:
        action = QAction(spec.text, parent)
        action.setObjectName(f"action_{spec.id}")
        if spec.tip:
            action.setStatusTip(spec.tip)
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        handler = handlers.get(spec.id)
        if handler is not None:
            action.triggered.connect(lambda _checked=False, h=handler: h())
        actions[spec.id] = action
        parent.addAction(action)
    apply_shortcuts(actions, overrides or {})
    return actions


def apply_shortcuts(actions: dict[str, QAction], overrides: dict[str, str]) -> None:
    """Give every action its default shortcuts, or the user's override (live)."""
    for action_id, action in actions.items():
        spec = SPEC_BY_ID.get(action_id)
        if spec is not None:
            action.setShortcuts([QKeySequence(s) for s in effective_shortcuts(spec, overrides)])


def shortcut_texts(action: QAction) -> list[str]:
    """The action's current shortcuts as the user sees them on this platform."""
    return [
        s.toString(QKeySequence.SequenceFormat.NativeText)
        for s in action.shortcuts()
        if not s.isEmpty()
    ]
