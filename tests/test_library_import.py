"""Importing files and folders into the library: the real Store, real worker processes."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from imr_desktop.core.library import scan as scan_module
from imr_desktop.core.library.importer import ImportOptions, import_paths
from imr_desktop.core.library.pool import ReaderPool
from imr_desktop.core.library.worker import NO_TEXT, NOT_A_LETTER, ReadOptions
from imr_desktop.core.store import Store
from tests import pdfgen
from tests.library_helpers import (
    bomb_pdf_bytes,
    letter_pdf_bytes,
    misbehaving_reader,
    write_letter,
)

ROOT = Path(__file__).resolve().parents[1]
INLINE = ImportOptions(workers=0)  # read in this process: fast, and patchable
TWO = ImportOptions(workers=2, time_limit=20)


@pytest.fixture
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    # outside tmp_path, which the tests import as a folder
    s = Store.open(tmp_path_factory.mktemp("db") / "library.sqlite")
    yield s
    s.close()


def consistent(store: Store) -> None:
    """Every document has its catalog row and index entry, and nothing else has."""
    db = store.db
    docs = db.execute("SELECT count(*) FROM documents").fetchone()[0]
    assert db.execute("SELECT count(*) FROM catalog").fetchone()[0] == docs
    assert db.execute(
        "SELECT count(*) FROM catalog c LEFT JOIN documents d USING (sha256) WHERE d.sha256 IS NULL"
    ).fetchone() == (0,)
    db.execute("INSERT INTO catalog_fts (catalog_fts, rank) VALUES ('integrity-check', 1)")
    assert db.execute("SELECT count(*) FROM catalog WHERE derived_key IS NULL").fetchone() == (0,)


# ----------------------------------------------------------------------------- basics
def test_a_folder_is_imported_with_text_and_library_columns(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "letters"
    write_letter(folder / "a.txt", "CM16-0000001", decided="01/05/2017")
    write_letter(
        folder / "sub" / "deeper" / "b.txt",
        "CM16-0000002",
        items=[("Lumbar fusion", "Overturned", "ACOEM"), ("Norco 10mg #60", "Upheld", "MTUS")],
    )
    (folder / "sub" / "c.pdf").write_bytes(letter_pdf_bytes("CM17-0000003"))
    seen: list[tuple[int, int, str]] = []
    summary = import_paths(store, [folder], options=INLINE, progress=lambda *a: seen.append(a))
    assert (summary.imported, summary.duplicates, summary.failed) == (3, 0, [])
    assert summary.ok and len(summary.documents) == 3
    assert seen[-1][:2] == (3, 3) and seen[-1][2].endswith(".txt")
    rows = store.db.execute(
        "SELECT case_number, decision_date, final_outcome, item_count, categories, specialties, "
        "status, path FROM catalog ORDER BY case_number"
    ).fetchall()
    assert rows[0][:7] == (
        "CM16-0000001",
        "2017-01-05",
        "Upheld",
        1,
        "Pharmaceuticals",
        "Family Practice; Pain Management",
        "new",
    )
    assert rows[1][2:5] == ("Partially Overturned", 2, "Pharmaceuticals, Surgery")
    assert rows[2][0] == "CM17-0000003" and rows[2][7].endswith("c.pdf")
    assert Path(rows[0][7]).is_absolute()
    pdf_doc = store.db.execute("SELECT kind, page_count FROM documents WHERE kind = 'pdf'")
    assert pdf_doc.fetchall() == [("pdf", 1)]
    # the structure JSON is not stored (it would double the database); the GUI re-reads it
    assert store.db.execute("SELECT count(*) FROM documents WHERE structure IS NOT NULL")
    consistent(store)


def test_the_stored_text_is_the_canonical_text(store: Store, corpus_dir: Path) -> None:
    from imr_desktop.core.document import load_document

    letter = corpus_dir / "letters" / "CM16-0219557.pdf"
    summary = import_paths(store, [letter], options=TWO)
    assert summary.imported == 1
    sha, text, text_sha = store.db.execute(
        "SELECT sha256, text, text_sha256 FROM documents"
    ).fetchone()
    loaded = load_document(letter)  # what the GUI builds from per-character boxes
    assert (sha, text, text_sha) == (loaded.source.sha256, loaded.text, loaded.layer.sha256())


def test_the_whole_corpus_imports_and_reimport_is_idempotent(
    store: Store, corpus_dir: Path
) -> None:
    first = import_paths(store, [corpus_dir], options=TWO)
    letters = len(list((corpus_dir / "letters").glob("*.pdf")))
    assert first.failed == [] and first.imported == letters + 1  # + the seed text letter
    before = store.db.execute("SELECT sha256, path, added_at FROM documents ORDER BY 1").fetchall()
    again = import_paths(store, [corpus_dir], options=TWO)
    assert (again.imported, again.duplicates, again.relinked) == (0, first.imported, 0)
    after = store.db.execute("SELECT sha256, path, added_at FROM documents ORDER BY 1").fetchall()
    assert after == before
    consistent(store)


def test_source_files_are_never_written(store: Store, tmp_path: Path) -> None:
    path = write_letter(tmp_path / "a.txt", "CM16-0000001")
    os.utime(path, (1_000_000_000, 1_000_000_000))
    before = path.read_bytes()
    import_paths(store, [path], options=TWO)
    assert path.read_bytes() == before
    assert path.stat().st_mtime == 1_000_000_000


def test_a_moved_file_is_relinked_by_hash(store: Store, tmp_path: Path) -> None:
    old = write_letter(tmp_path / "inbox" / "a.txt", "CM16-0000001")
    import_paths(store, [old], options=INLINE)
    new = tmp_path / "archive" / "2017" / "renamed.txt"
    new.parent.mkdir(parents=True)
    shutil.move(old, new)
    summary = import_paths(store, [tmp_path / "archive"], options=INLINE)
    assert (summary.imported, summary.relinked, summary.duplicates) == (0, 1, 0)
    assert store.db.execute("SELECT path FROM documents").fetchone() == (str(new),)
    assert store.db.execute("SELECT path FROM catalog").fetchone() == (str(new),)


def test_a_batch_goes_into_the_full_text_index_as_one_segment(store: Store, tmp_path: Path) -> None:
    # one INSERT per letter made FTS5 flush a segment per letter (and merge them again):
    # the writes took 2.6 times as long
    for i in range(12):
        write_letter(tmp_path / f"{i}.txt", f"CM16-{i:07d}")
    assert import_paths(store, [tmp_path], options=INLINE).imported == 12
    segments = store.db.execute("SELECT count(DISTINCT segid) FROM catalog_fts_idx").fetchone()
    assert segments == (1,)
    consistent(store)


def test_a_copy_beside_the_original_is_a_duplicate_not_a_relink(
    store: Store, tmp_path: Path
) -> None:
    original = write_letter(tmp_path / "a.txt", "CM16-0000001")
    shutil.copy(original, tmp_path / "copy.txt")
    summary = import_paths(store, [original, tmp_path / "copy.txt"], options=INLINE)
    assert (summary.imported, summary.duplicates, summary.relinked) == (1, 1, 0)
    assert store.db.execute("SELECT path FROM documents").fetchone() == (str(original),)


def test_the_library_survives_a_moved_file(store: Store, tmp_path: Path) -> None:
    path = write_letter(tmp_path / "a.txt", "CM16-0000001", summary="Gabapentin helped.")
    import_paths(store, [path], options=INLINE)
    path.unlink()
    from imr_desktop.core.library.query import LibraryFilter, LibraryQuery

    rows = LibraryQuery(store, LibraryFilter(search="gabapentin")).page(0, 10)
    assert [r.case_number for r in rows] == ["CM16-0000001"]
    assert "Gabapentin" in rows[0].snippet.text


def test_store_structure_keeps_the_json(store: Store, tmp_path: Path) -> None:
    path = write_letter(tmp_path / "a.txt", "CM16-0000001")
    import_paths(store, [path], options=ImportOptions(workers=0, store_structure=True))
    sha = store.db.execute("SELECT sha256 FROM documents").fetchone()[0]
    assert store.structure(sha)["case_number"] == "CM16-0000001"


# ----------------------------------------------------------------------------- bad input
def test_bad_files_in_a_folder_are_reported_and_the_import_goes_on(
    store: Store, tmp_path: Path
) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    write_letter(folder / "good.txt", "CM16-0000001")
    pdfgen.write_corrupt_pdf(folder / "corrupt.pdf")
    pdfgen.write_truncated_pdf(folder / "truncated.pdf")
    pdfgen.write_encrypted_pdf(folder / "encrypted.pdf")
    pdfgen.write_image_only_pdf(folder / "scan.pdf")
    pdfgen.write_not_a_pdf(folder / "notes.pdf")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "latin1.txt").write_bytes("Résumé of a letter".encode("latin-1"))
    (folder / "readme.txt").write_text("Shopping list: milk, eggs.\n")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02 binary")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff junk")
    (folder / ".DS_Store").write_bytes(b"\x00")
    summary = import_paths(store, [folder], options=TWO)
    reasons = {Path(p.path).name: p.reason for p in summary.failed}
    assert summary.imported == 1
    assert set(reasons) == {
        "corrupt.pdf",
        "truncated.pdf",
        "encrypted.pdf",
        "scan.pdf",
        "notes.pdf",
        "empty.txt",
        "latin1.txt",
        "readme.txt",
        "binary.txt",
    }
    assert "damaged" in reasons["corrupt.pdf"]
    assert "damaged" in reasons["truncated.pdf"]
    assert "encrypted" in reasons["encrypted.pdf"]
    assert reasons["scan.pdf"] == NO_TEXT
    assert "not a PDF" in reasons["notes.pdf"]
    assert "empty" in reasons["empty.txt"]
    assert "not UTF-8" in reasons["latin1.txt"]
    assert reasons["readme.txt"] == NOT_A_LETTER
    assert "binary" in reasons["binary.txt"]
    assert summary.ignored == 2  # photo.jpg and .DS_Store are not looked at
    assert not summary.ok
    consistent(store)


def test_non_letters_can_be_imported_on_request(store: Store, tmp_path: Path) -> None:
    (tmp_path / "readme.txt").write_text("Shopping list: milk, eggs.\n")
    options = ImportOptions(workers=0, require_letter=False)
    assert import_paths(store, [tmp_path], options=options).imported == 1
    assert store.db.execute("SELECT case_number, item_count FROM catalog").fetchone() == ("", 0)


def test_missing_paths_and_broken_links_are_reported(store: Store, tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "gone.pdf").symlink_to(tmp_path / "nowhere.pdf")
    summary = import_paths(store, [tmp_path / "dir", tmp_path / "missing.pdf"], options=INLINE)
    assert {(Path(p.path).name, p.reason) for p in summary.failed} == {
        ("gone.pdf", "broken link"),
        ("missing.pdf", "file not found"),
    }


def test_symlink_loops_are_not_followed_into_cycles(store: Store, tmp_path: Path) -> None:
    root = tmp_path / "root"
    write_letter(root / "a" / "one.txt", "CM16-0000001")
    write_letter(root / "b" / "two.txt", "CM16-0000002")
    (root / "a" / "loop").symlink_to(root)  # a -> root -> a -> ...
    (root / "b" / "again").symlink_to(root / "a")  # a second way into a
    (root / "self.pdf").symlink_to(root / "self.pdf")  # a link to itself
    (root / "one-link.txt").symlink_to(root / "a" / "one.txt")
    found = scan_module.scan([root])
    # each file once, whichever way it was reached first
    assert sorted(Path(f).resolve().name for f in found.files) == ["one.txt", "two.txt"]
    assert found.repeated >= 3
    summary = import_paths(store, [root], options=INLINE)
    assert summary.imported == 2
    paths = {Path(p).name for (p,) in store.db.execute("SELECT path FROM documents")}
    assert paths == {"one.txt", "two.txt"}  # stored with links resolved
    assert [Path(p.path).name for p in summary.failed] == ["self.pdf"]


def test_special_files_are_never_opened(store: Store, tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.pdf")  # opening it would block the reader forever
    summary = import_paths(store, [tmp_path], options=INLINE)
    assert summary.ignored == 1 and summary.failed == []
    named = import_paths(store, [tmp_path / "pipe.pdf"], options=INLINE)
    assert [p.reason for p in named.failed] == ["not a regular file"]


def test_permission_denied_through_a_fault_in_the_reader(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As root mode bits are ignored, so the operating system is made to refuse by
    patching the one place files are read (in-process reading)."""
    locked = write_letter(tmp_path / "locked.txt", "CM16-0000001")
    write_letter(tmp_path / "open.txt", "CM16-0000002")
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    summary = import_paths(store, [tmp_path], options=INLINE)
    assert summary.imported == 1
    assert [(p.path, p.reason) for p in summary.failed] == [
        (str(locked), f"Permission denied: {locked}")
    ]


def _without_file_privileges(cmd: list[str]) -> list[str]:
    """Root ignores mode bits through CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH: run the
    command without them, so that the operating system itself refuses (EACCES)."""
    if os.geteuid() != 0:
        return cmd
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: cannot drop CAP_DAC_OVERRIDE")
    drop = "-dac_override,-dac_read_search"
    return [setpriv, f"--bounding-set={drop}", f"--inh-caps={drop}", *cmd]


def test_permission_denied_for_real(tmp_path: Path) -> None:
    """The CLI meets a file and a folder the operating system refuses to open."""
    folder = tmp_path / "letters"
    write_letter(folder / "ok.txt", "CM16-0000001")
    secret = write_letter(folder / "secret.txt", "CM16-0000002")
    write_letter(folder / "closed" / "inside.txt", "CM16-0000003")
    secret.chmod(0)
    (folder / "closed").chmod(0)
    cmd = [sys.executable, "-m", "imr_desktop", "import", str(folder), "--db"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    try:
        probe = subprocess.run(
            _without_file_privileges(["cat", str(secret)]), capture_output=True, text=True
        )
        assert probe.returncode != 0 and "Permission denied" in probe.stderr
        proc = subprocess.run(
            _without_file_privileges([*cmd, str(tmp_path / "lib.sqlite")]),
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
    finally:
        secret.chmod(0o644)
        (folder / "closed").chmod(0o755)
    assert proc.returncode == 1, proc.stderr
    assert "imported 1," in proc.stderr and "failed 2" in proc.stderr
    assert f"{secret}: Permission denied: {secret}" in proc.stderr
    assert f"{folder / 'closed'}: permission denied: cannot list this folder" in proc.stderr


def test_a_hostile_file_is_killed_after_the_time_limit(store: Store, tmp_path: Path) -> None:
    (tmp_path / "bomb.pdf").write_bytes(bomb_pdf_bytes())  # ~3 s of MuPDF per read
    write_letter(tmp_path / "good.txt", "CM16-0000001")
    options = ImportOptions(workers=1, time_limit=1.0)
    summary = import_paths(store, [tmp_path], options=options)
    assert summary.imported == 1  # the worker was replaced and read the next file
    assert [Path(p.path).name for p in summary.failed] == ["bomb.pdf"]
    assert "longer than 1 s" in summary.failed[0].reason


def test_a_crashing_or_hanging_reader_costs_only_its_file(tmp_path: Path) -> None:
    paths = []
    for name in ("a.txt", "crash.txt", "b.txt", "hang.txt", "c.txt", "d.txt"):
        paths.append(str(write_letter(tmp_path / name, f"CM16-000000{len(paths)}")))
    pool = ReaderPool(2, frozenset(), ReadOptions(), time_limit=1.0, target=misbehaving_reader)
    with pool:
        results = [r for r in pool.imap(paths) if r is not None]
    by_name = {Path(r.path).name: r for r in results}
    assert sorted(by_name) == sorted(Path(p).name for p in paths)  # each exactly once
    assert by_name["crash.txt"].reason == "the reader crashed on this file"
    assert "longer than 1 s" in by_name["hang.txt"].reason
    read = {n for n, r in by_name.items() if r.status == "new"}
    assert read == {"a.txt", "b.txt", "c.txt", "d.txt"}
    assert all(not w.proc.is_alive() for w in pool._pool)


def test_a_result_crosses_the_pipe_whole(tmp_path: Path) -> None:
    import pickle

    from imr_desktop.core.library.worker import read_file

    path = tmp_path / "a.pdf"
    path.write_bytes(letter_pdf_bytes("CM16-0000001"))
    result = read_file(str(path), frozenset(), ReadOptions(store_structure=True))
    assert result.status == "new" and result.derived is not None and result.derived.items
    assert pickle.loads(pickle.dumps(result, pickle.HIGHEST_PROTOCOL)) == result


def test_near_the_end_each_reader_gets_a_fair_share() -> None:
    from collections import deque

    from imr_desktop.core.library.pool import _Worker

    class Pipe:
        def send(self, path: str) -> None:
            pass

    pool = ReaderPool(2, frozenset(), ReadOptions(), depth=32)
    pool._pool = [_Worker(None, Pipe()), _Worker(None, Pipe())]  # type: ignore[arg-type]
    queue = deque(f"{k}.pdf" for k in range(100))
    pool._dispatch(queue)
    assert [len(w.tasks) for w in pool._pool] == [32, 32]  # deep queues while there is work
    for w in pool._pool:
        w.tasks.clear()
    queue = deque(f"{k}.pdf" for k in range(10))
    pool._dispatch(queue)
    # not all 10 to the first reader while the second one idles
    assert [len(w.tasks) for w in pool._pool] == [5, 5]


def test_the_pool_takes_results_that_gathered_together(tmp_path: Path) -> None:
    # one wake-up of the importer per file cost it ~0.15 ms of CPU per file: once files
    # are being read it pauses briefly and takes every result waiting on a pipe at once
    paths = [str(write_letter(tmp_path / f"{k}.txt", f"CM16-{k:07d}")) for k in range(40)]
    calls: list[int] = []
    pool = ReaderPool(1, frozenset(), ReadOptions(), depth=8)
    collect = pool._collect

    def counted(queue: object, tick: float) -> list:
        out = collect(queue, tick)  # type: ignore[arg-type]
        calls.append(len(out))
        return out

    pool._collect = counted  # type: ignore[method-assign]
    with pool:
        results = [r for r in pool.imap(paths) if r is not None]
    assert sorted(Path(r.path).name for r in results) == sorted(Path(p).name for p in paths)
    assert all(r.status == "new" for r in results)
    assert max(calls) > 1


# ----------------------------------------------------------------------------- scale, cancel
@pytest.mark.slow
def test_a_10000_file_folder_with_mixed_junk(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "dump"
    letters = 0
    for i in range(10_000):
        sub = folder / f"{i % 50:02d}"
        if i < 50:
            sub.mkdir(parents=True)
        kind = i % 10
        if kind == 0:
            write_letter(sub / f"letter-{i}.txt", f"CM16-{i:07d}")
            letters += 1
        elif kind == 1 and i % 100 == 1:
            (sub / f"letter-{i}.pdf").write_bytes(letter_pdf_bytes(f"CM17-{i:07d}"))
            letters += 1
        elif kind in (1, 2):
            (sub / f"note-{i}.txt").write_text(f"note {i}\n")  # readable, not a letter
        elif kind == 3:
            (sub / f"junk-{i}.pdf").write_bytes(os.urandom(64))  # no PDF header
        elif kind == 4:
            (sub / f"empty-{i}.txt").write_bytes(b"")
        else:
            (sub / f"image-{i}.png").write_bytes(b"\x89PNG junk")  # not looked at
    summary = import_paths(store, [folder], options=ImportOptions(workers=2))
    assert summary.total + summary.ignored == 10_000
    assert summary.imported == letters
    assert summary.ignored == 5_000
    assert len(summary.failed) == summary.total - letters
    assert {p.reason for p in summary.failed} >= {NOT_A_LETTER}
    consistent(store)


def test_cancelling_half_way_leaves_a_consistent_library(store: Store, tmp_path: Path) -> None:
    for i in range(40):
        write_letter(tmp_path / f"l{i:02d}.txt", f"CM16-{i:07d}")
    done = 0

    def progress(count: int, _total: int, _path: object) -> None:
        nonlocal done
        done = count

    # cancel once some files are through, however slow the machine is
    options = ImportOptions(workers=2, batch_size=8)
    first = import_paths(
        store, [tmp_path], options=options, progress=progress, cancel=lambda: done >= 10
    )
    assert first.cancelled and not first.ok
    assert 0 < first.imported < 40
    count = store.db.execute("SELECT count(*) FROM documents").fetchone()[0]
    assert count == first.imported
    assert "cancelled after" in first.lines()[0]
    consistent(store)
    rest = import_paths(store, [tmp_path], options=options)
    assert (rest.imported, rest.duplicates) == (40 - first.imported, first.imported)
    consistent(store)


def test_cancel_with_an_event(store: Store, tmp_path: Path) -> None:
    import threading

    for i in range(5):
        write_letter(tmp_path / f"l{i}.txt", f"CM16-{i:07d}")
    stop = threading.Event()
    stop.set()
    summary = import_paths(store, [tmp_path], options=INLINE, cancel=stop)
    assert summary.cancelled and summary.imported == 1  # checked after each file
    consistent(store)


def test_a_storage_error_is_a_store_error_and_nothing_half_written(
    tmp_path: Path,
) -> None:
    from imr_desktop.core.errors import StoreError

    path = tmp_path / "lib.sqlite"
    Store.open(path).close()
    write_letter(tmp_path / "in" / "a.txt", "CM16-0000001")
    store = Store.open(path)
    other = sqlite3.connect(path)
    other.execute("BEGIN EXCLUSIVE")  # another program holds the database
    try:
        store.db.conn.execute("PRAGMA busy_timeout = 100")
        with pytest.raises(StoreError, match="locked"):
            import_paths(store, [tmp_path / "in"], options=INLINE)
    finally:
        other.rollback()
        other.close()
    assert store.db.execute("SELECT count(*) FROM documents").fetchone() == (0,)
    store.close()
