"""The window, driven through its real widgets with pytest-qt."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt

from ketadesk import app, paths
from ketadesk.ui.main_window import ID_ROLE
from ketadesk.workingcopy import WORKING_NAME


@pytest.fixture
def bundle(fixture_db, tmp_path, monkeypatch):
    target = tmp_path / "bundle.db"
    shutil.copyfile(fixture_db, target)
    monkeypatch.setattr(paths, "bundled_db", lambda: target)
    return target


@pytest.fixture
def window(qtbot, bundle):
    w = app.create_window()
    qtbot.addWidget(w)
    with qtbot.waitExposed(w):
        w.show()
    return w


def rows(window) -> list[str]:
    model = window.model
    return [model.index(i, 0).data() for i in range(model.rowCount())]


def test_window_lists_conditions_under_their_categories(window):
    shown = rows(window)
    assert shown[0] == "Mood"
    assert "Major depressive disorder  ·  low" in shown
    assert shown.index("Trauma and anxiety") < shown.index("Post-traumatic stress disorder  ·  low")
    assert window.statusBar().currentMessage() == "Content 9.9.9 of 2026-01-31"
    assert not window.notice.isVisible()
    assert window.disclaimer.isVisible()
    assert "does not replace" in window.disclaimer.text()


def test_typing_filters_through_full_text_search(qtbot, window):
    qtbot.keyClicks(window.search_edit, "allodyn")
    qtbot.waitUntil(lambda: rows(window) == ["Complex regional pain syndrome  ·  low"])
    tip = window.model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("Summary: ") and "Allodynia" in tip
    window.search_edit.clear()
    qtbot.waitUntil(lambda: len(rows(window)) == 11)  # 7 conditions + 4 category headers


def test_selecting_a_condition_shows_the_entry(qtbot, window):
    index = next(
        window.model.index(i, 0)
        for i in range(window.model.rowCount())
        if window.model.index(i, 0).data(ID_ROLE) == "obsessive-compulsive-disorder"
    )
    window.condition_list.setCurrentIndex(index)
    text = window.detail.toPlainText()
    assert text.startswith("Obsessive-compulsive disorder")
    for title in ("Summary", "Mechanism", "Evidence", "References"):
        assert title in text


def test_damaged_working_database_shows_the_recovery_notice(qtbot, bundle, data_dir):
    (data_dir / WORKING_NAME).write_bytes(b"garbage" * 100)
    w = app.create_window()
    qtbot.addWidget(w)
    with qtbot.waitExposed(w):
        w.show()
    assert w.notice.isVisible()
    assert "fresh copy of the bundled content" in w.notice.text()
    assert len(rows(w)) == 11
