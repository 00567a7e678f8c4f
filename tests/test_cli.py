"""Every command of the command line, its JSON, and its errors: one line, non-zero, no traceback."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from conftest import HARD, REPO

from ketadesk import __version__, paths
from ketadesk.cli import build_parser, main
from ketadesk.records import SECTION_TITLES
from ketadesk.schema import SCHEMA_VERSION
from ketadesk.workingcopy import WORKING_NAME


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ketadesk: "), err
    assert "Traceback" not in err
    return lines[0]


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"ketadesk {__version__}"
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("list", "show", "search", "db"):
        assert command in out


def test_list(capsys, bundle):
    code, out, _ = run(capsys, "list")
    assert code == 0
    assert (
        "post-traumatic-stress-disorder  Post-traumatic stress disorder (PTSD)  "
        "[Trauma and anxiety; evidence: low]" in out
    )
    assert len(out.splitlines()) == 7


def test_list_json(capsys, bundle):
    code, out, _ = run(capsys, "list", "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 7
    assert rows[0] == {
        "id": "major-depressive-disorder",
        "name": "Major depressive disorder",
        "category": "Mood",
        "grade": "low",
        "abbreviations": ["MDD"],
    }


def test_show_prints_the_whole_entry_as_markdown(capsys, bundle):
    code, out, _ = run(capsys, "show", "complex-regional-pain-syndrome")
    assert code == 0
    assert out.startswith("# Complex regional pain syndrome\n")
    for title in (*SECTION_TITLES, "Side effects", "References"):
        assert f"\n## {title}\n" in out
    assert "[@" not in out, "citations are numbered"
    assert "One trial [1]." in out
    assert (
        "1. Able A, Baker B. A randomised trial of something. Journal of Tests. 2020;1(2):3-4."
        in out
    )
    assert "Details not independently confirmed: Revision date not confirmed." in out
    assert "- Onset of benefit: 2–24 hours" in out
    assert "content version 9.9.9" in out and "last reviewed 2026-01-15" in out
    assert "supports clinical judgement" in out


def test_handout_prints_a_conditions_patient_text(capsys, bundle):
    code, out, _ = run(capsys, "handout", "major-depressive-disorder", "--grade")
    assert code == 0
    assert out.startswith("# Major depressive disorder: ketamine treatment\n")
    assert "### When to get emergency help" in out
    assert "## Evidence" not in out, "clinician sections are not in the handout"
    assert "It does not take the place of their advice. Last reviewed 2026-01-15." in out
    assert out.rstrip().endswith("Reading grade (Flesch-Kincaid): 1.5")


def test_handout_prints_the_general_treatment_day_handout(capsys, bundle):
    code, out, _ = run(capsys, "handout", "treatment-day")
    assert code == 0
    assert out.startswith("# Your treatment day\n\n### Before the day")
    assert "Last reviewed 2026-01-20." in out


def test_handout_to_pdf(capsys, bundle, tmp_path):
    from pypdf import PdfReader

    target = tmp_path / "mdd.pdf"
    code, out, _ = run(
        capsys,
        "handout",
        "major-depressive-disorder",
        "-o",
        str(target),
        "--large-print",
        "--paper",
        "letter",
        "--clinic",
        "Riverside",
        "--phone",
        "555 0100",
        "--with-treatment-day",
    )
    assert code == 0 and out.startswith(f"Wrote {target} (")
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(target).pages)
    assert "Major depressive disorder: ketamine treatment" in text
    assert "Your treatment day" in text and "Riverside" in text


def test_handout_all_writes_one_pdf_per_condition(capsys, bundle, tmp_path):
    import datetime as dt

    code, out, _ = run(capsys, "handout", "--all", "-o", str(tmp_path))
    assert code == 0 and len(out.splitlines()) == 7
    today = dt.date.today().isoformat()
    names = sorted(p.name for p in tmp_path.glob("*.pdf"))
    assert len(names) == 7
    assert f"post-traumatic-stress-disorder-handout-{today}.pdf" in names


def test_handout_into_a_folder_is_named_after_the_condition(capsys, bundle, tmp_path):
    code, _, _ = run(capsys, "handout", "post-traumatic-stress-disorder", "-o", str(tmp_path))
    assert code == 0
    assert [p.name.rsplit("-", 3)[0] for p in tmp_path.glob("*.pdf")] == [
        "post-traumatic-stress-disorder-handout"
    ]


@pytest.mark.parametrize(
    ("argv", "message", "code"),
    [
        (["handout"], "ketadesk: name a handout", 2),
        (["handout", "--all"], "ketadesk: several handouts need -o DIR", 2),
        (["handout", "a", "--all", "-o", "."], "ketadesk: give condition ids or --all", 2),
        (["handout", "--paper", "a5", "x"], "ketadesk: argument --paper: invalid choice", 2),
        (
            ["handout", "major-depressive-disorder", "-o", "/no/such/folder/x.pdf"],
            "ketadesk: cannot write /no/such/folder/x.pdf: the folder /no/such/folder does "
            "not exist",
            1,
        ),
    ],
)
def test_handout_bad_input_is_one_clear_line(capsys, bundle, argv, message, code):
    got, _, err = run(capsys, *argv)
    assert got == code and one_line_error(err).startswith(message)


def test_handout_all_into_a_file_is_refused(capsys, bundle, tmp_path):
    target = tmp_path / "x.pdf"
    code, _, err = run(capsys, "handout", "--all", "-o", str(target))
    assert code == 2 and "is not a folder" in err
    assert not target.exists()


def test_show_json(capsys, bundle):
    code, out, _ = run(capsys, "show", "major-depressive-disorder", "--json")
    record = json.loads(out)
    assert code == 0
    assert record["last_reviewed"] == "2026-01-15"
    assert record["onset"]["onset"] == {"min": 2.0, "max": 24.0, "unit": "hours"}
    assert record["sections"][0]["title"] == "Summary"
    assert record["references"][0]["id"] == "ref-a"


def test_search(capsys, bundle):
    code, out, _ = run(capsys, "search", "allodyn")
    assert code == 0
    assert out.splitlines() == [
        "complex-regional-pain-syndrome  Complex regional pain syndrome",
        "    Summary: …syndrome summary sentence. [Allodynia] responds to infusions.",
    ]


def test_search_json_and_no_hits(capsys, bundle):
    code, out, _ = run(capsys, "search", "GAD", "--json")
    hits = json.loads(out)
    assert code == 0 and hits[0]["condition"]["id"] == "generalised-anxiety-disorder"
    assert hits[0]["snippet"][0] == {"text": "GAD", "matched": True}
    code, out, _ = run(capsys, "search", "zzzz")
    assert code == 0 and out.strip() == "No condition matches 'zzzz'."


def test_search_hostile_query_is_fine(capsys, bundle):
    code, _, err = run(capsys, "search", '"NOT (a', "AND", "*-")
    assert code == 0 and err == ""


def test_db_info(capsys, bundle, data_dir):
    code, out, _ = run(capsys, "db", "info", "--json")
    info = json.loads(out)
    assert code == 0
    assert info["database"] == str(data_dir / WORKING_NAME)
    assert info["bundled_database"] == str(bundle)
    assert (info["schema_version"], info["content_version"], info["content_date"]) == (
        SCHEMA_VERSION,
        "9.9.9",
        "2026-01-31",
    )
    assert (info["conditions"], info["references"], info["side_effects"]) == (7, 2, 2)
    code, out, _ = run(capsys, "db", "info")
    assert code == 0 and re.search(r"^content version +9\.9\.9$", out, re.M)


def test_db_check_passes_on_good_content(capsys, bundle):
    code, out, _ = run(capsys, "db", "check")
    assert code == 0 and out.startswith("OK: database intact; all 7 conditions")


def test_db_check_lists_each_problem(capsys, bundle, tmp_path):
    broken = tmp_path / "broken.db"
    shutil.copyfile(bundle, broken)
    with closing(sqlite3.connect(broken)) as conn:
        conn.execute(
            "DELETE FROM sections WHERE condition_id='major-depressive-disorder' "
            "AND title='Evidence'"
        )
        conn.execute("UPDATE conditions SET grade='' WHERE id='obsessive-compulsive-disorder'")
        conn.execute(
            "UPDATE sections SET markdown='Text [@ghost-1].' WHERE title='Summary' "
            "AND condition_id='substance-use-disorders'"
        )
        conn.execute(
            "DELETE FROM sections WHERE condition_id='generalised-anxiety-disorder' "
            "AND title='Patient handout'"
        )
        conn.execute(
            "UPDATE conditions SET last_reviewed=NULL WHERE id='post-traumatic-stress-disorder'"
        )
        conn.execute(
            "UPDATE sections SET markdown=markdown || ' Ketamine is a cure.' "
            "WHERE title='Evidence' AND condition_id='complex-regional-pain-syndrome'"
        )
        conn.execute(
            "UPDATE sections SET markdown=replace(markdown, 'It does not help everyone.', ?) "
            "WHERE title='Patient handout' AND condition_id='treatment-resistant-depression'",
            (" ".join([HARD] * 3),),
        )
        conn.execute(
            "UPDATE handouts SET markdown=markdown || ' [@ref-a]' WHERE id='treatment-day'"
        )
        conn.execute("UPDATE side_effects SET action='' WHERE id='dissociation'")
        conn.commit()
    code, out, err = run(capsys, "--db", str(broken), "db", "check")
    assert code == 1
    assert out.splitlines() == [
        "major-depressive-disorder: missing section '## Evidence'",
        "treatment-resistant-depression: the patient handout reads at Flesch-Kincaid grade "
        "10.4; it must be 6 or lower (shorter sentences, everyday words)",
        "generalised-anxiety-disorder: missing section '## Patient handout'",
        "obsessive-compulsive-disorder: no valid evidence grade (one of: high, moderate, low, "
        "very low)",
        "post-traumatic-stress-disorder: no last-reviewed date",
        "substance-use-disorders: cites unknown reference 'ghost-1'",
        "complex-regional-pain-syndrome: overstating word 'cure' (describe effects and "
        "evidence instead)",
        "dissociation: action is empty",
        "treatment-day: the patient handout must not carry citations",
    ]
    assert one_line_error(err) == "ketadesk: 9 problem(s) found in 7 conditions"


def test_db_build(capsys, tmp_path):
    from conftest import write_content

    content = write_content(tmp_path)
    out_db = tmp_path / "built.db"
    code, out, _ = run(capsys, "db", "build", "--content", str(content), "--output", str(out_db))
    assert code == 0 and out_db.is_file()
    assert out.startswith(f"Built {out_db}: 7 conditions, 2 references, 2 side effects")


def test_db_build_error_lists_file_and_line(capsys, tmp_path):
    from conftest import write_content

    content = write_content(tmp_path)
    path = content / "conditions" / "major-depressive-disorder.md"
    path.write_text(path.read_text().replace('grade = "low"', 'grade = "great"'))
    out_db = tmp_path / "built.db"
    code, _, err = run(capsys, "db", "build", "--content", str(content), "--output", str(out_db))
    assert code == 1 and not out_db.exists()
    assert err.splitlines() == [
        "content/conditions/major-depressive-disorder.md:8: no valid evidence grade (one of: "
        "high, moderate, low, very low)",
        "ketadesk: the content has 1 problem(s); nothing was built",
    ]


@pytest.mark.parametrize(
    ("argv", "message", "code"),
    [
        (
            ["show", "no-such-thing"],
            "ketadesk: no condition with id 'no-such-thing' (run 'ketadesk list' to see the ids)",
            1,
        ),
        (
            ["handout", "nope"],
            "ketadesk: no condition or general handout has the id 'nope' (general handouts: "
            "treatment-day; 'ketadesk list' shows condition ids)",
            1,
        ),
        (["--bogus"], "ketadesk: unrecognized arguments: --bogus (see 'ketadesk --help')", 2),
        (["lsit"], "ketadesk: argument COMMAND: invalid choice: 'lsit'", 2),
        (["show"], "ketadesk: the following arguments are required: id", 2),
        (["search", "x", "--limit", "0"], "ketadesk: argument --limit: must be 1 or more", 2),
        (["db"], "ketadesk: the following arguments are required: DB_COMMAND", 2),
        (
            ["db", "build", "--content", "/no/such/folder"],
            "ketadesk: the content has 1 problem(s); nothing was built",
            1,
        ),
    ],
)
def test_bad_input_is_one_clear_line(capsys, bundle, argv, message, code):
    got, _, err = run(capsys, *argv)
    assert got == code
    assert err.strip().splitlines()[-1].startswith(message)
    assert "Traceback" not in err


@pytest.mark.parametrize("content", [b"not a database" * 100, b""])
def test_unreadable_database_is_one_clear_line(capsys, tmp_path, content):
    bad = tmp_path / "bad.db"
    bad.write_bytes(content)
    code, _, err = run(capsys, "--db", str(bad), "list")
    assert code == 1
    assert str(bad) in one_line_error(err)
    assert bad.read_bytes() == content


def test_missing_database_file(capsys, tmp_path):
    code, _, err = run(capsys, "--db", str(tmp_path / "nope.db"), "list")
    assert code == 1 and "database not found" in one_line_error(err)


def test_damaged_working_database_is_recovered_with_a_notice(capsys, bundle, data_dir):
    run(capsys, "list")
    (data_dir / WORKING_NAME).write_bytes(b"scrambled" * 500)
    code, out, err = run(capsys, "list")
    assert code == 0 and len(out.splitlines()) == 7
    notice = one_line_error(err)
    assert "could not be used" in notice and "fresh copy of the bundled content" in notice
    assert list(data_dir.glob(f"{WORKING_NAME}.damaged-*"))


def test_every_command_is_documented_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, sub_parser in sub.choices.items():
        nested = [a for a in sub_parser._actions if a.dest == "db_command"]
        names = [f"{name} {n}" for n in nested[0].choices] if nested else [name]
        for full in names:
            assert f"ketadesk {full}" in readme, f"README does not document 'ketadesk {full}'"


@pytest.mark.parametrize("argv", [["-m", "ketadesk", "list"], ["-m", "ketadesk", "--version"]])
def test_module_entry_point_runs(argv, data_dir):
    env = {**os.environ, paths.DATA_DIR_ENV: str(data_dir)}
    result = subprocess.run(
        [sys.executable, *argv], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()


def test_console_script_reports_errors_without_traceback(data_dir):
    script = shutil.which("ketadesk", path=str(Path(sys.executable).parent))
    assert script, "the ketadesk command is installed beside the interpreter"
    env = {**os.environ, paths.DATA_DIR_ENV: str(data_dir)}
    result = subprocess.run(
        [script, "show", "nope"], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert result.returncode == 1
    assert result.stderr.startswith("ketadesk: no condition with id 'nope'")
    assert "Traceback" not in result.stderr


def test_no_command_opens_the_window(monkeypatch):
    import ketadesk.app

    calls = []
    monkeypatch.setattr(ketadesk.app, "run", lambda argv, database: calls.append(database) or 0)
    assert main([]) == 0
    assert calls == [None]


def test_no_display_is_a_clear_message_not_a_crash(capsys, monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(var, raising=False)
    code, _, err = run(capsys)
    assert code == 1 and "no display to open the window on" in one_line_error(err)


def test_data_folder_defaults_to_the_per_user_folder(monkeypatch):
    monkeypatch.delenv(paths.DATA_DIR_ENV)
    folder = paths.data_dir()
    assert folder.name == "ketadesk" and folder.is_absolute()
    monkeypatch.setenv(paths.DATA_DIR_ENV, "~/somewhere")
    assert paths.data_dir() == Path("~/somewhere").expanduser()


def test_bundled_resources_are_found_from_the_source_checkout():
    assert paths.bundled_db() == REPO / "resources" / "ketadesk.db"
    assert paths.content_dir() == REPO / "resources" / "content"


# --- updating the content from the command line ----------------------------------------------


def test_export_import_backup_restore_reset_history(capsys, bundle, tmp_path, data_dir):
    from ketadesk import packs

    pack = tmp_path / "all.kdpack"
    code, out, _ = run(capsys, "db", "export", str(pack), "--author", "Dr A")
    assert code == 0 and out.startswith(f"Wrote {pack}: 7 entries")
    code, out, _ = run(capsys, "db", "import", str(pack), "--dry-run")
    assert code == 0 and "0 added, 0 changed, 7 unchanged" in out and "Dry run" in out
    made = packs.read_pack(pack).manifest["created"]  # ISO time to the second, as written
    assert f"made {made[:10]} {made[11:16]} by Dr A (all entries)" in out
    code, out, _ = run(capsys, "db", "import", str(pack), "--yes")
    assert code == 0 and "Nothing to import" in out

    code, out, _ = run(capsys, "db", "backup")
    assert code == 0 and out.startswith("Backed up to ")
    code, out, _ = run(capsys, "db", "backups")
    name = out.split()[0]
    assert code == 0 and name.endswith("-on-demand.db")
    code, out, _ = run(capsys, "db", "restore", name, "--yes")
    assert code == 0 and out.startswith(f"Restored {name}; the state before was backed up as ")
    code, out, _ = run(capsys, "db", "reset", "--yes")
    assert code == 0 and out.startswith("Reset to the bundled content")
    code, out, _ = run(capsys, "db", "history", "major-depressive-disorder")
    assert code == 0 and "no changes since the bundled content" in out


def test_import_shows_what_would_change(capsys, bundle, tmp_path):
    from ketadesk import packs

    pack = tmp_path / "p.kdpack"
    run(capsys, "db", "export", str(pack))
    data = packs.load_pack(pack)
    data["payload"]["conditions"][0]["name"] = "Renamed by the pack"
    data["manifest"]["payload_sha256"] = packs.payload_sha256(data["payload"])
    packs.write_pack(data, pack)
    code, out, _ = run(capsys, "db", "import", str(pack), "--yes", "--editor", "Dr B")
    changed_id = data["payload"]["conditions"][0]["id"]
    assert code == 0 and f"  changed: {changed_id}" in out
    assert "Imported: 0 added, 1 changed, 6 unchanged" in out
    code, out, _ = run(capsys, "db", "history", changed_id)
    assert "imported  by Dr B: from an update pack" in out


@pytest.mark.parametrize(
    ("argv", "message", "code"),
    [
        (["db", "restore", "nope.db", "--yes"], "ketadesk: no backup named 'nope.db'", 1),
        (["db", "history", "nope"], "ketadesk: no condition with id 'nope'", 1),
        (["db", "reset"], "ketadesk: not a terminal: add --yes", 2),
        (["db", "import", "/no/such.kdpack"], "ketadesk: the update pack was refused: cannot", 1),
    ],
)
def test_update_commands_bad_input(capsys, bundle, argv, message, code):
    got, _, err = run(capsys, *argv)
    assert got == code and one_line_error(err).startswith(message)


def test_writing_commands_refuse_a_read_only_database(capsys, bundle, tmp_path):
    got, _, err = run(capsys, "--db", str(bundle), "db", "backup")
    assert got == 2 and "opens a database read-only" in err
