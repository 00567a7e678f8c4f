"""Whole entries as plain data: the form an entry takes in update packs and in its revision
history, with a stable hash, and the way back from that data to records.

Pure: no SQL, no Qt. The shape of a condition entry mirrors the text source format
(docs/content-format.md): front-matter fields, sections by title, side-effect links.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Mapping
from typing import Any

from . import markup, rules
from .records import (
    REFERENCE_KINDS,
    SECTION_TITLES,
    TIME_UNITS,
    TIMINGS,
    Condition,
    Handout,
    OnsetProfile,
    Reference,
    Section,
    SideEffect,
    SideEffectLink,
    TimeRange,
)

MAX_TEXT = 60_000
"""Longest text field an entry may carry (a whole section); real sections are a few thousand."""
MAX_SHORT = 2_000
"""Longest one-line field (a name, a grade basis, a reference title)."""
MAX_LIST = 100


class EntryError(ValueError):
    """An entry's data is malformed; `problems` says what, one line each."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def canonical_json(value: Any) -> str:
    """One spelling of a value as JSON, so equal data hashes equally.

    >>> canonical_json({"b": [1, "é"], "a": None})
    '{"a":null,"b":[1,"é"]}'
    """
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def digest(value: Any, *, depth: int = 0) -> str:
    """SHA-256 of canonical_json(value). With `depth`, objects and arrays that many levels down
    are hashed piece by piece: a pack's payload of 1,000 entries (depth 2) is never spelled out
    as one string of tens of megabytes just to be hashed. One entry is faster in one piece.

    >>> value = {"b": [1, "é"], "a": None}
    >>> whole = hashlib.sha256(canonical_json(value).encode()).hexdigest()
    >>> digest(value) == digest(value, depth=2) == whole
    True
    """
    if not depth:
        return text_digest(canonical_json(value))
    sha = hashlib.sha256()
    for piece in _canonical_pieces(value, depth=depth):
        sha.update(piece.encode("utf-8"))
    return sha.hexdigest()


def text_digest(text: str) -> str:
    """SHA-256 of a value already spelled by canonical_json.

    >>> text_digest(canonical_json([1, "é"])) == digest([1, "é"])
    True
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _canonical_pieces(value: Any, depth: int) -> Iterator[str]:
    """canonical_json(value) in pieces, objects and arrays opened `depth` levels down."""
    if depth and isinstance(value, dict) and all(isinstance(k, str) for k in value):
        yield "{"
        for n, key in enumerate(sorted(value)):
            yield ("," if n else "") + canonical_json(key) + ":"
            yield from _canonical_pieces(value[key], depth - 1)
        yield "}"
    elif depth and isinstance(value, list):
        yield "["
        for n, item in enumerate(value):
            if n:
                yield ","
            yield from _canonical_pieces(item, depth - 1)
        yield "]"
    else:
        yield canonical_json(value)


def _range(r: TimeRange) -> dict[str, Any]:
    return {"min": r.min, "max": r.max, "unit": r.unit}


def entry(condition: Condition) -> dict[str, Any]:
    """A condition as plain data: every field of the content format."""
    onset = condition.onset
    return {
        "id": condition.id,
        "name": condition.name,
        "category": condition.category,
        "abbreviations": list(condition.abbreviations),
        "synonyms": list(condition.synonyms),
        "keywords": list(condition.keywords),
        "last_reviewed": condition.last_reviewed.isoformat() if condition.last_reviewed else None,
        "grade": condition.grade,
        "grade_basis": condition.grade_basis,
        "regulatory_summary": condition.regulatory_summary,
        "onset": None
        if onset is None
        else {
            "onset": _range(onset.onset),
            "duration": _range(onset.duration),
            "usual_treatment": onset.usual_treatment,
            "usual_onset": _range(onset.usual_onset),
        },
        "sections": {s.title: s.markdown for s in condition.sections},
        "side_effects": [
            {"id": link.side_effect.id, "key": link.key, "note": link.note}
            for link in condition.side_effects
        ],
    }


def entry_hash(condition: Condition) -> str:
    """What an entry says, as a hash: equal hashes mean identical content."""
    return digest(entry(condition))


def reference_data(ref: Reference) -> dict[str, Any]:
    return {
        "id": ref.id,
        "kind": ref.kind,
        "authors": ref.authors,
        "year": ref.year,
        "title": ref.title,
        "source": ref.source,
        "details": ref.details,
        "design": ref.design,
        "participants": ref.participants,
        "doi": ref.doi,
        "pmid": ref.pmid,
        "verified": ref.verified,
        "verification_note": ref.verification_note,
    }


def side_effect_data(effect: SideEffect) -> dict[str, Any]:
    return {
        "id": effect.id,
        "name": effect.name,
        "plain_name": effect.plain_name,
        "timing": effect.timing,
        "watch_for": effect.watch_for,
        "frequency": effect.frequency,
        "action": effect.action,
    }


def handout_data(handout: Handout) -> dict[str, Any]:
    return {
        "id": handout.id,
        "title": handout.title,
        "last_reviewed": handout.last_reviewed.isoformat() if handout.last_reviewed else None,
        "markdown": handout.markdown,
        "based_on": list(handout.based_on),
    }


# --- from data back to records, checking every field ---------------------------------------


class _Checker:
    def __init__(self, where: str, data: Any):
        self.where = where
        self.problems: list[str] = []
        if not isinstance(data, dict):
            self.fail("is not an object")
            data = {}
        self.data: dict[str, Any] = data

    def fail(self, message: str) -> None:
        self.problems.append(f"{self.where}: {message}")

    def text(self, key: str, *, limit: int = MAX_SHORT, required: bool = True) -> str:
        value = self.data.get(key, None if required else "")
        if not isinstance(value, str):
            self.fail(f"{key} must be text")
            return ""
        if len(value) > limit:
            self.fail(f"{key} is too long ({len(value)} characters; at most {limit})")
            return ""
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(f"{key} must be a list of text")
            return ()
        if len(value) > MAX_LIST or any(len(v) > MAX_SHORT for v in value):
            self.fail(f"{key} is too long")
            return ()
        return tuple(value)

    def slug(self, key: str = "id") -> str:
        value = self.text(key)
        if value and not markup.is_slug(value):
            self.fail(f"{key} {value!r} must be lower-case letters, digits and hyphens")
        return value

    def date(self, key: str) -> dt.date | None:
        value = self.data.get(key)
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            self.fail(f"{key} is not a date (YYYY-MM-DD)")
            return None

    def number(self, data: Mapping[str, Any], key: str, where: str) -> float:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(f"{where}.{key} must be a number")
            return 0.0
        return float(value)

    def time_range(self, data: Any, where: str) -> TimeRange:
        if not isinstance(data, dict):
            self.fail(f"{where} must be an object with min, max and unit")
            return TimeRange(0, 0, "hours")
        unit = data.get("unit")
        if unit not in TIME_UNITS:
            self.fail(f"{where}.unit must be one of {', '.join(TIME_UNITS)}")
            unit = "hours"
        return TimeRange(self.number(data, "min", where), self.number(data, "max", where), unit)


def condition_from_entry(
    data: Any,
    *,
    references: Mapping[str, Reference],
    side_effects: Mapping[str, SideEffect],
) -> Condition:
    """The record an entry's data describes. Shape and types are checked here (EntryError);
    the content rules are checked by rules.check_condition on the result."""
    c = _Checker(f"entry {data.get('id', '?') if isinstance(data, dict) else '?'}", data)
    cid = c.slug()
    onset_data = c.data.get("onset")
    onset = None
    if isinstance(onset_data, dict):
        onset = OnsetProfile(
            c.time_range(onset_data.get("onset"), "onset.onset"),
            c.time_range(onset_data.get("duration"), "onset.duration"),
            onset_data.get("usual_treatment", "")
            if isinstance(onset_data.get("usual_treatment"), str)
            else "",
            c.time_range(onset_data.get("usual_onset"), "onset.usual_onset"),
        )
    elif onset_data is not None:
        c.fail("onset must be an object")
    sections_data = c.data.get("sections", {})
    sections: list[Section] = []
    if not isinstance(sections_data, dict):
        c.fail("sections must be an object of title: Markdown")
    else:
        for title, markdown in sections_data.items():
            if title not in SECTION_TITLES:
                c.fail(f"unknown section {title!r}")
            elif not isinstance(markdown, str) or len(markdown) > MAX_TEXT:
                c.fail(f"section {title!r} must be text of at most {MAX_TEXT} characters")
            else:
                sections.append(Section(title, markdown))
        sections.sort(key=lambda s: SECTION_TITLES.index(s.title))
    links: list[SideEffectLink] = []
    links_data = c.data.get("side_effects", [])
    if not isinstance(links_data, list):
        c.fail("side_effects must be a list")
        links_data = []
    for item in links_data:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            c.fail("each side-effect link needs an id")
            continue
        effect = side_effects.get(item["id"])
        if effect is None:
            c.fail(f"links unknown side effect {item['id']!r}")
            continue
        note = item.get("note", "")
        if not isinstance(note, str) or len(note) > MAX_TEXT:
            c.fail(f"the note on {item['id']!r} must be text")
            note = ""
        links.append(SideEffectLink(effect, bool(item.get("key", False)), note))
    condition = Condition(
        id=cid,
        name=c.text("name"),
        category=c.text("category"),
        abbreviations=c.texts("abbreviations"),
        synonyms=c.texts("synonyms"),
        keywords=c.texts("keywords"),
        last_reviewed=c.date("last_reviewed"),
        grade=c.text("grade"),
        grade_basis=c.text("grade_basis"),
        regulatory_summary=c.text("regulatory_summary"),
        onset=onset,
        sections=tuple(sections),
        references=(),
        side_effects=tuple(links),
    )
    if c.problems:
        raise EntryError(c.problems)
    return with_cited_references(condition, references)


def with_cited_references(condition: Condition, references: Mapping[str, Reference]) -> Condition:
    """The condition with its reference list rebuilt from its citations, in order of first use
    (unknown ids are left out here and reported by the content rules)."""
    cited = markup.cited_ids(
        "\n".join(rules.citable_texts(condition.sections, condition.side_effects))
    )
    refs = tuple(references[i] for i in cited if i in references)
    return dataclasses.replace(condition, references=refs)


def reference_from_data(data: Any) -> Reference:
    c = _Checker(f"reference {data.get('id', '?') if isinstance(data, dict) else '?'}", data)
    kind = c.text("kind")
    if kind and kind not in REFERENCE_KINDS:
        c.fail(f"kind must be one of {', '.join(REFERENCE_KINDS)}")
    year = c.data.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not 1800 <= year <= 2200:
        c.fail("year must be a whole number")
        year = 0
    participants = c.data.get("participants")
    if participants is not None and (
        isinstance(participants, bool) or not isinstance(participants, int) or participants < 0
    ):
        c.fail("participants must be a whole number")
        participants = None
    verified = c.data.get("verified")
    if not isinstance(verified, bool):
        c.fail("verified must be true or false")
        verified = False
    ref = Reference(
        id=c.slug(),
        kind=kind,
        authors=c.text("authors"),
        year=year,
        title=c.text("title"),
        source=c.text("source"),
        design=c.text("design"),
        verified=verified,
        details=c.text("details", required=False),
        participants=participants,
        doi=c.text("doi", required=False),
        pmid=c.text("pmid", required=False),
        verification_note=c.text("verification_note", required=False),
    )
    if not ref.verified and not ref.verification_note.strip():
        c.fail("verified = false needs a verification_note")
    for field in ("authors", "title", "source", "design"):
        if markup.has_raw_html(getattr(ref, field)):
            c.fail(f"{field} contains raw HTML")
    if c.problems:
        raise EntryError(c.problems)
    return ref


def side_effect_from_data(data: Any) -> SideEffect:
    c = _Checker(f"side effect {data.get('id', '?') if isinstance(data, dict) else '?'}", data)
    timing = c.text("timing")
    if timing and timing not in TIMINGS:
        c.fail(f"timing must be one of {', '.join(TIMINGS)}")
    effect = SideEffect(
        c.slug(),
        c.text("name"),
        c.text("plain_name"),
        timing,
        c.text("watch_for", limit=MAX_TEXT),
        c.text("frequency", limit=MAX_TEXT),
        c.text("action", limit=MAX_TEXT),
    )
    for field in ("watch_for", "frequency", "action"):
        if markup.has_raw_html(getattr(effect, field)):
            c.fail(f"{field} contains raw HTML")
    if c.problems:
        raise EntryError(c.problems)
    return effect


def handout_from_data(data: Any) -> Handout:
    c = _Checker(f"handout {data.get('id', '?') if isinstance(data, dict) else '?'}", data)
    handout = Handout(
        c.slug(),
        c.text("title"),
        c.date("last_reviewed"),
        c.text("markdown", limit=MAX_TEXT),
        c.texts("based_on"),
    )
    if c.problems:
        raise EntryError(c.problems)
    return handout
