"""A saved case back into a live interview: the log folded into a session, whatever store holds it.

Restoring is the engine's business (the stores only keep and return the log): re-evaluation under
a changed flow, answers this flow no longer takes, the proposed values taken. :func:`reconcile`
is the second clinician's path: the case moved on under this session, so it is reloaded from the
log and this clinician's change is applied again only where it still means what it meant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from interview.engine.session import Event, Session, SessionError, walk
from interview.engine.values import AnswerError
from interview.errors import OneLineError

if TYPE_CHECKING:
    from interview.flow.load import LoadedFlow

ANSWER_KINDS = ("answer", "edit", "default")


class RestoreError(OneLineError):
    """A saved case that cannot be opened under this flow; ``message`` is one line saying why."""


def open_session(store: Any, case_id: str, flow: LoadedFlow) -> tuple[Session, list[str]]:
    """Rebuild a case's session from its log, attached to the store.

    A case decided (or begun) under another flow is re-evaluated under this one first (see
    :mod:`interview.engine.reevaluate`): the log records it, the case takes this flow and the
    new outcome — complete, or in progress while the answers this flow needs are missing —
    and the first warning says what it was and what it is now. Answers the flow no longer
    takes are kept in the log and named in the warnings; they are not loaded into the session.

    Returns:
        The session (at the case's next open question) and warnings for the user.

    Raises:
        RestoreError: the case cannot be evaluated under this flow.
        StoreError (the store's): the case cannot be read.
    """
    from interview.engine.reevaluate import ReevaluationError, reevaluate, usable_answers

    record = store.get_case(case_id)
    warnings: list[str] = []
    try:
        reevaluation = reevaluate(flow, record)
    except ReevaluationError as err:
        raise RestoreError(f"case {case_id}: {err.message}") from None
    if reevaluation is not None:
        store.record_reevaluation(case_id, reevaluation)
        warnings.append(reevaluation.statement(refused=False))
    answers, refused = usable_answers(flow, record.answers)
    for n in refused:
        if n.question not in flow.by_id:
            warnings.append(f"answer to {n.question!r} ({n.value!r}) kept in the record, but this flow has no "
                            "such question")
        else:
            warnings.append(f"answer to {n.question!r} kept in the record, but this flow does not take it: "
                            f"{n.reason} (got {n.value!r})")
    skipped = [q for q in record.skipped if q in flow.by_id and flow.by_id[q].model.optional]
    off = walk(flow, answers, skipped).off_path
    for qid in sorted(off & (set(answers) | set(skipped)), key=lambda q: flow.by_id[q].index):
        warnings.append(f"answer to {qid!r} kept in the record, but this flow no longer asks it on this path")
    session = Session(flow)
    session.load(answers, skipped)
    last_kind = {e.question: e.kind for e in record.events if e.kind in ANSWER_KINDS}
    session.defaults_applied = {q for q in session.answers if last_kind.get(q) == "default"}
    store.attach(session, case_id)
    return session, warnings


def reconcile(store: Any, case_id: str, flow: LoadedFlow, stale: Session, err: Any) -> tuple[Session, str]:
    """After a :class:`~interview.store.records.CaseChanged`: the case reloaded, this change re-tried.

    The change that could not be written (``err.pending``) is applied to the reloaded case only if
    it still means what it meant: an answer to a question that is still open, an edit of an answer
    nobody changed meanwhile. Otherwise it is not applied and the message says why — the other
    clinician's event is never overwritten.

    Returns:
        The reloaded session (attached; the stale one is detached and closed) and one line for the user.
    """
    store.detach(stale)
    stale.close()
    session, _ = open_session(store, case_id, flow)
    pending: Event | None = getattr(err, "pending", None)
    head = f"{err.message}: reloaded"
    if pending is None:
        return session, head
    why = why_not_applied(session, pending, err)
    if why is None:
        try:
            _apply(session, pending)
        except (SessionError, AnswerError) as bad:
            why = str(bad)
        except Exception as again:  # noqa: BLE001 - a second change meanwhile, or the server gone
            why = getattr(again, "message", str(again))
    what = "your answer" if pending.kind in ANSWER_KINDS else f"your {pending.kind}"
    if why is None:
        return session, f"{head}, {what} to {pending.question} was kept"
    return session, f"{head}, {what} to {pending.question} was not applied because {why}"


def _by(err: Any, question: str) -> str:
    """Who changed a question meanwhile (from the events the writer missed)."""
    for e in reversed(getattr(err, "events", [])):
        if e.question == question:
            return e.who or "someone"
    return "someone"


def reload_in_place(store: Any, case_id: str, session: Session) -> None:
    """Load the case's log as it is now into a live session (same object: the screen keeps it).

    For a session whose case was re-read under this flow already (it is open), so no re-evaluation.
    """
    from interview.engine.reevaluate import usable_answers

    record = store.get_case(case_id)
    answers, _ = usable_answers(session.flow, record.answers)
    skipped = [q for q in record.skipped if q in session.flow.by_id and session.flow.by_id[q].model.optional]
    session.load(answers, skipped)


def why_not_applied(session: Session, pending: Event, err: Any) -> str | None:
    """Why a change made on a stale view does not apply to the reloaded case, or None when it still does."""
    q = pending.question
    if pending.kind in ("answer", "default", "skip"):
        if session.current_id == q:
            return None
        if q in session.answers:
            if pending.kind != "skip" and session.answers[q] == pending.new:
                return None  # the same answer: nothing to apply, nothing lost
            return f"{_by(err, q)} answered it meanwhile ({session.answers[q]!r})"
        if q in session.skipped:
            return f"{_by(err, q)} skipped it meanwhile"
        return "the case no longer asks it now"
    if pending.kind == "edit":
        if session.answers.get(q) != pending.old:
            return f"{_by(err, q)} changed it meanwhile to {session.answers.get(q)!r}"
        if q not in session.path:
            return "the case no longer asks it"
        return None
    return "the case moved on; do it again if it is still needed"


def _apply(session: Session, pending: Event) -> None:
    q = pending.question
    if pending.kind in ("answer", "default"):
        if q in session.answers:
            return  # the same answer is there already
        session.answer(pending.new)
    elif pending.kind == "skip":
        session.skip()
    elif pending.kind == "edit":
        session.edit(q, pending.new)


__all__ = ["RestoreError", "open_session", "reconcile", "reload_in_place", "why_not_applied"]
