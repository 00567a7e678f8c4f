"""Pure rendering: records to readable Markdown (the command line; later HTML for the window).

No SQL, no widgets: every function takes records and returns text.
"""

from __future__ import annotations

from . import DISCLAIMER, markup
from .records import GRADE_MEANINGS, TIMING_LABELS, Condition, Handout, Reference


def citation(ref: Reference) -> str:
    """A full citation in Vancouver style, with design, size and identifiers.

    >>> print(citation(Reference("x", "study", "Doe J, Roe R", 2020, "A trial", "BMJ",
    ...                          "Randomised trial", True, "370:m1", 40, "10.1/x", "123")))
    Doe J, Roe R. A trial. BMJ. 2020;370:m1. Randomised trial, n = 40. doi:10.1/x. PMID 123.
    """
    source = f"{ref.source}. {ref.year}"
    source += f";{ref.details}." if ref.details else "."
    design = ref.design + (f", n = {ref.participants}" if ref.participants else "")
    parts = [f"{_end(ref.authors)} {_end(ref.title)} {source} {_end(design)}"]
    if ref.doi:
        parts.append(f"doi:{ref.doi}.")
    if ref.pmid:
        parts.append(f"PMID {ref.pmid}.")
    if not ref.verified:
        parts.append(f"(Details not independently confirmed: {_end(ref.verification_note)})")
    return " ".join(parts)


def _end(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def grade_line(condition: Condition) -> str:
    """
    >>> from ketadesk.records import Condition
    >>> c = Condition("x", "X", "Mood", (), (), None, "low", "Small trials.", "", None, (), ())
    >>> grade_line(c)
    'Certainty of evidence (GRADE): **low**. Small trials.'
    """
    return f"Certainty of evidence (GRADE): **{condition.grade}**. {_end(condition.grade_basis)}"


def onset_lines(condition: Condition) -> list[str]:
    if condition.onset is None:
        return []
    o = condition.onset
    return [
        f"- Onset of benefit: {o.onset}",
        f"- Duration after one treatment: {o.duration}",
        f"- Usual treatment ({o.usual_treatment}): onset {o.usual_onset}",
    ]


def condition_markdown(condition: Condition, *, content_version: str = "") -> str:
    """One whole entry as Markdown: every section, side effects, numbered references."""
    numbers = condition.reference_numbers()
    names = ", ".join(condition.abbreviations + condition.synonyms)
    reviewed = condition.last_reviewed.isoformat() if condition.last_reviewed else "not recorded"
    out = [f"# {condition.name}", ""]
    facts = [condition.category, f"last reviewed {reviewed}"]
    if content_version:
        facts.append(f"content version {content_version}")
    out += [" · ".join(facts), ""]
    if names:
        out += [f"Also known as: {names}", ""]
    out += [
        f"> {grade_line(condition)}",
        ">",
        f"> Regulatory status: {condition.regulatory_summary}",
        "",
    ]
    for section in condition.sections:
        out += [f"## {section.title}", ""]
        if section.title == "Onset and duration":
            out += [*onset_lines(condition), ""]
        if section.title == "Evidence":
            out += [
                grade_line(condition),
                "",
                f"*{condition.grade.capitalize()}:* {GRADE_MEANINGS.get(condition.grade, '')}",
                "",
            ]
        out += [markup.number_citations(section.markdown, numbers), ""]
    if condition.side_effects:
        out += ["## Side effects", ""]
        for link in condition.side_effects:
            effect = link.side_effect
            label = f"**{effect.name}**" + (" (key for this condition)" if link.key else "")
            when = TIMING_LABELS.get(effect.timing, effect.timing).lower()
            note = f": {markup.number_citations(link.note, numbers)}" if link.note else ""
            out.append(f"- {label}, {when}{note}")
        out.append("")
    out += ["## References", ""]
    out += [f"{n}. {citation(ref)}" for n, ref in enumerate(condition.references, start=1)]
    out += ["", "---", "", f"*{DISCLAIMER}*", ""]
    return "\n".join(out)


def handout_markdown(handout: Handout) -> str:
    """A patient handout as one Markdown document: title, text, review date and the reminder
    that it supports, and does not replace, the conversation with the clinician."""
    reviewed = handout.last_reviewed.isoformat() if handout.last_reviewed else "not recorded"
    return (
        f"# {handout.title}\n\n{handout.markdown.strip()}\n\n---\n\n"
        f"{HANDOUT_REMINDER} Last reviewed {reviewed}.\n"
    )


HANDOUT_REMINDER = (
    "This sheet helps you talk with your care team. It does not take the place of their advice."
)
