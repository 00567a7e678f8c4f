"""Changing entries in the working database: save an edit, add, retire, revert to an earlier
revision, resolve a newer version that arrived over a local edit. Every change is checked with
the same rules as `ketadesk db check`, written in one transaction and recorded as a revision.

No SQL (the store writes) and no Qt (the editor dialog calls these).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from . import entries, rules
from .errors import NotFoundError, StoreError
from .records import Condition, Problem, Reference, Revision
from .store import Store


class InvalidEntryError(StoreError):
    """The entry breaks the content rules; `problems` lists each, and nothing was saved."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__(
            f"the entry was not saved: {len(self.problems)} problem(s): "
            + "; ".join(p.message for p in self.problems[:3])
        )


def now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def check(
    store: Store, condition: Condition, *, new_references: Sequence[Reference] = ()
) -> list[Problem]:
    """What would be wrong with saving `condition` (the content rules, as `db check`)."""
    ids = set(store.condition_ids()) | {condition.id}
    existing = store.reference_ids()
    problems = [
        Problem(condition.id, f"reference:{r.id}", f"a reference with the id {r.id!r} exists")
        for r in new_references
        if r.id in existing
    ]
    return problems + rules.check_condition(
        condition,
        categories=store.categories(),
        reference_ids=existing | {r.id for r in new_references},
        condition_ids=ids,
    )


def save(
    store: Store,
    condition: Condition,
    *,
    editor: str,
    summary: str = "",
    today: dt.date | None = None,
    new_references: Sequence[Reference] = (),
) -> Condition:
    """Validate, stamp the review date, write in one transaction, and record a revision.

    Raises InvalidEntryError with every problem when the rules are broken; nothing is written.
    """
    condition = dataclasses.replace(condition, last_reviewed=today or dt.date.today())
    problems = check(store, condition, new_references=new_references)
    if problems:
        raise InvalidEntryError(problems)
    known = _references(store, condition, new_references)
    condition = entries.with_cited_references(condition, known)
    try:
        state = store.entry_state(condition.id)
        action, base, pending, retired = "edited", state.base_hash, state.pending, state.retired
    except NotFoundError:
        action, base, pending, retired = "created", "", None, False
    changes = summary or _describe(store, condition, action)
    with store.transaction():
        for ref in new_references:
            store.put_reference(ref)
        store.put_condition(condition, local=True, base_hash=base, pending=pending, retired=retired)
        store.add_revision(
            condition.id,
            at=now(),
            editor=editor,
            action=action,
            summary=changes,
            entry=entries.entry(condition),
        )
        store.reindex()
    return store.get_condition(condition.id)


def _references(
    store: Store, condition: Condition, new_references: Sequence[Reference]
) -> dict[str, Reference]:
    """The references the entry cites, from the database or the ones being added with it."""
    known = {r.id: r for r in store.references()}
    known.update({r.id: r for r in new_references})
    return known


def _describe(store: Store, condition: Condition, action: str) -> str:
    """Which parts changed, for the history list."""
    if action == "created":
        return "new entry"
    before = entries.entry(store.get_condition(condition.id))
    after = entries.entry(condition)
    changed = [k for k in after if k not in ("last_reviewed", "sections") and before[k] != after[k]]
    changed += [
        f"section '{t}'"
        for t in after["sections"]
        if before["sections"].get(t) != after["sections"][t]
    ]
    return "changed " + ", ".join(changed) if changed else "reviewed, no change"


def retire(store: Store, condition_id: str, *, editor: str, retired: bool = True) -> None:
    """Hide an entry from the list (or bring it back); it stays in the database and its history."""
    condition = store.get_condition(condition_id)
    with store.transaction():
        store.set_state(condition_id, retired=retired)
        store.add_revision(
            condition_id,
            at=now(),
            editor=editor,
            action="retired" if retired else "restored",
            summary="hidden from the list" if retired else "shown in the list again",
            entry=entries.entry(condition),
        )


def revert(store: Store, revision_id: int, condition_id: str, *, editor: str) -> Condition:
    """Make an earlier revision the current version (itself recorded as a new revision)."""
    revision = _revision(store, condition_id, revision_id)
    condition = entries.condition_from_entry(
        revision.entry,
        references={r.id: r for r in store.references()},
        side_effects={e.id: e for e in store.side_effects()},
    )
    return save(
        store,
        condition,
        editor=editor,
        summary=f"restored the version of {revision.at}",
        today=condition.last_reviewed,
    )


def _revision(store: Store, condition_id: str, revision_id: int) -> Revision:
    for revision in store.revisions(condition_id):
        if revision.id == revision_id:
            return revision
    raise NotFoundError(f"{condition_id!r} has no revision {revision_id}")


def resolve(store: Store, condition_id: str, *, keep_mine: bool, editor: str) -> Condition:
    """Settle a newer version that arrived over a local edit: keep the local entry (and stop
    offering the newer one) or take the newer one (the local one stays in the history)."""
    state = store.entry_state(condition_id)
    if state.pending is None:
        raise StoreError(f"{condition_id!r} has no newer version waiting")
    theirs = entries.condition_from_entry(
        state.pending,
        references={r.id: r for r in store.references()},
        side_effects={e.id: e for e in store.side_effects()},
    )
    with store.transaction():
        if keep_mine:
            mine = store.get_condition(condition_id)
            store.put_condition(
                mine, local=True, base_hash=entries.entry_hash(theirs), retired=state.retired
            )
            action, summary, entry = "resolved", "kept the local version", entries.entry(mine)
        else:
            store.put_condition(
                theirs, local=False, base_hash=entries.entry_hash(theirs), retired=state.retired
            )
            action, summary, entry = "resolved", "took the newer version", entries.entry(theirs)
        store.add_revision(
            condition_id, at=now(), editor=editor, action=action, summary=summary, entry=entry
        )
        store.reindex()
    return store.get_condition(condition_id)
