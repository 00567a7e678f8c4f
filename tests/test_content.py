"""The bundled clinical content: complete, within the rules, and written in our own words."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import REPO

from ketadesk import checks, content, markup, paths, rules
from ketadesk.readability import MAX_HANDOUT_GRADE, reading_grade
from ketadesk.render import handout_markdown
from ketadesk.store import Store

sys.path.insert(0, str(REPO / "tools"))
from source_shingles import runs

EXPECTED = {
    "Mood": {
        "treatment-resistant-depression",
        "major-depressive-disorder",
        "bipolar-depression",
        "acute-suicidal-ideation",
    },
    "Trauma and anxiety": {
        "post-traumatic-stress-disorder",
        "generalised-anxiety-disorder",
        "social-anxiety-disorder",
        "panic-disorder",
        "obsessive-compulsive-disorder",
    },
    "Substance use": {"alcohol-use-disorder", "opioid-use-disorder", "cocaine-use-disorder"},
    "Pain": {
        "chronic-pain-central-sensitisation",
        "neuropathic-pain",
        "complex-regional-pain-syndrome",
        "fibromyalgia",
    },
    "Anaesthesia and procedural sedation": {"anaesthesia-and-procedural-sedation"},
}
"""Every use of ketamine and esketamine that the source articles discuss, by category."""

CATALOGUE_MUST_COVER = {
    "dissociation",
    "emergence-reactions",
    "blood-pressure-heart-rate",
    "nausea-vomiting",
    "dizziness",
    "sedation",
    "headache",
    "anxiety-agitation",
    "blurred-vision",
    "impaired-driving",
    "misuse-dependence",
    "urinary-tract",
    "liver-injury",
    "memory-attention",
}


@pytest.fixture(scope="module")
def bundled() -> content.ContentSet:
    return content.load(paths.content_dir())


@pytest.fixture(scope="module")
def bundled_store():
    with Store.open(paths.bundled_db(), read_only=True) as store:
        yield store


def test_every_condition_from_the_sources_is_there_in_its_category(bundled):
    found: dict[str, set[str]] = {}
    for c in bundled.conditions:
        found.setdefault(c.category, set()).add(c.id)
    assert found == EXPECTED
    assert list(bundled.meta.categories) == list(EXPECTED)


def test_readme_lists_every_condition_with_its_grade(bundled):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for c in bundled.conditions:
        assert f"| {c.name} | `{c.id}` | {c.category} | {c.grade} |" in readme, c.id


def test_bundled_database_passes_every_content_rule(bundled_store):
    assert checks.check_store(bundled_store) == []


def test_side_effect_catalogue_is_complete(bundled):
    ids = {s.id for s in bundled.side_effects}
    assert len(ids) >= 15
    assert ids >= CATALOGUE_MUST_COVER
    timings = {s.timing for s in bundled.side_effects}
    assert timings == {"during", "hours-after", "repeated-use"}


def test_every_handout_reads_at_grade_six_or_lower(bundled):
    handouts = {
        c.id: next(s for s in c.sections if s.title == "Patient handout").markdown
        for c in bundled.conditions
    }
    handouts |= {h.id: h.markdown for h in bundled.handouts}
    grades = {hid: reading_grade(text) for hid, text in handouts.items()}
    assert "treatment-day" in grades
    assert max(grades.values()) <= MAX_HANDOUT_GRADE, grades


def test_every_entry_states_its_regulatory_status_and_review_date(bundled):
    for c in bundled.conditions:
        assert c.last_reviewed is not None
        status = c.regulatory_summary.lower()
        assert "off-label" in status or "approved" in status or "licensed" in status, c.id


def test_every_reference_in_the_catalogue_is_cited_somewhere(bundled):
    cited = {r.id for c in bundled.conditions for r in c.references}
    for s in bundled.side_effects:
        cited |= set(markup.cited_ids(" ".join((s.watch_for, s.frequency, s.action))))
    cited |= {ref for h in bundled.handouts for ref in h.based_on}
    unused = sorted({r.id for r in bundled.references} - cited)
    assert unused == [], "references nobody cites clutter the catalogue"


def _fingerprints() -> set[str]:
    path = Path(__file__).parent / "data" / "source-shingles.txt"
    return set(path.read_text(encoding="utf-8").split())


def _copied(texts: dict[str, str], fingerprints: set[str]) -> list[str]:
    return [
        f"{name}: {run}"
        for name, text in texts.items()
        for digest, run in runs(text)
        if digest in fingerprints
    ]


def test_no_seven_word_run_is_copied_from_the_source_articles():
    """Facts carry over from the articles, wording never does (see tools/source_shingles.py)."""
    fingerprints = _fingerprints()
    assert len(fingerprints) > 1000, "the fingerprint file is missing or empty"
    texts = {
        p.name: p.read_text(encoding="utf-8") for p in content.source_files(paths.content_dir())
    }
    assert _copied(texts, fingerprints) == []


def test_a_copied_run_is_caught_whatever_its_case_and_punctuation():
    article = "Ketamine, first used in anaesthesia, now helps some people with depression."
    fingerprints = {digest for digest, _ in runs(article)}
    ours = "In short: *ketamine* — first used in ANAESTHESIA — now helps some people [@x]."
    assert _copied({"entry.md": ours}, fingerprints) == [
        "entry.md: ketamine first used in anaesthesia now helps",
        "entry.md: first used in anaesthesia now helps some",
        "entry.md: used in anaesthesia now helps some people",
    ]
    assert _copied({"entry.md": "Ketamine was first an anaesthetic."}, fingerprints) == []


def test_handout_documents_carry_the_reminder(bundled):
    for h in bundled.handouts:
        assert "does not take the place" in handout_markdown(h)


def _emergency_section(markdown: str) -> str:
    start = markdown.index("### When to get emergency help")
    end = markdown.find("\n### ", start + 1)
    return markdown[start:] if end < 0 else markdown[start:end]


def test_every_handout_names_a_crisis_line_where_it_says_when_to_get_emergency_help(bundled):
    """A reader with thoughts of suicide finds 988 (or a crisis line) in the emergency section."""
    handouts = {
        c.id: next(s for s in c.sections if s.title == "Patient handout").markdown
        for c in bundled.conditions
    }
    handouts |= {h.id: h.markdown for h in bundled.handouts}
    missing = [hid for hid, text in handouts.items() if "988" not in _emergency_section(text)]
    assert missing == []


def test_a_handout_without_a_crisis_line_is_refused(bundled):
    """The rule applies to a condition's handout and to a general handout; the message says what
    to write, and a crisis line named only outside the emergency section does not count."""
    condition = next(c for c in bundled.conditions if c.id == "treatment-resistant-depression")
    handout = next(s for s in condition.sections if s.title == "Patient handout")
    emergency = _emergency_section(handout.markdown)
    stripped = handout.markdown.replace(emergency, "### When to get emergency help\n\nCall 911.\n")
    assert "988" in stripped  # still named elsewhere (the other sections), which is not enough
    sections = tuple(
        replace(s, markdown=stripped) if s is handout else s for s in condition.sections
    )
    kwargs = {
        "categories": bundled.meta.categories,
        "reference_ids": {r.id for r in bundled.references},
        "condition_ids": {c.id for c in bundled.conditions},
    }
    assert rules.check_condition(condition, **kwargs) == []
    problems = rules.check_condition(replace(condition, sections=sections), **kwargs)
    assert [p.field for p in problems] == ["section:Patient handout:crisis-line"]
    assert "names no crisis line (write 988 or 'crisis line')" in problems[0].message

    day = next(h for h in bundled.handouts if h.id == "treatment-day")
    assert rules.check_handout(day) == []
    no_line = day.markdown.replace(
        _emergency_section(day.markdown), "### When to get emergency help\n\nCall 911.\n"
    )
    assert [p.field for p in rules.check_handout(replace(day, markdown=no_line))] == [
        "section:Patient handout:crisis-line"
    ]
    abroad = no_line.replace("Call 911.", "Call your local crisis line.")
    assert rules.check_handout(replace(day, markdown=abroad)) == []
