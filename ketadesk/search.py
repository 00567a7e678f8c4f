"""Turns what a person typed into a safe FTS5 query. Pure: no SQL is run here.

Raw text is never passed to MATCH: quotes, brackets, `AND`/`OR`/`NOT`/`NEAR`, `*`, `-` and
column filters are FTS5 syntax and would raise errors or change the meaning. Instead every word
becomes a quoted prefix term, so typing "post-trau" finds "post-traumatic" and "PTSD" finds the
entry whose abbreviations include it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from . import markup
from .records import Condition, SnippetPart

T = TypeVar("T")

MAX_TERMS = 16
"""Longer input keeps its first 16 words: enough for any real query, bounded for pasted text."""

MAX_TERM_LENGTH = 64

BROAD_MATCHES = 1000
"""Above this many matching documents a query is "broad": ranked in tiers by list order rather
than by bm25, whose cost grows with the number of matches."""

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


def search_rows(
    c: Condition, *, plain_texts: Sequence[str] | None = None
) -> list[dict[str, object]]:
    """The full-text documents for one condition: its names, each section, its side effects.

    `num`, an explicit INTEGER PRIMARY KEY (the FTS index joins on it), is left to SQLite,
    which numbers rows in insertion order. `plain_texts` are the sections' plain texts, in
    order, when the caller has them already.
    """
    if plain_texts is None:
        plain_texts = [markup.plain_text(s.markdown) for s in c.sections]
    rows: list[dict[str, object]] = [
        {
            "section": "Name",
            "name": c.name,
            "aliases": " · ".join(c.abbreviations + c.synonyms + c.keywords),
            "text": "",
        },
    ]
    rows += [
        {"section": s.title, "name": "", "aliases": "", "text": text}
        for s, text in zip(c.sections, plain_texts, strict=True)
    ]
    if c.side_effects:
        text = " · ".join(
            markup.plain_text(f"{link.side_effect.name}. {link.note}") for link in c.side_effects
        )
        rows.append({"section": "Side effects", "name": "", "aliases": "", "text": text})
    return [{"num": None, "condition_id": c.id, **row} for row in rows]


def _fold(word: str) -> str:
    """Case and accents folded, as the index folds them.

    >>> _fold("Ménière")
    'meniere'
    """
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def snippet(text: str, typed: str, *, words: int = 12) -> tuple[SnippetPart, ...]:
    """A short window of `text` around the first word that starts with a typed word, the
    matching words marked. Made in Python from the stored text: FTS5's snippet() would walk the
    whole posting list of a common word for every hit.

    >>> [(p.text, p.matched) for p in snippet("Ketamine eases pain quickly", "pain")]
    [('Ketamine eases ', False), ('pain', True), (' quickly', False)]
    """
    wanted = [_fold(w) for w in _WORD.findall(typed)]
    tokens = list(_WORD.finditer(text))
    if not tokens:
        return ()

    def hit(m: re.Match[str]) -> bool:
        folded = _fold(m.group())
        return any(folded.startswith(w) for w in wanted)

    first = next((i for i, m in enumerate(tokens) if hit(m)), 0)
    start = max(0, first - 3)
    end = min(len(tokens), start + words)
    parts: list[SnippetPart] = []
    if start > 0:
        parts.append(SnippetPart("…", False))
    cursor = tokens[start].start()
    for m in tokens[start:end]:
        if hit(m):
            if m.start() > cursor:
                parts.append(SnippetPart(text[cursor : m.start()], False))
            parts.append(SnippetPart(m.group(), True))
            cursor = m.end()
    stop = len(text) if end == len(tokens) else tokens[end - 1].end()
    tail = text[cursor:stop].rstrip()
    if tail:
        parts.append(SnippetPart(tail, False))
    if end < len(tokens):
        parts.append(SnippetPart("…", False))
    return tuple(_merge(parts))


def _merge(parts: list[SnippetPart]) -> list[SnippetPart]:
    merged: list[SnippetPart] = []
    for part in parts:
        if merged and merged[-1].matched == part.matched:
            merged[-1] = SnippetPart(merged[-1].text + part.text, part.matched)
        else:
            merged.append(part)
    return merged
