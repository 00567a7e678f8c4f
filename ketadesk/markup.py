"""Pure helpers over the content's Markdown conventions: citations, entry links, plain text."""

from __future__ import annotations

import re

CITATION_RE = re.compile(r"\[(@[^\[\]]*)\]")
"""A citation bracket: ``[@id]`` or ``[@a; @b]``."""

CITATION_ID_RE = re.compile(r"^@([a-z0-9]+(?:-[a-z0-9]+)*)$")
CONDITION_LINK_RE = re.compile(r"\[([^\[\]]+)\]\(condition:([^)\s]*)\)")
HTML_TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|<!--")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def is_slug(text: str) -> bool:
    """
    >>> is_slug("post-traumatic-stress-disorder"), is_slug("PTSD"), is_slug("a--b")
    (True, False, False)
    """
    return bool(SLUG_RE.match(text))


def citation_groups(text: str) -> list[tuple[int, list[str]]]:
    """Each citation bracket with its character offset and the raw keys inside it.

    >>> citation_groups("Works [@a-2014; @b-2020].")
    [(6, ['@a-2014', '@b-2020'])]
    """
    return [
        (m.start(), [k.strip() for k in m.group(1).split(";")]) for m in CITATION_RE.finditer(text)
    ]


def cited_ids(text: str) -> list[str]:
    """Well-formed cited ids in order of first appearance (malformed keys are skipped).

    >>> cited_ids("x [@b-1] y [@a-2; @b-1] z [@Bad]")
    ['b-1', 'a-2']
    """
    seen: dict[str, None] = {}
    for _, keys in citation_groups(text):
        for key in keys:
            m = CITATION_ID_RE.match(key)
            if m:
                seen.setdefault(m.group(1), None)
    return list(seen)


def linked_condition_ids(text: str) -> list[str]:
    """
    >>> linked_condition_ids("see [PTSD](condition:post-traumatic-stress-disorder)")
    ['post-traumatic-stress-disorder']
    """
    return [m.group(2) for m in CONDITION_LINK_RE.finditer(text)]


def has_raw_html(text: str) -> bool:
    """
    >>> has_raw_html("onset < 1 hour"), has_raw_html("a <b>bold</b> move"), has_raw_html("<!-- x")
    (False, True, True)
    """
    return bool(HTML_TAG_RE.search(_without_code(text)))


_FENCED = re.compile(r"```.*?```", re.S)
_INLINE_CODE = re.compile(r"`[^`]*`")
_BLOCK_MARK = re.compile(r"^\s{0,3}(#{1,6}|[-*+]|\d+[.)])\s+", re.M)
_MARKUP_CHARACTERS = "*_`>|"
_LINK = re.compile(r"\[([^\[\]]*)\]\([^)]*\)")
# compiled once: these run tens of thousands of times when a pack of 1,000 entries is checked


def _without_code(text: str) -> str:
    return _INLINE_CODE.sub("", _FENCED.sub("", text))


def number_citations(text: str, numbers: dict[str, int]) -> str:
    """Replace citation brackets with reference numbers.

    >>> number_citations("Shown [@a; @b] twice [@b].", {"a": 1, "b": 2})
    'Shown [1, 2] twice [2].'
    """

    def repl(m: re.Match[str]) -> str:
        ids = [k.strip().lstrip("@") for k in m.group(1).split(";")]
        return "[" + ", ".join(str(numbers.get(i, "?")) for i in ids) + "]"

    return CITATION_RE.sub(repl, text)


def plain_text(markdown: str) -> str:
    """Markdown to searchable plain text: no citations, link targets or markup characters.

    >>> plain_text("**NMDA** antagonism [@x-1]; see [PTSD](condition:ptsd).")
    'NMDA antagonism; see PTSD.'
    >>> plain_text("- _one_ > two | three `code` , four")
    'one two three code, four'
    """
    # Runs over every section of every entry in a pack twice (the rules, then the search
    # index), so each step is skipped when it cannot apply and plain str.replace does the rest.
    text = markdown
    if "[" in text:
        text = plain_links(CITATION_RE.sub("", text))
    text = _BLOCK_MARK.sub("", text)
    for mark in _MARKUP_CHARACTERS:
        if mark in text:
            text = text.replace(mark, "")
    text = " ".join(text.split())
    for mark in ".,;:":  # after the join every gap is one space
        if " " + mark in text:
            text = text.replace(" " + mark, mark)
    return text


def plain_links(text: str) -> str:
    """Links reduced to their text: a printed handout has nothing to click.

    >>> plain_links("See [the label](https://x.org) and [PTSD](condition:ptsd).")
    'See the label and PTSD.'
    """
    return _LINK.sub(r"\1", text)


_MAX_DEPTH = 20
"""Deepest list or blockquote nesting rendered as Markdown; deeper text is shown plain."""
_MAX_RUN = 200
"""Longest run of brackets, parentheses, `*`, `_`, backticks or `>` rendered as Markdown."""
_MAX_MARKS = {"[": 250, "(": 250, "*": 800, "_": 800}
"""Most of each mark one text may hold: Python-Markdown's links and emphasis are quadratic."""
_MARKER = r"(?:>[ \t]*|(?:[-*+]|\d{1,9}[.)])[ \t]+)"
_NESTING_RE = re.compile(rf"^(?:[ \t]{{{4 * _MAX_DEPTH}}}|[ \t]*{_MARKER}{{{_MAX_DEPTH}}})", re.M)
_RUN_RE = re.compile(rf"(?:[\[\]()*_`>~][ \t]*){{{_MAX_RUN}}}")


def renderable(text: str) -> bool:
    """Whether Python-Markdown renders `text` in bounded time and stack: lists and blockquotes
    nested at most 20 deep, no run of 200 brackets or emphasis marks, at most 250 `[` or `(`
    and 800 `*` or `_`. Linear time.

    >>> renderable("- a\\n  - b [@x] *y*"), renderable("- " * 50 + "x"), renderable("[" * 300)
    (True, False, False)
    """
    if any(text.count(mark) > limit for mark, limit in _MAX_MARKS.items()):
        return False
    return _NESTING_RE.search(text) is None and _RUN_RE.search(text) is None


def with_citation_links(text: str) -> str:
    """The text as the renderer sees it: each citation as its numbered links (`[1](#ref-1)`),
    so the content rules bound the same text that is rendered."""
    return CITATION_RE.sub(
        lambda m: "[" + ", ".join("[1](#ref-1)" for _ in m.group(1).split(";")) + "]", text
    )


def handout_sections(markdown: str) -> list[tuple[str, str]]:
    """A handout's `###` sections as (heading, Markdown body); text before the first heading,
    if any, comes first with an empty heading.

    >>> handout_sections("Intro.\\n### A\\nOne.\\n### B\\n- two")
    [('', 'Intro.'), ('A', 'One.'), ('B', '- two')]
    """
    sections: list[tuple[str, list[str]]] = [("", [])]
    for line in markdown.splitlines():
        if line.startswith("### "):
            sections.append((line[4:].strip(), []))
        else:
            sections[-1][1].append(line)
    return [(title, "\n".join(body).strip()) for title, body in sections if title or "".join(body)]
