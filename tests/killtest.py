"""The kill harness shared by tests/test_kill.py (CI) and tests/benchmarks/bench_kill.py.

Three scenarios, each killing a real process with SIGKILL at a random moment:

- ``annotate``: ``imr-desktop --automation LETTER --db DB`` (the real window, offscreen)
  tags, deletes and undoes through its own command path; the harness records every
  ``ack``. A kill lands during start-up (opening, backing up, writing the document and
  its suggestions) or while edits are being committed. The same database is reused
  across kills, so each run also starts from a crashed one. Checked after each kill:
  ``PRAGMA integrity_check`` is ok, every acknowledged edit is in the database (an
  acknowledged tag is live, an acknowledged delete or undo is a tombstone), and every
  backup under a final name passes its check.
- ``migrate``: a child process opens a database one schema version behind through
  ``Store.open``, which backs it up and then runs the latest real migration (6: the
  library's full-text index dropped and rebuilt from every letter with a prefix index,
  which takes measurable time on a few thousand). Checked: integrity ok, the old version with
  exactly the old tables or the new one with exactly the new tables (catalog complete,
  full-text index sound), every annotation there, and a second start finishes it.
- ``library``: ``imr-desktop import FOLDER`` of hundreds of letters (reader processes,
  batched transactions), killed with its readers. Checked: integrity and the full-text
  index ok, every document whole, earlier rows untouched, a second import completes it.
- ``import``: ``imr-desktop import-annotations`` of a large JSONL file (one
  transaction). Checked: integrity ok, all of it or none, earlier rows untouched.
"""

from __future__ import annotations

import json
import os
import random
import selectors
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from tests.proc_helpers import ROOT, child_env


@dataclass
class Tally:
    """What a scenario did and found; ``lost`` and ``problems`` must stay empty."""

    kills: int = 0
    acknowledged: int = 0  # acks received (tags, deletes, undos)
    rows_checked: int = 0  # committed rows looked for after kills in migrations and imports
    lost: int = 0  # acknowledged edits missing (or undone) after a kill
    problems: list[str] = field(default_factory=list)
    phases: dict[str, int] = field(default_factory=dict)  # where the kills landed
    seconds: float = 0.0

    def add(self, other: Tally) -> None:
        self.kills += other.kills
        self.acknowledged += other.acknowledged
        self.rows_checked += other.rows_checked
        self.lost += other.lost
        self.problems += other.problems
        for key, n in other.phases.items():
            self.phases[key] = self.phases.get(key, 0) + n
        self.seconds += other.seconds

    def phase(self, name: str) -> None:
        self.phases[name] = self.phases.get(name, 0) + 1


class Child:
    """A subprocess whose stdout is read line by line with deadlines."""

    def __init__(self, args: list[str], env: dict[str, str], stderr: Path) -> None:
        self._err = stderr.open("ab")
        self.proc = subprocess.Popen(
            args,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._err,
            env=env,
            cwd=ROOT,
            bufsize=0,
            start_new_session=True,  # its own process group: helpers die with it
        )
        self._sel = selectors.DefaultSelector()
        assert self.proc.stdout is not None
        self._sel.register(self.proc.stdout, selectors.EVENT_READ)
        self._buf = b""
        self.eof = False

    def send(self, obj: dict) -> None:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write((json.dumps(obj) + "\n").encode())
        except BrokenPipeError:
            self.eof = True

    def line(self, deadline: float) -> str | None:
        """The next line, or None at the deadline or at the end of output."""
        while b"\n" not in self._buf:
            timeout = deadline - time.monotonic()
            if timeout <= 0 or self.eof:
                return None
            if not self._sel.select(timeout):
                return None
            assert self.proc.stdout is not None
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                self.eof = True
                return None
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return line.decode()

    def kill(self) -> bool:
        """SIGKILL; True when the process was still running (a real kill)."""
        alive = self.proc.poll() is None
        if alive:
            os.kill(self.proc.pid, signal.SIGKILL)
        with suppress(ProcessLookupError):  # and whatever it started (reader processes)
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.close()
        return alive

    def close(self) -> None:
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                with suppress(OSError):
                    stream.close()
        self.proc.wait(30)
        self._sel.close()
        self._err.close()


@contextmanager
def connect(db: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(db, timeout=10)
    try:
        yield conn
    finally:
        conn.close()


def integrity(db: Path) -> str:
    with connect(db) as conn:  # a normal open: recovers the -wal the kill left
        return " ".join(r[0] for r in conn.execute("PRAGMA integrity_check"))


def damaged_backups(db: Path) -> list[str]:
    from imr_desktop.core.backup import backup_folder, check_database

    folder = backup_folder(db)
    found = []
    for path in sorted(folder.glob(f"{db.stem}-*.sqlite")) if folder.is_dir() else []:
        problem = check_database(path)
        if problem:
            found.append(problem)
    return found


# =========================================================================== annotate
@dataclass
class AnnotateModel:
    """What the database must hold: the last acknowledged state of each annotation."""

    live: dict[str, bool] = field(default_factory=dict)  # id -> live (False: tombstone)
    uncertain: set[str] = field(default_factory=set)  # an edit was in flight at the kill


def annotate_kills(
    workdir: Path,
    letter: Path,
    kills: int,
    rng: random.Random,
    *,
    after_ready: tuple[float, float] = (0.0, 0.6),
    startup_share: float = 0.3,
) -> Tally:
    """``kills`` runs of the app on one database, each killed at a random moment."""
    tally = Tally()
    started = time.monotonic()
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "annotations.sqlite"
    env = child_env(workdir)
    model = AnnotateModel()
    ready_estimate = 2.0
    when = random.Random(rng.random())  # its own stream: the split does not depend on timing
    for _ in range(kills):
        args = [sys.executable, "-m", "imr_desktop", "--automation", str(letter), "--db", str(db)]
        launched = time.monotonic()
        child = Child(args, env, workdir / "stderr.log")
        if when.random() < startup_share:
            # during start-up: opening, backing up, saving the document and suggestions
            deadline = launched + when.uniform(0.05, ready_estimate)
            kill_phase = "start-up"
        else:
            deadline = None
            kill_phase = "editing"
        line = child.line(deadline or launched + 60)
        if line is None or not line.startswith("ready "):
            if deadline is None:
                tally.problems.append(f"no ready line (got {line!r}); see {workdir}/stderr.log")
            killed = child.kill()
            tally.kills += killed
            tally.phase("start-up" if killed else "exited")
            _check_annotate(db, model, tally)
            continue
        ready_estimate = max(0.3, 0.8 * ready_estimate + 0.2 * (time.monotonic() - launched))
        text_len = json.loads(line[6:])["chars"]
        if deadline is None:
            deadline = time.monotonic() + when.uniform(*after_ready)
        _drive(child, deadline, text_len, model, tally, rng)
        killed = child.kill()
        tally.kills += killed
        tally.phase(kill_phase if killed else "exited")
        _check_annotate(db, model, tally)
    bad = damaged_backups(db)
    if bad:
        tally.problems.append(f"damaged backups under final names: {bad[:3]}")
    tally.seconds = time.monotonic() - started
    return tally


def _drive(
    child: Child,
    deadline: float,
    text_len: int,
    model: AnnotateModel,
    tally: Tally,
    rng: random.Random,
) -> None:
    """Send edits one at a time until the deadline, recording every acknowledgement."""
    stack: list[tuple[str, str]] = []  # (id, "added"|"removed"): this process's undo stack
    while time.monotonic() < deadline:
        live = [i for i, alive in model.live.items() if alive and i not in model.uncertain]
        roll = rng.random()
        if roll < 0.15 and stack:
            command: dict = {"op": "undo"}
            touched = {stack[-1][0]}
        elif roll < 0.3 and live:
            target = rng.choice(live)
            command = {"op": "delete", "id": target}
            touched = {target}
        else:
            start = rng.randrange(0, max(1, text_len - 60))
            command = {
                "op": "tag",
                "start": start,
                "end": start + rng.randint(3, 60),
                "hotkey": rng.randint(1, 3),
            }
            touched = set()
        child.send(command)
        answer = child.line(deadline)
        if answer is None:
            model.uncertain |= touched  # in flight at the kill: either outcome is right
            return
        if answer.startswith("fail"):
            tally.problems.append(f"{command['op']} refused: {answer}")
            continue
        _, ann_id, kind = answer.split()
        tally.acknowledged += 1
        model.live[ann_id] = kind == "added"
        if command["op"] == "undo":
            stack.pop()
        else:
            stack.append((ann_id, kind))


def _check_annotate(db: Path, model: AnnotateModel, tally: Tally) -> None:
    if not db.exists():
        if model.live:
            tally.problems.append("the database disappeared")
        return
    result = integrity(db)
    if result != "ok":
        tally.problems.append(f"integrity_check: {result}")
        return
    with connect(db) as conn:
        rows = dict(conn.execute("SELECT id, deleted FROM annotations"))
    for ann_id, alive in model.live.items():
        if ann_id in model.uncertain:
            continue
        if ann_id not in rows or (rows[ann_id] == 0) != alive:
            tally.lost += 1
            tally.problems.append(f"{ann_id}: acknowledged {'live' if alive else 'deleted'}")
    # what the database says is now the truth for the edits that were in flight
    for ann_id in model.uncertain:
        if ann_id in rows:
            model.live[ann_id] = rows[ann_id] == 0
    model.uncertain.clear()


# =========================================================================== migrate
MIGRATE_CHILD = """
import sys
from imr_desktop.core import store

def backup_then_say(path, version):
    store._backup_before_migration(path, version)
    print("backed-up", flush=True)

print("opening", flush=True)
s = store.Store.open(sys.argv[1], before_migration=backup_then_say)
print("migrated", s.schema_version, flush=True)
"""


def build_old_db(db: Path, documents: int, per_document: int, seed: int = 6) -> set[str]:
    """A database one schema version behind, written by the migrations of that version,
    with ``documents`` letters (4,000 characters of text each) and their annotations;
    returns the annotation ids. The latest migration rebuilds the full-text index from
    these, which takes measurable time."""
    from dataclasses import asdict

    from imr_desktop.core.dbapi import Database
    from imr_desktop.core.model import Annotation, now_iso
    from imr_desktop.core.store import MIGRATIONS, SCHEMA_VERSION

    rng = random.Random(seed)
    words = ["request", "therapy", "lumbar", "necessary", "upheld", "MTUS", "reviewer"]
    words += ["injury", "acupuncture", "denied", "guideline", "claimant", "sessions"]
    conn = sqlite3.connect(db)
    base = Database(conn, execute_plugins=False)
    with base.atomic():
        for migration in MIGRATIONS[: SCHEMA_VERSION - 1]:
            migration(base)
        base.execute(f"PRAGMA user_version={SCHEMA_VERSION - 1}")
    conn.execute("PRAGMA journal_mode=WAL")
    labels = [r[0] for r in conn.execute("SELECT id FROM labels")]
    docs, rows = [], []
    for d in range(documents):
        text = " ".join(rng.choice(words) for _ in range(600))[:4000]
        sha = f"{d:064x}"
        docs.append((sha, f"letter-{d}.txt", "text", text, "new", now_iso(), now_iso()))
        for _ in range(per_document):
            start = rng.randrange(0, len(text) - 80)
            ann = Annotation.create(
                document=sha,
                text=text,
                start=start,
                end=start + rng.randint(5, 70),
                label_id=rng.choice(labels),
                annotator="kill-test",
            )
            rows.append(asdict(ann))
    columns = list(rows[0])
    with conn:
        conn.executemany(
            "INSERT INTO documents (sha256, path, kind, text, status, added_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            docs,
        )
        conn.executemany(
            f"INSERT INTO annotations ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))})",
            [tuple(r[c] for c in columns) for r in rows],
        )
    conn.close()
    return {r["id"] for r in rows}


def build_annotated_db(db: Path, documents: int, per_document: int, seed: int = 1) -> set[str]:
    """A current-schema database with many manual annotations; returns their ids.

    Rows go in with one ``executemany`` (through ``Store``, one upsert per row, building
    50,000 takes longer than the kills it serves)."""
    from dataclasses import asdict

    from imr_desktop.core.model import Annotation, DocumentRecord
    from imr_desktop.core.store import Store

    rng = random.Random(seed)
    text = ("The request for physical therapy is not medically necessary. " * 80)[:4000]
    store = Store.open(db, before_migration=None)
    labels = store.labels()
    rows = []
    for d in range(documents):
        sha = f"{d:064x}"
        store.upsert_document(
            DocumentRecord(sha256=sha, path=f"l{d}.txt", kind="text", page_count=1, size=1)
        )
        for _ in range(per_document):
            start = rng.randrange(0, len(text) - 80)
            ann = Annotation.create(
                document=sha,
                text=text,
                start=start,
                end=start + rng.randint(5, 70),
                label_id=rng.choice(labels).id,
                annotator="kill-test",
            )
            rows.append(asdict(ann))
    columns = list(rows[0])
    with store.db.atomic():
        store.db.conn.executemany(
            f"INSERT INTO annotations ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))})",
            [tuple(r[c] for c in columns) for r in rows],
        )
    store.close()
    return {r["id"] for r in rows}


def migrate_kills(
    workdir: Path,
    kills: int,
    rng: random.Random,
    *,
    documents: int,
    per_document: int = 10,
    finish_all: bool = False,
) -> Tally:
    """``kills`` upgrades of a database one schema behind (the real latest migration),
    each killed at a random moment of backing up and migrating.

    After a kill inside the migration (or after it), and after every kill with
    ``finish_all``, the upgrade is run again to the end and must succeed."""
    from imr_desktop.core.store import Store

    tally = Tally()
    started = time.monotonic()
    workdir.mkdir(parents=True, exist_ok=True)
    template = workdir / "template.sqlite"
    ids = build_old_db(template, documents, per_document)
    current = workdir / "current.sqlite"
    Store.open(current, before_migration=None).close()
    schemas = {_version(template): _schema(template), _version(current): _schema(current)}
    env = child_env(workdir)
    args = [sys.executable, "-c", MIGRATE_CHILD]
    # one run to the end: how long backing up and migrating take here
    timing = _migrate_once(workdir, template, env, args, rng, tally, ids, schemas, None)
    attempts = 0
    while tally.kills < kills and attempts < 2 * kills:  # a run may end before its kill
        attempts += 1
        _migrate_once(workdir, template, env, args, rng, tally, ids, schemas, timing, finish_all)
    tally.seconds = time.monotonic() - started
    return tally


def _version(db: Path) -> int:
    with connect(db) as conn:
        return conn.execute("PRAGMA user_version").fetchone()[0]


def _schema(db: Path) -> set[tuple[str, str]]:
    with connect(db) as conn:
        return {(r[0], r[1]) for r in conn.execute("SELECT type, name FROM sqlite_master")}


def _migrate_once(
    workdir: Path,
    template: Path,
    env: dict[str, str],
    args: list[str],
    rng: random.Random,
    tally: Tally,
    ids: set[str],
    schemas: dict[int, set[tuple[str, str]]],
    timing: tuple[float, float] | None,
    finish_all: bool = False,
) -> tuple[float, float]:
    """One run; without ``timing``, to the end, returning (backup, migration) seconds."""
    db = workdir / "db.sqlite"
    for old in workdir.glob("db.sqlite*"):
        old.unlink()
    shutil.rmtree(workdir / "backups", ignore_errors=True)
    shutil.copy(template, db)
    child = Child([*args, str(db)], env, workdir / "stderr.log")
    first = child.line(time.monotonic() + 60)
    t0 = time.monotonic()
    if first != "opening":
        tally.problems.append(f"migration child said {first!r}")
        child.kill()
        return (1.0, 1.0)
    if timing is None:
        backed_up = child.line(time.monotonic() + 120)
        t1 = time.monotonic()
        migrated = child.line(time.monotonic() + 120)
        t2 = time.monotonic()
        child.close()
        if backed_up != "backed-up" or not (migrated or "").startswith("migrated"):
            tally.problems.append(f"migration did not finish: {backed_up!r} {migrated!r}")
        return (t1 - t0, t2 - t1)
    backup_s, migration_s = timing
    phase = "backup"
    if rng.random() < 0.5:  # anywhere in backing up + migrating
        deadline = t0 + rng.uniform(0, (backup_s + migration_s) * 1.1)
    else:  # inside the migration's transaction (its COMMIT included)
        if child.line(t0 + 120) == "backed-up":
            phase = "migration"
        deadline = time.monotonic() + rng.uniform(0, migration_s * 1.1)
    while (line := child.line(deadline)) is not None:
        phase = "migration" if line == "backed-up" else "after"
    killed = child.kill()
    tally.kills += killed
    tally.phase(f"killed-in-{phase}" if killed else "exited")
    if _check_migration(db, ids, schemas, tally) and (phase != "backup" or finish_all):
        # the app still opens it, and finishes the upgrade when it was interrupted
        done = subprocess.run(
            [*args, str(db)], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
        )
        if f"migrated {max(schemas)}" not in done.stdout:
            tally.problems.append(f"reopening after the kill: {done.stderr.strip()[-300:]}")
    return timing


def _check_migration(
    db: Path, ids: set[str], schemas: dict[int, set[tuple[str, str]]], tally: Tally
) -> bool:
    """Checks what a kill in a migration left; True when it is consistent: the old
    version with exactly the old schema, or the new one with exactly the new schema and
    its library filled in, and every annotation there."""
    result = integrity(db)
    if result != "ok":
        tally.problems.append(f"integrity_check after a kill in a migration: {result}")
        return False
    version = _version(db)
    with connect(db) as conn:
        found = {r[0] for r in conn.execute("SELECT id FROM annotations WHERE deleted = 0")}
    tally.rows_checked += len(ids)
    missing = len(ids - found)
    tally.lost += missing
    if missing:
        tally.problems.append(f"{missing} rows missing after a kill in a migration")
    consistent = version in schemas and _schema(db) == schemas[version]
    if not consistent:
        tally.problems.append(f"schema version {version} does not match its tables")
    elif version == max(schemas):
        tally.phase("found-new-version")
        with connect(db) as conn:
            docs = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
            catalog = conn.execute("SELECT count(*) FROM catalog").fetchone()[0]
            try:
                conn.execute("INSERT INTO catalog_fts(catalog_fts) VALUES('integrity-check')")
            except sqlite3.Error as exc:
                tally.problems.append(f"full-text index after a kill in a migration: {exc}")
        if docs != catalog:
            tally.problems.append(f"new version, {docs} documents but {catalog} in the catalog")
    else:
        tally.phase("found-old-version")
    bad = damaged_backups(db)
    if bad:
        tally.problems.append(f"damaged backups under final names: {bad[:3]}")
    return not missing and consistent


# =========================================================================== import
def write_import_file(path: Path, documents: int, per_document: int, seed: int = 2) -> int:
    rng = random.Random(seed)
    text = ("Utilization review denied the request for acupuncture sessions. " * 70)[:4000]
    total = 0
    with path.open("w", encoding="utf-8") as f:
        for d in range(documents):
            spans = []
            for _ in range(per_document):
                start = rng.randrange(0, len(text) - 80)
                end = start + rng.randint(5, 70)
                spans.append(
                    {
                        "start": start,
                        "end": end,
                        "label": rng.choice(["Summary fact", "Decision", "Guideline citation"]),
                        "text": text[start:end],
                    }
                )
            total += len(spans)
            record = {"id": f"import-{d}", "text": f"{d} {text}", "spans": spans, "meta": {}}
            for s in record["spans"]:  # the text got a prefix: shift the spans with it
                shift = len(f"{d} ")
                s["start"] += shift
                s["end"] += shift
            f.write(json.dumps(record) + "\n")
    return total


def _kill_window(
    workdir: Path,
    args: list[str],
    env: dict[str, str],
    kills: int,
    rng: random.Random,
    timing: float,
    fresh: Callable[[], None],
    check: Callable[[Tally], None],
    tally: Tally,
) -> None:
    """Run ``args`` on a fresh database and kill it at a random moment of its run, until
    ``kills`` kills landed; a run that ended first shrinks the window (a busy machine
    makes the first timing wrong)."""
    attempts = 0
    while tally.kills < kills and attempts < 5 * kills:
        attempts += 1
        fresh()
        child = Child(args, env, workdir / "stderr.log")
        time.sleep(rng.uniform(0, timing))
        killed = child.kill()
        tally.kills += killed
        if not killed:
            timing *= 0.8
            tally.phase("finished-before-the-kill")
        check(tally)


def import_kills(workdir: Path, kills: int, rng: random.Random, *, documents: int) -> Tally:
    """``imr-desktop import-annotations`` of ``documents`` x 150 annotations, killed."""
    tally = Tally()
    started = time.monotonic()
    workdir.mkdir(parents=True, exist_ok=True)
    template = workdir / "template.sqlite"
    before = build_annotated_db(template, documents=2, per_document=200, seed=3)
    jsonl = workdir / "import.jsonl"
    expected = write_import_file(jsonl, documents, 150)
    env = child_env(workdir)
    db = workdir / "db.sqlite"
    args = [sys.executable, "-m", "imr_desktop", "import-annotations", "--db", str(db)]
    args += [str(jsonl), "--format", "jsonl"]

    def fresh() -> None:
        for old in workdir.glob("db.sqlite*"):
            old.unlink()
        shutil.copy(template, db)

    def check(tally: Tally) -> None:
        result = integrity(db)
        if result != "ok":
            tally.problems.append(f"integrity_check after a kill in an import: {result}")
            return
        imported = _imported(db)
        tally.phase({0: "import-none", expected: "import-all"}.get(imported, "import-partial"))
        if imported not in (0, expected):
            tally.problems.append(f"partial import: {imported} of {expected}")
        _earlier_rows(db, before, tally)

    fresh()
    t0 = time.monotonic()
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    if done.returncode != 0 or _imported(db) != expected:
        tally.problems.append(f"the import itself failed: {done.stderr.strip()[-300:]}")
        return tally
    _kill_window(workdir, args, env, kills, rng, time.monotonic() - t0, fresh, check, tally)
    tally.seconds = time.monotonic() - started
    return tally


def _earlier_rows(db: Path, before: set[str], tally: Tally) -> None:
    with connect(db) as conn:
        found = {r[0] for r in conn.execute("SELECT id FROM annotations WHERE deleted = 0")}
    tally.rows_checked += len(before)
    missing = len(before - found)
    tally.lost += missing
    if missing:
        tally.problems.append(f"{missing} earlier rows missing after a kill in an import")


def _imported(db: Path) -> int:
    with connect(db) as conn:
        return conn.execute(
            "SELECT count(*) FROM annotations WHERE document NOT IN "
            "(SELECT sha256 FROM documents WHERE path LIKE 'l%.txt')"
        ).fetchone()[0]


def write_letters(folder: Path, count: int, seed: int = 4) -> None:
    rng = random.Random(seed)
    words = ["request", "physical", "therapy", "lumbar", "spine", "medically", "necessary"]
    words += ["upheld", "overturned", "MTUS", "ACOEM", "guideline", "reviewer", "injury"]
    words += ["claimant", "acupuncture", "sessions", "denied"]
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        body = " ".join(rng.choice(words) for _ in range(300))
        (folder / f"letter-{i:04d}.txt").write_text(
            f"Case Number: CM16-{i:07d}\nDecision: {body}\n", encoding="utf-8"
        )


def library_import_kills(
    workdir: Path, kills: int, rng: random.Random, *, files: int, finish_every: int = 1
) -> Tally:
    """``imr-desktop import FOLDER`` (letters into the library: reader processes, batched
    transactions), killed with its readers. Checked: integrity and the full-text index
    sound, each document whole (its catalog row with it), earlier annotations there; and
    after every ``finish_every``-th kill a second import completes it, no duplicates."""
    tally = Tally()
    started = time.monotonic()
    workdir.mkdir(parents=True, exist_ok=True)
    template = workdir / "template.sqlite"
    before = build_annotated_db(template, documents=2, per_document=200, seed=5)
    with connect(template) as conn:
        base_docs = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    letters = workdir / "letters"
    write_letters(letters, files)
    env = child_env(workdir)
    db = workdir / "db.sqlite"
    args = [sys.executable, "-m", "imr_desktop", "import", str(letters), "--db", str(db)]
    args += ["--any-text", "--workers", "1"]
    count = {"kills": 0}

    def fresh() -> None:
        for old in workdir.glob("db.sqlite*"):
            old.unlink()
        shutil.copy(template, db)

    def documents() -> tuple[int, int, int]:
        with connect(db) as conn:
            docs = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
            catalog = conn.execute("SELECT count(*) FROM catalog").fetchone()[0]
            textless = conn.execute(
                "SELECT count(*) FROM documents WHERE path LIKE '%letter-%' AND text IS NULL"
            ).fetchone()[0]
        return docs, catalog, textless

    def check(tally: Tally) -> None:
        result = integrity(db)
        if result != "ok":
            tally.problems.append(f"integrity_check after a kill in a library import: {result}")
            return
        try:
            with connect(db) as conn:
                conn.execute("INSERT INTO catalog_fts(catalog_fts) VALUES('integrity-check')")
        except sqlite3.Error as exc:
            tally.problems.append(f"full-text index after a kill: {exc}")
        docs, catalog, textless = documents()
        if docs != catalog or textless:
            tally.problems.append(f"{docs} documents, {catalog} catalog rows, {textless} empty")
        imported = docs - base_docs
        tally.phase({0: "library-none", files: "library-all"}.get(imported, "library-partial"))
        _earlier_rows(db, before, tally)
        count["kills"] += 1
        if count["kills"] % finish_every == 0:  # the next import picks up where it stopped
            again = subprocess.run(
                args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
            )
            docs, catalog, _ = documents()
            if again.returncode != 0 or docs != base_docs + files or catalog != docs:
                tally.problems.append(
                    f"re-import after a kill: {docs - base_docs} of {files} "
                    f"({again.stderr.strip()[-200:]})"
                )

    fresh()
    t0 = time.monotonic()
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    if done.returncode != 0 or documents()[0] != base_docs + files:
        tally.problems.append(f"the library import itself failed: {done.stderr.strip()[-300:]}")
        return tally
    _kill_window(workdir, args, env, kills, rng, time.monotonic() - t0, fresh, check, tally)
    tally.seconds = time.monotonic() - started
    return tally


def run_parallel(jobs: list[Callable[[], Tally]], workers: int = 2) -> Tally:
    from concurrent.futures import ThreadPoolExecutor

    total = Tally()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for tally in pool.map(lambda job: job(), jobs):
            total.add(tally)
    return total
