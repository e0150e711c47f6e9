"""The "Case" side panel: the decision at a glance, every value a link to its text.

Header fields, the final outcome badge, the disputed items with their outcomes and
guideline sources, and the parsed citations. Clicking any value scrolls the document to
where it is printed and flashes it (``spanActivated``).
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from imr_desktop.core.case_summary import case_summary_text
from imr_desktop.core.structure.model import Field, LetterStructure

OUTCOME_COLORS = {
    "Upheld": ("#fde8e8", "#9b1c1c"),
    "Overturned": ("#e3f6e8", "#17692f"),
    "Partially Overturned": ("#fff4d6", "#7a5300"),
}
# outcome text in the items table on a dark theme: the light theme's inks are too dark there
OUTCOME_INK_DARK = {
    "Upheld": "#ff8a80",
    "Overturned": "#7ee2a0",
    "Partially Overturned": "#ffd27a",
}
HEADER_ROWS = (
    ("Case number", "case_number"),
    ("Date assigned", "date_assigned"),
    ("Date of injury", "date_of_injury"),
    ("Decision date", "decision_date"),
    ("UR denial date", "ur_denial_date"),
    ("Application received", "application_received"),
    ("Priority", "priority"),
)
ROLE_NAMES = {"claims_administrator": "Claims admin.", "maximus": "MAXIMUS"}
SPAN_ROLE = Qt.ItemDataRole.UserRole + 1


def _link(field: Field | None, text: str | None = None) -> str:
    if field is None:
        return '<span style="color: palette(mid)">not found</span>'
    shown = html.escape(text if text is not None else field.value)
    return f'<a href="span:{field.start}:{field.end}">{shown}</a>'


class CaseView(QScrollArea):
    spanActivated = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("caseView")
        self.setAccessibleName("Case summary")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self._structure: LetterStructure | None = None
        self._source_name = ""
        body = QWidget(self)
        self._layout = QVBoxLayout(body)
        self._layout.setContentsMargins(8, 8, 8, 8)
        self._layout.setSpacing(10)

        top = QHBoxLayout()
        self.title = QLabel("", body)
        self.title.setObjectName("caseTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.title.linkActivated.connect(self._on_link)
        self.badge = QLabel("", body)
        self.badge.setObjectName("outcomeBadge")
        self.badge.setAccessibleName("Final outcome")
        top.addWidget(self.title, 1)
        top.addWidget(self.badge)
        self._layout.addLayout(top)

        self.empty = QLabel("", body)
        self.empty.setWordWrap(True)
        self.empty.setObjectName("caseEmpty")
        self._layout.addWidget(self.empty)

        self.header = QFormLayout()
        self.header.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.header.setHorizontalSpacing(12)
        self.header.setVerticalSpacing(4)
        self._header_labels: dict[str, QLabel] = {}
        for title, name in (*HEADER_ROWS, ("Licensure", "licensure"), ("Specialty", "specialties")):
            value = QLabel("", body)
            value.setObjectName(f"case_{name}")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
            value.linkActivated.connect(self._on_link)
            value.setAccessibleName(title)
            self.header.addRow(f"{title}:", value)
            self._header_labels[name] = value
        self._layout.addLayout(self.header)

        self.items_title = QLabel("<b>Disputed items</b>", body)
        self._layout.addWidget(self.items_title)
        self.items = QTableWidget(0, 3, body)
        self.items.setObjectName("caseItems")
        self.items.setAccessibleName("Disputed items")
        self.items.setHorizontalHeaderLabels(["Request", "Outcome", "Guidelines"])
        self.items.verticalHeader().setVisible(True)
        self.items.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.items.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.items.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.items.setWordWrap(True)
        head = self.items.horizontalHeader()
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        head.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.items.itemClicked.connect(self._on_table_item)
        self.items.itemActivated.connect(self._on_table_item)
        self.items.currentCellChanged.connect(lambda row, *_: self._show_item(row))
        self._layout.addWidget(self.items)

        self.detail = QLabel("", body)
        self.detail.setObjectName("itemDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.detail.linkActivated.connect(self._on_link)
        self.detail.setFrameShape(QFrame.Shape.StyledPanel)
        self.detail.setMargin(6)
        self._layout.addWidget(self.detail)

        self.citations_title = QLabel("<b>Guideline citations</b>", body)
        self._layout.addWidget(self.citations_title)
        self.citations = QTableWidget(0, 4, body)
        self.citations.setObjectName("caseCitations")
        self.citations.setAccessibleName("Guideline citations")
        self.citations.setHorizontalHeaderLabels(["Item", "By", "Source", "Document"])
        self.citations.verticalHeader().setVisible(False)
        self.citations.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.citations.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.citations.setWordWrap(True)
        chead = self.citations.horizontalHeader()
        for col in range(3):
            chead.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        chead.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.citations.itemClicked.connect(self._on_table_item)
        self.citations.itemActivated.connect(self._on_table_item)
        self._layout.addWidget(self.citations)

        self.copy_button = QPushButton("Copy case summary", body)
        self.copy_button.setObjectName("copySummary")
        self.copy_button.setToolTip("Copy a plain-text summary of this case to the clipboard")
        self.copy_button.clicked.connect(self.copy_summary)
        self._layout.addWidget(self.copy_button, 0, Qt.AlignmentFlag.AlignLeft)
        self._layout.addStretch(1)
        self.setWidget(body)
        self.set_structure(None)

    def _outcome_ink(self, outcome: str) -> str:
        if self.palette().color(QPalette.ColorRole.Base).lightness() < 128:
            return OUTCOME_INK_DARK.get(outcome, "#dddddd")
        return OUTCOME_COLORS.get(outcome, ("", "#333333"))[1]

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        # a theme switch: redraw the outcome colours for the new background
        if event.type() == QEvent.Type.PaletteChange and self._structure is not None:
            self.set_structure(self._structure, self._source_name)

    # ------------------------------------------------------------------ content
    @property
    def structure(self) -> LetterStructure | None:
        return self._structure

    def set_structure(
        self, structure: LetterStructure | None, source_name: str = "", reason: str = ""
    ) -> None:
        self._structure = structure
        self._source_name = source_name
        has = structure is not None and not structure.is_empty
        for w in (
            self.items_title,
            self.items,
            self.detail,
            self.citations_title,
            self.citations,
            self.copy_button,
            self.badge,
        ):
            w.setVisible(has)
        for label in self._header_labels.values():
            label.setText("")
        self.items.setRowCount(0)
        self.citations.setRowCount(0)
        self.detail.setText("")
        if not has:
            self.title.setText("No case structure")
            self.empty.setText(
                reason
                or "No IMR determination structure was found in this "
                "document. Open an IMR Final Determination letter to see its "
                "case number, items and outcomes here."
            )
            self.empty.show()
            self._set_rows_visible(False)
            return
        assert structure is not None
        self.empty.hide()
        self._set_rows_visible(True)
        self.title.setText(
            _link(structure.case_number)
            if structure.case_number
            else html.escape(source_name or "IMR determination")
        )
        outcome = structure.final_outcome
        if outcome is not None:
            bg, fg = OUTCOME_COLORS.get(outcome.value, ("#eeeeee", "#333333"))
            self.badge.setText(f"  {outcome.value}  ")
            self.badge.setStyleSheet(
                f"background: {bg}; color: {fg}; border: 1px solid {fg};"
                "border-radius: 9px; padding: 2px 6px; font-weight: bold;"
            )
        else:
            self.badge.setText("")
        for _title, name in HEADER_ROWS:
            self._header_labels[name].setText(_link(getattr(structure, name)))
        for name in ("licensure", "specialties"):
            fields: list[Field] = getattr(structure, name)
            self._header_labels[name].setText(
                ", ".join(_link(f) for f in fields) if fields else _link(None)
            )
        self._fill_items(structure)
        self._fill_citations(structure)
        if structure.items:
            self.items.selectRow(0)
            self._show_item(0)

    def _set_rows_visible(self, visible: bool) -> None:
        for row in range(self.header.rowCount()):
            self.header.setRowVisible(row, visible)

    def _fill_items(self, structure: LetterStructure) -> None:
        self.items.setRowCount(len(structure.items))
        for row, item in enumerate(structure.items):
            request = item.request or item.heading
            cell = QTableWidgetItem(request.value if request else "(no heading found)")
            span = item.heading or request or item
            cell.setData(SPAN_ROLE, (span.start, span.end))
            cell.setToolTip(item.heading.value if item.heading else "")
            self.items.setItem(row, 0, cell)
            outcome = item.outcome.value if item.outcome else "?"
            out_cell = QTableWidgetItem(outcome)
            if item.outcome is not None:
                out_cell.setData(SPAN_ROLE, item.outcome.span)
                out_cell.setForeground(QColor(self._outcome_ink(outcome)))
                font = out_cell.font()
                font.setBold(True)
                out_cell.setFont(font)
            self.items.setItem(row, 1, out_cell)
            sources = sorted(
                {c.source for c in structure.citations_for(row) if c.role == "maximus"}
            )
            src_cell = QTableWidgetItem(", ".join(sources) or "—")
            if item.maximus_guideline is not None:
                src_cell.setData(SPAN_ROLE, item.maximus_guideline.span)
            self.items.setItem(row, 2, src_cell)
        self.items.resizeRowsToContents()
        height = (
            self.items.horizontalHeader().height()
            + 4
            + sum(self.items.rowHeight(r) for r in range(self.items.rowCount()))
        )
        self.items.setFixedHeight(min(height, 320))

    def _fill_citations(self, structure: LetterStructure) -> None:
        cites = structure.citations
        self.citations.setRowCount(len(cites))
        for row, c in enumerate(cites):
            doc = " ".join(x for x in (c.document or "", str(c.year or "")) if x)
            where = "; ".join(
                x for x in (", ".join(c.sections), ", ".join(f"p. {p}" for p in c.pages)) if x
            )
            values = (
                str(c.item + 1) if c.item is not None else "",
                ROLE_NAMES.get(c.role, ""),
                c.source,
                f"{doc} — {where}" if doc and where else doc or where or c.text,
            )
            for col, value in enumerate(values):
                cell = QTableWidgetItem(value)
                cell.setData(SPAN_ROLE, (c.start, c.end))
                cell.setToolTip(c.text)
                self.citations.setItem(row, col, cell)
        self.citations.resizeRowsToContents()
        height = (
            self.citations.horizontalHeader().height()
            + 4
            + sum(self.citations.rowHeight(r) for r in range(self.citations.rowCount()))
        )
        self.citations.setFixedHeight(min(max(height, 40), 360))
        self.citations_title.setVisible(bool(cites))
        self.citations.setVisible(bool(cites))

    def _show_item(self, row: int) -> None:
        structure = self._structure
        if structure is None or not 0 <= row < len(structure.items):
            self.detail.setText("")
            return
        item = structure.items[row]
        parts = [f"<b>Item {row + 1}</b>"]
        for title, field in (
            ("Heading", item.heading),
            ("Original request", item.original_request),
            ("Authorized", item.authorized),
            ("Claims Administrator guideline", item.claims_administrator_guideline),
            ("MAXIMUS guideline", item.maximus_guideline),
        ):
            if field is not None:
                parts.append(f"{title}: {_link(field)}")
        if item.rationale is not None:
            excerpt = item.rationale.value
            excerpt = excerpt if len(excerpt) < 220 else excerpt[:217] + "…"
            parts.append(f"Rationale: {_link(item.rationale, excerpt)}")
        self.detail.setText("<br>".join(parts))

    # ------------------------------------------------------------------ actions
    def _on_link(self, href: str) -> None:
        if href.startswith("span:"):
            _, start, end = href.split(":")
            self.spanActivated.emit(int(start), int(end))

    def _on_table_item(self, cell: QTableWidgetItem) -> None:
        span = cell.data(SPAN_ROLE)
        if span:
            self.spanActivated.emit(int(span[0]), int(span[1]))

    def summary_text(self) -> str:
        if self._structure is None:
            return ""
        return case_summary_text(self._structure, self._source_name)

    def copy_summary(self) -> None:
        text = self.summary_text()
        if text:
            QGuiApplication.clipboard().setText(text)
