"""Reads the text content sources (resources/content/) into records, naming file and line on error.

Pure: no SQL, no Qt. See docs/content-format.md for the format.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import markup, rules
from .condition_source import read_conditions, split_front_matter
from .records import REFERENCE_KINDS, Condition, Handout, Reference, SideEffect
from .sourceio import ContentError, Reader, check_fields, id_line, line_of, word_line


@dataclass(frozen=True)
class ContentMeta:
    content_version: str
    content_date: dt.date
    categories: tuple[str, ...]


@dataclass(frozen=True)
class ContentSet:
    meta: ContentMeta
    conditions: tuple[Condition, ...]
    references: tuple[Reference, ...]
    side_effects: tuple[SideEffect, ...]
    handouts: tuple[Handout, ...]
    source_hash: str


def source_files(content_dir: Path) -> list[Path]:
    """Every file that is part of the content, in a stable order."""
    files = [content_dir / "meta.toml", content_dir / "side_effects.toml"]
    files += sorted((content_dir / "references").glob("*.toml"))
    files += sorted((content_dir / "conditions").glob("*.md"))
    files += sorted((content_dir / "handouts").glob("*.md"))
    return [f for f in files if f.exists()]


def source_hash(content_dir: Path) -> str:
    """SHA-256 over the sources' names and text (line endings normalised)."""
    digest = hashlib.sha256()
    for path in source_files(content_dir):
        digest.update(path.relative_to(content_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes().replace(b"\r\n", b"\n") + b"\0")
    return digest.hexdigest()


def _meta(reader: Reader) -> ContentMeta | None:
    path = reader.root / "meta.toml"
    text = reader.read(path)
    data = reader.toml(path, text) if text is not None else None
    if data is None:
        return None
    lines = text.splitlines()
    spec = {"content_version": str, "content_date": dt.date, "categories": list}
    if not check_fields(reader, path, lines, data, spec, required=set(spec), where="meta", line=1):
        return None
    return ContentMeta(data["content_version"], data["content_date"], tuple(data["categories"]))


REFERENCE_SPEC: dict[str, type | tuple[type, ...]] = {
    "id": str,
    "kind": str,
    "authors": str,
    "year": int,
    "title": str,
    "source": str,
    "details": str,
    "design": str,
    "participants": int,
    "doi": str,
    "pmid": str,
    "verified": bool,
    "verification_note": str,
}
MAX_DETAILS = 80
"""Keeps citations readable: details hold volume(issue):pages, an edition or a revision."""

REFERENCE_REQUIRED = {"id", "kind", "authors", "year", "title", "source", "design", "verified"}
SIDE_EFFECT_SPEC: dict[str, type | tuple[type, ...]] = {
    "id": str,
    "name": str,
    "plain_name": str,
    "timing": str,
    "watch_for": str,
    "frequency": str,
    "action": str,
}


def _items(
    reader: Reader,
    path: Path,
    table: str,
    spec: dict[str, type | tuple[type, ...]],
    required: set[str],
    label: str,
) -> Iterator[tuple[dict[str, Any], list[str], int, str]]:
    """Each well-formed `[[table]]` entry of a TOML file, with its lines, line and label."""
    text = reader.read(path)
    data = reader.toml(path, text) if text is not None else None
    if data is None:
        return
    lines = text.splitlines()
    for key in data:
        if key != table:
            reader.fail(
                path,
                line_of(lines, re.escape(key)),
                f"unknown table {key!r} (expected [[{table}]])",
            )
    for item in data.get(table, []):
        item_id = item.get("id", "")
        line = id_line(lines, item_id) if item_id else 1
        where = f"{label} {item_id!r}"
        if not check_fields(
            reader, path, lines, item, spec, required=required, where=where, line=line
        ):
            continue
        if not markup.is_slug(item_id):
            reader.fail(path, line, f"{where}: id must be lower-case letters, digits, hyphens")
        yield item, lines, line, where


def _references(reader: Reader) -> list[tuple[Reference, Path, int]]:
    found: list[tuple[Reference, Path, int]] = []
    for path in sorted((reader.root / "references").glob("*.toml")):
        for item, _, line, where in _items(
            reader, path, "reference", REFERENCE_SPEC, REFERENCE_REQUIRED, "reference"
        ):
            if len(item.get("details", "")) > MAX_DETAILS:
                reader.fail(
                    path,
                    line,
                    f"{where}: details is for volume(issue):pages or a "
                    f"revision (at most {MAX_DETAILS} characters); put notes in "
                    "verification_note",
                )
            if item["kind"] not in REFERENCE_KINDS:
                reader.fail(
                    path, line, f"{where}: kind must be one of {', '.join(REFERENCE_KINDS)}"
                )
            if not item["verified"] and not item.get("verification_note", "").strip():
                reader.fail(
                    path,
                    line,
                    f"{where}: verified = false needs a verification_note "
                    "saying what could not be confirmed",
                )
            found.append((Reference(**item), path, line))
    return found


def _side_effects(reader: Reader, reference_ids: set[str]) -> list[tuple[SideEffect, Path, int]]:
    path = reader.root / "side_effects.toml"
    found = []
    for item, lines, line, where in _items(
        reader, path, "side_effect", SIDE_EFFECT_SPEC, set(SIDE_EFFECT_SPEC), "side effect"
    ):
        effect = SideEffect(**item)
        for problem in rules.check_side_effect(effect):
            at = word_line(lines, problem.field, line - 1, line)
            reader.fail(path, at, f"{where}: {problem.message}")
        for field in ("watch_for", "frequency", "action"):
            for ref_id in markup.cited_ids(item[field]):
                if ref_id not in reference_ids:
                    reader.fail(
                        path,
                        line_of(lines, re.escape(f"@{ref_id}"), line - 1, line),
                        f"{where}: cites unknown reference {ref_id!r}",
                    )
        found.append((effect, path, line))
    return found


HANDOUT_SPEC: dict[str, type | tuple[type, ...]] = {
    "id": str,
    "title": str,
    "last_reviewed": dt.date,
    "based_on": list,
}


def _handouts(reader: Reader, reference_ids: set[str]) -> list[Handout]:
    """The general patient handouts: `handouts/<id>.md`, front matter then Markdown."""
    found: list[Handout] = []
    for path in sorted((reader.root / "handouts").glob("*.md")):
        split = split_front_matter(reader, path)
        if split is None:
            continue
        front, lines, end = split
        if not check_fields(
            reader,
            path,
            lines,
            front,
            HANDOUT_SPEC,
            required=set(HANDOUT_SPEC),
            where="front matter",
            line=1,
        ):
            continue
        if front["id"] != path.stem:
            reader.fail(path, id_line(lines, front["id"]), "the id must match the file name")
            continue
        based_on = tuple(str(i) for i in front["based_on"])
        for ref_id in based_on:
            if ref_id not in reference_ids:
                reader.fail(
                    path, line_of(lines, r"^\s*based_on\s*="), f"unknown reference {ref_id!r}"
                )
        if not based_on:
            reader.fail(
                path,
                line_of(lines, r"^\s*based_on\s*="),
                "based_on must name the references that back the handout",
            )
        body = "\n".join(lines[end + 1 :]).strip()
        handout = Handout(front["id"], front["title"], front["last_reviewed"], body, based_on)
        for problem in rules.check_handout(handout):
            reader.fail(path, word_line(lines, problem.field, 0, end + 2), problem.message)
        found.append(handout)
    return found


def load(content_dir: Path) -> ContentSet:
    """Read and validate every source; raise ContentError listing all problems found."""
    reader = Reader(content_dir)
    if not content_dir.is_dir():
        reader.fail(content_dir, 1, "content folder not found")
        raise ContentError(reader.problems)
    meta = _meta(reader)
    refs = _references(reader)
    references: dict[str, Reference] = {}
    for ref, path, line in refs:
        if ref.id in references:
            first = next(p for r, p, _ in refs if r.id == ref.id)
            reader.fail(
                path,
                line,
                f"duplicate reference id {ref.id!r} (first defined in {reader.name(first)})",
            )
        references.setdefault(ref.id, ref)
    side_effects: dict[str, SideEffect] = {}
    for effect, path, line in _side_effects(reader, set(references)):
        if effect.id in side_effects:
            reader.fail(path, line, f"duplicate side-effect id {effect.id!r}")
        side_effects.setdefault(effect.id, effect)

    parsed = read_conditions(reader, references, side_effects)
    condition_ids = {c.condition.id for c in parsed}
    categories = meta.categories if meta else ()
    with rules.batch(item.condition for item in parsed):
        for item in parsed:
            for problem in rules.check_condition(
                item.condition,
                categories=categories,
                reference_ids=references,
                condition_ids=condition_ids,
            ):
                reader.fail(item.path, item.locate(problem.field), problem.message)

    handouts = _handouts(reader, set(references))

    if reader.problems or meta is None:
        raise ContentError(reader.problems)
    order = {c: i for i, c in enumerate(meta.categories)}
    conditions = sorted(
        (p.condition for p in parsed),
        key=lambda c: (order.get(c.category, len(order)), c.name.casefold(), c.id),
    )
    return ContentSet(
        meta=meta,
        conditions=tuple(conditions),
        references=tuple(sorted(references.values(), key=lambda r: r.id)),
        side_effects=tuple(side_effects.values()),
        handouts=tuple(handouts),
        source_hash=source_hash(content_dir),
    )
