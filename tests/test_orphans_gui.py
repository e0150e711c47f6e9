"""Orphans in the real window and the side panel: listed under "Needs re-attaching",
re-attached to a passage the user drags over, undone with Ctrl+Z, found, deleted.

The situation is the one users meet: a letter annotated under an older text extractor
whose text had a preamble the current extractor no longer reads, so an annotation on
that preamble cannot be placed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QPersistentModelIndex, QPoint, Qt, QTimer
from PySide6.QtGui import QColor, QPalette, QUndoStack
from PySide6.QtWidgets import QApplication, QMenu

from imr_desktop.core.document import load_document
from imr_desktop.core.labels import LabelSet
from imr_desktop.core.model import Annotation, DocumentRecord
from imr_desktop.core.session import AnnotationSet
from imr_desktop.core.store import Store
from imr_desktop.ui.annotation_model import (
    ANNOTATION_ID_ROLE,
    ORPHAN_GROUP,
    ORPHAN_ROLE,
    PLACE_ROLE,
    AnnotationTreeModel,
)
from imr_desktop.ui.annotation_panel import (
    REATTACH_NO_ORPHAN,
    REATTACH_NO_SELECTION,
    REATTACH_READ_ONLY,
    AnnotationPanel,
)
from imr_desktop.ui.commands import ReattachAnnotation
from imr_desktop.ui.find_bar import quote_query
from imr_desktop.ui.orphans import BANNER, SHOW_BUTTON
from imr_desktop.ui.theme import DARK, WARNING_DARK, WARNING_LIGHT, ThemeController
from tests import pdfgen
from tests.test_help_and_theme import _contrast
from tests.ui_helpers import (
    activate,
    drag_select,
    make_window,
    open_and_wait,
    record_old_extraction,
)

PREAMBLE = "An older extractor put this preamble first.\n"
LOST_QUOTE = "An older extractor"
NOTE = "check against the UR letter"


@dataclass
class Letter:
    db: Path
    pdf: Path
    text: str  # what the current extractor reads
    kept: Annotation  # placed again after the text changed
    lost: Annotation  # its quote is gone: an orphan


def annotated_under_old_extractor(tmp_path: Path, pdf: Path) -> Letter:
    doc = load_document(pdf)
    old_text = PREAMBLE + doc.text
    db = tmp_path / "a.sqlite"
    store = Store.open(db)
    record_old_extraction(store, pdf, old_text)
    label = store.labels()[1]  # Decision
    target = doc.text.index("Page 2") + len(PREAMBLE)
    kept = Annotation.create(
        document=doc.source.sha256,
        text=old_text,
        start=target,
        end=target + 6,
        label_id=label.id,
        annotator="ana",
    )
    lost = Annotation.create(
        document=doc.source.sha256,
        text=old_text,
        start=0,
        end=len(LOST_QUOTE),
        label_id=label.id,
        annotator="ana",
        note=NOTE,
    )
    store.add_annotation(kept)
    store.add_annotation(lost)
    store.close()
    return Letter(db, pdf, doc.text, kept, lost)


def row(db: Path, annotation_id: str) -> dict:
    store = Store.open(db, read_only=True)
    try:
        found = list(store.db.query("SELECT * FROM annotations WHERE id = ?", [annotation_id]))
    finally:
        store.close()
    assert found
    return found[0]


def shown_groups(panel: AnnotationPanel) -> dict[str, list[str]]:
    proxy = panel.proxy
    out: dict[str, list[str]] = {}
    for r in range(proxy.rowCount()):
        group = proxy.index(r, 0)
        out[group.data()] = [proxy.index(i, 0, group).data() for i in range(proxy.rowCount(group))]
    return out


def select_passage(qtbot, window) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Drag over ``pdfgen.KNOWN_PASSAGE`` on page 2, as a user would (selections snap to
    words, so the full stop is left out)."""
    text = window.session.text
    match = re.search(r"\s+".join(pdfgen.KNOWN_PASSAGE.rstrip(".").split()), text)
    assert match is not None
    start, end = match.span()
    drag_select(qtbot, window.pdf_view, start, end)
    return start, end


@pytest.fixture
def letter(tmp_path: Path, passage_letter_pdf: Path) -> Letter:
    return annotated_under_old_extractor(tmp_path, passage_letter_pdf)


def test_orphan_is_listed_reattached_to_the_selection_undone_and_deleted(
    qtbot, letter: Letter
) -> None:
    window = make_window(qtbot, letter.db)
    open_and_wait(qtbot, window, letter.pdf)
    panel = window.panel
    assert panel is not None

    # listed first, under its own heading; the placed annotation under its label
    assert shown_groups(panel) == {"Needs re-attaching": [LOST_QUOTE], "Decision": ["Page 2"]}
    assert "⚠ 1 to re-attach" in window.count_label.text()
    orphan_row = panel.proxy.index(0, 0, panel.proxy.index(0, 0))
    assert orphan_row.data(ORPHAN_ROLE) is True
    assert orphan_row.data(PLACE_ROLE) == "≈p. 1"
    spoken = orphan_row.data(Qt.ItemDataRole.AccessibleTextRole)
    assert spoken.startswith(f"not placed: {LOST_QUOTE}, Decision") and NOTE in spoken
    assert LOST_QUOTE in orphan_row.data(Qt.ItemDataRole.ToolTipRole)

    # the banner's button reveals it: Annotations tab, the orphan chosen, its detail shown
    assert "1 could not be placed" in window.banner.message_text(BANNER)
    (show,) = window.banner.actions(BANNER)
    assert show.text() == SHOW_BUTTON
    window.tabs.setCurrentIndex(0)
    show.click()
    assert window.tabs.currentIndex() == 1
    assert panel.selected_orphan() is not None and panel.selected_orphan().id == letter.lost.id
    box = panel.orphan_box
    assert box.isVisible()
    assert f"“{LOST_QUOTE}”" in box.quote.text() and "preamble first" in box.quote.text()
    assert NOTE in box.details.text() and "Decision" in box.details.text()
    assert [b.accessibleName() for b in box.buttons] == [
        "Re-attach to selection",
        "Find quote in the letter",
        "Delete annotation",
    ]

    # clicking it never scrolls the letter to its stale offsets
    with qtbot.assertNotEmitted(panel.activated):
        rect = panel.tree.visualRect(panel.tree.currentIndex())
        qtbot.mouseClick(panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    # nothing selected in the letter: Re-attach is disabled and says why
    reattach = window.actions_by_id["reattach_annotation"]
    assert not panel.reattach_action.isEnabled() and not reattach.isEnabled()
    assert panel.reattach_action.toolTip() == REATTACH_NO_SELECTION
    assert box.buttons[0].toolTip() == REATTACH_NO_SELECTION
    assert not window.orphans.reattach()
    assert window.statusBar().currentMessage() == REATTACH_NO_SELECTION

    # Find Quote searches the letter for it (here it is gone: the bar says so)
    box.buttons[1].click()
    assert window.find_bar.isVisible()
    assert window.find_bar.edit.text() == LOST_QUOTE
    qtbot.waitUntil(lambda: window.find_bar.count.text() == "No matches", timeout=2000)
    window.find_bar.close_bar()

    # the user drags over the passage where it belongs and presses Ctrl+R
    start, end = select_passage(qtbot, window)
    assert panel.reattach_action.isEnabled() and reattach.isEnabled()
    # (right-clicking the selection offers it too)
    offered: list[str] = []

    def read_and_close() -> None:
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu)
        offered.extend(a.text() for a in menu.actions())
        menu.close()

    QTimer.singleShot(200, read_and_close)
    window._context_menu(window.pdf_view.mapToGlobal(QPoint(10, 10)), [])
    assert reattach.text() in offered
    activate(qtbot, window)
    qtbot.keyClick(window.pdf_view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    stored = row(letter.db, letter.lost.id)
    assert (stored["start"], stored["end"]) == (start, end)
    assert stored["exact"] == letter.text[stored["start"] : stored["end"]]
    assert stored["prefix"] == letter.text[max(0, start - 32) : start]
    assert stored["anchor_status"] is None and stored["deleted"] == 0
    assert stored["note"] == NOTE
    assert window.save_label.text() == "✓ Saved"
    assert window.pdf_view.selection() is None
    assert shown_groups(panel) == {"Decision": ["Page 2", " ".join(stored["exact"].split())]}
    assert not box.isVisible()
    assert not window.banner.has_message(BANNER)  # nothing is left to re-attach
    assert letter.lost.id in {h.id for h in window.pdf_view._highlights}

    # Ctrl+Z makes it an orphan again, exactly as it was
    qtbot.keyClick(window.pdf_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    stored = row(letter.db, letter.lost.id)
    assert stored["anchor_status"] == "orphan"
    assert (stored["start"], stored["end"], stored["exact"]) == (0, len(LOST_QUOTE), LOST_QUOTE)
    assert stored["prefix"] == "" and stored["suffix"] == letter.lost.suffix
    assert shown_groups(panel)["Needs re-attaching"] == [LOST_QUOTE]
    assert letter.lost.id not in {h.id for h in window.pdf_view._highlights}

    # Delete (in the panel) tombstones it; undo brings the orphan back
    assert panel.select_annotation(letter.lost.id)
    panel.tree.setFocus()
    qtbot.keyClick(panel.tree, Qt.Key.Key_Delete)
    assert row(letter.db, letter.lost.id)["deleted"] == 1
    assert "Needs re-attaching" not in shown_groups(panel)
    assert "to re-attach" not in window.count_label.text()
    window.actions_by_id["undo"].trigger()
    stored = row(letter.db, letter.lost.id)
    assert (stored["deleted"], stored["anchor_status"]) == (0, "orphan")
    assert shown_groups(panel)["Needs re-attaching"] == [LOST_QUOTE]


def test_reopened_letter_still_says_it_has_orphans(qtbot, letter: Letter) -> None:
    window = make_window(qtbot, letter.db)
    open_and_wait(qtbot, window, letter.pdf)  # re-anchors: the text changed
    window.banner.clear_message(BANNER)
    open_and_wait(qtbot, window, letter.pdf)  # same text now: nothing re-anchored
    assert "1 annotation of this letter could not be placed" in window.banner.message_text(BANNER)
    assert window.banner.actions(BANNER)[0].text() == SHOW_BUTTON


def test_read_only_database_shows_orphans_but_cannot_reattach(qtbot, letter: Letter) -> None:
    window = make_window(qtbot, letter.db)
    open_and_wait(qtbot, window, letter.pdf)  # re-anchored and saved while writable
    window.close()
    window = make_window(qtbot, None, store=Store.open(letter.db, read_only=True))
    open_and_wait(qtbot, window, letter.pdf)
    panel = window.panel
    assert panel is not None and panel.reveal_orphans()
    select_passage(qtbot, window)
    assert not panel.reattach_action.isEnabled()
    assert panel.reattach_action.toolTip() == REATTACH_READ_ONLY
    assert row(letter.db, letter.lost.id)["anchor_status"] == "orphan"


# --------------------------------------------------------------------------- the panel alone
TEXT = "Item 1: acupuncture is not medically necessary.\nGuidelines recommend six visits.\n"


@pytest.fixture
def orphan_env(tmp_path: Path) -> tuple[Store, AnnotationSet, Annotation, QUndoStack]:
    store = Store.open(tmp_path / "p.sqlite")
    store.upsert_document(DocumentRecord("doc", "l.txt", "text", 1, 10, TEXT))
    annotations = AnnotationSet(store, "doc", TEXT, "ana")
    label = store.labels()[0]
    orphan = Annotation(
        id="o1",
        document="doc",
        label_id=label.id,
        start=40,
        end=52,
        exact="home program",
        prefix="a ",
        suffix=" was",
        anchor_status="orphan",
    )
    store.add_annotation(orphan)
    placed = annotations.new(0, 6, label)
    annotations.add(placed)
    annotations.reload()
    return store, annotations, orphan, QUndoStack()


def test_orphan_rows_pass_qtmodeltester_through_reattach_and_undo(
    qtmodeltester, orphan_env
) -> None:  # type: ignore[no-untyped-def]
    store, annotations, orphan, stack = orphan_env
    model = AnnotationTreeModel(LabelSet(store))
    model.set_annotations(annotations, None)
    qtmodeltester.check(model)
    group = model.group_index_of(ORPHAN_GROUP)
    assert group.row() == 0 and model.rowCount(group) == 1
    followed = QPersistentModelIndex(model.index_of(orphan.id))
    assert followed.data(PLACE_ROLE) == "≈l. 1"
    start = TEXT.index("six visits")
    stack.push(ReattachAnnotation(annotations, orphan, start, start + 10))
    assert model.rowCount(group) == 0
    # the row moved to its label's group: a view's selection follows it
    assert followed.isValid() and followed.data(ANNOTATION_ID_ROLE) == orphan.id
    assert not followed.data(ORPHAN_ROLE) and followed.parent().row() == 1
    stack.undo()
    assert model.rowCount(group) == 1 and followed.parent().row() == 0
    qtmodeltester.check(model)


def test_label_filter_keeps_that_labels_orphans(qtbot, orphan_env) -> None:  # type: ignore[no-untyped-def]
    store, annotations, orphan, stack = orphan_env
    labels = LabelSet(store)
    panel = AnnotationPanel(labels, stack)
    qtbot.addWidget(panel)
    panel.set_annotations(annotations, None)
    assert list(shown_groups(panel)) == ["Needs re-attaching", "Summary fact"]
    combo = panel.label_filter
    combo.setCurrentIndex(combo.findData(labels.by_name("Decision").id))
    assert shown_groups(panel) == {}
    combo.setCurrentIndex(combo.findData(orphan.label_id))
    assert list(shown_groups(panel)) == ["Needs re-attaching", "Summary fact"]
    # revealing clears a filter that hides them
    panel.text_filter.setText("acupuncture")
    assert "Needs re-attaching" not in shown_groups(panel)
    assert panel.reveal_orphans()
    assert panel.selected_orphan() is not None and panel.text_filter.text() == ""
    # chosen, but nothing selected in the letter; then no orphan chosen at all
    assert panel.reattach_action.toolTip() == REATTACH_NO_SELECTION
    panel.set_document_selection((0, 4), writable=True)
    assert panel.reattach_action.isEnabled()
    panel.select_annotation(annotations.manual()[0].id)
    assert panel.reattach_action.toolTip() == REATTACH_NO_ORPHAN
    assert not panel.orphan_box.isVisibleTo(panel)


def test_enter_on_an_orphan_finds_its_quote(qtbot, orphan_env) -> None:  # type: ignore[no-untyped-def]
    store, annotations, _orphan, stack = orphan_env
    panel = AnnotationPanel(LabelSet(store), stack)
    qtbot.addWidget(panel)
    panel.set_annotations(annotations, None)
    panel.show()
    qtbot.waitExposed(panel)
    panel.reveal_orphans()
    with qtbot.waitSignal(panel.findQuoteRequested, timeout=1000) as blocker:
        qtbot.keyClick(panel.tree, Qt.Key.Key_Return)
    assert blocker.args == ["home program"]


def test_quote_query_falls_back_to_the_first_words() -> None:
    text = "The reviewer found no record of a home exercise program at all."
    assert quote_query(text, "a home  exercise\nprogram") == "a home exercise program"
    # reworded at the end: the longest run of first words still found
    quote = "The reviewer found no record of a supervised home exercise plan"
    assert quote_query(text, quote) == "The reviewer found no record"
    # nothing found: the whole quote, so the find bar says "No matches" for it
    assert quote_query(text, "nothing of the sort") == "nothing of the sort"
    long_quote = " ".join(["word"] * 30)
    assert quote_query("", long_quote) == " ".join(["word"] * 8)


def test_warning_colours_are_legible_in_both_themes() -> None:
    for (background, text), body in (
        (WARNING_LIGHT, "#1a1a1a"),
        (WARNING_DARK, DARK[QPalette.ColorRole.Text]),
    ):
        assert _contrast(QColor(background), QColor(text)) >= 7.0
        assert _contrast(QColor(background), QColor(body)) >= 4.5


def test_dark_theme_paints_orphans_on_dark_amber(qtbot, orphan_env) -> None:  # type: ignore[no-untyped-def]
    store, annotations, _orphan, stack = orphan_env
    panel = AnnotationPanel(LabelSet(store), stack)
    qtbot.addWidget(panel)
    panel.set_annotations(annotations, None)
    panel.resize(360, 400)
    panel.show()
    qtbot.waitExposed(panel)
    panel.reveal_orphans()
    box = panel.orphan_box

    def box_background() -> str:
        return box.grab().toImage().pixelColor(box.width() // 2, box.height() - 3).name()

    qtbot.wait(20)
    assert box_background() == WARNING_LIGHT[0]
    theme = ThemeController.for_app(QApplication.instance())  # type: ignore[arg-type]
    theme.apply("dark")
    try:
        # the box follows a live theme change
        qtbot.wait(20)
        assert box_background() == WARNING_DARK[0]
        assert box.title.palette().color(QPalette.ColorRole.WindowText).name() == WARNING_DARK[1]
        panel.tree.setCurrentIndex(panel.proxy.index(0, 0))  # the group, not the orphan
        qtbot.wait(20)
        image = panel.tree.viewport().grab().toImage()
        rect = panel.tree.visualRect(panel.proxy.index(0, 0, panel.proxy.index(0, 0)))
        assert image.pixelColor(rect.right() - 2, rect.bottom() - 2).name() == WARNING_DARK[0]
    finally:
        theme.apply("light")
