"""Turns what a person typed into a safe FTS5 query. Pure: no SQL is run here.

Raw text is never passed to MATCH: quotes, brackets, `AND`/`OR`/`NOT`/`NEAR`, `*`, `-` and
column filters are FTS5 syntax and would raise errors or change the meaning. Instead every word
becomes a quoted prefix term, so typing "post-trau" finds "post-traumatic" and "PTSD" finds the
entry whose abbreviations include it.
"""

from __future__ import annotations

import re

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
