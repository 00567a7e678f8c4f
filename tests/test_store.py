"""The store: first-run copy, the bundled file never changes, damaged working copies recovered."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from ketadesk import backups, checks
from ketadesk.records import SECTION_TITLES
from ketadesk.schema import SCHEMA_VERSION, SEARCH_INDEX
from ketadesk.store import NotFoundError, Store, StoreError, UnreadableDatabaseError
from ketadesk.workingcopy import WORKING_NAME, open_working


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_first_run_copies_the_bundled_database(bundled, data_dir):
    store, notice = open_working(bundled, data_dir)
    with store:
        assert notice is None
        assert store.path == data_dir / WORKING_NAME
        assert not store.read_only
        assert len(store.list_conditions()) == 7
    assert (data_dir / WORKING_NAME).is_file()
    # a second start opens the same copy rather than copying again
    mtime = (data_dir / WORKING_NAME).stat().st_mtime_ns
    store, notice = open_working(bundled, data_dir)
    store.close()
    assert notice is None and (data_dir / WORKING_NAME).stat().st_mtime_ns == mtime


def test_data_folder_is_created_when_missing(bundled, tmp_path):
    folder = tmp_path / "deep" / "new" / "folder"
    store, _ = open_working(bundled, folder)
    store.close()
    assert (folder / WORKING_NAME).is_file()


def test_bundled_database_is_unchanged_after_a_session_of_use(bundled, data_dir):
    before = sha(bundled)
    siblings_before = sorted(p.name for p in bundled.parent.iterdir())
    with Store.open(bundled, read_only=True) as ro:
        for summary in ro.list_conditions():
            ro.get_condition(summary.id)
        ro.search("depression")
        ro.search('"unbalanced AND (')
        assert checks.check_store(ro) == []
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            ro._conn.execute("DELETE FROM conditions")
    store, _ = open_working(bundled, data_dir)
    with store:
        store.search("ptsd")
        assert checks.check_store(store) == []
    assert sha(bundled) == before
    assert sorted(p.name for p in bundled.parent.iterdir()) == siblings_before  # no journals


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda p: p.write_bytes(b"this is not a database at all" * 100), "damaged or not"),
        (lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 3]), "damaged"),
        (lambda p: p.write_bytes(b""), "not a ketadesk content database"),
        (lambda p: _other_sqlite(p), "not a ketadesk content database"),
        (lambda p: _bump_schema(p), "newer ketadesk"),
    ],
    ids=["garbage", "truncated", "empty", "foreign-sqlite", "newer-schema"],
)
def test_damaged_working_database_is_set_aside_and_replaced(bundled, data_dir, damage, reason):
    open_working(bundled, data_dir)[0].close()
    working = data_dir / WORKING_NAME
    damage(working)
    damaged_bytes = working.read_bytes()

    store, notice = open_working(bundled, data_dir)
    with store:
        assert len(store.list_conditions()) == 7  # a fresh, healthy copy
    kept = [p for p in data_dir.iterdir() if p.name.startswith(f"{WORKING_NAME}.damaged-")]
    assert len(kept) == 1, "the damaged file is kept, never deleted"
    assert kept[0].read_bytes() == damaged_bytes
    assert notice is not None and reason in notice and kept[0].name in notice


def _other_sqlite(path: Path) -> None:
    path.unlink()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE notes (text)")
        conn.commit()


def _bump_schema(path: Path) -> None:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA user_version = 99")


def test_two_recoveries_in_the_same_second_keep_both_files(bundled, data_dir):
    open_working(bundled, data_dir)[0].close()
    for text in (b"first damage", b"second damage"):
        (data_dir / WORKING_NAME).write_bytes(text * 50)
        open_working(bundled, data_dir)[0].close()
    kept = sorted(p.read_bytes()[:6] for p in data_dir.glob(f"{WORKING_NAME}.damaged-*"))
    assert kept == [b"first ", b"second"]


def test_damaged_bundled_database_is_a_clear_error(tmp_path, data_dir):
    bad = tmp_path / "ketadesk.db"
    bad.write_bytes(b"garbage" * 100)
    with pytest.raises(UnreadableDatabaseError, match="damaged or not a database"):
        open_working(bad, data_dir)
    with pytest.raises(UnreadableDatabaseError, match="database not found"):
        open_working(tmp_path / "missing.db", data_dir)
    assert not (tmp_path / "missing.db").exists(), "read-only open must not create the file"


def test_unwritable_data_folder_is_a_clear_error(bundled, tmp_path):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot create the data folder"):
        open_working(bundled, blocker / "data")


def test_get_condition_returns_every_part(fixture_store):
    c = fixture_store.get_condition("major-depressive-disorder")
    assert c.name == "Major depressive disorder"
    assert c.abbreviations == ("MDD",)
    assert [s.title for s in c.sections][:3] == ["Summary", "Safety", "Mechanism"]
    assert [s.title for s in c.sections] == list(SECTION_TITLES)
    assert [r.id for r in c.references] == ["ref-a", "ref-b"]
    assert c.references[1].verified is False
    assert c.references[0].participants == 40
    assert c.onset is not None and str(c.onset.usual_onset) == "2–6 weeks"
    assert c.side_effects[0].side_effect.name == "Dissociation" and c.side_effects[0].key
    assert c.last_reviewed is not None and c.last_reviewed.isoformat() == "2026-01-15"


def test_unknown_condition_is_not_found(fixture_store):
    with pytest.raises(NotFoundError, match="no condition with id 'nope'"):
        fixture_store.get_condition("nope")


def test_conditions_are_listed_by_category_order(fixture_store):
    categories = [c.category for c in fixture_store.list_conditions()]
    assert categories == sorted(categories, key=fixture_store.categories().index)


def test_the_list_follows_every_change_to_the_database(working, data_dir, tmp_path):
    """The list is kept between changes, so each kind of change must show in it: a write
    here, a write by a second ketadesk on the same file, a restored backup."""
    first = working.list_conditions()
    names = [c.name for c in first]
    with working.transaction():
        working._conn.execute(
            "UPDATE conditions SET name = 'Renamed here' WHERE id = ?", (first[0].id,)
        )
        assert working.list_conditions()[0].name == "Renamed here", "seen inside the transaction"
    backup = backups.backup(working, data_dir, "on-demand")
    with closing(sqlite3.connect(working.path)) as other:  # another ketadesk, another connection
        other.execute("UPDATE conditions SET name = 'Renamed there' WHERE id = ?", (first[1].id,))
        other.commit()
    assert [c.name for c in working.list_conditions()][:2] == ["Renamed here", "Renamed there"]
    working.restore_from(backup.path)
    assert [c.name for c in working.list_conditions()][:2] == ["Renamed here", names[1]]
    working.list_conditions().clear()  # a caller's copy: changing it changes nothing kept
    assert len(working.list_conditions()) == len(first)


def test_side_effect_catalogue_is_grouped_by_timing(fixture_store):
    assert [s.timing for s in fixture_store.side_effects()] == ["during", "repeated-use"]


def test_info_reports_versions_and_counts(fixture_store):
    info = fixture_store.info()
    assert (info.content_version, info.content_date, info.schema_version) == (
        "9.9.9",
        "2026-01-31",
        SCHEMA_VERSION,
    )
    assert info.counts == {"conditions": 7, "references": 2, "side_effects": 2, "handouts": 1}


def _rebuild_with_version(bundled: Path, tmp_path: Path, version: str) -> None:
    """Stand-in for an app upgrade: the bundled database now holds other content."""
    from conftest import write_content

    from ketadesk.build import build

    content = write_content(tmp_path / f"v{version}")
    meta = content / "meta.toml"
    meta.write_text(meta.read_text().replace('"9.9.9"', f'"{version}"'))
    build(content, bundled)


def test_newer_bundled_content_is_merged_after_a_backup(bundled, data_dir, tmp_path):
    open_working(bundled, data_dir)[0].close()
    _rebuild_with_version(bundled, tmp_path, "10.0.0")

    store, notice = open_working(bundled, data_dir)
    with store:
        assert store.info().content_version == "10.0.0"
        assert len(store.list_conditions()) == 7
    assert notice is not None
    assert "updated to version 10.0.0 of 2026-01-31 (was 9.9.9)" in notice
    kept = backups.list_backups(data_dir)
    assert [b.reason for b in kept] == ["before-upgrade"] and kept[0].name in notice
    with Store.open(kept[0].path, read_only=True) as before:
        assert before.info().content_version == "9.9.9"
    # the next start finds nothing to do
    store, notice = open_working(bundled, data_dir)
    store.close()
    assert notice is None


def test_working_copy_from_an_earlier_schema_is_kept_and_replaced(bundled, data_dir):
    open_working(bundled, data_dir)[0].close()
    working = data_dir / WORKING_NAME
    with closing(sqlite3.connect(working)) as conn:
        conn.execute("DROP TABLE handouts")  # what a schema-1 copy looked like
        conn.execute("PRAGMA user_version = 1")
    old_bytes = working.read_bytes()

    store, notice = open_working(bundled, data_dir)
    with store:
        assert [h.id for h in store.handouts()] == ["treatment-day"]
    kept = list(data_dir.glob(f"{WORKING_NAME}.previous-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == old_bytes
    assert notice is not None and "replaced" in notice and kept[0].name in notice
    assert not list(data_dir.glob(f"{WORKING_NAME}.damaged-*")), "an old copy is not damage"


def test_backups_are_bounded(bundled, data_dir, tmp_path):
    open_working(bundled, data_dir)[0].close()
    for n in range(backups.KEEP + 2):
        _rebuild_with_version(bundled, tmp_path, f"10.{n}")
        open_working(bundled, data_dir)[0].close()
    assert len(backups.list_backups(data_dir)) == backups.KEEP


def test_integrity_check_leaves_no_lock_behind(bundled, data_dir):
    store, _ = open_working(bundled, data_dir)
    with store:
        assert store.integrity_problems() == []
        other = sqlite3.connect(data_dir / WORKING_NAME, timeout=0)
        try:
            other.execute("CREATE TABLE probe (x)")  # fails with "database is locked" otherwise
            other.commit()
        finally:
            other.close()


def test_integrity_check_reports_a_damaged_search_index(bundled, data_dir):
    store, _ = open_working(bundled, data_dir)
    with store:
        store._conn.execute("DELETE FROM search_docs WHERE num = 1")  # index now out of step
        store._conn.commit()
        problems = store.integrity_problems()
    assert any(p.startswith("search index:") for p in problems), problems


def test_a_bulk_write_brings_an_older_search_index_up_to_date(bundled, data_dir):
    """A working copy made by an earlier ketadesk (a search index with positions and three
    prefix lengths) takes the current index at its next import or upgrade, and still finds."""
    store, _ = open_working(bundled, data_dir)
    with store:
        old = SEARCH_INDEX.replace("prefix='1 2', detail=column", "prefix='1 2 3'")
        assert old != SEARCH_INDEX
        store._conn.executescript(
            f"DROP TABLE search_docs_fts; {old};"
            " INSERT INTO search_docs_fts(search_docs_fts) VALUES('rebuild');"
        )
        found = [h.condition.id for h in store.search("treatment-res")]
        with store.transaction():
            store.reindex(search=True)
        (sql,) = store._conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'search_docs_fts'"
        ).fetchone()
        assert sql == SEARCH_INDEX
        assert [h.condition.id for h in store.search("treatment-res")] == found != []
        assert store.integrity_problems() == []


def test_verify_false_skips_the_full_scan_but_still_rejects_foreign_files(bundled, tmp_path):
    with Store.open(bundled, read_only=True, verify=False) as s:
        assert s.info().counts["conditions"] == 7
    foreign = tmp_path / "foreign.db"
    foreign.touch()
    _other_sqlite(foreign)
    with pytest.raises(UnreadableDatabaseError, match="not a ketadesk content database"):
        Store.open(foreign, verify=False)
