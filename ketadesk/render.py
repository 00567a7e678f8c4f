"""Pure rendering: records to Markdown (the command line, handouts) and HTML (the detail pane).

No SQL, no widgets: every function takes records and returns text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from html import escape

from . import DISCLAIMER, markup
from .records import (
    GRADE_MEANINGS,
    HANDOUT_SECTION,
    TIMING_LABELS,
    Condition,
    Handout,
    OnsetProfile,
    Reference,
    Section,
    SideEffect,
)


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


# --- HTML for the detail pane ---------------------------------------------------------------

ALLOWED_TAGS = {
    "p", "br", "em", "strong", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li",
    "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody", "tr", "th", "td", "hr", "sup", "sub",
}  # fmt: skip
"""What content Markdown may become. Headings h1/h2 belong to the page, so content cannot fake
a section; images are absent, so nothing is ever fetched."""

LINK_SCHEMES = {"condition", "http", "https", "mailto"}
"""`condition:` links open another entry; the others are shown but never fetched by the app."""

SAFETY_SECTION = "Safety"


@dataclass(frozen=True)
class Palette:
    """Colours the page uses, taken from the window's palette so dark themes work."""

    accent: str = "#1f5fbf"
    """The ketamine bar of the timeline and the safety box's border."""
    muted: str = "#8a8a8a"
    """The usual treatment's bar, the timeline's scale."""


PLAIN_TEXT_NOTICE = "This section could not be formatted and is shown as plain text."

renderable = markup.renderable
"""Whether Python-Markdown renders a text in bounded time (one definition, in markup, shared
with the content rules)."""


def plain_html(text: str) -> str:
    """Text shown as escaped plain paragraphs, under the notice that it was not formatted."""
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in re.split(r"\n\s*\n", text) if p.strip())
    return f"<p><i>{PLAIN_TEXT_NOTICE}</i></p>{paragraphs}"


def markdown_html(text: str) -> str:
    """Content Markdown as safe HTML; never raises. Text Python-Markdown cannot render in
    bounded time (see `renderable`), or that makes it fail, is shown as plain text with a
    notice instead.

    >>> markdown_html("- " * 20000 + "x").startswith("<p><i>This section could not")
    True
    """
    if not renderable(text):
        return plain_html(text)
    try:
        return _markdown_html(text)
    except Exception:  # RecursionError or any other failure of the renderer
        return plain_html(text)


def _markdown_html(text: str) -> str:
    """Content Markdown as safe HTML: rendered by Python-Markdown, then sanitised with nh3, so
    raw HTML, scripts, styles and images from any source (an update pack, the editor) are
    dropped.

    >>> _markdown_html("Hi <script>x()</script>**there** [a](javascript:x) [b](condition:y)")
    '<p>Hi <strong>there</strong> <a>a</a> <a href="condition:y">b</a></p>'
    """
    import markdown
    import nh3
    from markdown.extensions.sane_lists import SaneListExtension

    # The extension as an object, not by name: a name is looked up among the installed
    # packages' entry points, which loads importlib.metadata, email, zipfile and more (~4 MiB
    # and ~20 ms at the first entry shown).
    html = markdown.markdown(text, extensions=[SaneListExtension()], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}, "td": {"align"}, "th": {"align"}},
        url_schemes=LINK_SCHEMES,
        link_rel=None,
        strip_comments=True,
    ).strip()


def _cited_html(text: str, numbers: dict[str, int]) -> str:
    """Markdown with each citation turned into links to the numbered references."""

    def repl(m: re.Match[str]) -> str:
        ids = [k.strip().lstrip("@") for k in m.group(1).split(";")]
        links = [f"[{numbers[i]}](#ref-{numbers[i]})" if i in numbers else "[?]" for i in ids]
        return "[" + ", ".join(links) + "]"

    return markdown_html(markup.CITATION_RE.sub(repl, text))


def anchor(title: str) -> str:
    """
    >>> anchor("What is not known yet")
    'sec-what-is-not-known-yet'
    """
    return "sec-" + "-".join(re.findall(r"[a-z0-9]+", title.lower()))


def condition_html(
    condition: Condition,
    *,
    content_version: str = "",
    palette: Palette | None = None,
    actions: Sequence[tuple[str, str]] = (),
    notice: str = "",
) -> str:
    """One whole entry as HTML for the detail pane: the safety box first, an outline, the
    sections (the timeline in Onset and duration), side effects, then numbered references.

    `actions` are (href, label) links shown under the title (e.g. edit, history); `notice` is
    a line set apart above the safety box (e.g. a newer version is available)."""
    palette = palette or Palette()
    numbers = condition.reference_numbers()
    sections = {s.title: s for s in condition.sections}
    reviewed = condition.last_reviewed.isoformat() if condition.last_reviewed else "not recorded"
    facts = [condition.category, f"last reviewed {reviewed}"]
    if content_version:
        facts.append(f"content version {content_version}")
    out = [f"<h1>{escape(condition.name)}</h1>", f"<p>{escape(' · '.join(facts))}</p>"]
    names = condition.abbreviations + condition.synonyms
    if names:
        out.append(f"<p><i>Also known as:</i> {escape(', '.join(names))}</p>")
    if actions:
        links = " · ".join(f'<a href="{escape(h)}">{escape(label)}</a>' for h, label in actions)
        out.append(f"<p>{links}</p>")
    if notice:
        out.append(f"<p><b>{notice}</b></p>")
    out.append(_safety_box(condition, sections.get(SAFETY_SECTION), numbers, palette))

    body = [s for s in condition.sections if s.title != SAFETY_SECTION]
    titles = [s.title for s in body] + (["Side effects"] if condition.side_effects else [])
    titles.append("References")
    outline = " · ".join(f'<a href="#{anchor(t)}">{escape(t)}</a>' for t in titles)
    out.append(f"<p><b>Contents:</b> {outline}</p>")

    for section in body:
        out.append(_heading(section.title))
        if section.title == "Onset and duration" and condition.onset is not None:
            out.append(timeline_html(condition.onset, palette=palette))
        if section.title == "Evidence":
            out.append(f"<p>{_grade_html(condition)}</p>")
        if section.title == HANDOUT_SECTION:
            out.append("<p><i>What the patient handout says, in plain language:</i></p>")
        out.append(_cited_html(section.markdown, numbers))

    if condition.side_effects:
        out.append(_heading("Side effects"))
        items = []
        for link in condition.side_effects:
            effect = link.side_effect
            key = " <b>(key for this condition)</b>" if link.key else ""
            when = TIMING_LABELS.get(effect.timing, effect.timing).lower()
            note = _cited_html(link.note, numbers) if link.note else ""
            items.append(f"<li><b>{escape(effect.name)}</b>{key}, {escape(when)}{note}</li>")
        out.append(f"<ul>{''.join(items)}</ul>")

    out.append(_heading("References"))
    refs = "".join(
        f'<li><a name="ref-{n}"></a>{escape(citation(ref))}</li>'
        for n, ref in enumerate(condition.references, start=1)
    )
    out.append(f"<ol>{refs}</ol>")
    out.append(f"<hr/><p><i>{escape(DISCLAIMER)}</i></p>")
    return "\n".join(out)


def _heading(title: str) -> str:
    return f'<h2><a name="{anchor(title)}"></a>{escape(title)}</h2>'


def _grade_html(condition: Condition) -> str:
    meaning = GRADE_MEANINGS.get(condition.grade, "")
    return (
        f"<b>Certainty of evidence (GRADE): {escape(condition.grade)}.</b> "
        f"{escape(_end(condition.grade_basis))} <i>{escape(meaning)}</i>"
    )


def _safety_box(
    condition: Condition, safety: Section | None, numbers: dict[str, int], palette: Palette
) -> str:
    rows = [
        "<p><b>Safety first: what must not be missed</b></p>",
        _cited_html(safety.markdown, numbers) if safety else "",
        f"<p><b>Regulatory status:</b> {escape(condition.regulatory_summary)}</p>",
        f"<p>{_grade_html(condition)}</p>",
    ]
    return (
        f'<a name="{anchor(SAFETY_SECTION)}"></a>'
        f'<table width="100%" border="2" cellpadding="8" cellspacing="0" '
        f'style="border-color: {palette.accent}; border-style: solid;">'
        f"<tr><td>{''.join(rows)}</td></tr></table>"
    )


_MINUTES = {
    "seconds": 1 / 60,
    "minutes": 1,
    "hours": 60,
    "days": 1440,
    "weeks": 10080,
    "months": 43830,
}
_SCALE = [("1 min", 1), ("1 h", 60), ("1 day", 1440), ("1 wk", 10080), ("6 mo", 262980)]


def _position(value: float, unit: str) -> float:
    """Where a time falls on the timeline's logarithmic scale, 0..100 (1 minute to 6 months).

    >>> _position(1, "minutes"), _position(6, "months")
    (0.0, 100.0)
    >>> round(_position(1, "days"), 1)
    58.3
    """
    minutes = max(value * _MINUTES[unit], 1.0)
    return max(0.0, min(100.0, 100 * math.log(minutes) / math.log(_SCALE[-1][1])))


def timeline_html(onset: OnsetProfile, *, palette: Palette | None = None) -> str:
    """Ketamine's onset and duration against the usual treatment's onset, as bars on one
    logarithmic scale from a minute to six months, so "hours, not weeks" shows at a glance.
    Labels carry the figures, so the bars are never the only way to read them."""
    palette = palette or Palette()
    rows = [
        (f"Ketamine: onset {onset.onset}", onset.onset, palette.accent),
        (f"One treatment lasts {onset.duration}", onset.duration, palette.accent),
        (f"{onset.usual_treatment}: onset {onset.usual_onset}", onset.usual_onset, palette.muted),
    ]
    html = ['<table width="100%" cellspacing="0" cellpadding="2">']
    for label, span, colour in rows:
        start = _position(span.min, span.unit)
        end = max(_position(span.max, span.unit), start + 1.5)
        html.append(
            f'<tr><td width="34%">{escape(label)}</td><td width="66%">'
            f'<table width="100%" cellspacing="0" cellpadding="0"><tr>'
            f'<td width="{start:.1f}%"></td>'
            f'<td width="{end - start:.1f}%" bgcolor="{colour}">&nbsp;</td>'
            f'<td width="{100 - end:.1f}%"></td></tr></table></td></tr>'
        )
    scale = "".join(
        f'<td width="{(_position(m, "minutes") - _position(prev, "minutes")):.1f}%" '
        f'align="right"><font color="{palette.muted}">{label}</font></td>'
        for (label, m), (_, prev) in zip(_SCALE[1:], _SCALE, strict=False)
    )
    html.append(
        f'<tr><td></td><td><table width="100%" cellspacing="0" cellpadding="0"><tr>{scale}'
        "</tr></table></td></tr></table>"
    )
    return "".join(html)


def checklist_html(
    effects: Sequence[SideEffect], checked: Collection[str], *, condition_name: str = ""
) -> str:
    """The ticked side effects as a page to print: what was discussed, grouped by when each
    appears, with the plain name a patient knows. Nothing identifies the patient."""
    chosen = [e for e in effects if e.id in checked]
    title = "Side effects discussed" + (f": {condition_name}" if condition_name else "")
    out = [f"<h2>{escape(title)}</h2>"]
    if not chosen:
        out.append("<p>No side effect was ticked.</p>")
    for timing, label in TIMING_LABELS.items():
        group = [e for e in chosen if e.timing == timing]
        if group:
            items = "".join(
                f"<li><b>{escape(e.plain_name)}</b> ({escape(e.name)}). "
                f"{escape(markup.plain_text(e.action))}</li>"
                for e in group
            )
            out.append(f"<h3>{escape(label)}</h3><ul>{items}</ul>")
    out.append(f"<p><i>{escape(DISCLAIMER)}</i></p>")
    return "".join(out)


# --- patient handouts ---------------------------------------------------------------------

URGENT_HEADINGS = ("When to call us", "When to get emergency help")
NEXT_STEP = (
    "Keep this sheet. Bring your questions to your next visit, and ask us about anything that "
    "is not clear."
)
"""The one clear next step every handout ends its text with."""
"""Handout sections set apart in a bold box: what to do when something goes wrong."""


def handout_html(
    handout: Handout,
    *,
    discussed: Sequence[str] = (),
    references: Sequence[Reference] = (),
    phone: str = "",
    large_print: bool = False,
) -> str:
    """A patient handout laid out for paper: the first section as the main message in a box,
    the sections under clear headings, the side effects discussed, the "when to call" sections
    together in a bold box with the clinic's number, and (optionally) where the facts come from.

    Pure HTML for QTextDocument; the header, footer and page numbers are drawn around it.
    """
    spacing = "line-height: 150%;" if large_print else "line-height: 125%;"
    out = [f"<h1>{escape(handout.title)}</h1>"]
    sections = markup.handout_sections(handout.markdown)
    urgent = [(t, b) for t, b in sections if t in URGENT_HEADINGS]
    body = [(t, b) for t, b in sections if t not in URGENT_HEADINGS]
    for i, (title, text) in enumerate(body):
        html = markdown_html(markup.plain_links(text))
        if i == 0:
            out.append(_box(f"<h2>{escape(title)}</h2>{_bold(html)}" if title else _bold(html)))
        else:
            out.append(f"<h2>{escape(title)}</h2>{html}")
        if title == "Possible side effects" and discussed:
            out.append(_discussed(discussed))
    if discussed and not any(t == "Possible side effects" for t, _ in body):
        out.append(_discussed(discussed))
    if urgent:
        call = escape(phone) if phone else "____________________"
        parts = [f"<h2>{escape(t)}</h2>{_bold(markdown_html(b))}" for t, b in urgent]
        parts.insert(1, f"<p><b>Our phone number: {call}</b></p>")
        out.append(_box("".join(parts)))
    out.append(f"<p><b>Your next step:</b> {escape(NEXT_STEP)}</p>")
    if references:
        items = "".join(
            f"<li>{escape(_end(r.authors))} {escape(_end(r.title))} {escape(r.source)}, "
            f"{r.year}.</li>"
            for r in references
        )
        out.append(f"<h2>Where this information comes from</h2><ol>{items}</ol>")
    return f'<div style="{spacing}">' + "".join(out) + "</div>"


def _discussed(names: Sequence[str]) -> str:
    items = "".join(f"<li>{escape(n)}</li>" for n in names)
    return f"<h3>Discussed with your clinician</h3><ul>{items}</ul>"


def _box(inner: str) -> str:
    return (
        '<table width="98%" border="2" cellpadding="10" cellspacing="0" '
        'style="border-style: solid; border-color: #000000;">'
        f"<tr><td>{inner}</td></tr></table>"
    )


def _bold(html: str) -> str:
    return f"<b>{html}</b>"
