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
