"""Composition root of the window: logging, the QApplication, the store, the window.

The only module that knows every layer; nothing else creates both a store and a widget.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import shiboken6
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from . import __version__, paths, store, workingcopy
from .ui.main_window import MainWindow
from .ui.window_state import open_settings
from .workspace import Workspace

log = logging.getLogger(__name__)


def application(argv: Sequence[str] = ()) -> QApplication:
    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    app.setOrganizationName("ketadesk")
    app.setApplicationName("ketadesk")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(QIcon(str(paths.icon_file("svg"))))
    return app


def create_window(*, database: Path | None = None) -> MainWindow:
    """Open the content (the working copy, or `database` read-only) and build the window.

    Raises store.StoreError when no usable database can be opened.
    """
    workspace = None
    if database is not None:
        library, notice = store.Store.open(database, read_only=True), None
    else:
        library, notice = workingcopy.open_working(paths.bundled_db(), paths.data_dir())
        workspace = Workspace(library, paths.data_dir(), paths.bundled_db())
    window = MainWindow(
        library,
        settings=open_settings(paths.settings_file()),
        notice=notice,
        check_database=lambda: _check(library),
        locations={"bundled": str(paths.bundled_db()), "data": str(paths.data_dir())},
        workspace=workspace,
    )
    window.destroyed.connect(library.close)
    return window


FIRST_PAINT_ENV = "KETADESK_EXIT_AFTER_FIRST_PAINT"
"""For the start-up benchmark: print the wall-clock time of the window's first paint, then quit."""


class _FirstPaint(QObject):
    def __init__(self, app: QApplication):
        super().__init__()
        self._app = app
        self._done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self._done:
            self._done = True
            print(f"first-paint {time.time():.6f}", flush=True)
            QTimer.singleShot(0, self._app.quit)
        return False


def report_first_paint(window: QWidget, app: QApplication) -> None:
    """Print `first-paint <unix time>` when `window` first paints, then quit (benchmarks)."""
    watcher = _FirstPaint(app)
    watcher.setParent(window)
    window.installEventFilter(watcher)


def _check(library: store.Store) -> list:
    from . import checks  # the content rules are loaded only when a check is asked for

    return checks.check_store(library)


def run(argv: Sequence[str], *, database: Path | None = None) -> int:
    from . import platform_check

    if platform_check.wants_xcb() and (missing := platform_check.missing_libraries()):
        # Without its platform plugin Qt would abort with a message blaming the wrong library,
        # and no dialog can be shown: say which libraries are missing (the log goes to stderr).
        log.error("%s", platform_check.missing_message(missing))
        return 1
    app = application(argv)
    try:
        window = create_window(database=database)
    except store.StoreError as exc:
        log.error("%s", exc)
        QMessageBox.critical(None, "ketadesk cannot start", str(exc))
        return 1
    if os.environ.get(FIRST_PAINT_ENV):
        report_first_paint(window, app)
    window.show()
    code = app.exec()
    # The event loop has ended, so a deferred delete would never run: delete the window here,
    # explicitly, which closes its store through the `destroyed` connection of create_window.
    shiboken6.delete(window)
    return code
