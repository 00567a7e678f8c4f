"""Turns what a person typed into a safe FTS5 query. Pure: no SQL is run here.

Raw text is never passed to MATCH: quotes, brackets, `AND`/`OR`/`NOT`/`NEAR`, `*`, `-` and
column filters are FTS5 syntax and would raise errors or change the meaning. Instead every word
becomes a quoted prefix term, so typing "post-trau" finds "post-traumatic" and "PTSD" finds the
entry whose abbreviations include it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TypeVar

from . import markup
from .records import Condition

T = TypeVar("T")

MAX_TERMS = 16
"""Longer input keeps its first 16 words: enough for any real query, bounded for pasted text."""

MAX_TERM_LENGTH = 64

_WORD = re.compile(r"[^\W_]+")


def fts_query(text: str) -> str | None:
    """The FTS5 MATCH expression for `text`, or None when nothing searchable was typed.

    >>> fts_query("post-traumatic stress")
    '"post"* "traumatic"* "stress"*'
    >>> fts_query('NOT "x" OR (y)*')
    '"not"* "x"* "or"* "y"*'
    >>> fts_query("  -*()  ") is None
    True
    """
    words = _WORD.findall(text.casefold())[:MAX_TERMS]
    return " ".join(f'"{w[:MAX_TERM_LENGTH]}"*' for w in words) or None


def exact_name_first(hits: list[T], text: str, names: Callable[[T], Iterable[str]]) -> list[T]:
    """Move hits whose name or abbreviation is exactly what was typed to the front, keeping
    the ranking otherwise. bm25 alone can rank "MDD" in another entry's synonym above the
    entry whose abbreviation it is.

    >>> exact_name_first(["a", "b"], "mdd", {"a": ["x"], "b": ["MDD"]}.get)
    ['b', 'a']
    """
    typed = " ".join(_WORD.findall(text.casefold()))
    if not typed:
        return hits

    def exact(hit: T) -> bool:
        return any(" ".join(_WORD.findall(n.casefold())) == typed for n in names(hit))

    return sorted(hits, key=lambda h: not exact(h))


def search_rows(c: Condition) -> list[dict[str, object]]:
    """The full-text documents for one condition: its names, each section, its side effects.

    `num`, an explicit INTEGER PRIMARY KEY (the FTS index joins on it), is left to SQLite,
    which numbers rows in insertion order.
    """
    rows: list[dict[str, object]] = [
        {
            "section": "Name",
            "name": c.name,
            "aliases": " · ".join(c.abbreviations + c.synonyms + c.keywords),
            "text": "",
        },
    ]
    rows += [
        {"section": s.title, "name": "", "aliases": "", "text": markup.plain_text(s.markdown)}
        for s in c.sections
    ]
    if c.side_effects:
        text = " · ".join(
            markup.plain_text(f"{link.side_effect.name}. {link.note}") for link in c.side_effects
        )
        rows.append({"section": "Side effects", "name": "", "aliases": "", "text": text})
    return [{"num": None, "condition_id": c.id, **row} for row in rows]
