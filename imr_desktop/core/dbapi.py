"""sqlite-utils' ``Database``, imported without the heavy optional modules it probes."""

from __future__ import annotations

import sys


def _import_database() -> type:
    """Import sqlite-utils without pandas and numpy.

    When they are installed (any data-science environment), sqlite-utils imports both for
    an optional dataframe feature IMR Desktop never uses: about a second before the first
    page can show. They are hidden only while it loads; anyone may import them later.
    """
    hidden = [name for name in ("pandas", "numpy") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        from sqlite_utils import Database
    finally:
        for name in hidden:
            sys.modules.pop(name, None)
    return Database


Database = _import_database()

__all__ = ["Database"]
