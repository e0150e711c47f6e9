"""Hostile and broken files in the real window: each one opened or refused in time with
a clear message, damage shown as such, nothing ever launched, links only on request."""

from __future__ import annotations

import collections
import re
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt

from imr_desktop.core.untrusted.report import Link
from tests import fuzzgen, pdfgen
from tests.ui_helpers import make_window, open_and_wait
from tests.untrusted_helpers import DECIDE_LIMIT_S, LaunchRecorder, clear_message, decide

CI_FILES = 300  # every constructed kind + mutants; the benchmark runs >= 1,000


@pytest.mark.slow
def test_fuzz_corpus_is_decided_in_time_with_clear_messages(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    launched = LaunchRecorder().install(monkeypatch)
    window = make_window(qtbot, tmp_path / "db.sqlite")
    verdicts: collections.Counter[str] = collections.Counter()
    slowest = 0.0
    for case in fuzzgen.cases(CI_FILES):
        path = tmp_path / case.name
        path.write_bytes(case.data)
        result = decide(window, path)
        path.unlink()
        assert result.verdict != "hang", (case.name, case.kind, result)
        assert result.seconds <= DECIDE_LIMIT_S, (case.name, case.kind, result.seconds)
        slowest = max(slowest, result.seconds)
        verdicts[result.verdict] += 1
        if case.expect == "open":
            assert result.verdict == "opened", (case.name, result.message)
        elif case.expect == "refuse":
            assert result.verdict == "refused", case.name
        if result.verdict == "refused":
            assert clear_message(result.message, case.name), result.message
            assert window.last_error == result.message
        else:
            info = window.session.info
            assert info is not None and info.path == path
            damaged = info.warnings or (info.probe is not None and info.probe.repaired)
            if damaged:  # "repaired" shown as such
                assert "repaired while opening" in window.banner.message_text("repaired")
    assert verdicts["opened"] > 20 and verdicts["refused"] > 20, verdicts
    assert launched.calls == []
    assert slowest <= DECIDE_LIMIT_S


def test_a_refused_file_leaves_the_open_letter_alone(
    qtbot, tmp_path: Path, letter_pdf: Path
) -> None:
    window = make_window(qtbot, tmp_path / "db.sqlite")
    open_and_wait(qtbot, window, letter_pdf)
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(fuzzgen.image_bomb())
    result = decide(window, bomb)
    assert result.verdict == "refused" and "too large to display safely" in result.message
    assert window.session.info.path == letter_pdf  # still showing the letter
    assert "Page 1 of 3" in window.session.text


def test_zero_pages_and_repairs_are_shown_as_such(qtbot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "db.sqlite")
    zero = tmp_path / "zero.pdf"
    zero.write_bytes(fuzzgen.zero_pages())
    result = decide(window, zero)
    assert (
        result.verdict == "refused"
        and result.message == "zero.pdf is damaged: it opened with 0 pages."
    )
    # a letter whose xref is gone opens, repaired, and says so
    data = pdfgen.letter_bytes(2)
    broken = tmp_path / "no-xref.pdf"
    broken.write_bytes(data[: data.rfind(b"xref")])
    assert decide(window, broken).verdict == "opened"
    assert "was damaged; it was repaired" in window.banner.message_text("repaired")
    cycle = tmp_path / "cycle.pdf"
    cycle.write_bytes(fuzzgen.page_tree_cycle())
    assert decide(window, cycle).verdict == "opened"
    assert "1 of its 2 pages cannot be read (page 2)" in window.banner.message_text("untrusted")


def test_scripts_launches_and_attachments_are_never_run(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    launched = LaunchRecorder().install(monkeypatch)
    window = make_window(qtbot, tmp_path / "db.sqlite")
    for name, make, what in (
        ("js.pdf", fuzzgen.javascript, "JavaScript"),
        ("launch.pdf", fuzzgen.launch, "Launch actions"),
        ("attached.pdf", fuzzgen.embedded_file, "embedded files"),
    ):
        path = tmp_path / name
        path.write_bytes(make())
        assert decide(window, path).verdict == "opened"
        note = window.banner.message_text("untrusted")
        assert what in note and "never runs or follows them" in note
        # click everywhere a link or a button could be, with and without Ctrl
        vp = window.pdf_view.viewport()
        for y in range(20, vp.height(), 40):
            for mod in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ControlModifier):
                qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, mod, QPoint(150, y))
    assert launched.calls == []
    assert window.file_safety.opened_urls == []


def _link_point(window, link: Link) -> QPoint:  # type: ignore[no-untyped-def]
    view = window.pdf_view
    origin = view._page_origin(link.page)
    x0, y0, _x1, y1 = link.rect
    return QPoint(
        int(origin.x() + (x0 + 20) * view.zoom), int(origin.y() + (y0 + y1) / 2 * view.zoom)
    )


def test_links_open_only_on_ctrl_click_after_asking_and_only_web_or_mail(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    launched = LaunchRecorder().install(monkeypatch)
    window = make_window(qtbot, tmp_path / "db.sqlite")
    asked: list[str] = []
    answer = {"yes": False}
    safety = window.file_safety
    safety.confirm = lambda _parent, url: asked.append(url) or answer["yes"]
    opened: list[str] = []
    safety.opener = lambda url: opened.append(url) or True
    path = tmp_path / "links.pdf"
    path.write_bytes(fuzzgen.links())
    assert decide(window, path).verdict == "opened"
    [link] = safety.links  # the javascript:, file: and other-file links were dropped
    assert link.url == "https://www.dir.ca.gov/dwc/IMR.htm"
    vp = window.pdf_view.viewport()
    point = _link_point(window, link)
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=point)  # a plain click selects
    assert asked == [] and opened == []
    ctrl = Qt.KeyboardModifier.ControlModifier
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, ctrl, point)  # asks; user says no
    assert asked == [link.url] and opened == []
    answer["yes"] = True
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, ctrl, point)
    assert opened == [link.url]
    # Ctrl+click on the dangerous links' text does nothing at all
    for y in (148, 188, 228):
        where = _link_point(window, Link(0, (72, y - 8, 400, y + 8), ""))
        qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, ctrl, where)
    assert opened == [link.url] and len(asked) == 2
    # a stale or forged link record is re-checked before anything is handed over
    assert safety.follow(Link(0, (0, 0, 1, 1), "javascript:alert(1)")) is False
    assert launched.calls == []  # the real QDesktopServices was never reached


def test_nothing_in_the_app_can_launch_anything() -> None:
    """Source guard: only ui/file_safety.py hands anything to the desktop (openUrl, after
    is_safe_url and a confirmation); no shell, browser or PDF JavaScript; the one program
    ever run is the ``tesseract`` OCR engine (core/ocr/program.py), with a fixed argument
    list and never a shell."""
    root = Path(__file__).resolve().parents[1] / "imr_desktop"
    forbidden = re.compile(
        r"\b(subprocess|webbrowser|os\.system|os\.startfile|os\.exec\w*|os\.spawn\w*|"
        r"enable_js|pdf_enable_js|openUrl)\b"
    )
    hits = {}
    for path in root.rglob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if forbidden.search(code):
                hits[f"{path.relative_to(root)}:{number}"] = line.strip()
    allowed = {k for k, v in hits.items() if k.startswith("ui/file_safety.py") and "openUrl" in v}
    ocr = {k for k in hits if k.startswith("core/ocr/program.py:")}
    assert set(hits) - allowed - ocr == set(), hits
    source = (root / "core" / "ocr" / "program.py").read_text(encoding="utf-8")
    assert "shell=" not in source and "os.system" not in source
    runs = re.findall(r"subprocess\.run\(\s*(\[?\w+)", source)
    # the program found by which("tesseract"): its --version, then the OCR command
    assert runs == ["[path", "command"], runs
    assert re.search(r'command = \[\s*path, "stdin", "stdout"', source)
    assert 'shutil.which("tesseract")' in source
    # two doors to the desktop: a checked, confirmed http/https/mailto link, and a local
    # file or folder the app itself wrote (packet, export), opened on the user's click
    assert sorted(hits[k].split("(")[0] for k in allowed) == [
        "return QDesktopServices.openUrl",
        "return QDesktopServices.openUrl",
    ]
    assert any("fromLocalFile" in hits[k] for k in allowed)
    assert any("StrictMode" in hits[k] for k in allowed)
