"""The flow's state machine: the one authority for the path, and no session outlives its use."""

from __future__ import annotations

import gc
import random
import weakref
from pathlib import Path

import oracle
import pytest
from sessions import step

from interview.engine.machine import DONE, START, machine_for
from interview.engine.session import Session, walk
from interview.flow.load import FlowError, load_flow

TINY = Path(__file__).resolve().parent.parent / "flow" / "fixtures" / "tiny.yaml"


@pytest.fixture
def tiny():
    """A fresh copy of the two-question flow (its machine is its own, so a test may change it)."""
    return load_flow(TINY, cache=False)


# --- the transition table is the flow's graph ---------------------------------------------------


def test_the_machine_holds_exactly_the_table(flow) -> None:
    """Every row of the table is registered in the transitions machine, in the same order, one condition per `when`."""
    fm = machine_for(flow)
    advance = fm.machine.events["advance"]
    assert set(advance.transitions) == set(fm.table)
    for source, row in fm.table.items():
        registered = advance.transitions[source]
        assert [t.dest for t in registered] == [step.dest for step in row]
        assert [len(t.conditions) for t in registered] == [0 if step.when is None else 1 for step in row]


def test_every_row_ends_in_a_step_that_always_holds(flow) -> None:
    """A row leads somewhere whatever the answers: its last step is an unconditional question or `done`."""
    table = machine_for(flow).table
    assert set(table) == {START, *(q.id for q in flow.questions)}
    for row in table.values():
        assert row[-1].when is None
        assert all(step.when is not None for step in row[:-1])


def test_the_table_is_the_flows_graph_not_all_pairs(flow) -> None:
    """Transitions go only to the questions that may come next, far fewer than one per later question."""
    n = len(flow.questions)
    count = sum(len(row) for row in machine_for(flow).table.values())
    assert count < n * (n + 1) // 4, count


def test_walk_follows_the_table(tiny) -> None:
    """walk() decides nothing itself: a changed row of the table changes the path it lays out."""
    assert walk(tiny, {"walks": True}).path == ["walks", "pain"]
    table = machine_for(tiny).table
    table["walks"] = (table["pain"][-1],)  # from `walks` straight to `done`
    assert walk(tiny, {"walks": True}).path == ["walks"]


def test_the_machine_moves_the_session_along_the_path(tiny) -> None:
    """Answering, going back and editing move the state through the flow's transitions."""
    s = Session(tiny)
    assert s.state == "walks"
    s.answer(False)  # `pain` is asked only of a patient who walks
    assert (s.state, s.path) == (DONE, ["walks"])
    assert s.back()
    assert s.state == "walks"
    s.answer(True)
    assert s.state == "pain"
    s.answer(8)
    assert s.state == DONE
    s.edit("walks", False)
    assert (s.state, s.answers) == (DONE, {"walks": False})


def test_each_step_lays_out_the_path_a_full_walk_does(flow) -> None:
    """300 random cases, stepping back now and then: after every step the session's walk (the
    machine's moves, the rest followed when read) equals walk() over the same answers, and the state is its open question."""
    rnd = random.Random(2_026)
    for _ in range(300):
        answers = oracle.complete(oracle.random_case(rnd))
        s = Session(flow)
        while s.current is not None:
            step(s, answers)
            if rnd.random() < 0.05:
                s.back()
            full = walk(flow, s.answers, s.skipped)
            assert s.state == (full.current or DONE)
            route = s._walk.whole()  # noqa: SLF001 - the session's own walk, followed to the end
            assert (route.current, route.path, route.off_path, route.undetermined) == (
                full.current, full.path, full.off_path, full.undetermined)
            assert {k: route.env[k] for k in s.flow.by_id} == {k: full.env[k] for k in flow.by_id}


def test_sessions_on_one_machine_keep_their_own_state(flow) -> None:
    """Stepping one session never moves another on the same machine."""
    answers = oracle.random_case(random.Random(3))
    a, b = Session(flow), Session(flow)
    a.answer(answers[a.current_id]) if a.current_id in answers else a.skip()
    assert b.state == flow.questions[0].id != a.state


def test_a_question_may_not_take_a_state_name(tmp_path) -> None:
    """A question called `done` (or `start`) is refused at load, naming the reserved ids."""
    path = tmp_path / "flow.yaml"
    path.write_text(TINY.read_text(encoding="utf-8").replace("id: pain", "id: done").replace("pain >=", "done >=")
                    .replace("{pain}", "{done}"), encoding="utf-8")
    with pytest.raises(FlowError, match="reserved for the interview's own states"):
        load_flow(path, cache=False)


# --- no session outlives its use ----------------------------------------------------------------


def test_no_session_is_ever_a_model_of_the_machine(flow) -> None:
    """Open, stepped, edited and closed sessions: `machine.models` stays empty throughout."""
    machine = machine_for(flow).machine
    sessions = [Session(flow) for _ in range(5)]
    for s in sessions:
        s.answer(False) if s.current_id == "neuro_deficit" else s.skip()
    assert machine.models == []
    sessions[0].close()
    assert machine.models == []


def test_a_replaced_session_is_freed(flow) -> None:
    """A session replaced without close() (as the app does on a new case) is not kept alive by the machine."""
    answers = oracle.complete(oracle.random_case(random.Random(11)))
    session = Session(flow)
    while session.current is not None and session.current_id in answers and len(session.answers) < 6:
        session.answer(answers[session.current_id])
    session.back()  # a step back restarts the machine from `start`: nothing may stay behind
    dropped = weakref.ref(session)
    session = Session(flow)
    gc.collect()
    assert dropped() is None, gc.get_referrers(dropped())
    assert machine_for(flow).machine.models == []


def test_a_closed_replay_session_is_freed(flow, example_names) -> None:
    """A replay's session is gone once its outcome is dropped."""
    from paths import EXAMPLES

    from interview.engine.replay import replay
    from interview.files.reading import read_answers

    answers = read_answers(EXAMPLES / f"{example_names[0]}.answers.yaml")
    ref = weakref.ref(replay(flow, answers).session)
    gc.collect()
    assert ref() is None
