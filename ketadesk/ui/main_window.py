"""The main window: search and the condition list on the left, the entry in the middle, the
side-effect checklist on the right; menus, zoom, recent and favourite conditions.

Widgets only: the window gets a Library (the store, through a protocol), pure render functions
and a database checker from app.py, and never imports the store or SQL.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QModelIndex, QSettings, Qt, QTimer, QUrl, Slot
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QGuiApplication,
    QKeySequence,
    QPalette,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QLabel,
    QLineEdit,
    QListView,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from .. import DISCLAIMER, about, render
from ..errors import StoreError
from ..records import (
    Condition,
    ConditionSummary,
    DbInfo,
    Handout,
    Problem,
    Reference,
    SearchHit,
    SideEffect,
)
from ..workspace import Workspace
from .checklist import ChecklistPanel
from .condition_delegate import ConditionDelegate
from .condition_model import ID_ROLE, ConditionListModel
from .database_actions import DatabaseActions
from .handout_actions import HandoutActions
from .search_box import SearchBox
from .window_state import HandoutPreferences, WindowState, remember

if TYPE_CHECKING:
    from PySide6.QtPrintSupport import QPrinter

log = logging.getLogger(__name__)


def forget_file_dialog_history() -> None:
    """Remove the folders Qt's file dialog keeps in its own settings (QtProject.conf: `history`,
    `lastVisited`): in a clinic a folder is often named after a patient, and ketadesk writes
    nothing about a patient to disk. Called after every file dialog closes."""
    settings = QSettings(QSettings.Scope.UserScope, "QtProject")
    settings.beginGroup("FileDialog")
    for key in ("history", "lastVisited"):
        settings.remove(key)
    settings.endGroup()
    settings.sync()


FAVOURITES = "Favourites"
ZOOM_STEPS = (50, 67, 80, 90, 100, 110, 125, 150, 175, 200, 250, 300)
"""Zoom levels of the detail pane, in percent (as browsers step them)."""


class Library(Protocol):
    """What the window needs from the core (a store.Store satisfies it)."""

    def info(self) -> DbInfo: ...
    def list_conditions(self) -> list[ConditionSummary]: ...
    def search(self, text: str, *, limit: int = 50) -> list[SearchHit]: ...
    def get_condition(self, condition_id: str) -> Condition: ...
    def side_effects(self) -> list[SideEffect]: ...
    def handouts(self) -> list[Handout]: ...
    def categories(self) -> list[str]: ...
    def references(self) -> list[Reference]: ...


class MainWindow(HandoutActions, DatabaseActions, QMainWindow):
    def __init__(
        self,
        library: Library,
        *,
        settings: QSettings,
        notice: str | None = None,
        check_database: Callable[[], list[Problem]] | None = None,
        locations: dict[str, str] | None = None,
        today: dt.date | None = None,
        workspace: Workspace | None = None,
    ):
        super().__init__()
        self._library = library
        self._info = library.info()
        self._state = WindowState(settings)
        self._check_database = check_database
        self._workspace = workspace
        self._locations = locations or {}
        self._current: Condition | None = None
        self._zoom = 100
        self._recent: list[str] = self._state.texts("recent")
        self._favourites: list[str] = self._state.texts("favourites")
        self.setWindowTitle("ketadesk")
        # 1280×800, but never larger than the screen's free area (a 1366×768 laptop would lose
        # the status bar and the checklist's buttons below its edge).
        screen = QGuiApplication.primaryScreen()
        free = screen.availableGeometry().size() if screen is not None else None
        width, height = 1280, 800
        if free is not None and free.width() > 0 and free.height() > 0:
            width, height = min(width, free.width()), min(height, free.height() - 40)
        self.resize(width, height)

        # left: search and the condition list
        self.search_edit = SearchBox(objectName="search")
        self.search_edit.setPlaceholderText("Search conditions, abbreviations, any text…")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName("Search conditions")
        self.condition_list = QListView(objectName="conditions")
        self.condition_list.setAccessibleName("Conditions")
        self.condition_list.setItemDelegate(ConditionDelegate(self.condition_list))
        self.condition_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.condition_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        # Every row of a list is as tall as its first: one line each in the whole list, two in
        # search results. Saying so spares the view measuring each of 10,000 rows at each switch.
        self.condition_list.setUniformItemSizes(True)
        self.model = ConditionListModel(self)
        self.condition_list.setModel(self.model)
        self.no_hits = QLabel(objectName="no-hits", wordWrap=True)
        self.clear_search_button = QPushButton("Clear search", objectName="clear-search")
        self.clear_search_button.setAccessibleName("Clear the search")
        self.clear_search_button.clicked.connect(self.search_edit.clear)
        no_hits_box = QWidget()
        no_hits_layout = QVBoxLayout(no_hits_box)
        no_hits_layout.setContentsMargins(0, 0, 0, 0)
        no_hits_layout.addWidget(self.no_hits)
        no_hits_layout.addWidget(self.clear_search_button)
        self._no_hits_box = no_hits_box
        no_hits_box.hide()
        self.disclaimer = QLabel(DISCLAIMER, objectName="disclaimer", wordWrap=True)
        self.disclaimer.setAccessibleName("Clinical disclaimer")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(6, 6, 0, 6)
        left_layout.addWidget(self.search_edit)
        left_layout.addWidget(no_hits_box)
        left_layout.addWidget(self.condition_list, 1)
        left_layout.addWidget(self.disclaimer)

        # middle: the entry
        self.detail = QTextBrowser(objectName="detail")
        self.detail.setAccessibleName("Condition details")
        self.detail.setOpenLinks(False)
        self.detail.anchorClicked.connect(self._on_link)
        self._base_point_size = self.detail.font().pointSizeF()
        self.detail.setHtml(self._welcome_html())

        # right: the checklist
        self.checklist = ChecklistPanel(library.side_effects())
        self.checklist.print_requested.connect(self.print_checklist)

        self.splitter = QSplitter(objectName="splitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.detail)
        self.splitter.addWidget(self.checklist)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([320, 640, 320])

        # banners: recovery notices, stale content
        self.notice = self._banner("notice", notice)
        stale = about.staleness_notice(self._info.content_date, today or dt.date.today())
        self.stale = self._banner("stale", stale)
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.notice)
        outer.addWidget(self.stale)
        outer.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.content_label = QLabel(
            f"Content {self._info.content_version} of {self._info.content_date}",
            objectName="content-version",
        )
        self.statusBar().addPermanentWidget(self.content_label)

        self._build_menus()

        # interval 0: the list follows each keystroke on the next turn of the event loop (search
        # takes a few milliseconds even at 10,000 entries), coalescing keys typed in one burst
        self._debounce = QTimer(self, singleShot=True, interval=0)
        self._debounce.timeout.connect(self._refresh)
        self.search_edit.textChanged.connect(self._debounce.start)
        self.search_edit.moved.connect(self._move)
        self.search_edit.accepted.connect(self._open_current_or_first)
        self.condition_list.selectionModel().currentChanged.connect(self._on_current)
        self._refresh()
        self._restore()

    # --- construction ----------------------------------------------------------------------

    def _banner(self, name: str, text: str | None) -> QLabel:
        label = QLabel(text or "", objectName=name, wordWrap=True)
        label.setAccessibleName("Notice")
        label.setFrameShape(QLabel.Shape.StyledPanel)
        label.setMargin(6)
        label.setVisible(bool(text))
        return label

    def _action(
        self, menu: QMenu, text: str, slot: Callable[[], object], shortcut: object = None
    ) -> QAction:
        action = menu.addAction(text)
        action.triggered.connect(slot)
        if shortcut is not None:
            keys = shortcut if isinstance(shortcut, list) else [shortcut]
            action.setShortcuts([QKeySequence(k) for k in keys])
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.preview_action = self._action(
            file_menu, "Print pre&view…", self.preview_handout, "Ctrl+Shift+P"
        )
        self.print_handout_action = self._action(
            file_menu, "&Print handout…", self.print_handout, "Ctrl+P"
        )
        self.export_handout_action = self._action(
            file_menu, "&Export handout as PDF…", self.export_handout, "Ctrl+E"
        )
        for action in (self.preview_action, self.print_handout_action, self.export_handout_action):
            action.setEnabled(False)
            action.setStatusTip("Open a condition first; ticked side effects are included.")
        file_menu.addSeparator()
        self._action(file_menu, "Print &several handouts…", self.print_several)
        self._action(file_menu, "Export several handouts as P&DF…", self.export_several)
        file_menu.addSeparator()
        self._action(file_menu, "Print &checklist…", self.print_checklist)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, "Ctrl+Q")  # Cmd+Q on macOS

        edit_menu = bar.addMenu("&Edit")
        self._action(edit_menu, "&Find", self.focus_search, "Ctrl+F")
        self._action(edit_menu, "&Copy", self.copy, "Ctrl+C")
        edit_menu.addSeparator()
        self._action(edit_menu, "&Preferences…", self.edit_preferences, "Ctrl+,")

        view_menu = bar.addMenu("&View")
        self._action(view_menu, "Zoom &in", self.zoom_in, ["Ctrl++", "Ctrl+="])
        self._action(view_menu, "Zoom &out", self.zoom_out, "Ctrl+-")
        self._action(view_menu, "&Reset zoom", self.reset_zoom, "Ctrl+0")

        self.go_menu = bar.addMenu("&Go")
        self.favourite_action = self._action(
            self.go_menu, "&Pin to favourites", self.toggle_favourite, "Ctrl+D"
        )
        self.favourite_action.setCheckable(True)
        self.recent_menu = self.go_menu.addMenu("&Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)

        db_menu = bar.addMenu("&Database")
        self.edit_action = self._action(db_menu, "&Edit entry…", self.edit_entry, "Ctrl+Shift+E")
        self.new_action = self._action(db_menu, "&New entry…", self.new_entry)
        self.retire_action = self._action(db_menu, "&Retire entry…", self.retire_entry)
        self.history_action = self._action(db_menu, "&History of this entry…", self.show_history)
        self.compare_action = self._action(
            db_menu, "Compare with the &newer version…", self.compare_versions
        )
        db_menu.addSeparator()
        self.import_action = self._action(db_menu, "&Import update pack…", self.import_pack)
        self.export_action = self._action(db_menu, "E&xport update pack…", self.export_pack)
        self.backups_action = self._action(db_menu, "&Backups…", self.show_backups)
        self.reset_action = self._action(
            db_menu, "Reset to the bundled &content…", self.reset_content
        )
        db_menu.addSeparator()
        self._action(db_menu, "&Information…", self.show_database_info)
        self._action(db_menu, "&Check integrity…", self.check_integrity)
        self._entry_actions = (
            self.edit_action,
            self.retire_action,
            self.history_action,
            self.compare_action,
        )
        writable = self._workspace is not None
        for action in (
            *self._entry_actions,
            self.new_action,
            self.import_action,
            self.export_action,
            self.backups_action,
            self.reset_action,
        ):
            action.setEnabled(writable and action not in self._entry_actions)
            if not writable:
                action.setStatusTip("This database was opened read-only (--db).")

        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&About ketadesk…", self.show_about)

    def _welcome_html(self) -> str:
        return (
            "<h2>ketadesk</h2><p>Choose a condition on the left, or type to search every "
            "section (Ctrl+F). Up and Down move through the results; Enter opens one.</p>"
            f"<p><i>{DISCLAIMER}</i></p>"
        )

    # --- the condition list -----------------------------------------------------------------

    @Slot()
    def _refresh(self) -> None:
        """Refill the list (search hits, or every entry by category). Rebuilding the model must
        never open an entry by itself, so the selection's signals are held meanwhile."""
        selection = self.condition_list.selectionModel()
        selection.blockSignals(True)
        try:
            self._fill_list()
        finally:
            selection.blockSignals(False)

    def _fill_list(self) -> None:
        text = self.search_edit.text().strip()
        self._no_hits_box.hide()
        if text:
            hits = self._library.search(text)
            self.model.set_hits(hits, self._favourites)
            if not hits:
                self.no_hits.setText(f"No condition matches “{text}”.")
                self._no_hits_box.show()
            # New results start with nothing chosen: Enter opens the top hit and Down goes to it,
            # never to the entry already open (which may sit further down the new results).
            self.condition_list.setCurrentIndex(QModelIndex())
            return
        summaries = self._library.list_conditions()
        favourites = [s for s in summaries if s.id in self._favourites]
        groups: list[tuple[str, list[ConditionSummary]]] = []
        if favourites:
            groups.append((FAVOURITES, favourites))
        for summary in summaries:
            if not groups or groups[-1][0] != summary.category:
                groups.append((summary.category, []))
            groups[-1][1].append(summary)
        self.model.set_entries(groups, self._favourites)
        if self._current is not None:
            self._select(self._current.id, open_entry=False)

    @Slot(int)
    def _move(self, step: int) -> None:
        if self.search_pending:  # a key typed before the list caught up: results first
            self.refresh_now()
        rows = self.model.entry_rows()
        if not rows:
            return
        current = self.condition_list.currentIndex().row()
        if current in rows:
            position = max(0, min(len(rows) - 1, rows.index(current) + step))
        else:
            position = 0 if step > 0 else len(rows) - 1
        self.condition_list.setCurrentIndex(self.model.index(rows[position], 0))

    @Slot()
    def _open_current_or_first(self) -> None:
        if self.search_pending:  # Enter typed before the list caught up: results first
            self.refresh_now()
        index = self.condition_list.currentIndex()
        if not index.data(ID_ROLE):
            rows = self.model.entry_rows()
            if not rows:
                return
            index = self.model.index(rows[0], 0)
            self.condition_list.setCurrentIndex(index)
        self.show_condition(index.data(ID_ROLE))

    @Slot()
    def _on_current(self) -> None:
        condition_id = self.condition_list.currentIndex().data(ID_ROLE)
        if condition_id and (self._current is None or self._current.id != condition_id):
            self.show_condition(condition_id)

    def _select(self, condition_id: str, *, open_entry: bool = True) -> None:
        row = self.model.row_of(condition_id)
        if row is None:
            return
        index = self.model.index(row, 0)
        selection = self.condition_list.selectionModel()
        was_blocked = selection.signalsBlocked()
        selection.blockSignals(was_blocked or not open_entry)
        self.condition_list.setCurrentIndex(index)
        selection.blockSignals(was_blocked)
        self.condition_list.scrollTo(index)

    # --- the entry ---------------------------------------------------------------------------

    def show_condition(self, condition_id: str) -> None:
        """Open an entry: render it, mark its key side effects, remember it."""
        try:
            condition = self._library.get_condition(condition_id)
        except StoreError as exc:
            self.statusBar().showMessage(str(exc), 8000)
            return
        self._current = condition
        scroll = self.detail.verticalScrollBar()
        actions: list[tuple[str, str]] = []
        notice = ""
        if self._workspace is not None:
            actions = [
                (f"edit:{condition.id}", "Edit this entry"),
                (f"history:{condition.id}", "History"),
            ]
            if self._workspace.state(condition.id).pending is not None:
                notice = (
                    "A newer version of this entry is available. "
                    f'<a href="compare:{condition.id}">Compare and decide…</a>'
                )
        self.detail.setHtml(
            render.condition_html(
                condition,
                content_version=self._info.content_version,
                palette=self._palette(),
                actions=actions,
                notice=notice,
            )
        )
        for action in self._entry_actions:
            action.setEnabled(self._workspace is not None)
        self.compare_action.setEnabled(bool(notice))
        scroll.setValue(0)
        self.checklist.mark_key(condition.side_effects)
        self._recent = remember(self._recent, condition.id)
        self.favourite_action.setChecked(condition.id in self._favourites)
        for action in (self.preview_action, self.print_handout_action, self.export_handout_action):
            action.setEnabled(True)
        self.setWindowTitle(f"{condition.name} — ketadesk")
        self._select(condition.id, open_entry=False)

    def _palette(self) -> render.Palette:
        palette = self.palette()
        return render.Palette(
            accent=palette.color(QPalette.ColorRole.Highlight).name(),
            muted=palette.color(QPalette.ColorRole.Mid).name(),
        )

    @Slot(QUrl)
    def _on_link(self, url: QUrl) -> None:
        verbs = {
            "condition": self.show_condition,
            "edit": lambda _: self.edit_entry(),
            "history": lambda _: self.show_history(),
            "compare": lambda _: self.compare_versions(),
        }
        if url.scheme() in verbs:
            verbs[url.scheme()](url.path())
        elif not url.scheme() and url.fragment():
            self.detail.scrollToAnchor(url.fragment())
        else:
            QGuiApplication.clipboard().setText(url.toString())
            self.statusBar().showMessage(
                f"ketadesk works offline and never opens web links; the address "
                f"{url.toString()} was copied.",
                10000,
            )

    def refresh_now(self) -> None:
        """Apply the typed text at once instead of after the debounce (scripts, tests)."""
        self._debounce.stop()
        self._refresh()

    @property
    def search_pending(self) -> bool:
        """True while typed text waits for the list to catch up (a short debounce)."""
        return self._debounce.isActive()

    @property
    def current_condition(self) -> Condition | None:
        return self._current

    # --- zoom ----------------------------------------------------------------------------------

    @property
    def zoom(self) -> int:
        return self._zoom

    def set_zoom(self, percent: int) -> None:
        self._zoom = min(ZOOM_STEPS, key=lambda z: abs(z - percent))
        font = self.detail.font()
        font.setPointSizeF(self._base_point_size * self._zoom / 100)
        self.detail.setFont(font)

    @Slot()
    def zoom_in(self) -> None:
        self._zoom_to(next((z for z in ZOOM_STEPS if z > self._zoom), ZOOM_STEPS[-1]))

    @Slot()
    def zoom_out(self) -> None:
        self._zoom_to(next((z for z in reversed(ZOOM_STEPS) if z < self._zoom), ZOOM_STEPS[0]))

    @Slot()
    def reset_zoom(self) -> None:
        self._zoom_to(100)

    def _zoom_to(self, percent: int) -> None:
        self.set_zoom(percent)
        self.statusBar().showMessage(f"Zoom {self._zoom} %", 2000)

    # --- menus ---------------------------------------------------------------------------------

    @Slot()
    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    @Slot()
    def copy(self) -> None:
        """Copy the selection of whichever text widget has the focus (the entry by default)."""
        focused = QApplication.focusWidget()
        target = focused if isinstance(focused, QLineEdit | QTextBrowser) else self.detail
        target.copy()

    @Slot()
    def toggle_favourite(self) -> None:
        if self._current is None:
            self.favourite_action.setChecked(False)
            return
        cid = self._current.id
        if cid in self._favourites:
            self._favourites.remove(cid)
        else:
            self._favourites.append(cid)
        self.favourite_action.setChecked(cid in self._favourites)
        self._refresh()

    @property
    def favourites(self) -> list[str]:
        return list(self._favourites)

    @property
    def recent(self) -> list[str]:
        return list(self._recent)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        names = {s.id: s.name for s in self._library.list_conditions()}
        for cid in (c for c in self._recent if c in names):
            action = self.recent_menu.addAction(names[cid])
            action.triggered.connect(lambda _=False, c=cid: self.show_condition(c))
        if self.recent_menu.isEmpty():
            self.recent_menu.addAction("(none yet)").setEnabled(False)

    @Slot()
    def show_database_info(self) -> None:
        info = self._library.info()
        self.show_message(
            "Database information",
            about.info_html(
                info,
                bundled=self._locations.get("bundled", ""),
                data_folder=self._locations.get("data", ""),
            ),
        )

    @Slot()
    def check_integrity(self) -> None:
        if self._check_database is None:
            self.show_message("Check integrity", "No check is available for this database.")
            return
        problems = self._check_database()
        if not problems:
            text = "The database is intact and every entry meets the content rules."
        else:
            items = "".join(f"<li>{escape(str(p))}</li>" for p in problems[:50])
            more = f"<p>…and {len(problems) - 50} more.</p>" if len(problems) > 50 else ""
            text = f"<p>{len(problems)} problem(s) found:</p><ul>{items}</ul>{more}"
        self.show_message("Check integrity", text)

    @Slot()
    def show_about(self) -> None:
        self.show_message("About ketadesk", about.about_html(self._library.info()))

    @Slot()
    def print_checklist(self) -> None:
        name = self._current.name if self._current else ""
        html = render.checklist_html(
            self.checklist.effects, self.checklist.checked_ids(), condition_name=name
        )
        self.print_html("Side effects discussed", html)

    # --- view verbs: every dialog goes through one of these, so tests can replace them ----------

    def run_dialog(self, dialog: QDialog) -> bool:
        return dialog.exec() == QDialog.DialogCode.Accepted

    def confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes

    def ask_choice(self, title: str, text: str, options: list[str]) -> int | None:
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=self)
        buttons = [box.addButton(o, QMessageBox.ButtonRole.AcceptRole) for o in options]
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        clicked = box.clickedButton()
        return buttons.index(clicked) if clicked in buttons else None

    def ask_open_path(self, title: str, filter_text: str) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(self, title, str(self._export_folder()), filter_text)
        forget_file_dialog_history()
        return Path(name) if name else None

    def ask_preferences(self, current: HandoutPreferences) -> HandoutPreferences | None:
        from .dialogs import PreferencesDialog

        dialog = PreferencesDialog(current, self)
        return dialog.value() if dialog.exec() == PreferencesDialog.DialogCode.Accepted else None

    def ask_conditions(self, choices: list[tuple[str, str]]) -> list[str]:
        preselected = [self._current.id] if self._current else []
        from .dialogs import ChooseConditionsDialog

        dialog = ChooseConditionsDialog(choices, preselected=preselected, parent=self)
        if dialog.exec() != ChooseConditionsDialog.DialogCode.Accepted:
            return []
        return dialog.chosen()

    def ask_save_path(self, suggested: Path) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Export handout as PDF", str(suggested), "PDF files (*.pdf)"
        )
        forget_file_dialog_history()
        if not name:
            return None
        return Path(name) if name.lower().endswith(".pdf") else Path(name + ".pdf")

    def ask_folder(self, start: Path) -> Path | None:
        name = QFileDialog.getExistingDirectory(self, "Export handouts into", str(start))
        forget_file_dialog_history()
        return Path(name) if name else None

    def run_preview(self, paint: Callable[[QPrinter], object]) -> None:
        from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintPreviewDialog(printer, self)
        dialog.setWindowTitle("Print preview")
        dialog.paintRequested.connect(paint)
        dialog.exec()

    def run_print(self, paint: Callable[[QPrinter], object], title: str) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(title)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() == QPrintDialog.DialogCode.Accepted:
            try:
                paint(printer)
            except StoreError as exc:
                self.show_message("Not printed", escape(str(exc)))

    def show_message(self, title: str, html: str) -> None:
        box = QMessageBox(QMessageBox.Icon.NoIcon, title, html, parent=self)
        box.setTextFormat(Qt.TextFormat.RichText)
        box.exec()

    def print_html(self, title: str, html: str) -> None:
        document = QTextDocument()
        document.setHtml(html)
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(title)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(f"Print: {title}")
        if dialog.exec() == QPrintDialog.DialogCode.Accepted:
            document.print_(printer)

    # --- remembered state ------------------------------------------------------------------

    def _restore(self) -> None:
        geometry = self._state.blob("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        splitter = self._state.blob("splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        self.set_zoom(self._state.number("zoom", 100, ZOOM_STEPS[0], ZOOM_STEPS[-1]))
        last = self._state.text("last_condition")
        if last and any(s.id == last for s in self._library.list_conditions()):
            try:
                self.show_condition(last)
            except Exception:  # start-up never fails because the last entry cannot be shown
                log.exception("could not show the last entry %r at start-up", last)
                self.statusBar().showMessage(f"The last entry open ({last}) could not be shown.")

    def save_state(self) -> None:
        self._state.set("geometry", self.saveGeometry())
        self._state.set("splitter", self.splitter.saveState())
        self._state.set("zoom", self._zoom)
        self._state.set("last_condition", self._current.id if self._current else "")
        self._state.set("recent", self._recent)
        self._state.set("favourites", self._favourites)
        self._state.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        super().closeEvent(event)
