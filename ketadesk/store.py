"""The only module that speaks SQL at run time: reads the content database into records, and
hands out consistent copies of it (workingcopy.py decides when).

Reads use the standard library's sqlite3 (sqlite-utils is slow to import and only the build and
later the writers need it). The bundled database is always opened read-only and immutable.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
from pathlib import Path

from . import search as search_query
from .errors import NotFoundError, OlderSchemaError, StoreError, UnreadableDatabaseError
from .records import (
    Condition,
    ConditionSummary,
    DbInfo,
    Handout,
    OnsetProfile,
    Reference,
    SearchHit,
    Section,
    SideEffect,
    SideEffectLink,
    SnippetPart,
    TimeRange,
)
from .schema import SCHEMA_VERSION

__all__ = [
    "NotFoundError",
    "OlderSchemaError",
    "Store",
    "StoreError",
    "UnreadableDatabaseError",
]

log = logging.getLogger(__name__)

REQUIRED_TABLES = {
    "meta",
    "conditions",
    "sections",
    "references",
    "side_effects",
    "condition_references",
    "condition_side_effects",
    "handouts",
    "search_docs_fts",
}


class Store:
    """Typed read access to one ketadesk database file."""

    def __init__(self, conn: sqlite3.Connection, path: Path, *, read_only: bool):
        self._conn = conn
        self._conn.row_factory = sqlite3.Row
        self.path = path
        self.read_only = read_only

    @classmethod
    def open(cls, path: Path, *, read_only: bool = False, verify: bool = True) -> Store:
        """Open and validate a database; raise UnreadableDatabaseError saying why not.

        `verify` runs SQLite's quick_check, a scan of the whole file; without it only the
        schema version and tables are checked (enough to read a file already verified).
        """
        if not path.is_file():
            raise UnreadableDatabaseError(f"database not found: {path}")
        try:
            conn = _connect(path, read_only=read_only)
        except sqlite3.Error as exc:
            raise UnreadableDatabaseError(f"cannot open {path}: {exc}") from exc
        try:
            _validate(conn, verify=verify)
        except UnreadableDatabaseError as exc:
            conn.close()
            raise type(exc)(f"{path} {exc}") from None
        return cls(conn, path, read_only=read_only)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _rows(self, sql: str, params: tuple | list = ()) -> list[sqlite3.Row]:
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise UnreadableDatabaseError(f"cannot read {self.path}: {exc}") from exc

    # --- content ---------------------------------------------------------------------------

    def info(self) -> DbInfo:
        meta = {r["key"]: r["value"] for r in self._rows("SELECT key, value FROM meta")}
        counts = {
            table: self._rows(f'SELECT count(*) FROM "{table}"')[0][0]
            for table in ("conditions", "references", "side_effects", "handouts")
        }
        return DbInfo(
            path=str(self.path),
            schema_version=self._rows("PRAGMA user_version")[0][0],
            content_version=meta.get("content_version", ""),
            content_date=meta.get("content_date", ""),
            source_hash=meta.get("source_hash", ""),
            counts=counts,
            sqlite_version=sqlite3.sqlite_version,
        )

    def handouts(self) -> list[Handout]:
        """The general patient handouts (such as the treatment day), by title."""
        return [_handout(r) for r in self._rows("SELECT * FROM handouts ORDER BY title")]

    def get_handout(self, handout_id: str) -> Handout:
        rows = self._rows("SELECT * FROM handouts WHERE id = ?", (handout_id,))
        if not rows:
            raise NotFoundError(f"no general handout has the id {handout_id!r}")
        return _handout(rows[0])

    def categories(self) -> list[str]:
        return [r[0] for r in self._rows("SELECT name FROM categories ORDER BY position")]

    def list_conditions(self) -> list[ConditionSummary]:
        """Every condition, grouped by category in display order, then by name."""
        return [
            _summary(r)
            for r in self._rows(
                "SELECT id, name, category, grade, abbreviations FROM conditions ORDER BY position"
            )
        ]

    def condition_ids(self) -> list[str]:
        return [r[0] for r in self._rows("SELECT id FROM conditions ORDER BY position")]

    def reference_ids(self) -> set[str]:
        return {r[0] for r in self._rows('SELECT id FROM "references"')}

    def get_condition(self, condition_id: str) -> Condition:
        rows = self._rows("SELECT * FROM conditions WHERE id = ?", (condition_id,))
        if not rows:
            raise NotFoundError(
                f"no condition with id {condition_id!r} (run 'ketadesk list' to see the ids)"
            )
        row = rows[0]
        sections = tuple(
            Section(r["title"], r["markdown"])
            for r in self._rows(
                "SELECT title, markdown FROM sections WHERE condition_id = ? ORDER BY position",
                (condition_id,),
            )
        )
        references = tuple(
            _reference(r)
            for r in self._rows(
                'SELECT r.* FROM condition_references cr JOIN "references" r'
                " ON r.id = cr.reference_id WHERE cr.condition_id = ? ORDER BY cr.number",
                (condition_id,),
            )
        )
        links = tuple(
            SideEffectLink(_side_effect(r), bool(r["link_key"]), r["note"] or "")
            for r in self._rows(
                "SELECT s.*, l.key AS link_key, l.note FROM condition_side_effects l"
                " JOIN side_effects s ON s.id = l.side_effect_id"
                " WHERE l.condition_id = ? ORDER BY l.position",
                (condition_id,),
            )
        )
        return Condition(
            id=row["id"],
            name=row["name"],
            category=row["category"],
            abbreviations=tuple(json.loads(row["abbreviations"])),
            synonyms=tuple(json.loads(row["synonyms"])),
            keywords=tuple(json.loads(row["keywords"])),
            last_reviewed=_date(row["last_reviewed"]),
            grade=row["grade"],
            grade_basis=row["grade_basis"],
            regulatory_summary=row["regulatory_summary"],
            onset=OnsetProfile(
                onset=_range(row, "onset"),
                duration=_range(row, "duration"),
                usual_treatment=row["usual_treatment"],
                usual_onset=_range(row, "usual_onset"),
            ),
            sections=sections,
            references=references,
            side_effects=links,
        )

    def side_effects(self) -> list[SideEffect]:
        """The side-effect catalogue, grouped by when effects appear."""
        return [
            _side_effect(r)
            for r in self._rows("SELECT * FROM side_effects ORDER BY timing_order, position")
        ]

    def search(self, text: str, *, limit: int = 50) -> list[SearchHit]:
        """Conditions matching `text`, best first, with where and how each matched.

        Any string is safe: it is turned into quoted prefix terms (see search.fts_query).
        """
        query = search_query.fts_query(text)
        if query is None:
            return []
        rows = self._rows(
            """
            WITH hit AS MATERIALIZED (
                SELECT d.condition_id, d.section,
                       bm25(search_docs_fts, 10.0, 6.0, 1.0) AS rank,
                       snippet(search_docs_fts, -1, char(2), char(3), '…', 12) AS snip
                FROM search_docs_fts JOIN search_docs d ON d.num = search_docs_fts.rowid
                WHERE search_docs_fts MATCH ?
            )
            SELECT hit.condition_id, hit.section, min(hit.rank) AS rank, hit.snip,
                   c.name, c.category, c.grade, c.abbreviations
            FROM hit JOIN conditions c ON c.id = hit.condition_id
            GROUP BY hit.condition_id
            ORDER BY rank, c.position
            LIMIT ?
            """,
            (query, limit),
        )
        hits = [
            SearchHit(
                condition=ConditionSummary(
                    r["condition_id"],
                    r["name"],
                    r["category"],
                    r["grade"],
                    tuple(json.loads(r["abbreviations"])),
                ),
                section=r["section"],
                snippet=_snippet_parts(r["snip"]),
                rank=r["rank"],
            )
            for r in rows
        ]
        return search_query.exact_name_first(
            hits, text, lambda h: (h.condition.name, *h.condition.abbreviations)
        )

    def integrity_problems(self) -> list[str]:
        """SQLite's integrity, foreign-key and full-text index checks; empty when healthy."""
        problems = [r[0] for r in self._rows("PRAGMA integrity_check") if r[0] != "ok"]
        problems += [
            f"foreign key broken: {r[0]} row {r[1]} -> {r[2]}"
            for r in self._rows("PRAGMA foreign_key_check")
        ]
        if not self.read_only:
            # rank = 1 also compares the index with its content table. The command is an
            # INSERT, so roll back the implicit transaction rather than keep the write lock.
            try:
                self._conn.execute(
                    "INSERT INTO search_docs_fts(search_docs_fts, rank)"
                    " VALUES('integrity-check', 1)"
                )
            except sqlite3.DatabaseError as exc:
                problems.append(f"search index: {exc}")
            finally:
                self._conn.rollback()
        return problems

    def backup_to(self, destination: Path) -> None:
        """Write a consistent copy of this database to a new file (SQLite's backup API)."""
        try:
            dest = sqlite3.connect(destination)
            try:
                self._conn.backup(dest)
            finally:
                dest.close()
        except sqlite3.Error as exc:
            raise StoreError(f"cannot write a copy to {destination}: {exc}") from exc


def _connect(path: Path, *, read_only: bool) -> sqlite3.Connection:
    if read_only:
        # mode=ro never creates a file; immutable=1 never writes journals beside it.
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    return sqlite3.connect(path)


def _validate(conn: sqlite3.Connection, *, verify: bool) -> None:
    try:
        check = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()] if verify else ["ok"]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        raise UnreadableDatabaseError(f"is damaged or not a database ({exc})") from None
    if check != ["ok"]:
        raise UnreadableDatabaseError(f"is damaged ({'; '.join(check[:3])})")
    if version > SCHEMA_VERSION:
        raise UnreadableDatabaseError(
            f"was made by a newer ketadesk (schema {version}; this version reads {SCHEMA_VERSION})"
        )
    missing = REQUIRED_TABLES - tables
    if 0 < version < SCHEMA_VERSION and "meta" in tables and "conditions" in tables:
        raise OlderSchemaError(
            f"was made by an earlier ketadesk (schema {version}; this version reads "
            f"{SCHEMA_VERSION})"
        )
    if version != SCHEMA_VERSION or missing:
        raise UnreadableDatabaseError("is not a ketadesk content database")


def _handout(row: sqlite3.Row) -> Handout:
    return Handout(
        row["id"],
        row["title"],
        _date(row["last_reviewed"]),
        row["markdown"],
        tuple(json.loads(row["based_on"])),
    )


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _range(row: sqlite3.Row, name: str) -> TimeRange:
    return TimeRange(row[f"{name}_min"], row[f"{name}_max"], row[f"{name}_unit"])


def _summary(r: sqlite3.Row) -> ConditionSummary:
    return ConditionSummary(
        r["id"], r["name"], r["category"], r["grade"], tuple(json.loads(r["abbreviations"]))
    )


def _reference(r: sqlite3.Row) -> Reference:
    return Reference(
        id=r["id"],
        kind=r["kind"],
        authors=r["authors"],
        year=r["year"],
        title=r["title"],
        source=r["source"],
        design=r["design"],
        verified=bool(r["verified"]),
        details=r["details"] or "",
        participants=r["participants"],
        doi=r["doi"] or "",
        pmid=r["pmid"] or "",
        verification_note=r["verification_note"] or "",
    )


def _side_effect(r: sqlite3.Row) -> SideEffect:
    return SideEffect(
        r["id"],
        r["name"],
        r["plain_name"],
        r["timing"],
        r["watch_for"],
        r["frequency"],
        r["action"],
    )


def _snippet_parts(snip: str) -> tuple[SnippetPart, ...]:
    """'a \\x02b\\x03 c' -> (a, False), (b, True), (c, False)."""
    parts: list[SnippetPart] = []
    for i, chunk in enumerate(snip.split("\x02")):
        matched, _, rest = chunk.partition("\x03") if i else ("", "", chunk)
        if matched:
            parts.append(SnippetPart(matched, True))
        if rest:
            parts.append(SnippetPart(rest, False))
    return tuple(parts)
