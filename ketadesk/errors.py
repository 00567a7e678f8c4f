"""The errors the core raises for a person to read: one clear sentence each.

Kept apart from store.py so that widgets can catch them without importing the store.
"""

from __future__ import annotations


class StoreError(Exception):
    """A database problem to show a person as one clear sentence."""


class NotFoundError(StoreError):
    """No condition has the requested id."""


class UnreadableDatabaseError(StoreError):
    """The file is missing, corrupt, or not a ketadesk database."""


class OlderSchemaError(UnreadableDatabaseError):
    """A ketadesk database from an earlier version: readable by that version, not by this one."""


class DatabaseBusyError(StoreError):
    """Another ketadesk holds the database for writing and did not let go in time."""
