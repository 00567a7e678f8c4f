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
