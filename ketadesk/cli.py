"""The command line: a thin layer over the same core the window uses.

`ketadesk` alone opens the window; sub-commands list, show and search the content and build,
inspect and check the database. Errors are one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from . import __version__, paths
from .records import to_jsonable

if TYPE_CHECKING:
    from .store import Store

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
DEBUG_ENV = "KETADESK_DEBUG"


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ketadesk",
        description="Offline reference on the therapeutic uses of ketamine and esketamine. "
        "Without a command, opens the window.",
        epilog="The data folder is the platform's per-user data folder, or KETADESK_DATA_DIR.",
    )
    parser.add_argument("--version", action="version", version=f"ketadesk {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation headless (database, rendering, Qt plugins, a handout "
        "PDF) without touching your data; exit 0 when all is well",
    )
    parser.add_argument(
        "--db",
        type=Path,
        metavar="FILE",
        help="read this database file (read-only) instead of the working copy",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = commands.add_parser("list", help="list condition ids, names, categories and grades")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = commands.add_parser("show", help="show one whole entry as Markdown")
    p.add_argument("id", help="a condition id, as 'ketadesk list' prints it")
    p.add_argument("--json", action="store_true", help="print the structured record as JSON")

    p = commands.add_parser("search", help="search names, abbreviations and all sections")
    p.add_argument("query", nargs="+", help="words to look for; prefixes match ('depr')")
    p.add_argument("--limit", type=_positive, default=20, help="most results to show (20)")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = commands.add_parser(
        "handout",
        help="a patient handout: its text, or a PDF (-o) for printing",
        description="Without -o, print the handout's text. With -o, write a PDF: one id to "
        "FILE.pdf, or --all (or several ids) to a folder, one PDF per handout.",
    )
    p.add_argument(
        "ids",
        nargs="*",
        metavar="ID",
        help="a condition id, or a general handout such as 'treatment-day'",
    )
    p.add_argument("--all", action="store_true", help="every condition (needs -o DIR)")
    p.add_argument("-o", "--output", type=Path, metavar="PATH", help="PDF file, or a folder")
    p.add_argument("--large-print", action="store_true", help="18 pt, generous line spacing")
    p.add_argument("--paper", choices=["a4", "letter"], help="paper size (default: your locale's)")
    p.add_argument("--clinic", default="", metavar="NAME", help="clinic name for the header")
    p.add_argument("--phone", default="", metavar="NUMBER", help="clinic phone for the header")
    p.add_argument("--references", action="store_true", help="list the sources at the end")
    p.add_argument(
        "--with-treatment-day",
        action="store_true",
        help="add the general treatment-day handout after each condition's",
    )
    p.add_argument(
        "--grade", action="store_true", help="also print the text's Flesch-Kincaid reading grade"
    )

    db = commands.add_parser("db", help="build, inspect and check the database")
    db_commands = db.add_subparsers(dest="db_command", metavar="DB_COMMAND", required=True)
    p = db_commands.add_parser("build", help="compile resources/content into the bundled database")
    p.add_argument(
        "--content",
        type=Path,
        default=None,
        metavar="DIR",
        help="content folder (default: resources/content)",
    )
    p.add_argument(
        "--output",
        type=Path,
        default=None,
        metavar="FILE",
        help="database to write (default: resources/ketadesk.db)",
    )
    p = db_commands.add_parser("info", help="paths, versions, content date and counts")
    p.add_argument("--json", action="store_true", help="print JSON")
    db_commands.add_parser("check", help="integrity and content rules; non-zero exit on problems")

    p = db_commands.add_parser("export", help="write an update pack of the content")
    p.add_argument("file", type=Path, help="the pack to write (.kdpack)")
    p.add_argument(
        "--changed", action="store_true", help="only what differs from the bundled content"
    )
    p.add_argument("--author", default=None, help="who made the pack (default: your user name)")
    p = db_commands.add_parser("import", help="check, preview and apply an update pack")
    p.add_argument("file", type=Path, help="the pack to import")
    p.add_argument("--dry-run", action="store_true", help="check and preview only; change nothing")
    p.add_argument("--yes", action="store_true", help="apply without asking")
    p.add_argument("--editor", default=None, help="name for the history (default: your user name)")
    db_commands.add_parser("backup", help="back up the working database now")
    db_commands.add_parser("backups", help="list the backups, newest first")
    p = db_commands.add_parser("restore", help="restore a backup (after backing up the present)")
    p.add_argument("name", help="a backup's name, as 'ketadesk db backups' lists it")
    p.add_argument("--yes", action="store_true", help="restore without asking")
    p = db_commands.add_parser("reset", help="go back to the bundled content (after a backup)")
    p.add_argument("--yes", action="store_true", help="reset without asking")
    p = db_commands.add_parser("history", help="an entry's revisions, newest first")
    p.add_argument("id", help="a condition id")
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(
        level=logging.DEBUG if os.environ.get(DEBUG_ENV) else logging.WARNING,
        format="ketadesk: %(message)s",
    )
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    try:
        args = build_parser().parse_args(args_list)
        if args.self_test:
            from .selftest import run as self_test

            return EXIT_OK if self_test() == 0 else EXIT_FAILED
        if args.command is None:
            if not _display_available():
                return _fail(
                    "no display to open the window on; use a command instead (see "
                    "'ketadesk --help'), or set QT_QPA_PLATFORM=offscreen",
                    EXIT_FAILED,
                )
            from .app import run  # Qt is imported only when the window is wanted

            return run(args_list, database=args.db)
        return COMMANDS[args.command](args)
    except UsageError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (e.g. `| head`); nothing more to say
        return EXIT_OK
    except Exception as exc:  # the one place that turns any error into a single line
        # light modules only: this handler must work even if a heavy import is what failed
        from .errors import StoreError
        from .sourceio import ContentError

        if isinstance(exc, ContentError):
            print("\n".join(str(p) for p in exc.problems), file=sys.stderr)
            return _fail(
                f"the content has {len(exc.problems)} problem(s); nothing was built", EXIT_FAILED
            )
        if isinstance(exc, StoreError):
            return _fail(str(exc), EXIT_FAILED)
        if os.environ.get(DEBUG_ENV):
            raise
        return _fail(f"unexpected error: {exc!r} (set {DEBUG_ENV}=1 for details)", EXIT_FAILED)


def _display_available() -> bool:
    """False only where Qt would abort for want of a screen: Linux/BSD without X11 or Wayland."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return True
    return any(os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def _fail(message: str, code: int) -> int:
    print(f"ketadesk: {message}", file=sys.stderr)
    return code


def _print_json(value: Any) -> None:
    print(json.dumps(to_jsonable(value), indent=2, ensure_ascii=False))


def open_store(args: argparse.Namespace) -> Store:
    """The database the command reads: --db read-only, else the user's working copy."""
    from . import store, workingcopy

    if args.db is not None:
        return store.Store.open(args.db, read_only=True)
    opened, notice = workingcopy.open_working(paths.bundled_db(), paths.data_dir())
    if notice:
        print(f"ketadesk: {notice}", file=sys.stderr)
    return opened


def cmd_list(args: argparse.Namespace) -> int:
    with open_store(args) as s:
        conditions = s.list_conditions()
    if args.json:
        _print_json(conditions)
        return EXIT_OK
    width = max((len(c.id) for c in conditions), default=2)
    for c in conditions:
        abbr = f" ({', '.join(c.abbreviations)})" if c.abbreviations else ""
        print(f"{c.id:<{width}}  {c.name}{abbr}  [{c.category}; evidence: {c.grade}]")
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    from .render import condition_markdown

    with open_store(args) as s:
        condition = s.get_condition(args.id)
        version = s.info().content_version
    if args.json:
        _print_json(condition)
    else:
        print(condition_markdown(condition, content_version=version), end="")
    return EXIT_OK


def cmd_handout(args: argparse.Namespace) -> int:
    from . import handouts
    from .readability import reading_grade
    from .render import handout_markdown

    if args.all and args.ids:
        raise UsageError("give condition ids or --all, not both")
    if not args.all and not args.ids:
        raise UsageError("name a handout (a condition id, or 'treatment-day'), or use --all")
    if args.output is None:
        if args.all or len(args.ids) > 1:
            raise UsageError("several handouts need -o DIR (one PDF each)")
        with open_store(args) as s:
            handout = handouts.find_handout(s, args.ids[0])
        print(handout_markdown(handout), end="")
        if args.grade:
            print(f"\nReading grade (Flesch-Kincaid): {reading_grade(handout.markdown):g}")
        return EXIT_OK
    return _handout_pdfs(args)


def _handout_pdfs(args: argparse.Namespace) -> int:
    import datetime as dt

    from . import handout_layout, handouts
    from .records import HandoutOptions

    today = dt.date.today()
    with open_store(args) as s:
        ids = [c.id for c in s.list_conditions()] if args.all else list(args.ids)
        several = len(ids) > 1 or args.all
        if several and not args.output.is_dir():
            raise UsageError(f"{args.output} is not a folder (several handouts need -o DIR)")
        if not several and args.output.is_dir():
            args.output = args.output / handouts.file_name(ids[0], today)
        options = HandoutOptions(
            paper=args.paper or handout_layout.default_paper(),
            large_print=args.large_print,
            references=args.references,
            clinic=args.clinic,
            phone=args.phone,
        )
        version = s.info().content_version
        jobs = [
            (
                handouts.print_run(s, i, with_treatment_day=args.with_treatment_day),
                args.output / handouts.file_name(i, today) if several else args.output,
            )
            for i in ids
        ]
    for parts, path in jobs:
        pages = handout_layout.export_pdf(
            parts, options, path, content_version=version, printed=today
        )
        print(f"Wrote {path} ({sum(pages)} page{'s' if sum(pages) != 1 else ''}).")
    return EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    text = " ".join(args.query)
    with open_store(args) as s:
        hits = s.search(text, limit=args.limit)
    if args.json:
        _print_json(hits)
        return EXIT_OK
    if not hits:
        print(f"No condition matches {text!r}.")
        return EXIT_OK
    for hit in hits:
        snippet = "".join(f"[{p.text}]" if p.matched else p.text for p in hit.snippet)
        print(f"{hit.condition.id}  {hit.condition.name}")
        print(f"    {hit.section}: {' '.join(snippet.split())}")
    return EXIT_OK


def cmd_db(args: argparse.Namespace) -> int:
    commands = {
        "build": db_build,
        "info": db_info,
        "check": db_check,
        "export": db_export,
        "import": db_import,
        "backup": db_backup,
        "backups": db_backups,
        "restore": db_restore,
        "reset": db_reset,
        "history": db_history,
    }
    return commands[args.db_command](args)


def _user(name: str | None) -> str:
    if name:
        return name
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _writable_store(args: argparse.Namespace) -> Store:
    if args.db is not None:
        raise UsageError("--db opens a database read-only; this command changes the working copy")
    return open_store(args)


def _confirm(question: str, yes: bool) -> bool:
    if yes:
        return True
    if not sys.stdin.isatty():
        raise UsageError("not a terminal: add --yes to go ahead without being asked")
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")


def db_export(args: argparse.Namespace) -> int:
    from . import packs, store

    with open_store(args) as s:
        if args.changed:
            with store.Store.open(paths.bundled_db(), read_only=True, verify=False) as bundled:
                pack = packs.build_pack(s, author=_user(args.author), changed_since=bundled)
        else:
            pack = packs.build_pack(s, author=_user(args.author))
    packs.write_pack(pack, args.file)
    counts = pack["manifest"]["counts"]
    print(
        f"Wrote {args.file}: {counts['conditions']} entries, {counts['references']} references, "
        f"{counts['side_effects']} side effects, {counts['handouts']} general handout(s)."
    )
    return EXIT_OK


def db_import(args: argparse.Namespace) -> int:
    from contextlib import closing

    from . import packs

    pack = packs.read_pack(args.file)
    with (
        open_store(args) if args.dry_run else _writable_store(args) as s,
        closing(packs.plan_import(s, pack)) as plan,
    ):
        print(f"Pack {args.file.name}: {pack.description}.")
        for label, items in (
            ("added", plan.added),
            ("changed", plan.changed),
            ("unchanged", plan.unchanged),
            ("conflict with a local edit (kept; newer version offered)", plan.conflicts),
        ):
            for condition in items:
                print(f"  {label}: {condition.id}")
        print(plan.summary() + ".")
        if args.dry_run:
            print("Dry run: nothing was changed.")
            return EXIT_OK
        if not (plan.added or plan.changed or plan.conflicts):
            print("Nothing to import: every entry in the pack is already here.")
            return EXIT_OK
        if not _confirm("Apply this pack?", args.yes):
            print("Nothing was changed.")
            return EXIT_OK
        print("Applying…", flush=True)
        print(packs.apply_import(s, plan, paths.data_dir(), editor=_user(args.editor)))
    return EXIT_OK


def db_backup(args: argparse.Namespace) -> int:
    from . import backups

    with _writable_store(args) as s:
        made = backups.backup(s, paths.data_dir(), "on-demand")
    print(f"Backed up to {made.path}.")
    return EXIT_OK


def db_backups(args: argparse.Namespace) -> int:
    from . import backups

    found = backups.list_backups(paths.data_dir())
    if not found:
        print(f"No backups yet in {backups.folder(paths.data_dir())}.")
    for b in found:
        print(f"{b.name}  {b.created:%Y-%m-%d %H:%M:%S}  {b.reason}  {b.size // 1024} KiB")
    return EXIT_OK


def db_restore(args: argparse.Namespace) -> int:
    from . import backups

    backups.find(paths.data_dir(), args.name)  # a clear error before asking anything
    with _writable_store(args) as s:
        if not _confirm(f"Replace the working database with {args.name}?", args.yes):
            print("Nothing was changed.")
            return EXIT_OK
        safety = backups.restore(s, paths.data_dir(), args.name)
    print(f"Restored {args.name}; the state before was backed up as {safety.name}.")
    return EXIT_OK


def db_reset(args: argparse.Namespace) -> int:
    from . import backups

    with _writable_store(args) as s:
        if not _confirm("Discard local edits and go back to the bundled content?", args.yes):
            print("Nothing was changed.")
            return EXIT_OK
        safety = backups.reset(s, paths.bundled_db(), paths.data_dir())
    print(f"Reset to the bundled content; the state before was backed up as {safety.name}.")
    return EXIT_OK


def db_history(args: argparse.Namespace) -> int:
    with open_store(args) as s:
        s.get_condition(args.id)  # a clear error for an unknown id
        revisions = s.revisions(args.id)
        state = s.entry_state(args.id)
    if state.pending is not None:
        print("A newer version is available for this entry (resolve it in the window).")
    if not revisions:
        print(f"{args.id}: no changes since the bundled content.")
    for r in revisions:
        print(f"#{r.id}  {r.at}  {r.action}  by {r.editor or 'unknown'}: {r.summary}")
    return EXIT_OK


def db_build(args: argparse.Namespace) -> int:
    from .build import build

    content = args.content or paths.content_dir()
    output = args.output or paths.bundled_db()
    data = build(content, output)
    print(
        f"Built {output}: {len(data.conditions)} conditions, {len(data.references)} references, "
        f"{len(data.side_effects)} side effects, {len(data.handouts)} general handout(s) "
        f"(content {data.meta.content_version})."
    )
    return EXIT_OK


def db_info(args: argparse.Namespace) -> int:
    with open_store(args) as s:
        info = s.info()
    details = {
        "database": info.path,
        "bundled database": str(paths.bundled_db()),
        "data folder": str(paths.data_dir()) if args.db is None else "(not used with --db)",
        "schema version": info.schema_version,
        "content version": info.content_version,
        "content date": info.content_date,
        "source hash": info.source_hash,
        "sqlite version": info.sqlite_version,
        **{f"{table.replace('_', ' ')}": n for table, n in info.counts.items()},
    }
    if args.json:
        _print_json({k.replace(" ", "_"): v for k, v in details.items()})
    else:
        width = max(len(k) for k in details)
        for key, value in details.items():
            print(f"{key:<{width}}  {value}")
    return EXIT_OK


def db_check(args: argparse.Namespace) -> int:
    from .checks import check_store

    with open_store(args) as s:
        problems = check_store(s)
        count = s.info().counts["conditions"]
    for problem in problems:
        print(problem)
    if problems:
        return _fail(f"{len(problems)} problem(s) found in {count} conditions", EXIT_FAILED)
    print(f"OK: database intact; all {count} conditions meet the content rules.")
    return EXIT_OK


COMMANDS = {
    "list": cmd_list,
    "show": cmd_show,
    "search": cmd_search,
    "handout": cmd_handout,
    "db": cmd_db,
}
