"""The rows of the condition list (category headers, entries, search hits) as a Qt model that
makes each row's text when the view asks for it, which is only for the rows on screen.

Filling the list is therefore one step whatever its length: 10,000 entries cost a Python list,
not 10,000 QStandardItems made (and later destroyed) one by one, which took a tenth of a second
or more at every switch between the whole list and search results.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from ..records import GRADE_MEANINGS, ConditionSummary, SearchHit
from .condition_delegate import WHY_ROLE

ID_ROLE = Qt.ItemDataRole.UserRole + 1
"""The entry's id; None on a category header."""

Row = tuple[str | ConditionSummary, str]
"""A category title, or an entry with why it matched a search ("" in the whole list)."""

_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_ACCESSIBLE = Qt.ItemDataRole.AccessibleTextRole
_FONT = Qt.ItemDataRole.FontRole


class ConditionListModel(QAbstractListModel):
    """Read-only rows for the condition list; set_entries or set_hits replace them all."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[Row] = []
        self._favourites: Collection[str] = ()
        self._bold = QFont()
        self._bold.setBold(True)

    # --- filling -------------------------------------------------------------------------

    def set_entries(
        self, groups: Sequence[tuple[str, Sequence[ConditionSummary]]], favourites: Collection[str]
    ) -> None:
        """The whole list: each group's title, then its entries."""
        rows: list[Row] = []
        for title, members in groups:
            rows.append((title, ""))
            rows += [(summary, "") for summary in members]
        self._replace(rows, favourites)

    def set_hits(self, hits: Sequence[SearchHit], favourites: Collection[str]) -> None:
        """Search results, best first, each with the section and words that matched."""
        rows: list[Row] = [
            (hit.condition, f"{hit.section}: {' '.join(hit.snippet_text.split())}") for hit in hits
        ]
        self._replace(rows, favourites)

    def _replace(self, rows: list[Row], favourites: Collection[str]) -> None:
        self.beginResetModel()
        self._rows = rows
        self._favourites = set(favourites)
        self.endResetModel()

    # --- what the view asks ------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self._rows)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if isinstance(self._rows[index.row()][0], str):  # a header: shown, never selected
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item, why = self._rows[index.row()]
        if isinstance(item, str):
            if role == _DISPLAY:
                return item
            if role == _FONT:
                return self._bold
            if role == _ACCESSIBLE:
                return f"Category: {item}"
            return None
        if role == _DISPLAY:
            return self._text(item)
        if role == ID_ROLE:
            return item.id
        if role == WHY_ROLE:
            return why or None
        if role == _TOOLTIP:
            if why:
                return f"Matched in {why}"
            return (
                f"Certainty of evidence (GRADE): {item.grade}. {GRADE_MEANINGS.get(item.grade, '')}"
            )
        if role == _ACCESSIBLE and why:
            return f"{self._text(item)}. Matched in {why}"
        return None

    def _text(self, summary: ConditionSummary) -> str:
        star = "★ " if summary.id in self._favourites else ""
        return f"{star}{summary.name}  ·  {summary.grade}"

    def row_of(self, condition_id: str) -> int | None:
        """The row showing an entry, if it is in the list."""
        for row, (item, _) in enumerate(self._rows):
            if not isinstance(item, str) and item.id == condition_id:
                return row
        return None

    def entry_rows(self) -> list[int]:
        """The rows that are entries (not headers), top to bottom."""
        return [row for row, (item, _) in enumerate(self._rows) if not isinstance(item, str)]
