"""The content rules: what every condition entry must satisfy.

One implementation, used by `ketadesk db build` on the text sources (which adds the file and
line to each problem) and by `ketadesk db check` on a database's records.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence

from . import markup, readability
from .readability import MAX_HANDOUT_GRADE, reading_grade
from .records import (
    GRADES,
    HANDOUT_HEADINGS,
    HANDOUT_SECTION,
    SECTION_TITLES,
    TIME_UNITS,
    TIMINGS,
    Condition,
    Handout,
    Problem,
    Section,
    SideEffect,
    SideEffectLink,
    TimeRange,
)

OVERCLAIM_RE = re.compile(r"\b(cur(?:e|es|ed|ing|ative|atively)|miracles?)\b", re.I)
"""Words that overstate what ketamine does. Nothing in ketadesk's content may use them, not
even to deny them: a skimming reader sees the word, not the negation."""
_ODD_I = re.compile("[\u0130\u0131]")
"""The two letters besides I and i that OVERCLAIM_RE's IGNORECASE matches as "i" (İ and ı), which
lower() does not turn into "i": texts holding them always go through the regex."""


def citable_texts(sections: Iterable[Section], links: Iterable[SideEffectLink]) -> list[str]:
    """Every text of an entry that may cite references: its sections, then its side-effect notes.

    A condition's reference list is numbered in this order.
    """
    return [s.markdown for s in sections] + [link.note for link in links]


def link_targets(condition: Condition) -> list[str]:
    """The ids an entry links to (`[text](condition:id)`), in order."""
    texts = citable_texts(condition.sections, condition.side_effects)
    return [target for text in texts for target in markup.linked_condition_ids(text)]


def link_problems(
    condition_id: str, targets: Iterable[str], condition_ids: Collection[str]
) -> list[Problem]:
    return [
        Problem(condition_id, f"link:{target}", f"link to unknown condition {target!r}")
        for target in targets
        if target not in condition_ids
    ]


def batch(conditions: Iterable[Condition] = (), handouts: Iterable[Handout] = ()):
    """A block in which a batch of entries and handouts is checked: their reading grades are
    made together (readability.batch), not one dictionary pass per entry. Checking gives the
    same result outside it, only slower."""
    texts = [s.markdown for c in conditions for s in c.sections if s.title == HANDOUT_SECTION]
    return readability.batch(texts + [h.markdown for h in handouts])


def check_condition(
    condition: Condition,
    *,
    categories: Collection[str],
    reference_ids: Collection[str],
    condition_ids: Collection[str] | None,
    plain_texts: Sequence[str] | None = None,
) -> list[Problem]:
    """Every rule broken by one entry; an empty list means the entry is complete.

    `condition_ids` are the entries its links may point to. None leaves the links unchecked,
    for a caller that does not know every id yet (a pack read entry by entry checks them at the
    end with link_targets and link_problems). `plain_texts`, each section's markup.plain_text
    in order, saves making them again when the caller has them (an import uses them twice)."""
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
    if plain_texts is None:
        plain_texts = [markup.plain_text(s.markdown) for s in condition.sections]
    plain = {s.title: text for s, text in zip(condition.sections, plain_texts, strict=True)}
    for title in SECTION_TITLES:
        if title not in present:
            fail(f"section:{title}", f"missing section '## {title}'")
        elif not plain[title]:
            fail(f"section:{title}", f"section '## {title}' is empty")

    texts = citable_texts(condition.sections, condition.side_effects)
    cited: dict[str, None] = {}
    for text in texts:
        for _, keys in markup.citation_groups(text):
            for key in keys:
                well_formed = markup.CITATION_ID_RE.match(key)
                if well_formed:
                    cited.setdefault(well_formed.group(1), None)
                else:
                    fail(f"citation:{key}", f"malformed citation {key!r} (write [@reference-id])")
        if markup.has_raw_html(text):
            fail("html", "raw HTML is not allowed in content (use Markdown)")
    for field, message in markdown_bounds(condition.sections, condition.side_effects):
        fail(field, message)
    if condition_ids is not None:
        problems += link_problems(condition.id, link_targets(condition), condition_ids)
    for ref_id in cited:
        if ref_id not in reference_ids:
            fail(f"citation:@{ref_id}", f"cites unknown reference {ref_id!r}")
    if not cited:
        fail("references", "cites no reference (every entry needs at least one)")

    for field, message in _shape_problems(present, plain):
        fail(field, message)

    handout = present.get(HANDOUT_SECTION)
    if handout is not None and plain[HANDOUT_SECTION]:
        for field, message in _handout_problems(handout.markdown, HANDOUT_HEADINGS):
            fail(field, message)

    own_words = [condition.name, *condition.synonyms, *condition.keywords, condition.grade_basis]
    own_words.append(condition.regulatory_summary)
    for word in overclaims([*own_words, *texts]):
        fail(f"word:{word}", f"overstating word {word!r} (describe effects and evidence instead)")
    return problems


SAFETY_ITEMS = (3, 6)
"""The safety box is a short list: what must not be missed, not everything that could be said."""
MAX_SUMMARY_WORDS = 130
"""Two or three sentences a busy clinician reads first."""
MAX_UNKNOWN_WORDS = 120
"""'What is not known yet' is one short paragraph."""


def _shape_problems(
    present: dict[str, Section], plain: dict[str, str]
) -> Iterable[tuple[str, str]]:
    """The sections whose length and form the issue fixes: Safety, Summary, What is not known.
    `plain` holds each section's plain text."""
    safety = present.get("Safety")
    if safety is not None and plain["Safety"]:
        lines = [line for line in safety.markdown.splitlines() if line.strip()]
        items = [line for line in lines if re.match(r"^[-*+]\s", line)]
        loose = [line for line in lines if not re.match(r"^([-*+]\s|\s+\S)", line)]
        low, high = SAFETY_ITEMS
        if loose or not low <= len(items) <= high:
            yield (
                "section:Safety",
                f"'## Safety' must be a list of {low} to {high} items and nothing else "
                f"(found {len(items)} items{' and other text' if loose else ''})",
            )
    for title, limit, shape, paragraphs in (
        ("Summary", MAX_SUMMARY_WORDS, "two or three sentences", None),
        ("What is not known yet", MAX_UNKNOWN_WORDS, "one short paragraph", 1),
    ):
        section = present.get(title)
        if section is not None:
            yield from _prose_problems(section, plain[title], limit, shape, paragraphs=paragraphs)


def _prose_problems(
    section: Section, plain: str, max_words: int, shape: str, *, paragraphs: int | None
) -> Iterable[tuple[str, str]]:
    """A section that must be short prose: no list or heading, a word limit, maybe a paragraph
    limit."""
    words = len(plain.split())
    found = [p for p in re.split(r"\n\s*\n", section.markdown.strip()) if p.strip()]
    markup_found = re.search(r"^\s*([-*+]|\d+[.)]|#{1,6})\s", section.markdown, re.M)
    if words > max_words or markup_found or (paragraphs and len(found) > paragraphs):
        yield (
            f"section:{section.title}",
            f"'## {section.title}' is {shape} of prose, at most {max_words} words "
            f"(found {words} words in {len(found)} paragraphs"
            f"{', and a list or heading' if markup_found else ''})",
        )


UNRENDERABLE = (
    "cannot be formatted safely: lists or quotes nested 20 deep or more, a run of 200 brackets "
    "or emphasis marks, or more than 250 '[' or '(' or 800 '*' or '_' (see docs/content-format.md)"
)


def markdown_bounds(
    sections: Iterable[Section], links: Iterable[SideEffectLink]
) -> Iterable[tuple[str, str]]:
    """Texts the renderer could not format in bounded time (markup.renderable, the same bound
    the window applies, so what passes here is always shown formatted)."""
    for section in sections:
        if not markup.renderable(markup.with_citation_links(section.markdown)):
            yield f"section:{section.title}", f"section '## {section.title}' {UNRENDERABLE}"
    for link in links:
        if not markup.renderable(markup.with_citation_links(link.note)):
            yield f"side_effect:{link.side_effect.id}", f"the note {UNRENDERABLE}"


def check_handout(handout: Handout) -> list[Problem]:
    """Every rule broken by a general patient handout (such as the treatment-day handout)."""
    problems = []
    if not handout.title.strip():
        problems.append(Problem(handout.id, "title", "the handout has no title"))
    if handout.last_reviewed is None:
        problems.append(Problem(handout.id, "last_reviewed", "no last-reviewed date"))
    if not markup.plain_text(handout.markdown):
        problems.append(Problem(handout.id, "body", "the handout has no text"))
    else:
        problems += [Problem(handout.id, f, m) for f, m in _handout_problems(handout.markdown, ())]
    if markup.has_raw_html(handout.markdown):
        problems.append(Problem(handout.id, "html", "raw HTML is not allowed in content"))
    if not markup.renderable(handout.markdown):
        problems.append(Problem(handout.id, "body", UNRENDERABLE))
    for word in overclaims([handout.title, handout.markdown]):
        problems.append(Problem(handout.id, f"word:{word}", f"overstating word {word!r}"))
    return problems


def check_side_effect(effect: SideEffect) -> list[Problem]:
    """Every rule broken by one side-effect catalogue entry."""
    problems = []
    texts = {
        "name": effect.name,
        "plain_name": effect.plain_name,
        "watch_for": effect.watch_for,
        "frequency": effect.frequency,
        "action": effect.action,
    }
    for field, text in texts.items():
        if not text.strip():
            problems.append(Problem(effect.id, field, f"{field} is empty"))
    if effect.timing not in TIMINGS:
        problems.append(Problem(effect.id, "timing", f"timing must be one of: {_list(TIMINGS)}"))
    for word in overclaims(texts.values()):
        problems.append(Problem(effect.id, f"word:{word}", f"overstating word {word!r}"))
    return problems


def overclaims(texts: Iterable[str]) -> list[str]:
    """Overstating words found in the texts, each once, in order of appearance.

    >>> overclaims(["It cures nothing", "Secure and procured", "no CURE; a miracle"])
    ['cures', 'CURE', 'miracle']
    >>> overclaims(["MİRACLE CURE"])  # a dotted capital I is still an I
    ['MİRACLE', 'CURE']
    """
    found: dict[str, None] = {}
    for text in texts:
        lowered = text.lower()  # a quick look first: the regex is slow on long texts
        if "cur" not in lowered and "mirac" not in lowered and not _ODD_I.search(text):
            continue
        for m in OVERCLAIM_RE.finditer(text):
            found.setdefault(m.group(1), None)
    return list(found)


def _handout_problems(markdown: str, headings: Iterable[str]) -> Iterable[tuple[str, str]]:
    """Patient text: plain enough to read, uncited, and (for conditions) in the usual order."""
    where = f"section:{HANDOUT_SECTION}"
    grade = reading_grade(markdown)
    if grade > MAX_HANDOUT_GRADE:
        yield (
            f"{where}:grade",
            f"the patient handout reads at Flesch-Kincaid grade {grade:g}; it must be "
            f"{MAX_HANDOUT_GRADE:g} or lower (shorter sentences, everyday words)",
        )
    if markup.citation_groups(markdown):
        yield f"{where}:citation", "the patient handout must not carry citations"
    yield from crisis_line_problems(markdown)
    found = [line[4:].strip() for line in markdown.splitlines() if line.startswith("### ")]
    expected = list(headings)
    missing = [h for h in expected if h not in found]
    if missing:
        yield (
            f"{where}:headings",
            "the patient handout lacks the heading(s) " + "; ".join(f"'### {h}'" for h in missing),
        )
    elif [h for h in found if h in expected] != expected:
        yield (
            f"{where}:headings",
            "the patient handout's headings are out of order: " + ("; ".join(expected)),
        )


CRISIS_LINE_RE = re.compile(r"(?<!\d)988(?!\d)|\bcrisis (?:line|lifeline)\b", re.I)
"""What counts as a crisis line in a handout's emergency section: the US number 988 (call or
text; veterans press 1) or the words "crisis line", for a handout written for another country."""


def crisis_line_problems(markdown: str) -> Iterable[tuple[str, str]]:
    """A patient handout's emergency section must name a crisis line (CRISIS_LINE_RE): a reader
    with thoughts of suicide finds it where they look for help.

    The emergency section is every `###` section whose heading holds "emergency" (a condition's
    is `### When to get emergency help`); a handout with none must name one somewhere.

    >>> list(crisis_line_problems("### When to get emergency help\\n\\nCall or text 988."))
    []
    >>> [m for _, m in crisis_line_problems("### When to get emergency help\\n\\nCall 911.")]
    ["the patient handout's emergency section names no crisis line (write 988 or 'crisis line')"]
    """
    emergency = [
        f"{title}\n{body}"
        for title, body in markup.handout_sections(markdown)
        if "emergency" in title.lower()
    ]
    if not all(CRISIS_LINE_RE.search(s) for s in emergency or [markdown]):
        yield (
            f"section:{HANDOUT_SECTION}:crisis-line",
            "the patient handout's emergency section names no crisis line "
            "(write 988 or 'crisis line')",
        )


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
