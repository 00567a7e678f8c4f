"""Composition root of the window: logging, the QApplication, the store, the window."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path

log = logging.getLogger(__name__)


def run(argv: Sequence[str], *, database: Path | None = None) -> int:
    from PySide6.QtWidgets import QApplication, QMessageBox

    from . import __version__, paths, render, store
    from .ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    app.setOrganizationName("ketadesk")
    app.setApplicationName("ketadesk")
    app.setApplicationVersion(__version__)
    try:
        if database is not None:
            library, notice = store.Store.open(database, read_only=True), None
        else:
            library, notice = store.open_working(paths.bundled_db(), paths.data_dir())
    except store.StoreError as exc:
        log.error("%s", exc)
        QMessageBox.critical(None, "ketadesk cannot start", str(exc))
        return 1
    window = MainWindow(library, render=render.condition_markdown, notice=notice)
    window.show()
    try:
        return app.exec()
    finally:
        library.close()
