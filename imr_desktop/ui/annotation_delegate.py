"""Paints the rows of the annotation panel.

Group rows: colour swatch, bold label name, count on the right. Annotation rows: the
snippet on up to two lines (a one-line snippet in a narrow side panel is too short to
recognise a passage), the page on the right, and a muted line for the note and the
"suggested" origin when there is one. Orphans (and their group) sit on an amber
background that suits the theme; their quote is in quotation marks, their muted line
starts with "not placed", and the page column says about where they were.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QIcon, QPainter, QPalette
from PySide6.QtWidgets import (
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QWidget,
)

from imr_desktop.ui.annotation_model import (
    ANNOTATION_ID_ROLE,
    COLOR_ROLE,
    COUNT_ROLE,
    NOTE_ROLE,
    ORPHAN_ROLE,
    PLACE_ROLE,
    SUGGESTED_ROLE,
)
from imr_desktop.ui.swatches import SWATCH_SIZE, note_icon, swatch_icon
from imr_desktop.ui.theme import warning_colors

AnyIndex = QModelIndex | QPersistentModelIndex

PAD_X = 6
PAD_Y = 4
GAP = 8
SNIPPET_LINES = 2
STRIPE = 3  # width of the label-coloured bar at the left of an annotation row
ORPHAN_TAG = "not placed"


class AnnotationDelegate(QStyledItemDelegate):
    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        width = _row_width(option, index)
        fm = option.fontMetrics
        if index.data(ANNOTATION_ID_ROLE) is None:
            return QSize(width, max(fm.height(), SWATCH_SIZE) + 2 * PAD_Y + 2)
        lines = self._snippet_lines(index, option, self._text_width(width, option, index))
        height = len(lines) * fm.lineSpacing()
        if self._has_meta(index):
            height += QFontMetrics(_small(option.font)).lineSpacing() + 1
        return QSize(width, height + 2 * PAD_Y)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        # the style draws background, selection and focus; we draw the content
        opt.text = ""
        opt.icon = QIcon()
        widget: QWidget | None = option.widget  # type: ignore[assignment]
        style = widget.style() if widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        painter.save()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        active = option.state & QStyle.StateFlag.State_Active
        group = QPalette.ColorGroup.Active if active else QPalette.ColorGroup.Inactive
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        ink = option.palette.color(group, text_role)
        muted = QColor(ink)
        if not selected:
            muted = option.palette.color(group, QPalette.ColorRole.PlaceholderText)
        warn = QColor(ink)  # "needs you" text: amber, or plain on a selected row
        if index.data(ORPHAN_ROLE) and not selected:
            background, warn = warning_colors(option.palette)
            painter.fillRect(option.rect, background)
            muted = QColor(ink)  # the placeholder grey is too faint on amber
            muted.setAlphaF(0.75)
        if index.data(ANNOTATION_ID_ROLE) is None:
            self._paint_group(painter, option, index, ink, muted, warn)
        else:
            self._paint_annotation(painter, option, index, ink, muted, warn)
        painter.restore()

    # ------------------------------------------------------------------ groups
    def _paint_group(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: AnyIndex,
        ink: QColor,
        muted: QColor,
        warn: QColor,
    ) -> None:
        rect = option.rect.adjusted(PAD_X, 0, -PAD_X, 0)
        icon = swatch_icon(index.data(COLOR_ROLE) or "#9e9e9e")
        top = rect.top() + (rect.height() - SWATCH_SIZE) // 2
        icon.paint(painter, QRect(rect.left(), top, SWATCH_SIZE, SWATCH_SIZE))
        total = index.data(COUNT_ROLE) or 0
        shown = index.model().rowCount(index)  # the view's model: after filtering
        count = str(total) if shown == total else f"{shown} of {total}"
        fm = option.fontMetrics
        count_width = fm.horizontalAdvance(count)
        painter.setPen(muted)
        painter.drawText(rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, count)
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        name = index.data(Qt.ItemDataRole.DisplayRole) or ""
        if index.data(ORPHAN_ROLE):
            name = f"⚠ {name}"
        painter.setPen(warn if index.data(ORPHAN_ROLE) else ink)
        name_rect = rect.adjusted(SWATCH_SIZE + GAP, 0, -(count_width + GAP), 0)
        name = QFontMetrics(bold).elidedText(
            name,
            Qt.TextElideMode.ElideRight,
            name_rect.width(),
        )
        painter.drawText(
            name_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name
        )

    # ------------------------------------------------------------------ annotations
    def _paint_annotation(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: AnyIndex,
        ink: QColor,
        muted: QColor,
        warn: QColor,
    ) -> None:
        rect = option.rect
        painter.fillRect(
            QRect(rect.left() + 1, rect.top() + 2, STRIPE, rect.height() - 4),
            QColor(index.data(COLOR_ROLE) or "#9e9e9e"),
        )
        fm = option.fontMetrics
        place = index.data(PLACE_ROLE) or ""
        inner = rect.adjusted(STRIPE + PAD_X, PAD_Y, -PAD_X, -PAD_Y)
        painter.setPen(muted)
        painter.drawText(
            QRect(inner.left(), inner.top(), inner.width(), fm.height()),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop,
            place,
        )
        suggested = bool(index.data(SUGGESTED_ROLE))
        font = QFont(option.font)
        font.setItalic(suggested)  # a suggestion reads as tentative until confirmed
        painter.setFont(font)
        painter.setPen(ink)
        y = inner.top()
        width = self._text_width(rect.width(), option, index)
        for line in self._snippet_lines(index, option, width):
            painter.drawText(
                QRect(inner.left(), y, inner.width(), fm.height()),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                line,
            )
            y += fm.lineSpacing()
        if not self._has_meta(index):
            return
        small = _small(option.font)
        sfm = QFontMetrics(small)
        painter.setFont(small)
        painter.setPen(muted)
        x, y = inner.left(), y + 1
        right = inner.right()
        if index.data(ORPHAN_ROLE):
            tag = ORPHAN_TAG + (" ·" if index.data(NOTE_ROLE) else "")
            bold = QFont(small)
            bold.setBold(True)
            painter.setFont(bold)
            painter.setPen(warn)
            painter.drawText(QRect(x, y, right - x, sfm.height()), Qt.AlignmentFlag.AlignLeft, tag)
            x += QFontMetrics(bold).horizontalAdvance(tag + " ")
            painter.setFont(small)
            painter.setPen(muted)
        if suggested:
            tag = "suggested" + (" ·" if index.data(NOTE_ROLE) else "")
            painter.drawText(QRect(x, y, right - x, sfm.height()), Qt.AlignmentFlag.AlignLeft, tag)
            x += sfm.horizontalAdvance(tag + " ")
        note = " ".join((index.data(NOTE_ROLE) or "").split())
        if note:
            size = min(SWATCH_SIZE, sfm.height())
            note_icon().paint(painter, QRect(x, y + (sfm.height() - size) // 2, size, size))
            x += size + 4
            text = sfm.elidedText(note, Qt.TextElideMode.ElideRight, max(right - x, 0))
            painter.drawText(QRect(x, y, right - x, sfm.height()), Qt.AlignmentFlag.AlignLeft, text)

    @staticmethod
    def _has_meta(index: AnyIndex) -> bool:
        return any(index.data(role) for role in (NOTE_ROLE, SUGGESTED_ROLE, ORPHAN_ROLE))

    @staticmethod
    def _text_width(row_width: int, option: QStyleOptionViewItem, index: AnyIndex) -> int:
        """Room for the snippet: the row minus the stripe, padding and the page column."""
        fm = option.fontMetrics
        # reserve the widest page number seen in practice so every row wraps alike
        place_width = max(
            fm.horizontalAdvance(index.data(PLACE_ROLE) or ""), fm.horizontalAdvance("p. 99")
        )
        return max(row_width - STRIPE - 2 * PAD_X - place_width - GAP, 40)

    @staticmethod
    def _snippet_lines(index: AnyIndex, option: QStyleOptionViewItem, width: int) -> list[str]:
        text = index.data(Qt.ItemDataRole.DisplayRole) or ""
        if index.data(ORPHAN_ROLE):
            text = f"“{text}”"  # a quote from a text that no longer has it
        font = QFont(option.font)
        font.setItalic(bool(index.data(SUGGESTED_ROLE)))
        return wrap_elided(text, QFontMetrics(font), width, SNIPPET_LINES)


def _row_width(option: QStyleOptionViewItem, index: AnyIndex) -> int:
    """The width ``paint`` will get for this row. Tree views pass sizeHint the whole
    column width but paint rows indented by their depth: subtract the indentation."""
    view = option.widget
    if not isinstance(view, QTreeView):
        return max(option.rect.width(), 120)
    depth = 1 if index.parent().isValid() else 0
    indent = view.indentation() * (depth + (1 if view.rootIsDecorated() else 0))
    return max(view.columnWidth(0) - indent, 120)


def wrap_elided(text: str, fm: QFontMetrics, width: int, max_lines: int) -> list[str]:
    """Break ``text`` at spaces into at most ``max_lines`` lines of ``width`` pixels, the
    last one elided. Works on Python strings, so offsets never mix with UTF-16 units."""
    words = text.split(" ")
    lines: list[str] = []
    while words and len(lines) < max_lines - 1:
        # the longest run of words that fits; at least one word (elided if too long)
        count = 1
        while count < len(words) and fm.horizontalAdvance(" ".join(words[: count + 1])) <= width:
            count += 1
        if count == len(words) and fm.horizontalAdvance(" ".join(words)) <= width:
            lines.append(" ".join(words))
            return lines
        line = " ".join(words[:count])
        lines.append(fm.elidedText(line, Qt.TextElideMode.ElideRight, width))
        words = words[count:]
    if words:
        lines.append(fm.elidedText(" ".join(words), Qt.TextElideMode.ElideRight, width))
    return lines


def _small(font: QFont) -> QFont:
    small = QFont(font)
    size = font.pointSizeF()
    if size > 0:
        small.setPointSizeF(max(size * 0.88, 7.0))
    return small
