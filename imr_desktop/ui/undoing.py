"""Pushing an edit on the undo stack and reporting a store refusal as a message.

The commands in ``commands.py`` keep a ``StoreError`` in ``error`` when their first redo
fails (read-only database, disk full) and mark themselves obsolete, so the stack drops
them and the core, hence the screen, is unchanged. Callers only need the message.
"""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand, QUndoStack


def push(stack: QUndoStack, command: QUndoCommand) -> str | None:
    """Push ``command``; return the user-facing message if the store refused it."""
    stack.push(command)
    # the stack may already have deleted an obsolete command's C++ side; ``error`` is a
    # plain Python attribute and stays readable
    error = getattr(command, "error", None)
    return str(error) if error is not None else None
