"""The side-effect checklist beside the detail pane: the catalogue as checkable items grouped by
when they appear, with the selected condition's key items marked.

Its state lives in memory only: nothing about a patient is ever written to disk.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .. import markup
from ..records import TIMING_LABELS, SideEffect, SideEffectLink

ID_ROLE = Qt.ItemDataRole.UserRole + 1
KEY_MARK = "★ "
"""Put before the items that matter most for the selected condition (a mark, not colour only;
in front, so that it stays visible when a long name is cut short)."""


class ChecklistPanel(QWidget):
    print_requested = Signal()
    """The person asked to print the ticked items."""

    def __init__(self, effects: Sequence[SideEffect], parent: QWidget | None = None):
        super().__init__(parent)
        self._effects = list(effects)
        self._names = {e.id: e.name for e in self._effects}
        self._watch = {e.id: markup.plain_text(e.watch_for) for e in self._effects}
        title = QLabel("<b>Side-effect checklist</b>")
        hint = QLabel(
            "Tick what you discussed: the ticks go into the patient handout. Kept in memory "
            "only; never saved.",
            wordWrap=True,
        )
        self.tree = QTreeWidget(objectName="checklist")
        self.tree.setHeaderHidden(True)
        self.tree.setAccessibleName("Side-effect checklist")
        self.tree.setRootIsDecorated(False)
        self._items: dict[str, QTreeWidgetItem] = {}
        for timing, label in TIMING_LABELS.items():
            if not any(e.timing == timing for e in self._effects):
                continue
            group = QTreeWidgetItem(self.tree, [label])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            for effect in (e for e in self._effects if e.timing == timing):
                item = QTreeWidgetItem(group, [effect.name])
                item.setData(0, ID_ROLE, effect.id)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(0, Qt.CheckState.Unchecked)
                item.setToolTip(0, self._watch[effect.id])
                self._items[effect.id] = item
        self.tree.expandAll()
        self.clear_button = QPushButton("&Clear ticks", objectName="clear-checklist")
        self.clear_button.setAccessibleName("Clear the checklist")
        self.print_button = QPushButton("&Print ticked…", objectName="print-checklist")
        self.print_button.setAccessibleName("Print the ticked side effects")
        self.clear_button.clicked.connect(self.clear)
        self.print_button.clicked.connect(self.print_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 6, 6)
        layout.addWidget(title)
        layout.addWidget(hint)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)

    @property
    def effects(self) -> list[SideEffect]:
        return list(self._effects)

    def checked_ids(self) -> list[str]:
        """Ticked side effects, in catalogue order."""
        return [i for i, item in self._items.items() if item.checkState(0) == Qt.CheckState.Checked]

    def set_checked(self, effect_id: str, checked: bool = True) -> None:
        state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        self._items[effect_id].setCheckState(0, state)

    @Slot()
    def clear(self) -> None:
        for item in self._items.values():
            item.setCheckState(0, Qt.CheckState.Unchecked)

    def mark_key(self, links: Sequence[SideEffectLink]) -> None:
        """Mark the selected condition's key side effects; the ticks stay as they were."""
        key = {link.side_effect.id: link for link in links if link.key}
        for effect_id, item in self._items.items():
            font: QFont = item.font(0)
            font.setBold(effect_id in key)
            item.setFont(0, font)
            item.setText(0, (KEY_MARK if effect_id in key else "") + self._names[effect_id])
            note = markup.plain_text(key[effect_id].note) if effect_id in key else ""
            item.setToolTip(0, "\n\n".join(t for t in (note, self._watch[effect_id]) if t))

    def key_ids(self) -> list[str]:
        return [i for i, item in self._items.items() if item.text(0).startswith(KEY_MARK)]
