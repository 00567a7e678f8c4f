"""Version constants shared by the build (which writes the schema) and the store (reads it)."""

from __future__ import annotations

SCHEMA_VERSION = 3
"""Stored in `PRAGMA user_version` and in the `meta` table; bump with every schema change.

History: 1, first release; 2, adds the `handouts` table (general patient handouts); 3, makes
entries editable: `conditions` gains retired / local / base_hash / pending, and a `revisions`
table keeps each entry's history.
"""

SEARCH_TOKENIZER = "porter unicode61 remove_diacritics 2"
"""FTS5 tokenizer: English stemming ("depressive" finds "depression"), accents folded."""

SEARCH_INDEX = (
    "CREATE VIRTUAL TABLE search_docs_fts USING fts5(name, aliases, text,"
    " content='search_docs', content_rowid='num',"
    f" tokenize='{SEARCH_TOKENIZER}', prefix='1 2', detail=column)"
)
"""The full-text index over `search_docs` (external content: the text is stored once).

- Prefix indexes for one and two letters make the first letters typed ("d"*, "de"*) a lookup
  rather than a scan of the vocabulary. From three letters on the scan is short enough: a third
  prefix index made no keystroke faster at 10,000 entries, and made every rebuild 30 % slower.
- `detail=column` keeps which column each term is in, not its positions. Search uses only
  prefix terms and column filters (no phrases, no NEAR) and makes its snippets itself, so the
  positions were never read; without them a rebuild takes half the time. bm25 still weighs
  columns and rare terms; a term repeated within one section counts once.

The build creates it, and store.reindex(search=True) creates it again, so a working copy
takes the current definition at its next bulk write (an import, an upgrade).
"""
