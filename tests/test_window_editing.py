"""Editing the database from the window: the editor, history, packs, backups, newer versions."""

from __future__ import annotations

import pytest
from conftest import forbid_modal_dialogs
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QLabel

from ketadesk import app, entries, packs
from ketadesk.records import SECTION_TITLES
from ketadesk.ui.data_dialogs import BackupsDialog, CompareDialog, HistoryDialog
from ketadesk.ui.editor import EntryEditor
from ketadesk.ui.main_window import ID_ROLE

MDD = "major-depressive-disorder"


@pytest.fixture(autouse=True)
def no_modal_dialogs(monkeypatch):
    forbid_modal_dialogs(monkeypatch)


@pytest.fixture
def window(qtbot, bundle):
    w = app.create_window()
    qtbot.addWidget(w)
    w.show()
    w.set_preferences(w.preferences.__class__(editor="Dr Editor"))
    w.show_condition(MDD)
    return w


def drive(window, monkeypatch, handler):
    """Replace the dialog verb: `handler(dialog)` acts as the person and returns accept/cancel."""
    monkeypatch.setattr(window, "run_dialog", handler)


def evidence(window) -> str:
    return entries.entry(window.current_condition)["sections"]["Evidence"]


def test_the_editor_previews_live_and_saves_with_history(qtbot, window, monkeypatch):
    seen = {}

    def person(dialog):
        assert isinstance(dialog, EntryEditor)
        edit = dialog.section_edits["Evidence"]
        edit.setPlainText("One trial [@ref-a]. A finding about zebrafish.")
        qtbot.waitUntil(lambda: "zebrafish" in dialog.preview.toPlainText())
        seen["grade"] = dialog.handout_grade.text()
        dialog.try_save()
        return dialog.result() == dialog.DialogCode.Accepted

    drive(window, monkeypatch, person)
    window.detail.anchorClicked.emit(QUrl(f"edit:{MDD}"))
    assert seen["grade"].startswith("Patient handout reading grade (Flesch–Kincaid): ")
    assert "zebrafish" in evidence(window)
    assert "zebrafish" in window.detail.toPlainText()
    assert window._workspace.revisions(MDD)[0].editor == "Dr Editor"
    assert "Saved Major depressive disorder" in window.statusBar().currentMessage()


def test_the_editor_lists_problems_and_saves_nothing(qtbot, window, monkeypatch):
    problems = []

    def person(dialog):
        dialog.section_edits["Evidence"].setPlainText("")
        dialog.section_edits["Patient handout"].setPlainText(
            "### What this treatment is for\n\nNotwithstanding considerable pharmacological "
            "heterogeneity, intravenous administration necessitates comprehensive monitoring."
        )
        dialog.try_save()
        problems.extend(dialog.problems.item(i).text() for i in range(dialog.problems.count()))
        return dialog.result() == dialog.DialogCode.Accepted

    before = evidence(window)
    drive(window, monkeypatch, person)
    window.edit_entry()
    assert any("missing section '## Evidence'" in p for p in problems)
    assert any("Flesch-Kincaid grade" in p for p in problems)
    assert evidence(window) == before


def test_a_new_entry_and_a_new_reference(qtbot, window, monkeypatch):
    from ketadesk.records import Reference

    def person(dialog):
        assert dialog.is_new and dialog.id_edit.isEnabled()
        dialog.id_edit.setText("aardvark-syndrome")
        dialog.name.setText("Aardvark syndrome")
        dialog.grade_basis.setPlainText("One case.")
        dialog.regulatory.setPlainText("Off-label.")
        dialog.add_new_reference(
            Reference("case-2024", "study", "Case A", 2024, "A case", "J", "Case report", True)
        )
        for title in SECTION_TITLES[:-1]:  # every section but the handout, already templated
            text = (
                "- One.\n- Two.\n- Three [@case-2024]."
                if title == "Safety"
                else ("A single case [@case-2024].")
            )
            dialog.section_edits[title].setPlainText(text)
        handout = dialog.section_edits["Patient handout"].toPlainText()
        dialog.section_edits["Patient handout"].setPlainText(
            handout.replace("\n\n", "\n\nIt may help.\n\n") + "\n\nCall us."
        )
        dialog.try_save()
        problems = [dialog.problems.item(i).text() for i in range(dialog.problems.count())]
        assert problems == []
        return dialog.result() == dialog.DialogCode.Accepted

    drive(window, monkeypatch, person)
    window.new_entry()
    assert window.current_condition.id == "aardvark-syndrome"
    ids = [window.model.index(r, 0).data(ID_ROLE) for r in range(window.model.rowCount())]
    assert "aardvark-syndrome" in ids
    assert "case-2024" in [r.id for r in window.current_condition.references]


def test_retire_hides_the_entry(window, monkeypatch):
    monkeypatch.setattr(window, "confirm", lambda title, text: True)
    window.retire_entry()
    ids = [window.model.index(r, 0).data(ID_ROLE) for r in range(window.model.rowCount())]
    assert MDD not in ids
    assert window.current_condition is None


def test_history_shows_revisions_and_restores_one(qtbot, window, monkeypatch):
    ws = window._workspace
    first = window.current_condition
    ws.save(first, editor="A")
    changed = entries.condition_from_entry(
        {
            **entries.entry(first),
            "sections": {
                **entries.entry(first)["sections"],
                "Evidence": "One trial [@ref-a]. Later text.",
            },
        },
        references={r.id: r for r in ws.store.references()},
        side_effects={e.id: e for e in ws.store.side_effects()},
    )
    ws.save(changed, editor="B")
    window.show_condition(MDD)
    assert "Later text." in evidence(window)

    def person(dialog):
        assert isinstance(dialog, HistoryDialog) and dialog.list.count() == 2
        dialog.select(1)
        assert "Later text." not in dialog.preview.toPlainText()
        qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
        return dialog.result() == dialog.DialogCode.Accepted

    drive(window, monkeypatch, person)
    window.detail.anchorClicked.emit(QUrl(f"history:{MDD}"))
    assert "Later text." not in evidence(window)


def test_import_a_pack_with_preview(window, tmp_path, monkeypatch):
    pack = packs.build_pack(window._workspace.store, author="Maintainer")
    for item in pack["payload"]["conditions"]:
        if item["id"] == MDD:
            item["sections"]["Evidence"] = "One trial [@ref-a]. From the pack."
    pack["manifest"]["payload_sha256"] = packs.payload_sha256(pack["payload"])
    pack["manifest"]["created"] = "2027-01-15T09:30:12"
    pack["manifest"]["author"] = "<b>Riverside</b> <img src='x.png'>"
    path = tmp_path / "u.kdpack"
    packs.write_pack(pack, path)
    monkeypatch.setattr(window, "ask_open_path", lambda title, f: path)
    previews, headers = [], []

    def person(dialog):
        previews.extend(dialog.list.item(i).text() for i in range(dialog.list.count()))
        headers.extend(
            label
            for label in dialog.findChildren(QLabel)
            if "Every entry in it meets the content rules" in label.text()
        )
        return True

    drive(window, monkeypatch, person)
    window.import_pack()
    assert "Changed: Major depressive disorder" in previews
    # when and by whom, readable; the pack's own words shown as text, never as markup
    (header,) = headers
    assert "made 2027-01-15 09:30 by <b>Riverside</b> <img src='x.png'>" in header.text()
    assert header.textFormat() == Qt.TextFormat.PlainText
    assert "From the pack." in evidence(window)
    assert "Imported: 0 added, 1 changed" in window.statusBar().currentMessage()


def test_a_bad_pack_is_refused_with_its_problems(window, tmp_path, monkeypatch):
    path = tmp_path / "bad.kdpack"
    path.write_text("{not json", encoding="utf-8")
    shown = []
    monkeypatch.setattr(window, "ask_open_path", lambda title, f: path)
    monkeypatch.setattr(window, "show_message", lambda title, html: shown.append((title, html)))
    window.import_pack()
    assert shown[0][0] == "Update pack refused" and "Nothing was changed" in shown[0][1]


def test_export_a_pack_of_what_changed(window, tmp_path, monkeypatch):
    window._workspace.save(window.current_condition, editor="A")
    target = tmp_path / "mine.kdpack"
    monkeypatch.setattr(window, "ask_choice", lambda title, text, options: 1)
    monkeypatch.setattr(window, "ask_save_path", lambda suggested: target)
    window.export_pack()
    manifest = packs.read_pack(target).manifest
    assert manifest["scope"] == "changed" and manifest["counts"]["conditions"] == 1
    assert manifest["author"] == "Dr Editor"


def test_backups_dialog_backs_up_and_restores(window, monkeypatch):
    ws = window._workspace
    actions = iter([("backup", "")])

    def person(dialog):
        assert isinstance(dialog, BackupsDialog)
        dialog.action = next(actions)
        return True

    drive(window, monkeypatch, person)
    window.show_backups()
    (made,) = ws.backups()
    ws.save(
        entries.condition_from_entry(
            {**entries.entry(window.current_condition), "name": "Renamed entry"},
            references={r.id: r for r in ws.store.references()},
            side_effects={e.id: e for e in ws.store.side_effects()},
        ),
        editor="A",
    )
    actions = iter([("restore", made.name)])
    monkeypatch.setattr(window, "confirm", lambda title, text: True)
    window.show_backups()
    assert window._library.get_condition(MDD).name == "Major depressive disorder"
    assert [b.reason for b in ws.backups()] == ["before-restore", "on-demand"]


def test_a_newer_version_is_offered_and_resolved(qtbot, window, monkeypatch):
    ws = window._workspace
    ws.save(window.current_condition, editor="A")
    theirs = {**entries.entry(window.current_condition), "name": "Major depression (newer)"}
    with ws.store.transaction():
        ws.store.set_state(MDD, pending=theirs)
    window.show_condition(MDD)
    assert "A newer version of this entry is available." in window.detail.toPlainText()
    assert window.compare_action.isEnabled()

    def person(dialog):
        assert isinstance(dialog, CompareDialog)
        dialog.keep_mine = False
        return True

    drive(window, monkeypatch, person)
    window.detail.anchorClicked.emit(QUrl(f"compare:{MDD}"))
    assert window.current_condition.name == "Major depression (newer)"
    assert "newer version" not in window.detail.toPlainText()


def test_a_read_only_database_offers_no_editing(qtbot, bundle):
    w = app.create_window(database=bundle)
    qtbot.addWidget(w)
    w.show_condition(MDD)
    assert not w.edit_action.isEnabled() and not w.import_action.isEnabled()
    assert "Edit this entry" not in w.detail.toPlainText()
