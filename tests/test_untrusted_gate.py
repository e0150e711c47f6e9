"""The probe process decides on every PDF before the app parses it: clear refusals,
visible damage, limits on time and memory, active content reported and never run."""

from __future__ import annotations

import hashlib
import os
import signal
import time
from pathlib import Path

import pytest

from imr_desktop.core.errors import DocumentError, PasswordRequired
from imr_desktop.core.untrusted.gate import ProbeGate
from imr_desktop.core.untrusted.links import is_safe_url
from imr_desktop.core.untrusted.report import ProbeReport
from tests import fuzzgen, pdfgen


@pytest.fixture(scope="module")
def gate(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    g = ProbeGate(cache_dir=tmp_path_factory.mktemp("probe-cache"))
    g.start()
    yield g
    g.close()


def _check(gate: ProbeGate, tmp_path: Path, name: str, data: bytes, password: str | None = None):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_bytes(data)
    return gate.check(path, hashlib.sha256(data).hexdigest(), name, password)


def _refusal(gate: ProbeGate, tmp_path: Path, name: str, data: bytes) -> str:
    with pytest.raises(DocumentError) as err:
        _check(gate, tmp_path, name, data)
    message = str(err.value)
    assert name in message and "\n" not in message and "Traceback" not in message
    return message


def test_a_letter_passes_with_its_facts(gate: ProbeGate, tmp_path: Path) -> None:
    report = _check(gate, tmp_path, "letter.pdf", pdfgen.letter_bytes(3))
    assert isinstance(report, ProbeReport) and report.ok
    assert (report.page_count, report.pages_checked, report.repaired) == (3, 3, False)
    assert report.warnings("letter.pdf") == []


def test_zero_pages_and_damage_are_said_as_such(gate: ProbeGate, tmp_path: Path) -> None:
    assert "opened with 0 pages" in _refusal(gate, tmp_path, "zero.pdf", fuzzgen.zero_pages())
    assert "is damaged" in _refusal(gate, tmp_path, "trunc.pdf", pdfgen.truncated_bytes())
    assert "not a PDF" in _refusal(gate, tmp_path, "text.pdf", b"just text, no header")


def test_unreadable_pages_are_reported_not_hidden(gate: ProbeGate, tmp_path: Path) -> None:
    report = _check(gate, tmp_path, "cycle.pdf", fuzzgen.page_tree_cycle())
    assert report.page_count == 2 and report.unreadable_pages == (1,)
    [line] = report.warnings("cycle.pdf")
    assert "1 of its 2 pages cannot be read (page 2)" in line


def test_an_image_bomb_is_refused_at_once(gate: ProbeGate, tmp_path: Path) -> None:
    started = time.monotonic()
    message = _refusal(gate, tmp_path, "bomb.pdf", fuzzgen.image_bomb())
    assert "40000 × 40000 pixels" in message
    assert time.monotonic() - started < 5


def test_a_file_that_takes_too_long_is_refused_and_the_next_opens_fast(tmp_path: Path) -> None:
    gate = ProbeGate(timeout=2.0)
    gate.start()
    try:
        first_pid = gate.pid
        started = time.monotonic()
        message = _refusal(gate, tmp_path, "slow.pdf", fuzzgen.content_bomb())
        assert "took longer than 2 seconds" in message and "decompression bomb" in message
        assert time.monotonic() - started < 4
        assert gate.pid != first_pid  # killed and replaced at once
        started = time.monotonic()
        assert _check(gate, tmp_path, "letter.pdf", pdfgen.letter_bytes(1)).ok
        assert time.monotonic() - started < 2.0  # the replacement was already booting
        # timeouts depend on the machine's load: never cached
        with pytest.raises(DocumentError):
            _check(gate, tmp_path, "slow.pdf", fuzzgen.content_bomb())
    finally:
        gate.close()


def test_a_font_bomb_is_refused_whatever_mupdf_recovers_from(
    gate: ProbeGate, tmp_path: Path
) -> None:
    # MuPDF inflates the 400 MB font, notices the bomb, and would draw with a substitute
    # font: the app would have held 400 MB for nothing. Refused, saying why.
    message = _refusal(gate, tmp_path, "font.pdf", fuzzgen.font_bomb())
    assert "decompression bomb" in message


def test_memory_is_limited_in_the_probe_not_the_app(tmp_path: Path) -> None:
    # with a 220 MB address space (Python and MuPDF need ~120) inflating the font fails,
    # inside the probe: a clear refusal, and the app process never allocated anything
    small = ProbeGate(memory_limit=220 * 1024 * 1024)
    try:
        message = _refusal(small, tmp_path, "font.pdf", fuzzgen.font_bomb())
        assert "needs more memory than a letter ever does" in message
        # the probe process was replaced after the allocation failure, and works
        assert _check(small, tmp_path, "letter.pdf", pdfgen.letter_bytes(1)).ok
    finally:
        small.close()


def test_pages_too_big_to_draw_are_refused(gate: ProbeGate, tmp_path: Path) -> None:
    assert "200 × 200 inches" in _refusal(gate, tmp_path, "huge.pdf", fuzzgen.huge_page())


def test_a_big_image_within_limits_opens(gate: ProbeGate, tmp_path: Path) -> None:
    assert _check(gate, tmp_path, "big.pdf", fuzzgen.big_image()).ok


def test_a_crashed_probe_is_a_refusal_and_is_replaced(tmp_path: Path) -> None:
    gate = ProbeGate()
    gate.start()
    try:
        os.kill(gate.pid, signal.SIGKILL)  # as if MuPDF had crashed on the file
        time.sleep(0.2)
        # the dead process is noticed when asked: a fresh one takes over
        assert _check(gate, tmp_path, "letter.pdf", pdfgen.letter_bytes(1)).ok
        # a file that kills the reader every time it is read: refused, saying so
        crashes = []
        original = ProbeGate._ensure_process

        def ensure_then_die(self):  # type: ignore[no-untyped-def]
            original(self)
            if self._proc.pid in crashes or len(crashes) == 2:
                return  # the file's two attempts die; the process after them lives
            self._ready = True  # skip the boot message: the next recv() sees the death
            os.kill(self._proc.pid, signal.SIGKILL)
            self._proc.join(timeout=2)
            self._proc.is_alive = lambda: True  # as if it died while reading the file
            crashes.append(self._proc.pid)

        ProbeGate._ensure_process = ensure_then_die  # type: ignore[method-assign]
        try:
            message = _refusal(gate, tmp_path, "evil.pdf", pdfgen.letter_bytes(2))
        finally:
            ProbeGate._ensure_process = original  # type: ignore[method-assign]
        assert "stopped while checking it" in message and "SIGKILL" in message
        assert len(crashes) == 2  # tried once more with a fresh process, then refused
        assert gate.pid not in crashes
    finally:
        gate.close()


def test_passwords_go_through_the_probe(gate: ProbeGate, tmp_path: Path) -> None:
    data = pdfgen.encrypted_bytes()
    with pytest.raises(PasswordRequired) as err:
        _check(gate, tmp_path, "locked.pdf", data)
    assert not err.value.wrong
    with pytest.raises(PasswordRequired) as err:
        _check(gate, tmp_path, "locked.pdf", data, password="nope")
    assert err.value.wrong
    assert _check(gate, tmp_path, "locked.pdf", data, password=pdfgen.USER_PASSWORD).ok


def test_active_content_is_reported_and_only_safe_links_kept(
    gate: ProbeGate, tmp_path: Path
) -> None:
    js = _check(gate, tmp_path, "js.pdf", fuzzgen.javascript())
    assert js.ok and "JavaScript" in js.ignored
    launch = _check(gate, tmp_path, "launch.pdf", fuzzgen.launch())
    assert launch.ok and any("Launch" in i for i in launch.ignored) and launch.links == ()
    files = _check(gate, tmp_path, "attached.pdf", fuzzgen.embedded_file())
    assert "embedded files" in files.ignored
    links = _check(gate, tmp_path, "links.pdf", fuzzgen.links())
    assert [link.url for link in links.links] == ["https://www.dir.ca.gov/dwc/IMR.htm"]
    assert links.links[0].page == 0
    x0, y0, x1, y1 = links.links[0].rect
    assert (x0, y0) == pytest.approx((72, 100)) and (x1, y1) == pytest.approx((400, 116))
    [line] = js.warnings("js.pdf")
    assert "never runs or follows them" in line


def test_verdicts_are_cached_by_sha256(gate: ProbeGate, tmp_path: Path) -> None:
    data = pdfgen.letter_bytes(2)
    _check(gate, tmp_path, "a.pdf", data)
    os.kill(gate.pid, signal.SIGKILL)  # no probe process to ask
    started = time.monotonic()
    assert _check(gate, tmp_path, "renamed.pdf", data).ok  # same bytes, other name
    assert time.monotonic() - started < 0.05
    # a cached refusal names the file it is about now, not the one first seen
    zero = fuzzgen.zero_pages()
    assert "first.pdf is damaged" in _refusal(gate, tmp_path, "first.pdf", zero)
    assert _refusal(gate, tmp_path, "second.pdf", zero).startswith("second.pdf is damaged")
    # and on disk, for the next run of the app
    other = ProbeGate(cache_dir=gate.cache_dir)
    assert _check(other, tmp_path, "b.pdf", data).page_count == 2
    assert other.pid is None  # answered without starting a probe process
    gate.start()


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://www.dir.ca.gov/dwc/IMR.htm", True),
        ("http://example.org", True),
        ("mailto:imr@maximus.com", True),
        ("HTTPS://EXAMPLE.ORG/x", True),
        ("javascript:app.alert(1)", False),
        ("file:///etc/passwd", False),
        ("smb://host/share", False),
        ("https://", False),
        ("mailto:", False),
        ("https://example.org/\x00", False),
        ("data:text/html,<script>", False),
        ("", False),
    ],
)
def test_only_web_and_mail_links_are_safe(url: str, safe: bool) -> None:
    assert is_safe_url(url) is safe


def test_a_known_letter_is_recognised_without_the_probe(tmp_path: Path) -> None:
    # app start: a letter with a cached verdict opens without waiting for (or competing
    # with) the probe process's boot
    cache = tmp_path / "cache"
    first = ProbeGate(cache_dir=cache)
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdfgen.letter_bytes(1))
    assert not first.knows(path)
    try:
        _check(first, tmp_path, "letter.pdf", path.read_bytes())
    finally:
        first.close()
    later = ProbeGate(cache_dir=cache)
    assert later.knows(path) and later.pid is None
    assert not later.knows(tmp_path / "missing.pdf")
    assert not later.knows(path, max_bytes=10)  # big files: just boot the probe
