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
