"""`spine-interview cases list|show|delete|export|copy`, `db migrate` and `run --save`: the case store on the command line.

Import-light on purpose (argparse only): the CLI imports this module to build its parser, so
SQLite, the engine and ``fhir.resources`` are imported inside the handlers that need them.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from typing import Any

from interview.cli.common import CliError, add_command, add_db, add_output, clean, print_result
from interview.errors import EXIT_BAD_INPUT, EXIT_OK
from interview.errors import EXIT_FAILED as EXIT_STORE


def _cli_error(message: str, code: int = EXIT_BAD_INPUT) -> CliError:
    return CliError(message, code)


def _open(args: argparse.Namespace, *, read_only: bool = False) -> Any:
    """The case store (a file or a server, by ``--db``); ``read_only`` (list, show, export) never creates or
    changes a database."""
    from interview.store import open_store

    return open_store(getattr(args, "db", None), read_only=read_only, user=getattr(args, "user", None))


def _load(name: str) -> Any:
    """A flow by id or path, or the FlowError saying why it cannot be loaded."""
    from interview.flow.load import FlowError, load_flow

    try:
        return load_flow(name)
    except FlowError as err:
        return err


def _flow_for(record: Any, args: argparse.Namespace, *, required: bool) -> Any:
    """The current flow of a stored case (its flow id as installed now, or --flow)."""
    name = getattr(args, "flow", None) or record.flow_id
    flow = _load(name)
    if isinstance(flow, Exception):
        if required:
            raise _cli_error(f"case {record.id} needs its flow {name!r}: {flow}") from None
        print(f"spine-interview: note: case {record.id}: its flow {name!r} cannot be loaded, so it is shown as "
              f"stored under flow {record.flow_version}, not re-evaluated: {flow}", file=sys.stderr)
        return None
    return flow


def _reevaluated(record: Any, flow: Any, *, note: bool) -> Any:
    """The case re-evaluated under the current flow (``None`` when decided under it); ``note`` says so on stderr."""
    from interview.engine.reevaluate import ReevaluationError, reevaluate

    if flow is None:
        return None
    try:
        reevaluation = reevaluate(flow, record)
    except ReevaluationError as err:
        raise _cli_error(f"case {record.id}: {err.message}", EXIT_STORE) from None
    if note:
        _note(record, reevaluation)
    return reevaluation


def _note(record: Any, reevaluation: Any) -> None:
    """Say on stderr that a case was re-evaluated (an export's file says it too, but is not read at once)."""
    if reevaluation is not None:
        print(f"spine-interview: note: case {record.id}: {reevaluation.statement()}", file=sys.stderr)


def _write_out(text: str, output: str | None, *, force: bool = False) -> None:
    """To stdout, or to a new owner-only (0600) file written whole (see :mod:`interview.files.writing`):
    an existing file only with ``force``, never a database, a link or a device."""
    if not output:
        sys.stdout.write(text)
        return
    from interview.files.writing import write_private

    write_private(output, text, force=force)
    print(f"spine-interview: wrote {for_terminal(output)}", file=sys.stderr)


def for_terminal(text: Any) -> str:
    """User text (a label, a free-text answer) made safe for the terminal (:mod:`interview.text`)."""
    from interview.text import for_terminal as clean

    return clean(text)


def _json(data: Any) -> str:
    import json
    import re

    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    # JSON escapes C0 controls itself; C1 controls, bidi controls and non-characters are escaped
    # too, so a label cannot drive the terminal the JSON is printed on (the data is unchanged).
    return re.sub("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef\ufffe\uffff]",
                  lambda m: f"\\u{ord(m.group()):04x}", text)


# --- handlers ------------------------------------------------------------------------------------------


@clean
def cmd_list(args: argparse.Namespace) -> int:
    """`cases list`: every stored case, most recent first; a case decided under another flow is
    listed as it is under the current one, marked."""
    from interview.engine.values import open_answers
    from interview.store.records import NoDatabase, StoreError

    since = parse_since(args.since) if getattr(args, "since", None) else None
    try:
        store = _open(args, read_only=True)
    except NoDatabase as err:
        # Nothing is created by a list: a mistyped --db is said, not made.
        if args.format == "json":
            sys.stdout.write("[]\n")
        else:
            print(f"no cases ({err.message})")
        return EXIT_OK
    pending = bool(getattr(args, "pending", False))
    with store:
        # --pending: still in progress, or finished on answers not known yet (a provisional result,
        # CONTRACT §7) — those are read from each case's answers, so the store lists them all here.
        cases = store.list_cases(user=getattr(args, "by_user", None), since=since)
        rows = []
        for c in cases:
            try:
                record = store.get_case(c.id)
                if pending and c.status == "complete" and not open_answers(record.answers):
                    continue
                rows.append(_listed(record, args))
            except StoreError as err:
                # One damaged case is named in its row; the others are still listed.
                rows.append((c.to_json_dict() | {"headline": None, "headline_title": None, "error": err.message},
                             (c.status.replace("_", " "), "?", f"damaged: {err.message}")))
    if args.format == "json":
        sys.stdout.write(_json([row for row, _ in rows]))
        return EXIT_OK
    if not rows:
        print(f"no cases in {store.location}" if not (args.by_user or since or args.pending)
              else f"no cases in {store.location} match")
        return EXIT_OK
    table = [("ID", "LABEL", "STATUS", "UPDATED", "FLOW", "HEADLINE")]
    table += [(c["id"], for_terminal(c["label"]), status, c["updated"][:16].replace("T", " "), flow_cell,
               for_terminal(headline)) for c, (status, flow_cell, headline) in rows]
    widths = [max(len(r[i]) for r in table) for i in range(5)]
    for r in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(r[:5], widths, strict=True)) + "  " + r[5])
    return EXIT_OK


def _listed(record: Any, args: argparse.Namespace) -> tuple[dict[str, Any], tuple[str, str, str]]:
    """One case of the list: its JSON object and its text cells (status, flow, headline).

    A case decided under another flow shows its status and headline under the current flow, with
    the stored ones only beside them (the marker); one that cannot be re-evaluated says why.
    """
    from interview.engine.reevaluate import ReevaluationError, last_logged, logged_note, reevaluate
    from interview.engine.values import open_answers

    s = record.summary
    data = s.to_json_dict() | {"flow": {"id": record.flow_id, "version": record.flow_version,
                                        "sha256": record.flow_sha256}}
    status, headline = s.status.replace("_", " "), s.headline_title or s.headline or "—"
    still_open = open_answers(record.answers)
    if still_open:
        # Finished on answers not known yet: the result is provisional, never shown as complete.
        data["open_answers"] = still_open
        status = f"pending ({len(still_open)} not known)"
    flow = _current_flow(getattr(args, "flow", None) or record.flow_id)
    try:
        if isinstance(flow, Exception):
            raise ReevaluationError(f"its flow cannot be loaded: {flow}")
        reevaluation = reevaluate(flow, record)
    except ReevaluationError as err:
        if record.status == "complete":
            # Unknown under the current flow: the stored headline would stand alone.
            data |= {"headline": None, "headline_title": None}
        data["reevaluation"] = {"error": err.message}
        return data, (status, record.flow_version, f"cannot re-evaluate: {err.message}")
    if reevaluation is None:
        logged = last_logged(record.events)
        if logged is not None and record.status != "complete":
            # Opened since its re-evaluation and not finished yet: still say what it was.
            headline = f"— ({logged_note(logged)})"
        return data, (status, record.flow_version, headline)
    rec = reevaluation.result.recommendation if reevaluation.result is not None else None
    data |= {"status": reevaluation.status, "headline": rec.headline if rec else None,
             "headline_title": rec.headline_title if rec else None,
             "reevaluation": reevaluation.to_json_dict(with_result=False) | {"marker": reevaluation.marker()}}
    if not reevaluation.complete and record.status == "complete":
        status = "needs answers"
    return data, (status, f"{reevaluation.stored.version} → {reevaluation.current.version}", reevaluation.marker())


@functools.cache
def _current_flow(name: str) -> Any:
    """A list loads each case's flow once (cached per process: one command)."""
    return _load(name)


@clean
def cmd_show(args: argparse.Namespace) -> int:
    """`cases show ID`: one case, with its answers and its event log."""
    from interview.export.json_export import case_json

    with _open(args, read_only=True) as store:
        record = store.get_case(store.resolve(args.id))
    flow = _flow_for(record, args, required=False)
    reevaluation = _reevaluated(record, flow, note=args.format == "json")
    data = case_json(record, flow, include_identifiers=args.include_identifiers, reevaluation=reevaluation)
    if args.format == "json":
        sys.stdout.write(_json(data))
        return EXIT_OK
    sys.stdout.write(_show_text(record, flow, data, args.include_identifiers, reevaluation))
    return EXIT_OK


def _show_text(record: Any, flow: Any, data: dict[str, Any], include_identifiers: bool,
               reevaluation: Any = None) -> str:
    from interview.engine.reevaluate import EVENT_KIND, last_logged, logged_note
    from interview.engine.values import display

    s = record.summary
    lines = [
        f"Case {s.id} — {for_terminal(s.label)}",
        f"  status:  {data['status'].replace('_', ' ')}",
        f"  created: {s.created}",
        f"  updated: {s.updated}",
        f"  flow:    {record.flow_id} {record.flow_version} (sha {record.flow_sha256[:12]})",
    ]
    if reevaluation is not None:
        now = reevaluation.current
        lines[1] += f" under the current flow (stored: {s.status.replace('_', ' ')})"
        lines[4] += f"; re-evaluated under {now.id} {now.version} (sha {now.sha256[:12]})"
        lines.append(f"  re-evaluation: {reevaluation.statement()}")
        if reevaluation.result is not None:
            rec = reevaluation.result.recommendation
            lines.append(f"  headline: {rec.headline_title} ({rec.headline})")
        elif data.get("next_question"):
            lines.append(f"  next question: {data['next_question']}")
    else:
        logged = last_logged(record.events)
        if logged is not None:
            lines.append(f"  re-evaluated {str(logged.time)[:10]}: {logged.new.get('statement') or logged_note(logged)}")
        if s.headline:
            lines.append(f"  headline: {s.headline_title or s.headline} ({s.headline})")
        elif data.get("next_question"):
            lines.append(f"  next question: {data['next_question']}")
    if include_identifiers and record.identifiers:
        lines.append("  identifiers: " + ", ".join(f"{for_terminal(k)}={for_terminal(v)}"
                                                   for k, v in record.identifiers.items()))
    lines += ["", "Answers:"]
    for qid, value in record.answers.items():
        q = flow.by_id[qid].model if flow is not None and qid in flow.by_id else None
        shown = display(q, value) if q is not None else repr(value)
        lines.append(f"  {for_terminal(qid)}: {for_terminal(shown)}")
    for qid in record.skipped:
        lines.append(f"  {qid}: skipped")
    lines += ["", f"Event log ({len(record.events)}):"]
    for e in record.events:
        change = {"answer": f"= {e.new!r}", "edit": f"{e.old!r} -> {e.new!r}", "skip": "skipped",
                  "back": f"back (was {e.old!r})", "drop": f"dropped (was {e.old!r})",
                  "handover": f"= {e.new!r}"}.get(e.kind, e.kind)
        if e.kind == "clock" and isinstance(e.new, dict):  # a clock mark: when it was done, and the dose
            change = "at " + ", ".join(str(v) for v in e.new.values())
        if e.kind == EVENT_KIND and isinstance(e.new, dict):
            change = f"{logged_note(e)} -> {str(e.new.get('status', '?')).replace('_', ' ')}"
        by = f"  by {e.who}" if e.who else ""  # several clinicians may write to one case (a shared server)
        lines.append(for_terminal(f"  {e.seq:>4}  {e.time}  {e.kind:<6} {e.question}  {change}{by}"))
    return "\n".join(lines) + "\n"


@clean
def cmd_delete(args: argparse.Namespace) -> int:
    """`cases delete ID`: delete a case and its log without asking (scriptable)."""
    with _open(args) as store:
        case_id = store.resolve(args.id)
        record = store.get_case(case_id)
        store.delete_case(case_id)
    print(f"deleted case {case_id} ({for_terminal(record.label)}, {record.status.replace('_', ' ')}, "
          f"{len(record.events)} events)")
    return EXIT_OK


@clean
def cmd_export(args: argparse.Namespace) -> int:
    """`cases export ID`: Markdown, JSON or a FHIR Bundle, to stdout or a private file.

    A case decided under another flow is exported as it is under the current flow, saying so.
    """
    with _open(args, read_only=True) as store:
        record = store.get_case(store.resolve(args.id))
    if args.format == "json":
        from interview.export.json_export import case_json

        flow = _flow_for(record, args, required=False)
        reevaluation = _reevaluated(record, flow, note=True)
        text = _json(case_json(record, flow, include_identifiers=args.include_identifiers,
                               reevaluation=reevaluation))
    elif args.format in ("markdown", "summary", "handover"):
        from interview.cli.clinic import export_text
        from interview.result import read_result

        flow = _flow_for(record, args, required=record.result is not None)
        reevaluation = _reevaluated(record, flow, note=False)
        kind = {"markdown": "A Markdown report", "summary": "A summary", "handover": "A handover"}[args.format]
        if reevaluation is not None and reevaluation.result is None:
            raise _cli_error(f"case {record.id}: {reevaluation.statement()} {kind} needs its "
                             f"recommendation: open the case to answer them (spine-interview --resume {record.id}), "
                             "or export --format json or fhir")
        if record.result is None and reevaluation is None:
            raise _cli_error(f"case {record.id} is not complete: {kind[0].lower()}{kind[1:]} needs its recommendation "
                             "(export --format json or fhir, or finish the case)")
        _note(record, reevaluation)
        if reevaluation is not None:
            text = export_text(record, flow, reevaluation.result, args.format, args.now, note=reevaluation.statement())
        else:  # as `run --format markdown|summary|handover`, with the case's clock and handover from its log
            text = export_text(record, flow, read_result(record.result), args.format, args.now)
        if args.include_identifiers and record.identifiers and args.format == "markdown":
            from interview.text import for_markdown

            text += "\nIdentifiers: " + ", ".join(f"{for_markdown(k)}: {for_markdown(v)}"
                                                  for k, v in record.identifiers.items()) + "\n"
    else:
        from interview.export.fhir import FhirExportError, export_fhir

        flow = _flow_for(record, args, required=True)
        reevaluation = _reevaluated(record, flow, note=True)
        try:
            text = export_fhir(record, flow, args.fhir_version, bundle_type=args.fhir_type,
                               include_identifiers=args.include_identifiers, reevaluation=reevaluation)
        except FhirExportError as err:
            raise _cli_error(err.message, EXIT_STORE) from None
    _write_out(text, args.output, force=args.force)
    return EXIT_OK


FHIR_TYPES = ("collection", "document", "transaction")
FHIR_TYPE_HELP = ("with --format fhir: the Bundle type — collection (default), document (a Composition first) "
                  "or transaction (conditional creates keyed on the case id, for a FHIR server)")


def check_label_arg(label: str | None) -> str | None:
    """A --label as stored, or exit 2 saying why it cannot be (before anything is run or written)."""
    if label is None:
        return None
    from interview.text import LabelError, check_label

    try:
        return check_label(label)
    except LabelError as err:
        raise _cli_error(f"--label: {err}") from None


def save_replayed(args: argparse.Namespace, flow: Any, outcome: Any, text: str,
                  after_save: Callable[[Any, str], None] | None = None) -> str:
    """`run --answers FILE --save`: store the replayed case (one transaction), then print ``text``.

    Saved first, so a closed pipe (``| head``) cannot lose the case; either failure — the save or
    the output — is an error with a non-zero exit, saying what was and was not done.
    """
    from interview.store import open_store
    from interview.store.records import StoreError
    from interview.store.sqlite import save_result_case

    label = check_label_arg(getattr(args, "label", None))
    try:
        with open_store(getattr(args, "db", None), user=getattr(args, "user", None)) as store:
            case_id = save_result_case(store, flow, outcome.result, label=label)
            if after_save is not None:  # e.g. the file's clock entries (issue 13), before anything is printed
                after_save(store, case_id)
    except StoreError as err:
        print_result(text, f"the result was not saved ({err.message}), and it could not be printed")
        raise _cli_error(f"the result was printed but not saved: {err.message}", EXIT_STORE) from None
    print_result(text, f"saved as case {case_id}, but the result could not be printed")
    print(f"spine-interview: saved as case {case_id}", file=sys.stderr)
    return case_id


def parse_since(text: str) -> str:
    """``--since``: an ISO date or time (local time unless it names a zone), or ``12h``/``7d`` ago; as UTC text."""
    import re
    from datetime import UTC, datetime, timedelta

    text = text.strip()
    ago = re.fullmatch(r"(\d{1,4})\s*([hd])", text)
    if ago:
        hours = int(ago[1]) * (24 if ago[2] == "d" else 1)
        return (datetime.now(UTC) - timedelta(hours=hours)).isoformat(timespec="microseconds")
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise _cli_error(f"--since {text[:40]!r}: expected a date or time (2026-11-29, 2026-11-29T08:00, "
                         "2026-11-29T08:00+01:00) or a span ago (12h, 7d)") from None
    if when.tzinfo is None:
        when = when.astimezone()  # the clinician's local time
    return when.astimezone(UTC).isoformat(timespec="microseconds")


@clean
def cmd_copy(args: argparse.Namespace) -> int:
    """`cases copy --from A --to B [IDS…]`: cases with their whole logs; running it again copies nothing twice."""
    from interview.store import open_store
    from interview.store.copy import copy_cases

    if not args.source or not args.target:
        raise _cli_error("cases copy needs --from FILE_OR_URL and --to FILE_OR_URL")
    with open_store(args.source, read_only=True) as source, open_store(args.target) as target:
        if source.location == target.location:
            raise _cli_error(f"--from and --to are the same store ({source.location})")
        report = copy_cases(source, target, args.ids)
    print(f"{source.location} → {target.location}: {report.summary()}")
    return EXIT_OK if "diverged" not in report.counts() else EXIT_STORE


@clean
def cmd_migrate(args: argparse.Namespace) -> int:
    """`db migrate`: create or update the case tables (and, with --learning-db URL, the learning log's)."""
    from interview.store import chosen_db, is_server_url

    did = False
    db = chosen_db(getattr(args, "db", None))
    if is_server_url(db) or not args.learning_db:
        did = True
        if is_server_url(db):
            from interview.store.postgres import migrate, safe_location

            before, after = migrate(str(db))
            where = safe_location(str(db))
        else:
            from interview.store.sqlite import SCHEMA_VERSION, CaseStore, file_schema_version

            before = file_schema_version(db)
            with CaseStore(db) as store:  # opening creates a new file and migrates an older one
                after, where = SCHEMA_VERSION, store.location
        print(_migrated(where, "case tables", before, after))
    if args.learning_db:
        from interview.teach.log import is_server

        if not is_server(args.learning_db):
            raise _cli_error(f"--learning-db {args.learning_db[:80]}: db migrate sets up a learning log on a "
                             "server (postgresql://…); a directory needs nothing")
        from interview.store.postgres import safe_location
        from interview.teach.log_postgres import migrate_learning

        before, after = migrate_learning(args.learning_db)
        print(_migrated(safe_location(args.learning_db), "learning log", before, after))
        did = True
    return EXIT_OK if did else EXIT_BAD_INPUT


def _migrated(where: str, what: str, before: int, after: int) -> str:
    if before == after:
        return f"{where}: the {what} are at schema {after} already; nothing to do"
    if before == 0:
        return f"{where}: {what} created (schema {after})"
    return f"{where}: {what} migrated from schema {before} to {after}"


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

    lst = add_command(commands, "list", cmd_list, help="list stored cases, most recent first",
                      description="List stored cases: id, label, status, last change, flow and headline. A case "
                                  "decided under another version of its flow is re-evaluated under the "
                                  "current one and marked (FLOW old → new; 'needs answers' when the "
                                  "current flow needs answers it does not hold).")
    lst.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")
    lst.add_argument("--flow", metavar="FLOW", help="flow to list the cases under (default: each case's own, as "
                                                     "installed now)")
    lst.add_argument("--user", dest="by_user", metavar="NAME", help="only cases NAME wrote to (an answer, a mark…)")
    lst.add_argument("--since", metavar="WHEN", help="only cases changed since WHEN: a date or time "
                                                      "(2026-11-29, 2026-11-29T08:00; local time) or 12h, 7d ago")
    lst.add_argument("--pending", action="store_true", help="only cases still in progress or resting on answers "
                     "not known yet (a provisional result)")
    add_db(lst)

    show = add_command(commands, "show", cmd_show, case_id=True, help="show one case with its answers and event log",
                       description="Show one case. --format json gives the contract's result object "
                                   "(what is known so far for an unfinished case) with id, answers and "
                                   "the event log.")
    show.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")
    show.add_argument("--include-identifiers", action="store_true", help="also show patient identifiers")
    show.add_argument("--flow", metavar="FLOW", help="flow to read the case with (default: the case's own, as "
                                                      "installed now; a case decided under another version is "
                                                      "re-evaluated under it)")
    add_db(show)

    delete = add_command(commands, "delete", cmd_delete, case_id=True,
                         help="delete a case (asks nothing; says what it deleted)",
                         description="Delete a case and its event log. Asks nothing, so scripts can use it; "
                                     "prints what it deleted. An unknown id exits 2.")
    add_db(delete)

    export = add_command(
        commands, "export", cmd_export, case_id=True, help="export a case as Markdown, JSON or a FHIR Bundle",
        description="Export a case: Markdown (the report of `run --format markdown`), JSON (the contract's "
                    "object plus the event log) or FHIR (a Bundle of the flow's Questionnaire and the case's "
                    "QuestionnaireResponse, an Observation per score, the recommendation as a ClinicalImpression and the "
                    "flow's CodeSystem, validated). Patient identifiers only with --include-identifiers. "
                    "A file given with --output is created owner-only (0600), written whole (atomically), "
                    "never over an existing file without --force.")
    export.add_argument("--now", metavar="TIME", help="the time clock items are shown against (ISO; default: now)")
    export.add_argument("--format", choices=("markdown", "json", "fhir", "summary", "handover"), default="markdown",
                        help="export format (default markdown)")
    export.add_argument("--fhir-version", choices=("R4B", "R5"), default="R4B", help="FHIR release (default R4B)")
    export.add_argument("--fhir-type", choices=FHIR_TYPES, default="collection", help=FHIR_TYPE_HELP)
    add_output(export, "the export")
    export.add_argument("--include-identifiers", action="store_true", help="include patient identifiers")
    export.add_argument("--flow", metavar="FLOW", help="flow to export the case with (default: the case's own, "
                                                        "as installed now; a case decided under another version "
                                                        "is re-evaluated under it)")
    add_db(export)

    from interview.cli.clinic import register_case_commands

    register_case_commands(commands)  # `cases mark`, `cases handover` and `cases audit` (issue 13)

    copy = add_command(
        commands, "copy", cmd_copy,
        help="copy cases with their whole event logs between two stores (file ↔ server)",
        description="Copy cases, with every event of their logs (ids, times and writers kept), from one store to "
                    "another: an SQLite file or a postgresql:// URL each. Idempotent: a case already there with "
                    "the same log is left alone, one whose log is the start of the source's gets the rest, one "
                    "whose log went its own way is named and not touched (exit 1).")
    copy.add_argument("ids", nargs="*", metavar="ID", help="cases to copy (ids or unique labels; default: all)")
    copy.add_argument("--from", dest="source", metavar="PATH_OR_URL", help="the store to copy from (read only)")
    copy.add_argument("--to", dest="target", metavar="PATH_OR_URL", help="the store to copy to")

    db = sub.add_parser("db", help="set up or update the case tables (db migrate)",
                        description="The case store's schema.")
    db.set_defaults(func=_cases_help(db))
    db_commands = db.add_subparsers(title="db commands", metavar="COMMAND")
    migrate = add_command(
        db_commands, "migrate", cmd_migrate,
        help="create or update the case tables (a server's: run once, as the schema's owner)",
        description="Create the case tables, or bring an older schema up to this version (the app refuses a "
                    "server's older schema until this is run, and any newer one). With --learning-db URL, also "
                    "the lecture room's learning log (its own schema). See README, A clinic server.")
    add_db(migrate)
    migrate.add_argument("--learning-db", metavar="URL", help="also set up the learning log on this server")
