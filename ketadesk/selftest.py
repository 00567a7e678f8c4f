"""`ketadesk --self-test`: prove an installation works, headless, without touching the user's
data. Opens the bundled database, checks its integrity and the content rules, renders every
entry, lays out the window, checks the Qt plugins the app needs, and exports one handout PDF to
a temporary folder. Used on the frozen bundle in CI and by anyone checking an install.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from . import checks, handout_layout, handouts, paths, render
from .records import HandoutOptions
from .store import Store


def run(report: Callable[[str], None] = print) -> int:
    """Run every check; report one line each; 0 when all pass, else the number that failed."""
    failures = 0
    real_env = dict(os.environ)  # the display to check, before the offscreen platform is set
    with tempfile.TemporaryDirectory(prefix="ketadesk-self-test-") as scratch:
        # Nothing may reach the user's data folder: settings and the like go to scratch.
        os.environ[paths.DATA_DIR_ENV] = str(Path(scratch) / "data")
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        for name, check in _checks(Path(scratch), real_env):
            try:
                detail = check()
            except Exception as exc:  # a self-test reports every failure, whatever it is
                failures += 1
                report(f"FAIL  {name}: {exc}")
            else:
                report(f"ok    {name}: {detail}")
    report("self-test passed" if not failures else f"self-test FAILED ({failures} check(s))")
    return failures


def _checks(scratch: Path, real_env: dict[str, str]) -> list[tuple[str, Callable[[], str]]]:
    bundled = paths.bundled_db()
    state: dict[str, object] = {}

    def database() -> str:
        store = Store.open(bundled, read_only=True)
        state["store"] = store
        info = store.info()
        return f"{bundled} (content {info.content_version}, {info.counts['conditions']} entries)"

    def integrity() -> str:
        problems = checks.check_store(_store(state))
        if problems:
            raise RuntimeError("; ".join(str(p) for p in problems[:5]))
        return "intact; every entry meets the content rules"

    def rendering() -> str:
        store = _store(state)
        ids = store.condition_ids()
        for cid in ids:
            condition = store.get_condition(cid)
            if condition.name not in render.condition_html(condition):
                raise RuntimeError(f"{cid} did not render")
            render.condition_markdown(condition)
        return f"{len(ids)} entries rendered"

    def qt() -> str:
        from PySide6.QtGui import QIcon, QImageReader
        from PySide6.QtPrintSupport import QPrinter
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance() or QApplication(["ketadesk"])
        formats = {bytes(f).decode() for f in QImageReader.supportedImageFormats()}
        missing = {"svg", "png"} - formats
        if missing:
            raise RuntimeError(f"image format plugins missing: {', '.join(sorted(missing))}")
        icon = QIcon(str(paths.icon_file("svg")))
        if icon.pixmap(64, 64).isNull():
            raise RuntimeError("the application icon (SVG) does not draw")
        QPrinter()  # the print-support plugin
        return f"platform {app.platformName()}; image formats svg, png; printing available"

    def display() -> str:
        from . import platform_check

        if not platform_check.wants_xcb(real_env):
            return "no X11 display to check (offscreen, Wayland or not Linux)"
        missing = platform_check.missing_libraries()
        if missing:
            raise RuntimeError(platform_check.missing_message(missing))
        return "the X11 platform plugin (xcb) finds every library it needs"

    def window() -> str:
        from .app import create_window

        window = create_window(database=bundled)
        window.resize(1000, 700)
        window.show_condition(_store(state).condition_ids()[0])
        if window.grab().isNull():
            raise RuntimeError("the window did not paint")
        window.deleteLater()
        return "the main window lays out and paints an entry"

    def handout() -> str:
        store = _store(state)
        parts = handouts.print_run(store, store.condition_ids()[0])
        target = scratch / "handout.pdf"
        pages = handout_layout.export_pdf(
            parts,
            HandoutOptions(),
            target,
            content_version=store.info().content_version,
            printed=dt.date.today(),
        )
        if not target.read_bytes().startswith(b"%PDF"):
            raise RuntimeError("the handout is not a PDF")
        return f"one handout exported to PDF ({sum(pages)} pages, {target.stat().st_size} bytes)"

    return [
        ("database", database),
        ("integrity", integrity),
        ("rendering", rendering),
        ("qt", qt),
        ("display", display),
        ("window", window),
        ("handout", handout),
    ]


def _store(state: dict[str, object]) -> Store:
    store = state.get("store")
    if not isinstance(store, Store):
        raise RuntimeError("the database could not be opened (see above)")
    return store
