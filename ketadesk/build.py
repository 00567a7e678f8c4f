"""Compiles the text content into the bundled SQLite database, deterministically.

The same sources always give a byte-identical file (on the same SQLite version): rows are
inserted in a fixed order, nothing time- or machine-dependent is stored, and the file is
VACUUMed in rollback-journal mode. The database is written to a temporary file and renamed
into place, so a failed build never leaves a half-written database behind.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

from . import content, entries, markup, search
from .records import SECTION_TITLES, TIMINGS, Condition
from .schema import SCHEMA_VERSION, SEARCH_INDEX

if TYPE_CHECKING:
    import sqlite_utils

log = logging.getLogger(__name__)


def build(content_dir: Path, output: Path) -> content.ContentSet:
    """Read and validate the sources, then write the database to `output`.

    Raises content.ContentError (with file, line and reason) before anything is written.
    """
    data = content.load(content_dir)
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".ketadesk-build-", suffix=".db", dir=output.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        tmp.unlink()
        _write(data, tmp)
        os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)
    log.info("built %s from %s (%d conditions)", output, content_dir, len(data.conditions))
    return data


def _write(data: content.ContentSet, path: Path) -> None:
    import sqlite_utils  # imported here: it is slow to import and only the build needs it

    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("PRAGMA page_size=4096")
        db = sqlite_utils.Database(conn)
        with db.atomic():
            _tables(db, data)
        db.execute(SEARCH_INDEX)  # see schema.SEARCH_INDEX
        db.execute("INSERT INTO search_docs_fts(search_docs_fts) VALUES('rebuild')")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("INSERT INTO search_docs_fts(search_docs_fts) VALUES('optimize')")
        db.vacuum()


def _tables(db: sqlite_utils.Database, data: content.ContentSet) -> None:
    meta = data.meta
    db["meta"].insert_all(
        [
            {"key": "schema_version", "value": str(SCHEMA_VERSION)},
            {"key": "content_version", "value": meta.content_version},
            {"key": "content_date", "value": meta.content_date.isoformat()},
            {"key": "source_hash", "value": data.source_hash},
        ],
        pk="key",
    )
    db["categories"].insert_all(
        [{"name": name, "position": i} for i, name in enumerate(meta.categories)], pk="name"
    )
    db["references"].insert_all(
        [
            {
                "id": r.id,
                "kind": r.kind,
                "authors": r.authors,
                "year": r.year,
                "title": r.title,
                "source": r.source,
                "details": r.details,
                "design": r.design,
                "participants": r.participants,
                "doi": r.doi,
                "pmid": r.pmid,
                "verified": int(r.verified),
                "verification_note": r.verification_note,
            }
            for r in data.references
        ],
        pk="id",
        columns={"participants": int},
    )
    db["side_effects"].insert_all(
        [
            {
                "id": s.id,
                "name": s.name,
                "plain_name": s.plain_name,
                "timing": s.timing,
                "timing_order": TIMINGS.index(s.timing),
                "position": i,
                "watch_for": s.watch_for,
                "frequency": s.frequency,
                "action": s.action,
            }
            for i, s in enumerate(data.side_effects)
        ],
        pk="id",
    )
    db["conditions"].insert_all(
        [_condition_row(c, i) for i, c in enumerate(data.conditions)],
        pk="id",
        foreign_keys=[("category", "categories", "name")],
    )
    db["sections"].insert_all(
        [
            {
                "condition_id": c.id,
                "position": SECTION_TITLES.index(s.title),
                "key": s.key,
                "title": s.title,
                "markdown": s.markdown,
            }
            for c in data.conditions
            for s in c.sections
        ],
        pk=("condition_id", "key"),
        foreign_keys=[("condition_id", "conditions", "id")],
    )
    db["condition_references"].insert_all(
        [
            {"condition_id": c.id, "reference_id": r.id, "number": n}
            for c in data.conditions
            for n, r in enumerate(c.references, start=1)
        ],
        pk=("condition_id", "reference_id"),
        foreign_keys=[("condition_id", "conditions", "id"), ("reference_id", "references", "id")],
    )
    db["condition_side_effects"].insert_all(
        [
            {
                "condition_id": c.id,
                "side_effect_id": link.side_effect.id,
                "position": i,
                "key": int(link.key),
                "note": link.note,
            }
            for c in data.conditions
            for i, link in enumerate(c.side_effects)
        ],
        pk=("condition_id", "side_effect_id"),
        foreign_keys=[
            ("condition_id", "conditions", "id"),
            ("side_effect_id", "side_effects", "id"),
        ],
        columns={
            "condition_id": str,
            "side_effect_id": str,
            "position": int,
            "key": int,
            "note": str,
        },
    )
    db["side_effect_references"].insert_all(
        [
            {"side_effect_id": s.id, "reference_id": ref_id, "number": n}
            for s in data.side_effects
            for n, ref_id in enumerate(
                markup.cited_ids("\n".join((s.watch_for, s.frequency, s.action))), start=1
            )
        ],
        pk=("side_effect_id", "reference_id"),
        foreign_keys=[
            ("side_effect_id", "side_effects", "id"),
            ("reference_id", "references", "id"),
        ],
        columns={"side_effect_id": str, "reference_id": str, "number": int},
    )
    db["handouts"].create(
        {"id": str, "title": str, "last_reviewed": str, "markdown": str, "based_on": str},
        pk="id",
    )
    db["handouts"].insert_all(
        [
            {
                "id": h.id,
                "title": h.title,
                "last_reviewed": h.last_reviewed.isoformat() if h.last_reviewed else None,
                "markdown": h.markdown,
                "based_on": json.dumps(h.based_on),
            }
            for h in data.handouts
        ],
        pk="id",
    )
    db["search_docs"].insert_all(
        [row for c in data.conditions for row in search.search_rows(c)],
        pk="num",
        columns={
            "num": int,
            "condition_id": str,
            "section": str,
            "name": str,
            "aliases": str,
            "text": str,
        },
    )
    db["revisions"].create(
        {
            "id": int,
            "condition_id": str,
            "at": str,
            "editor": str,
            "action": str,
            "summary": str,
            "entry": str,
        },
        pk="id",
        not_null={"condition_id", "at", "action", "entry"},
    )
    for table, columns in (
        ("revisions", ["condition_id", "id"]),
        ("conditions", ["category", "position"]),
        ("sections", ["condition_id", "position"]),
        ("condition_references", ["reference_id"]),
        ("condition_side_effects", ["side_effect_id"]),
        ("search_docs", ["condition_id"]),
    ):
        db[table].create_index(columns)


def _condition_row(c: Condition, position: int) -> dict[str, object]:
    assert c.onset is not None and c.last_reviewed is not None  # guaranteed by content.load
    row: dict[str, object] = {
        "id": c.id,
        "position": position,
        "name": c.name,
        "category": c.category,
        "abbreviations": json.dumps(list(c.abbreviations)),
        "synonyms": json.dumps(list(c.synonyms)),
        "keywords": json.dumps(list(c.keywords)),
        "last_reviewed": c.last_reviewed.isoformat(),
        "grade": c.grade,
        "grade_basis": c.grade_basis,
        "regulatory_summary": c.regulatory_summary,
        "usual_treatment": c.onset.usual_treatment,
        "retired": 0,
        "local": 0,
        "base_hash": entries.entry_hash(c),
        "pending": None,
    }
    for name in ("onset", "duration", "usual_onset"):
        value = getattr(c.onset, name)
        row |= {f"{name}_min": value.min, f"{name}_max": value.max, f"{name}_unit": value.unit}
    return row
