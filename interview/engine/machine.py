"""The `transitions` state machine of a flow: one per flow, every session added as a model.

States are the question ids plus ``done``. From each question, the trigger ``advance`` has one
conditional transition to every later question and a last one to ``done``; transitions tries them
in order, so a session moves to the first later question that is on its path and still open.
Callbacks named in flow files (``on_enter``) are looked up in :data:`CALLBACKS`, never imported.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from transitions import EventData, Machine

from interview.flow.load import ENGINE_CALLBACKS, LoadedFlow

if TYPE_CHECKING:
    from interview.engine.session import Session

DONE = "done"

#: The allow-list: a flow's callback name -> the session method it runs.
CALLBACKS: dict[str, Callable[[Session, str], None]] = {
    "propose_default": lambda session, question_id: session.propose_default(question_id),
}
assert set(CALLBACKS) == set(ENGINE_CALLBACKS), "the loader and the machine must agree on the allow-list"


def _is_open(question_id: str) -> Callable[[EventData], bool]:
    def condition(event: EventData) -> bool:
        return event.model.is_open(question_id)

    return condition


def _all_answered(event: EventData) -> bool:
    return event.model.current_id is None


def _on_enter(name: str, question_id: str) -> Callable[[EventData], None]:
    callback = CALLBACKS[name]

    def run(event: EventData) -> None:
        callback(event.model, question_id)

    return run


class FlowMachine:
    """The machine of one flow. Build it once; :meth:`attach` and :meth:`detach` sessions."""

    def __init__(self, flow: LoadedFlow) -> None:
        ids = [q.id for q in flow.questions]
        self.flow = flow
        self.initial = ids[0]
        self.machine = Machine(
            model=None, states=[*ids, DONE], initial=ids[0], auto_transitions=False,
            send_event=True, ignore_invalid_triggers=True, model_attribute="state",
        )
        for i, source in enumerate(ids):
            for dest in ids[i + 1:]:
                self.machine.add_transition("advance", source, dest, conditions=_is_open(dest))
            self.machine.add_transition("advance", source, DONE, conditions=_all_answered)
        for q in flow.questions:
            for name in q.model.on_enter:
                self.machine.get_state(q.id).add_callback("enter", _on_enter(name, q.id))

    def attach(self, session: Any) -> None:
        """Add a session as a model, at the flow's first question."""
        self.machine.add_model(session, initial=self.initial)

    def detach(self, session: Any) -> None:
        """Remove a finished session so the machine does not keep it alive."""
        self.machine.remove_model(session)

    def place(self, session: Any, state: str) -> None:
        """Put a session in a state directly (back, edit, resume), running its enter callbacks."""
        if getattr(session, "state", None) == state:
            return
        self.machine.set_state(state, model=session)
        for name in self.flow.by_id[state].model.on_enter if state != DONE else ():
            CALLBACKS[name](session, state)


def machine_for(flow: LoadedFlow) -> FlowMachine:
    """The machine of a flow, built on first use and kept on the flow object."""
    machine = flow.__dict__.get("_machine")
    if machine is None:
        machine = flow.__dict__["_machine"] = FlowMachine(flow)
    return machine
