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


class DamagedEntryError(StoreError):
    """One entry's stored values cannot be read (a bad value inside a row, which SQLite's own
    integrity check does not see); the rest of the database is usable."""


RESTORE_HINT = (
    "restore a backup (Database → Backups…, or 'ketadesk db restore') or reset to the bundled "
    "content (Database → Reset…, or 'ketadesk db reset')"
)
