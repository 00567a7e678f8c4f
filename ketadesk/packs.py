"""Update packs: one file holding whole entries and the references, side effects and general
handouts they use, with a manifest and a SHA-256 of the payload. The format is documented in
docs/update-packs.md.

Import is two steps. `plan_import` reads and checks all of a pack without touching the
database (format, versions, hash, sizes, every entry against the content rules, references
resolved) and sorts its entries into added, changed, unchanged and conflicting with local
edits. `apply_import` then writes it in one transaction, after an automatic backup.

No SQL (the store writes) and no Qt.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import backups, editing, entries, rules
from .errors import NotFoundError, StoreError
from .files import write_atomically
from .records import Condition, Handout, Reference, SideEffect
from .schema import SCHEMA_VERSION
from .store import Store

FORMAT = "ketadesk-update-pack"
PACK_FORMAT = 1
"""Bump when the pack layout changes; readers refuse formats they do not know."""
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
        "payload_sha256": entries.digest(payload, depth=2),
    }
    return {"manifest": manifest, "payload": payload}


def _id(item: Reference | SideEffect) -> str:
    return item.id


def write_pack(pack: dict[str, Any], path: Path) -> None:
    data = json.dumps(pack, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    write_atomically(data, path)


# --- import --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedPack:
    manifest: dict[str, Any]
    conditions: list[dict[str, Any]]
    references: list[Reference]
    side_effects: list[SideEffect]
    handouts: list[Handout]


@dataclass
class ImportPlan:
    """What importing a pack would do; nothing has been written yet."""

    pack: ParsedPack
    added: list[Condition] = field(default_factory=list)
    changed: list[Condition] = field(default_factory=list)
    unchanged: list[Condition] = field(default_factory=list)
    conflicts: list[Condition] = field(default_factory=list)
    """Entries edited here that the pack would change: kept, with the pack's version offered."""

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.changed)} changed, "
            f"{len(self.unchanged)} unchanged, {len(self.conflicts)} in conflict with local "
            "edits (kept; the pack's version is offered to resolve)"
        )


def read_pack(path: Path) -> ParsedPack:
    """Read and check a pack file's form: size, JSON, format, versions, hash, item shapes."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise PackError([f"cannot read {path}: {exc.strerror or exc}"]) from None
    if size > MAX_PACK_BYTES:
        raise PackError([f"{path.name} is {size} bytes; packs are at most {MAX_PACK_BYTES}"])
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackError([f"{path.name} is not an update pack (or is truncated): {exc}"]) from None
    except OSError as exc:
        raise PackError([f"cannot read {path}: {exc.strerror or exc}"]) from None
    return parse_pack(data, name=path.name)


def parse_pack(data: Any, *, name: str = "pack") -> ParsedPack:
    if not isinstance(data, dict) or not isinstance(data.get("manifest"), dict):
        raise PackError([f"{name} is not an update pack (no manifest)"])
    manifest, payload = data["manifest"], data.get("payload")
    if manifest.get("format") != FORMAT:
        raise PackError([f"{name} is not a ketadesk update pack"])
    if manifest.get("pack_format") != PACK_FORMAT:
        raise PackError(
            [
                f"{name} uses pack format {manifest.get('pack_format')!r}; this ketadesk reads "
                f"format {PACK_FORMAT}"
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
    if not isinstance(payload, dict) or manifest.get("payload_sha256") != entries.digest(
        payload, depth=2
    ):
        raise PackError([f"{name} is damaged: its contents do not match its SHA-256"])
    problems: list[str] = []
    lists: dict[str, list[Any]] = {}
    for key in ("conditions", "references", "side_effects", "handouts"):
        items = payload.get(key, [])
        if not isinstance(items, list) or len(items) > MAX_ITEMS:
            raise PackError([f"{name}: {key} must be a list of at most {MAX_ITEMS} items"])
        ids = [i.get("id") if isinstance(i, dict) else None for i in items]
        duplicates = sorted({str(i) for i in ids if ids.count(i) > 1})
        if duplicates:
            problems.append(f"{key}: duplicate id(s) {', '.join(duplicates)}")
        lists[key] = items
    references = _parsed(lists["references"], entries.reference_from_data, problems)
    effects = _parsed(lists["side_effects"], entries.side_effect_from_data, problems)
    handouts = _parsed(lists["handouts"], entries.handout_from_data, problems)
    if problems:
        raise PackError(problems)
    return ParsedPack(manifest, lists["conditions"], references, effects, handouts)


def _parsed(items: list[Any], parse: Any, problems: list[str]) -> list[Any]:
    out = []
    for item in items:
        try:
            out.append(parse(item))
        except entries.EntryError as exc:
            problems.extend(exc.problems)
    return out


def plan_import(store: Store, pack: ParsedPack) -> ImportPlan:
    """Check every entry against the content rules with the references and side effects it will
    have, and sort the entries by what importing would do. Writes nothing."""
    references = {r.id: r for r in store.references()} | {r.id: r for r in pack.references}
    effects = {e.id: e for e in store.side_effects()} | {e.id: e for e in pack.side_effects}
    problems: list[str] = []
    conditions: list[Condition] = []
    for data in pack.conditions:
        try:
            conditions.append(
                entries.condition_from_entry(data, references=references, side_effects=effects)
            )
        except entries.EntryError as exc:
            problems.extend(exc.problems)
    ids = set(store.condition_ids()) | {c.id for c in conditions}
    categories = store.categories()
    with rules.batch(conditions, pack.handouts):
        for condition in conditions:
            problems += [
                f"entry {condition.id}: {p.message}"
                for p in rules.check_condition(
                    condition, categories=categories, reference_ids=references, condition_ids=ids
                )
            ]
        for effect in pack.side_effects:
            problems += [
                f"side effect {effect.id}: {p.message}" for p in rules.check_side_effect(effect)
            ]
        for handout in pack.handouts:
            problems += [f"handout {handout.id}: {p.message}" for p in rules.check_handout(handout)]
            problems += [
                f"handout {handout.id}: cites unknown reference {ref_id!r}"
                for ref_id in handout.based_on
                if ref_id not in references
            ]
    if problems:
        raise PackError(problems[:MAX_PROBLEMS_SHOWN] + _more(problems))
    plan = ImportPlan(pack)
    for condition in conditions:
        try:
            state = store.entry_state(condition.id)
        except NotFoundError:
            plan.added.append(condition)
            continue
        mine = store.get_condition(condition.id)
        if entries.entry_hash(mine) == entries.entry_hash(condition):
            plan.unchanged.append(condition)
        elif state.local:
            plan.conflicts.append(condition)
        else:
            plan.changed.append(condition)
    return plan


def _more(problems: list[str]) -> list[str]:
    extra = len(problems) - MAX_PROBLEMS_SHOWN
    return [f"…and {extra} more problem(s)"] if extra > 0 else []


def apply_import(store: Store, plan: ImportPlan, data_dir: Path, *, editor: str) -> str:
    """Back up, then write the whole plan in one transaction. Returns a summary."""
    safety = backups.backup(store, data_dir, "before-import")
    version = plan.pack.manifest.get("content_version", "?")
    with store.transaction():
        for ref in plan.pack.references:
            store.put_reference(ref)
        for effect in plan.pack.side_effects:
            store.put_side_effect(effect)
        for handout in plan.pack.handouts:
            store.put_handout(handout)
        added = {c.id for c in plan.added}
        for condition in plan.added + plan.changed:
            retired = False if condition.id in added else store.entry_state(condition.id).retired
            data = entries.entry(condition)  # once, for the hash and the revision
            store.put_condition(
                condition,
                local=False,
                base_hash=entries.digest(data),
                retired=retired,
                index=False,
            )
            store.add_revision(
                condition.id,
                at=editing.now(),
                editor=editor,
                action="imported",
                summary=f"from an update pack (content {version})",
                entry=data,
            )
        for condition in plan.conflicts:
            store.set_state(condition.id, pending=entries.entry(condition))
        store.reindex(search=True)
    return f"Imported: {plan.summary()}. A backup was made first ({safety.name})."
