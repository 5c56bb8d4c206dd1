"""The `transitions` state machine of a flow: the one place where "what comes next" is decided.

States are ``start``, the question ids and ``done``. The transition table is the flow's own graph:
from each state the trigger ``advance`` has one transition to each question that may come next —
the following questions up to and including the first one asked unconditionally — each guarded
by that question's `when`, and a last one to ``done`` where no later question is unconditional.
`transitions` tries them in order, so ``advance`` moves to the next question on the path; a question
it passes over is off the path and takes its `otherwise` value. After each answer the session moves
by this ``advance`` (:func:`interview.engine.session.walk_on`). The same rows, in the same order and
with the same conditions, are :attr:`FlowMachine.table`, which :func:`interview.engine.session.walk`
follows to lay out a whole path (an edit, a step back, a restored case, the questions beyond the
open one): a question is on the path exactly when the machine would move to it.

No session is ever a model of the machine: a step fires the ``advance`` event with the session as
its model (``Event.trigger``), and nothing in the machine keeps a reference once the step is over.
So a session the app replaces or drops is freed like any other object, whether or not it was
closed, and one machine per flow serves any number of sessions.

Callbacks named in flow files (``on_enter``) are looked up in :data:`CALLBACKS`, never imported.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from transitions import EventData, Machine

from interview.flow.expr import Compiled
from interview.flow.load import ENGINE_CALLBACKS, RESERVED_STATES, LoadedFlow

if TYPE_CHECKING:
    from interview.engine.session import Session

START, DONE = RESERVED_STATES

#: The allow-list: a flow's callback name -> the session method it runs.
CALLBACKS: dict[str, Callable[[Session, str, Mapping[str, Any]], None]] = {
    "propose_default": lambda session, question_id, env: session.propose_default(question_id, env),
}
assert set(CALLBACKS) == set(ENGINE_CALLBACKS), "the loader and the machine must agree on the allow-list"


class Step(NamedTuple):
    """One transition of the table: to ``dest`` when ``when`` holds (``None``: always)."""

    dest: str
    #: the destination question's compiled condition
    when: Compiled | None
    #: the questions that condition rests on (the walk leaves it open while one of them is open)
    inputs: frozenset[str]
    #: the destination's value when it is off the path
    otherwise: Any


def build_table(flow: LoadedFlow) -> dict[str, tuple[Step, ...]]:
    """The transition table of a flow: for each state, its ``advance`` transitions in the order tried.

    Every row ends in a step that always holds (an unconditional question, or ``done``), so a row
    always leads somewhere, and following rows from ``start`` visits every question once, in order.
    """
    questions = flow.questions
    table: dict[str, tuple[Step, ...]] = {}
    for i, source in enumerate([START, *(q.id for q in questions)]):
        row: list[Step] = []
        for q in questions[i:]:
            when = q.when.fn if q.when is not None else None
            row.append(Step(q.id, when, q.when_inputs, q.model.otherwise))
            if when is None:
                break
        else:
            row.append(Step(DONE, None, frozenset(), None))
        table[source] = tuple(row)
    return table


def _holds(step: Step) -> Callable[[EventData], bool]:
    """A transition's condition: the destination's `when` over the evaluation the step was fired with.

    A destination passed over is off the path: it takes its `otherwise` value at once, so the
    conditions tried after it in the row (which may read it) see what the walk sees.
    """
    when, dest, otherwise = step.when, step.dest, step.otherwise
    assert when is not None

    def condition(event: EventData) -> bool:
        env = event.args[0]
        if when(env):
            return True
        env[dest] = otherwise
        return False

    return condition


def _on_enter(name: str, question_id: str) -> Callable[[EventData], None]:
    callback = CALLBACKS[name]

    def run(event: EventData) -> None:
        # Passing through an answered question on the way to the open one is not asking it.
        session = event.model
        if question_id not in session.answers and question_id not in session.skipped:
            callback(session, question_id, event.args[0])

    return run


class FlowMachine:
    """The machine of one flow. Build it once (:func:`machine_for`); :meth:`move` sessions through it."""

    def __init__(self, flow: LoadedFlow) -> None:
        ids = [q.id for q in flow.questions]
        self.flow = flow
        self.ids = ids
        self.table = build_table(flow)
        #: a state's place in the flow, to tell whether a target lies ahead of it
        self.order = {START: -1, **{qid: i for i, qid in enumerate(ids)}, DONE: len(ids)}
        self.machine = Machine(
            model=None, states=[START, *ids, DONE], initial=START, auto_transitions=False,
            send_event=True, ignore_invalid_triggers=True, model_attribute="state",
        )
        for source, row in self.table.items():
            for step in row:
                conditions = [_holds(step)] if step.when is not None else []
                self.machine.add_transition("advance", source, step.dest, conditions=conditions)
        for q in flow.questions:
            for name in q.model.on_enter:
                self.machine.get_state(q.id).add_callback("enter", _on_enter(name, q.id))
        self._advance = self.machine.events["advance"]

    def start(self, session: Any) -> None:
        """Put a new session in ``start`` (a :meth:`move` then takes it to its first open question)."""
        self.machine.set_state(START, model=session)

    def advance(self, session: Any, env: Mapping[str, Any]) -> bool:
        """Fire ``advance`` for one session over its evaluation ``env``: to the next question on its
        path (``False`` at ``done``)."""
        return bool(self._advance.trigger(session, env))

    def move(self, session: Any, target: str, env: Mapping[str, Any]) -> None:
        """Advance a session along its path until it stands at ``target``.

        A target behind the session (back, an edit, a restored case) is reached from ``start``: the
        machine walks the path again rather than jumping, so it decides every step.
        """
        if session.state == target:
            return
        if self.order[session.state] > self.order[target]:
            self.start(session)
        while session.state != target:
            if not self.advance(session, env):
                raise RuntimeError(f"the flow's machine cannot reach {target!r} from {session.state!r}")


def machine_for(flow: LoadedFlow) -> FlowMachine:
    """The machine of a flow, built on first use and kept on the flow object."""
    machine = flow.__dict__.get("_machine")
    if machine is None:
        machine = flow.__dict__["_machine"] = FlowMachine(flow)
    return machine
