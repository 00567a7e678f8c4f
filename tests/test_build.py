"""The build: deterministic, fresh, and every source error named with file, line and reason."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from conftest import HARD, REPO, condition_text

from ketadesk import content
from ketadesk.build import build
from ketadesk.schema import SCHEMA_VERSION

BUNDLED = REPO / "resources" / "ketadesk.db"
CONTENT = REPO / "resources" / "content"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def dump(path: Path) -> list[str]:
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as conn:
        return list(conn.iterdump())


def test_same_sources_build_byte_identical_databases(tmp_path):
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    build(CONTENT, first)
    build(CONTENT, second)
    assert sha(first) == sha(second)


def test_committed_database_is_what_the_sources_build(tmp_path):
    """A stale resources/ketadesk.db cannot land: rebuild with `ketadesk db build`."""
    fresh = tmp_path / "fresh.db"
    build(CONTENT, fresh)
    with closing(sqlite3.connect(f"{BUNDLED.as_uri()}?mode=ro", uri=True)) as conn:
        stored_hash = conn.execute("SELECT value FROM meta WHERE key='source_hash'").fetchone()[0]
    assert stored_hash == content.source_hash(CONTENT), "run `ketadesk db build` and commit"
    assert dump(BUNDLED) == dump(fresh), "run `ketadesk db build` and commit"


def test_build_writes_schema_meta_and_tables(content_dir, tmp_path):
    out = tmp_path / "out.db"
    build(content_dir, out)
    with closing(sqlite3.connect(out)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        meta = dict(conn.execute("SELECT key, value FROM meta"))
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        links = conn.execute("SELECT count(*) FROM condition_references").fetchone()[0]
    assert meta["content_version"] == "9.9.9"
    assert meta["content_date"] == "2026-01-31"
    assert meta["schema_version"] == str(SCHEMA_VERSION)
    assert {
        "conditions",
        "references",
        "condition_references",
        "side_effects",
        "condition_side_effects",
        "sections",
        "meta",
        "search_docs_fts",
    } <= tables
    assert links == 7 * 2  # every fixture condition cites ref-a and ref-b


def test_references_are_numbered_in_order_of_first_citation(content_dir):
    data = content.load(content_dir)
    condition = next(c for c in data.conditions if c.id == "major-depressive-disorder")
    assert [r.id for r in condition.references] == ["ref-a", "ref-b"]


# --- source errors: each names the file, the line and the reason ---------------------------

MDD = "conditions/major-depressive-disorder.md"


def _mutate(content_dir: Path, old: str, new: str, name: str = MDD) -> Path:
    path = content_dir / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture does not contain {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line(content_dir: Path, needle: str, name: str = MDD) -> int:
    lines = (content_dir / name).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def _problems(content_dir: Path, tmp_path: Path) -> list[str]:
    out = tmp_path / "never.db"
    with pytest.raises(content.ContentError) as info:
        build(content_dir, out)
    assert not out.exists(), "a failed build must not write the database"
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize(
    ("old", "new", "needle", "reason"),
    [
        ("## Evidence\n\nOne trial [@ref-a].\n", "", None, "missing section '## Evidence'"),
        (
            "One trial [@ref-a].",
            "One trial [@nope-2000].",
            "@nope-2000",
            "cites unknown reference 'nope-2000'",
        ),
        ("One trial [@ref-a].", "One trial [@Bad Key].", "@Bad Key", "malformed citation"),
        (
            "last_reviewed = 2026-01-15",
            'last_reviewed = "last week"',
            "last_reviewed",
            "last_reviewed must be a date written YYYY-MM-DD",
        ),
        (
            "last_reviewed = 2026-01-15",
            "last_reviewed = 2026-02-30",
            "last_reviewed",
            "invalid TOML",
        ),
        ("last_reviewed = 2026-01-15\n", "", None, "no last-reviewed date"),
        ('grade = "low"', 'grade = "strong"', "grade =", "no valid evidence grade"),
        ('category = "Mood"', 'category = "Moods"', "category =", "unknown category 'Moods'"),
        (
            'id = "dissociation"',
            'id = "hiccups"',
            'id = "hiccups"',
            "links unknown side effect 'hiccups'",
        ),
        ("## Safety", "## Safety notes", "## Safety notes", "unknown section '## Safety notes'"),
        ("## Summary", "# Summary", "# Summary", "level-1 headings"),
        (
            "Durability.",
            "Durability.\n\n## Summary\n\nAgain [@ref-a].",
            None,
            "section '## Summary' appears twice (first at line 23)",
        ),
        (
            "Synaptogenesis via BDNF.",
            "Synaptogenesis via <b>BDNF</b>.",
            "<b>",
            "raw HTML is not allowed",
        ),
        (
            "Durability.",
            "See [TRD](condition:no-such-entry).",
            "condition:no-such-entry",
            "link to unknown condition 'no-such-entry'",
        ),
        (
            'grade_basis = "Small trials."',
            'grade_basis = "Small trials."\ncolour = "red"',
            "colour",
            "unknown key 'colour'",
        ),
        ('unit = "hours" }', 'unit = "fortnights" }', "onset =", "unknown unit 'fortnights'"),
        ("min = 2, max = 24", "min = 30, max = 24", "onset =", "0 <= min <= max"),
        ('name = "Major', 'name = = "Major', "name = =", "invalid TOML"),
        (
            "## Patient handout\n",
            "",
            None,
            "missing section '## Patient handout'",
        ),
        (
            "It does not help everyone.",
            " ".join([HARD] * 3),
            "## Patient handout",
            "reads at Flesch-Kincaid grade",
        ),
        (
            "You may feel better in a day.",
            "You may feel better in a day [@ref-a].",
            "better in a day",
            "the patient handout must not carry citations",
        ),
        (
            "### When to call us",
            "### Calling",
            "## Patient handout",
            "lacks the heading(s) '### When to call us'",
        ),
        ("One trial [@ref-a].", "One trial, a cure [@ref-a].", "a cure", "overstating word 'cure'"),
        (
            "- Screen for psychosis.\n",
            "",
            "## Safety",
            "'## Safety' must be a list of 3 to 6 items and nothing else (found 2 items)",
        ),
        (
            "- Screen for psychosis.\n",
            "- Screen for psychosis.\n" * 5,
            "## Safety",
            "(found 7 items)",
        ),
        (
            "- Screen for psychosis.\n",
            "- Screen for psychosis.\n\nAlso watch the pulse.\n",
            "## Safety",
            "(found 3 items and other text)",
        ),
        (
            "summary sentence [@ref-a].",
            "summary sentence [@ref-a]. " + "More words here. " * 45,
            "## Summary",
            "at most 130 words (found 140",
        ),
        ("Durability.", "- Durability.", "## What is not known yet", "one short paragraph"),
        (
            "Durability.",
            "Durability.\n\nAnd the best dose.",
            "## What is not known yet",
            "(found 5 words in 2 paragraphs)",
        ),
        (
            'grade_basis = "Small trials."',
            'grade_basis = "Small trials; it cured some."',
            "grade_basis",
            "overstating word 'cured'",
        ),
        (
            "It is for {name}.".replace("{name}", "Major depressive disorder"),
            "It is a miracle.",
            "a miracle",
            "overstating word 'miracle'",
        ),
    ],
)
def test_source_error_names_file_line_and_reason(content_dir, tmp_path, old, new, needle, reason):
    _mutate(content_dir, old, new)
    line = _line(content_dir, needle) if needle else None
    problems = _problems(content_dir, tmp_path)
    matching = [p for p in problems if p.startswith(f"content/{MDD}:") and reason in p]
    assert matching, f"expected {reason!r} in {problems}"
    if line is not None:
        assert any(p.startswith(f"content/{MDD}:{line}:") for p in matching), problems


def test_missing_section_is_reported_even_when_last(content_dir, tmp_path):
    _mutate(content_dir, "## What is not known yet\n\nDurability.\n", "")
    assert any(
        "missing section '## What is not known yet'" in p for p in _problems(content_dir, tmp_path)
    )


def test_entry_without_any_citation_is_refused(content_dir, tmp_path):
    path = content_dir / MDD
    text = path.read_text(encoding="utf-8")
    for ref in ("[@ref-a]", "[@ref-b]"):
        text = text.replace(ref, "")
    path.write_text(text, encoding="utf-8")
    assert any("cites no reference" in p for p in _problems(content_dir, tmp_path))


def test_duplicate_condition_id_is_refused(content_dir, tmp_path):
    (content_dir / "conditions" / "copy.md").write_text(
        condition_text("major-depressive-disorder", "Copy"), encoding="utf-8"
    )
    problems = _problems(content_dir, tmp_path)
    assert any(
        p.startswith("content/conditions/major-depressive-disorder.md:2:")
        and "duplicate condition id 'major-depressive-disorder'" in p
        for p in problems
    )


def test_duplicate_reference_id_names_both_files(content_dir, tmp_path):
    refs = (content_dir / "references" / "test.toml").read_text(encoding="utf-8")
    (content_dir / "references" / "zz-more.toml").write_text(refs, encoding="utf-8")
    problems = _problems(content_dir, tmp_path)
    assert (
        "content/references/zz-more.toml:2: duplicate reference id 'ref-a' (first defined "
        "in content/references/test.toml)" in problems
    )


@pytest.mark.parametrize(
    ("name", "old", "new", "line", "reason"),
    [
        (
            "references/test.toml",
            'verification_note = "Revision date not confirmed."\n',
            "",
            15,
            "verified = false needs a verification_note",
        ),
        (
            "references/test.toml",
            'details = "1(2):3-4"',
            f'details = "{"x" * 81}"',
            2,
            "put notes in verification_note",
        ),
        ("references/test.toml", 'kind = "label"', 'kind = "leaflet"', 15, "kind must be one of"),
        (
            "side_effects.toml",
            "Common [@ref-a].",
            "Common [@ghost-1999].",
            7,
            "cites unknown reference 'ghost-1999'",
        ),
        (
            "side_effects.toml",
            'timing = "during"',
            'timing = "sometimes"',
            2,
            "timing must be one of",
        ),
        ("side_effects.toml", 'action = "Reassure."', 'action = "A cure."', 8, "overstating"),
        ("side_effects.toml", 'action = "Reassure."', 'action = " "', 2, "action is empty"),
        (
            "handouts/treatment-day.md",
            'based_on = ["ref-b"]',
            'based_on = ["ghost-1"]',
            5,
            "unknown reference 'ghost-1'",
        ),
        (
            "handouts/treatment-day.md",
            'based_on = ["ref-b"]',
            "based_on = []",
            5,
            "based_on must name the references",
        ),
        (
            "handouts/treatment-day.md",
            "Ask a friend to take you home.",
            " ".join([HARD] * 3),
            7,
            "reads at Flesch-Kincaid grade",
        ),
        (
            "handouts/treatment-day.md",
            "Do not drive until the next day.",
            "Rest is the cure. Do not drive until the next day.",
            14,
            "overstating word 'cure'",
        ),
        (
            "handouts/treatment-day.md",
            "last_reviewed = 2026-01-20\n",
            "",
            1,
            "last_reviewed",
        ),
        (
            "handouts/treatment-day.md",
            'id = "treatment-day"',
            'id = "treatment-days"',
            2,
            "the id must match the file name",
        ),
    ],
)
def test_catalogue_error_names_file_line_and_reason(
    content_dir, tmp_path, name, old, new, line, reason
):
    _mutate(content_dir, old, new, name=name)
    problems = _problems(content_dir, tmp_path)
    assert any(p.startswith(f"content/{name}:{line}:") and reason in p for p in problems), problems


def test_unclosed_front_matter_is_refused(content_dir, tmp_path):
    path = content_dir / MDD
    path.write_text(
        path.read_text(encoding="utf-8").replace("+++\n## Summary", "## Summary"), encoding="utf-8"
    )
    assert any("not closed" in p for p in _problems(content_dir, tmp_path))


def test_id_must_match_file_name(content_dir, tmp_path):
    (content_dir / MDD).rename(content_dir / "conditions" / "mdd.md")
    problems = _problems(content_dir, tmp_path)
    assert (
        "content/conditions/mdd.md:2: id 'major-depressive-disorder' does not match the "
        "file name 'mdd.md'" in problems
    )


def test_all_problems_are_reported_at_once(content_dir, tmp_path):
    _mutate(content_dir, 'grade = "low"', 'grade = "strong"')
    _mutate(content_dir, "One trial [@ref-a].", "One trial [@nope-1].")
    assert len(_problems(content_dir, tmp_path)) >= 2


def test_failed_build_leaves_existing_database_untouched(content_dir, tmp_path):
    out = tmp_path / "kept.db"
    build(content_dir, out)
    before = sha(out)
    _mutate(content_dir, 'grade = "low"', 'grade = "strong"')
    with pytest.raises(content.ContentError):
        build(content_dir, out)
    assert sha(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".ketadesk-build")] == []
