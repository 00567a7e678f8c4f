"""A temporary problem (a lock held by another program) is never taken for damage."""

import sqlite3

import pytest

from ketadesk import paths, store, workingcopy
from ketadesk.errors import StoreError, UnreadableDatabaseError


def test_a_lock_held_elsewhere_keeps_the_working_copy(tmp_path, monkeypatch):
    s, _ = workingcopy.open_working(paths.bundled_db(), tmp_path)
    s.close()
    monkeypatch.setattr(store, "BUSY_TIMEOUT_S", 0.05)
    other = sqlite3.connect(tmp_path / "ketadesk.db", isolation_level=None)
    other.execute("PRAGMA locking_mode=EXCLUSIVE")
    other.execute("BEGIN EXCLUSIVE")
    other.execute("UPDATE meta SET value=value")
    other.execute("COMMIT")
    try:
        with pytest.raises(StoreError) as err:
            workingcopy.open_working(paths.bundled_db(), tmp_path)
        assert not isinstance(err.value, UnreadableDatabaseError)
        assert "another ketadesk" in str(err.value)
    finally:
        other.close()
    assert not list(tmp_path.glob("ketadesk.db.damaged-*"))


def test_a_corrupt_file_is_still_set_aside(tmp_path):
    (tmp_path / "ketadesk.db").write_bytes(b"not a database at all" * 100)
    s, notice = workingcopy.open_working(paths.bundled_db(), tmp_path)
    s.close()
    assert notice and "damaged" in notice
    assert list(tmp_path.glob("ketadesk.db.damaged-*"))


def test_a_damaged_value_in_one_row_leaves_the_rest_usable_and_is_reported(bundle, data_dir):
    """Review (reliability F11): bad JSON inside a row passes quick_check; it stopped list,
    search, db check and the window from starting."""
    import sqlite3

    from ketadesk import checks, cli
    from ketadesk.errors import DamagedEntryError
    from ketadesk.workingcopy import open_working

    store, _ = open_working(bundle, data_dir)
    ids = store.condition_ids()
    damaged, other = ids[0], ids[1]
    store.close()
    with sqlite3.connect(data_dir / "ketadesk.db") as raw:
        raw.execute("UPDATE conditions SET abbreviations = 'x' WHERE id = ?", (damaged,))
    store, notices = open_working(bundle, data_dir)
    with store:
        assert notices is None, "the file itself is not set aside"
        assert [s.id for s in store.list_conditions()] == ids, "the list still shows every entry"
        assert store.get_condition(other).id == other
        assert store.search(store.get_condition(other).name), "search still works"
        with pytest.raises(DamagedEntryError, match="restore a backup"):
            store.get_condition(damaged)
        problems = checks.check_store(store)
        assert [p.where for p in problems if p.field == "damaged"] == [damaged]
    assert cli.main(["list"]) == 0
    assert cli.main(["db", "check"]) != 0
