"""The content rules: what every condition entry must satisfy.

One implementation, used by `ketadesk db build` on the text sources (which adds the file and
line to each problem) and by `ketadesk db check` on a database's records.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from . import markup
from .records import (
    GRADES,
    SECTION_TITLES,
    TIME_UNITS,
    Condition,
    Problem,
    Section,
    SideEffectLink,
    TimeRange,
)


def citable_texts(sections: Iterable[Section], links: Iterable[SideEffectLink]) -> list[str]:
    """Every text of an entry that may cite references: its sections, then its side-effect notes.

    A condition's reference list is numbered in this order.
    """
    return [s.markdown for s in sections] + [link.note for link in links]


def check_condition(
    condition: Condition,
    *,
    categories: Collection[str],
    reference_ids: Collection[str],
    condition_ids: Collection[str],
) -> list[Problem]:
    """Every rule broken by one entry; an empty list means the entry is complete."""
    problems: list[Problem] = []

    def fail(field: str, message: str) -> None:
        problems.append(Problem(condition.id, field, message))

    if not condition.name.strip():
        fail("name", "the name is empty")
    if condition.category not in categories:
        fail("category", f"unknown category {condition.category!r} (known: {_list(categories)})")
    if condition.grade not in GRADES:
        fail("grade", f"no valid evidence grade (one of: {_list(GRADES)})")
    if not condition.grade_basis.strip():
        fail("grade_basis", "no basis is given for the evidence grade")
    if condition.last_reviewed is None:
        fail("last_reviewed", "no last-reviewed date")
    if not condition.regulatory_summary.strip():
        fail("regulatory_summary", "no one-line regulatory summary")
    problems += _check_onset(condition)

    present = {s.title: s for s in condition.sections}
    for title in SECTION_TITLES:
        section = present.get(title)
        if section is None:
            fail(f"section:{title}", f"missing section '## {title}'")
        elif not markup.plain_text(section.markdown):
            fail(f"section:{title}", f"section '## {title}' is empty")

    texts = citable_texts(condition.sections, condition.side_effects)
    cited: list[str] = []
    for text in texts:
        cited += markup.cited_ids(text)
        for _, keys in markup.citation_groups(text):
            for key in keys:
                if not markup.CITATION_ID_RE.match(key):
                    fail(f"citation:{key}", f"malformed citation {key!r} (write [@reference-id])")
        for target in markup.linked_condition_ids(text):
            if target not in condition_ids:
                fail(f"link:{target}", f"link to unknown condition {target!r}")
        if markup.has_raw_html(text):
            fail("html", "raw HTML is not allowed in content (use Markdown)")
    for ref_id in dict.fromkeys(cited):
        if ref_id not in reference_ids:
            fail(f"citation:@{ref_id}", f"cites unknown reference {ref_id!r}")
    if not cited:
        fail("references", "cites no reference (every entry needs at least one)")
    return problems


def _check_onset(condition: Condition) -> Iterable[Problem]:
    onset = condition.onset
    if onset is None:
        yield Problem(condition.id, "onset", "no structured [onset] block")
        return
    ranges: dict[str, TimeRange] = {
        "onset": onset.onset,
        "duration": onset.duration,
        "usual_onset": onset.usual_onset,
    }
    for name, value in ranges.items():
        if value.unit not in TIME_UNITS:
            yield Problem(
                condition.id,
                f"onset.{name}",
                f"[onset] {name} has unknown unit {value.unit!r} (one of: {_list(TIME_UNITS)})",
            )
        if not 0 <= value.min <= value.max:
            yield Problem(
                condition.id,
                f"onset.{name}",
                f"[onset] {name} needs 0 <= min <= max (got {value.min}..{value.max})",
            )
    if not onset.usual_treatment.strip():
        yield Problem(condition.id, "onset.usual_treatment", "[onset] usual_treatment is empty")


def _list(items: Iterable[str]) -> str:
    return ", ".join(items)
