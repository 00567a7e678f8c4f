"""Backups of the working database: made with SQLite's backup API (never by copying an open
file), kept in the data folder's `backups/`, newest ten kept, each restorable after a backup of
the present state. Also: reset to the bundled content.

File handling only; the store does the SQL.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import NotFoundError, StoreError
from .store import Store

log = logging.getLogger(__name__)

FOLDER = "backups"
KEEP = 10
"""How many backups are kept; the oldest beyond this are removed after each new one."""
NAME_RE = re.compile(r"^ketadesk-(\d{8}-\d{6})(?:-(\d+))?-([a-z-]+)\.db$")


@dataclass(frozen=True)
class Backup:
    name: str
    path: Path
    created: dt.datetime
    reason: str
    """on-demand, before-import, before-restore, before-reset, before-upgrade"""
    size: int
    sequence: int = 1
    """Orders backups made within the same second."""


def folder(data_dir: Path) -> Path:
    return data_dir / FOLDER


def backup(store: Store, data_dir: Path, reason: str) -> Backup:
    """A consistent copy of the working database now; the oldest beyond KEEP are removed."""
    target_dir = folder(data_dir)
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the backup folder {target_dir}: {exc.strerror}") from exc
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    same_second = [
        b.sequence
        for b in list_backups_in(target_dir)
        if b.created.strftime("%Y%m%d-%H%M%S") == stamp
    ]
    n = max(same_second, default=0) + 1
    name = f"ketadesk-{stamp}-{reason}.db" if n == 1 else f"ketadesk-{stamp}-{n}-{reason}.db"
    target = target_dir / name
    tmp = target_dir / f".{name}.part"
    try:
        store.backup_to(tmp)
        os.replace(tmp, target)
    except OSError as exc:
        raise StoreError(f"cannot write the backup {name}: {exc.strerror or exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    log.info("backup %s written", name)
    _prune(target_dir)
    return _describe(target)


def _prune(target_dir: Path) -> None:
    for old in list_backups_in(target_dir)[KEEP:]:
        old.path.unlink(missing_ok=True)


def list_backups(data_dir: Path) -> list[Backup]:
    """The backups, newest first."""
    return list_backups_in(folder(data_dir))


def list_backups_in(target_dir: Path) -> list[Backup]:
    if not target_dir.is_dir():
        return []
    found = [_describe(p) for p in target_dir.iterdir() if NAME_RE.match(p.name)]
    return sorted(found, key=lambda b: (b.created, b.sequence), reverse=True)


def _describe(path: Path) -> Backup:
    m = NAME_RE.match(path.name)
    assert m is not None
    created = dt.datetime.strptime(m.group(1), "%Y%m%d-%H%M%S")
    sequence = int(m.group(2) or 1)
    return Backup(path.name, path, created, m.group(3), path.stat().st_size, sequence)


def find(data_dir: Path, name: str) -> Backup:
    for b in list_backups(data_dir):
        if b.name == name:
            return b
    raise NotFoundError(f"no backup named {name!r} (run 'ketadesk db backups' to list them)")


def restore(store: Store, data_dir: Path, name: str) -> Backup:
    """Replace the working database with a backup, after backing up the present state.

    Returns the backup of the present state. The backup is checked before anything changes.
    """
    chosen = find(data_dir, name)
    with Store.open(chosen.path, read_only=True):
        pass  # raises UnreadableDatabaseError if the backup is damaged or foreign
    safety = backup(store, data_dir, "before-restore")
    store.restore_from(chosen.path)
    return safety


def reset(store: Store, bundled: Path, data_dir: Path) -> Backup:
    """Replace the working database with the bundled content, after a backup (local edits,
    history and all stay in that backup)."""
    with Store.open(bundled, read_only=True, verify=False):
        pass
    safety = backup(store, data_dir, "before-reset")
    store.restore_from(bundled)
    return safety
