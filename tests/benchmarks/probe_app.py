"""Child process for the memory and import benchmarks (run by run.py).

python probe_app.py memory DB          open the window, then every entry; print peak RSS
python probe_app.py import DATA PACK   validate and apply a pack; print time and peak RSS
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from bare_window import anon_kib, rss_kib  # one way to read memory, for the floor and ketadesk


def memory(db: Path) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ketadesk import app

    qt = app.application([])
    window = app.create_window(database=db)
    window.show()
    qt.processEvents()
    print(f"rest-rss-kib {rss_kib()}")
    for summary in window._library.list_conditions():
        window.show_condition(summary.id)
        qt.processEvents()
    print(f"all-rss-kib {rss_kib()}")
    if anon_kib() is not None:
        print(f"all-anon-kib {anon_kib()}")


def import_pack(data: Path, pack: Path) -> None:
    from ketadesk import packs, paths, workingcopy

    store, _ = workingcopy.open_working(paths.bundled_db(), data)
    start = time.perf_counter()
    plan = packs.plan_import(store, packs.read_pack(pack))
    packs.apply_import(store, plan, data, editor="benchmark")
    print(f"import-seconds {time.perf_counter() - start:.4f}")
    print(f"import-rss-kib {rss_kib()}")
    print(f"added {len(plan.added)}")


if __name__ == "__main__":
    if sys.argv[1] == "memory":
        memory(Path(sys.argv[2]))
    else:
        import_pack(Path(sys.argv[2]), Path(sys.argv[3]))
