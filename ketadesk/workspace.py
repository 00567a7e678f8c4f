"""The writable side of the working database, as one object the window is given: edits,
history, packs, backups and reset, each a call into the core. No SQL here, and no Qt.

The window gets a Workspace only when it opened the working copy; with `--db FILE` (read-only)
it gets none and its editing actions are off.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .records import Condition, EntryState, Problem, Reference, Revision
from .store import Store

if TYPE_CHECKING:
    from . import backups, packs

# The modules behind each action (editing, packs, backups, entries and through them the content
# rules) are imported by the action that needs them, keeping them off the start-up path.


@dataclass
class Workspace:
    store: Store
    data_dir: Path
    bundled: Path

    # --- entries -----------------------------------------------------------------------------

    def check(
        self, condition: Condition, new_references: Sequence[Reference] = ()
    ) -> list[Problem]:
        from . import editing

        return editing.check(self.store, condition, new_references=new_references)

    def save(
        self,
        condition: Condition,
        *,
        editor: str,
        new_references: Sequence[Reference] = (),
        today: dt.date | None = None,
    ) -> Condition:
        from . import editing

        return editing.save(
            self.store, condition, editor=editor, new_references=new_references, today=today
        )

    def retire(self, condition_id: str, *, editor: str, retired: bool = True) -> None:
        from . import editing

        editing.retire(self.store, condition_id, editor=editor, retired=retired)

    def revisions(self, condition_id: str) -> list[Revision]:
        return self.store.revisions(condition_id)

    def revert(self, condition_id: str, revision_id: int, *, editor: str) -> Condition:
        from . import editing

        return editing.revert(self.store, revision_id, condition_id, editor=editor)

    def revision_condition(self, revision: Revision) -> Condition:
        """An earlier revision as a record, to show it."""
        from . import entries

        return entries.condition_from_entry(
            revision.entry,
            references={r.id: r for r in self.store.references()},
            side_effects={e.id: e for e in self.store.side_effects()},
        )

    def state(self, condition_id: str) -> EntryState:
        return self.store.entry_state(condition_id)

    def pending(self, condition_id: str) -> Condition | None:
        """The newer version waiting for this entry, as a record, or None."""
        from . import entries

        data = self.store.entry_state(condition_id).pending
        if data is None:
            return None
        return entries.condition_from_entry(
            data,
            references={r.id: r for r in self.store.references()},
            side_effects={e.id: e for e in self.store.side_effects()},
        )

    def resolve(self, condition_id: str, *, keep_mine: bool, editor: str) -> Condition:
        from . import editing

        return editing.resolve(self.store, condition_id, keep_mine=keep_mine, editor=editor)

    # --- packs ---------------------------------------------------------------------------------

    def export_pack(self, path: Path, *, author: str, changed_only: bool) -> dict:
        from . import packs

        if changed_only:
            with Store.open(self.bundled, read_only=True, verify=False) as bundled:
                pack = packs.build_pack(self.store, author=author, changed_since=bundled)
        else:
            pack = packs.build_pack(self.store, author=author)
        packs.write_pack(pack, path)
        return pack["manifest"]

    def plan_import(self, path: Path) -> packs.ImportPlan:
        from . import packs

        return packs.plan_import(self.store, packs.read_pack(path))

    def apply_import(self, plan: packs.ImportPlan, *, editor: str) -> str:
        from . import packs

        return packs.apply_import(self.store, plan, self.data_dir, editor=editor)

    # --- backups -------------------------------------------------------------------------------

    def backups(self) -> list[backups.Backup]:
        from . import backups

        return backups.list_backups(self.data_dir)

    def backup(self) -> backups.Backup:
        from . import backups

        return backups.backup(self.store, self.data_dir, "on-demand")

    def restore(self, name: str) -> backups.Backup:
        from . import backups

        return backups.restore(self.store, self.data_dir, name)

    def reset(self) -> backups.Backup:
        from . import backups

        return backups.reset(self.store, self.bundled, self.data_dir)
