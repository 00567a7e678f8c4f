"""Update packs: one file holding whole entries and the references, side effects and general
handouts they use, with a manifest and a SHA-256 of the payload. The format is documented in
docs/update-packs.md: pack format 2 is JSON Lines (the manifest, then one item per line),
read one line at a time; format 1, one JSON document, is still read.

Import is two steps. `plan_import` reads and checks all of a pack without touching the
database (format, versions, hash, sizes, every entry against the content rules, references
resolved) and sorts its entries into added, changed, unchanged and conflicting with local
edits; the entries to write are kept aside, already turned into rows, in a temporary file
(store.Spool). `apply_import` then writes them in one transaction, after an automatic backup:
exactly what was previewed, whatever happens to the pack file in between. Neither holds more
than a few entries of a format-2 pack in memory at once.

No SQL (the store writes) and no Qt.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import backups, editing, entries, markup, rules
from .errors import NotFoundError, StoreError
from .files import write_atomically
from .records import Condition, Handout, Reference, SideEffect
from .schema import SCHEMA_VERSION
from .store import Spool, Store, condition_rows

FORMAT = "ketadesk-update-pack"
PACK_FORMAT = 2
"""Bump when the pack layout changes; readers refuse formats they do not know."""
LEGACY_FORMAT = 1
"""One JSON document of manifest and payload; still read, no longer written."""
KINDS = ("reference", "side_effect", "handout", "condition")
"""A format-2 pack's item lines, in the order they must come: everything an entry uses is read
before the entries, so each entry is checked as soon as it is read."""
PAYLOAD_KEYS = {
    "reference": "references",
    "side_effect": "side_effects",
    "handout": "handouts",
    "condition": "conditions",
}
"""Each line kind's list in the payload of build_pack (and of a format-1 pack)."""
CHECK_CHUNK = 100
"""Entries checked together (their handouts graded in one dictionary pass)."""
SUFFIX = ".kdpack"
MAX_PACK_BYTES = 50 * 1024 * 1024
MAX_ITEMS = 20_000
MAX_PROBLEMS_SHOWN = 20


class PackError(StoreError):
    """The pack cannot be imported; `problems` says why, one line each (naming the entry)."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        shown = "; ".join(self.problems[:3])
        more = f" (and {len(self.problems) - 3} more)" if len(self.problems) > 3 else ""
        super().__init__(f"the update pack was refused: {shown}{more}")


# --- export --------------------------------------------------------------------------------


def build_pack(
    store: Store,
    *,
    author: str,
    changed_since: Store | None = None,
    created: dt.datetime | None = None,
) -> dict[str, Any]:
    """A pack of every entry in use, or (with `changed_since`, the bundled database) only the
    entries, side effects and handouts that differ from it, with what they use."""
    conditions = [store.get_condition(c.id) for c in store.list_conditions()]
    handouts = store.handouts()
    if changed_since is not None:
        theirs = {
            cid: entries.entry_hash(changed_since.get_condition(cid))
            for cid in changed_since.condition_ids()
        }
        conditions = [c for c in conditions if theirs.get(c.id) != entries.entry_hash(c)]
        bundled_handouts = {h.id: h for h in changed_since.handouts()}
        handouts = [h for h in handouts if bundled_handouts.get(h.id) != h]
    cited = {r.id: r for c in conditions for r in c.references}
    for handout in handouts:
        for ref_id in handout.based_on:
            cited.setdefault(ref_id, next(r for r in store.references() if r.id == ref_id))
    effects = {link.side_effect.id: link.side_effect for c in conditions for link in c.side_effects}
    payload = {
        "conditions": [entries.entry(c) for c in conditions],
        "references": [entries.reference_data(r) for r in sorted(cited.values(), key=_id)],
        "side_effects": [entries.side_effect_data(e) for e in sorted(effects.values(), key=_id)],
        "handouts": [entries.handout_data(h) for h in handouts],
    }
    info = store.info()
    manifest = {
        "format": FORMAT,
        "pack_format": PACK_FORMAT,
        "schema_version": SCHEMA_VERSION,
        "content_version": info.content_version,
        "created": (created or dt.datetime.now()).isoformat(timespec="seconds"),
        "author": author,
        "scope": "changed" if changed_since is not None else "all",
        "counts": {key: len(items) for key, items in payload.items()},
        "payload_sha256": payload_sha256(payload),
    }
    return {"manifest": manifest, "payload": payload}


def _id(item: Reference | SideEffect) -> str:
    return item.id


def write_pack(pack: dict[str, Any], path: Path) -> None:
    """Write a pack ({"manifest", "payload"}, as build_pack makes it) in format 2."""
    write_atomically(b"".join(pack_lines(pack["manifest"], pack["payload"])), path)


def pack_lines(manifest: dict[str, Any], payload: dict[str, Any]) -> Iterator[bytes]:
    """The lines of a format-2 pack: the manifest, then each item, every line canonical JSON."""
    yield _line(manifest)
    yield from _payload_lines(payload)


def payload_sha256(payload: dict[str, Any]) -> str:
    """The SHA-256 of the payload's lines exactly as write_pack writes them."""
    sha = hashlib.sha256()
    for line in _payload_lines(payload):
        sha.update(line)
    return sha.hexdigest()


def _payload_lines(payload: dict[str, Any]) -> Iterator[bytes]:
    for kind in KINDS:
        for item in payload.get(PAYLOAD_KEYS[kind], []):
            yield _line({"kind": kind, "data": item})


def _line(value: Any) -> bytes:
    return (entries.canonical_json(value) + "\n").encode("utf-8")


# --- import --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackFile:
    """A pack whose manifest has been read and accepted; its items are read by items()."""

    path: Path
    manifest: dict[str, Any]
    legacy_payload: dict[str, Any] | None = None
    """A format-1 pack, read whole (its hash is checked when it is read)."""

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def description(self) -> str:
        """One line about the pack for people (pack_description)."""
        return pack_description(self.manifest)

    def items(self) -> Iterator[tuple[str, Any]]:
        """Each item as (kind, data), references first and entries last. For a format-2 pack
        the hash is checked as the lines are read: the last item is followed by a PackError if
        the file is damaged."""
        if self.legacy_payload is not None:
            for kind in KINDS:
                for data in self.legacy_payload.get(PAYLOAD_KEYS[kind], []):
                    yield kind, data
            return
        sha = hashlib.sha256()
        counts = dict.fromkeys(KINDS, 0)
        order = 0
        try:
            with self.path.open("rb") as lines:
                lines.readline()  # the manifest, checked by read_pack
                for number, line in enumerate(lines, start=2):
                    sha.update(line)
                    kind, data = self._item(line, number)
                    position = KINDS.index(kind)
                    if position < order:
                        raise PackError(
                            [
                                f"{self.name}, line {number}: a {kind} after a {KINDS[order]} "
                                "(the order is references, side effects, handouts, entries)"
                            ]
                        )
                    order = position
                    counts[kind] += 1
                    if counts[kind] > MAX_ITEMS:
                        raise PackError([f"{self.name}: more than {MAX_ITEMS} {kind} items"])
                    yield kind, data
        except OSError as exc:
            raise PackError([f"cannot read {self.path}: {exc.strerror or exc}"]) from None
        if sha.hexdigest() != self.manifest.get("payload_sha256"):
            raise PackError([f"{self.name} is damaged: its contents do not match its SHA-256"])

    def _item(self, line: bytes, number: int) -> tuple[str, Any]:
        try:
            item = json.loads(line)
        except (ValueError, RecursionError):
            raise PackError(
                [f"{self.name} is not an update pack (or is truncated): line {number} is not JSON"]
            ) from None
        if not isinstance(item, dict) or item.get("kind") not in KINDS or "data" not in item:
            raise PackError([f"{self.name}, line {number}: not an item of a known kind"])
        return item["kind"], item["data"]


@dataclass(frozen=True)
class PlannedEntry:
    id: str
    name: str


@dataclass
class ImportPlan:
    """What importing a pack would do; nothing has been written yet."""

    pack: PackFile
    references: list[Reference] = field(default_factory=list)
    side_effects: list[SideEffect] = field(default_factory=list)
    handouts: list[Handout] = field(default_factory=list)
    added: list[PlannedEntry] = field(default_factory=list)
    changed: list[PlannedEntry] = field(default_factory=list)
    unchanged: list[PlannedEntry] = field(default_factory=list)
    conflicts: list[PlannedEntry] = field(default_factory=list)
    """Entries edited here that the pack would change: kept, with the pack's version offered."""
    staged: Spool = field(default_factory=Spool)
    """Each added, changed or conflicting entry, checked and turned into rows, for apply_import.
    close() deletes it; a plan that is not applied should be closed."""

    def close(self) -> None:
        self.staged.close()

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.changed)} changed, "
            f"{len(self.unchanged)} unchanged, {len(self.conflicts)} in conflict with local "
            "edits (kept; the pack's version is offered to resolve)"
        )


def read_pack(path: Path) -> PackFile:
    """Open a pack and check its form up to its manifest: size, format, versions. The items
    are checked as plan_import reads them (format 1: all of it now, hash included)."""
    try:
        info = path.stat()
    except OSError as exc:
        raise PackError([f"cannot read {path}: {exc.strerror or exc}"]) from None
    if not stat.S_ISREG(info.st_mode):  # a FIFO would hang, /dev/zero would never end
        raise PackError([f"{path} is not a file (a folder, pipe or device); choose a .kdpack file"])
    size = info.st_size
    if size > MAX_PACK_BYTES:
        raise PackError([f"{path.name} is {size} bytes; packs are at most {MAX_PACK_BYTES}"])
    try:
        with path.open("rb") as pack:
            first = pack.readline(MAX_MANIFEST_BYTES)
            manifest = _json_object(first)
            if manifest is not None and "kind" in manifest:
                raise PackError([f"{path.name} is not an update pack (no manifest)"])
            if manifest is None or "format" not in manifest:  # not format 2: try format 1
                pack.seek(0)
                return _legacy_pack(path, pack.read())
    except OSError as exc:
        raise PackError([f"cannot read {path}: {exc.strerror or exc}"]) from None
    _check_manifest(manifest, path.name, PACK_FORMAT)
    return PackFile(path, manifest)


MAX_MANIFEST_BYTES = 64 * 1024


def _json_object(line: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(line)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _legacy_pack(path: Path, raw: bytes) -> PackFile:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise PackError([f"{path.name} is not an update pack (or is truncated): {exc}"]) from None
    del raw
    if not isinstance(data, dict) or not isinstance(data.get("manifest"), dict):
        raise PackError([f"{path.name} is not an update pack (no manifest)"])
    manifest, payload = data["manifest"], data.get("payload")
    _check_manifest(manifest, path.name, LEGACY_FORMAT)
    if not isinstance(payload, dict) or manifest.get("payload_sha256") != entries.digest(
        payload, depth=2
    ):
        raise PackError([f"{path.name} is damaged: its contents do not match its SHA-256"])
    for key in PAYLOAD_KEYS.values():
        items = payload.get(key, [])
        if not isinstance(items, list) or len(items) > MAX_ITEMS:
            raise PackError([f"{path.name}: {key} must be a list of at most {MAX_ITEMS} items"])
    return PackFile(path, manifest, legacy_payload=payload)


def _check_manifest(manifest: dict[str, Any], name: str, pack_format: int) -> None:
    if manifest.get("format") != FORMAT:
        raise PackError([f"{name} is not a ketadesk update pack"])
    if manifest.get("pack_format") != pack_format:
        raise PackError(
            [
                f"{name} uses pack format {manifest.get('pack_format')!r}; this ketadesk reads "
                f"formats {LEGACY_FORMAT} and {PACK_FORMAT}"
            ]
        )
    schema = manifest.get("schema_version")
    if not isinstance(schema, int) or schema > SCHEMA_VERSION:
        raise PackError(
            [
                f"{name} was made by a newer ketadesk (schema {schema!r}; this one reads "
                f"{SCHEMA_VERSION})"
            ]
        )


def pack_description(manifest: dict[str, Any]) -> str:
    """One line about a pack, from its manifest, for the import preview (window and command
    line). The fields come from whoever made the pack: each is shown as plain text, cut short
    when long; the creation time is shown to the minute.

    >>> pack_description({"content_version": "2027.1", "created": "2026-11-21T07:54:52",
    ...                   "author": "Riverside Clinic", "scope": "changed"})
    'Content 2027.1, made 2026-11-21 07:54 by Riverside Clinic (changed entries)'
    >>> pack_description({"created": "last Tuesday", "author": ""})
    'Content unknown, made last Tuesday by unknown (unknown entries)'
    """

    def field(key: str) -> str:
        value = manifest.get(key)
        text = " ".join(str(value).split()) if value not in (None, "") else "unknown"
        return text if len(text) <= 80 else text[:79] + "…"

    made = field("created")
    with contextlib.suppress(ValueError):  # not a date: shown as the pack gives it
        made = f"{dt.datetime.fromisoformat(made):%Y-%m-%d %H:%M}"
    return (
        f"Content {field('content_version')}, made {made} by {field('author')} "
        f"({field('scope')} entries)"
    )


def load_pack(path: Path) -> dict[str, Any]:
    """A whole pack of either format as {"manifest", "payload"}, as build_pack makes it, for
    tools that change a pack and write it again. Holds every item in memory; import does not."""
    pack = read_pack(path)
    payload: dict[str, list[Any]] = {key: [] for key in PAYLOAD_KEYS.values()}
    for kind, data in pack.items():
        payload[PAYLOAD_KEYS[kind]].append(data)
    return {"manifest": pack.manifest, "payload": payload}


def plan_import(store: Store, pack: PackFile) -> ImportPlan:
    """Read the pack once, checking every item as it comes: each entry against the content
    rules with the references and side effects it will have, and its place (added, changed,
    unchanged, in conflict with a local edit). Entries are checked CHECK_CHUNK at a time and
    then dropped; only their ids and names are kept. Writes nothing."""
    plan = ImportPlan(pack)
    references = {r.id: r for r in store.references()}
    effects = {e.id: e for e in store.side_effects()}
    categories = store.categories()
    ids = set(store.condition_ids())
    seen: dict[str, set[str]] = {kind: set() for kind in KINDS}
    duplicates: dict[str, set[str]] = {kind: set() for kind in KINDS}
    links: dict[str, list[str]] = {}
    problems: list[str] = []
    chunk: list[Condition] = []

    def check_chunk() -> None:
        with rules.batch(chunk):
            for condition in chunk:
                plain_texts = [markup.plain_text(s.markdown) for s in condition.sections]
                problems.extend(
                    f"entry {condition.id}: {p.message}"
                    for p in rules.check_condition(
                        condition,
                        categories=categories,
                        reference_ids=references,
                        condition_ids=None,  # links are checked once every id is known
                        plain_texts=plain_texts,
                    )
                )
                links[condition.id] = rules.link_targets(condition)
                if not problems:  # once a pack is refused, nothing more is kept
                    _place(store, plan, condition, plain_texts)
        chunk.clear()

    for kind, data in pack.items():
        item_id = data.get("id") if isinstance(data, dict) else None
        if isinstance(item_id, str) and item_id in seen[kind]:
            duplicates[kind].add(item_id)
        elif isinstance(item_id, str):
            seen[kind].add(item_id)
        try:
            if kind == "reference":
                ref = entries.reference_from_data(data)
                plan.references.append(ref)
                references[ref.id] = ref
            elif kind == "side_effect":
                effect = entries.side_effect_from_data(data)
                plan.side_effects.append(effect)
                effects[effect.id] = effect
            elif kind == "handout":
                plan.handouts.append(entries.handout_from_data(data))
            else:
                chunk.append(
                    entries.condition_from_entry(data, references=references, side_effects=effects)
                )
                ids.add(chunk[-1].id)
        except entries.EntryError as exc:
            problems.extend(exc.problems)
        if len(chunk) >= CHECK_CHUNK:
            check_chunk()
    check_chunk()
    for kind, repeated in duplicates.items():
        if repeated:
            problems.append(f"{PAYLOAD_KEYS[kind]}: duplicate id(s) {', '.join(sorted(repeated))}")
    for condition_id, targets in links.items():
        problems += [
            f"entry {condition_id}: {p.message}"
            for p in rules.link_problems(condition_id, targets, ids)
        ]
    with rules.batch(handouts=plan.handouts):
        for effect in plan.side_effects:
            problems += [
                f"side effect {effect.id}: {p.message}" for p in rules.check_side_effect(effect)
            ]
        for handout in plan.handouts:
            problems += [f"handout {handout.id}: {p.message}" for p in rules.check_handout(handout)]
            problems += [
                f"handout {handout.id}: cites unknown reference {ref_id!r}"
                for ref_id in handout.based_on
                if ref_id not in references
            ]
    if problems:
        plan.close()
        raise PackError(problems[:MAX_PROBLEMS_SHOWN] + _more(problems))
    return plan


def _place(store: Store, plan: ImportPlan, condition: Condition, plain_texts: list[str]) -> None:
    """Sort one checked entry into the plan by what importing it would do, and keep aside
    what apply_import will write for it."""
    planned = PlannedEntry(condition.id, condition.name)
    entry = entries.entry(condition)
    entry_json = entries.canonical_json(entry)  # spelled once: for its hash and its revision
    entry_hash = entries.text_digest(entry_json)
    try:
        state = store.entry_state(condition.id)
    except NotFoundError:
        plan.added.append(planned)
    else:
        if entries.entry_hash(store.get_condition(condition.id)) == entry_hash:
            plan.unchanged.append(planned)
            return
        if state.local:
            plan.conflicts.append(planned)
            plan.staged.append({"id": condition.id, "offer": entry})
            return
        plan.changed.append(planned)
    rows = condition_rows(condition, plain_texts=plain_texts)
    plan.staged.append({"id": condition.id, "rows": rows, "hash": entry_hash, "entry": entry_json})


def _more(problems: list[str]) -> list[str]:
    extra = len(problems) - MAX_PROBLEMS_SHOWN
    return [f"…and {extra} more problem(s)"] if extra > 0 else []


def apply_import(store: Store, plan: ImportPlan, data_dir: Path, *, editor: str) -> str:
    """Back up, then write the plan in one transaction: the entries it checked and kept aside
    (the pack file is not read again). Closes the plan."""
    try:
        safety = backups.backup(store, data_dir, "before-import")
        version = plan.pack.manifest.get("content_version", "?")
        added = {e.id for e in plan.added}
        with store.transaction():
            for ref in plan.references:
                store.put_reference(ref)
            for effect in plan.side_effects:
                store.put_side_effect(effect)
            for handout in plan.handouts:
                store.put_handout(handout)
            for item in plan.staged:
                if "offer" in item:
                    store.set_state(item["id"], pending=item["offer"])
                    continue
                retired = False if item["id"] in added else store.entry_state(item["id"]).retired
                store.put_condition_rows(
                    item["rows"], local=False, base_hash=item["hash"], retired=retired, index=False
                )
                store.add_revision(
                    item["id"],
                    at=editing.now(),
                    editor=editor,
                    action="imported",
                    summary=f"from an update pack (content {version})",
                    entry=item["entry"],
                )
            store.reindex(search=True)
    finally:
        plan.close()
    return f"Imported: {plan.summary()}. A backup was made first ({safety.name})."
