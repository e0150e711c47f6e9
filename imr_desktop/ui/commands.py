"""Every user edit as a QUndoCommand whose redo/undo call the core.

A command whose first redo fails (read-only database, disk full) marks itself obsolete
so the stack drops it, and keeps the error in ``error`` for the caller to show as
"not saved". Commands hold no widgets, so they are tested without a window.
"""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from imr_desktop.core.errors import StoreError
from imr_desktop.core.labels import LabelSet
from imr_desktop.core.model import Annotation, Label
from imr_desktop.core.session import AnnotationSet


class _Command(QUndoCommand):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.error: StoreError | None = None
        self._done_once = False

    def redo(self) -> None:
        try:
            self._redo()
        except StoreError as exc:
            # an exception cannot cross QUndoStack (C++): keep it for the caller, who
            # checks ``error`` after push/undo/redo
            self.error = exc
            if not self._done_once:
                self.setObsolete(True)
            return
        self._done_once = True

    def undo(self) -> None:
        try:
            self._undo()
        except StoreError as exc:
            self.error = exc

    def _redo(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _undo(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class AddAnnotation(_Command):
    def __init__(self, annotations: AnnotationSet, ann: Annotation, label_name: str) -> None:
        super().__init__(f"Tag “{_short(ann.exact)}” as {label_name}")
        self.annotations = annotations
        self.ann = ann

    def _redo(self) -> None:
        self.annotations.add(self.ann)

    def _undo(self) -> None:
        self.annotations.remove(self.ann.id)


class RemoveAnnotation(_Command):
    def __init__(self, annotations: AnnotationSet, ann: Annotation) -> None:
        super().__init__(f"Delete “{_short(ann.exact)}”")
        self.annotations = annotations
        self.ann = ann

    def _redo(self) -> None:
        self.annotations.remove(self.ann.id)

    def _undo(self) -> None:
        self.annotations.add(self.ann)


class UpdateAnnotation(_Command):
    """Relabel or edit the note of an annotation."""

    def __init__(
        self, annotations: AnnotationSet, before: Annotation, after: Annotation, text: str
    ) -> None:
        super().__init__(text)
        self.annotations = annotations
        self.before = before
        self.after = after

    def _redo(self) -> None:
        self.annotations.update(self.after)

    def _undo(self) -> None:
        self.annotations.update(self.before)


class ReattachAnnotation(_Command):
    """Attach an orphan to the passage the user selected; undo makes it an orphan again,
    with the quote, context and old offsets it had."""

    def __init__(
        self, annotations: AnnotationSet, orphan: Annotation, start: int, end: int
    ) -> None:
        super().__init__(f"Re-attach “{_short(orphan.exact)}”")
        self.annotations = annotations
        self.before = orphan
        self.start = start
        self.end = end

    def _redo(self) -> None:
        self.annotations.reattach(self.before.id, self.start, self.end)

    def _undo(self) -> None:
        # a fresh updated_at: the undo is an edit of its own, newer than the re-attach, so a
        # later merge of databases keeps it
        self.annotations.update(self.before.with_changes())


class AcceptSuggestion(_Command):
    """Turn a suggestion into an ordinary human annotation (a new row; the suggestion is
    tombstoned, so provenance stays in the database)."""

    def __init__(self, annotations: AnnotationSet, suggestion: Annotation, annotator: str) -> None:
        super().__init__(f"Accept “{_short(suggestion.exact)}”")
        self.annotations = annotations
        self.suggestion = suggestion
        self.accepted = Annotation.create(
            document=suggestion.document,
            text=annotations.text,
            start=suggestion.start,
            end=suggestion.end,
            label_id=suggestion.label_id,
            annotator=annotator,
        )

    def _redo(self) -> None:
        self.annotations.add(self.accepted)
        try:
            self.annotations.remove(self.suggestion.id)
        except StoreError:
            self.annotations.remove(self.accepted.id)  # keep the pair consistent
            raise

    def _undo(self) -> None:
        self.annotations.add(self.suggestion)
        self.annotations.remove(self.accepted.id)


class SaveLabel(_Command):
    """Add a label, or change its name, colour, hotkey or description."""

    def __init__(self, labels: LabelSet, before: Label | None, after: Label) -> None:
        super().__init__(
            f"Add label {after.name}" if before is None else f"Edit label {after.name}"
        )
        self.labels = labels
        self.before = before
        self.after = after

    def _redo(self) -> None:
        self.labels.save(self.after)

    def _undo(self) -> None:
        if self.before is None:
            self.labels.delete(self.after.id)
        else:
            self.labels.save(self.before)


class DeleteLabel(_Command):
    def __init__(self, labels: LabelSet, label: Label, annotations: AnnotationSet | None) -> None:
        super().__init__(f"Delete label {label.name}")
        self.labels = labels
        self.label = label
        self.annotations = annotations
        self.removed: list[str] = []

    def _redo(self) -> None:
        self.removed = self.labels.delete(self.label.id)
        if self.annotations is not None:
            self.annotations.reload()

    def _undo(self) -> None:
        self.labels.restore(self.label.id, self.removed)
        if self.annotations is not None:
            self.annotations.reload()


class ReorderLabels(_Command):
    def __init__(self, labels: LabelSet, before: list[str], after: list[str]) -> None:
        super().__init__("Reorder labels")
        self.labels = labels
        self.before = before
        self.after = after

    def _redo(self) -> None:
        self.labels.reorder(self.after)

    def _undo(self) -> None:
        self.labels.reorder(self.before)


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
