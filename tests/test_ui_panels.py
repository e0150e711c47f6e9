"""The side-panel widgets driven like a user would: annotation panel, label bar, label
manager. A real store in a temp folder; every edit goes through the undo stack."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QUndoStack
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from imr_desktop.core.labels import LabelSet
from imr_desktop.core.model import ORIGIN_SUGGESTED, Annotation, DocumentRecord, Label
from imr_desktop.core.session import AnnotationSet
from imr_desktop.core.store import Store
from imr_desktop.ui.annotation_model import (
    ANNOTATION_ID_ROLE,
    COUNT_ROLE,
    LABEL_ID_ROLE,
    NOTE_ROLE,
    PLACE_ROLE,
    SUGGESTED_ROLE,
    AnnotationTreeModel,
)
from imr_desktop.ui.annotation_panel import EMPTY_TEXT, AnnotationPanel
from imr_desktop.ui.commands import AddAnnotation, DeleteLabel, SaveLabel
from imr_desktop.ui.label_bar import LabelBar
from imr_desktop.ui.label_manager import LabelManagerDialog
from imr_desktop.ui.label_model import LabelListModel
from imr_desktop.ui.note_dialog import NoteDialog

# every test here needs a QApplication, including the qtmodeltester ones without qtbot
pytestmark = pytest.mark.gui

TEXT = (
    "CLINICAL CASE SUMMARY\n"
    "The patient is a 52-year-old female injured on 03/14/2013.\n"
    "She was diagnosed with  lumbar\n  radiculopathy.\n"
    "DECISION\n"
    "The requested epidural steroid injection is not medically necessary.\n"
    "GUIDELINES\n"
    "MTUS Chronic Pain Medical Treatment Guidelines, page 46.\n"
)
PAGE_BREAK = TEXT.index("DECISION")  # pretend the letter has two pages


def page_of(offset: int) -> int:
    return 0 if offset < PAGE_BREAK else 1


@dataclass
class Env:
    path: Path
    store: Store
    labels: LabelSet
    annotations: AnnotationSet
    stack: QUndoStack

    def label(self, name: str) -> Label:
        found = self.labels.by_name(name)
        assert found is not None
        return found

    def tag(self, phrase: str, label: str, note: str = "", origin: str | None = None) -> Annotation:
        """Tag ``phrase`` through the undo stack, as the main window does."""
        start = TEXT.index(phrase)
        ann = self.annotations.new(start, start + len(phrase), self.label(label), note)
        if origin:
            ann = ann.with_changes(origin=origin)
        command = AddAnnotation(self.annotations, ann, label)
        self.stack.push(command)
        assert command.error is None
        return ann

    def db_row(self, annotation_id: str) -> dict:
        rows = list(self.store.db.query("SELECT * FROM annotations WHERE id = ?", [annotation_id]))
        assert rows, annotation_id
        return rows[0]


def make_env(path: Path) -> Env:
    store = Store.open(path)
    store.upsert_document(DocumentRecord("doc", "letter.pdf", "pdf", 2, 100, TEXT))
    return Env(
        path, store, LabelSet(store), AnnotationSet(store, "doc", TEXT, "tester"), QUndoStack()
    )


@pytest.fixture
def env(tmp_path: Path) -> Env:
    return make_env(tmp_path / "a.sqlite")


@pytest.fixture
def panel(qtbot, env: Env) -> AnnotationPanel:
    widget = AnnotationPanel(env.labels, env.stack)
    qtbot.addWidget(widget)
    widget.set_annotations(env.annotations, page_of)
    widget.resize(360, 480)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


# --------------------------------------------------------------------------- helpers
def groups(panel: AnnotationPanel) -> dict[str, list[str]]:
    """What the view shows: label name -> snippets, in on-screen order."""
    proxy = panel.proxy
    out: dict[str, list[str]] = {}
    for row in range(proxy.rowCount()):
        group = proxy.index(row, 0)
        out[group.data()] = [proxy.index(r, 0, group).data() for r in range(proxy.rowCount(group))]
    return out


def row_of(panel: AnnotationPanel, annotation_id: str) -> QModelIndex:
    index = panel.proxy.mapFromSource(panel.model.index_of(annotation_id))
    assert index.isValid(), "annotation not shown"
    return index


def click(qtbot, panel: AnnotationPanel, index: QModelIndex) -> None:
    panel.tree.scrollTo(index)
    pos = panel.tree.visualRect(index).center()
    qtbot.mouseClick(panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=pos)


# --------------------------------------------------------------------------- panel
def test_empty_panel_tells_how_to_tag(panel: AnnotationPanel, env: Env) -> None:
    assert panel.stack.currentWidget() is panel.placeholder
    assert "Select text and press 1–9 to tag it" in panel.placeholder.text()
    assert panel.placeholder.text() == EMPTY_TEXT
    env.tag("radiculopathy", "Summary fact")
    assert panel.stack.currentWidget() is panel.tree


def test_panel_without_document_says_so(qtbot, env: Env) -> None:
    widget = AnnotationPanel(env.labels, env.stack)
    qtbot.addWidget(widget)
    assert widget.stack.currentWidget() is widget.placeholder
    assert "Open a letter" in widget.placeholder.text()


def test_added_annotations_appear_under_their_label_with_counts(
    panel: AnnotationPanel, env: Env
) -> None:
    env.tag("MTUS Chronic Pain Medical Treatment Guidelines", "Guideline citation")
    env.tag("She was diagnosed with  lumbar\n  radiculopathy.", "Summary fact", note="MRI?")
    env.tag("The patient is a 52-year-old female", "Summary fact")
    env.tag("not medically necessary", "Decision")

    assert groups(panel) == {
        "Summary fact": [
            "The patient is a 52-year-old female",  # document order, not insertion order
            "She was diagnosed with lumbar radiculopathy.",  # whitespace collapsed
        ],
        "Decision": ["not medically necessary"],
        "Guideline citation": ["MTUS Chronic Pain Medical Treatment Guidelines"],
    }
    counts = {
        panel.proxy.index(r, 0).data(): panel.proxy.index(r, 0).data(COUNT_ROLE)
        for r in range(panel.proxy.rowCount())
    }
    assert counts == {"Summary fact": 2, "Decision": 1, "Guideline citation": 1}
    fact = panel.proxy.index(0, 0)
    first, second = panel.proxy.index(0, 0, fact), panel.proxy.index(1, 0, fact)
    assert first.data(PLACE_ROLE) == "p. 1"
    assert panel.proxy.index(0, 0, panel.proxy.index(1, 0)).data(PLACE_ROLE) == "p. 2"
    assert second.data(NOTE_ROLE) == "MRI?"
    assert first.data(NOTE_ROLE) == ""


def test_plain_text_shows_line_numbers(panel: AnnotationPanel, env: Env) -> None:
    ann = env.tag("radiculopathy", "Summary fact")
    panel.set_annotations(env.annotations, None)
    assert row_of(panel, ann.id).data(PLACE_ROLE) == "l. 4"


def test_suggested_origin_is_marked(panel: AnnotationPanel, env: Env) -> None:
    manual = env.tag("radiculopathy", "Summary fact")
    suggested = env.tag("not medically necessary", "Decision", origin=ORIGIN_SUGGESTED)
    assert row_of(panel, suggested.id).data(SUGGESTED_ROLE) is True
    assert row_of(panel, manual.id).data(SUGGESTED_ROLE) is False
    assert "suggested" in row_of(panel, suggested.id).data(Qt.ItemDataRole.AccessibleTextRole)


def test_undo_of_a_tag_removes_its_row(panel: AnnotationPanel, env: Env) -> None:
    env.tag("radiculopathy", "Summary fact")
    env.stack.undo()
    assert groups(panel) == {}
    assert panel.stack.currentWidget() is panel.placeholder


def test_relabel_from_context_menu_moves_row_and_saves(panel: AnnotationPanel, env: Env) -> None:
    ann = env.tag("radiculopathy", "Summary fact")
    env.tag("The patient is a 52-year-old female", "Summary fact")
    assert panel.select_annotation(ann.id)
    menu = panel.context_menu()
    assert panel.relabel_menu.menuAction() in menu.actions()
    panel.relabel_menu.aboutToShow.emit()
    checked = [a.text() for a in panel.relabel_menu.actions() if a.isChecked()]
    assert checked == ["&1 Summary fact"]
    decision = next(a for a in panel.relabel_menu.actions() if a.data() == env.label("Decision").id)
    decision.trigger()

    assert groups(panel) == {
        "Summary fact": ["The patient is a 52-year-old female"],
        "Decision": ["radiculopathy"],
    }
    assert env.db_row(ann.id)["label_id"] == env.label("Decision").id
    assert panel.selected_annotation().id == ann.id  # selection follows the moved row
    env.stack.undo()
    assert env.db_row(ann.id)["label_id"] == env.label("Summary fact").id
    assert groups(panel)["Summary fact"] == ["The patient is a 52-year-old female", "radiculopathy"]


def test_edit_note_dialog_saves_the_note(qtbot, panel: AnnotationPanel, env: Env) -> None:
    ann = env.tag("radiculopathy", "Summary fact")
    panel.select_annotation(ann.id)
    panel.edit_note_action.trigger()
    dialog = panel.findChild(NoteDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.editor.setPlainText("  Check the MRI date.\nAsk the QME.  ")
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )

    assert env.db_row(ann.id)["note"] == "Check the MRI date.\nAsk the QME."
    reopened = Store.open(env.path)
    assert reopened.annotation(ann.id).note == "Check the MRI date.\nAsk the QME."
    reopened.close()
    assert row_of(panel, ann.id).data(NOTE_ROLE) == "Check the MRI date.\nAsk the QME."
    assert env.stack.undoText() == "Edit note"


def test_cancelled_note_dialog_pushes_nothing(qtbot, panel: AnnotationPanel, env: Env) -> None:
    ann = env.tag("radiculopathy", "Summary fact", note="keep")
    dialog = panel.edit_note(ann.id)
    assert dialog is not None
    dialog.editor.setPlainText("changed")
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel), Qt.MouseButton.LeftButton
    )
    assert env.db_row(ann.id)["note"] == "keep"
    assert env.stack.count() == 1  # only the tag


def test_delete_key_removes_row_and_undo_restores_it(
    qtbot, panel: AnnotationPanel, env: Env
) -> None:
    first = env.tag("The patient is a 52-year-old female", "Summary fact")
    second = env.tag("radiculopathy", "Summary fact")
    panel.select_annotation(first.id)
    panel.tree.setFocus()
    qtbot.keyClick(panel.tree, Qt.Key.Key_Delete)

    assert groups(panel) == {"Summary fact": ["radiculopathy"]}
    assert env.db_row(first.id)["deleted"] == 1
    assert panel.selected_annotation().id == second.id  # the next row takes its place
    env.stack.undo()
    assert groups(panel) == {
        "Summary fact": ["The patient is a 52-year-old female", "radiculopathy"]
    }
    assert env.db_row(first.id)["deleted"] == 0


def test_filter_by_label_hides_other_labels(panel: AnnotationPanel, env: Env) -> None:
    env.tag("radiculopathy", "Summary fact")
    env.tag("not medically necessary", "Decision")
    combo = panel.label_filter
    assert combo.itemText(0) == "All labels"
    combo.setCurrentIndex(combo.findData(env.label("Decision").id))
    assert groups(panel) == {"Decision": ["not medically necessary"]}
    # a new Summary fact stays hidden while the filter is on
    env.tag("The patient is a 52-year-old female", "Summary fact")
    assert list(groups(panel)) == ["Decision"]
    combo.setCurrentIndex(0)
    assert list(groups(panel)) == ["Summary fact", "Decision"]


def test_text_filter_matches_quote_and_note(panel: AnnotationPanel, env: Env) -> None:
    env.tag("radiculopathy", "Summary fact")
    env.tag("not medically necessary", "Decision", note="Upheld DENIAL")
    panel.text_filter.setText("denial")
    assert groups(panel) == {"Decision": ["not medically necessary"]}
    panel.text_filter.setText("RADICULO")
    assert groups(panel) == {"Summary fact": ["radiculopathy"]}
    panel.text_filter.setText("nothing like this")
    assert panel.stack.currentWidget() is panel.placeholder
    assert "No annotation matches" in panel.placeholder.text()


def test_click_and_enter_emit_activated(qtbot, panel: AnnotationPanel, env: Env) -> None:
    env.tag("radiculopathy", "Summary fact")
    ann = env.tag("not medically necessary", "Decision")
    with qtbot.waitSignal(panel.activated, timeout=1000) as blocker:
        click(qtbot, panel, row_of(panel, ann.id))
    assert blocker.args == [ann.id]

    other = env.annotations.manual()[0]
    panel.select_annotation(other.id)
    panel.tree.setFocus()
    with qtbot.waitSignal(panel.activated, timeout=1000) as blocker:
        qtbot.keyClick(panel.tree, Qt.Key.Key_Return)
    assert blocker.args == [other.id]


def test_clicking_a_label_row_does_not_activate(qtbot, panel: AnnotationPanel, env: Env) -> None:
    env.tag("radiculopathy", "Summary fact")
    with qtbot.assertNotEmitted(panel.activated):
        click(qtbot, panel, panel.proxy.index(0, 0))


def test_select_annotation_syncs_and_reports_hidden_rows(panel: AnnotationPanel, env: Env) -> None:
    fact = env.tag("radiculopathy", "Summary fact")
    decision = env.tag("not medically necessary", "Decision")
    assert panel.select_annotation(decision.id)
    assert panel.tree.currentIndex().data(ANNOTATION_ID_ROLE) == decision.id
    panel.label_filter.setCurrentIndex(panel.label_filter.findData(env.label("Decision").id))
    assert not panel.select_annotation(fact.id)
    assert not panel.select_annotation("no-such-id")


def test_label_changes_follow_in_the_panel(panel: AnnotationPanel, env: Env) -> None:
    ann = env.tag("radiculopathy", "Summary fact")
    env.tag("not medically necessary", "Decision")
    panel.select_annotation(ann.id)
    fact = env.label("Summary fact")

    env.stack.push(SaveLabel(env.labels, fact, fact.with_changes(name="Clinical fact")))
    assert list(groups(panel)) == ["Clinical fact", "Decision"]
    assert panel.label_filter.itemText(1) == "Clinical fact"

    decision = env.label("Decision")
    env.stack.push(DeleteLabel(env.labels, decision, env.annotations))
    assert groups(panel) == {"Clinical fact": ["radiculopathy"]}
    assert panel.label_filter.findData(decision.id) == -1
    assert panel.selected_annotation().id == ann.id  # selection survives the reset
    env.stack.undo()
    assert groups(panel) == {
        "Clinical fact": ["radiculopathy"],
        "Decision": ["not medically necessary"],
    }


def test_read_only_store_reports_error_and_changes_nothing(qtbot, tmp_path: Path) -> None:
    writable = make_env(tmp_path / "ro.sqlite")
    ann = writable.tag("radiculopathy", "Summary fact")
    writable.store.close()
    store = Store.open(tmp_path / "ro.sqlite", read_only=True)
    assert store.read_only
    labels = LabelSet(store)
    annotations = AnnotationSet(store, "doc", TEXT, "tester")
    stack = QUndoStack()
    widget = AnnotationPanel(labels, stack)
    qtbot.addWidget(widget)
    widget.set_annotations(annotations, page_of)
    widget.show()
    qtbot.waitExposed(widget)

    widget.select_annotation(ann.id)
    widget.tree.setFocus()
    with qtbot.waitSignal(widget.storeError, timeout=1000) as blocker:
        qtbot.keyClick(widget.tree, Qt.Key.Key_Delete)
    assert "read-only" in blocker.args[0]
    assert groups(widget) == {"Summary fact": ["radiculopathy"]}
    assert stack.count() == 0

    decision = labels.by_name("Decision")
    with qtbot.waitSignal(widget.storeError, timeout=1000):
        widget.relabel(decision.id, ann.id)
    assert annotations.get(ann.id).label_id != decision.id
    assert list(groups(widget)) == ["Summary fact"]
    assert stack.count() == 0


def test_annotation_model_passes_qtmodeltester(qtmodeltester, env: Env) -> None:
    model = AnnotationTreeModel(env.labels)
    qtmodeltester.check(model)  # keeps checking every signal below
    model.set_annotations(env.annotations, page_of)
    a = env.tag("radiculopathy", "Summary fact")
    b = env.tag("The patient is a 52-year-old female", "Summary fact")
    c = env.tag("not medically necessary", "Decision")
    env.annotations.update(a.with_changes(label_id=env.label("Decision").id))  # move
    env.annotations.update(b.with_changes(note="n"))  # in place
    moved = b.with_changes(start=TEXT.index("MTUS"), end=TEXT.index("MTUS") + 4, exact="MTUS")
    env.annotations.update(moved)  # same label, new position
    d = env.tag("She was diagnosed", "Decision")
    e = env.tag("epidural steroid injection", "Decision")
    followed = QPersistentModelIndex(model.index_of(d.id))  # what a view's selection holds
    later = TEXT.index("GUIDELINES")
    env.annotations.update(d.with_changes(start=later, end=later + 10, exact="GUIDELINES"))
    assert followed.isValid() and followed.data(ANNOTATION_ID_ROLE) == d.id
    decision_group = model.group_index_of(env.label("Decision").id)
    rows = [model.index(r, 0, decision_group).data(ANNOTATION_ID_ROLE) for r in range(4)]
    assert rows == [a.id, e.id, c.id, d.id]  # d moved from first to last, document order
    env.annotations.remove(c.id)
    fact, decision, guide = list(env.labels)
    env.labels.save(fact.with_changes(name="Facts"))
    env.labels.reorder([guide.id, decision.id, fact.id])
    env.stack.push(DeleteLabel(env.labels, decision, env.annotations))
    env.stack.undo()
    qtmodeltester.check(model)
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == [
        "Needs re-attaching",  # the orphans lead (empty here, so the view hides it)
        "Guideline citation",
        "Decision",
        "Facts",
        "Unknown label",
    ]
    assert model.rowCount(model.index(2, 0)) == 3
    assert model.index(3, 0).data(LABEL_ID_ROLE) == fact.id


def test_filter_proxy_passes_qtmodeltester(qtmodeltester, panel: AnnotationPanel, env: Env) -> None:
    qtmodeltester.check(panel.proxy)
    env.tag("radiculopathy", "Summary fact")
    ann = env.tag("not medically necessary", "Decision")
    panel.text_filter.setText("necessary")
    panel.label_filter.setCurrentIndex(1)
    panel.label_filter.setCurrentIndex(0)
    panel.text_filter.clear()
    env.annotations.remove(ann.id)
    qtmodeltester.check(panel.proxy)
    assert list(groups(panel)) == ["Summary fact"]


def test_unsubscribes_when_deleted(qtbot, env: Env) -> None:
    widget = AnnotationPanel(env.labels, env.stack)
    widget.set_annotations(env.annotations, page_of)

    def listeners() -> int:
        return len(env.labels._listeners) + len(env.annotations._listeners)

    before = listeners()
    assert before >= 2
    widget.deleteLater()
    qtbot.waitUntil(lambda: listeners() == 0, timeout=1000)
    env.tag("radiculopathy", "Summary fact")  # would raise if a dead model were called


# --------------------------------------------------------------------------- label bar
@pytest.fixture
def bar(qtbot, env: Env) -> LabelBar:
    widget = LabelBar(env.labels)
    qtbot.addWidget(widget)
    widget.resize(340, widget.heightForWidth(340))
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def bar_buttons(bar: LabelBar) -> list[str]:
    return [bar.button_for(lb.id).text() for lb in bar._labels]


def test_label_bar_has_a_button_per_label(qtbot, bar: LabelBar, env: Env) -> None:
    assert bar_buttons(bar) == ["Summary fact", "Decision", "Guideline citation"]
    fact = env.label("Summary fact")
    button = bar.button_for(fact.id)
    assert "press 1" in button.toolTip()
    assert fact.description in button.toolTip()
    assert button.accessibleName() == "Tag as Summary fact"
    assert button.accessibleDescription() == "Hotkey 1"
    decision = env.label("Decision")
    with qtbot.waitSignal(bar.labelChosen, timeout=1000) as blocker:
        qtbot.mouseClick(bar.button_for(decision.id), Qt.MouseButton.LeftButton)
    assert blocker.args == [decision.id]
    with qtbot.waitSignal(bar.manageRequested, timeout=1000):
        qtbot.mouseClick(bar.manage_button, Qt.MouseButton.LeftButton)


def test_label_bar_wraps_in_a_narrow_panel(bar: LabelBar) -> None:
    one_line = bar.heightForWidth(2000)
    assert bar.heightForWidth(200) > one_line
    for button in bar._buttons.values():
        assert bar.rect().contains(button.geometry()), button.text()


def test_label_bar_follows_label_changes(bar: LabelBar, env: Env) -> None:
    fact = env.label("Summary fact")
    env.stack.push(SaveLabel(env.labels, fact, fact.with_changes(name="Facts & figures")))
    assert bar_buttons(bar)[0] == "Facts && figures"  # shown as "&", not a mnemonic
    env.stack.push(DeleteLabel(env.labels, env.label("Decision"), env.annotations))
    assert bar_buttons(bar) == ["Facts && figures", "Guideline citation"]
    new = env.labels.new("Outcome")
    env.stack.push(SaveLabel(env.labels, None, new))
    assert bar_buttons(bar)[-1] == "Outcome"
    assert "press 2" in bar.button_for(new.id).toolTip()  # the freed hotkey


def test_label_bar_disabled_says_why(qtbot, bar: LabelBar, env: Env) -> None:
    bar.set_tagging_enabled(False, "The database is read-only.")
    fact = env.label("Summary fact")
    button = bar.button_for(fact.id)
    assert not bar.tagging_enabled() and not button.isEnabled()
    assert "The database is read-only." in button.toolTip()
    with qtbot.assertNotEmitted(bar.labelChosen):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    # a rebuild keeps the state and the reason
    env.stack.push(SaveLabel(env.labels, fact, fact.with_changes(name="Facts")))
    assert not bar.button_for(fact.id).isEnabled()
    assert "read-only" in bar.button_for(fact.id).toolTip()
    bar.set_tagging_enabled(True)
    assert bar.button_for(fact.id).isEnabled()
    assert "read-only" not in bar.button_for(fact.id).toolTip()
    bar.set_tagging_enabled(False)
    assert "Select text" in bar.button_for(fact.id).toolTip()


# --------------------------------------------------------------------------- label manager
@pytest.fixture
def manager(qtbot, env: Env) -> LabelManagerDialog:
    dialog = LabelManagerDialog(env.labels, env.stack, env.annotations)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def names(env: Env) -> list[str]:
    """Label names in order, as stored in the database."""
    return [lb.name for lb in Store.labels(env.store)]


def shown_names(manager: LabelManagerDialog) -> list[str]:
    model = manager.model
    return [model.index(r).data() for r in range(model.rowCount())]


def test_manager_adds_and_renames_with_undo(qtbot, manager: LabelManagerDialog, env: Env) -> None:
    qtbot.mouseClick(manager.add_button, Qt.MouseButton.LeftButton)
    assert names(env)[-1] == "New label"
    assert manager.current_label().name == "New label"
    assert manager.current_label().hotkey == 4  # first free key
    assert manager.name_edit.hasFocus()

    manager.name_edit.selectAll()
    qtbot.keyClicks(manager.name_edit, "Work status")
    qtbot.keyClick(manager.name_edit, Qt.Key.Key_Return)
    assert names(env)[-1] == "Work status"
    assert shown_names(manager)[-1] == "Work status"
    assert manager.isVisible()  # Enter commits the field, it does not close the dialog

    env.stack.undo()
    assert names(env)[-1] == "New label"
    assert manager.name_edit.text() == "New label"
    env.stack.undo()
    assert names(env) == ["Summary fact", "Decision", "Guideline citation"]
    assert shown_names(manager) == names(env)


def test_manager_refuses_a_taken_name(qtbot, manager: LabelManagerDialog, env: Env) -> None:
    manager.select_label(env.label("Decision").id)
    manager.name_edit.setFocus()
    manager.name_edit.selectAll()
    qtbot.keyClicks(manager.name_edit, "summary FACT")
    qtbot.keyClick(manager.name_edit, Qt.Key.Key_Return)
    assert manager.error_label.isVisible()
    assert "already a label called “Summary fact”" in manager.error_label.text()
    assert names(env) == ["Summary fact", "Decision", "Guideline citation"]
    assert env.stack.count() == 0


def test_manager_recolours_with_presets_and_colour_dialog(
    manager: LabelManagerDialog, env: Env
) -> None:
    decision = env.label("Decision")
    manager.select_label(decision.id)
    manager.preset_buttons["#27ae60"].click()
    assert env.store.label(decision.id).color == "#27ae60"
    assert manager.preset_buttons["#27ae60"].isChecked()
    assert not manager.preset_buttons["#eb5757"].isChecked()

    dialog = manager.choose_custom_color()
    assert dialog is not None and dialog.isVisible()
    dialog.setCurrentColor(QColor("#123456"))
    dialog.accept()
    assert env.store.label(decision.id).color == "#123456"
    env.stack.undo()
    env.stack.undo()
    assert env.store.label(decision.id).color == "#eb5757"


def test_manager_hotkey_clash_shows_message_and_saves_nothing(
    manager: LabelManagerDialog, env: Env
) -> None:
    fact = env.label("Summary fact")
    manager.select_label(fact.id)
    combo = manager.hotkey_combo
    assert combo.itemText(combo.findData(2)) == "2  (used by Decision)"
    row = combo.findData(2)
    combo.setCurrentIndex(row)
    combo.activated.emit(row)  # what a user's pick emits

    assert manager.error_label.isVisible()
    assert manager.error_label.text() == "Hotkey 2 is already used by “Decision”."
    assert env.store.label(fact.id).hotkey == 1
    assert env.stack.count() == 0
    assert combo.currentData() == 1  # the combo shows what is saved

    row = combo.findData(7)
    combo.setCurrentIndex(row)
    combo.activated.emit(row)
    assert env.store.label(fact.id).hotkey == 7
    assert not manager.error_label.isVisible()
    row = combo.findData(None)
    combo.setCurrentIndex(row)
    combo.activated.emit(row)
    assert env.store.label(fact.id).hotkey is None


def test_manager_edits_description(qtbot, manager: LabelManagerDialog, env: Env) -> None:
    guide = env.label("Guideline citation")
    manager.select_label(guide.id)
    manager.description_edit.setFocus()
    manager.description_edit.selectAll()
    qtbot.keyClicks(manager.description_edit, "MTUS, ACOEM, ODG")
    qtbot.keyClick(manager.description_edit, Qt.Key.Key_Return)
    assert env.store.label(guide.id).description == "MTUS, ACOEM, ODG"
    assert env.stack.undoText() == "Edit label Guideline citation"


def test_manager_reorders_with_buttons_and_drag(
    qtbot, manager: LabelManagerDialog, env: Env
) -> None:
    manager.select_label(env.label("Guideline citation").id)
    assert not manager.down_button.isEnabled()
    qtbot.mouseClick(manager.up_button, Qt.MouseButton.LeftButton)
    assert names(env) == ["Summary fact", "Guideline citation", "Decision"]
    assert manager.current_label().name == "Guideline citation"  # selection follows
    qtbot.mouseClick(manager.up_button, Qt.MouseButton.LeftButton)
    assert names(env) == ["Guideline citation", "Summary fact", "Decision"]
    assert not manager.up_button.isEnabled()

    # what QListView does on an internal drop: drag row 0 below the last row
    assert manager.model.moveRow(QModelIndex(), 0, QModelIndex(), 3)
    assert names(env) == ["Summary fact", "Decision", "Guideline citation"]
    assert shown_names(manager) == names(env)
    env.stack.undo()
    assert names(env) == ["Guideline citation", "Summary fact", "Decision"]


def test_manager_deletes_after_confirming_the_count(
    qtbot, manager: LabelManagerDialog, env: Env, tmp_path: Path
) -> None:
    env.tag("radiculopathy", "Decision")
    env.tag("not medically necessary", "Decision")
    # another letter in the same database: the count is database-wide
    env.store.upsert_document(DocumentRecord("doc2", "other.txt", "text", 0, 9, "other one"))
    other = AnnotationSet(env.store, "doc2", "other one", "tester")
    other.add(other.new(0, 5, env.label("Decision")))
    decision = env.label("Decision")
    manager.select_label(decision.id)

    box = manager.delete_current()
    assert box is not None and box.isVisible()
    assert "3 annotations in 2 documents" in box.informativeText()
    cancel = box.button(QMessageBox.StandardButton.Cancel)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert "Decision" in names(env)

    box = manager.delete_current()
    delete = next(b for b in box.buttons() if b.text() == "Delete label")
    qtbot.mouseClick(delete, Qt.MouseButton.LeftButton)
    assert names(env) == ["Summary fact", "Guideline citation"]
    assert len(env.annotations) == 0  # the open letter's set was reloaded
    assert env.store.count_annotations() == 0
    assert manager.current_label() is not None

    env.stack.undo()
    assert names(env) == ["Summary fact", "Decision", "Guideline citation"]
    assert env.store.count_annotations() == 3
    assert len(env.annotations) == 2


def test_manager_deletes_unused_label_without_asking(manager: LabelManagerDialog, env: Env) -> None:
    manager.select_label(env.label("Decision").id)
    assert manager.delete_current() is None
    assert names(env) == ["Summary fact", "Guideline citation"]
    assert manager.current_label().name == "Guideline citation"  # the next row


def test_manager_keeps_its_label_when_others_change_elsewhere(
    manager: LabelManagerDialog, env: Env
) -> None:
    guide = env.label("Guideline citation")
    manager.select_label(guide.id)
    env.stack.push(DeleteLabel(env.labels, env.label("Summary fact"), env.annotations))
    assert manager.current_label().id == guide.id
    assert manager.name_edit.text() == "Guideline citation"
    env.stack.undo()
    assert manager.current_label().id == guide.id


def test_closed_manager_leaves_the_stack_usable(qtbot, env: Env) -> None:
    dialog = LabelManagerDialog(env.labels, env.stack, env.annotations)
    dialog.show()
    qtbot.waitExposed(dialog)
    with qtbot.waitSignal(dialog.destroyed, timeout=1000):
        dialog.deleteLater()
    fact = env.label("Summary fact")
    env.stack.push(SaveLabel(env.labels, fact, fact.with_changes(name="Facts")))
    env.stack.undo()  # would raise in a slot of the deleted dialog
    assert env.label("Summary fact").id == fact.id


def test_manager_read_only_store_shows_error(qtbot, tmp_path: Path) -> None:
    writable = make_env(tmp_path / "ro.sqlite")
    writable.store.close()
    store = Store.open(tmp_path / "ro.sqlite", read_only=True)
    labels = LabelSet(store)
    stack = QUndoStack()
    dialog = LabelManagerDialog(labels, stack, None)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.storeError, timeout=1000) as blocker:
        dialog.preset_buttons["#27ae60"].click()
    assert "read-only" in blocker.args[0]
    assert "read-only" in dialog.error_label.text()
    assert labels.by_name("Summary fact").color == "#2f80ed"
    assert stack.count() == 0


def test_label_list_model_passes_qtmodeltester(qtmodeltester, env: Env) -> None:
    model = LabelListModel(env.labels)
    qtmodeltester.check(model)
    fact, decision, guide = list(env.labels)
    env.labels.save(fact.with_changes(color="#000000"))
    env.labels.reorder([guide.id, fact.id, decision.id])
    env.labels.save(env.labels.new("Extra"))
    env.labels.delete(decision.id)
    qtmodeltester.check(model)
    assert [model.index(r).data() for r in range(model.rowCount())] == [
        "Guideline citation",
        "Summary fact",
        "Extra",
    ]
