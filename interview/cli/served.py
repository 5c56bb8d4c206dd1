"""What each browser tab of ``spine-interview serve`` runs: never the clinician's case store.

The app gets an empty private case database in a new 0700 temporary directory (its working
directory too, so anything it writes lands there), deleted when the tab closes; quiz answers go to
the room's learning log in ``--learning-db DIR_OR_URL``, tagged ``--room NAME``. ``$SPINE_INTERVIEW_DB`` and
``$SPINE_INTERVIEW_LEARNING_LOG`` from the server's environment are overridden, never used.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

LEARNING_LOG = "learning_log.jsonl"


def private_argv(case_id: str | None, learning_dir: Path | str, workdir: Path,
                 room: str | None = None) -> tuple[list[str], dict[str, str]]:
    """The app's command line and the environment it must see, for one tab.

    Returns:
        the arguments for :func:`interview.cli.main` and the variables to set.
    """
    from interview.errors import DB_ENV
    from interview.teach.log import LOG_ENV, ROOM_ENV, is_server

    db = str(workdir / "cases.sqlite")
    log = str(learning_dir) if is_server(learning_dir) else str(Path(learning_dir) / LEARNING_LOG)
    env = {DB_ENV: db, LOG_ENV: log}
    if room:
        env[ROOM_ENV] = room
    argv = ["teach", case_id, "--log", log] if case_id else ["--db", db]
    return argv, env


def main(argv: Sequence[str] | None = None) -> int:
    """Run the app for one browser tab on a private, empty case database; returns its exit code."""
    parser = argparse.ArgumentParser(prog="spine-interview-served", description=__doc__)
    parser.add_argument("--learning-db", metavar="DIR_OR_URL", required=True,
                        help="the room's learning log: a directory or a postgresql:// URL")
    parser.add_argument("--case", metavar="ID", help="open this teaching case as a quiz")
    parser.add_argument("--room", metavar="NAME", help="the room the quiz sessions are tagged with")
    args = parser.parse_args(argv)
    from interview.teach.log import is_server

    learning_dir: Path | str = args.learning_db
    if not is_server(args.learning_db):
        learning_dir = Path(args.learning_db).expanduser()
        from interview.files.writing import make_private_dirs

        make_private_dirs(learning_dir)  # every missing parent 0700, not only the last
    workdir = Path(tempfile.mkdtemp(prefix="spine-serve-"))  # 0700, this tab's alone
    try:
        app_argv, env = private_argv(args.case, learning_dir, workdir, args.room)
        os.environ.update(env)
        os.chdir(workdir)
        from interview.cli import main as cli_main

        return cli_main(app_argv)
    finally:
        os.chdir(tempfile.gettempdir())
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
