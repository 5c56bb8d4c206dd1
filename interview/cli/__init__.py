"""Command-line entry point: the parser and `main`; each subcommand lives in its own module here.

Layers point one way (``tests/test_layers.py``): this package is the top and may import anything;
nothing below imports it. Imports are lazy on purpose: `spine-interview run` must never import
Textual, and `--help` must be instant. With no subcommand the Textual interview opens.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from interview.cli.common import CliError, load_flow_or_fail, quiet_stdout, read_answers_file, replay_file
from interview.cli.interview import cmd_tui
from interview.errors import DB_ENV, EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_MISSING, EXIT_OK

__all__ = ["CliError", "DB_ENV", "EXIT_BAD_INPUT", "EXIT_MISSING", "EXIT_OK", "build_parser", "load_flow_or_fail",
           "main", "read_answers_file", "replay_file", "wants_commands"]

#: The subcommand modules, in the order `--help` lists them; each has ``register(subparsers)``.
COMMAND_MODULES = ("interview.cli.run", "interview.cli.flows", "interview.cli.cases", "interview.cli.teach")


def build_parser(commands: bool = True) -> argparse.ArgumentParser:
    """The whole command line; without ``commands``, only the options of the interview itself.

    Building the parsers of the dozen subcommands takes longer than parsing: opening the app with
    options alone (the common case) need not pay for it (see :func:`wants_commands`).
    """
    parser = (argparse.ArgumentParser if commands else _OptionsOnlyParser)(
        prog="spine-interview",
        description=(
            "A guided interview for a patient with spinal metastases, ending in a structured, referenced "
            "recommendation. Decision support for the responsible clinician and the MDT, never orders. "
            "With no command, the interview opens in the terminal."
        ),
    )
    from interview import __version__

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--answers", metavar="FILE", help="open this answers file prefilled, at the review screen")
    parser.add_argument("--resume", metavar="ID", help="continue a saved case where it stopped")
    parser.add_argument("--db", metavar="PATH_OR_URL", help=f"case database: a file or a postgresql:// URL (default: "
                        f"${DB_ENV} or the user data directory)")
    parser.add_argument("--user", metavar="NAME", help="who the case's events are recorded as (default: the OS login)")
    parser.add_argument("--flow", metavar="FLOW", help="flow id or path (default: spinal_metastases)")
    parser.add_argument("--teaching", action="store_true", help="show 'why we ask' inline for every question")
    parser.set_defaults(func=cmd_tui)
    if not commands:
        return parser
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    for module in COMMAND_MODULES:
        _register(module, sub)
    return parser


def _register(module_name: str, sub: Any) -> None:
    """Let each subcommand module add its own parsers; imported only when the full parser is built."""
    import importlib

    importlib.import_module(module_name).register(sub)


def wants_commands(argv: Sequence[str]) -> bool:
    """Whether a command line may name a subcommand or ask for help (which lists them).

    Only a line of options alone (``--teaching``, ``--resume=ID``) is sure not to; any bare word,
    even an option's value, keeps the full parser, so a misspelt command is still named as one.
    """
    return any(not arg.startswith("-") or arg in ("-", "--") or arg.startswith(("-h", "--h")) for arg in argv)


class _OptionsOnlyParser(argparse.ArgumentParser):
    """The parser without its commands: any error is left to the full parser to word."""

    def error(self, message: str) -> NoReturn:
        raise _NeedsFullParser(message)


class _NeedsFullParser(Exception):
    pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # Patient data must never leave this machine: third-party pydantic plugins (observability,
    # telemetry) are switched off for this process and its children. Set here, by the entry point,
    # not on import: a program that imports the package keeps its own environment. It also spares
    # every command the entry-point scan pydantic makes to find plugins (most of a run's start-up).
    os.environ["PYDANTIC_DISABLE_PLUGINS"] = "__all__"
    try:
        args = build_parser(commands=wants_commands(argv)).parse_args(argv)
    except _NeedsFullParser:
        # The full parser's usage line names the commands; it says what is wrong and exits 2.
        args = build_parser().parse_args(argv)
    if getattr(args, "db", None) is None and os.environ.get(DB_ENV):
        args.db = os.environ[DB_ENV]
    try:
        code = int(args.func(args) or 0)
    except CliError as err:
        print(f"spine-interview: {err.message}", file=sys.stderr)
        return err.code
    except KeyboardInterrupt:
        print("spine-interview: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return _output_failed("the output was closed before it was all written (broken pipe)")
    try:
        sys.stdout.flush()  # a closed pipe or a full disk is an error here, not a warning at exit
    except BrokenPipeError:
        return _output_failed("the output was closed before it was all written (broken pipe)")
    except OSError as err:
        return _output_failed(f"the output could not be written ({err.strerror or err})")
    return code


def _output_failed(message: str) -> int:
    quiet_stdout()
    print(f"spine-interview: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
