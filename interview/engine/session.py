"""One case being interviewed: answer, skip, back, edit, the path so far and the live evaluation.

A :class:`Session` is pure Python — no I/O, no UI. Its answers are the single source of truth; the
path, the current question, scores and derived values follow from them. Every change is announced
as an :class:`Event` to listeners (the case store writes them to its log before the UI moves on).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from interview.engine.machine import DONE, START, machine_for
from interview.engine.scoring import Evaluation
from interview.engine.values import NOT_KNOWN, AnswerError, coerce
from interview.flow.load import BoundQuestion, LoadedFlow
from interview.flow.model import Alert

if TYPE_CHECKING:
    from interview.result import Result


class SessionError(Exception):
    """An action the session cannot take now (skip a required question, finish an open case)."""


@dataclass(frozen=True)
class Event:
    """One change to a case, as the audit trail records it."""

    kind: str  # "answer" | "default" (a proposed value taken) | "skip" | "back" | "edit" | "drop"
    question: str
    old: Any = None
    new: Any = None


@dataclass
class Walk:
    """The path through the flow for the current answers."""

    path: list[str]
    env: Evaluation
    current: str | None
    off_path: set[str] = field(default_factory=set)
    #: questions whose condition rests on an answer not given yet: neither on nor off the path
    undetermined: set[str] = field(default_factory=set)


def walk(flow: LoadedFlow, answers: dict[str, Any], skipped: Iterable[str] = ()) -> Walk:
    """Follow the flow's state machine over a set of answers, from ``start`` to ``done``.

    Each step takes the first transition of the machine's table whose condition holds, exactly as
    the machine's ``advance`` does; the destinations passed over are off the path. Returns the
    questions asked (the path), the evaluation (answers on the path, `otherwise` values off it,
    ``None`` for open ones) and the first open question, if any.
    """
    return _follow(flow, answers, set(skipped), START, Evaluation(flow), [], set(), set(), None)


def walk_on(flow: LoadedFlow, before: Walk, answers: dict[str, Any], skipped: set[str], question_id: str) -> Walk:
    """The walk after the open question ``question_id`` of ``before`` was answered or skipped.

    Nothing before that question changed and conditions only look back, so the path up to it stands
    and the machine's table is followed on from it (the same result as :func:`walk`, at a fraction
    of the cost on every answer).
    """
    index = flow.by_id[question_id].index
    ids = machine_for(flow).ids
    prior = before.env
    # Answers and `otherwise` values only: a derived value or score cached by the earlier walk may
    # rest on this question, so each is computed again when read.
    env = Evaluation(flow, {qid: prior[qid] for qid in ids[:index]})
    path = before.path[:before.path.index(question_id)]
    off = {qid for qid in before.off_path if flow.by_id[qid].index < index}
    pending: set[str] = set()
    current = _visit(question_id, answers, skipped, env, path, pending, None)
    return _follow(flow, answers, skipped, question_id, env, path, off, pending, current)


def _visit(qid: str, answers: dict[str, Any], skipped: set[str], env: Evaluation, path: list[str],
           pending: set[str], current: str | None) -> str | None:
    """A question on the path: its answer goes into the evaluation, or it waits open (the first
    one open is where the interview is). Returns the open question."""
    path.append(qid)
    value = answers.get(qid)
    env[qid] = value
    if value is None and qid not in skipped:
        pending.add(qid)
        if current is None:
            current = qid
    return current


def _follow(flow: LoadedFlow, answers: dict[str, Any], skipped: set[str], state: str, env: Evaluation,
            path: list[str], off: set[str], pending: set[str], current: str | None) -> Walk:
    """Take the machine's transitions from ``state`` to ``done`` over the answers."""
    table = machine_for(flow).table
    # Answers still to come (`pending`): a condition resting on one of them is not decided yet, so
    # its question is neither asked nor skipped (and an answer it already has is not dropped).
    undetermined: set[str] = set()
    while state != DONE:
        for qid, when, inputs, otherwise in table[state]:
            if qid == DONE:
                state = DONE
                break
            if pending and not inputs.isdisjoint(pending):
                env[qid] = None
                pending.add(qid)
                undetermined.add(qid)
            elif when is None or when(env):
                current = _visit(qid, answers, skipped, env, path, pending, current)
                state = qid
                break
            else:
                env[qid] = otherwise
                off.add(qid)
    return Walk(path, env, current, off, undetermined)


Listener = Callable[["Session", Event], None]


class Session:
    """A case in progress. The flow's machine moves ``state``; the session is never one of its models."""

    state: str  # set by transitions

    def __init__(self, flow: LoadedFlow) -> None:
        self.flow = flow
        self.answers: dict[str, Any] = {}
        self.skipped: set[str] = set()
        #: values remembered after back or a dropped branch, offered again if the question returns
        self.proposals: dict[str, Any] = {}
        self.defaults_applied: set[str] = set()
        self.listeners: list[Listener] = []
        self._machine = machine_for(flow)
        self._machine.start(self)
        self._walk = walk(flow, self.answers)
        self._machine.move(self, self._walk.current or DONE)

    # --- reading ---------------------------------------------------------------------------------

    @property
    def current_id(self) -> str | None:
        """The open question the interview is at, or ``None`` when every question is answered."""
        return self._walk.current

    @property
    def current(self) -> BoundQuestion | None:
        return None if self._walk.current is None else self.flow.by_id[self._walk.current]

    @property
    def done(self) -> bool:
        return self._walk.current is None

    @property
    def path(self) -> list[str]:
        """Questions on the path for the current answers (answered, skipped and still open)."""
        return list(self._walk.path)

    @property
    def answered_path(self) -> list[str]:
        """Questions on the path that have been answered or skipped, in order."""
        return [q for q in self._walk.path if q in self.answers or q in self.skipped]

    @property
    def evaluation(self) -> Evaluation:
        """Answers, derived values and scores as they stand (scores may be partial)."""
        return self._walk.env

    def is_open(self, question_id: str) -> bool:
        """On the path, not answered and not skipped (the machine's transition condition)."""
        return (
            question_id in self._walk.env
            and question_id not in self._walk.off_path
            and question_id not in self._walk.undetermined
            and question_id not in self.answers
            and question_id not in self.skipped
        )

    def proposed(self, question_id: str) -> Any:
        """The value offered for a question: a remembered answer, else the flow's default."""
        if question_id in self.proposals:
            return self.proposals[question_id]
        q = self.flow.by_id[question_id]
        return q.default(self._walk.env) if q.default is not None else None

    def suggested(self, question_id: str) -> Any:
        """The value the interview pre-selects: :meth:`proposed`, else the flow's interview-only proposal
        (the SINS location from the index level), which an answers file never takes for an answer."""
        value = self.proposed(question_id)
        q = self.flow.by_id[question_id]
        if value is None and q.proposal is not None:
            value = q.proposal(self._walk.env)
        return value

    @property
    def alerts(self) -> list[Alert]:
        """Alerts whose question has been answered and whose condition holds, in flow order."""
        env = self._walk.env
        return [a for a in self.flow.model.alerts
                if a.after in self.answers and self.flow.cond(a)(env)]

    def progress(self) -> dict[str, tuple[int, int]]:
        """Per phase: (answered or skipped, asked so far on the path)."""
        out: dict[str, tuple[int, int]] = {p.id: (0, 0) for p in self.flow.model.phases}
        for qid in self._walk.path:
            phase = self.flow.by_id[qid].model.phase
            done, total = out[phase]
            out[phase] = (done + (qid in self.answers or qid in self.skipped), total + 1)
        return out

    # --- changing --------------------------------------------------------------------------------

    def answer(self, value: Any, *, from_text: bool = False) -> None:
        """Answer the current question. A bad value raises and changes nothing.

        Raises:
            SessionError: when the interview is complete.
            AnswerError: when the value is not allowed; the session is unchanged.
        """
        self._answer(value, from_text=from_text, kind="answer")

    def _answer(self, value: Any, *, from_text: bool, kind: str) -> Any:
        q = self._require_current()
        stored = coerce(q.model, value, from_text=from_text, not_known=True)
        # Listeners (the case store) hear of a change before it happens: if saving fails, the
        # session is not ahead of its log.
        self._emit(Event(kind, q.id, None, stored))
        self.answers[q.id] = stored
        self.skipped.discard(q.id)
        self.proposals.pop(q.id, None)
        self._refresh()
        return stored

    def skip(self) -> None:
        """Skip the current optional question.

        Raises:
            SessionError: if the question is required.
        """
        q = self._require_current()
        if not q.model.optional:
            raise SessionError(f"{q.id} is required and cannot be skipped")
        self._emit(Event("skip", q.id))
        self.skipped.add(q.id)
        self._refresh()

    def back(self) -> bool:
        """Step back to the previous question on the path, keeping its answer as the proposal.

        Returns:
            False when already at the first question (nothing changed).
        """
        before = self._walk.path
        stop = before.index(self.current_id) if self.current_id else len(before)
        previous = [q for q in before[:stop] if q in self.answers or q in self.skipped]
        if not previous:
            return False
        qid = previous[-1]
        old = self.answers.get(qid)
        self._emit(Event("back", qid, old, None))
        self.answers.pop(qid, None)
        self.skipped.discard(qid)
        if old is not None:
            self.proposals[qid] = old
        self._refresh()
        return True

    def edit(self, question_id: str, value: Any, *, from_text: bool = False) -> list[str]:
        """Change the answer of a question already on the path.

        Answers of questions the edit takes off the path are dropped (and remembered as
        proposals); every other answer is kept.

        Returns:
            The ids of the dropped answers.

        Raises:
            SessionError: when the question is not on the path.
            AnswerError: when the value is not allowed; the session is unchanged.
        """
        if question_id not in self._walk.path:
            raise SessionError(f"{question_id} is not on this case's path")
        q = self.flow.by_id[question_id]
        stored = coerce(q.model, value, from_text=from_text, not_known=True)
        old = self.answers.get(question_id)
        self._emit(Event("edit", question_id, old, stored))
        self.answers[question_id] = stored
        self.skipped.discard(question_id)
        return self._refresh()

    def load(self, answers: dict[str, Any], skipped: Iterable[str] = ()) -> None:
        """Restore answers (already validated, e.g. from the case store) and place the session."""
        self.answers = dict(answers)
        self.skipped = set(skipped)
        self._refresh()

    def propose_default(self, question_id: str) -> None:
        """Engine callback: note the flow's proposed value for a question being entered."""
        q = self.flow.by_id[question_id]
        if question_id not in self.proposals and q.default is not None:
            value = q.default(self._walk.env)
            if value is not None:
                self.proposals[question_id] = value

    def apply_default(self) -> Any:
        """Answer the current question with its proposed value (used when replaying a file)."""
        q = self._require_current()
        value = self.proposed(q.id)
        if value is None:
            raise SessionError(f"{q.id} has no proposed value")
        stored = self._answer(value, from_text=False, kind="default")
        self.defaults_applied.add(q.id)
        return stored

    def close(self) -> None:
        """Finish with the case. Nothing to release: the machine holds a session only during a step."""

    # --- result ----------------------------------------------------------------------------------

    def result(self) -> Result:
        """The contract's result for a complete case.

        Raises:
            SessionError: naming the first open question if the case is not complete.
        """
        # Only a complete case needs the rules and the result models: kept off the startup path.
        from interview.engine.rules import recommend
        from interview.result import FlowInfo, Result

        if not self.done:
            raise SessionError(f"the case is not complete: {self.current_id} is still open")
        if any(self.answers.get(q) == NOT_KNOWN for q in self._walk.path):
            return self._provisional_result()
        env = Evaluation(self.flow, {k: v for k, v in self._walk.env.items() if k in self.flow.by_id})
        recommendation = recommend(self.flow, env)
        on_path = set(self._walk.path)
        answers = {q: self.answers[q] for q in self._walk.path if q in self.answers}
        flow = self.flow
        return Result(
            flow=FlowInfo(id=flow.id, version=flow.version, sha256=flow.sha256),
            answers=answers,
            path=[q for q in self._walk.path if q in answers or q in self.skipped],
            derived=env.derived_values(),
            scores=env.score_values(),
            recommendation=recommendation,
            defaults_applied=sorted(self.defaults_applied & on_path),
            skipped=[q for q in self._walk.path if q in self.skipped],
            notice=flow.model.notice,
        )

    def _provisional_result(self) -> Result:
        """The result over every completion of the answers not known yet (CONTRACT §7)."""
        from interview.engine.provisional import provisional_result

        given = {q: self.answers[q] for q in self._walk.path if q in self.answers}
        result, _, missing = provisional_result(self.flow, given)
        if result is None:
            raise SessionError(f"the case is not complete: {missing} is needed whatever the open answers are")
        return result

    # --- internals -------------------------------------------------------------------------------

    def _require_current(self) -> BoundQuestion:
        q = self.current
        if q is None:
            raise SessionError("every question is answered; edit an answer or finish the case")
        return q

    def _emit(self, event: Event) -> None:
        for listener in list(self.listeners):
            listener(self, event)

    def _refresh(self) -> list[str]:
        """Re-walk the path, drop answers that left it, and move the machine to the open question."""
        self._walk = walk(self.flow, self.answers, self.skipped)
        dropped = [q for q in self._walk.off_path if q in self.answers or q in self.skipped]
        if dropped:
            dropped.sort(key=lambda q: self.flow.by_id[q].index)
            for qid in dropped:
                old = self.answers.pop(qid, None)
                self.skipped.discard(qid)
                if old is not None:
                    self.proposals[qid] = old
                self._emit(Event("drop", qid, old, None))
            # No second walk: answers off the path were never read by the first one.
        # The machine moves along the path to the open question (from `start` when that lies behind).
        self._machine.move(self, self._walk.current or DONE)
        return dropped


__all__ = ["AnswerError", "Event", "Session", "SessionError", "Walk", "walk"]
