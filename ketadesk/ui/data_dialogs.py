"""Dialogs for the database's history and safety: an entry's revisions, the backups, an update
pack's preview, and a side-by-side comparison of a local edit with a newer version.

They show what the window gives them and report the person's choice; the window does the work.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ..records import Revision

if TYPE_CHECKING:
    from ..backups import Backup
    from ..packs import ImportPlan

ID_ROLE = Qt.ItemDataRole.UserRole + 1


def _browser(name: str) -> QTextBrowser:
    browser = QTextBrowser(objectName=name)
    browser.setAccessibleName(name.replace("-", " ").capitalize())
    browser.setOpenLinks(False)
    return browser


class HistoryDialog(QDialog):
    """An entry's revisions, newest first; pick one to see it, and restore it if wanted."""

    def __init__(
        self,
        name: str,
        revisions: Sequence[Revision],
        render: Callable[[Revision], str],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(f"History: {name}")
        self.chosen: Revision | None = None
        self._revisions = list(revisions)
        self._render = render
        self.list = QListWidget(objectName="revisions")
        self.list.setAccessibleName("Revisions")
        for revision in self._revisions:
            item = QListWidgetItem(
                f"{revision.at}  {revision.action} by {revision.editor or 'unknown'}\n"
                f"    {revision.summary}"
            )
            item.setData(ID_ROLE, revision.id)
            self.list.addItem(item)
        if not self._revisions:
            self.list.addItem("No changes since the bundled content.")
        self.preview = _browser("revision-preview")
        self.restore_button = QPushButton("&Restore this version", enabled=False)
        self.restore_button.clicked.connect(self._restore)
        self.list.currentRowChanged.connect(self._show)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        splitter = QSplitter()
        splitter.addWidget(self.list)
        splitter.addWidget(self.preview)
        splitter.setSizes([380, 620])
        row = QHBoxLayout()
        row.addWidget(self.restore_button)
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(row)
        self.resize(1000, 640)

    @Slot(int)
    def _show(self, row: int) -> None:
        if 0 <= row < len(self._revisions):
            self.preview.setHtml(self._render(self._revisions[row]))
            self.restore_button.setEnabled(True)

    def select(self, row: int) -> None:
        self.list.setCurrentRow(row)

    @Slot()
    def _restore(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self._revisions):
            self.chosen = self._revisions[row]
            self.accept()


class BackupsDialog(QDialog):
    """The backups, newest first, with back up now / restore / reset."""

    def __init__(self, backups: Sequence[Backup], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Backups")
        self.action: tuple[str, str] | None = None
        self.list = QListWidget(objectName="backups")
        self.list.setAccessibleName("Backups")
        for b in backups:
            item = QListWidgetItem(
                f"{b.created:%Y-%m-%d %H:%M:%S}  {b.reason}  ({b.size // 1024} KiB)"
            )
            item.setData(ID_ROLE, b.name)
            self.list.addItem(item)
        now = QPushButton("Back up &now")
        restore = QPushButton("&Restore the selected backup…")
        reset = QPushButton("Reset to the &bundled content…")
        now.clicked.connect(lambda: self._choose("backup", ""))
        restore.clicked.connect(self._restore)
        reset.clicked.connect(lambda: self._choose("reset", ""))
        note = QLabel(
            "A backup of the present state is made before any restore or reset, so nothing is "
            "ever lost. The newest ten backups are kept.",
            wordWrap=True,
        )
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        row = QHBoxLayout()
        for button in (now, restore, reset):
            row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addWidget(note)
        layout.addLayout(row)
        layout.addWidget(close)
        self.resize(620, 440)

    def _choose(self, action: str, name: str) -> None:
        self.action = (action, name)
        self.accept()

    @Slot()
    def _restore(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self._choose("restore", item.data(ID_ROLE))


class ImportPreviewDialog(QDialog):
    """What an update pack would do; Import applies it (after an automatic backup)."""

    def __init__(self, name: str, plan: ImportPlan, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Import {name}")
        header = QLabel(
            f"{plan.pack.description}. Every entry in it meets the content rules.",
            wordWrap=True,
        )
        header.setTextFormat(Qt.TextFormat.PlainText)  # the pack's own words, never markup
        self.list = QListWidget(objectName="import-preview")
        self.list.setAccessibleName("What the pack would change")
        for label, items in (
            ("Added", plan.added),
            ("Changed", plan.changed),
            ("Conflicts with your edits (yours kept; theirs offered to compare)", plan.conflicts),
            ("Unchanged", plan.unchanged),
        ):
            for condition in items:
                self.list.addItem(f"{label}: {condition.name}")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = buttons.addButton("&Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setEnabled(bool(plan.added or plan.changed or plan.conflicts))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(header)
        layout.addWidget(QLabel(plan.summary() + "."))
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self.resize(640, 480)


class CompareDialog(QDialog):
    """A local edit beside the newer version that arrived; keep mine or take theirs."""

    def __init__(self, mine_html: str, theirs_html: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("A newer version is available")
        self.keep_mine: bool | None = None
        mine, theirs = _browser("your-version"), _browser("newer-version")
        mine.setHtml(mine_html)
        theirs.setHtml(theirs_html)
        left, right = QWidget(), QWidget()
        sides = ((left, "Your version", mine), (right, "Newer version", theirs))
        for side, title, browser in sides:
            column = QVBoxLayout(side)
            column.setContentsMargins(0, 0, 0, 0)
            column.addWidget(QLabel(f"<b>{title}</b>"))
            column.addWidget(browser, 1)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        keep = QPushButton("&Keep mine")
        take = QPushButton("&Take theirs")
        later = QPushButton("Decide &later")
        keep.clicked.connect(lambda: self._decide(True))
        take.clicked.connect(lambda: self._decide(False))
        later.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(keep)
        row.addWidget(take)
        row.addStretch(1)
        row.addWidget(later)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(row)
        self.resize(1200, 760)

    def _decide(self, keep_mine: bool) -> None:
        self.keep_mine = keep_mine
        self.accept()
