"""Update packs: export, the checked import, every kind of bad pack, and faults while writing."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import datetime as dt
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from conftest import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ketadesk import backups, editing, entries, packs, paths
from ketadesk.records import Section
from ketadesk.store import Store, StoreError
from ketadesk.workingcopy import WORKING_NAME, open_working

MDD = "major-depressive-disorder"
TODAY = dt.date(2026, 11, 21)


def fingerprint(path: Path) -> str:
    """The database's bytes, main file and write-ahead log together."""
    digest = hashlib.sha256(path.read_bytes())
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        digest.update(wal.read_bytes())
    return digest.hexdigest()


def edited(store, text: str):
    condition = store.get_condition(MDD)
    sections = tuple(
        Section(s.title, f"One trial [@ref-a]. {text}") if s.title == "Evidence" else s
        for s in condition.sections
    )
    return dataclasses.replace(condition, sections=sections)


def pack_with(store, text: str) -> dict:
    """A pack holding MDD with a changed Evidence section (made from a copy of the database)."""
    pack = packs.build_pack(store, author="Maintainer")
    for item in pack["payload"]["conditions"]:
        if item["id"] == MDD:
            item["sections"]["Evidence"] = f"One trial [@ref-a]. {text}"
    return rehash(pack)


def rehash(pack: dict) -> dict:
    pack["manifest"]["payload_sha256"] = packs.payload_sha256(pack["payload"])
    return pack


def write(pack: dict, path: Path) -> Path:
    packs.write_pack(pack, path)
    return path


def test_export_all_then_import_changes_nothing(working, tmp_path):
    path = write(packs.build_pack(working, author="Dr A"), tmp_path / "all.kdpack")
    manifest = json.loads(path.read_bytes().splitlines()[0])
    assert manifest["format"] == "ketadesk-update-pack" and manifest["pack_format"] == 2
    assert manifest["counts"] == {
        "conditions": 7,
        "references": 2,
        "side_effects": 1,
        "handouts": 1,
    }
    plan = packs.plan_import(working, packs.read_pack(path))
    assert (len(plan.added), len(plan.changed), len(plan.unchanged), len(plan.conflicts)) == (
        0,
        0,
        7,
        0,
    )


def test_export_changed_holds_only_what_differs_from_the_bundle(working, bundled, tmp_path):
    editing.save(working, edited(working, "Local wording."), editor="Dr A", today=TODAY)
    with Store.open(bundled, read_only=True) as original:
        pack = packs.build_pack(working, author="Dr A", changed_since=original)
    assert [c["id"] for c in pack["payload"]["conditions"]] == [MDD]
    assert [r["id"] for r in pack["payload"]["references"]] == ["ref-a", "ref-b"]
    assert pack["manifest"]["scope"] == "changed"


def test_import_previews_then_applies_after_a_backup(working, data_dir, tmp_path):
    path = write(pack_with(working, "News from the pack."), tmp_path / "p.kdpack")
    before = fingerprint(working.path)
    plan = packs.plan_import(working, packs.read_pack(path))
    assert [c.id for c in plan.changed] == [MDD] and len(plan.unchanged) == 6
    assert fingerprint(working.path) == before, "planning writes nothing"
    summary = packs.apply_import(working, plan, data_dir, editor="Dr B")
    assert summary.startswith("Imported: 0 added, 1 changed, 6 unchanged, 0 in conflict")
    assert (
        "News from the pack." in entries.entry(working.get_condition(MDD))["sections"]["Evidence"]
    )
    assert [s.title for s in working.get_condition(MDD).sections][:2] == ["Summary", "Safety"]
    assert working.revisions(MDD)[0].action == "imported"
    assert [b.reason for b in backups.list_backups(data_dir)] == ["before-import"]


def test_a_pack_never_overwrites_a_local_edit(working, data_dir, tmp_path):
    path = write(pack_with(working, "News from the pack."), tmp_path / "p.kdpack")
    editing.save(working, edited(working, "My clinic's protocol."), editor="Dr A", today=TODAY)
    plan = packs.plan_import(working, packs.read_pack(path))
    assert [c.id for c in plan.conflicts] == [MDD]
    packs.apply_import(working, plan, data_dir, editor="Dr B")
    evidence = entries.entry(working.get_condition(MDD))["sections"]["Evidence"]
    assert "My clinic's protocol." in evidence
    pending = working.entry_state(MDD).pending
    assert "News from the pack." in pending["sections"]["Evidence"]


def test_a_pack_adds_new_entries_and_references(working, data_dir, tmp_path):
    pack = packs.build_pack(working, author="Maintainer")
    new = copy.deepcopy(pack["payload"]["conditions"][0])
    new["id"], new["name"] = "new-entry", "A new entry"
    new["sections"]["Evidence"] = "A new trial [@new-2025]."
    pack["payload"]["conditions"].append(new)
    pack["payload"]["references"].append(
        {
            "id": "new-2025",
            "kind": "study",
            "authors": "New A",
            "year": 2025,
            "title": "A new trial",
            "source": "J Tests",
            "design": "RCT",
            "verified": True,
        }
    )
    plan = packs.plan_import(working, packs.read_pack(write(rehash(pack), tmp_path / "n.kdpack")))
    assert [c.id for c in plan.added] == ["new-entry"]
    packs.apply_import(working, plan, data_dir, editor="Dr B")
    assert "new-entry" in [c.id for c in working.list_conditions()]
    assert [h.condition.id for h in working.search("new trial")][:1] == ["new-entry"]


def test_an_entry_may_link_to_one_later_in_the_pack(working, data_dir, tmp_path):
    # entries are checked as they are read; links wait until every id in the pack is known
    pack = packs.build_pack(working, author="Maintainer")
    new = copy.deepcopy(next(c for c in pack["payload"]["conditions"] if c["id"] != MDD))
    new["id"], new["name"] = "zz-new-entry", "A new entry"
    pack["payload"]["conditions"].append(new)
    mdd = next(c for c in pack["payload"]["conditions"] if c["id"] == MDD)
    mdd["sections"]["Evidence"] = "One [@ref-a]; see [the new one](condition:zz-new-entry)."
    plan = packs.plan_import(working, packs.read_pack(write(rehash(pack), tmp_path / "l.kdpack")))
    assert [e.id for e in plan.added] == ["zz-new-entry"] and [e.id for e in plan.changed] == [MDD]


def test_a_format_1_pack_is_still_read(working, data_dir, tmp_path):
    pack = pack_with(working, "From an older ketadesk.")
    pack["manifest"]["pack_format"] = 1
    pack["manifest"]["payload_sha256"] = entries.digest(pack["payload"])
    path = tmp_path / "old.kdpack"
    path.write_text(json.dumps(pack, indent=1), encoding="utf-8")
    plan = packs.plan_import(working, packs.read_pack(path))
    assert [e.id for e in plan.changed] == [MDD]
    packs.apply_import(working, plan, data_dir, editor="Dr B")
    evidence = entries.entry(working.get_condition(MDD))["sections"]["Evidence"]
    assert "From an older ketadesk." in evidence


def test_the_import_writes_what_was_previewed_even_if_the_file_changes(working, data_dir, tmp_path):
    path = write(pack_with(working, "What was previewed."), tmp_path / "p.kdpack")
    plan = packs.plan_import(working, packs.read_pack(path))
    write(pack_with(working, "Swapped in afterwards."), path)  # same size class, other text
    path.unlink()  # or gone altogether
    packs.apply_import(working, plan, data_dir, editor="Dr B")
    evidence = entries.entry(working.get_condition(MDD))["sections"]["Evidence"]
    assert "What was previewed." in evidence and "Swapped" not in evidence
    assert working.search("previewed")[0].condition.id == MDD


def test_a_plan_keeps_its_checked_entries_until_it_is_closed(working, tmp_path):
    """The checked entries wait for the import in a temporary file that closing the plan
    deletes, so a large pack's preview does not hold the pack in memory."""
    path = write(pack_with(working, "What was previewed."), tmp_path / "p.kdpack")
    plan = packs.plan_import(working, packs.read_pack(path))
    assert plan.staged.count == 1 and [e.id for e in plan.changed] == [MDD]
    assert [item["id"] for item in plan.staged] == [MDD]
    plan.close()
    with pytest.raises(StoreError):
        list(plan.staged)


def pack_bytes(pack: dict | str) -> bytes:
    """A pack as format-2 bytes, whatever its manifest says (no manifest line without one)."""
    if isinstance(pack, str):
        return pack.encode("utf-8")
    lines = list(packs.pack_lines(pack.get("manifest", {}), pack["payload"]))
    return b"".join(lines if "manifest" in pack else lines[1:])


def relined(change):
    """A change to a pack's item lines (a list of bytes), the hash made to match again."""

    def apply(pack: dict) -> str:
        lines = list(packs.pack_lines(pack["manifest"], pack["payload"]))[1:]
        lines = change(lines)
        pack["manifest"]["payload_sha256"] = hashlib.sha256(b"".join(lines)).hexdigest()
        return b"".join([next(packs.pack_lines(pack["manifest"], {})), *lines]).decode()

    return apply


def set_in(path: list, value):
    def change(pack: dict) -> dict:
        target = pack
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        return pack

    return change


def in_mdd(key, value):
    def change(pack: dict) -> dict:
        entry = next(c for c in pack["payload"]["conditions"] if c["id"] == MDD)
        if isinstance(key, tuple):
            entry[key[0]][key[1]] = value
        else:
            entry[key] = value
        return rehash(pack)

    return change


def drop_section(pack: dict) -> dict:
    entry = next(c for c in pack["payload"]["conditions"] if c["id"] == MDD)
    del entry["sections"]["Evidence"]
    return rehash(pack)


def duplicate_entry(pack: dict) -> dict:
    pack["payload"]["conditions"].append(copy.deepcopy(pack["payload"]["conditions"][0]))
    return rehash(pack)


BAD_PACKS = {
    "truncated": (None, "is not an update pack (or is truncated): line"),
    "not-json": (lambda p: "just some text", "is not an update pack"),
    "no-manifest": (lambda p: {"payload": p["payload"]}, "no manifest"),
    "other-format": (set_in(["manifest", "format"], "zip"), "is not a ketadesk update pack"),
    "pack-format": (set_in(["manifest", "pack_format"], 3), "uses pack format 3"),
    "out-of-order": (
        relined(lambda lines: [*lines[1:], lines[0]]),
        "a reference after a condition (the order is references, side effects",
    ),
    "unknown-kind": (
        relined(lambda lines: [b'{"kind":"virus","data":{}}\n', *lines]),
        "line 2: not an item of a known kind",
    ),
    "newer-schema": (set_in(["manifest", "schema_version"], 99), "made by a newer ketadesk"),
    "hash": (set_in(["manifest", "payload_sha256"], "0" * 64), "do not match its SHA-256"),
    "tampered": (set_in(["payload", "conditions", 0, "name"], "Changed"), "SHA-256"),
    "missing-section": (drop_section, f"entry {MDD}: missing section '## Evidence'"),
    "duplicate-ids": (duplicate_entry, "conditions: duplicate id(s)"),
    "oversized": (in_mdd("name", "x" * 5000), f"entry {MDD}: name is too long"),
    "script": (
        in_mdd(("sections", "Evidence"), "One [@ref-a]. <script>alert(1)</script>"),
        f"entry {MDD}: raw HTML is not allowed",
    ),
    "unknown-reference": (
        in_mdd(("sections", "Evidence"), "One [@ghost-2020]."),
        f"entry {MDD}: cites unknown reference 'ghost-2020'",
    ),
    "no-grade": (in_mdd("grade", "excellent"), f"entry {MDD}: no valid evidence grade"),
    "unknown-link": (
        in_mdd(("sections", "Evidence"), "One [@ref-a]; see [this](condition:nowhere)."),
        f"entry {MDD}: link to unknown condition 'nowhere'",
    ),
    "bad-date": (in_mdd("last_reviewed", "yesterday"), "last_reviewed is not a date"),
    "cure": (
        in_mdd(("sections", "Evidence"), "One [@ref-a]; a cure."),
        "overstating word 'cure'",
    ),
    # Review (reliability F4, F5): these passed import, then crashed or froze the window.
    "nested-lists": (
        in_mdd(("sections", "Evidence"), "One [@ref-a].\n\n" + "- " * 20000 + "x"),
        "section '## Evidence' cannot be formatted safely",
    ),
    "brackets": (
        in_mdd(("sections", "Evidence"), "One [@ref-a]. " + "[" * 2999 + "x" + "]" * 2999),
        "section '## Evidence' cannot be formatted safely",
    ),
}


@pytest.mark.parametrize("name", list(BAD_PACKS))
def test_a_bad_pack_is_refused_and_the_database_is_unchanged(working, tmp_path, name):
    change, message = BAD_PACKS[name]
    good = packs.build_pack(working, author="Maintainer")
    path = tmp_path / f"{name}.kdpack"
    if change is None:
        raw = pack_bytes(good)
        path.write_bytes(raw[: len(raw) // 2])
    else:
        path.write_bytes(pack_bytes(change(copy.deepcopy(good))))
    before = fingerprint(working.path)
    with pytest.raises(packs.PackError) as info:
        packs.plan_import(working, packs.read_pack(path))
    assert any(message in problem for problem in info.value.problems), info.value.problems
    assert fingerprint(working.path) == before


def test_an_oversized_file_is_refused_before_it_is_read(working, tmp_path, monkeypatch):
    monkeypatch.setattr(packs, "MAX_PACK_BYTES", 100)
    path = write(packs.build_pack(working, author="A"), tmp_path / "big.kdpack")
    with pytest.raises(packs.PackError, match="packs are at most 100"):
        packs.read_pack(path)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_mangled_packs_never_change_the_database(working, tmp_path, data):
    raw = bytearray(pack_bytes(packs.build_pack(working, author="A")))
    for _ in range(data.draw(st.integers(1, 4))):
        where = data.draw(st.integers(0, len(raw) - 1))
        how = data.draw(st.sampled_from(["flip", "cut", "drop", "insert"]))
        if how == "flip":
            raw[where] = data.draw(st.integers(0, 255))
        elif how == "cut":
            del raw[where:]
        elif how == "drop":
            del raw[where : where + data.draw(st.integers(1, 200))]
        else:
            raw[where:where] = data.draw(st.binary(min_size=1, max_size=20))
        if not raw:
            raw = bytearray(b"{")
    path = tmp_path / "mangled.kdpack"
    path.write_bytes(bytes(raw))
    before = fingerprint(working.path)
    with contextlib.suppress(packs.PackError):
        packs.plan_import(working, packs.read_pack(path))
    assert fingerprint(working.path) == before


def test_a_full_disk_rolls_the_import_back(working, data_dir, tmp_path):
    path = write(pack_with(working, "News " * 5000), tmp_path / "p.kdpack")
    plan = packs.plan_import(working, packs.read_pack(path))
    pages = working._conn.execute("PRAGMA page_count").fetchone()[0]
    working._conn.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full now
    with pytest.raises(StoreError, match="the disk is full"):
        packs.apply_import(working, plan, data_dir, editor="Dr B")
    assert "News" not in entries.entry(working.get_condition(MDD))["sections"]["Evidence"]
    assert working.integrity_problems() == []


def test_a_read_only_database_is_a_clear_error(working, data_dir, tmp_path):
    path = write(pack_with(working, "News."), tmp_path / "p.kdpack")
    read_only = sqlite3.connect(f"{working.path.as_uri()}?mode=ro", uri=True, isolation_level=None)
    store = Store(read_only, working.path, read_only=False)
    plan = packs.plan_import(store, packs.read_pack(path))
    with pytest.raises(StoreError, match="read-only"):
        packs.apply_import(store, plan, data_dir, editor="Dr B")
    read_only.close()


# --- a real process killed in the middle of writing ------------------------------------------


def big_pack(store, count: int) -> dict:
    pack = packs.build_pack(store, author="Load")
    template = pack["payload"]["conditions"][0]
    for n in range(count):
        item = copy.deepcopy(template)
        item["id"], item["name"] = f"synthetic-{n:04d}", f"Synthetic entry {n:04d}"
        pack["payload"]["conditions"].append(item)
    return rehash(pack)


def run_until(args: list[str], marker: str, data_dir: Path) -> int:
    """Start `ketadesk ARGS`, SIGKILL it as soon as it prints `marker`; its exit code."""
    env = {**os.environ, "KETADESK_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ketadesk", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if marker in line:
            proc.send_signal(signal.SIGKILL)
            break
    return proc.wait()


def conditions_in(path: Path) -> int:
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return conn.execute("SELECT count(*) FROM conditions").fetchone()[0]


@pytest.fixture
def real_working(data_dir):
    """A working copy of the real bundled database, as a subprocess of ketadesk will open it."""
    store, _ = open_working(paths.bundled_db(), data_dir)
    return store


@pytest.mark.parametrize("run", range(2))
def test_killing_an_import_leaves_the_old_content_or_the_new(real_working, data_dir, tmp_path, run):
    path = write(big_pack(real_working, 600), tmp_path / "big.kdpack")
    real_working.close()
    code = run_until(["db", "import", str(path), "--yes"], "Applying", data_dir)
    assert code in (-signal.SIGKILL, 0)
    assert conditions_in(data_dir / WORKING_NAME) in (17, 617), "old or new, never a mix"
    with Store.open(data_dir / WORKING_NAME) as store:
        assert store.integrity_problems() == []


def test_killing_a_restore_leaves_the_old_content_or_the_new(real_working, data_dir, tmp_path):
    made = backups.backup(real_working, data_dir, "on-demand")
    big = write(big_pack(real_working, 600), tmp_path / "big.kdpack")
    packs.apply_import(
        real_working, packs.plan_import(real_working, packs.read_pack(big)), data_dir, editor="L"
    )
    real_working.close()
    run_until(["db", "restore", made.name, "--yes"], "ketadesk", data_dir)
    assert conditions_in(data_dir / WORKING_NAME) in (17, 617), "old or new, never a mix"


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(JSON_VALUES)
def test_the_payload_hash_is_the_hash_of_its_canonical_json(value):
    # packs are hashed piece by piece (no 20 MB string); the pieces must spell the same JSON
    whole = hashlib.sha256(entries.canonical_json(value).encode("utf-8")).hexdigest()
    assert [entries.digest(value, depth=depth) for depth in range(4)] == [whole] * 4


@pytest.mark.parametrize("body", [b"[" * 3000, b"1" * 5000])
def test_deeply_nested_or_huge_number_pack_is_refused_as_not_a_pack(tmp_path, body):
    path = tmp_path / "bad.ketapack"
    path.write_bytes(body + b"\n")
    with pytest.raises(packs.PackError, match="not an update pack"):
        packs.read_pack(path)


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_a_pipe_device_or_folder_is_refused_at_once(working, tmp_path, kind):
    """Review (reliability F17): `db import FIFO` hung; `db import /dev/zero` read until memory
    ran out."""
    import os

    if kind == "fifo":
        path = tmp_path / "pipe.kdpack"
        os.mkfifo(path)
    elif kind == "device":
        path = Path("/dev/zero")
    else:
        path = tmp_path
    with pytest.raises(packs.PackError) as info:
        packs.read_pack(path)
    assert "is not a file" in info.value.problems[0]
