"""The case library: import folders of letters, list, filter and search them, statistics.

Qt-free. Modules, one job each:
- ``schema``: the tables, indexes, triggers and full-text index (migrations 4 to 6);
- ``derive``: the library columns of one letter, from its structure;
- ``categories``: rule-based DWC treatment categories of a requested item;
- ``scan``: walking the files and folders to import;
- ``worker`` / ``pool``: reading files in worker processes with a time limit;
- ``importer``: the import itself (batched writes, progress, cancel, summary);
- ``search``: full-text query syntax, snippets and hit offsets;
- ``filters``: ``LibraryFilter``, ``Sort``, and the SQL plans they become;
- ``query``: the filtered, sorted list a lazily-fetching table model pages through;
- ``stats``: the figures of the statistics view and ``imr-desktop stats``.

This package deliberately imports nothing here: ``core.store`` imports ``schema`` for its
migration list, and the other modules import ``core.store``.
"""
