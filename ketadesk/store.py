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
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from . import search as search_query
from .errors import (
    RESTORE_HINT,
    DamagedEntryError,
    DatabaseBusyError,
    NotFoundError,
    OlderSchemaError,
    StoreError,
    UnreadableDatabaseError,
)
from .records import (
    TIMINGS,
    Condition,
    ConditionSummary,
    DbInfo,
    EntryState,
    Handout,
    OnsetProfile,
    Reference,
    Revision,
    SearchHit,
    Section,
    SideEffect,
    SideEffectLink,
    SnippetPart,
    TimeRange,
)
from .schema import SCHEMA_VERSION, SEARCH_INDEX

__all__ = [
    "DatabaseBusyError",
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
    "revisions",
    "search_docs_fts",
}


class Store:
    """Typed read access to one ketadesk database file."""

    def __init__(self, conn: sqlite3.Connection, path: Path, *, read_only: bool):
        self._conn = conn
        self._conn.row_factory = sqlite3.Row
        self.path = path
        self.read_only = read_only
        self._listed: tuple[tuple[bool, int, int], list[ConditionSummary]] | None = None
        """The last list_conditions answer, with the state of the database it was made from."""

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
            raise _open_error(f"cannot open {path}: {_reason(exc)}", exc) from exc
        try:
            _validate(conn, verify=verify)
        except StoreError as exc:
            conn.close()
            if isinstance(exc, UnreadableDatabaseError):
                raise type(exc)(f"{path} {exc}") from None
            raise StoreError(f"cannot open {path}: {exc}") from None
        if not read_only:
            _use_wal(conn)
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

    def categories(self) -> list[str]:
        return [r[0] for r in self._rows("SELECT name FROM categories ORDER BY position")]

    def list_conditions(self, *, retired: bool = False) -> list[ConditionSummary]:
        """Every condition in use (and, if asked, the retired ones), grouped by category in
        display order, then by name.

        The answer is kept until the database changes (a write here, or a commit by another
        ketadesk): the window asks at every return to the whole list, which at 10,000 entries
        would otherwise cost ~35 ms each time."""
        state = (retired, *self._change_count())
        if self._listed is None or self._listed[0] != state:
            summaries = [
                _summary(r)
                for r in self._rows(
                    "SELECT id, name, category, grade, abbreviations FROM conditions"
                    " WHERE retired = 0 OR ? ORDER BY position",
                    (int(retired),),
                )
            ]
            self._listed = (state, summaries)
        return list(self._listed[1])

    def _change_count(self) -> tuple[int, int]:
        """Differs after any change to the database: SQLite's data_version moves when another
        connection commits, total_changes with each row this one writes (committed or not)."""
        try:
            version = self._conn.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise UnreadableDatabaseError(f"cannot read {self.path}: {exc}") from exc
        return version, self._conn.total_changes

    def condition_ids(self) -> list[str]:
        return [r[0] for r in self._rows("SELECT id FROM conditions ORDER BY position")]

    def references(self) -> list[Reference]:
        """The whole reference catalogue, by id."""
        return [_reference(r) for r in self._rows('SELECT * FROM "references" ORDER BY id')]

    def reference_ids(self) -> set[str]:
        return {r[0] for r in self._rows('SELECT id FROM "references"')}

    def get_condition(self, condition_id: str) -> Condition:
        """One entry, whole. A value inside its rows that cannot be read (bad JSON, a bad date,
        a missing section text) raises DamagedEntryError naming the entry and the way back."""
        try:
            return self._condition(condition_id)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise DamagedEntryError(
                f"the entry {condition_id!r} is damaged in {self.path.name} and cannot be shown "
                f"({type(exc).__name__}: {str(exc)[:120]}); {RESTORE_HINT}"
            ) from exc

    def _condition(self, condition_id: str) -> Condition:
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
        Ranking: a name or abbreviation typed exactly comes first. When few documents match,
        the rest are ranked by bm25 (names and aliases weigh most); when a query matches very
        many (a single letter, or "ketamine" over thousands of entries) they are taken in two
        tiers, name and alias matches then body matches, each in list order, which costs the
        same whatever the database's size. Snippets are made only for the hits returned.
        """
        query = search_query.fts_query(text)
        if query is None:
            return []
        probe = self._rows(
            "SELECT rowid FROM search_docs_fts WHERE search_docs_fts MATCH ? LIMIT ?",
            (query, search_query.BROAD_MATCHES + 1),
        )
        if len(probe) <= search_query.BROAD_MATCHES:
            ranked = self._rows(
                "SELECT rowid, bm25(search_docs_fts, 10.0, 6.0, 1.0) AS rank FROM search_docs_fts"
                " WHERE search_docs_fts MATCH ? ORDER BY rank",
                (query,),
            )
            order = [(r["rowid"], r["rank"]) for r in ranked]
        else:
            names = self._rows(
                "SELECT rowid FROM search_docs_fts WHERE search_docs_fts MATCH ? LIMIT ?",
                (f"{{name aliases}} : ({query})", search_query.BROAD_MATCHES),
            )
            order = [(r["rowid"], -2.0) for r in names]
            order += [(r["rowid"], -1.0) for r in probe]
        best = self._best_per_condition(order, limit)
        nums = [doc["num"] for doc, _ in best]
        marks = ",".join("?" * len(nums))
        rows = {
            r["num"]: r
            for r in self._rows(
                f"SELECT num, name, aliases, text FROM search_docs WHERE num IN ({marks})", nums
            )
        }
        hits = [
            SearchHit(
                condition=ConditionSummary(
                    doc["condition_id"],
                    doc["name"],
                    doc["category"],
                    doc["grade"],
                    _json_tuple(doc["abbreviations"]),
                ),
                section=doc["section"],
                snippet=_doc_snippet(rows.get(doc["num"]), text),
                rank=rank,
            )
            for doc, rank in best
        ]
        return search_query.exact_name_first(
            hits, text, lambda h: (h.condition.name, *h.condition.abbreviations)
        )

    def _best_per_condition(
        self, order: list[tuple[int, float]], limit: int
    ) -> list[tuple[sqlite3.Row, float]]:
        """The best-ranked document of each condition in use, best first, at most `limit`.
        Equal ranks keep the list's order (category, then name)."""
        found: dict[str, tuple[sqlite3.Row, float]] = {}
        for start in range(0, len(order), 500):
            chunk = order[start : start + 500]
            rank_of = dict(chunk)
            marks = ",".join("?" * len(chunk))
            rows = self._rows(
                "SELECT d.num, d.condition_id, d.section, c.name, c.category, c.grade,"
                " c.abbreviations, c.position FROM search_docs d JOIN conditions c"
                f" ON c.id = d.condition_id AND c.retired = 0 WHERE d.num IN ({marks})",
                [num for num, _ in chunk],
            )
            for row in rows:
                rank = rank_of[row["num"]]
                known = found.get(row["condition_id"])
                if known is None or (rank, row["position"]) < (known[1], known[0]["position"]):
                    found[row["condition_id"]] = (row, rank)
            if len(found) >= limit and all(r <= chunk[-1][1] for _, r in found.values()):
                break
        ranked = sorted(found.values(), key=lambda item: (item[1], item[0]["position"]))
        return ranked[:limit]

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

    # --- writing (the working copy only) ----------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction: everything in it lands, or nothing does.

        Waits up to BUSY_TIMEOUT_S for another ketadesk that is writing, then says so.
        """
        if self.read_only:
            raise StoreError(f"{self.path} is open read-only; it cannot be changed")
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise DatabaseBusyError(
                    "another ketadesk is saving to this database; try again in a moment"
                ) from None
            raise StoreError(f"cannot change {self.path}: {exc}") from exc
        try:
            yield
        except BaseException:
            self._rollback()
            raise
        try:
            self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise StoreError(f"cannot save to {self.path}: {_reason(exc)}") from exc

    def _rollback(self) -> None:
        """Undo the open transaction (SQLite may already have, after a full disk)."""
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    def _write(self, sql: str, params: tuple | list = ()) -> None:
        try:
            self._conn.execute(sql, params)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot save to {self.path}: {_reason(exc)}") from exc

    def _write_many(self, sql: str, rows: list[tuple]) -> None:
        try:
            self._conn.executemany(sql, rows)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot save to {self.path}: {_reason(exc)}") from exc

    def entry_state(self, condition_id: str) -> EntryState:
        rows = self._rows(
            "SELECT retired, local, base_hash, pending FROM conditions WHERE id = ?",
            (condition_id,),
        )
        if not rows:
            raise NotFoundError(f"no condition with id {condition_id!r}")
        r = rows[0]
        pending = json.loads(r["pending"]) if r["pending"] else None
        return EntryState(bool(r["retired"]), bool(r["local"]), r["base_hash"] or "", pending)

    def put_condition(
        self,
        condition: Condition,
        *,
        local: bool,
        base_hash: str,
        pending: dict | None = None,
        retired: bool = False,
        index: bool = True,
    ) -> None:
        """Insert or replace one entry, all its parts and its search documents (call inside
        a transaction, then reindex()). With `index=False` the search index is not touched:
        bulk writers (imports, upgrades) rebuild it once with reindex(search=True)."""
        self.put_condition_rows(
            condition_rows(condition),
            local=local,
            base_hash=base_hash,
            pending=pending,
            retired=retired,
            index=index,
        )

    def put_condition_rows(
        self,
        rows: dict[str, Any],
        *,
        local: bool,
        base_hash: str,
        pending: dict | None = None,
        retired: bool = False,
        index: bool = True,
    ) -> None:
        """put_condition for an entry already turned into rows by condition_rows (an import
        makes them when it checks a pack, and writes them when the person confirms)."""
        cid = rows["id"]
        # the search index follows its content table row by row (no full rebuild per change)
        if index:
            self._write(
                "INSERT INTO search_docs_fts(search_docs_fts, rowid, name, aliases, text)"
                " SELECT 'delete', num, name, aliases, text FROM search_docs"
                " WHERE condition_id = ?",
                (cid,),
            )
        for table in ("sections", "condition_references", "condition_side_effects", "search_docs"):
            self._write(f"DELETE FROM {table} WHERE condition_id = ?", (cid,))
        old = self._rows("SELECT position FROM conditions WHERE id = ?", (cid,))
        position = old[0][0] if old else 1_000_000
        self._write(
            f"INSERT OR REPLACE INTO conditions (id, position, {', '.join(_ENTRY_COLUMNS)},"
            " retired, local, base_hash, pending) VALUES"
            f" (?, ?, {', '.join('?' * len(_ENTRY_COLUMNS))}, ?, ?, ?, ?)",
            (
                cid,
                position,
                *rows["conditions"],
                int(retired),
                int(local),
                base_hash,
                json.dumps(pending, sort_keys=True) if pending is not None else None,
            ),
        )
        for table, columns in _PART_COLUMNS.items():
            self._write_many(
                f"INSERT INTO {table} (condition_id, {', '.join(columns)})"
                f" VALUES (?, {', '.join('?' * len(columns))})",
                [(cid, *row) for row in rows[table]],
            )
        if index:
            self._write(
                "INSERT INTO search_docs_fts(rowid, name, aliases, text)"
                " SELECT num, name, aliases, text FROM search_docs WHERE condition_id = ?",
                (cid,),
            )

    def set_state(
        self, condition_id: str, *, retired: bool | None = None, pending: object = ...
    ) -> None:
        """Retire or restore an entry, or set (a dict) or clear (None) its pending version."""
        if retired is not None:
            self._write(
                "UPDATE conditions SET retired = ? WHERE id = ?", (int(retired), condition_id)
            )
        if pending is not ...:
            value = json.dumps(pending, sort_keys=True) if pending is not None else None
            self._write("UPDATE conditions SET pending = ? WHERE id = ?", (value, condition_id))

    def put_reference(self, ref: Reference) -> None:
        self._write(
            'INSERT OR REPLACE INTO "references" (id, kind, authors, year, title, source,'
            " details, design, participants, doi, pmid, verified, verification_note)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                ref.id,
                ref.kind,
                ref.authors,
                ref.year,
                ref.title,
                ref.source,
                ref.details,
                ref.design,
                ref.participants,
                ref.doi,
                ref.pmid,
                int(ref.verified),
                ref.verification_note,
            ),
        )

    def put_side_effect(self, effect: SideEffect) -> None:
        old = self._rows("SELECT position FROM side_effects WHERE id = ?", (effect.id,))
        position = old[0][0] if old else 1_000_000
        self._write(
            "INSERT OR REPLACE INTO side_effects (id, name, plain_name, timing, timing_order,"
            " position, watch_for, frequency, action) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                effect.id,
                effect.name,
                effect.plain_name,
                effect.timing,
                TIMINGS.index(effect.timing),
                position,
                effect.watch_for,
                effect.frequency,
                effect.action,
            ),
        )

    def put_handout(self, handout: Handout) -> None:
        self._write(
            "INSERT OR REPLACE INTO handouts (id, title, last_reviewed, markdown, based_on)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                handout.id,
                handout.title,
                handout.last_reviewed.isoformat() if handout.last_reviewed else None,
                handout.markdown,
                json.dumps(list(handout.based_on)),
            ),
        )

    def add_revision(
        self,
        condition_id: str,
        *,
        at: str,
        editor: str,
        action: str,
        summary: str,
        entry: dict | str,
    ) -> None:
        """One revision of an entry: `entry` as plain data, or that data already as JSON."""
        text = entry if isinstance(entry, str) else json.dumps(entry, sort_keys=True)
        self._write(
            "INSERT INTO revisions (condition_id, at, editor, action, summary, entry)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (condition_id, at, editor, action, summary, text),
        )

    def revisions(self, condition_id: str) -> list[Revision]:
        """An entry's history, newest first."""
        return [
            Revision(
                r["id"],
                r["condition_id"],
                r["at"],
                r["editor"] or "",
                r["action"],
                r["summary"] or "",
                json.loads(r["entry"]),
            )
            for r in self._rows(
                "SELECT * FROM revisions WHERE condition_id = ? ORDER BY id DESC", (condition_id,)
            )
        ]

    def set_meta(self, key: str, value: str) -> None:
        self._write("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def reindex(self, *, search: bool = False) -> None:
        """Re-sort the list (category order, then name); call after put_condition, inside the
        same transaction. `search=True` also rebuilds the search index, after bulk writes made
        with put_condition(index=False), from its current definition (schema.SEARCH_INDEX)."""
        order = {name: i for i, name in enumerate(self.categories())}
        rows = self._rows("SELECT id, name, category FROM conditions")
        ranked = sorted(
            rows,
            key=lambda r: (order.get(r["category"], len(order)), r["name"].casefold(), r["id"]),
        )
        self._write_many(
            "UPDATE conditions SET position = ? WHERE id = ?",
            [(position, r["id"]) for position, r in enumerate(ranked)],
        )
        if search:  # made again from its definition, which may be newer than this file's
            self._write("DROP TABLE search_docs_fts")
            self._write(SEARCH_INDEX)
            self._write("INSERT INTO search_docs_fts(search_docs_fts) VALUES('rebuild')")

    def restore_from(self, source: Path) -> None:
        """Replace this database's whole content with `source`'s, in one step (SQLite's backup
        API onto this connection): a crash leaves the old content or the new, never a mix."""
        if self.read_only:
            raise StoreError(f"{self.path} is open read-only; it cannot be changed")
        try:
            with closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as src:
                src.backup(self._conn)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot restore from {source.name}: {_reason(exc)}") from exc
        finally:
            self._listed = None  # pages copied in are not row changes: forget the list

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


_ENTRY_COLUMNS = (
    "name",
    "category",
    "abbreviations",
    "synonyms",
    "keywords",
    "last_reviewed",
    "grade",
    "grade_basis",
    "regulatory_summary",
    "usual_treatment",
    "onset_min",
    "onset_max",
    "onset_unit",
    "duration_min",
    "duration_max",
    "duration_unit",
    "usual_onset_min",
    "usual_onset_max",
    "usual_onset_unit",
)
"""The columns of `conditions` that hold what an entry says (the rest is its place and state)."""
_PART_COLUMNS = {
    "sections": ("position", "key", "title", "markdown"),
    "condition_references": ("reference_id", "number"),
    "condition_side_effects": ("side_effect_id", "position", "key", "note"),
    "search_docs": ("section", "name", "aliases", "text"),
}
"""The tables holding an entry's parts, with their columns after `condition_id`."""


def condition_rows(
    condition: Condition, *, plain_texts: Sequence[str] | None = None
) -> dict[str, Any]:
    """Every row put_condition writes for one entry, as JSON-safe values (its id; its
    `conditions` columns, _ENTRY_COLUMNS; and each _PART_COLUMNS table's rows). Pure.

    `plain_texts`, each section's markup.plain_text in order, saves making them again when the
    caller already has them (an import has, from checking the entry)."""
    onset = condition.onset
    assert onset is not None and condition.last_reviewed is not None  # checked by the rules
    return {
        "id": condition.id,
        "conditions": [
            condition.name,
            condition.category,
            json.dumps(list(condition.abbreviations)),
            json.dumps(list(condition.synonyms)),
            json.dumps(list(condition.keywords)),
            condition.last_reviewed.isoformat(),
            condition.grade,
            condition.grade_basis,
            condition.regulatory_summary,
            onset.usual_treatment,
            onset.onset.min,
            onset.onset.max,
            onset.onset.unit,
            onset.duration.min,
            onset.duration.max,
            onset.duration.unit,
            onset.usual_onset.min,
            onset.usual_onset.max,
            onset.usual_onset.unit,
        ],
        "sections": [[i, s.key, s.title, s.markdown] for i, s in enumerate(condition.sections)],
        "condition_references": [
            [ref.id, n] for n, ref in enumerate(condition.references, start=1)
        ],
        "condition_side_effects": [
            [link.side_effect.id, i, int(link.key), link.note]
            for i, link in enumerate(condition.side_effects)
        ],
        "search_docs": [
            [row["section"], row["name"], row["aliases"], row["text"]]
            for row in search_query.search_rows(condition, plain_texts=plain_texts)
        ],
    }


class Spool:
    """Values kept aside in a private temporary SQLite database until they are used: on disk
    rather than in memory, read back in the order they were added, and deleted by SQLite when
    the spool is closed (or dropped). An import plan keeps the entries it checked here, so that
    the import writes exactly what was previewed without holding a pack in memory.

    Values are pickled (three times faster than JSON for text-heavy rows). That is safe here
    because nothing outside this process can write them: SQLite's temporary database has no
    name on disk, and it goes when the connection does."""

    def __init__(self) -> None:
        import pickle  # here, not at the top: only an import needs it, and start-up would pay

        self._pickle = pickle
        # "" is SQLite's private temporary database; no journal: nothing here needs undoing
        self._conn = sqlite3.connect("", isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=OFF")
        self._conn.execute("CREATE TABLE spool (n INTEGER PRIMARY KEY, value BLOB NOT NULL)")
        self.count = 0

    def append(self, value: Any) -> None:
        data = self._pickle.dumps(value, protocol=self._pickle.HIGHEST_PROTOCOL)
        try:
            self._conn.execute("INSERT INTO spool (value) VALUES (?)", (data,))
        except sqlite3.Error as exc:
            raise StoreError(f"cannot keep the checked entries aside: {_reason(exc)}") from exc
        self.count += 1

    def __iter__(self) -> Iterator[Any]:
        try:
            for (data,) in self._conn.execute("SELECT value FROM spool ORDER BY n"):
                yield self._pickle.loads(data)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read the checked entries back: {_reason(exc)}") from exc

    def close(self) -> None:
        self._conn.close()


BUSY_TIMEOUT_S = 5.0
"""How long a write waits for another ketadesk holding the database before saying so."""


def _connect(path: Path, *, read_only: bool) -> sqlite3.Connection:
    if read_only:
        # mode=ro never creates a file; immutable=1 never writes journals beside it.
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    # Autocommit mode: transactions are explicit (Store.transaction, BEGIN IMMEDIATE).
    return sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)


def _use_wal(conn: sqlite3.Connection) -> None:
    """WAL lets a second ketadesk read while one writes, and a crash leaves the old content or
    the new, never a mix. Set only once the file is known to be ours (setting it on an empty
    file would write a database header into it)."""
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
    except sqlite3.OperationalError as exc:
        log.warning("could not switch to WAL mode: %s", exc)


def _validate(conn: sqlite3.Connection, *, verify: bool) -> None:
    try:
        check = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()] if verify else ["ok"]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        if not _is_damage(exc):  # a full disk, a lock, a read-only folder: not the file's fault
            raise StoreError(f"{_reason(exc)} (the file was left as it is)") from None
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
    conn.execute("PRAGMA shrink_memory")  # the pages quick_check read are not needed again


DAMAGE_CODES = {"SQLITE_CORRUPT", "SQLITE_NOTADB"}
"""SQLite's answers that mean the file itself is damaged; any other error (full disk, lock,
read-only folder, I/O) is temporary, and the file is kept as it is."""


def _is_damage(exc: sqlite3.Error) -> bool:
    name = getattr(exc, "sqlite_errorname", None) or ""
    if name:
        return any(name == code or name.startswith(code + "_") for code in DAMAGE_CODES)
    text = str(exc)
    return "malformed" in text or "not a database" in text


def _open_error(message: str, exc: sqlite3.Error) -> StoreError:
    return UnreadableDatabaseError(message) if _is_damage(exc) else StoreError(message)


def _reason(exc: sqlite3.Error) -> str:
    text = str(exc)
    if "full" in text:
        return "the disk is full"
    if "readonly" in text or "read-only" in text:
        return "the data folder is read-only"
    if "locked" in text or "busy" in text:
        return "another ketadesk is using the database"
    return text


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


def _json_tuple(value: str) -> tuple:
    """A JSON list column for lists and search hits: a damaged value reads as empty, so one
    bad row never hides the others (get_condition reports the damage)."""
    try:
        return tuple(json.loads(value))
    except (ValueError, TypeError):
        return ()


def _summary(r: sqlite3.Row) -> ConditionSummary:
    return ConditionSummary(
        r["id"], r["name"], r["category"], r["grade"], _json_tuple(r["abbreviations"])
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


def _doc_snippet(row: sqlite3.Row | None, typed: str) -> tuple[SnippetPart, ...]:
    """The snippet of a search document: its text, or for a name document the name, else
    the aliases, whichever holds the match."""
    if row is None:
        return ()
    if row["text"]:
        return search_query.snippet(row["text"], typed)
    for field in ("name", "aliases"):
        parts = search_query.snippet(row[field] or "", typed)
        if any(p.matched for p in parts):
            return parts
    return search_query.snippet(row["name"] or "", typed)
