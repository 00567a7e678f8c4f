"""Composition root of the window: logging, the QApplication, the store, the window.

The only module that knows every layer; nothing else creates both a store and a widget.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import shiboken6
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from . import __version__, checks, paths, store, workingcopy
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
        check_database=lambda: checks.check_store(library),
        locations={"bundled": str(paths.bundled_db()), "data": str(paths.data_dir())},
        workspace=workspace,
    )
    window.destroyed.connect(library.close)
    return window


def run(argv: Sequence[str], *, database: Path | None = None) -> int:
    app = application(argv)
    try:
        window = create_window(database=database)
    except store.StoreError as exc:
        log.error("%s", exc)
        QMessageBox.critical(None, "ketadesk cannot start", str(exc))
        return 1
    window.show()
    code = app.exec()
    # The event loop has ended, so a deferred delete would never run: delete the window here,
    # explicitly, which closes its store through the `destroyed` connection of create_window.
    shiboken6.delete(window)
    return code
