"""Hostile-file benchmark (issue 7, item 7). Run: python tests/benchmarks/bench_fuzz.py [--files N]

Generates N ≥ 1,000 broken and hostile PDFs (``tests/fuzzgen.py``: every constructed kind,
then mutants of generated and corpus letters) and opens each one in the real main window
(offscreen) running in a child "app" process, the way a user would, one after another.
The parent watches that process: if it dies, that is an app crash (the file is recorded and
a new app process continues after it); if it says nothing for 30 s, that is a hang. For
each file the app reports how long it took to decide (opened, with its text read, or
refused) and the message. Targets: 0 crashes, 0 hangs, every file decided within 10 s,
every refusal one clear line, nothing launched.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
SILENCE_S = 30.0


def child(folder: Path, start: int) -> int:
    """The app process: open every file from index ``start`` on, print one JSON line each."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import pytest  # only for MonkeyPatch (the launch recorder)
    from PySide6.QtWidgets import QApplication

    from imr_desktop.core.settings import Settings
    from imr_desktop.core.store import Store
    from imr_desktop.ui.main_window import MainWindow
    from tests.untrusted_helpers import LaunchRecorder, clear_message, decide

    app = QApplication.instance() or QApplication([])
    recorder = LaunchRecorder().install(pytest.MonkeyPatch())
    window = MainWindow(
        store=Store.open(folder / "bench.sqlite"), settings=Settings(), interactive=False
    )
    window.resize(1100, 900)
    window.show()
    files = sorted(folder.glob("*.pdf"))
    for index in range(start, len(files)):
        path = files[index]
        print(json.dumps({"start": index, "name": path.name}), flush=True)
        result = decide(window, path, limit_s=60)
        clear = result.verdict != "refused" or clear_message(result.message, path.name)
        print(
            json.dumps(
                {
                    "i": index,
                    "name": path.name,
                    "verdict": result.verdict,
                    "seconds": round(result.seconds, 3),
                    "message": result.message,
                    "clear": clear,
                    "launched": len(recorder.calls),
                }
            ),
            flush=True,
        )
    window.close()
    app.quit()
    return 0


def run(count: int, seed: int) -> dict:
    from tests import fuzzgen

    work = Path(tempfile.mkdtemp(prefix="imr-fuzz-"))
    corpus = work / "files"
    corpus.mkdir()
    made = time.perf_counter()
    kinds: dict[str, str] = {}
    for k, case in enumerate(fuzzgen.cases(count, seed)):
        name = f"{k:05d}-{case.name}"
        (corpus / name).write_bytes(case.data)
        kinds[name] = case.kind
    made = time.perf_counter() - made
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        IMR_DESKTOP_DATA_DIR=str(work / "data"),
        IMR_DESKTOP_CONFIG_DIR=str(work / "config"),
        QT_QPA_PLATFORM="offscreen",
    )
    results: list[dict] = []
    crashes: list[str] = []
    hangs: list[str] = []
    start = 0
    files = sorted(p.name for p in corpus.glob("*.pdf"))
    while start < len(files):
        proc = subprocess.Popen(
            [sys.executable, __file__, "--child", str(corpus), "--start", str(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        os.set_blocking(fd, False)
        current, last_line, buffer = start, time.monotonic(), ""
        while True:
            try:
                chunk = os.read(fd, 1 << 16).decode("utf-8")
            except BlockingIOError:
                chunk = ""
            if chunk:
                buffer += chunk
                last_line = time.monotonic()
                *lines, buffer = buffer.split("\n")
                for line in lines:
                    row = json.loads(line)
                    if "start" in row:
                        current = row["start"]
                    else:
                        row["kind"] = kinds[row["name"]]
                        results.append(row)
                        if row["verdict"] == "hang":
                            hangs.append(row["name"])
                        current = row["i"] + 1
            if proc.poll() is not None:
                if proc.returncode != 0 and current < len(files):
                    crashes.append(f"{files[current]} (exit {proc.returncode})")
                    current += 1
                break
            if time.monotonic() - last_line > SILENCE_S:
                proc.kill()
                proc.wait()
                hangs.append(files[current])
                current += 1
                break
            time.sleep(0.05)
        start = current
    seconds = sorted(r["seconds"] for r in results)
    verdicts: dict[str, int] = {}
    for r in results:
        verdicts[r["verdict"]] = verdicts.get(r["verdict"], 0) + 1
    slowest = sorted(results, key=lambda r: -r["seconds"])[:5]
    return {
        "files": len(files),
        "generated_in_s": round(made, 1),
        "verdicts": verdicts,
        "app_crashes": crashes,
        "hangs": hangs,
        "decide_s_median": round(statistics.median(seconds), 3),
        "decide_s_p99": round(seconds[int(0.99 * (len(seconds) - 1))], 3),
        "decide_s_max": seconds[-1],
        "over_10s": [r["name"] for r in results if r["seconds"] > 10],
        "unclear_messages": [r["message"] for r in results if not r["clear"]],
        "launched": max((r["launched"] for r in results), default=0),
        "slowest": [(r["name"], r["seconds"], r["verdict"]) for r in slowest],
        "refusal_examples": sorted(
            {r["message"].split(" ", 1)[1] for r in results if r["verdict"] == "refused"}
        )[:12],
        "load_average": round(os.getloadavg()[0], 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--start", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.start)
    started = time.perf_counter()
    summary = run(args.files, args.seed)
    summary["total_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(summary, indent=1))
    ok = not (summary["app_crashes"] or summary["hangs"] or summary["over_10s"])
    return 0 if ok and not summary["unclear_messages"] and not summary["launched"] else 1


if __name__ == "__main__":  # the probe process is spawned: this guard is required
    raise SystemExit(main())
