"""Search: abbreviations and synonyms resolve, prefixes match, snippets show why, nothing breaks."""

from __future__ import annotations

import pytest
from conftest import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ketadesk.search import MAX_TERMS, fts_query
from ketadesk.store import Store


def top_ids(store: Store, text: str) -> list[str]:
    return [hit.condition.id for hit in store.search(text)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("PTSD", "post-traumatic-stress-disorder"),
        ("ptsd", "post-traumatic-stress-disorder"),
        ("TRD", "treatment-resistant-depression"),
        ("MDD", "major-depressive-disorder"),
        ("GAD", "generalised-anxiety-disorder"),
        ("OCD", "obsessive-compulsive-disorder"),
        ("CRPS", "complex-regional-pain-syndrome"),
        ("SUD", "substance-use-disorders"),
        ("post-traumatic stress", "post-traumatic-stress-disorder"),
        ("generalized anxiety", "generalised-anxiety-disorder"),
        ("addiction", "substance-use-disorders"),
    ],
)
def test_abbreviations_and_synonyms_resolve(fixture_store, query, expected):
    assert top_ids(fixture_store, query)[0] == expected


def test_a_common_word_finds_every_entry_that_uses_it(fixture_store):
    ids = top_ids(fixture_store, "depression")
    assert ids[:2] == ["major-depressive-disorder", "treatment-resistant-depression"]


def test_stemming_matches_word_forms(fixture_store):
    assert "major-depressive-disorder" in top_ids(fixture_store, "depressive")
    assert "complex-regional-pain-syndrome" in top_ids(fixture_store, "infusion")


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("post-trau", "post-traumatic-stress-disorder"),
        ("obsess", "obsessive-compulsive-disorder"),
        ("compl reg", "complex-regional-pain-syndrome"),
        ("allodyn", "complex-regional-pain-syndrome"),
    ],
)
def test_prefixes_match_for_type_ahead(fixture_store, prefix, expected):
    assert top_ids(fixture_store, prefix)[0] == expected


def test_a_word_only_in_a_section_finds_its_entry_and_says_where(fixture_store):
    hits = fixture_store.search("allodynia")
    assert [h.condition.id for h in hits] == ["complex-regional-pain-syndrome"]
    assert hits[0].section == "Summary"
    assert [p.text for p in hits[0].snippet if p.matched] == ["Allodynia"]
    assert "Allodynia responds to infusions" in hits[0].snippet_text


def test_name_matches_rank_before_body_matches(fixture_store):
    # "anxiety" is GAD's name; no other entry mentions it
    hits = fixture_store.search("anxiety")
    assert hits[0].condition.id == "generalised-anxiety-disorder"
    assert hits[0].section == "Name"


def test_side_effect_text_finds_its_condition(fixture_store):
    hits = fixture_store.search("dissociation")
    assert len(hits) == 7 and {h.section for h in hits} == {"Side effects"}


def test_results_carry_what_the_list_shows(fixture_store):
    hit = fixture_store.search("OCD")[0]
    assert (hit.condition.name, hit.condition.category, hit.condition.grade) == (
        "Obsessive-compulsive disorder",
        "Trauma and anxiety",
        "low",
    )


def test_limit_bounds_the_results(fixture_store):
    assert len(fixture_store.search("trial", limit=3)) == 3


def test_bundled_content_resolves_its_abbreviations():
    with Store.open(REPO / "resources" / "ketadesk.db", read_only=True) as store:
        assert top_ids(store, "PTSD")[0] == "post-traumatic-stress-disorder"
        assert top_ids(store, "TRD")[0] == "treatment-resistant-depression"
        # a product name finds the entries it is approved for, before those that mention it
        approved = {
            "treatment-resistant-depression",
            "acute-suicidal-ideation",
            "major-depressive-disorder",
        }
        assert set(top_ids(store, "esketamine nasal")[:3]) == approved
        assert set(top_ids(store, "spravato")[:3]) == approved
        assert top_ids(store, "Ketalar")[0] == "anaesthesia-and-procedural-sedation"
        assert top_ids(store, "MDD")[0] == "major-depressive-disorder"
        assert top_ids(store, "OCD")[0] == "obsessive-compulsive-disorder"
        assert top_ids(store, "CRPS")[0] == "complex-regional-pain-syndrome"
        assert top_ids(store, "nerve pain")[0] == "neuropathic-pain"
        assert top_ids(store, "procedural sedation")[0] == "anaesthesia-and-procedural-sedation"


HOSTILE = [
    '"',
    '""',
    '"unbalanced',
    "'",
    "crohn's",
    "post-operative",
    "a.b",
    "(",
    ")",
    "()",
    "[x]",
    "{}",
    "AND",
    "OR",
    "NOT",
    "NEAR",
    "NEAR(a b, 2)",
    "a AND",
    "NOT x",
    "x OR",
    "*",
    "**",
    "a*",
    "*a",
    "-",
    "--",
    "-x",
    "^x",
    "x:y",
    "name:ptsd",
    "conditions:1",
    "+",
    "\\",
    "%",
    "_",
    "é",
    "😀",
    "🧠 depression 💊",
    "\x00",
    "\n\t",
    "   ",
    "",
    "ＰＴＳＤ",
    "ß",
    "İ",
    "ﬁ",
    "a" * 10_000,
    "PTSD " * 2_000,
    "(" * 10_000,
    '"' * 9_999,
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_returns_results_or_none(fixture_store, text):
    assert isinstance(fixture_store.search(text), list)


def test_full_width_and_case_variants_still_find_the_entry(fixture_store):
    assert top_ids(fixture_store, "ptsd   ")[0] == "post-traumatic-stress-disorder"
    assert top_ids(fixture_store, '"PTSD"')[0] == "post-traumatic-stress-disorder"
    assert top_ids(fixture_store, "(PTSD)*")[0] == "post-traumatic-stress-disorder"


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.text(max_size=300)
    | st.lists(
        st.sampled_from(
            [
                '"',
                "(",
                ")",
                "*",
                "-",
                "^",
                ":",
                "AND",
                "OR",
                "NOT",
                "NEAR",
                "ptsd",
                "dep",
                " ",
                "😀",
            ]
        )
    ).map("".join)
)
def test_any_typed_string_is_safe(fixture_store, text):
    hits = fixture_store.search(text)
    assert all(h.condition.id for h in hits)


@given(st.text())
def test_query_builder_only_emits_quoted_prefix_terms(text):
    query = fts_query(text)
    if query is not None:
        terms = query.split(" ")
        assert 1 <= len(terms) <= MAX_TERMS
        assert all(t.startswith('"') and t.endswith('"*') and '"' not in t[1:-2] for t in terms)
