"""Where things live: the read-only resources (source checkout, installed package or frozen
bundle) and the user's writable data folder. No other module builds these paths."""

from __future__ import annotations

import os
import sys
from pathlib import Path

DATA_DIR_ENV = "KETADESK_DATA_DIR"
"""Overrides the per-user data folder (tests always set it to a temporary folder)."""


def resources_dir() -> Path:
    """The folder holding `ketadesk.db` and `content/`.

    A frozen bundle or a wheel carries it inside the package as `ketadesk/resources`; a source
    checkout keeps it at the top of the repository.
    """
    frozen_root = getattr(sys, "_MEIPASS", None)
    candidates = [Path(__file__).resolve().parent / "resources"]
    if frozen_root:
        candidates.insert(0, Path(frozen_root) / "ketadesk" / "resources")
    candidates.append(Path(__file__).resolve().parent.parent / "resources")
    return next((c for c in candidates if c.is_dir()), candidates[-1])


def bundled_db() -> Path:
    return resources_dir() / "ketadesk.db"


def icon_file(kind: str = "svg") -> Path:
    """The application icon: svg (the window), png, ico (Windows) or icns (macOS)."""
    return resources_dir() / "icons" / f"ketadesk.{kind}"


def content_dir() -> Path:
    return resources_dir() / "content"


def data_dir() -> Path:
    """The user's data folder: KETADESK_DATA_DIR, else the platform's per-user data folder."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("ketadesk", appauthor=False))


def settings_file() -> Path:
    """The window's remembered state (geometry, zoom, recent and favourite conditions): an INI
    file in the data folder, so KETADESK_DATA_DIR isolates it too. It never names a patient."""
    return data_dir() / "settings.ini"
