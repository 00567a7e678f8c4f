"""Rendering never raises and never runs unbounded: hostile sections are shown as plain text."""

import pytest

from ketadesk import render

HOSTILE = {
    "nested dashes": "- " * 20000 + "x",
    "nested stars": "* " * 20000 + "x",
    "nested numbers": "1. " * 15000 + "x",
    "nested quotes": "> " * 20000 + "x",
    "unmatched brackets": "[" * 29999 + "x" + "]" * 29999,
    "open links": "[a](" * 5000,
    "emphasis run": "*" * 60000,
    "emphasis pairs": "*a" * 30000,
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_section_is_shown_as_plain_text_with_a_notice(text):
    html = render.markdown_html(text)
    assert render.PLAIN_TEXT_NOTICE in html
    assert "<script" not in html


def test_plain_text_fallback_escapes_html():
    html = render.markdown_html("<b>x</b> " + "[" * 300)
    assert "&lt;b&gt;" in html and "<b>x</b>" not in html


def test_a_renderer_failure_falls_back_to_plain_text(monkeypatch):
    def boom(text):
        raise RecursionError("deep")

    monkeypatch.setattr(render, "_markdown_html", boom)
    assert render.PLAIN_TEXT_NOTICE in render.markdown_html("**fine**")


def test_ordinary_content_is_still_formatted():
    html = render.markdown_html("- a\n  - b\n\n> quote with [link](condition:x) and *em*")
    assert render.PLAIN_TEXT_NOTICE not in html
    assert "<ul>" in html and "<blockquote>" in html and "<em>em</em>" in html


def test_the_window_starts_with_a_hostile_last_entry_and_shows_it_as_plain_text(
    qtbot, bundle, working, data_dir
):
    """Review (reliability F4): an entry with 20,000 nested list markers, once the last entry
    opened, stopped the app from starting again."""
    import dataclasses

    from ketadesk import app, paths
    from ketadesk.records import Section

    condition = working.get_condition("major-depressive-disorder")
    hostile = tuple(
        Section(s.title, "- " * 20000 + "x") if s.title == "Mechanism" else s
        for s in condition.sections
    )
    with working.transaction():
        working.put_condition(
            dataclasses.replace(condition, sections=hostile), local=True, base_hash=""
        )
    paths.settings_file().write_text("[General]\nlast_condition=major-depressive-disorder\n")
    window = app.create_window()
    qtbot.addWidget(window)
    assert window.current_condition.id == "major-depressive-disorder"
    assert render.PLAIN_TEXT_NOTICE in window.detail.toPlainText()


def test_the_content_rules_refuse_what_cannot_be_formatted():
    from ketadesk import rules
    from ketadesk.records import Handout

    handout = Handout("x", "X", None, "Plain words.\n\n" + "> " * 50 + "deep")
    problems = rules.check_handout(handout)
    assert any("cannot be formatted safely" in p.message for p in problems)
