"""File › Export Training Data…: format, scope, options and path; runs in a thread.

The scope is the open document, the whole library, or a selection of documents handed
in by the caller (the library view will pass its filtered selection as sha256s).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from imr_desktop.core.errors import UserFacingError
from imr_desktop.core.exports import ExportResult, writer_class
from imr_desktop.core.exports.split import parse_split
from imr_desktop.core.model import ORIGIN_MANUAL
from imr_desktop.core.store import Store
from imr_desktop.ui.export_jobs import ExportRequest, ExportThread
from imr_desktop.ui.job_dialog import JobDialog, OutputPathRow, Summary, muted

FORMATS: tuple[tuple[str, str], ...] = (
    ("jsonl", "JSONL: one record per document (text, spans, metadata)"),
    ("spacy", "spaCy DocBin (.spacy): span groups and entities"),
    ("conll", "CoNLL-2003: tokens with BIO tags"),
    ("hf-tokens", "Hugging Face datasets: tokens and BIO tags (JSONL)"),
    ("labelstudio", "Label Studio: tasks (JSON) and the labeling config"),
    ("webanno", "W3C Web Annotation (JSON-LD)"),
    ("csv", "CSV: one row per annotation, for spreadsheets"),
)
SPLITS: tuple[tuple[str, str | None], ...] = (
    ("None: one file", None),
    ("80 / 10 / 10 (train / dev / test)", "80/10/10"),
    ("Custom", "custom"),
)
SCOPE_DOCUMENT, SCOPE_SELECTION, SCOPE_LIBRARY = range(3)


def exportable_count(store: Store, include_suggestions: bool) -> int:
    """Documents a whole-library export would write (as ``records.iter_records`` picks)."""
    origin = "" if include_suggestions else f" AND a.origin = '{ORIGIN_MANUAL}'"
    sql = (
        "SELECT count(*) FROM documents d WHERE d.text IS NOT NULL AND (d.status = 'done' "
        "OR EXISTS (SELECT 1 FROM annotations a WHERE a.document = d.sha256 "
        f"AND a.deleted = 0 AND a.anchor_status IS NULL{origin}))"  # orphans are skipped
    )
    return int(store.db.execute(sql).fetchone()[0])


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


class ExportDialog(JobDialog):
    run_text = "Export"
    what = "export"

    def __init__(
        self,
        store: Store,
        *,
        current: tuple[str, str] | None = None,
        selection: Sequence[str] | None = None,
        out_dir: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """``current`` is (sha256, file name) of the open letter once its text is read;
        ``selection`` the sha256s of a selection to offer as a scope."""
        super().__init__("Export Training Data", parent)
        self.setObjectName("exportDialog")
        self.store = store
        self.current = current
        self.selection = list(selection) if selection is not None else None
        self.job: ExportThread | None = None
        self._counts = {flag: exportable_count(store, flag) for flag in (False, True)}
        stem = Path(current[1]).stem + "-annotations" if current else "imr-annotations"
        self.add_options(self._build_options((out_dir or Path.home()) / f"{stem}.jsonl"))
        self._sync()

    # ------------------------------------------------------------------ options
    def _build_options(self, default_out: Path) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)

        scope = QWidget(page)
        scope_layout = QVBoxLayout(scope)
        scope_layout.setContentsMargins(0, 0, 0, 0)
        self.scope = QButtonGroup(self)
        name = self.current[1] if self.current else ""
        self.scope_document = QRadioButton(
            f"This letter: {name}" if self.current else "This letter (none open, or still reading)",
            scope,
        )
        self.scope_document.setEnabled(self.current is not None)
        self.scope_selection = QRadioButton(
            f"The selected letters ({_plural(len(self.selection or ()), 'letter')})", scope
        )
        self.scope_selection.setVisible(self.selection is not None)
        self.scope_library = QRadioButton("The whole library", scope)
        for sid, button in enumerate(
            (self.scope_document, self.scope_selection, self.scope_library)
        ):
            button.setObjectName(("scopeDocument", "scopeSelection", "scopeLibrary")[sid])
            self.scope.addButton(button, sid)
            scope_layout.addWidget(button)
        default = (
            SCOPE_SELECTION if self.selection else SCOPE_DOCUMENT if self.current else SCOPE_LIBRARY
        )
        self.scope.button(default).setChecked(True)
        form.addRow("Letters:", scope)

        self.format = QComboBox(page)
        self.format.setObjectName("formatBox")
        self.format.setAccessibleName("Format")
        for fmt, title in FORMATS:
            self.format.addItem(title, fmt)
        form.addRow("Format:", self.format)

        self.suggestions = QCheckBox("Include suggestions that are not yet accepted", page)
        self.suggestions.setObjectName("includeSuggestions")
        form.addRow("", self.suggestions)

        split_row = QWidget(page)
        split_layout = QHBoxLayout(split_row)
        split_layout.setContentsMargins(0, 0, 0, 0)
        self.split = QComboBox(split_row)
        self.split.setObjectName("splitBox")
        self.split.setAccessibleName("Split")
        for title, spec in SPLITS:
            self.split.addItem(title, spec)
        self.custom_split = QLineEdit(split_row)
        self.custom_split.setObjectName("customSplit")
        self.custom_split.setAccessibleName("Custom split percentages")
        self.custom_split.setPlaceholderText("e.g. 70/15/15 or 90/10")
        split_layout.addWidget(self.split)
        split_layout.addWidget(self.custom_split, 1)
        form.addRow("Split:", split_row)

        self.deidentify = QCheckBox(
            "De-identify: dates, case numbers and redaction gaps become placeholders", page
        )
        self.deidentify.setObjectName("deidentify")
        form.addRow("", self.deidentify)

        self.output = OutputPathRow(default_out, "All files (*)", page)
        form.addRow("Save to:", self.output)
        self.files_hint = QLabel("", page)
        self.files_hint.setObjectName("filesHint")
        muted(self.files_hint)
        form.addRow("", self.files_hint)

        self.format.currentIndexChanged.connect(self._on_format)
        self.split.currentIndexChanged.connect(self._sync)
        self.suggestions.toggled.connect(self._sync)
        self.scope.idToggled.connect(self._sync)
        self.output.edit.textChanged.connect(self._sync)
        return page

    def fmt(self) -> str:
        return str(self.format.currentData())

    def split_spec(self) -> str | None:
        spec = self.split.currentData()
        return self.custom_split.text().strip() if spec == "custom" else spec

    def _on_format(self) -> None:
        self.output.set_suffix(writer_class(self.fmt()).suffix)
        self._sync()

    def _sync(self, *_args: object) -> None:
        cls = writer_class(self.fmt())
        self.deidentify.setEnabled(cls.supports_deidentify)
        if not cls.supports_deidentify:
            self.deidentify.setChecked(False)
            self.deidentify.setToolTip(
                "Its annotations point into the original letters, which are not de-identified."
            )
        else:
            self.deidentify.setToolTip("")
        self.custom_split.setVisible(self.split.currentData() == "custom")
        n = self._counts[self.suggestions.isChecked()]
        self.scope_library.setText(f"The whole library ({_plural(n, 'annotated letter')})")
        out = self.output.path()
        hint = ""
        spec = self.split_spec()
        try:
            parts = parse_split(spec) if spec else []
        except UserFacingError:
            parts = []
        if parts:
            hint = "Writes " + ", ".join(f"{out.stem}.{p}{out.suffix}" for p, _ in parts) + "."
        if self.fmt() == "labelstudio":
            hint += f" The labeling config goes to {out.stem}.config.xml."
        self.files_hint.setText(hint.strip())
        self.files_hint.setVisible(bool(hint))

    # ------------------------------------------------------------------ running
    def documents(self) -> tuple[str, ...] | None:
        scope = self.scope.checkedId()
        if scope == SCOPE_DOCUMENT and self.current:
            return (self.current[0],)
        if scope == SCOPE_SELECTION and self.selection is not None:
            return tuple(self.selection)
        return None

    def request(self) -> ExportRequest:
        return ExportRequest(
            db=str(self.store.path),
            fmt=self.fmt(),
            out=str(self.output.path()),
            include_suggestions=self.suggestions.isChecked(),
            split=self.split_spec() or None,
            deidentify=self.deidentify.isEnabled() and self.deidentify.isChecked(),
            documents=self.documents(),
        )

    def start(self) -> bool:
        if not self.output.edit.text().strip():
            self.show_error("Choose where to save the export.")
            return False
        spec = self.split_spec()
        if self.split.currentData() == "custom":
            try:
                parse_split(spec or "")
            except UserFacingError:
                self.show_error(
                    f"The split “{spec}” does not work: give two or three percentages that "
                    "add up to 100, e.g. 80/10/10 (train/dev/test) or 90/10 (train/test)."
                )
                return False
        if self.scope.checkedId() == SCOPE_SELECTION and not self.selection:
            self.show_error("No letters are selected.")
            return False
        self.launch(ExportThread(self.request(), self), self._on_succeeded)
        return True

    def progress_text(self, done: int, total: int) -> str:
        return f"Exporting: letter {done:,} of {total:,}"

    def _on_succeeded(self, result: ExportResult) -> None:
        report = result.report
        # orphans are never exported as if placed; say how many were skipped up front
        skipped = f"; skipped {report.orphans} not placed" if report.orphans else ""
        self.show_summary(
            Summary(
                f"Exported {_plural(report.spans, 'annotation')} "
                f"of {_plural(report.documents, 'letter')}{skipped}",
                list(result.paths),
                dict(report.problems),
                list(report.messages),
            )
        )

    def done(self, result: int) -> None:
        # never leave a running thread behind a closed dialog
        if self.job is not None and self.job.isRunning():
            self.job.cancel()
            self.job.wait()
        super().done(result)
