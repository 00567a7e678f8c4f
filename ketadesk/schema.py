"""Version constants shared by the build (which writes the schema) and the store (reads it)."""

from __future__ import annotations

SCHEMA_VERSION = 1
"""Stored in `PRAGMA user_version` and in the `meta` table; bump with every schema change."""

SEARCH_TOKENIZER = "porter unicode61 remove_diacritics 2"
"""FTS5 tokenizer: English stemming ("depressive" finds "depression"), accents folded."""
