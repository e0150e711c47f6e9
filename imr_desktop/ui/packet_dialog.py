"""File › Export Case Packet…: the open letter as an annotated PDF (or a ZIP).

The packet is written by a worker process (``PacketProcess``); when it is done the
dialog offers to open it in the desktop's PDF viewer.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QCheckBox, QFormLayout, QLabel, QWidget

from imr_desktop.core.exports.base import ORPHAN_PROBLEM
from imr_desktop.core.exports.packet_job import PacketRequest, PacketSummary
from imr_desktop.ui.export_jobs import PacketProcess
from imr_desktop.ui.job_dialog import JobDialog, OutputPathRow, Summary, muted

PDF_FILTER = "PDF files (*.pdf);;ZIP archives (*.zip);;All files (*)"


class PacketDialog(JobDialog):
    run_text = "Write Packet"
    what = "packet"

    def __init__(
        self,
        db: Path,
        sha256: str,
        source: Path,
        *,
        title: str = "",
        out_dir: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """``source`` is where the letter is now; ``title`` names it (its case number)."""
        super().__init__("Export Case Packet", parent)
        self.setObjectName("packetDialog")
        self.db = db
        self.sha256 = sha256
        self.source = source
        self.job: PacketProcess | None = None
        self.open_button.setText("Open Packet")
        name = title or source.stem
        out = (out_dir or source.parent) / f"{name}-packet.pdf"
        self.add_options(self._build_options(name, out))

    def _build_options(self, name: str, out: Path) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        shown = f"<b>{_html(name)}</b>"
        if name != self.source.stem:
            shown += f" ({_html(self.source.name)})"
        letter = QLabel(shown, page)
        letter.setObjectName("letterName")
        form.addRow("Letter:", letter)
        self.suggestions = QCheckBox("Also highlight suggestions that are not yet accepted", page)
        self.suggestions.setObjectName("includeSuggestions")
        form.addRow("", self.suggestions)
        self.as_zip = QCheckBox(
            "Write a ZIP with the packet, its annotations (JSONL) and the original letter",
            page,
        )
        self.as_zip.setObjectName("asZip")
        form.addRow("", self.as_zip)
        self.output = OutputPathRow(out, PDF_FILTER, page)
        form.addRow("Save to:", self.output)
        about = QLabel(
            "A summary page, then the letter with one highlight per annotation in its "
            "label's colour; label, note and annotator show in any PDF reader's comments.",
            page,
        )
        muted(about)
        form.addRow("", about)
        self.as_zip.toggled.connect(lambda on: self.output.set_suffix(".zip" if on else ".pdf"))
        return page

    def request(self) -> PacketRequest:
        return PacketRequest(
            db=str(self.db),
            documents=(self.sha256,),
            out=str(self.output.path()),
            include_suggestions=self.suggestions.isChecked(),
            as_zip=self.as_zip.isChecked(),
            paths={self.sha256: str(self.source)},
        )

    def start(self) -> bool:
        if not self.output.edit.text().strip():
            self.show_error("Choose where to save the packet.")
            return False
        self.launch(PacketProcess(self.request(), self), self._on_succeeded)
        return True

    def progress_text(self, done: int, total: int) -> str:
        return f"Building the packet: step {done} of {total}"

    def _on_succeeded(self, summary: PacketSummary) -> None:
        path = Path(summary.path)
        orphans = summary.problems.get(ORPHAN_PROBLEM, 0)
        self.show_summary(
            Summary(
                f"Packet written: {summary.pages} pages, {summary.highlights} highlight"
                + ("" if summary.highlights == 1 else "s")
                + (f"; {orphans} not placed, listed on the summary page" if orphans else ""),
                [path],
                dict(summary.problems),
                list(summary.messages),
                open_file=path if path.suffix.lower() == ".pdf" else None,
            )
        )

    def done(self, result: int) -> None:
        # a packet still being written when the dialog goes is cancelled
        if self.job is not None and self.job.is_running():
            self.job.cancel()
        super().done(result)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
