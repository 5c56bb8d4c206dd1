"""Command-line entry point: argument parsing only; each subcommand calls one function.

Imports are lazy on purpose: `spine-interview run` must never import Textual, and `--help` must be
instant. With no subcommand the Textual interview opens.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_MISSING = 3

DB_ENV = "SPINE_INTERVIEW_DB"


class CliError(Exception):
    """A clean failure: one line on stderr and an exit code, never a traceback."""

    def __init__(self, message: str, code: int = EXIT_BAD_INPUT) -> None:
        self.message = message
        self.code = code
        super().__init__(message)


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    raise CliError(message, code)


# --- shared helpers --------------------------------------------------------------------------------


def load_flow_or_fail(flow: str | None) -> Any:
    """Load a flow, turning a FlowError into a clean CLI error."""
    from interview.flow.load import FlowError, load_flow

    try:
        return load_flow(flow)
    except FlowError as err:
        _fail(f"flow error: {err}")


def read_answers_file(path: str) -> dict[str, Any]:
    """Read a YAML or JSON answers mapping, with one clear message per way it can be wrong.

    Read by :func:`interview.files.reading.read_answers`: a regular file of at most 1 MiB, UTF-8,
    YAML 1.2 meaning with the YAML 1.1 forms refused, no duplicate keys, no anchors or aliases.
    """
    from interview.files.reading import ReadError, read_answers

    try:
        return read_answers(path)
    except ReadError as err:
        _fail(str(err))


def replay_file(path: str, flow_name: str | None) -> tuple[Any, Any]:
    """Replay an answers file on a flow: (flow, Replay). Errors follow CONTRACT.md §1."""
    from interview.engine.replay import AnswersError, MissingAnswer, replay

    flow = load_flow_or_fail(flow_name)
    answers = read_answers_file(path)
    try:
        outcome = replay(flow, answers)
    except AnswersError as err:
        _fail(f"{path}: {err.message}")
    except MissingAnswer as err:
        q = flow.by_id[err.question_id].model
        _fail(f"{path}: missing field {err.question_id!r}, needed on this case's path ({q.prompt})", EXIT_MISSING)
    except TypeError as err:
        # The loader checks names, not types: a flow that adds text to a number loads, and fails
        # only on a case that reaches that expression. A flow error, in one line, never a traceback.
        _fail(f"flow error: {flow.path}: an expression cannot be evaluated for this case ({err})")
    if outcome.unused:
        print(f"{path}: note: not on this case's path, not used: {', '.join(outcome.unused)}", file=sys.stderr)
    return flow, outcome


# --- subcommands -----------------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    """`spine-interview run`: replay an answers file and print the result."""
    if getattr(args, "save", False):
        from interview.store.commands import check_label_arg

        check_label_arg(getattr(args, "label", None))  # refused before anything is run or written
    flow, outcome = replay_file(args.answers, args.flow)
    if args.format == "markdown":
        from interview.export.markdown import render_markdown

        text = render_markdown(outcome.result, flow)
    else:
        import json

        text = json.dumps(outcome.result.to_json_dict(), indent=2, ensure_ascii=False) + "\n"
    if getattr(args, "save", False):
        from interview.store.commands import save_replayed

        save_replayed(args, flow, outcome, text)  # saves (one transaction), then prints
    else:
        from interview.store.commands import print_result

        print_result(text, "the result could not be printed")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    """`spine-interview check`: lint flows; exit 0 only when clean."""
    from interview.flow.lint import lint_main

    return lint_main(args.flows, contract=args.contract)


def cmd_schema(args: argparse.Namespace) -> int:
    """`spine-interview schema`: the JSON Schema of flow files."""
    import json

    from interview.flow.schema import json_schema

    json.dump(json_schema(), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return EXIT_OK


def cmd_graph(args: argparse.Namespace) -> int:
    """`spine-interview graph`: the flow as a Mermaid state diagram."""
    from interview.flow.graph import mermaid

    flow = load_flow_or_fail(args.flow)
    sys.stdout.write(mermaid(flow))
    return EXIT_OK


def cmd_tui(args: argparse.Namespace) -> int:
    """No subcommand: open the interview in the terminal."""
    from interview.tui import heap

    heap.hold()  # released once the first question is on screen (InterviewApp.first_frame)
    try:
        from interview.tui.app import run_app

        return run_app(args)
    finally:
        heap.release()


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
    parser.add_argument("--db", metavar="PATH", help=f"case database (default: ${DB_ENV} or the user data directory)")
    parser.add_argument("--flow", metavar="FLOW", help="flow id or path (default: spinal_metastases)")
    parser.add_argument("--teaching", action="store_true", help="show 'why we ask' inline for every question")
    parser.set_defaults(func=cmd_tui)
    if not commands:
        return parser
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    run = sub.add_parser("run", help="replay an answers file headless and print the result",
                         description="Replay an answers file with the interview's own logic (CONTRACT.md §1–2). "
                                     "Exit 0 on a recommendation, 2 on a bad file or value, 3 on a missing answer.")
    run.add_argument("--answers", metavar="FILE", required=True, help="YAML or JSON mapping of field id to value")
    run.add_argument("--flow", metavar="FLOW", help="flow id or path (default: spinal_metastases)")
    run.add_argument("--format", choices=("json", "markdown"), default="json", help="output format (default json)")
    run.add_argument("--save", action="store_true", help="also store the replayed case in the case database")
    run.add_argument("--label", metavar="TEXT", help="with --save: the case's label (default: a pseudonym)")
    run.add_argument("--db", metavar="PATH", help=f"case database for --save (default: ${DB_ENV} or the user data directory)")
    run.set_defaults(func=cmd_run)

    check = sub.add_parser("check", help="lint flow files; exit 0 only when clean",
                           description="Check flows: schema, names, reachability, dead ends, references and the "
                                       "case contract's fields.")
    check.add_argument("flows", nargs="*", metavar="FLOW", help="flow ids or paths (default: every flow in flows/)")
    check.add_argument("--contract", metavar="FILE", help="case_fields.yaml to check against (default: the copy the package carries)")
    check.set_defaults(func=cmd_check)

    schema = sub.add_parser("schema", help="print the JSON Schema of flow files",
                            description="Print the JSON Schema of flow files, for editors.")
    schema.set_defaults(func=cmd_schema)

    graph = sub.add_parser("graph", help="print a flow as a Mermaid state diagram",
                           description="Print a flow as a Mermaid state diagram (paste into any Markdown viewer).")
    graph.add_argument("flow", nargs="?", metavar="FLOW", help="flow id or path (default: spinal_metastases)")
    graph.set_defaults(func=cmd_graph)

    for module in ("interview.store.commands", "interview.teach.commands"):
        _register(module, sub)
    return parser


def _register(module_name: str, sub: Any) -> None:
    """Let a room add its own subcommands (cases, teach, serve) without importing anything heavy."""
    import importlib

    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as err:
        if err.name == module_name:
            return
        raise
    module.register(sub)


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
        return 130
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


def quiet_stdout() -> None:
    """After a failed write to stdout: point it at /dev/null, so the exit flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
