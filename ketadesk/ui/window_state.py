"""The window's remembered state, read defensively: a damaged, foreign or hand-edited settings
file gives defaults, never an exception. Holds layout and condition ids only, never a patient.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

log = logging.getLogger(__name__)

MAX_RECENT = 8


@dataclass(frozen=True)
class HandoutPreferences:
    """What Preferences sets once for every handout. Clinic details only, never a patient's."""

    clinic: str = ""
    phone: str = ""
    paper: str = ""
    """"a4", "letter", or "" for the locale's default."""
    large_print: bool = False
    references: bool = False
    treatment_day: bool = False
    """Print the general treatment-day handout after a condition's handout."""
    editor: str = ""
    """Your name, recorded with each edit in the entry's history."""


def open_settings(path: Path) -> QSettings:
    """The settings file; one that cannot be parsed is kept aside (renamed, never deleted)."""
    settings = QSettings(str(path), QSettings.Format.IniFormat)
    if settings.status() != QSettings.Status.NoError and path.exists():
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        kept = path.with_name(f"{path.name}.damaged-{stamp}")
        try:
            os.replace(path, kept)
            log.warning("settings file %s could not be read; kept as %s", path, kept.name)
        except OSError as exc:
            log.warning("settings file %s could not be read or moved: %s", path, exc)
        settings = QSettings(str(path), QSettings.Format.IniFormat)
    return settings


class WindowState:
    """Typed access to the few values the window remembers."""

    def __init__(self, settings: QSettings):
        self._s = settings

    def blob(self, key: str) -> QByteArray | None:
        value = self._s.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def number(self, key: str, default: int, low: int, high: int) -> int:
        try:
            value = int(self._s.value(key, default))
        except (TypeError, ValueError):
            return default
        return value if low <= value <= high else default

    def flag(self, key: str, default: bool = False) -> bool:
        value = self._s.value(key, default)
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        return default

    def text(self, key: str) -> str:
        value = self._s.value(key, "")
        return value if isinstance(value, str) else ""

    def texts(self, key: str) -> list[str]:
        value = self._s.value(key, [])
        if isinstance(value, str):
            value = [value] if value else []
        if not isinstance(value, list):
            return []
        return [v for v in value if isinstance(v, str) and v][: MAX_RECENT * 4]

    def set(self, key: str, value: object) -> None:
        self._s.setValue(key, value)

    def sync(self) -> None:
        self._s.sync()


def remember(recent: list[str], condition_id: str) -> list[str]:
    """The recent list after opening `condition_id`: newest first, no repeats, bounded.

    >>> remember(["b", "a"], "a")
    ['a', 'b']
    """
    return [condition_id, *[c for c in recent if c != condition_id]][:MAX_RECENT]
