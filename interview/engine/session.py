"""One case being interviewed: answer, skip, back, edit, the path so far and the live evaluation.

A :class:`Session` is pure Python — no I/O, no UI. Its answers are the single source of truth; the
path, the current question, scores and derived values follow from them. Every change is announced
as an :class:`Event` to listeners (the case store writes them to its log before the UI moves on).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class Route:
    """Where a set of answers leads through the flow."""

    #: the questions asked: answered, skipped and still open, in order
    path: list[str]
    #: answers on the path, `otherwise` values off it, ``None`` for open ones; derived values and scores
    env: Evaluation
    #: the first open question, if any
    current: str | None
    #: questions whose condition does not hold
    off_path: set[str]
    #: questions whose condition rests on an answer not given yet: neither on nor off the path
    undetermined: set[str]


class Walk:
    """A session's route, laid out when it is needed.

    After an answer the route is followed only as far as the first open question when no answer
    lies beyond it — all the next step needs: the open question, the answers that left the path, and
    the evaluation the machine's conditions read (a condition only looks back). That is ``head``;
    the rest of the flow (later questions open, off the path or undetermined, their values) is
    followed into the same route the first time :meth:`whole` is asked for.
    """

    __slots__ = ("head", "_rest")

    def __init__(self, head: Route, rest: Callable[[], None] | None = None) -> None:
        self.head, self._rest = head, rest

    def whole(self) -> Route:
        """The route to ``done``."""
        rest, self._rest = self._rest, None
        if rest is not None:
            rest()
        return self.head


def walk(flow: LoadedFlow, answers: dict[str, Any], skipped: Iterable[str] = ()) -> Route:
    """Follow the flow's state machine over a set of answers, from ``start`` to ``done``.

    Each step takes the first transition of the machine's table whose condition holds, exactly as
    the machine's ``advance`` does; the destinations passed over are off the path. Returns the
    questions asked (the path), the evaluation (answers on the path, `otherwise` values off it,
    ``None`` for open ones) and the first open question, if any.
    """
    return _follow(flow, answers, set(skipped), START, Evaluation(flow), [], set(), set(), None, lazy=False).head


def walk_on(flow: LoadedFlow, before: Walk, answers: dict[str, Any], skipped: set[str], question_id: str,
            session: Any) -> Walk:
    """The walk after the open question ``question_id`` of ``before`` was answered or skipped, as the
    machine moves ``session`` (standing at that question) on to the next open one.

    Nothing before that question changed and conditions only look back, so the path up to it stands.
    From there each step is the machine's own ``advance``: the question it moves to is on the path,
    and those its row tried first are off it. The rest of the flow, beyond the open question, is
    followed from the same table (when it is read, if no answer lies there).
    """
    machine = machine_for(flow)
    table, order = machine.table, machine.order
    index = order[question_id]
    prior = machine.ids[:index]
    # Answers and `otherwise` values only: a derived value or score cached by the earlier walk may
    # rest on this question, so each is computed again when read.
    env = Evaluation(flow, zip(prior, map(before.head.env.__getitem__, prior), strict=True))
    head = before.head.path
    path = head[:-1] if head[-1] == question_id else head[:head.index(question_id)]
    off = {qid for qid in before.head.off_path if order[qid] < index}
    pending: set[str] = set()
    current = _visit(question_id, answers, skipped, env, path, pending, None)
    state = question_id
    while current is None and state != DONE:
        machine.advance(session, env)
        dest = session.state
        for step in table[state]:  # the transitions tried before the one taken: off the path
            if step.dest == dest:
                break
            off.add(step.dest)
        if dest != DONE:
            current = _visit(dest, answers, skipped, env, path, pending, current)
        state = dest
    return _follow(flow, answers, skipped, state, env, path, off, pending, current, lazy=True)


def _visit(qid: str, answers: dict[str, Any], skipped: set[str], env: Evaluation, path: list[str],
           pending: set[str], current: str | None) -> str | None:
    """A question on the path: its answer goes into the evaluation, or it waits open (the first
    one open is where the interview is). Returns the open question."""
    path.append(qid)
    value = answers.get(qid)
    # A finding not known yet (CONTRACT §7) is answered, yet read by the flow as unknown:
    # the path goes on as after a skip, and the provisional result covers its values.
    env[qid] = None if value == NOT_KNOWN else value
    if value is None and qid not in skipped:
        pending.add(qid)
        if current is None:
            current = qid
    return current


def _follow(flow: LoadedFlow, answers: dict[str, Any], skipped: set[str], state: str, env: Evaluation,
            path: list[str], off: set[str], pending: set[str], current: str | None, *, lazy: bool) -> Walk:
    """Take the machine's transitions from ``state`` to ``done`` over the answers.

    ``lazy``: stop at the first open question when no answer or skip lies beyond it, leaving the
    rest to be followed when the walk is read.
    """
    machine = machine_for(flow)
    table, order = machine.table, machine.order
    # Answers still to come (`pending`): a condition resting on one of them is not decided yet, so
    # its question is neither asked nor skipped (and an answer it already has is not dropped).
    undetermined: set[str] = set()
    # Where the last answer or skip lies: the walk needs to go at least that far to find the
    # answers that left the path.
    last = len(order)
    if lazy:
        last = max(map(order.__getitem__, answers), default=-1)
        if skipped:
            last = max(last, *map(order.__getitem__, skipped))

    def go(state: str, current: str | None, stop: bool) -> tuple[str, str | None]:
        while state != DONE:
            if stop and current is not None and order[current] > last:
                break
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
        return state, current

    state, current = go(state, current, lazy)
    route = Route(path, env, current, off, undetermined)
    return Walk(route, None if state == DONE else lambda: go(state, current, False))


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
        self._walk = _follow(flow, self.answers, self.skipped, START, Evaluation(flow), [], set(), set(), None,
                             lazy=True)
        self._machine.move(self, self._walk.head.current or DONE, self._walk.head.env)

    # --- reading ---------------------------------------------------------------------------------

    @property
    def _route(self) -> Route:
        """The whole route for the current answers (the rest of the flow followed the first time it is read)."""
        return self._walk.whole()

    @property
    def current_id(self) -> str | None:
        """The open question the interview is at, or ``None`` when every question is answered."""
        return self._walk.head.current

    @property
    def current(self) -> BoundQuestion | None:
        return None if self._walk.head.current is None else self.flow.by_id[self._walk.head.current]

    @property
    def done(self) -> bool:
        return self._walk.head.current is None

    @property
    def path(self) -> list[str]:
        """Questions on the path for the current answers (answered, skipped and still open)."""
        return list(self._route.path)

    @property
    def answered_path(self) -> list[str]:
        """Questions on the path that have been answered or skipped, in order."""
        return [q for q in self._route.path if q in self.answers or q in self.skipped]

    @property
    def evaluation(self) -> Evaluation:
        """Answers, derived values and scores as they stand (scores may be partial)."""
        return self._route.env

    def is_open(self, question_id: str) -> bool:
        """On the path, not answered and not skipped: a question still to be asked."""
        return (
            question_id in self._route.env
            and question_id not in self._route.off_path
            and question_id not in self._route.undetermined
            and question_id not in self.answers
            and question_id not in self.skipped
        )

    def proposed(self, question_id: str) -> Any:
        """The value offered for a question: a remembered answer, else the flow's default."""
        if question_id in self.proposals:
            return self.proposals[question_id]
        q = self.flow.by_id[question_id]
        return q.default(self._route.env) if q.default is not None else None

    def suggested(self, question_id: str) -> Any:
        """The value the interview pre-selects: :meth:`proposed`, else the flow's interview-only proposal
        (the SINS location from the index level), which an answers file never takes for an answer."""
        value = self.proposed(question_id)
        q = self.flow.by_id[question_id]
        if value is None and q.proposal is not None:
            value = q.proposal(self._route.env)
        return value

    @property
    def alerts(self) -> list[Alert]:
        """Alerts whose question has been answered and whose condition holds, in flow order."""
        env = self._route.env
        return [a for a in self.flow.model.alerts
                if a.after in self.answers and self.flow.cond(a)(env)]

    def progress(self) -> dict[str, tuple[int, int]]:
        """Per phase: (answered or skipped, asked so far on the path)."""
        out: dict[str, tuple[int, int]] = {p.id: (0, 0) for p in self.flow.model.phases}
        for qid in self._route.path:
            phase = self.flow.by_id[qid].model.phase
            done, total = out[phase]
            out[phase] = (done + (qid in self.answers or qid in self.skipped), total + 1)
        return out

    # --- changing --------------------------------------------------------------------------------

    def answer(self, value: Any, *, from_text: bool = False, checked: bool = False) -> None:
        """Answer the current question. A bad value raises and changes nothing.

        ``checked``: the value is already one the question stores (from
        :func:`interview.engine.replay.check_answers`), so it is not checked again.

        Raises:
            SessionError: when the interview is complete.
            AnswerError: when the value is not allowed; the session is unchanged.
        """
        self._answer(value, from_text=from_text, kind="answer", checked=checked)

    def _answer(self, value: Any, *, from_text: bool, kind: str, checked: bool = False) -> Any:
        q = self._require_current()
        stored = value if checked else coerce(q.model, value, from_text=from_text, not_known=True)
        # Listeners (the case store) hear of a change before it happens: if saving fails, the
        # session is not ahead of its log.
        self._emit(kind, q.id, None, stored)
        self.answers[q.id] = stored
        self.skipped.discard(q.id)
        self.proposals.pop(q.id, None)
        self._refresh(answered=q.id)
        return stored

    def skip(self) -> None:
        """Skip the current optional question.

        Raises:
            SessionError: if the question is required.
        """
        q = self._require_current()
        if not q.model.optional:
            raise SessionError(f"{q.id} is required and cannot be skipped")
        self._emit("skip", q.id)
        self.skipped.add(q.id)
        self._refresh(answered=q.id)

    def back(self) -> bool:
        """Step back to the previous question on the path, keeping its answer as the proposal.

        Returns:
            False when already at the first question (nothing changed).
        """
        before = self._route.path
        stop = before.index(self.current_id) if self.current_id else len(before)
        previous = [q for q in before[:stop] if q in self.answers or q in self.skipped]
        if not previous:
            return False
        qid = previous[-1]
        old = self.answers.get(qid)
        self._emit("back", qid, old, None)
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
        if question_id not in self._route.path:
            raise SessionError(f"{question_id} is not on this case's path")
        q = self.flow.by_id[question_id]
        stored = coerce(q.model, value, from_text=from_text, not_known=True)
        old = self.answers.get(question_id)
        self._emit("edit", question_id, old, stored)
        self.answers[question_id] = stored
        self.skipped.discard(question_id)
        return self._refresh()

    def load(self, answers: dict[str, Any], skipped: Iterable[str] = ()) -> None:
        """Restore answers (already validated, e.g. from the case store) and place the session."""
        self.answers = dict(answers)
        self.skipped = set(skipped)
        self._refresh()

    def propose_default(self, question_id: str, env: Evaluation | None = None) -> None:
        """Engine callback: note the flow's proposed value for a question being entered (over ``env``,
        the evaluation the machine's step was fired with: every name the default may read)."""
        q = self.flow.by_id[question_id]
        if question_id not in self.proposals and q.default is not None:
            value = q.default(self._route.env if env is None else env)
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
        if any(self.answers.get(q) == NOT_KNOWN for q in self._route.path):
            return self._provisional_result()
        # A copy (the rules add the decision's names to it); the derived values and scores the walk
        # has computed hold, as every answer is in.
        env = Evaluation(self.flow, self._route.env)
        recommendation = recommend(self.flow, env)
        on_path = set(self._route.path)
        answers = {q: self.answers[q] for q in self._route.path if q in self.answers}
        flow = self.flow
        return Result(
            flow=FlowInfo.of(flow),
            answers=answers,
            path=[q for q in self._route.path if q in answers or q in self.skipped],
            derived=env.derived_values(),
            scores=env.score_values(),
            recommendation=recommendation,
            defaults_applied=sorted(self.defaults_applied & on_path),
            skipped=[q for q in self._route.path if q in self.skipped],
            notice=flow.model.notice,
        )

    def _provisional_result(self) -> Result:
        """The result over every completion of the answers not known yet (CONTRACT §7)."""
        from interview.engine.provisional import provisional_result

        given = {q: self.answers[q] for q in self._route.path if q in self.answers}
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

    def _emit(self, kind: str, question: str, old: Any = None, new: Any = None) -> None:
        if self.listeners:  # an event is built only for someone to hear it (replays have no one)
            event = Event(kind, question, old, new)
            for listener in list(self.listeners):
                listener(self, event)

    def _refresh(self, answered: str | None = None) -> list[str]:
        """Re-walk the path, drop answers that left it, and move the machine to the open question.

        ``answered``: the open question just answered or skipped, from which the walk goes on.
        """
        if answered is None:
            self._walk = Walk(walk(self.flow, self.answers, self.skipped))
        else:
            self._walk = walk_on(self.flow, self._walk, self.answers, self.skipped, answered, self)
        dropped = [q for q in self._walk.head.off_path if q in self.answers or q in self.skipped]
        if dropped:
            dropped.sort(key=lambda q: self.flow.by_id[q].index)
            for qid in dropped:
                old = self.answers.pop(qid, None)
                self.skipped.discard(qid)
                if old is not None:
                    self.proposals[qid] = old
                self._emit("drop", qid, old, None)
            # No second walk: answers off the path were never read by the first one.
        # The machine moves along the path to the open question (from `start` when that lies behind).
        self._machine.move(self, self._walk.head.current or DONE, self._walk.head.env)
        return dropped


__all__ = ["AnswerError", "Event", "Route", "Session", "SessionError", "Walk", "walk"]
