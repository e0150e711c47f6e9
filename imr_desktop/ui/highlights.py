"""What the document views draw over the text: highlights, hits, selection colours."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtGui import QColor, QMouseEvent
from PySide6.QtWidgets import QToolTip, QWidget

SELECTION_COLOR = QColor(51, 119, 255, 80)
HIT_COLOR = QColor(255, 214, 0, 110)
CURRENT_HIT_COLOR = QColor(255, 140, 0, 150)
FLASH_COLOR = QColor(255, 90, 0)
FILL_ALPHA = 70


@dataclass(frozen=True, slots=True)
class Highlight:
    id: str
    start: int
    end: int
    color: str  # "#rrggbb"
    label: str
    note: str = ""
    suggested: bool = False  # drawn as a dashed outline, not a fill

    def tooltip(self) -> str:
        head = f"{self.label} (suggestion)" if self.suggested else self.label
        return f"{head}\n{self.note}" if self.note else head


def assign_lanes(highlights: list[Highlight]) -> dict[str, int]:
    """Give overlapping highlights different lanes (0, 1, 2 …) for their underline.

    Interval-graph colouring in start order: each highlight takes the lowest lane free at
    its start, so overlaps stay distinguishable even when the fills blend.
    """
    lanes: dict[str, int] = {}
    active: list[tuple[int, int]] = []  # (end, lane)
    for h in sorted(highlights, key=lambda h: (h.start, -h.end, h.id)):
        active = [(e, lane) for e, lane in active if e > h.start]
        used = {lane for _, lane in active}
        lane = next(i for i in range(len(used) + 1) if i not in used)
        lanes[h.id] = lane
        active.append((h.end, lane))
    return lanes


def show_hover_tooltip(event: QMouseEvent, hits: Sequence[Highlight], widget: QWidget) -> None:
    """Label and note of the highlights under the mouse (both views), or none."""
    if hits:
        text = "\n\n".join(h.tooltip() for h in hits)
        QToolTip.showText(event.globalPosition().toPoint(), text, widget)
    else:
        QToolTip.hideText()
