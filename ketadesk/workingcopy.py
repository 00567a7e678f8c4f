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
from .store import NotFoundError, OlderSchemaError, Store, StoreError, UnreadableDatabaseError

log = logging.getLogger(__name__)

WORKING_NAME = "ketadesk.db"


def open_working(bundled: Path, data_dir: Path) -> tuple[Store, str | None]:
    """Open the user's working database, creating, refreshing or repairing it from the bundled one.

    Returns the store and a notice for the person when something had to change. No file is
    ever deleted to do so: a damaged working database is renamed with a timestamp and kept; a
    copy from an earlier schema (which could hold no local edits) is kept as
    `ketadesk.db.previous-…`; newer bundled content is merged entry by entry (merge_bundled),
    after a backup, so local edits are never overwritten.
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
            if existing.info().source_hash == bundled_info.source_hash:
                return existing, None
            try:
                notice = merge_bundled(existing, bundled, data_dir)
            except StoreError:
                existing.close()
                raise
            log.info(notice)
            return existing, notice
    else:
        log.info("first run: creating %s", working)
    _copy_bundled(bundled, working)
    return Store.open(working), notice


def merge_bundled(working: Store, bundled: Path, data_dir: Path) -> str:
    """Take newer bundled content into the working database, keeping local work.

    After an automatic backup, in one transaction: entries nobody edited here take the new
    version; edited ones keep the local version and are marked "a newer version is available"
    (resolved later: keep mine / take theirs); new entries are added; references, side effects
    and general handouts take the bundled versions (local additions stay).
    """
    from . import backups, editing, entries  # only an upgrade needs them; kept off start-up

    safety = backups.backup(working, data_dir, "before-upgrade")
    updated = added = kept = 0
    with Store.open(bundled, read_only=True, verify=False) as source:
        new_info = source.info()
        old_info = working.info()
        with working.transaction():
            for ref in source.references():
                working.put_reference(ref)
            for effect in source.side_effects():
                working.put_side_effect(effect)
            for handout in source.handouts():
                working.put_handout(handout)
            for cid in source.condition_ids():
                theirs = source.get_condition(cid)
                their_hash = entries.entry_hash(theirs)
                try:
                    state = working.entry_state(cid)
                except NotFoundError:
                    working.put_condition(theirs, local=False, base_hash=their_hash, index=False)
                    action, added = "added", added + 1
                else:
                    if state.local:
                        if their_hash != state.base_hash:
                            working.set_state(cid, pending=entries.entry(theirs))
                            kept += 1
                        continue
                    if entries.entry_hash(working.get_condition(cid)) == their_hash:
                        continue
                    working.put_condition(
                        theirs,
                        local=False,
                        base_hash=their_hash,
                        retired=state.retired,
                        index=False,
                    )
                    action, updated = "upgraded", updated + 1
                working.add_revision(
                    cid,
                    at=editing.now(),
                    editor="ketadesk",
                    action=action,
                    summary=f"bundled content {new_info.content_version}",
                    entry=entries.entry(theirs),
                )
            for key in ("content_version", "content_date", "source_hash"):
                working.set_meta(key, getattr(new_info, key))
            working.reindex(search=True)
    notice = _update_notice(old_info, new_info, safety.name)
    notice += f" {updated} entries updated, {added} added"
    if kept:
        notice += (
            f"; {kept} you edited kept your version, and a newer version is available for "
            "them (Database menu)"
        )
    return notice + "."


def _update_notice(old: DbInfo, new: DbInfo, kept: str) -> str:
    """
    >>> from ketadesk.records import DbInfo
    >>> a = DbInfo("", 1, "1.0", "2026-01-01", "x", {}, "")
    >>> b = DbInfo("", 1, "1.1", "2026-02-01", "y", {}, "")
    >>> print(_update_notice(a, b, "k").split(";")[0])
    The content was updated to version 1.1 of 2026-02-01 (was 1.0)
    >>> print(_update_notice(a, a, "k"))  # doctest: +NORMALIZE_WHITESPACE
    The content (version 1.0 of 2026-01-01) was rebuilt from changed sources;
    a backup was made first (k).
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
    return f"{change}; a backup was made first ({kept})."


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
