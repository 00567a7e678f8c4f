"""Parses one condition file (TOML front matter between `+++` lines, then `##` sections).

Format errors are reported here with their line; content rules (missing sections, grades,
citations) are checked by `rules` and placed on a line by `ParsedCondition.locate`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import markup, rules
from .records import (
    SECTION_TITLES,
    Condition,
    OnsetProfile,
    Reference,
    Section,
    SideEffect,
    SideEffectLink,
    TimeRange,
)
from .sourceio import Reader, check_fields, id_line, line_of, word_line

FRONT_SPEC: dict[str, type | tuple[type, ...]] = {
    "id": str,
    "name": str,
    "category": str,
    "abbreviations": list,
    "synonyms": list,
    "keywords": list,
    "last_reviewed": dt.date,
    "grade": str,
    "grade_basis": str,
    "regulatory_summary": str,
    "onset": dict,
    "side_effects": list,
}
ONSET_SPEC: dict[str, type | tuple[type, ...]] = {
    "onset": dict,
    "duration": dict,
    "usual_treatment": str,
    "usual_onset": dict,
}
RANGE_SPEC: dict[str, type | tuple[type, ...]] = {
    "min": (int, float),
    "max": (int, float),
    "unit": str,
}
LINK_SPEC: dict[str, type | tuple[type, ...]] = {"id": str, "key": bool, "note": str}


@dataclass
class ParsedCondition:
    condition: Condition
    path: Path
    lines: list[str]
    front_end: int
    """0-based index of the closing `+++` line."""
    section_lines: dict[str, int] = field(default_factory=dict)

    def locate(self, field_name: str) -> int:
        """The 1-based line a content-rule problem about `field_name` belongs on."""
        kind, _, detail = field_name.partition(":")
        if kind == "section":
            title, _, aspect = detail.partition(":")
            line = self.section_lines.get(title, len(self.lines) or 1)
            if aspect == "citation":
                return line_of(self.lines, r"\[@", line - 1, line)
            return line
        if kind == "word":
            return word_line(self.lines, field_name, 0, 1)
        if kind in ("citation", "link", "html"):
            needle = {"citation": detail, "link": f"condition:{detail}", "html": "<"}[kind]
            return line_of(self.lines, re.escape(needle), self.front_end, self.front_end + 1)
        if kind == "references":
            return self.front_end + 2
        key = field_name.split(".")[-1]
        return line_of(self.lines[: self.front_end], rf"^\s*{re.escape(key)}\s*=", 0, 1)


def read_conditions(
    reader: Reader, references: dict[str, Reference], side_effects: dict[str, SideEffect]
) -> list[ParsedCondition]:
    parsed: list[ParsedCondition] = []
    seen: dict[str, Path] = {}
    for path in sorted((reader.root / "conditions").glob("*.md")):
        item = _read_one(reader, path, references, side_effects)
        if item is None:
            continue
        cid = item.condition.id
        if cid in seen:
            reader.fail(
                path,
                item.locate("id"),
                f"duplicate condition id {cid!r} (also in {seen[cid].name})",
            )
            continue
        seen[cid] = path
        parsed.append(item)
    return parsed


def split_front_matter(reader: Reader, path: Path) -> tuple[dict[str, Any], list[str], int] | None:
    """A Markdown file's `+++` TOML front matter, its lines, and the index of the closing line."""
    text = reader.read(path)
    if text is None:
        return None
    lines = text.splitlines()
    if not lines or lines[0].strip() != "+++":
        reader.fail(path, 1, "the file must start with a '+++' front-matter line")
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "+++"), None)
    if end is None:
        reader.fail(path, 1, "front matter is not closed by a second '+++' line")
        return None
    front = reader.toml(path, "\n".join(lines[1:end]), first_line=2)
    if front is None:
        return None
    return front, lines, end


def _read_one(
    reader: Reader,
    path: Path,
    references: dict[str, Reference],
    side_effects: dict[str, SideEffect],
) -> ParsedCondition | None:
    split = split_front_matter(reader, path)
    if split is None:
        return None
    front, lines, end = split
    if not check_fields(
        reader, path, lines, front, FRONT_SPEC, required={"id"}, where="front matter", line=1
    ):
        return None
    cid = front["id"]
    if not markup.is_slug(cid):
        reader.fail(
            path,
            line_of(lines, r"^\s*id\s*="),
            "id must be lower-case letters, digits and single hyphens",
        )
    elif path.stem != cid:
        reader.fail(
            path,
            line_of(lines, r"^\s*id\s*="),
            f"id {cid!r} does not match the file name {path.name!r}",
        )
    sections, section_lines = _sections(reader, path, lines, end + 1)
    links = _links(reader, path, lines, front.get("side_effects", []), side_effects)
    cited = markup.cited_ids("\n".join(rules.citable_texts(sections, links)))
    return ParsedCondition(
        condition=Condition(
            id=cid,
            name=front.get("name", ""),
            category=front.get("category", ""),
            abbreviations=tuple(str(a) for a in front.get("abbreviations", [])),
            synonyms=tuple(str(s) for s in front.get("synonyms", [])),
            keywords=tuple(str(k) for k in front.get("keywords", [])),
            last_reviewed=front.get("last_reviewed"),
            grade=front.get("grade", ""),
            grade_basis=front.get("grade_basis", ""),
            regulatory_summary=front.get("regulatory_summary", ""),
            onset=_onset(reader, path, lines, front.get("onset")),
            sections=sections,
            references=tuple(references[i] for i in cited if i in references),
            side_effects=links,
        ),
        path=path,
        lines=lines,
        front_end=end,
        section_lines=section_lines,
    )


def _onset(reader: Reader, path: Path, lines: list[str], data: Any) -> OnsetProfile | None:
    if data is None:
        return None
    line = line_of(lines, r"^\s*\[onset\]")
    if not check_fields(
        reader, path, lines, data, ONSET_SPEC, required=set(ONSET_SPEC), where="[onset]", line=line
    ):
        return None
    ranges = {}
    for name in ("onset", "duration", "usual_onset"):
        key_line = line_of(lines, rf"^\s*{name}\s*=", line - 1, line)
        if not check_fields(
            reader,
            path,
            lines,
            data[name],
            RANGE_SPEC,
            required=set(RANGE_SPEC),
            where=f"[onset] {name}",
            line=key_line,
        ):
            return None
        ranges[name] = TimeRange(
            float(data[name]["min"]), float(data[name]["max"]), data[name]["unit"]
        )
    return OnsetProfile(
        ranges["onset"], ranges["duration"], data["usual_treatment"], ranges["usual_onset"]
    )


def _sections(
    reader: Reader, path: Path, lines: list[str], start: int
) -> tuple[tuple[Section, ...], dict[str, int]]:
    found: list[tuple[str, int, list[str]]] = []
    in_code = False
    for i in range(start, len(lines)):
        line = lines[i]
        if line.lstrip().startswith("```"):
            in_code = not in_code
        if not in_code and line.startswith("## "):
            found.append((line[3:].strip(), i + 1, []))
        elif not in_code and re.match(r"^#(\s|$)", line):
            reader.fail(
                path,
                i + 1,
                "level-1 headings ('# ') are not allowed: the app adds the "
                "title; use '## ' for sections",
            )
        elif found:
            found[-1][2].append(line)
        elif line.strip():
            reader.fail(path, i + 1, "text before the first '## ' section")
    section_lines: dict[str, int] = {}
    sections: list[Section] = []
    last_index = -1
    for title, line_no, body in found:
        if title not in SECTION_TITLES:
            reader.fail(
                path,
                line_no,
                f"unknown section '## {title}' (expected one of: {', '.join(SECTION_TITLES)})",
            )
            continue
        if title in section_lines:
            reader.fail(
                path,
                line_no,
                f"section '## {title}' appears twice (first at line {section_lines[title]})",
            )
            continue
        index = SECTION_TITLES.index(title)
        if index < last_index:
            reader.fail(
                path,
                line_no,
                f"section '## {title}' is out of order (must come before "
                f"'## {SECTION_TITLES[last_index]}')",
            )
        last_index = max(last_index, index)
        section_lines[title] = line_no
        sections.append(Section(title, "\n".join(body).strip("\n")))
    sections.sort(key=lambda s: SECTION_TITLES.index(s.title))
    return tuple(sections), section_lines


def _links(
    reader: Reader,
    path: Path,
    lines: list[str],
    data: list[Any],
    side_effects: dict[str, SideEffect],
) -> tuple[SideEffectLink, ...]:
    links: list[SideEffectLink] = []
    seen: set[str] = set()
    for item in data:
        if not isinstance(item, dict):
            reader.fail(path, line_of(lines, r"side_effects"), "[[side_effects]] must be tables")
            continue
        sid = item.get("id", "")
        line = id_line(lines, sid) if sid else 1
        if not check_fields(
            reader,
            path,
            lines,
            item,
            LINK_SPEC,
            required={"id", "key"},
            where=f"side-effect link {sid!r}",
            line=line,
        ):
            continue
        if sid not in side_effects:
            reader.fail(path, line, f"links unknown side effect {sid!r}")
        elif sid in seen:
            reader.fail(path, line, f"side effect {sid!r} is linked twice")
        else:
            seen.add(sid)
            links.append(SideEffectLink(side_effects[sid], item["key"], item.get("note", "")))
    return tuple(links)
