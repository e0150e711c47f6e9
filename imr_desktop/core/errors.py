"""Errors the user caused or the environment caused, kept apart from bugs.

Every subclass carries a message meant for a person; the CLI prints it on one line and
the GUI shows it in a dialog. Anything that is not a ``UserFacingError`` is a bug.
"""

from __future__ import annotations


class UserFacingError(Exception):
    """An error with a message that can be shown to the user as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class DocumentError(UserFacingError):
    """A document cannot be opened or read."""


class PasswordRequired(DocumentError):
    """The PDF is encrypted and needs a password (``wrong`` when one was given)."""

    def __init__(self, message: str, *, wrong: bool = False) -> None:
        super().__init__(message)
        self.wrong = wrong


class StoreError(UserFacingError):
    """The annotation database cannot be opened or written."""


class NewerSchemaError(StoreError):
    """The database was written by a newer IMR Desktop."""


class ReadOnlyStoreError(StoreError):
    """A write was attempted on a database opened read-only."""


class StorageFault(StoreError):
    """A write failed in the environment: disk full, I/O error, locked database."""
