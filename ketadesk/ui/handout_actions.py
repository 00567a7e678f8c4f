"""The window's handout actions: Preferences, print preview, print, PDF export (one or
several). A mixin of MainWindow, kept apart so the window module stays readable; it uses the
window's library, state, checklist and dialog verbs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Slot

from .. import handouts
from ..errors import StoreError
from ..records import HandoutOptions, HandoutPart
from .window_state import HandoutPreferences

if TYPE_CHECKING:
    from PySide6.QtPrintSupport import QPrinter

    from .main_window import MainWindow

    _Base = MainWindow
else:
    _Base = object


class HandoutActions(_Base):
    @property
    def preferences(self) -> HandoutPreferences:
        return HandoutPreferences(
            clinic=self._state.text("handout/clinic"),
            phone=self._state.text("handout/phone"),
            paper=self._state.text("handout/paper")
            if self._state.text("handout/paper") in ("a4", "letter")
            else "",
            large_print=self._state.flag("handout/large_print"),
            references=self._state.flag("handout/references"),
            treatment_day=self._state.flag("handout/treatment_day"),
            editor=self._state.text("editor/name"),
        )

    def set_preferences(self, value: HandoutPreferences) -> None:
        for key in ("clinic", "phone", "paper", "large_print", "references", "treatment_day"):
            self._state.set(f"handout/{key}", getattr(value, key))
        self._state.set("editor/name", value.editor)
        self._state.sync()

    @Slot()
    def edit_preferences(self) -> None:
        value = self.ask_preferences(self.preferences)
        if value is not None:
            self.set_preferences(value)
            self.statusBar().showMessage("Preferences saved.", 4000)

    def handout_options(self) -> HandoutOptions:
        prefs = self.preferences
        return HandoutOptions(
            paper=prefs.paper or _layout().default_paper(),
            large_print=prefs.large_print,
            references=prefs.references,
            clinic=prefs.clinic,
            phone=prefs.phone,
        )

    def _parts(self, ids: list[str]) -> list[HandoutPart]:
        """The print run for these handouts; the ticked side effects go into each condition's."""
        discussed = self.checklist.checked_ids()
        treatment_day = self.preferences.treatment_day
        parts: list[HandoutPart] = []
        for handout_id in ids:
            parts += handouts.print_run(
                self._library,
                handout_id,
                discussed=discussed,
                with_treatment_day=treatment_day and len(ids) == 1,
            )
        return parts

    def _paint(self, parts: list[HandoutPart]) -> Callable[[QPrinter], object]:
        options = self.handout_options()
        version = self._info.content_version

        def paint(printer: QPrinter) -> object:
            return _layout().paint(
                printer, parts, options, content_version=version, printed=dt.date.today()
            )

        return paint

    def _painter_for(self, ids: list[str]) -> Callable[[QPrinter], object] | None:
        try:
            return self._paint(self._parts(ids))
        except StoreError as exc:
            self.show_message("Handout not available", escape(str(exc)))
            return None

    @Slot()
    def preview_handout(self) -> None:
        if self._current is not None and (paint := self._painter_for([self._current.id])):
            self.run_preview(paint)

    @Slot()
    def print_handout(self) -> None:
        if self._current is not None and (paint := self._painter_for([self._current.id])):
            self.run_print(paint, self._current.name)

    @Slot()
    def export_handout(self) -> None:
        if self._current is None:
            return
        suggested = self._export_folder() / handouts.file_name(self._current.id, dt.date.today())
        path = self.ask_save_path(suggested)
        if path is not None:
            self._export([self._current.id], lambda _: path)

    def _choices(self) -> list[tuple[str, str]]:
        general = [(h.id, f"{h.title} (for every condition)") for h in self._library.handouts()]
        return general + [(s.id, s.name) for s in self._library.list_conditions()]

    @Slot()
    def print_several(self) -> None:
        ids = self.ask_conditions(self._choices())
        if ids and (paint := self._painter_for(ids)):
            self.run_print(paint, "Handouts")

    @Slot()
    def export_several(self) -> None:
        ids = self.ask_conditions(self._choices())
        if not ids:
            return
        folder = self.ask_folder(self._export_folder())
        if folder is not None:
            today = dt.date.today()
            self._export(ids, lambda i: folder / handouts.file_name(i, today))

    def _export(self, ids: list[str], path_for: Callable[[str], Path]) -> None:
        written = []
        try:
            for handout_id in ids:
                path = path_for(handout_id)
                _layout().export_pdf(
                    self._parts([handout_id]),
                    self.handout_options(),
                    path,
                    content_version=self._info.content_version,
                    printed=dt.date.today(),
                )
                written.append(path)
        except StoreError as exc:
            self.show_message("Handout not saved", escape(str(exc)))
            return
        finally:
            if written:  # remembered for this session only: the folder may name a patient
                self._session_folder = written[-1].parent
        names = ", ".join(p.name for p in written)
        self.statusBar().showMessage(f"Saved {names} in {written[-1].parent}", 10000)

    def _export_folder(self) -> Path:
        """Where export dialogs start: the last folder used in this session, else home. Never
        stored on disk (a clinic's folders are often named after a patient)."""
        saved = getattr(self, "_session_folder", None)
        return saved if saved is not None and saved.is_dir() else Path.home()


def _layout():
    """The paper-layout module (Qt print support), loaded when first used, not at start-up."""
    from .. import handout_layout

    return handout_layout
