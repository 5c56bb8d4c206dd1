"""The teaching subcommands (`teach`, `serve`), registered by the CLI; imports stay lazy so `--help` is instant."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from interview.cli.common import CliError, add_command, load_flow_or_fail
from interview.errors import DB_ENV, EXIT_OK


def register(sub: Any) -> None:
    """Add `teach` and `serve` to the CLI's subparsers."""
    teach = add_command(
        sub, "teach", cmd_teach, help="teaching cases: list them, or open one as a quiz",
        description="The teaching case library. With no case id the cases are listed; with an id the case opens "
                    "as a quiz in the terminal (commit to each score and the headline before it is revealed).")
    teach.add_argument("case", nargs="?", metavar="ID", help="the teaching case to open")
    teach.add_argument("--list", action="store_true", help="list the cases (the default without an id)")
    teach.add_argument("--answers-shown", action="store_true",
                       help="with the list: also show each case's expected headline")
    teach.add_argument("--review", action="store_true",
                       help="open the case prefilled in the normal interview instead of the quiz")
    teach.add_argument("--log", metavar="PATH",
                       help="learning log file (default: $SPINE_INTERVIEW_LEARNING_LOG or the user data directory)")
    teach.add_argument("--log-export", nargs="?", const="-", metavar="FILE",
                       help="write the learning log as Markdown to FILE (0600; or stdout) and exit")
    teach.add_argument("--force", action="store_true", help="with --log-export FILE: replace an existing file")
    teach.add_argument("--cases", metavar="DIR", help="case library directory (default: the shipped flows/cases)")
    teach.add_argument("--flow", metavar="FLOW", help="flow id or path (default: spinal_metastases)")
    teach.add_argument("--room", metavar="NAME", help="the lecture room: tag quiz sessions with it; with --dashboard, "
                                                      "show how it answered")
    teach.add_argument("--dashboard", action="store_true",
                       help="the teacher's live view of the room (--room): per checkpoint of the case (ID, or the "
                            "room's most answered), a bar per option, the right one marked, most split first")
    teach.add_argument("--learning-db", metavar="DIR_OR_URL",
                       help="the room's learning log: a directory or a postgresql:// URL (as given to serve)")

    serve = add_command(
        sub, "serve", cmd_serve, help="run the interview in a web browser (lecture-room mode)",
        description="Serve the interview through textual-serve: every browser tab gets its own process and state. "
                    "The page and its WebSocket need the secret link printed at start; the WebSocket accepts only "
                    "the served origin; at most --max-sessions tabs at once; no case database is ever opened. "
                    "No TLS, no user accounts: it binds to 127.0.0.1 unless told otherwise.")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument("--public-url", metavar="URL",
                       help="the address learners open, e.g. http://192.168.1.10:8000 (needed with --host 0.0.0.0; "
                            "its origin is the only one the WebSocket accepts)")
    serve.add_argument("--case", metavar="ID", help="serve the quiz of this teaching case instead of the interview")
    serve.add_argument("--max-sessions", type=int, default=40, metavar="N",
                       help="browser tabs (app processes) at once; the next one is told the room is full (default 40)")
    serve.add_argument("--learning-db", metavar="DIR_OR_URL",
                       help="the room's learning log: a directory (default: learning-room in the user data directory) "
                            "or a postgresql:// URL (its own schema and role, never the case tables)")
    serve.add_argument("--room", metavar="NAME", help="tag every tab's quiz sessions with this room name "
                                                      "(for teach --room NAME --dashboard)")
    serve.add_argument("--db", dest="serve_db", metavar="PATH",
                       help="refused: serve never opens a case database")


def _library(args: argparse.Namespace, flow: Any) -> list[Any]:
    from interview.teach.library import LibraryError, load_library

    try:
        return load_library(Path(args.cases) if args.cases else None, flow)
    except LibraryError as err:
        raise CliError(str(err)) from None


def _log_path(args: argparse.Namespace) -> Path | str:
    """The learning log: --log, else --learning-db (a room's directory or server URL), else the default."""
    from interview.teach.log import default_log_path, is_server, resolve_log

    given = args.log or getattr(args, "learning_db", None)
    if not given:
        return default_log_path()
    return given if is_server(given) else resolve_log(Path(given).expanduser())


def _room(args: argparse.Namespace) -> str | None:
    from interview.teach.log import LogError, check_room

    if not getattr(args, "room", None):
        return None
    try:
        return check_room(args.room)
    except LogError as err:
        raise CliError(f"--room: {err}") from None


def cmd_teach(args: argparse.Namespace) -> int:
    """`spine-interview teach`: list the cases, export the log, or open one case."""
    if args.log_export is not None:
        return _export_log(args)
    room = _room(args)
    if args.dashboard:
        if room is None:
            raise CliError("--dashboard needs --room NAME (the room whose answers to show)")
        return _dashboard(args, room)

    flow = load_flow_or_fail(args.flow)
    cases = _library(args, flow)
    if args.case is None or args.list:
        width = max(len(c.id) for c in cases) if cases else 0
        for c in cases:
            # A case whose headline waits for answers not known yet shows the headlines still possible.
            heads = c.case.expected_headline or " | ".join(c.case.expected_possible_headlines or [])
            extra = f"  → {heads}" if args.answers_shown else ""
            print(f"{c.id:<{width}}  {c.case.title}{extra}")
        if not args.answers_shown:
            print(f"\n{len(cases)} cases. Open one with: spine-interview teach ID", file=sys.stderr)
        return EXIT_OK
    from interview.teach.library import LibraryError, find_case

    try:
        chosen = find_case(cases, args.case)
    except LibraryError as err:
        raise CliError(str(err)) from None
    if args.review:
        return _review(args, flow, chosen)
    from interview.tui.screens.quiz import QuizApp

    if room:
        import os

        from interview.teach.log import ROOM_ENV

        os.environ[ROOM_ENV] = room  # the quiz's entry is tagged with it when saved
    QuizApp(flow, chosen.case, log_path=_log_path(args)).run()
    return EXIT_OK


def _dashboard(args: argparse.Namespace, room: str) -> int:
    """`teach [ID] --room NAME --dashboard`: how the room answered, refreshed as sessions arrive."""
    from interview.teach.library import find_case
    from interview.teach.log import read_entries
    from interview.teach.quiz import Quiz
    from interview.tui.screens.dashboard import DashboardApp, DashboardScreen

    flow = load_flow_or_fail(args.flow)
    cases = _library(args, flow)
    target = _log_path(args)
    read_entries(target, room=room)  # a log that cannot be read at all is one line now, not a blank screen

    def checkpoints(case_id: str) -> list[Any] | None:
        try:
            return Quiz(flow, find_case(cases, case_id).case).checkpoints
        except Exception:  # noqa: BLE001 - a case not in this library: options from the answers seen
            return None

    screen = DashboardScreen(lambda: read_entries(target, room=room), room=room, case_id=args.case,
                             checkpoints=checkpoints)
    DashboardApp(screen).run()
    return EXIT_OK


def _review(args: argparse.Namespace, flow: Any, chosen: Any) -> int:
    """Open the case prefilled in the interview app (the TUI's own ``--answers`` support)."""
    import os
    import tempfile

    import yaml

    from interview.cli.interview import run_app

    fd, name = tempfile.mkstemp(prefix=f"{chosen.id}-", suffix=".answers.yaml")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:  # mkstemp creates it 0600 already
        yaml.safe_dump(dict(chosen.case.answers), fh, sort_keys=False)
    try:
        args.answers, args.resume, args.teaching = name, None, True
        args.db = getattr(args, "db", None)
        return int(run_app(args) or 0)
    finally:
        os.unlink(name)


def _export_log(args: argparse.Namespace) -> int:
    from interview.teach.log import LogError, export_markdown, read_entries

    path = _log_path(args)
    try:
        text = export_markdown(read_entries(path))
    except LogError as err:
        raise CliError(str(err)) from None
    if args.log_export == "-":
        sys.stdout.write(text)
        return EXIT_OK
    from interview.files.writing import WriteError, write_private

    target = Path(args.log_export)
    try:
        write_private(target, text, force=args.force)  # 0600, whole, never over a file without --force
    except WriteError as err:
        raise CliError(f"cannot write the export: {err.message}", 2 if err.exists else 1) from None
    print(f"learning log exported to {target}", file=sys.stderr)
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    """`spine-interview serve`: lecture-room mode in the browser."""
    import os

    global_db = getattr(args, "db", None)
    explicit_db = args.serve_db or (global_db if global_db and global_db != os.environ.get(DB_ENV) else None)
    if explicit_db:
        raise CliError("serve never opens a case database (--db): each browser tab gets an empty private one, "
                       "deleted when it closes, and quiz answers go to the learning log (--learning-db DIR_OR_URL)")
    if not 0 < args.port < 65536:
        raise CliError(f"--port {args.port}: expected a port number from 1 to 65535")
    if args.max_sessions < 1:
        raise CliError(f"--max-sessions {args.max_sessions}: expected at least 1")
    room = _room(args)
    from interview.teach.log import LogError, is_server, read_entries
    from interview.teach.serve import ServeError, default_learning_dir, serve

    learning_dir: Path | str
    if args.learning_db and is_server(args.learning_db):
        learning_dir = args.learning_db
        try:
            read_entries(learning_dir, room=room or "")  # the server, its schema and the role's rights, now
        except LogError as err:
            raise CliError(f"--learning-db: {err}") from None
    elif args.learning_db and "://" in args.learning_db:
        raise CliError(f"--learning-db {args.learning_db[:80]}: expected a directory or a postgresql:// URL")
    else:
        learning_dir = Path(args.learning_db).expanduser() if args.learning_db else default_learning_dir()
        from interview.files.writing import WriteError, make_private_dirs

        try:
            make_private_dirs(learning_dir)  # every missing parent 0700, not only the last
        except WriteError as err:
            raise CliError(f"--learning-db {str(learning_dir)[:80]}: cannot create the directory ({err})") from None
    try:
        serve(args.host, args.port, args.case, learning_dir=learning_dir, max_sessions=args.max_sessions,
              public_url=args.public_url, room=room)
    except ServeError as err:
        raise CliError(str(err)) from None
    except OSError as err:
        raise CliError(f"cannot serve on {args.host}:{args.port} ({err.strerror or err})") from None
    return EXIT_OK
