"""The first page comes first (issue 2): rendered once, painted before the text is read."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from tests.pdfgen import write_letter_pdf
from tests.ui_helpers import make_window, open_and_wait


def test_opening_renders_each_page_once_and_paints_before_reading_text(
    qtbot, tmp_path: Path
) -> None:
    letter = write_letter_pdf(tmp_path / "letter.pdf", pages=3)
    window = make_window(qtbot, tmp_path / "db.sqlite")
    renders: Counter[tuple[int, float]] = Counter()
    events: list[str] = []
    window.service.rendered.connect(lambda r: renders.update([(r.page, r.zoom)]))
    window.documentReady.connect(lambda: events.append("painted"))
    window.session.textProgress.connect(lambda _d, _t: events.append("text"))
    open_and_wait(qtbot, window, letter)
    qtbot.wait(100)  # anything late (a second render) would arrive by now
    assert renders, "nothing was rendered"
    # the fit-width zoom already counts the scroll bar: no re-render when it appears
    assert set(renders.values()) == {1}, renders
    assert len({zoom for _page, zoom in renders}) == 1, renders
    # the text of a PDF is read after its first page is on screen
    assert events[0] == "painted" and "text" in events, events
    window.close()


def test_a_hidden_window_still_gets_the_text(qtbot, tmp_path: Path) -> None:
    letter = write_letter_pdf(tmp_path / "letter.pdf", pages=2)
    window = make_window(qtbot, tmp_path / "db.sqlite")
    window.hide()  # nothing paints: the text starts after a short delay anyway
    with qtbot.waitSignal(window.session.textComplete, timeout=10_000):
        window.open_file(letter)
    assert window.session.text_complete and window.session.text.strip()
    window.close()
