"""Widgets only: they show state and emit intent; no SQL and no clinical logic."""
