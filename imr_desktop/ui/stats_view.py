"""View › Statistics: the figures of ``stats.compute`` as charts and a table to copy.

The figures are computed on a ``StoreTask`` thread (aggregates over 100,000 letters
take longer than a frame), for the library's current filter when one is given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from imr_desktop.core.library import stats
from imr_desktop.core.library.query import LibraryFilter
from imr_desktop.ui.charts import Bar, BarChart, ColumnChart
from imr_desktop.ui.store_task import StoreTask

OVERTURN = QColor("#1e8449")
UPHELD = QColor("#e6a19a")  # lighter than the table's red: the bar's remainder


LEGEND = (
    f'(<span style="color:{OVERTURN.name()}">■</span>) and upheld '
    f'(<span style="color:{UPHELD.name()}">■</span>) items'
)


def table_rows(figures: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(section, name, value, detail) rows: what the table shows and Copy puts out."""
    rows: list[tuple[str, str, str, str]] = [
        ("Library", "Letters", str(figures["documents"]), ""),
        ("Library", "Items", str(figures["items"]), ""),
        ("Library", "Annotations", str(figures["annotations"]), ""),
        ("Library", "Suggestions pending", str(figures["suggestions_pending"]), ""),
    ]
    rows += [("Status", s, str(n), "") for s, n in figures["statuses"].items()]
    rows += [("Final outcome", o, str(n), "") for o, n in figures["final_outcomes"].items()]
    rows += [
        ("Label", r["label"], str(r["annotations"]), f"{r['documents']} letters")
        for r in figures["annotations_per_label"]
    ]
    rows += [
        ("Annotator", r["annotator"], str(r["annotations"]), f"{r['documents']} letters")
        for r in figures["annotations_per_annotator"]
    ]
    rows += [("Day", r["day"], str(r["annotations"]), "") for r in figures["annotations_per_day"]]
    for section, key, name in (
        ("Treatment category", "outcomes_by_category", "name"),
        ("Specialty", "outcomes_by_specialty", "specialty"),
        ("Guideline source", "outcomes_by_guideline_source", "source"),
    ):
        rows += [
            (section, r[name], _rate(r), f"{r['upheld']} upheld, {r['overturned']} overturned")
            for r in figures[key]
        ]
    return rows


def _rate(r: dict[str, Any]) -> str:
    rate = r["overturn_rate"]
    return "–" if rate is None else f"{rate * 100:.0f} % overturned"


def to_tsv(rows: list[tuple[str, str, str, str]]) -> str:
    head = "section\tname\tvalue\tdetail"
    clean = (tuple(c.replace("\t", " ").replace("\n", " ") for c in row) for row in rows)
    return "\n".join([head, *("\t".join(row) for row in clean)]) + "\n"


class StatsView(QDialog):
    ready = Signal()

    def __init__(
        self, db_path: Path, flt: LibraryFilter | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("statsView")
        self.setWindowTitle("Statistics")
        self.resize(760, 820)
        self.figures: dict[str, Any] | None = None
        self.filter = flt
        outer = QVBoxLayout(self)
        self.heading = QLabel("Computing…", self)
        self.heading.setObjectName("statsHeading")
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.heading.setFont(font)
        outer.addWidget(self.heading)

        body = QWidget(self)
        self.body = QVBoxLayout(body)
        self.per_label = self._section("Annotations per label", BarChart(body))
        self.per_annotator = self._section("Annotations per annotator", BarChart(body))
        self.per_day = self._section("Annotations per day", ColumnChart(body))
        self.by_category = self._section(
            f"Overturned {LEGEND} by treatment category", BarChart(body, 1.0)
        )
        self.by_specialty = self._section(f"Overturned {LEGEND} by specialty", BarChart(body, 1.0))
        self.by_source = self._section(
            f"Overturned {LEGEND} by guideline source", BarChart(body, 1.0)
        )
        self.table = QTableWidget(0, 4, body)
        self.table.setObjectName("statsTable")
        self.table.setHorizontalHeaderLabels(["Section", "Name", "Value", "Detail"])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMinimumHeight(240)
        self._section("All figures", self.table)
        self.body.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        buttons = QDialogButtonBox(self)
        self.copy_button = QPushButton("Copy Table", self)
        self.copy_button.setToolTip("Copy every figure as tab-separated text")
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(self.copy_table)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close).clicked.connect(self.close)
        row = QHBoxLayout()
        row.addWidget(buttons)
        outer.addLayout(row)

        self.task = StoreTask(db_path, lambda store, _t: stats.compute(store, flt), self)
        self.task.done.connect(self.show_figures)
        self.task.failed.connect(lambda m: self.heading.setText(f"No statistics: {m}"))

    def _section(self, title: str, widget: QWidget) -> QWidget:
        label = QLabel(f"<b>{title}</b>", widget.parentWidget())
        label.setTextFormat(Qt.TextFormat.RichText)
        self.body.addWidget(label)
        self.body.addWidget(widget)
        self.body.addSpacing(8)
        return widget

    def start(self) -> None:
        self.task.start()

    def show_figures(self, figures: dict[str, Any]) -> None:
        self.figures = figures
        scope = "" if self.filter in (None, LibraryFilter()) else " (letters of the filter)"
        self.heading.setText(
            f"{figures['documents']:,} letters, {figures['items']:,} items, "
            f"{figures['annotations']:,} annotations{scope}"
        )
        self.per_label.set_bars(
            [
                Bar(
                    r["label"],
                    r["annotations"],
                    f"{r['annotations']}  ({r['documents']} letters)",
                    QColor(r["color"]) if r["color"] else None,
                )
                for r in figures["annotations_per_label"]
            ]
        )
        self.per_annotator.set_bars(
            [
                Bar(r["annotator"], r["annotations"], f"{r['annotations']}  ({r['documents']})")
                for r in figures["annotations_per_annotator"]
            ]
        )
        self.per_day.set_points(
            [(r["day"], r["annotations"]) for r in figures["annotations_per_day"]]
        )
        for chart, key, name in (
            (self.by_category, "outcomes_by_category", "name"),
            (self.by_specialty, "outcomes_by_specialty", "specialty"),
            (self.by_source, "outcomes_by_guideline_source", "source"),
        ):
            chart.set_bars(
                [
                    Bar(
                        r[name],
                        r["overturn_rate"] or 0.0,
                        f"{_rate(r).split(' ')[0]} %  of {r['upheld'] + r['overturned']} decided"
                        if r["overturn_rate"] is not None
                        else f"– of {r['items']}",
                        OVERTURN,
                        1.0 - r["overturn_rate"] if r["overturn_rate"] is not None else 0.0,
                        UPHELD,
                    )
                    for r in figures[key]
                ]
            )
        rows = table_rows(figures)
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                item = QTableWidgetItem(value)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()
        self.copy_button.setEnabled(True)
        self.ready.emit()

    def copy_table(self) -> None:
        if self.figures is not None:
            QGuiApplication.clipboard().setText(to_tsv(table_rows(self.figures)))

    def closeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        self.task.wait()  # a few hundred ms at most; the thread must not outlive us
        super().closeEvent(event)
