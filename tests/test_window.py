"""The window, driven through its real widgets with pytest-qt."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from conftest import forbid_modal_dialogs
from PySide6.QtCore import QSettings, Qt, QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLineEdit, QListView, QPushButton, QTextBrowser, QTreeWidget

from ketadesk import app, paths
from ketadesk.records import SECTION_TITLES
from ketadesk.store import Store
from ketadesk.ui.checklist import KEY_MARK
from ketadesk.ui.condition_delegate import WHY_ROLE
from ketadesk.ui.main_window import FAVOURITES, ID_ROLE, MainWindow
from ketadesk.workingcopy import WORKING_NAME


@pytest.fixture(autouse=True)
def no_modal_dialogs(monkeypatch):
    forbid_modal_dialogs(monkeypatch)


def open_window(qtbot) -> MainWindow:
    w = app.create_window()
    qtbot.addWidget(w)
    with qtbot.waitExposed(w):
        w.show()
    # On a real X11 display (tests/test_xcb.py) keyboard focus needs the active window, as a
    # clinician's click gives it; offscreen, every window is active already.
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    return w


@pytest.fixture
def window(qtbot, bundle):
    return open_window(qtbot)


@pytest.fixture
def messages(window, monkeypatch):
    """Every dialog the window would show, captured instead of shown."""
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(window, "show_message", lambda title, html: shown.append((title, html)))
    return shown


def rows(window) -> list[str]:
    model = window.model
    return [model.index(i, 0).data() for i in range(model.rowCount())]


def row_ids(window) -> list[str]:
    model = window.model
    return [model.index(i, 0).data(ID_ROLE) for i in range(model.rowCount())]


def select(window, condition_id: str) -> None:
    index = next(
        window.model.index(i, 0)
        for i in range(window.model.rowCount())
        if window.model.index(i, 0).data(ID_ROLE) == condition_id
    )
    window.condition_list.setCurrentIndex(index)


def action(window, text: str):
    return next(a for a in window.findChildren(type(window.favourite_action)) if a.text() == text)


def test_window_lists_conditions_under_their_categories(window):
    shown = rows(window)
    assert shown[0] == "Mood"
    assert "Major depressive disorder  ·  low" in shown
    assert shown.index("Trauma and anxiety") < shown.index("Post-traumatic stress disorder  ·  low")
    first = window.model.index(1, 0)
    assert first.data(Qt.ItemDataRole.ToolTipRole).startswith("Certainty of evidence (GRADE):")
    assert window.content_label.text() == "Content 9.9.9 of 2026-01-31"
    assert not window.notice.isVisible() and not window.stale.isVisible()
    assert window.disclaimer.isVisible() and "does not replace" in window.disclaimer.text()
    assert "Choose a condition" in window.detail.toPlainText()


def test_typing_filters_and_shows_why_each_hit_matched(qtbot, window):
    qtbot.keyClicks(window.search_edit, "allodyn")  # a word only in one entry's summary body
    qtbot.waitUntil(lambda: row_ids(window) == ["complex-regional-pain-syndrome"])
    assert rows(window) == ["Complex regional pain syndrome  ·  low"]
    why = window.model.index(0, 0).data(WHY_ROLE)
    assert why.startswith("Summary: ") and "Allodynia" in why
    assert window.condition_list.visualRect(window.model.index(0, 0)).height() > (
        window.condition_list.fontMetrics().height() * 2
    ), "the row is tall enough to show the second line"
    window.search_edit.clear()
    qtbot.waitUntil(lambda: len(rows(window)) == 11)  # 7 conditions + 4 category headers


def test_list_rows_say_what_they_are_to_the_eye_and_to_screen_readers(qtbot, window):
    header, entry = window.model.index(0, 0), window.model.index(1, 0)
    assert header.data() == "Mood" and header.data(Qt.ItemDataRole.FontRole).bold()
    assert header.data(Qt.ItemDataRole.AccessibleTextRole) == "Category: Mood"
    assert not header.flags() & Qt.ItemFlag.ItemIsSelectable, "a header cannot be chosen"
    assert entry.flags() & Qt.ItemFlag.ItemIsSelectable
    assert not entry.flags() & Qt.ItemFlag.ItemIsEditable
    qtbot.keyClicks(window.search_edit, "allodyn")
    qtbot.waitUntil(lambda: row_ids(window) == ["complex-regional-pain-syndrome"])
    hit = window.model.index(0, 0)
    spoken = hit.data(Qt.ItemDataRole.AccessibleTextRole)
    assert spoken.startswith("Complex regional pain syndrome  ·  low. Matched in Summary: ")
    assert hit.data(Qt.ItemDataRole.ToolTipRole).startswith("Matched in Summary: ")


def test_keyboard_moves_through_results_while_the_search_box_keeps_focus(qtbot, window):
    window.focus_search()
    qtbot.keyClicks(window.search_edit, "disorder")
    qtbot.waitUntil(lambda: not window.search_pending)
    hits = row_ids(window)
    assert len(hits) >= 3 and None not in hits, "results only, no category headers"
    qtbot.keyClick(window.search_edit, Qt.Key.Key_Down)
    qtbot.keyClick(window.search_edit, Qt.Key.Key_Down)
    assert window.condition_list.currentIndex().data(ID_ROLE) == hits[1]
    qtbot.keyClick(window.search_edit, Qt.Key.Key_Up)
    assert window.condition_list.currentIndex().data(ID_ROLE) == hits[0]
    assert window.search_edit.hasFocus()
    qtbot.keyClick(window.search_edit, Qt.Key.Key_Return)
    assert window.current_condition.id == hits[0]
    qtbot.keyClick(window.search_edit, Qt.Key.Key_Escape)
    assert window.search_edit.text() == ""
    qtbot.waitUntil(lambda: len(rows(window)) == 11)
    assert window.current_condition.id == hits[0], "clearing the search keeps the entry open"


def test_enter_opens_the_first_hit(qtbot, window):
    qtbot.keyClicks(window.search_edit, "PTSD")
    qtbot.waitUntil(lambda: row_ids(window)[:1] == ["post-traumatic-stress-disorder"])
    qtbot.keyClick(window.search_edit, Qt.Key.Key_Enter)
    assert window.current_condition.id == "post-traumatic-stress-disorder"
    assert window.windowTitle() == "Post-traumatic stress disorder — ketadesk"


def test_enter_and_down_act_on_the_new_results_not_on_the_entry_already_open(qtbot, window):
    """Review (usability): with an entry open that is also a lower hit of a new search, Enter
    reopened it instead of opening the top hit the clinician sees."""
    window.focus_search()
    qtbot.keyClicks(window.search_edit, "disorder")
    qtbot.waitUntil(lambda: not window.search_pending)
    hits = row_ids(window)
    assert len(hits) >= 3
    window.search_edit.clear()
    select(window, hits[-1])
    assert window.current_condition.id == hits[-1]
    window.focus_search()
    qtbot.keyClicks(window.search_edit, "disorder")
    qtbot.keyClick(window.search_edit, Qt.Key.Key_Return)
    assert window.current_condition.id == hits[0], "Enter opens the top hit"
    window.search_edit.clear()
    select(window, hits[-1])
    qtbot.keyClicks(window.search_edit, "disorder")
    qtbot.keyClick(window.search_edit, Qt.Key.Key_Down)
    assert window.condition_list.currentIndex().data(ID_ROLE) == hits[0], "Down starts at the top"


def test_a_search_without_hits_says_so_and_offers_to_clear(qtbot, window):
    qtbot.keyClicks(window.search_edit, "zzqx")
    qtbot.waitUntil(lambda: window.no_hits.isVisible())
    assert window.no_hits.text() == "No condition matches “zzqx”."
    assert rows(window) == []
    qtbot.mouseClick(window.clear_search_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(rows(window)) == 11)
    assert not window.no_hits.isVisible()


def test_selecting_shows_the_safety_box_then_every_section_and_the_references(window):
    select(window, "obsessive-compulsive-disorder")
    text = window.detail.toPlainText()
    assert text.startswith("Obsessive-compulsive disorder")
    assert "content version 9.9.9" in text and "last reviewed 2026-01-15" in text
    safety = text.index("Safety first: what must not be missed")
    assert "Check blood pressure" in text[safety:] and "Regulatory status: Off-label." in text
    lines = text.splitlines()
    positions = [lines.index(title) for title in SECTION_TITLES if title != "Safety"]
    assert lines.index("Safety first: what must not be missed") < positions[0]
    assert positions == sorted(positions), "sections in their order, after the safety box"
    assert "Ketamine: onset 2–24 hours" in text  # the timeline's labelled bars
    assert "Oral antidepressants: onset 2–6 weeks" in text
    references = "\n".join(lines[lines.index("References") :])
    assert "Able A, Baker B. A randomised trial of something." in references
    assert "Certainty of evidence (GRADE): low." in text
    assert window.checklist.key_ids() == ["dissociation"]


def test_outline_links_jump_to_sections(qtbot, window):
    select(window, "obsessive-compulsive-disorder")
    html = window.detail.toHtml()
    assert 'href="#sec-what-is-not-known-yet"' in html
    bar = window.detail.verticalScrollBar()
    assert bar.value() == 0
    window.detail.anchorClicked.emit(QUrl("#sec-references"))
    qtbot.waitUntil(lambda: bar.value() > 0)


def test_links_between_entries_open_inside_the_app(window):
    select(window, "obsessive-compulsive-disorder")
    assert 'href="condition:post-traumatic-stress-disorder"' in window.detail.toHtml()
    window.detail.anchorClicked.emit(QUrl("condition:post-traumatic-stress-disorder"))
    assert window.current_condition.id == "post-traumatic-stress-disorder"
    assert window.condition_list.currentIndex().data(ID_ROLE) == "post-traumatic-stress-disorder"
    assert window.detail.toPlainText().startswith("Post-traumatic stress disorder")


def test_outside_links_are_shown_but_never_opened(window):
    select(window, "obsessive-compulsive-disorder")
    assert 'href="https://example.org/label"' in window.detail.toHtml()
    window.detail.anchorClicked.emit(QUrl("https://example.org/label"))
    assert window.current_condition.id == "obsessive-compulsive-disorder"
    assert "never opens web links" in window.statusBar().currentMessage()
    assert QGuiApplication.clipboard().text() == "https://example.org/label"


def test_a_link_to_a_missing_entry_is_a_message_not_a_crash(window):
    select(window, "obsessive-compulsive-disorder")
    window.detail.anchorClicked.emit(QUrl("condition:retired-entry"))
    assert window.current_condition.id == "obsessive-compulsive-disorder"
    assert "no condition with id 'retired-entry'" in window.statusBar().currentMessage()


def test_checklist_ticks_survive_switching_entries_and_clear(qtbot, window, monkeypatch):
    tree = window.checklist.tree
    groups = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    assert groups == ["During the session", "With repeated or long-term use"]
    select(window, "major-depressive-disorder")
    assert tree.topLevelItem(0).child(0).text(0) == KEY_MARK + "Dissociation"
    window.checklist.set_checked("misuse-dependence")
    select(window, "post-traumatic-stress-disorder")
    assert window.checklist.checked_ids() == ["misuse-dependence"]
    printed: list[tuple[str, str]] = []
    monkeypatch.setattr(window, "print_html", lambda title, html: printed.append((title, html)))
    qtbot.mouseClick(window.checklist.print_button, Qt.MouseButton.LeftButton)
    title, html = printed[0]
    assert title == "Side effects discussed"
    assert "Wanting to use it outside treatment" in html and "Feeling detached" not in html
    assert "Post-traumatic stress disorder" in html
    qtbot.mouseClick(window.checklist.clear_button, Qt.MouseButton.LeftButton)
    assert window.checklist.checked_ids() == []


def test_checklist_state_is_never_written_to_disk(qtbot, window, data_dir):
    window.checklist.set_checked("dissociation")
    window.close()
    for path in data_dir.rglob("*"):
        if path.is_file() and path.suffix != ".db":
            assert b"dissociation" not in path.read_bytes(), path


def test_zoom_in_out_and_reset(window):
    base = window.detail.font().pointSizeF()
    action(window, "Zoom &in").trigger()
    assert window.zoom == 110 and window.detail.font().pointSizeF() > base
    for _ in range(20):
        action(window, "Zoom &in").trigger()
    assert window.zoom == 300, "zoom stops at its largest step"
    action(window, "&Reset zoom").trigger()
    assert window.zoom == 100 and window.detail.font().pointSizeF() == base
    action(window, "Zoom &out").trigger()
    assert window.zoom == 90
    shortcuts = [s.toString() for s in action(window, "Zoom &in").shortcuts()]
    assert shortcuts == ["Ctrl++", "Ctrl+="]


def test_state_is_restored_on_the_next_start(qtbot, bundle):
    first = open_window(qtbot)
    select(first, "generalised-anxiety-disorder")
    first.toggle_favourite()
    select(first, "obsessive-compulsive-disorder")
    first.set_zoom(150)
    first.resize(760, 640)  # within the offscreen screen, which restoreGeometry clamps to
    first.splitter.setSizes([200, 300, 200])
    sizes, size = first.splitter.sizes(), first.size()
    first.close()

    second = open_window(qtbot)
    assert second.current_condition.id == "obsessive-compulsive-disorder"
    assert second.zoom == 150
    assert second.size() == size
    assert second.splitter.sizes() == sizes
    assert second.favourites == ["generalised-anxiety-disorder"]
    assert rows(second)[:2] == [FAVOURITES, "★ Generalised anxiety disorder  ·  low"]
    assert second.recent[:2] == ["obsessive-compulsive-disorder", "generalised-anxiety-disorder"]
    second.recent_menu.aboutToShow.emit()
    names = [a.text() for a in second.recent_menu.actions()]
    assert names[:2] == ["Obsessive-compulsive disorder", "Generalised anxiety disorder"]


@pytest.mark.parametrize(
    "settings_text",
    [
        b"\x00\xff\xfe garbage \x89PNG\r\n" * 50,
        b"[General]\nzoom=banana\ngeometry=not-bytes\nsplitter=@ByteArray(xx)\n"
        b"recent=7\nfavourites=@Variant(\\0\\0\\0\\x7f)\nlast_condition=no-such-entry\n",
    ],
    ids=["binary-junk", "foreign-values"],
)
def test_a_damaged_or_foreign_settings_file_still_opens_cleanly(qtbot, bundle, settings_text):
    paths.settings_file().parent.mkdir(parents=True, exist_ok=True)
    paths.settings_file().write_bytes(settings_text)
    w = open_window(qtbot)
    assert w.zoom == 100
    assert w.current_condition is None
    assert len(rows(w)) == 11
    w.close()
    saved = QSettings(str(paths.settings_file()), QSettings.Format.IniFormat)
    assert int(saved.value("zoom")) == 100


def test_damaged_working_database_shows_the_recovery_notice(qtbot, bundle, data_dir):
    (data_dir / WORKING_NAME).write_bytes(b"garbage" * 100)
    w = open_window(qtbot)
    assert w.notice.isVisible()
    assert "fresh copy of the bundled content" in w.notice.text()
    assert len(rows(w)) == 11


def test_old_content_shows_a_quiet_staleness_banner(qtbot, bundle):
    with Store.open(bundle, read_only=True) as library:
        w = MainWindow(
            library,
            settings=QSettings(str(paths.settings_file()), QSettings.Format.IniFormat),
            today=dt.date(2027, 6, 1),
        )
        qtbot.addWidget(w)
        w.show()
        assert w.stale.isVisible()
        assert "more than 12 months ago" in w.stale.text() and "Database menu" in w.stale.text()
        w.close()


def test_menus_follow_platform_conventions(window):
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["&File", "&Edit", "&View", "&Go", "&Database", "&Help"]
    assert action(window, "&Quit").shortcuts()[0].toString() == "Ctrl+Q"
    assert action(window, "&Find").shortcuts()[0].toString() == "Ctrl+F"
    assert action(window, "&Print handout…").shortcuts()[0].toString() == "Ctrl+P"


def test_copy_copies_the_selected_text_of_the_entry(window):
    select(window, "obsessive-compulsive-disorder")
    window.detail.setFocus()
    window.detail.selectAll()
    action(window, "&Copy").trigger()
    assert QGuiApplication.clipboard().text().startswith("Obsessive-compulsive disorder")


def test_find_focuses_the_search_box(qtbot, window):
    window.detail.setFocus()
    action(window, "&Find").trigger()
    assert window.search_edit.hasFocus()


def test_about_database_information_and_integrity_check(window, messages):
    action(window, "&About ketadesk…").trigger()
    action(window, "&Information…").trigger()
    action(window, "&Check integrity…").trigger()
    (about_title, about_html), (_, info_html), (_, check_html) = messages
    assert about_title == "About ketadesk"
    assert "Content version 9.9.9 of 2026-01-31" in about_html
    assert "does not replace" in about_html and "LGPL-3.0" in about_html
    assert "7 conditions" in info_html and WORKING_NAME in info_html
    assert check_html == "The database is intact and every entry meets the content rules."


def test_every_control_has_an_accessible_name(window):
    kinds = (QLineEdit, QListView, QTextBrowser, QTreeWidget, QPushButton)
    unnamed = [
        w.objectName() or type(w).__name__
        for kind in kinds
        for w in window.findChildren(kind)
        if w.isVisibleTo(window) and not w.accessibleName()
    ]
    assert unnamed == []


def test_readme_screenshots_exist_and_the_script_that_makes_them():
    from conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", readme)
    assert len(images) >= 2
    for image in images:
        assert (REPO / image).stat().st_size > 10_000, image
    assert "python tools/screenshots.py" in readme and (REPO / "tools/screenshots.py").is_file()


def test_the_checklist_works_from_the_keyboard(qtbot, window):
    tree = window.checklist.tree
    tree.setFocus()
    tree.setCurrentItem(tree.topLevelItem(0).child(0))
    qtbot.keyClick(tree, Qt.Key.Key_Space)
    assert window.checklist.checked_ids() == ["dissociation"]
    qtbot.keyClick(tree, Qt.Key.Key_Space)
    assert window.checklist.checked_ids() == []


def test_integrity_problems_are_listed_as_text(qtbot, bundle):
    from ketadesk.records import Problem

    with Store.open(bundle, read_only=True) as library:
        w = MainWindow(
            library,
            settings=QSettings(str(paths.settings_file()), QSettings.Format.IniFormat),
            check_database=lambda: [Problem("x-entry", "html", "a <b>tag</b> in the text")],
        )
        qtbot.addWidget(w)
        shown = []
        w.show_message = lambda title, html: shown.append(html)
        w.check_integrity()
        assert "1 problem(s) found" in shown[0]
        assert "a &lt;b&gt;tag&lt;/b&gt; in the text" in shown[0]
        w.close()


# --- handouts from the window ----------------------------------------------------------------


def pdf_words(path) -> str:
    import unicodedata

    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    return " ".join(unicodedata.normalize("NFKC", text).split())


def test_handout_actions_wait_for_an_open_condition(window):
    for text in ("Print pre&view…", "&Print handout…", "&Export handout as PDF…"):
        assert not action(window, text).isEnabled()
    select(window, "major-depressive-disorder")
    for text in ("Print pre&view…", "&Print handout…", "&Export handout as PDF…"):
        assert action(window, text).isEnabled()


def test_export_handout_with_ticked_side_effects_and_the_clinic(window, tmp_path, monkeypatch):
    window.set_preferences(
        window.preferences.__class__(clinic="Riverside Clinic", phone="555 0100", paper="a4")
    )
    select(window, "post-traumatic-stress-disorder")
    window.checklist.set_checked("misuse-dependence")
    suggested = []
    target = tmp_path / "ptsd.pdf"

    def ask(path):
        suggested.append(path)
        return target

    monkeypatch.setattr(window, "ask_save_path", ask)
    action(window, "&Export handout as PDF…").trigger()
    today = dt.date.today().isoformat()
    assert suggested[0].name == f"post-traumatic-stress-disorder-handout-{today}.pdf"
    text = pdf_words(target)
    assert "Post-traumatic stress disorder: ketamine treatment" in text
    assert "Discussed with your clinician Wanting to use it outside treatment" in text
    assert "Clinic: Riverside Clinic" in text and "Page 1 of 1" in text
    assert f"Saved {target.name}" in window.statusBar().currentMessage()


def test_a_failed_export_says_why(window, tmp_path, monkeypatch, messages):
    select(window, "post-traumatic-stress-disorder")
    monkeypatch.setattr(window, "ask_save_path", lambda path: tmp_path / "gone" / "x.pdf")
    action(window, "&Export handout as PDF…").trigger()
    assert messages[0][0] == "Handout not saved"
    assert "does not exist" in messages[0][1]


def test_print_and_preview_paint_the_handout(window, tmp_path, monkeypatch):
    from PySide6.QtPrintSupport import QPrinter

    select(window, "obsessive-compulsive-disorder")
    window.set_preferences(window.preferences.__class__(treatment_day=True))
    painted = {}
    monkeypatch.setattr(window, "run_preview", lambda paint: painted.setdefault("preview", paint))
    monkeypatch.setattr(
        window, "run_print", lambda paint, title: painted.setdefault("print", (paint, title))
    )
    action(window, "Print pre&view…").trigger()
    action(window, "&Print handout…").trigger()
    paint, title = painted["print"]
    assert title == "Obsessive-compulsive disorder"
    for name, fn in (("preview", painted["preview"]), ("print", paint)):
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(tmp_path / f"{name}.pdf"))
        assert fn(printer) == [1, 1], "the condition's handout, then the treatment day"
        text = pdf_words(tmp_path / f"{name}.pdf")
        assert "Obsessive-compulsive disorder: ketamine treatment" in text
        assert "Your treatment day" in text


def test_export_several_handouts_in_one_go(window, tmp_path, monkeypatch):
    offered = []

    def choose(choices):
        offered.extend(choices)
        return ["treatment-day", "obsessive-compulsive-disorder", "substance-use-disorders"]

    monkeypatch.setattr(window, "ask_conditions", choose)
    monkeypatch.setattr(window, "ask_folder", lambda start: tmp_path)
    action(window, "Export several handouts as P&DF…").trigger()
    assert offered[0] == ("treatment-day", "Your treatment day (for every condition)")
    assert len(offered) == 8
    today = dt.date.today().isoformat()
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == [
        f"{i}-handout-{today}.pdf"
        for i in ("obsessive-compulsive-disorder", "substance-use-disorders", "treatment-day")
    ]


def test_print_several_handouts_is_one_job(window, tmp_path, monkeypatch):
    from PySide6.QtPrintSupport import QPrinter

    monkeypatch.setattr(
        window, "ask_conditions", lambda choices: ["generalised-anxiety-disorder", "treatment-day"]
    )
    jobs = []
    monkeypatch.setattr(window, "run_print", lambda paint, title: jobs.append((paint, title)))
    action(window, "Print &several handouts…").trigger()
    paint, title = jobs[0]
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "batch.pdf"))
    assert paint(printer) == [1, 1] and title == "Handouts"


def test_preferences_dialog_saves_and_the_next_start_remembers(qtbot, bundle, monkeypatch):
    from ketadesk.ui.dialogs import PreferencesDialog

    first = open_window(qtbot)

    def fill(current):
        dialog = PreferencesDialog(current, first)
        qtbot.addWidget(dialog)
        qtbot.keyClicks(dialog.clinic, "Harbour Clinic")
        qtbot.keyClicks(dialog.phone, "020 7946 0000")
        dialog.paper.setCurrentIndex(dialog.paper.findData("letter"))
        dialog.large_print.setChecked(True)
        return dialog.value()

    monkeypatch.setattr(first, "ask_preferences", fill)
    action(first, "&Preferences…").trigger()
    first.close()
    second = open_window(qtbot)
    prefs = second.preferences
    assert (prefs.clinic, prefs.phone, prefs.paper, prefs.large_print) == (
        "Harbour Clinic",
        "020 7946 0000",
        "letter",
        True,
    )
    options = second.handout_options()
    assert (options.paper, options.large_print, options.clinic) == (
        "letter",
        True,
        "Harbour Clinic",
    )


def test_the_qt_binding_does_not_drop_references_to_none(window, qtbot):
    """PySide6 6.12.0 lost a reference to None in QModelIndex.data() and QStandardItem.setData(),
    so on Python 3.11 a few thousand list updates crashed the process ("deallocating None").
    Typing many searches must leave None's reference count where it was."""
    import sys

    before = sys.getrefcount(None)
    for _ in range(40):
        for text in ("dep", "ptsd", "zzz", ""):
            window.search_edit.setText(text)
            window.refresh_now()
    header = window.model.index(0, 0)
    for _ in range(2000):
        header.data(ID_ROLE)
    assert sys.getrefcount(None) >= before - 50


def test_a_new_window_fits_the_screen(window):
    """A 1366×768 laptop lost the status bar and the checklist's buttons below its edge."""
    free = window.screen().availableGeometry()
    assert window.width() <= free.width() and window.height() <= free.height()


def test_the_export_folder_is_never_written_to_disk(qtbot, window, tmp_path, monkeypatch):
    """Review (reliability F13): a folder named after a patient was kept in settings.ini and
    in Qt's QtProject.conf."""
    from PySide6.QtCore import QSettings

    from ketadesk import paths
    from ketadesk.ui.main_window import forget_file_dialog_history

    folder = tmp_path / "Patients" / "Jane Doe 1970-01-01"
    folder.mkdir(parents=True)
    select(window, "post-traumatic-stress-disorder")
    suggested = []
    monkeypatch.setattr(
        window, "ask_save_path", lambda path: suggested.append(path) or folder / "h.pdf"
    )
    action(window, "&Export handout as PDF…").trigger()
    action(window, "&Export handout as PDF…").trigger()
    assert suggested[1].parent == folder, "the folder is remembered for the session"
    window.save_state()
    assert "Jane Doe" not in paths.settings_file().read_text(errors="replace")
    qt = QSettings(QSettings.Scope.UserScope, "QtProject")
    qt.setValue("FileDialog/lastVisited", folder.as_uri())
    qt.setValue("FileDialog/history", [folder.as_uri()])
    qt.sync()
    forget_file_dialog_history()
    qt.sync()
    assert qt.value("FileDialog/lastVisited") is None and qt.value("FileDialog/history") is None
