"""The clinic's one page on the command line (issue 13): summary and handover formats, `cases mark`, `cases audit`.

`run --format summary|handover` and `cases export ID --format summary|handover` print the summary
alone (plain text, for an electronic record) or the SBAR handover with what it still lacks; every
clock item is shown against `--now TIME` (default: now; the output says "as of TIME").
`cases mark ID EVENT [--at TIME] [--dose TEXT]` records a clock event in the case's log;
`cases audit [--since DATE] [--format csv|markdown]` audits every stored case against NICE NG234 / QS56.

Import-light (argparse only): everything else is imported inside the handlers.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from interview.cli.common import CliError, add_command, add_db, add_output, clean
from interview.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK

#: Formats of `run` and `cases export` this module renders.
CLINIC_FORMATS = ("summary", "handover")
NOW_HELP = ("the time clock items are shown against (ISO, e.g. 2026-11-29T20:00; default: now); the output "
            "says 'as of' it")
#: The log's event kind for a handover answer (a flow-only question, never a case answer).
HANDOVER_KIND = "handover"


def now_arg(text: str | None) -> Any:
    """``--now`` as a time, or exit 2 saying what is allowed."""
    from interview.export.clock import ClockError, now_utc

    try:
        return now_utc(text)
    except ClockError as err:
        raise CliError(err.message, EXIT_BAD_INPUT) from None


def split_answers_file(flow: Any, answers: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """An answers file's case answers, and its extras (``handover`` answers, ``clock`` entries) apart."""
    from interview.export.handover import split_answers

    case, handover, clock = split_answers(flow, answers)
    return case, {"handover": handover, "clock": clock}


def report_text(flow: Any, result: Any, fmt: str, *, now: Any, marks: Mapping[str, Any],
                handover: Mapping[str, Any] | None = None, label: str | None = None, note: str | None = None) -> str:
    """The Markdown report, the summary or the handover of a result, as of ``now``."""
    if fmt == "markdown":
        from interview.export.markdown import render_markdown

        return render_markdown(result, flow, now=now, marks=marks, title=label, note=note)
    if fmt == "summary":
        from interview.export.summary import render_summary

        return render_summary(result, flow, now=now, marks=marks, label=label)
    from interview.export.handover import render_handover

    return render_handover(result, flow, now=now, marks=marks, answers=handover, label=label)


def run_text(flow: Any, result: Any, fmt: str, extras: Mapping[str, Any], now_text: str | None) -> str:
    """`run --format markdown|summary|handover`: the answers were given at ``--now``; the file's clock entries."""
    from interview.export.clock import moments
    from interview.export.handover import HandoverError, check_handover_answers, clock_marks

    now = now_arg(now_text)
    try:
        handover = check_handover_answers(flow, extras.get("handover") or {})
        marks = (moments([], flow, answers=result.answers, answered_at=now)
                 | clock_marks(flow, extras.get("clock") or {}, now=now))
    except HandoverError as err:
        raise CliError(err.message, EXIT_BAD_INPUT) from None
    return report_text(flow, result, fmt, now=now, marks=marks, handover=handover)


def save_extras(store: Any, case_id: str, flow: Any, extras: Mapping[str, Any], now: Any) -> None:
    """`run --save`: the file's clock entries and handover answers go into the new case's log (one write),
    before anything is printed. They were checked before the case was saved (:func:`run_text`)."""
    from interview.engine.session import Event
    from interview.export.clock import clock_event
    from interview.export.handover import check_handover_answers, clock_marks

    events = [clock_event(flow, name, m.at, dose=m.dose, note=m.note)
              for name, m in clock_marks(flow, extras.get("clock") or {}, now=now).items()]
    events += [Event(HANDOVER_KIND, q, None, v)
               for q, v in check_handover_answers(flow, extras.get("handover") or {}).items()]
    if not events:
        return
    from interview.store.records import StoreError

    try:
        store.append(case_id, events)
    except StoreError as err:  # the case itself is saved: say so, and what was not
        raise CliError(f"saved as case {case_id}, but not its clock entries and handover answers "
                       f"({err.message}); nothing was printed", EXIT_FAILED) from None


def stored_handover(events: list[Any]) -> dict[str, Any]:
    """A stored case's handover answers: the last one given to each question."""
    return {e.question: e.new for e in events if e.kind == HANDOVER_KIND}


def export_text(record: Any, flow: Any, result: Any, fmt: str, now_text: str | None, note: str | None = None) -> str:
    """`cases export ID --format markdown|summary|handover`: the stored clock and handover, as of ``--now``."""
    from interview.export.clock import moments

    return report_text(flow, result, fmt, now=now_arg(now_text), marks=moments(record.events, flow),
                       handover=stored_handover(record.events), label=record.label, note=note)


# --- cases mark -------------------------------------------------------------------------------------------


@clean
def cmd_mark(args: argparse.Namespace) -> int:
    """`cases mark ID EVENT [--at TIME]`: one clock event in the case's log; says what was recorded."""
    import sys

    from interview.cli.cases import _flow_for, _open
    from interview.export.clock import ClockError, check_event, event_words, mark, now_utc, parse_time
    from interview.present import time_words

    try:
        now = now_utc(args.now)
        at = parse_time(args.at, now=now)
    except ClockError as err:
        raise CliError(err.message, EXIT_BAD_INPUT) from None
    with _open(args) as store:
        case_id = store.resolve(args.id)
        record = store.get_case(case_id)
        flow = _flow_for(record, args, required=True)  # its clock names the events
        if flow.id != record.flow_id:  # a mark its own flow's reports would never read
            raise CliError(f"case {case_id} is a case of flow {record.flow_id!r}, not {flow.id!r} (--flow): "
                           "its clock events are its own flow's", EXIT_BAD_INPUT)
        try:
            event = check_event(flow, args.event)
            mark(store, case_id, flow, event, at, dose=args.dose, note=args.note)
        except ClockError as err:
            raise CliError(f"case {case_id}: {err.message}", EXIT_BAD_INPUT) from None
    dose = f" ({args.dose.strip()})" if args.dose else ""
    print(f"case {case_id}: {event_words(flow)[event]} at {time_words(at.isoformat())}{dose} — recorded in its log",
          file=sys.stderr)
    return EXIT_OK


# --- cases handover ---------------------------------------------------------------------------------------


@clean
def cmd_handover(args: argparse.Namespace) -> int:
    """`cases handover ID [--set QUESTION=VALUE]…`: record handover answers in the log, then print the handover."""
    from interview.cli.cases import _flow_for, _open, _write_out
    from interview.engine.session import Event
    from interview.export.handover import HandoverError, check_handover_answers, handover_questions
    from interview.result import read_result

    given: dict[str, Any] = {}
    for item in args.set or []:
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise CliError(f"--set {item!r}: expected QUESTION=VALUE (e.g. handover_consultant='Dr A Smith', "
                           "or handover_bladder_bowel=unavailable)", EXIT_BAD_INPUT)
        given[key.strip()] = value.strip()
    with _open(args, read_only=not given) as store:
        case_id = store.resolve(args.id)
        record = store.get_case(case_id)
        flow = _flow_for(record, args, required=True)
        if record.result is None:
            raise CliError(f"case {case_id} is not complete: the handover needs its recommendation", EXIT_BAD_INPUT)
        questions = handover_questions(flow)
        unknown = [k for k in given if k not in questions]
        if unknown:
            raise CliError(f"--set {unknown[0]!r}: not a handover question (allowed: {', '.join(questions)})",
                           EXIT_BAD_INPUT)
        try:
            checked = check_handover_answers(flow, given)
        except HandoverError as err:
            raise CliError(err.message, EXIT_BAD_INPUT) from None
        if checked:
            store.append(case_id, [Event(HANDOVER_KIND, q, None, v) for q, v in checked.items()])
            record = store.get_case(case_id)
    text = export_text(record, flow, read_result(record.result), "handover", args.now)
    _write_out(text, args.output, force=args.force)
    return EXIT_OK


# --- cases audit ------------------------------------------------------------------------------------------


def since_arg(text: str | None) -> Any:
    """``--since DATE`` (a date or a date and time; local time when no zone), or exit 2."""
    if text is None:
        return None
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise CliError(f"cannot read --since {text!r} (allowed: a date such as 2026-11-01, or a date and time)",
                       EXIT_BAD_INPUT) from None
    return moment if moment.tzinfo else moment.astimezone()


@clean
def cmd_audit(args: argparse.Namespace) -> int:
    """`cases audit`: one row per case, the intervals, the shares within each standard (CSV or Markdown)."""
    import sys

    from interview.cli.cases import _load, _open, _write_out
    from interview.export.audit import audit_csv, audit_markdown, audit_rows

    since = since_arg(args.since)
    now = now_arg(args.now)
    flows: dict[str, Any] = {}  # each case's own flow (never --flow), loaded once per flow id

    def flow_of(record: Any) -> Any:
        if record.flow_id not in flows:
            flow = _load(record.flow_id)
            if isinstance(flow, Exception):
                print(f"spine-interview: note: cases of flow {record.flow_id!r}: the flow cannot be loaded, so "
                      f"their symptom onset is missing from the audit (their clock marks count): {flow}",
                      file=sys.stderr)
                flow = None
            flows[record.flow_id] = flow
        return flows[record.flow_id]

    left_out: list[str] = []
    with _open(args, read_only=True) as store:
        rows = audit_rows(store, flow_of, since=since, left_out=left_out)
    if left_out:
        print(f"spine-interview: note: {len(left_out)} case(s) left out ({', '.join(left_out[:5])}"
              f"{', …' if len(left_out) > 5 else ''}): their flow records no MRI, decision or treatment "
              "clock events, which this audit (NICE MSCC) reads", file=sys.stderr)
    text = audit_csv(rows) if args.format == "csv" else audit_markdown(rows, since=since, now=now)
    _write_out(text, args.output, force=args.force)
    return EXIT_OK


def register_case_commands(commands: Any) -> None:
    """Add `cases mark`, `cases handover` and `cases audit` to the `cases` subparsers."""
    mark = add_command(
        commands, "mark", cmd_mark, case_id=True,
        help="record a clock event of a case (dexamethasone given, MRI done, …)",
        description="Record when an emergency action was done, as one event of the case's log (the one record of "
                    "it; a later mark of the same event corrects it). The reports show each clock item as done "
                    "(time) or due (time left).")
    mark.add_argument("event", metavar="EVENT", help="one of the clock events of the case's flow (e.g. mri_done); "
                                                     "any other is refused with the list")
    mark.add_argument("--at", metavar="TIME", help="when it was done: HH:MM today, or an ISO date and time "
                                                  "(default: now); never in the future")
    mark.add_argument("--dose", metavar="TEXT", help="the dose given (e.g. '16 mg orally')")
    mark.add_argument("--note", metavar="TEXT", help="a short note (e.g. where the MRI was done)")
    mark.add_argument("--flow", metavar="FLOW", help="flow whose clock names the events (default: the case's own)")
    _add_now_and_db(mark)

    handover = add_command(
        commands, "handover", cmd_handover, case_id=True,
        help="the MDT handover (SBAR) of a case; --set adds an item or marks it unavailable",
        description="Print the SBAR handover for the MSCC coordinator or the on-call spinal surgeon, with what the "
                    "case still lacks first. --set QUESTION=VALUE records a handover answer in the case's log "
                    "(VALUE 'unavailable' says it cannot be had); times of dexamethasone and the MRI are clock "
                    "events: `cases mark`.")
    handover.add_argument("--set", metavar="QUESTION=VALUE", action="append",
                          help="a handover answer (repeatable), e.g. handover_consultant='Dr A Smith'")
    add_output(handover)
    handover.add_argument("--flow", metavar="FLOW", help="flow to read the case with (default: the case's own)")
    _add_now_and_db(handover)

    audit = add_command(
        commands, "audit", cmd_audit,
        help="audit the cases against NICE NG234 / QS56 (MRI, plan and treatment times)",
        description="One row per case: symptom onset, presentation, MRI, decision and start of definitive "
                    "treatment with the intervals between them, and the share of cases within each standard "
                    "(MRI within 24 h; plan within 24 h; treatment within 24 h for emergencies, 1 week for the "
                    "others). A time not recorded is shown as missing, never guessed.")
    audit.add_argument("--since", metavar="DATE", help="only cases that presented on or after DATE")
    audit.add_argument("--format", choices=("markdown", "csv"), default="markdown",
                       help="markdown (a table and a bar chart) or csv (one row per case); default markdown")
    add_output(audit)
    _add_now_and_db(audit)


def _add_now_and_db(parser: Any) -> None:
    """The last two options of every clinic command: the time its clock is read at, and the case store."""
    parser.add_argument("--now", metavar="TIME", help=NOW_HELP)
    add_db(parser)


__all__ = ["CLINIC_FORMATS", "HANDOVER_KIND", "export_text", "register_case_commands", "report_text", "run_text",
           "save_extras", "split_answers_file", "stored_handover"]
