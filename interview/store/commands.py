"""`spine-interview cases list|show|delete|export` and `run --save`: the case store on the command line.

Import-light on purpose (argparse only): the CLI imports this module to build its parser, so
SQLite, the engine and ``fhir.resources`` are imported inside the handlers that need them.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Callable
from typing import Any

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_STORE = 1
DB_HELP = "case database (default: $SPINE_INTERVIEW_DB or the user data directory)"


def _cli_error(message: str, code: int = EXIT_BAD_INPUT) -> Exception:
    from interview.cli import CliError

    return CliError(message, code)


def _clean(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn every failure of a `cases` command into one line on stderr — never a traceback."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        from interview.cli import CliError
        from interview.store.sqlite import StoreError, UnknownCase

        try:
            return handler(args)
        except CliError:
            raise
        except UnknownCase as err:
            raise _cli_error(err.message, EXIT_BAD_INPUT) from None
        except StoreError as err:
            raise _cli_error(err.message, EXIT_STORE) from None
        except (KeyboardInterrupt, BrokenPipeError):
            raise
        except Exception as err:  # noqa: BLE001 - the promise is: no traceback, ever
            raise _cli_error(f"unexpected {type(err).__name__}: {err}", EXIT_STORE) from None

    return run


def _open(args: argparse.Namespace) -> Any:
    from interview.store.sqlite import CaseStore

    return CaseStore(getattr(args, "db", None))


def _flow_for(record: Any, args: argparse.Namespace, *, required: bool) -> Any:
    """The flow a stored case was made with (or --flow), with a note when it has changed since."""
    from interview.flow.load import FlowError, load_flow

    name = getattr(args, "flow", None) or record.flow_id
    try:
        flow = load_flow(name)
    except FlowError as err:
        if required:
            raise _cli_error(f"case {record.id} needs its flow {name!r}: {err}") from None
        return None
    if flow.sha256 != record.flow_sha256:
        print(f"spine-interview: note: case {record.id} was made with flow {record.flow_id} {record.flow_version} "
              f"(sha {record.flow_sha256[:12]}), now {flow.id} {flow.version} (sha {flow.sha256[:12]}); check it",
              file=sys.stderr)
    return flow


def _write_out(text: str, output: str | None) -> None:
    """To stdout, or to a new owner-only (0600) file."""
    if not output:
        sys.stdout.write(text)
        return
    try:
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # an existing file keeps its mode on O_CREAT: make it private too
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as err:
        raise _cli_error(f"{output}: cannot write ({err.strerror})", EXIT_STORE) from None
    print(f"spine-interview: wrote {output}", file=sys.stderr)


def _json(data: Any) -> str:
    import json

    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# --- handlers ------------------------------------------------------------------------------------------


@_clean
def cmd_list(args: argparse.Namespace) -> int:
    """`cases list`: every stored case, most recent first."""
    with _open(args) as store:
        cases = store.list_cases()
    if args.format == "json":
        sys.stdout.write(_json([c.to_json_dict() for c in cases]))
        return EXIT_OK
    if not cases:
        print(f"no cases in {store.path}")
        return EXIT_OK
    rows = [("ID", "LABEL", "STATUS", "UPDATED", "HEADLINE")]
    rows += [(c.id, c.label, c.status.replace("_", " "), c.updated[:16].replace("T", " "),
              c.headline_title or c.headline or "—") for c in cases]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(r[:4], widths, strict=True)) + "  " + r[4])
    return EXIT_OK


@_clean
def cmd_show(args: argparse.Namespace) -> int:
    """`cases show ID`: one case, with its answers and its event log."""
    from interview.export.json_export import case_json

    with _open(args) as store:
        record = store.get_case(store.resolve(args.id))
    flow = _flow_for(record, args, required=False)
    data = case_json(record, flow, include_identifiers=args.include_identifiers)
    if args.format == "json":
        sys.stdout.write(_json(data))
        return EXIT_OK
    sys.stdout.write(_show_text(record, flow, data, args.include_identifiers))
    return EXIT_OK


def _show_text(record: Any, flow: Any, data: dict[str, Any], include_identifiers: bool) -> str:
    from interview.engine.values import display

    s = record.summary
    lines = [
        f"Case {s.id} — {s.label}",
        f"  status:  {s.status.replace('_', ' ')}",
        f"  created: {s.created}",
        f"  updated: {s.updated}",
        f"  flow:    {record.flow_id} {record.flow_version} (sha {record.flow_sha256[:12]})",
    ]
    if s.headline:
        lines.append(f"  headline: {s.headline_title or s.headline} ({s.headline})")
    elif data.get("next_question"):
        lines.append(f"  next question: {data['next_question']}")
    if include_identifiers and record.identifiers:
        lines.append("  identifiers: " + ", ".join(f"{k}={v}" for k, v in record.identifiers.items()))
    lines += ["", "Answers:"]
    for qid, value in record.answers.items():
        q = flow.by_id[qid].model if flow is not None and qid in flow.by_id else None
        shown = display(q, value) if q is not None else repr(value)
        lines.append(f"  {qid}: {shown}")
    for qid in record.skipped:
        lines.append(f"  {qid}: skipped")
    lines += ["", f"Event log ({len(record.events)}):"]
    for e in record.events:
        change = {"answer": f"= {e.new!r}", "edit": f"{e.old!r} -> {e.new!r}", "skip": "skipped",
                  "back": f"back (was {e.old!r})", "drop": f"dropped (was {e.old!r})"}.get(e.kind, e.kind)
        lines.append(f"  {e.seq:>4}  {e.time}  {e.kind:<6} {e.question}  {change}")
    return "\n".join(lines) + "\n"


@_clean
def cmd_delete(args: argparse.Namespace) -> int:
    """`cases delete ID`: delete a case and its log without asking (scriptable)."""
    with _open(args) as store:
        case_id = store.resolve(args.id)
        record = store.get_case(case_id)
        store.delete_case(case_id)
    print(f"deleted case {case_id} ({record.label}, {record.status.replace('_', ' ')}, "
          f"{len(record.events)} events)")
    return EXIT_OK


@_clean
def cmd_export(args: argparse.Namespace) -> int:
    """`cases export ID`: Markdown, JSON or a FHIR Bundle, to stdout or a private file."""
    with _open(args) as store:
        record = store.get_case(store.resolve(args.id))
    if args.format == "json":
        from interview.export.json_export import case_json

        flow = _flow_for(record, args, required=False)
        text = _json(case_json(record, flow, include_identifiers=args.include_identifiers))
    elif args.format == "markdown":
        if record.result is None:
            raise _cli_error(f"case {record.id} is not complete: a Markdown report needs its recommendation "
                             "(export --format json or fhir, or finish the case)")
        from interview.export.markdown import render_markdown
        from interview.result import read_result

        flow = _flow_for(record, args, required=True)
        text = render_markdown(read_result(record.result), flow)  # as `run --format markdown`
        if args.include_identifiers and record.identifiers:
            text += "\nIdentifiers: " + ", ".join(f"{k}: {v}" for k, v in record.identifiers.items()) + "\n"
    else:
        from interview.export.fhir import FhirExportError, export_fhir

        flow = _flow_for(record, args, required=True)
        try:
            text = export_fhir(record, flow, args.fhir_version, include_identifiers=args.include_identifiers)
        except FhirExportError as err:
            raise _cli_error(err.message, EXIT_STORE) from None
    _write_out(text, args.output)
    return EXIT_OK


def save_replayed(args: argparse.Namespace, flow: Any, outcome: Any) -> str:
    """`run --answers FILE --save`: store the replayed case; its id goes to stderr."""
    from interview.store.sqlite import CaseStore, StoreError, save_result_case

    try:
        with CaseStore(getattr(args, "db", None)) as store:
            case_id = save_result_case(store, flow, outcome.result, label=getattr(args, "label", None))
    except StoreError as err:
        raise _cli_error(f"the result was printed but not saved: {err.message}", EXIT_STORE) from None
    print(f"spine-interview: saved as case {case_id}", file=sys.stderr)
    return case_id


# --- parser --------------------------------------------------------------------------------------------


def _cases_help(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    def run(_args: argparse.Namespace) -> int:
        parser.print_help()
        return EXIT_OK

    return run


def register(sub: Any) -> None:
    """Add `cases` and its subcommands to the CLI."""
    cases = sub.add_parser(
        "cases", help="list, show, delete and export stored cases",
        description="The case database: every answer, back and edit of every case, kept as an event log "
                    "(the audit trail). Default file: $SPINE_INTERVIEW_DB or the user data directory.")
    cases.set_defaults(func=_cases_help(cases))
    commands = cases.add_subparsers(title="case commands", metavar="COMMAND")

    lst = commands.add_parser("list", help="list stored cases, most recent first",
                              description="List stored cases: id, label, status, last change and headline.")
    lst.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")
    lst.add_argument("--db", metavar="PATH", help=DB_HELP)
    lst.set_defaults(func=cmd_list)

    show = commands.add_parser("show", help="show one case with its answers and event log",
                               description="Show one case. --format json gives the contract's result object "
                                           "(what is known so far for an unfinished case) with id, answers and "
                                           "the event log.")
    show.add_argument("id", metavar="ID", help="case id (or its unique label)")
    show.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")
    show.add_argument("--include-identifiers", action="store_true", help="also show patient identifiers")
    show.add_argument("--flow", metavar="FLOW", help="flow to read the case with (default: the case's own)")
    show.add_argument("--db", metavar="PATH", help=DB_HELP)
    show.set_defaults(func=cmd_show)

    delete = commands.add_parser("delete", help="delete a case (asks nothing; says what it deleted)",
                                 description="Delete a case and its event log. Asks nothing, so scripts can use it; "
                                             "prints what it deleted. An unknown id exits 2.")
    delete.add_argument("id", metavar="ID", help="case id (or its unique label)")
    delete.add_argument("--db", metavar="PATH", help=DB_HELP)
    delete.set_defaults(func=cmd_delete)

    export = commands.add_parser(
        "export", help="export a case as Markdown, JSON or a FHIR Bundle",
        description="Export a case: Markdown (the report of `run --format markdown`), JSON (the contract's "
                    "object plus the event log) or FHIR (a Bundle of the flow's Questionnaire and the case's "
                    "QuestionnaireResponse, validated). Patient identifiers only with --include-identifiers. "
                    "A file given with --output is created owner-only (0600).")
    export.add_argument("id", metavar="ID", help="case id (or its unique label)")
    export.add_argument("--format", choices=("markdown", "json", "fhir"), default="markdown",
                        help="export format (default markdown)")
    export.add_argument("--fhir-version", choices=("R4B", "R5"), default="R4B", help="FHIR release (default R4B)")
    export.add_argument("--output", "-o", metavar="FILE", help="write to FILE (0600) instead of stdout")
    export.add_argument("--include-identifiers", action="store_true", help="include patient identifiers")
    export.add_argument("--flow", metavar="FLOW", help="flow to export the case with (default: the case's own)")
    export.add_argument("--db", metavar="PATH", help=DB_HELP)
    export.set_defaults(func=cmd_export)
