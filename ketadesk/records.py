"""Frozen records passed between layers: no SQL cursors or dicts leave the data layer."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

GRADES = ("high", "moderate", "low", "very low")
"""GRADE certainty of evidence, strongest first."""

GRADE_MEANINGS = {
    "high": "Further research is very unlikely to change confidence in the estimate of effect.",
    "moderate": "Further research is likely to have an important impact on confidence in the "
    "estimate and may change it.",
    "low": "Further research is very likely to have an important impact on confidence in the "
    "estimate and is likely to change it.",
    "very low": "Any estimate of effect is very uncertain.",
}

TIME_UNITS = ("seconds", "minutes", "hours", "days", "weeks", "months")

TIMINGS = ("during", "hours-after", "repeated-use")
TIMING_LABELS = {
    "during": "During the session",
    "hours-after": "In the hours after",
    "repeated-use": "With repeated or long-term use",
}

REFERENCE_KINDS = ("study", "review", "guideline", "consensus", "label")

SECTION_TITLES = (
    "Summary",
    "Safety",
    "Mechanism",
    "Onset and duration",
    "Evidence",
    "Regulatory status",
    "Routes and studied regimens",
    "Considerations",
    "What is not known yet",
    "Patient handout",
)
"""The sections every condition has, in display order."""

HANDOUT_SECTION = "Patient handout"
"""The section written for patients, printed as the condition's handout."""

HANDOUT_HEADINGS = (
    "What this treatment is for",
    "How it is given",
    "What to expect and when",
    "Possible side effects",
    "Before and after your session",
    "When to call us",
    "When to get emergency help",
)
"""The `###` headings of a condition's patient handout, in order, so every handout reads alike."""


def section_key(title: str) -> str:
    """Stable key of a section title.

    >>> section_key("Routes and studied regimens")
    'routes-and-studied-regimens'
    """
    return "-".join(title.lower().split())


@dataclass(frozen=True)
class TimeRange:
    min: float
    max: float
    unit: str

    def __str__(self) -> str:
        lo, hi = _num(self.min), _num(self.max)
        span = lo if lo == hi else f"{lo}–{hi}"
        return f"{span} {self.unit}"


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@dataclass(frozen=True)
class OnsetProfile:
    onset: TimeRange
    duration: TimeRange
    usual_treatment: str
    usual_onset: TimeRange


@dataclass(frozen=True)
class Reference:
    id: str
    kind: str
    authors: str
    year: int
    title: str
    source: str
    design: str
    verified: bool
    details: str = ""
    participants: int | None = None
    doi: str = ""
    pmid: str = ""
    verification_note: str = ""


@dataclass(frozen=True)
class SideEffect:
    id: str
    name: str
    plain_name: str
    timing: str
    watch_for: str
    frequency: str
    action: str


@dataclass(frozen=True)
class SideEffectLink:
    side_effect: SideEffect
    key: bool
    note: str = ""


@dataclass(frozen=True)
class Section:
    title: str
    markdown: str

    @property
    def key(self) -> str:
        return section_key(self.title)


@dataclass(frozen=True)
class ConditionSummary:
    """One row of the condition list."""

    id: str
    name: str
    category: str
    grade: str
    abbreviations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Condition:
    id: str
    name: str
    category: str
    abbreviations: tuple[str, ...]
    synonyms: tuple[str, ...]
    last_reviewed: dt.date | None
    grade: str
    grade_basis: str
    regulatory_summary: str
    onset: OnsetProfile | None
    sections: tuple[Section, ...]
    references: tuple[Reference, ...]
    """Numbered in order of first citation: references[0] is [1]."""
    side_effects: tuple[SideEffectLink, ...] = ()
    keywords: tuple[str, ...] = ()
    """Search terms that are not names of the condition: product names, older terms."""

    def section(self, title: str) -> Section | None:
        return next((s for s in self.sections if s.title == title), None)

    def reference_numbers(self) -> dict[str, int]:
        return {ref.id: n for n, ref in enumerate(self.references, start=1)}

    @property
    def summary(self) -> ConditionSummary:
        return ConditionSummary(self.id, self.name, self.category, self.grade, self.abbreviations)


@dataclass(frozen=True)
class SnippetPart:
    text: str
    matched: bool


@dataclass(frozen=True)
class SearchHit:
    condition: ConditionSummary
    section: str
    """Where the best match was: "Name", a section title, or "Side effects"."""
    snippet: tuple[SnippetPart, ...]
    rank: float

    @property
    def snippet_text(self) -> str:
        return "".join(p.text for p in self.snippet)


@dataclass(frozen=True)
class Handout:
    """A general patient handout that belongs to no single condition (the treatment day)."""

    id: str
    title: str
    last_reviewed: dt.date | None
    markdown: str
    based_on: tuple[str, ...] = ()
    """Ids of the references that back what the handout tells patients."""


@dataclass(frozen=True)
class HandoutOptions:
    paper: str = "a4"
    large_print: bool = False
    references: bool = False
    """List where the facts come from at the end (the condition's references)."""
    clinic: str = ""
    phone: str = ""


@dataclass(frozen=True)
class HandoutPart:
    """One handout in a print run; each starts on a new page and numbers its own pages."""

    handout: Handout
    references: tuple[Reference, ...] = ()
    discussed: tuple[str, ...] = ()
    """Plain names of the side effects ticked in the checklist."""


@dataclass(frozen=True)
class EntryState:
    """What the working database knows about an entry beyond its content."""

    retired: bool
    local: bool
    """Edited here (in the app or by a pack over a local edit): upgrades do not overwrite it."""
    base_hash: str
    """The hash of the bundled or imported version this entry was last taken from."""
    pending: dict[str, Any] | None
    """A newer version (entry data) that arrived over a local edit, waiting to be resolved."""


@dataclass(frozen=True)
class Revision:
    id: int
    condition_id: str
    at: str
    editor: str
    action: str
    """created, edited, retired, restored, imported, upgraded, reverted, resolved."""
    summary: str
    entry: dict[str, Any]
    """The whole entry as it was after this change (entries.entry form)."""


@dataclass(frozen=True)
class DbInfo:
    path: str
    schema_version: int
    content_version: str
    content_date: str
    source_hash: str
    counts: dict[str, int]
    sqlite_version: str


@dataclass(frozen=True)
class Problem:
    """A content-rule failure; `where` names the entry, `field` the part of it."""

    where: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def to_jsonable(value: Any) -> Any:
    """Records to plain JSON-ready structures (dates as ISO strings)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
