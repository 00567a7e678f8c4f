"""The user's working copy of the content database: created on first run, refreshed when the
bundled content changes, set aside and replaced when damaged. Never deletes what it replaces.

File handling only; all SQL goes through store.Store.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

from .records import DbInfo
from .store import OlderSchemaError, Store, StoreError, UnreadableDatabaseError

log = logging.getLogger(__name__)

WORKING_NAME = "ketadesk.db"


def open_working(bundled: Path, data_dir: Path) -> tuple[Store, str | None]:
    """Open the user's working database, creating, refreshing or repairing it from the bundled one.

    Returns the store and a notice for the person when something had to change. No file is
    ever deleted to do so: a damaged working database is renamed with a timestamp and kept,
    and a copy superseded by newer bundled content is kept as `ketadesk.db.previous-…`.

    Until in-app editing exists (it will bring edit-aware upgrades), a working copy holds no
    local changes, so newer bundled content simply replaces it.
    """
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the data folder {data_dir}: {exc.strerror}") from exc
    working = data_dir / WORKING_NAME
    notice = None
    if working.exists():
        try:
            existing = Store.open(working)
        except OlderSchemaError:
            kept = _set_aside(working, "previous")
            _prune(data_dir, "previous", keep=KEEP_PREVIOUS)
            notice = (
                "The content database was replaced by this version of ketadesk's bundled "
                f"content; the previous copy was kept as {kept.name}."
            )
            log.info(notice)
        except UnreadableDatabaseError as exc:
            kept = _set_aside(working, "damaged")
            notice = (
                f"The working database could not be used: {exc}. It was kept as "
                f"{kept.name} and replaced by a fresh copy of the bundled content."
            )
            log.warning(notice)
        else:
            bundled_info = _bundled_info(bundled)
            old = existing.info()
            if old.source_hash == bundled_info.source_hash:
                return existing, None
            existing.close()
            kept = _set_aside(working, "previous")
            _prune(data_dir, "previous", keep=KEEP_PREVIOUS)
            notice = _update_notice(old, bundled_info, kept)
            log.info(notice)
    else:
        log.info("first run: creating %s", working)
    _copy_bundled(bundled, working)
    return Store.open(working), notice


def _update_notice(old: DbInfo, new: DbInfo, kept: Path) -> str:
    """
    >>> from ketadesk.records import DbInfo
    >>> a = DbInfo("", 1, "1.0", "2026-01-01", "x", {}, "")
    >>> b = DbInfo("", 1, "1.1", "2026-02-01", "y", {}, "")
    >>> print(_update_notice(a, b, Path("k")).split(";")[0])
    The content was updated to version 1.1 of 2026-02-01 (was 1.0)
    >>> print(_update_notice(a, a, Path("k")))  # doctest: +NORMALIZE_WHITESPACE
    The content (version 1.0 of 2026-01-01) was rebuilt from changed sources;
    the previous copy was kept as k.
    """
    if old.content_version == new.content_version:
        change = (
            f"The content (version {new.content_version} of {new.content_date}) was "
            "rebuilt from changed sources"
        )
    else:
        change = (
            f"The content was updated to version {new.content_version} of "
            f"{new.content_date} (was {old.content_version})"
        )
    return f"{change}; the previous copy was kept as {kept.name}."


KEEP_PREVIOUS = 5
"""How many superseded working copies are kept beside the working database."""


def _bundled_info(bundled: Path) -> DbInfo:
    """The bundled database's versions, without a full scan (it is verified when copied)."""
    with Store.open(bundled, read_only=True, verify=False) as source:
        return source.info()


def _set_aside(path: Path, label: str) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.{label}-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.{label}-{stamp}-{n}")
    os.replace(path, target)
    for suffix in ("-journal", "-wal", "-shm"):
        sidecar = path.with_name(path.name + suffix)
        if sidecar.exists():
            os.replace(sidecar, target.with_name(target.name + suffix))
    return target


def _prune(data_dir: Path, label: str, *, keep: int) -> None:
    """Remove all but the newest `keep` set-aside copies with this label."""
    copies = sorted(data_dir.glob(f"{WORKING_NAME}.{label}-*"), key=lambda p: p.stat().st_mtime_ns)
    for old in copies[:-keep]:
        old.unlink(missing_ok=True)


def _copy_bundled(bundled: Path, working: Path) -> None:
    """Copy into a temporary file, check the copy, then rename it into place."""
    tmp = working.with_name(f".{working.name}.new")
    tmp.unlink(missing_ok=True)
    try:
        with Store.open(bundled, read_only=True) as source:
            source.backup_to(tmp)
        Store.open(tmp).close()
        os.replace(tmp, working)
    except OSError as exc:
        raise StoreError(
            f"cannot create the working database in {working.parent}: {exc.strerror or exc}"
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)
