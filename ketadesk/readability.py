"""Reading level of patient-facing text (Flesch–Kincaid grade, computed by textstat).

Handouts are Markdown with headings and bullet lists. Read aloud, each heading and each list
item is its own unit, so each becomes its own sentence before the grade is computed; otherwise
a list without full stops would count as one very long sentence.
"""

from __future__ import annotations

import re

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
    import textstat  # imported when first needed: it takes ~40 ms, off the start-up path

    text = handout_sentences(markdown)
    if not text:
        return 0.0
    return round(float(textstat.flesch_kincaid_grade(text)), 1)
