"""The main window: search box and condition list on the left, the selected entry on the right."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QListView,
    QMainWindow,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from .. import DISCLAIMER
from ..records import Condition, ConditionSummary, DbInfo, SearchHit

ID_ROLE = Qt.ItemDataRole.UserRole + 1


class Library(Protocol):
    """What the window needs from the core (a store.Store satisfies it)."""

    def info(self) -> DbInfo: ...
    def list_conditions(self) -> list[ConditionSummary]: ...
    def search(self, text: str, *, limit: int = 50) -> list[SearchHit]: ...
    def get_condition(self, condition_id: str) -> Condition: ...


class MainWindow(QMainWindow):
    def __init__(
        self,
        library: Library,
        *,
        render: Callable[..., str],
        notice: str | None = None,
    ):
        super().__init__()
        self._library = library
        self._render = render  # render.condition_markdown: Condition -> Markdown
        self._info = library.info()
        self.setWindowTitle("ketadesk")
        self.resize(1100, 720)

        self.search_edit = QLineEdit(objectName="search")
        self.search_edit.setPlaceholderText("Search conditions, abbreviations, any text…")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName("Search conditions")
        self.condition_list = QListView(objectName="conditions")
        self.condition_list.setAccessibleName("Conditions")
        self.condition_list.setUniformItemSizes(True)
        self.model = QStandardItemModel(self)
        self.condition_list.setModel(self.model)
        self.detail = QTextBrowser(objectName="detail")
        self.detail.setAccessibleName("Condition details")
        self.detail.setOpenLinks(False)
        self.notice = QLabel(notice or "", objectName="notice", wordWrap=True)
        self.notice.setVisible(bool(notice))
        self.notice.setFrameShape(QLabel.Shape.StyledPanel)

        self.disclaimer = QLabel(DISCLAIMER, objectName="disclaimer", wordWrap=True)
        self.disclaimer.setAccessibleName("Clinical disclaimer")

        left = QWidget()
        layout = QVBoxLayout(left)
        layout.setContentsMargins(6, 6, 0, 6)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.condition_list)
        layout.addWidget(self.disclaimer)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.detail)
        splitter.setSizes([320, 780])
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.notice)
        outer.addWidget(splitter, 1)
        self.setCentralWidget(central)
        self.statusBar().showMessage(
            f"Content {self._info.content_version} of {self._info.content_date}"
        )

        self._debounce = QTimer(self, singleShot=True, interval=120)
        self._debounce.timeout.connect(self._refresh)
        self.search_edit.textChanged.connect(self._debounce.start)
        self.condition_list.selectionModel().currentChanged.connect(self._on_current)
        self._refresh()

    @Slot()
    def _refresh(self) -> None:
        text = self.search_edit.text().strip()
        self.model.clear()
        if text:
            for hit in self._library.search(text):
                item = self._item(hit.condition)
                item.setToolTip(f"{hit.section}: {hit.snippet_text}")
                self.model.appendRow(item)
            return
        category = None
        for summary in self._library.list_conditions():
            if summary.category != category:
                category = summary.category
                header = QStandardItem(category)
                header.setFlags(Qt.ItemFlag.ItemIsEnabled)
                font = header.font()
                font.setBold(True)
                header.setFont(font)
                self.model.appendRow(header)
            self.model.appendRow(self._item(summary))

    @staticmethod
    def _item(summary: ConditionSummary) -> QStandardItem:
        item = QStandardItem(f"{summary.name}  ·  {summary.grade}")
        item.setData(summary.id, ID_ROLE)
        item.setEditable(False)
        return item

    @Slot()
    def _on_current(self) -> None:
        condition_id = self.condition_list.currentIndex().data(ID_ROLE)
        if condition_id:
            self.show_condition(condition_id)

    def show_condition(self, condition_id: str) -> None:
        condition = self._library.get_condition(condition_id)
        self.detail.setMarkdown(self._render(condition, content_version=self._info.content_version))
