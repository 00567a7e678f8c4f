"""Draws a row of the condition list: the name and grade, and for a search hit a second, muted
line saying where it matched."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QStyledItemDelegate

if TYPE_CHECKING:
    from PySide6.QtGui import QPainter
    from PySide6.QtWidgets import QStyleOptionViewItem

WHY_ROLE = Qt.ItemDataRole.UserRole + 2
"""The "Section: snippet" line of a search hit; absent for plain rows."""

Index = QModelIndex | QPersistentModelIndex


class ConditionDelegate(QStyledItemDelegate):
    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        size = super().sizeHint(option, index)
        if index.data(WHY_ROLE):
            size.setHeight(size.height() + option.fontMetrics.height() + 2)
        return size

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        why = index.data(WHY_ROLE)
        if not why:
            super().paint(painter, option, index)
            return
        # QStyle is imported here, at the first search hit: making its Python type and enums
        # costs ~5 ms, which start-up (plain rows only) does not need to pay
        from PySide6.QtWidgets import QStyle

        self.initStyleOption(option, index)
        style = option.widget.style() if option.widget else None
        option.text = ""
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        group = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        muted = (
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
        )
        rect = option.rect.adjusted(4, 1, -4, -1)
        line = option.fontMetrics.height()
        painter.save()
        painter.setPen(option.palette.color(group))
        name_rect = QRect(rect.left(), rect.top(), rect.width(), line)
        name = option.fontMetrics.elidedText(
            str(index.data()), Qt.TextElideMode.ElideRight, rect.width()
        )
        painter.drawText(name_rect, Qt.AlignmentFlag.AlignLeft, name)
        painter.setPen(option.palette.color(muted))
        small = option.font
        small.setPointSizeF(max(small.pointSizeF() * 0.9, 7))
        painter.setFont(small)
        text = option.fontMetrics.elidedText(
            str(why), Qt.TextElideMode.ElideRight, rect.width() - 12
        )
        painter.drawText(
            QRect(rect.left() + 12, rect.top() + line + 1, rect.width() - 12, line),
            Qt.AlignmentFlag.AlignLeft,
            text,
        )
        painter.restore()
