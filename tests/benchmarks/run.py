"""ketadesk's benchmark runner: every speed and size figure, measured against its floor.

    make bench                   (or: .venv/bin/python tests/benchmarks/run.py [--runs 7])
    add --skip-bundle to leave out the frozen-bundle figures (they build two bundles, ~1 min)

Prints one table: each figure's median and spread (min–max) over several runs, the floor
measured in the same run where there is one (a bare PySide6 window of the same shape; a minimal
PySide6 bundle from the same PyInstaller), the ratio, the target, and whether it is met. Speed
lives here, printed, not in timed tests. Runs offscreen (QT_QPA_PLATFORM=offscreen).
"""

from __future__ import annotations

import argparse
import compileall
import copy
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@dataclass
class Figure:
    """One row of the table: the median of several runs, against a limit or a floor's ratio.

    >>> Figure("pack import", [2.4, 2.3, 2.5], "s", "≤ 2 s", 2).row()
    '| pack import | 2.40 s | 2.30–2.50 | — | — | ≤ 2 s | **missed** |'
    >>> Figure("memory", [78.0], "MiB", "≤ 1.3× bare", 1.3, [60.0]).row()
    '| memory | 78.0 MiB | 78.0–78.0 | 60.0 MiB | 1.30× | ≤ 1.3× bare | met |'
    >>> Figure("own memory", [31.0], "MiB", "— (explains)", None, [18.5]).row()
    '| own memory | 31.0 MiB | 31.0–31.0 | 18.5 MiB | 1.68× | — (explains) | — |'
    """

    name: str
    values: list[float]
    unit: str
    target: str
    limit: float | None
    """The target as a number: an absolute limit, or a ratio when floor is given; None for a
    figure shown to explain another, with no target of its own."""
    floor: list[float] | None = None
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def ratio(self) -> float | None:
        return self.median / statistics.median(self.floor) if self.floor else None

    @property
    def met(self) -> bool | None:
        if self.limit is None:
            return None
        value = self.ratio if self.floor else self.median
        return value is not None and value <= self.limit

    def row(self) -> str:
        spread = f"{min(self.values):.{_p(self.unit)}f}–{max(self.values):.{_p(self.unit)}f}"
        floor = (
            f"{statistics.median(self.floor):.{_p(self.unit)}f} {self.unit}" if self.floor else "—"
        )
        ratio = f"{self.ratio:.2f}×" if self.ratio else "—"
        verdict = {None: "—", True: "met", False: "**missed**"}[self.met]
        value = f"{self.median:.{_p(self.unit)}f} {self.unit}"
        note = f" {self.note}" if self.note else ""
        return (
            f"| {self.name} | {value} | {spread} | {floor} | {ratio} | {self.target} | "
            f"{verdict}{note} |"
        )


@dataclass
class Unmeasured:
    """A figure this run could not measure, with the reason printed in place of a number.

    >>> Unmeasured("frozen bundle size", "≤ 1.3× minimal", "--skip-bundle").row()
    '| frozen bundle size | not measured: --skip-bundle | — | — | — | ≤ 1.3× minimal | — |'
    """

    name: str
    target: str
    reason: str

    def row(self) -> str:
        return f"| {self.name} | not measured: {self.reason} | — | — | — | {self.target} | — |"


def _p(unit: str) -> int:
    return 1 if unit in ("ms", "MB", "MiB") else 2


# --- process start-up ------------------------------------------------------------------------


def first_paint(command: list[str], env: dict[str, str]) -> float:
    """Seconds from launching `command` to its window's first paint (it prints the time)."""
    start = time.time()
    proc = subprocess.run(
        command, env={**os.environ, **env}, capture_output=True, text=True, timeout=120
    )
    for line in proc.stdout.splitlines():
        if line.startswith("first-paint "):
            return float(line.split()[1]) - start
    raise RuntimeError(f"{command[0]} printed no first paint: {proc.stderr[-500:]}")


def startup_pair(app: list[str], bare: list[str], data: Path, runs: int):
    env = {"KETADESK_DATA_DIR": str(data), "KETADESK_EXIT_AFTER_FIRST_PAINT": "1"}
    first_paint(app, env)  # the first run creates the working copy; not counted
    ours, floor = [], []
    for _ in range(runs):  # alternate, so that both see the same machine state
        ours.append(first_paint(app, env) * 1000)
        floor.append(first_paint(bare, env) * 1000)
    return ours, floor


# --- in-process figures ------------------------------------------------------------------------


def window_figures(db: Path, runs: int) -> tuple[list[float], list[float]]:
    """Keystroke-to-list and select-to-detail times on the real window over `db`."""
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from ketadesk.store import Store
    from ketadesk.ui.main_window import MainWindow

    qt = QApplication.instance() or QApplication([])
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "s.ini"), QSettings.Format.IniFormat)
    store = Store.open(db, read_only=True)
    window = MainWindow(store, settings=settings)
    window.resize(1280, 800)
    window.show()
    qt.processEvents()
    keys: list[float] = []
    for _ in range(runs):
        for word in ("depression", "ketamine", "post trau", "nasal spray", "allodynia", "gad"):
            for ch in word:
                start = time.perf_counter()
                QTest.keyClick(window.search_edit, ch)
                while window.search_pending:
                    qt.processEvents()
                keys.append((time.perf_counter() - start) * 1000)
            # clearing the search is a keystroke too: the whole list comes back
            start = time.perf_counter()
            QTest.keyClick(window.search_edit, Qt.Key.Key_Escape)
            while window.search_pending:
                qt.processEvents()
            keys.append((time.perf_counter() - start) * 1000)
    selects: list[float] = []
    ids = [s.id for s in store.list_conditions()][:40]
    for _ in range(runs):
        for cid in ids:
            start = time.perf_counter()
            window.show_condition(cid)
            selects.append((time.perf_counter() - start) * 1000)
    window.close()
    store.close()
    return keys, selects


def handout_times(runs: int) -> list[float]:
    from ketadesk import handout_layout, handouts, paths
    from ketadesk.records import HandoutOptions
    from ketadesk.store import Store

    with Store.open(paths.bundled_db(), read_only=True) as store:
        parts = handouts.print_run(store, "treatment-resistant-depression")
        times = []
        for _ in range(runs + 1):
            start = time.perf_counter()
            handout_layout.pdf_bytes(
                parts, HandoutOptions(), content_version="bench", printed=dt.date.today()
            )
            times.append((time.perf_counter() - start) * 1000)
    return times[1:]  # the first includes loading fonts


def adversarial_render_times(runs: int) -> list[float]:
    """Worst case over hostile sections of 60,000 characters (review, reliability F4/F5): the
    slowest of them per run, in ms. Each is either formatted or shown as plain text."""
    from ketadesk import render

    n = 60_000
    cases = [
        ("- " * (n // 2))[: n - 1] + "x",  # nested list markers
        ("1. " * (n // 3))[: n - 1] + "x",
        ("> " * (n // 2))[: n - 1] + "x",  # nested quotes
        "[" * (n // 2 - 1) + "x" + "]" * (n // 2),  # unmatched brackets
        ("[a](" * (n // 4))[:n],
        "*" * n,
        ("*a" * (n // 2))[:n],  # emphasis runs
        ("_a_ " * (n // 4))[:n],
        "x" * n,  # one long word
        ("See [@a]. " * (n // 10))[:n],
        ("[" * 199 + "x" + "]" * 199 + " ") * (n // 400),
    ]
    worst = []
    for _ in range(runs):
        slowest = 0.0
        for text in cases:
            start = time.perf_counter()
            render.markdown_html(text)
            slowest = max(slowest, time.perf_counter() - start)
        worst.append(slowest * 1000)
    return worst


# --- child-process figures -----------------------------------------------------------------


def child(args: list[str], env: dict[str, str] | None = None) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, str(HERE / "probe_app.py"), *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return {
        line.split()[0]: float(line.split()[1])
        for line in proc.stdout.splitlines()
        if len(line.split()) == 2
    }


def bare_memory(data: Path) -> tuple[float, float | None]:
    """The bare window's peak resident memory and its own (anonymous) memory, in MiB."""
    proc = subprocess.run(
        [sys.executable, str(HERE / "bare_window.py")],
        env={**os.environ, "BENCH_REPORT_MEMORY": "1", "KETADESK_DATA_DIR": str(data)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    got = dict(line.split() for line in proc.stdout.splitlines() if len(line.split()) == 2)
    anon = got.get("anon-kib")
    return float(got["max-rss-kib"]) / 1024, (float(anon) / 1024 if anon else None)


def pack_of(count: int, path: Path) -> None:
    from ketadesk import packs, paths
    from ketadesk.store import Store

    with Store.open(paths.bundled_db(), read_only=True) as store:
        pack = packs.build_pack(store, author="benchmark")
    template = pack["payload"]["conditions"]
    for n in range(count):
        item = copy.deepcopy(template[n % len(template)])
        item["id"], item["name"] = f"bench-{n:04d}", f"Benchmark entry {n:04d}"
        # distinct text in every entry, so no cache makes the figure look better than it is
        item["sections"]["Evidence"] += f"\n\nVariant {n} of the benchmark."
        handout = item["sections"]["Patient handout"]
        item["sections"]["Patient handout"] = handout.replace(
            "\n\n", f"\n\nThis is sheet {n}.\n\n", 1
        )
        pack["payload"]["conditions"].append(item)
    pack["manifest"]["payload_sha256"] = packs.payload_sha256(pack["payload"])
    packs.write_pack(pack, path)


# --- frozen bundles ----------------------------------------------------------------------------


def build(spec_or_script: list[str], work: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            *spec_or_script,
            "--noconfirm",
            "--distpath",
            str(work / "dist"),
            "--workpath",
            str(work / "build"),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=900,
    )
    return work / "dist"


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def frozen_figures(scratch: Path, runs: int) -> list[Figure]:
    """Size and start-up of ketadesk's bundle against a minimal PySide6 bundle, both built by
    the same PyInstaller."""
    ours_dist = build(["build_app.spec"], scratch / "ours")
    bare_dist = build(["--onedir", "--windowed", str(HERE / "bare_window.py")], scratch / "bare")
    ours_dir, bare_dir = ours_dist / "ketadesk", bare_dist / "bare_window"
    exe = ".exe" if sys.platform == "win32" else ""
    frozen, frozen_floor = startup_pair(
        [str(ours_dir / f"ketadesk{exe}")],
        [str(bare_dir / f"bare_window{exe}")],
        scratch / "frozen-data",
        runs,
    )
    return [
        Figure(
            "frozen bundle size",
            [size_mb(ours_dir)],
            "MB",
            "≤ 1.3× minimal",
            1.3,
            [size_mb(bare_dir)],
        ),
        Figure("frozen start-up to first paint", frozen, "ms", "≤ 1.3× minimal", 1.3, frozen_floor),
    ]


# --- the table -----------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--skip-bundle", action="store_true")
    args = parser.parse_args()
    runs = args.runs
    scratch = Path(tempfile.mkdtemp(prefix="ketadesk-bench-"))
    from ketadesk import paths

    figures: list[Figure | Unmeasured] = []
    print("measuring start-up…", file=sys.stderr)
    # An installed ketadesk starts from bytecode (pip compiles it; the bundle holds it). A
    # checkout run with PYTHONDONTWRITEBYTECODE set (as on our CI machines) would otherwise
    # compile every module at every start: ~10 ms that no user pays.
    compileall.compile_dir(ROOT / "ketadesk", quiet=1)
    data = scratch / "data"
    ours, floor = startup_pair(
        [sys.executable, "-m", "ketadesk"],
        [sys.executable, str(HERE / "bare_window.py")],
        data,
        runs,
    )
    figures.append(
        Figure("start-up to first painted window", ours, "ms", "≤ 1.25× bare", 1.25, floor)
    )

    print("measuring the window…", file=sys.stderr)
    keys, selects = window_figures(paths.bundled_db(), runs)
    figures.append(Figure("keystroke to filtered list (bundled, 17)", keys, "ms", "≤ 8 ms", 8))
    figures.append(Figure("select to rendered detail", selects, "ms", "≤ 30 ms", 30))
    synthetic = scratch / "synthetic.db"
    print("making the 10,000-entry database…", file=sys.stderr)
    from synthetic import make

    make(synthetic, 10_000)
    keys10k, _ = window_figures(synthetic, max(2, runs // 3))
    figures.append(Figure("keystroke to filtered list (10,000)", keys10k, "ms", "≤ 16 ms", 16))
    synthetic.unlink()

    print("measuring handouts…", file=sys.stderr)
    figures.append(
        Figure(
            "worst render of a hostile 60,000-character section",
            adversarial_render_times(runs),
            "ms",
            "≤ 50 ms",
            50,
        )
    )
    figures.append(
        Figure("handout PDF (default, 2 pages)", handout_times(runs), "ms", "≤ 250 ms", 250)
    )

    print("measuring memory and pack import…", file=sys.stderr)
    rest, after_all, own = [], [], []
    for _ in range(3):
        got = child(["memory", str(paths.bundled_db())])
        rest.append(got["rest-rss-kib"] / 1024)
        after_all.append(got["all-rss-kib"] / 1024)
        if "all-anon-kib" in got:
            own.append(got["all-anon-kib"] / 1024)
    bare = [bare_memory(data) for _ in range(3)]
    figures.append(
        Figure(
            "memory after opening every entry",
            after_all,
            "MiB",
            "≤ 1.3× bare",
            1.3,
            [peak for peak, _ in bare],
        )
    )
    bare_own = [anon for _, anon in bare if anon is not None]
    if not (own and bare_own):
        figures.append(
            Unmeasured(
                "… of which the process's own (anonymous)",
                "— (explains the row above)",
                "needs /proc/self/status (Linux)",
            )
        )
    else:
        # Resident memory counts the pages of Qt's libraries a process has touched, and how
        # many those are depends on what the system has cached: the same build measured
        # 57 MiB for the bare window in one checkout and 68 MiB in a fresh clone. A process's
        # anonymous memory is its own whatever the cache; shown to read the row above by.
        figures.append(
            Figure(
                "… of which the process's own (anonymous)",
                own,
                "MiB",
                "— (explains the row above)",
                None,
                bare_own,
            )
        )
    pack = scratch / "bench.kdpack"
    pack_of(1000, pack)
    seconds, import_rss = [], []
    for n in range(3):
        folder = scratch / f"import-{n}"
        got = child(["import", str(folder), str(pack)])
        seconds.append(got["import-seconds"])
        import_rss.append(got["import-rss-kib"] / 1024)
    figures.append(Figure("pack import (1,000 entries)", seconds, "s", "≤ 2 s", 2))
    figures.append(Figure("pack import memory", import_rss, "MiB", "≤ 1.2× app at rest", 1.2, rest))

    frozen_targets = {
        "frozen bundle size": "≤ 1.3× minimal",
        "frozen start-up to first paint": "≤ 1.3× minimal",
    }
    if args.skip_bundle:
        figures += [Unmeasured(n, t, "--skip-bundle") for n, t in frozen_targets.items()]
    else:
        print("building the bundles…", file=sys.stderr)
        try:
            figures += frozen_figures(scratch, runs)
        except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
            reason = f"the bundles could not be built or started ({type(exc).__name__})"
            figures += [Unmeasured(n, t, reason) for n, t in frozen_targets.items()]

    print(
        f"\nketadesk benchmarks, {dt.date.today()}, {platform.platform()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {runs} runs, offscreen\n"
    )
    print("| figure | median | spread | floor | ratio | target | result |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for figure in figures:
        print(figure.row())
    shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    sys.exit(main())
