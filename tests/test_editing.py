"""Editing entries, history, retiring, backups, reset, and upgrades that keep local work."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from conftest import write_content

from ketadesk import backups, checks, editing, entries
from ketadesk.build import build
from ketadesk.records import Section
from ketadesk.store import DatabaseBusyError, NotFoundError, Store, UnreadableDatabaseError
from ketadesk.workingcopy import open_working

MDD = "major-depressive-disorder"
TODAY = dt.date(2026, 11, 21)


def with_section(condition, title: str, markdown: str):
    sections = tuple(
        Section(s.title, markdown) if s.title == title else s for s in condition.sections
    )
    return dataclasses.replace(condition, sections=sections)


def edit(working, markdown="One trial [@ref-a]. A new finding about zebrafish.", **kw):
    changed = with_section(working.get_condition(MDD), "Evidence", markdown)
    return editing.save(working, changed, editor="Dr Test", today=TODAY, **kw)


def test_saving_an_edit_updates_the_entry_search_and_history(working):
    saved = edit(working)
    assert "zebrafish" in next(s.markdown for s in saved.sections if s.title == "Evidence")
    assert saved.last_reviewed == TODAY, "the review date is stamped"
    assert [h.condition.id for h in working.search("zebrafish")] == [MDD]
    assert working.entry_state(MDD).local
    (revision,) = working.revisions(MDD)
    assert (revision.editor, revision.action) == ("Dr Test", "edited")
    assert revision.summary == "changed section 'Evidence'"
    assert revision.entry == entries.entry(saved)
    assert checks.check_store(working) == []


def test_an_edit_that_breaks_the_rules_is_refused_and_nothing_is_written(working):
    before = entries.entry(working.get_condition(MDD))
    broken = with_section(working.get_condition(MDD), "Evidence", "Cures it [@nobody-2020].")
    with pytest.raises(editing.InvalidEntryError) as info:
        editing.save(working, broken, editor="Dr Test", today=TODAY)
    messages = [p.message for p in info.value.problems]
    assert "cites unknown reference 'nobody-2020'" in messages
    assert any("overstating word 'Cures'" in m for m in messages)
    assert entries.entry(working.get_condition(MDD)) == before
    assert working.revisions(MDD) == []


def test_a_new_reference_can_be_added_with_the_edit(working):
    from ketadesk.records import Reference

    ref = Reference(
        "new-2025", "study", "New A", 2025, "A new trial", "J Tests", "RCT", True, participants=9
    )
    saved = edit(working, "One trial [@ref-a]; a newer one [@new-2025].", new_references=[ref])
    assert [r.id for r in saved.references][-1] == "new-2025"
    assert "new-2025" in working.reference_ids()


def test_a_new_reference_may_not_replace_one_in_the_catalogue(working):
    from ketadesk.records import Reference

    clash = Reference("ref-a", "study", "Someone", 2025, "Other", "J", "RCT", True)
    with pytest.raises(editing.InvalidEntryError, match="a reference with the id 'ref-a' exists"):
        edit(working, new_references=[clash])
    assert working.get_condition(MDD).references[0].authors == "Able A, Baker B"


def test_adding_a_new_condition(working):
    template = working.get_condition(MDD)
    new = dataclasses.replace(template, id="ketamine-test-entry", name="Aardvark syndrome")
    editing.save(working, new, editor="Dr Test", today=TODAY)
    ids = [c.id for c in working.list_conditions()]
    assert ids[0] == "ketamine-test-entry", "sorted by category, then name"
    assert working.revisions("ketamine-test-entry")[0].action == "created"


def test_retiring_hides_an_entry_but_keeps_it_and_its_history(working):
    editing.retire(working, MDD, editor="Dr Test")
    assert MDD not in [c.id for c in working.list_conditions()]
    assert MDD in [c.id for c in working.list_conditions(retired=True)]
    assert MDD not in [h.condition.id for h in working.search("depressive")]
    assert working.get_condition(MDD).name == "Major depressive disorder"
    assert working.revisions(MDD)[0].action == "retired"
    editing.retire(working, MDD, editor="Dr Test", retired=False)
    assert MDD in [c.id for c in working.list_conditions()]


def test_an_earlier_revision_can_be_restored(working):
    first = edit(working, "One trial [@ref-a]. First wording.")
    edit(working, "One trial [@ref-a]. Second wording.")
    older = working.revisions(MDD)[-1]
    assert "First wording" in older.entry["sections"]["Evidence"]
    restored = editing.revert(working, older.id, MDD, editor="Dr Test")
    assert entries.entry(restored)["sections"] == entries.entry(first)["sections"]
    assert working.revisions(MDD)[0].summary == f"restored the version of {older.at}"
    assert len(working.revisions(MDD)) == 3


def test_backup_list_and_restore(working, data_dir):
    made = backups.backup(working, data_dir, "on-demand")
    edit(working)
    assert [h.condition.id for h in working.search("zebrafish")] == [MDD]
    safety = backups.restore(working, data_dir, made.name)
    assert working.search("zebrafish") == [], "the backed-up content is back"
    assert [b.reason for b in backups.list_backups(data_dir)] == ["before-restore", "on-demand"]
    with Store.open(safety.path, read_only=True) as present:
        assert [h.condition.id for h in present.search("zebrafish")] == [MDD]
    assert checks.check_store(working) == []


def test_a_damaged_backup_is_refused_before_anything_changes(working, data_dir):
    made = backups.backup(working, data_dir, "on-demand")
    made.path.write_bytes(b"not a database" * 100)
    edit(working)
    with pytest.raises(UnreadableDatabaseError):
        backups.restore(working, data_dir, made.name)
    assert [h.condition.id for h in working.search("zebrafish")] == [MDD]
    with pytest.raises(NotFoundError, match=r"no backup named '\.\./\.\./etc/passwd'"):
        backups.restore(working, data_dir, "../../etc/passwd")


def test_reset_to_bundled_after_a_backup(working, bundled, data_dir):
    edit(working)
    safety = backups.reset(working, bundled, data_dir)
    assert working.search("zebrafish") == []
    assert not working.entry_state(MDD).local
    assert safety.reason == "before-reset"
    with Store.open(safety.path, read_only=True) as before:
        assert before.entry_state(MDD).local


def rebuild_bundle(bundled: Path, tmp_path: Path, version: str, replacements: dict[str, str]):
    content = write_content(tmp_path / f"v{version}")
    meta = content / "meta.toml"
    meta.write_text(meta.read_text().replace('"9.9.9"', f'"{version}"'))
    for cid, text in replacements.items():
        path = content / "conditions" / f"{cid}.md"
        path.write_text(path.read_text().replace("Durability.", text))
    build(content, bundled)


def test_an_upgrade_updates_unedited_entries_and_keeps_edited_ones(
    working, bundled, data_dir, tmp_path
):
    edit(working)
    working.close()
    rebuild_bundle(
        bundled,
        tmp_path,
        "10.0.0",
        {MDD: "Durability and dose.", "obsessive-compulsive-disorder": "Durability in OCD."},
    )
    store, notice = open_working(bundled, data_dir)
    with store:
        ocd = store.get_condition("obsessive-compulsive-disorder")
        assert "Durability in OCD." in entries.entry(ocd)["sections"]["What is not known yet"]
        mine = store.get_condition(MDD)
        assert "zebrafish" in entries.entry(mine)["sections"]["Evidence"], "local edit kept"
        pending = store.entry_state(MDD).pending
        assert pending["sections"]["What is not known yet"] == "Durability and dose."
        assert "1 you edited kept your version" in notice
        assert store.revisions("obsessive-compulsive-disorder")[0].action == "upgraded"

        theirs = editing.resolve(store, MDD, keep_mine=False, editor="Dr Test")
        assert "zebrafish" not in entries.entry(theirs)["sections"]["Evidence"]
        assert store.entry_state(MDD).pending is None
        assert not store.entry_state(MDD).local
        assert "zebrafish" in store.revisions(MDD)[1].entry["sections"]["Evidence"]


def test_keeping_my_version_stops_offering_the_newer_one(working, bundled, data_dir, tmp_path):
    edit(working)
    working.close()
    rebuild_bundle(bundled, tmp_path, "10.0.0", {MDD: "Durability and dose."})
    store, _ = open_working(bundled, data_dir)
    with store:
        editing.resolve(store, MDD, keep_mine=True, editor="Dr Test")
        assert store.entry_state(MDD).pending is None
        assert store.entry_state(MDD).local
    rebuild_bundle(bundled, tmp_path / "again", "10.0.1", {MDD: "Durability and dose."})
    store, _ = open_working(bundled, data_dir)
    with store:
        assert store.entry_state(MDD).pending is None, "the same newer version is not re-offered"


def test_a_second_writer_waits_then_is_told(working, data_dir, monkeypatch):
    from ketadesk import store as store_module

    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_S", 0.05)
    other = Store.open(data_dir / "ketadesk.db")
    try:
        with (
            working.transaction(),
            pytest.raises(DatabaseBusyError, match="another ketadesk is saving"),
        ):
            edit(other)
    finally:
        other.close()
    with Store.open(data_dir / "ketadesk.db") as again:
        edit(again)


def test_the_working_database_uses_wal(working, data_dir):
    with closing(sqlite3.connect(data_dir / "ketadesk.db")) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
