"""Reading source text: collecting problems with file and line, TOML with line numbers."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class SourceProblem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class ContentError(Exception):
    """The sources are not valid; `problems` says where and why."""

    def __init__(self, problems: list[SourceProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class Reader:
    """Collects problems while reading; files are named relative to the content's parent."""

    def __init__(self, content_dir: Path):
        self.root = content_dir
        self.problems: list[SourceProblem] = []

    def name(self, path: Path) -> str:
        """How a problem names a file: `content/conditions/x.md`."""
        try:
            return path.relative_to(self.root.parent).as_posix()
        except ValueError:
            return str(path)

    def fail(self, path: Path, line: int, message: str) -> None:
        self.problems.append(SourceProblem(self.name(path), line, message))

    def toml(self, path: Path, text: str, first_line: int = 1) -> dict[str, Any] | None:
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            m = re.search(r"\(at line (\d+), column \d+\)", str(exc))
            line = int(m.group(1)) + first_line - 1 if m else first_line
            reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
            self.fail(path, line, f"invalid TOML: {reason}")
            return None

    def read(self, path: Path) -> str | None:
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.fail(path, 1, f"cannot read file: {exc}")
            return None


def line_of(lines: list[str], pattern: str, start: int = 0, default: int = 1) -> int:
    """1-based number of the first line at or after `start` matching `pattern`."""
    rx = re.compile(pattern)
    for i in range(start, len(lines)):
        if rx.search(lines[i]):
            return i + 1
    return default


def word_line(lines: list[str], field: str, start: int, default: int) -> int:
    """The line of the word a `word:<word>` problem field names (a refused word), else `default`.

    >>> word_line(["a", "it cures all"], "word:cures", 0, 9), word_line(["a"], "name", 0, 9)
    (2, 9)
    """
    _, found, word = field.partition("word:")
    return line_of(lines, rf"\b{re.escape(word)}\b", start, default) if found else default


def id_line(lines: list[str], item_id: str) -> int:
    return line_of(lines, rf"^\s*id\s*=\s*[\"']{re.escape(item_id)}[\"']")


def check_fields(
    reader: Reader,
    path: Path,
    lines: list[str],
    table: dict[str, Any],
    spec: dict[str, type | tuple[type, ...]],
    *,
    required: set[str],
    where: str,
    line: int,
) -> bool:
    ok = True
    for key in table:
        if key not in spec:
            reader.fail(
                path,
                line_of(lines, rf"^\s*{re.escape(key)}\s*=", line - 1, line),
                f"{where}: unknown key {key!r} (known: {', '.join(spec)})",
            )
            ok = False
    for key, kind in spec.items():
        if key not in table:
            if key in required:
                reader.fail(path, line, f"{where}: missing required key {key!r}")
                ok = False
            continue
        value = table[key]
        wrong = not isinstance(value, kind) or (kind is int and isinstance(value, bool))
        if kind is dt.date and isinstance(value, dt.datetime):
            wrong = True
        if wrong:
            expected = (
                "a date written YYYY-MM-DD without quotes"
                if kind is dt.date
                else (
                    kind.__name__
                    if isinstance(kind, type)
                    else " or ".join(k.__name__ for k in kind)
                )
            )
            reader.fail(
                path,
                line_of(lines, rf"^\s*{re.escape(key)}\s*=", line - 1, line),
                f"{where}: {key} must be {expected}, not {value!r}",
            )
            ok = False
    return ok
