"""What every subcommand shares: its declaration, the clean failure, reading a flow or answers file, printing.

Below every subcommand module; it imports nothing heavy at module level, so `--help` stays instant.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn

from interview.errors import DB_ENV, EXIT_BAD_INPUT, EXIT_FAILED, EXIT_MISSING

#: What a subcommand runs: the parsed command line in, the exit code out.
Handler = Callable[[argparse.Namespace], int]

DB_HELP = (f"case database: a file PATH or a postgresql:// URL (default: ${DB_ENV} or the user data directory; "
           "a server's password comes from ~/.pgpass or $PGPASSWORD, never the URL)")


class CliError(Exception):
    """A clean failure: one line on stderr and an exit code, never a traceback."""

    def __init__(self, message: str, code: int = EXIT_BAD_INPUT) -> None:
        self.message = message
        self.code = code
        super().__init__(message)


def clean(handler: Handler) -> Handler:
    """Turn every failure of a case-store command into one line on stderr — never a traceback.

    A store's or the learning log's failure exits 1 (nothing was changed), an unknown case, a missing
    database or an existing output file 2 (what was asked cannot be).
    """

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        from interview.files.writing import WriteError
        from interview.store.records import NoDatabase, StoreError, UnknownCase
        from interview.teach.log import LogError

        try:
            return handler(args)
        except CliError:
            raise
        except (UnknownCase, NoDatabase) as err:
            raise CliError(err.message, EXIT_BAD_INPUT) from None
        except WriteError as err:
            raise CliError(err.message, EXIT_BAD_INPUT if err.exists else EXIT_FAILED) from None
        except StoreError as err:
            raise CliError(err.message, EXIT_FAILED) from None
        except LogError as err:
            raise CliError(str(err), EXIT_FAILED) from None
        except (KeyboardInterrupt, BrokenPipeError):
            raise
        except Exception as err:  # noqa: BLE001 - the promise is: no traceback, ever
            raise CliError(f"unexpected {type(err).__name__}: {err}", EXIT_FAILED) from None

    return run


# --- subcommands, and the options several of them share: worded once ----------------------------------


def add_command(commands: Any, name: str, run: Handler, *, help: str, description: str,
                case_id: bool = False) -> argparse.ArgumentParser:
    """A subcommand's parser: its line in the list of commands (``help``), its ``--help`` text, what it
    runs, and — for a command on one stored case (``case_id``) — the case ID as its first argument."""
    parser = commands.add_parser(name, help=help, description=description)
    if case_id:
        add_case_id(parser)
    parser.set_defaults(func=run)
    return parser


def add_case_id(parser: Any) -> None:
    parser.add_argument("id", metavar="ID", help="case id (or its unique label)")


def add_db(parser: Any, help: str = DB_HELP) -> None:
    parser.add_argument("--db", metavar="PATH_OR_URL", help=help)


def add_output(parser: Any, what: str = "") -> None:
    """``--output FILE`` and ``--force``: a new owner-only file, an existing one only when forced."""
    parser.add_argument("--output", "-o", metavar="FILE", help=f"write {what or 'it'} to FILE (0600) instead of "
                        "stdout; an existing file only with --force, never a database, a link or a device")
    parser.add_argument("--force", action="store_true", help="with --output: replace an existing file")


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    raise CliError(message, code)



def load_flow_or_fail(flow: str | None) -> Any:
    """Load a flow, turning a FlowError into a clean CLI error."""
    from interview.flow.load import FlowError, load_flow

    try:
        return load_flow(flow)
    except FlowError as err:
        fail(f"flow error: {err}")


def read_answers_file(path: str) -> dict[str, Any]:
    """Read a YAML or JSON answers mapping, with one clear message per way it can be wrong.

    Read by :func:`interview.files.reading.read_answers`: a regular file of at most 1 MiB, UTF-8,
    YAML 1.2 meaning with the YAML 1.1 forms refused, no duplicate keys, no anchors or aliases.
    """
    from interview.files.reading import ReadError, read_answers

    try:
        return read_answers(path)
    except ReadError as err:
        fail(str(err))


def replay_file(path: str, flow_name: str | None, *, extras: dict[str, Any] | None = None) -> tuple[Any, Any]:
    """Replay an answers file on a flow: (flow, Replay). Errors follow CONTRACT.md §1.

    The file's handover answers and ``clock:`` entries (issue 13) are not case answers: they are set
    apart before the replay (into ``extras`` when given), so the result is the same with or without them.
    """
    from interview.cli.clinic import split_answers_file
    from interview.engine.replay import AnswersError, MissingAnswer, replay

    flow = load_flow_or_fail(flow_name)
    answers, found = split_answers_file(flow, read_answers_file(path))
    if extras is not None:
        extras.update(found)
    try:
        outcome = replay(flow, answers)
    except AnswersError as err:
        fail(f"{path}: {err.message}")
    except MissingAnswer as err:
        q = flow.by_id[err.question_id].model
        fail(f"{path}: missing field {err.question_id!r}, needed on this case's path ({q.prompt})", EXIT_MISSING)
    except TypeError as err:
        # The loader checks names, not types: a flow that adds text to a number loads, and fails
        # only on a case that reaches that expression. A flow error, in one line, never a traceback.
        fail(f"flow error: {flow.path}: an expression cannot be evaluated for this case ({err})")
    if outcome.unused:
        print(f"{path}: note: not on this case's path, not used: {', '.join(outcome.unused)}", file=sys.stderr)
    return flow, outcome



def print_result(text: str, failed: str) -> None:
    """Write to stdout and flush now, so a closed pipe or a full disk is an error here, not at exit."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except OSError as err:
        quiet_stdout()
        reason = "the output was closed (broken pipe)" if isinstance(err, BrokenPipeError) else err.strerror or err
        raise CliError(f"{failed}: {reason}", EXIT_FAILED) from None


def quiet_stdout() -> None:
    """After a failed write to stdout: point it at /dev/null, so the exit flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
