"""No subcommand: the interview in the terminal — new, resumed (--resume) or prefilled (--answers)."""

from __future__ import annotations

import argparse

from interview.cli.common import CliError, load_flow_or_fail, read_answers_file


def cmd_tui(args: argparse.Namespace) -> int:
    """No subcommand: open the interview in the terminal."""
    from interview.tui import heap

    heap.hold()  # released once the first question is on screen (InterviewApp.first_frame)
    try:
        return run_app(args)
    finally:
        heap.release()


def run_app(args: argparse.Namespace) -> int:
    """Open the interview: new, resumed (--resume) or prefilled from a file (--answers)."""
    from interview.engine.session import Session
    from interview.tui.app import InterviewApp, prefill
    from interview.tui.storage import CaseKeeper

    flow = load_flow_or_fail(getattr(args, "flow", None))
    keeper = CaseKeeper(getattr(args, "db", None), user=getattr(args, "user", None))
    session = Session(flow)
    notes: list[str] = []
    review = False
    if getattr(args, "resume", None):
        try:
            session, notes = keeper.resume(args.resume, flow)
        except Exception as err:  # noqa: BLE001 - StoreError or a missing store, one clean line
            raise CliError(f"cannot resume case {args.resume!r}: {err}") from None
    elif getattr(args, "answers", None):
        from interview.engine.replay import AnswersError, check_answers  # with the result model

        given = read_answers_file(args.answers)
        try:
            checked = check_answers(flow, given, not_known=True)  # a pending finding may stay open (§7)
        except AnswersError as err:
            raise CliError(f"{args.answers}: {err.message}") from None
        keeper.ensure_case(session)
        prefill(flow, checked, session)
        review = session.done
    app = InterviewApp(flow, session=session, keeper=keeper, teaching=bool(getattr(args, "teaching", False)),
                       review=review, notes=notes)
    return int(app.run(headless=app.stamp_first_render) or 0)
