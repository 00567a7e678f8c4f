"""The floor for the start-up and memory benchmarks: a bare PySide6 window of the same shape
as ketadesk's (search box, list, text pane), started the same way and timed the same way.

    python tests/benchmarks/bare_window.py      (prints "first-paint <unix time>", then quits)
"""

from __future__ import annotations

import os
import resource
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QLineEdit,
    QListView,
    QMainWindow,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)


def _status_kib(field: str) -> int | None:
    """One memory field of /proc/self/status, in KiB (Linux only; None elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def rss_kib() -> int:
    """Peak resident memory of this process image (see probe_app.rss_kib)."""
    peak = _status_kib("VmHWM")
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def anon_kib() -> int | None:
    """This process's own memory now: its resident anonymous pages, without the pages of
    shared libraries and other files. Those count in rss_kib, and how many of them are
    resident depends on what the system has cached (Linux only; None elsewhere)."""
    return _status_kib("RssAnon")


class FirstPaint(QObject):
    def __init__(self, app: QApplication):
        super().__init__()
        self.app, self.done = app, False

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and not self.done:
            self.done = True
            print(f"first-paint {time.time():.6f}", flush=True)
            if os.environ.get("BENCH_REPORT_MEMORY"):
                print(f"max-rss-kib {rss_kib()}")
                if anon_kib() is not None:
                    print(f"anon-kib {anon_kib()}")
            QTimer.singleShot(0, self.app.quit)
        return False


def main() -> int:
    app = QApplication(sys.argv)
    window = QMainWindow()
    left = QWidget()
    layout = QVBoxLayout(left)
    layout.addWidget(QLineEdit())
    layout.addWidget(QListView())
    splitter = QSplitter()
    splitter.addWidget(left)
    splitter.addWidget(QTextBrowser())
    window.setCentralWidget(splitter)
    window.resize(1280, 800)
    watcher = FirstPaint(app)
    window.installEventFilter(watcher)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
