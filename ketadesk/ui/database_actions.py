"""The window's database actions: edit, add, retire, history, packs, backups, reset, and
resolving a newer version. A mixin of MainWindow; every change goes through the Workspace and
every dialog through the window's verbs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Slot

from .. import render
from ..errors import StoreError
from ..records import Condition, Revision

if TYPE_CHECKING:
    from .main_window import MainWindow

    _Base = MainWindow
else:
    _Base = object


class DatabaseActions(_Base):
    @property
    def editor_name(self) -> str:
        return self.preferences.editor or "unnamed editor"

    def _write(self, work: Callable[[], object], done: str) -> bool:
        """Run a change; on success refresh everything and say so, else show why."""
        try:
            result = work()
        except StoreError as exc:
            self.show_message("Not changed", escape(str(exc)))
            return False
        self._info = self._library.info()
        self.content_label.setText(
            f"Content {self._info.content_version} of {self._info.content_date}"
        )
        current = self._current.id if self._current else None
        self._refresh()
        if current and any(s.id == current for s in self._library.list_conditions()):
            self.show_condition(current)
        message = done if not isinstance(result, str) else result
        self.statusBar().showMessage(message, 10000)
        return True

    def _open_editor(self, condition: Condition | None) -> None:
        if self._workspace is None:
            return
        from .editor import EntryEditor  # the editor loads on first use, not at start-up

        workspace = self._workspace
        template = condition or self._library.get_condition(self._library.list_conditions()[0].id)
        dialog = EntryEditor(
            condition,
            template=template,
            categories=self._library.categories(),
            side_effects=self._library.side_effects(),
            references=self._library.references(),
            check=lambda c, refs: workspace.check(c, refs),
            parent=self,
        )
        if not self.run_dialog(dialog) or dialog.result_condition is None:
            return
        saved = dialog.result_condition
        if self._write(
            lambda: workspace.save(
                saved, editor=self.editor_name, new_references=dialog.new_references
            ),
            f"Saved {saved.name}; the change is in its history.",
        ):
            self.show_condition(saved.id)

    @Slot()
    def edit_entry(self) -> None:
        if self._current is not None:
            self._open_editor(self._current)

    @Slot()
    def new_entry(self) -> None:
        self._open_editor(None)

    @Slot()
    def retire_entry(self) -> None:
        if self._workspace is None or self._current is None:
            return
        condition, workspace = self._current, self._workspace
        if not self.confirm(
            "Retire entry",
            f"Hide {condition.name} from the list? It stays in the database and its history, "
            "and an update pack or History can bring it back.",
        ):
            return
        self._current = None
        self._write(
            lambda: workspace.retire(condition.id, editor=self.editor_name),
            f"{condition.name} was retired.",
        )
        self.detail.setHtml(self._welcome_html())

    @Slot()
    def show_history(self) -> None:
        if self._workspace is None or self._current is None:
            return
        condition, workspace = self._current, self._workspace

        def page(revision: Revision) -> str:
            version = workspace.revision_condition(revision)
            return render.condition_html(version, palette=self._palette())

        from .data_dialogs import HistoryDialog

        dialog = HistoryDialog(condition.name, workspace.revisions(condition.id), page, self)
        if self.run_dialog(dialog) and dialog.chosen is not None:
            chosen = dialog.chosen
            self._write(
                lambda: workspace.revert(condition.id, chosen.id, editor=self.editor_name),
                f"Restored the version of {chosen.at}.",
            )

    @Slot()
    def compare_versions(self) -> None:
        if self._workspace is None or self._current is None:
            return
        condition, workspace = self._current, self._workspace
        theirs = workspace.pending(condition.id)
        if theirs is None:
            return
        from .data_dialogs import CompareDialog

        dialog = CompareDialog(
            render.condition_html(condition, palette=self._palette()),
            render.condition_html(theirs, palette=self._palette()),
            self,
        )
        if self.run_dialog(dialog) and dialog.keep_mine is not None:
            keep = dialog.keep_mine
            self._write(
                lambda: workspace.resolve(condition.id, keep_mine=keep, editor=self.editor_name),
                "Kept your version." if keep else "Took the newer version; yours is in History.",
            )

    @Slot()
    def import_pack(self) -> None:
        if self._workspace is None:
            return
        workspace = self._workspace
        path = self.ask_open_path("Import update pack", "ketadesk update packs (*.kdpack)")
        if path is None:
            return
        try:
            plan = workspace.plan_import(path)
        except StoreError as exc:
            problems = getattr(exc, "problems", [str(exc)])
            items = "".join(f"<li>{escape(p)}</li>" for p in problems[:20])
            self.show_message(
                "Update pack refused",
                f"<p>Nothing was changed.</p><ul>{items}</ul>",
            )
            return
        from .data_dialogs import ImportPreviewDialog

        try:
            dialog = ImportPreviewDialog(path.name, plan, self)
            if self.run_dialog(dialog):
                self._write(lambda: workspace.apply_import(plan, editor=self.editor_name), "")
        finally:
            plan.close()  # the entries it kept aside for the import

    @Slot()
    def export_pack(self) -> None:
        if self._workspace is None:
            return
        workspace = self._workspace
        choice = self.ask_choice(
            "Export update pack",
            "Export every entry, or only what differs from the bundled content (your edits and "
            "additions)?",
            ["Everything", "Only what changed"],
        )
        if choice is None:
            return
        suggested = self._export_folder() / f"ketadesk-{dt.date.today().isoformat()}.kdpack"
        path = self.ask_save_path(suggested)
        if path is None:
            return
        path = path if path.suffix == ".kdpack" else path.with_suffix(".kdpack")
        self._write(
            lambda: workspace.export_pack(path, author=self.editor_name, changed_only=choice == 1),
            f"Wrote the update pack {path}.",
        )

    @Slot()
    def show_backups(self) -> None:
        if self._workspace is None:
            return
        workspace = self._workspace
        from .data_dialogs import BackupsDialog

        dialog = BackupsDialog(workspace.backups(), self)
        if not self.run_dialog(dialog) or dialog.action is None:
            return
        action, name = dialog.action
        if action == "backup":
            self._write(lambda: f"Backed up as {workspace.backup().name}.", "")
        elif action == "restore" and self.confirm(
            "Restore backup",
            f"Replace the working database with {name}? The present state is backed up first.",
        ):
            self._write(
                lambda: f"Restored {name}; the state before is {workspace.restore(name).name}.",
                "",
            )
        elif action == "reset":
            self.reset_content()

    @Slot()
    def reset_content(self) -> None:
        if self._workspace is None:
            return
        workspace = self._workspace
        if self.confirm(
            "Reset to the bundled content",
            "Discard local edits and go back to the content that came with ketadesk? The present "
            "state is backed up first and can be restored from Backups.",
        ):
            self._write(
                lambda: f"Reset; the state before is backed up as {workspace.reset().name}.", ""
            )
