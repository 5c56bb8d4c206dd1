"""Session properties over random cases (one headline, back restores, edit prunes) and session behaviour."""

from __future__ import annotations

import random
from typing import Any

import oracle
import pytest
import strategies
from hypothesis import given, settings
from sessions import step

from interview.engine.machine import DONE, machine_for
from interview.engine.replay import replay
from interview.engine.session import Event, Session, SessionError
from interview.engine.values import AnswerError
from interview.flow.model import BoolQuestion, ChoiceQuestion, IntQuestion, NumberQuestion

CASES = 2_000
SEED = 7_311


def snapshot(session: Session) -> dict[str, Any]:
    """Everything that defines where a case stands (the proposals memory excluded)."""
    return {
        "answers": dict(session.answers),
        "skipped": set(session.skipped),
        "current": session.current_id,
        "state": session.state,
        "path": session.path,
        "scores": session.evaluation.score_values(),
        "derived": session.evaluation.derived_values(),
    }


def other_value(session: Session, question_id: str, rnd: random.Random) -> Any:
    """A valid value for a question that differs from its current answer."""
    q = session.flow.by_id[question_id].model
    current = session.answers.get(question_id)
    if isinstance(q, BoolQuestion):
        return not current
    if isinstance(q, ChoiceQuestion):
        return rnd.choice([o.value for o in q.options if o.value != current])
    if isinstance(q, IntQuestion):
        values = [v for v in range(q.min, q.max + 1, q.step) if v != current]
        return rnd.choice(values)
    if isinstance(q, NumberQuestion):
        return q.max if current != q.max else q.min
    return "T9" if current != "T9" else "L2"


def assert_consistent(session: Session) -> None:
    """Answers and skips lie on the path (or wait on an open question that decides whether they are asked),
    and the machine state is the open question or `done`."""
    path = set(session.path)
    if session.current is None:
        assert set(session.answers) <= path, f"answers off the path: {set(session.answers) - path}"
    else:
        # v2 chains conditions (escc_grade → other_neural_compression → compression_extent): an answer
        # whose question rests on one not answered yet is kept until that question decides.
        waiting = path | session._walk.whole().undetermined  # noqa: SLF001 - the walk's own record
        assert set(session.answers) <= waiting, f"answers off the path: {set(session.answers) - waiting}"
    assert session.skipped <= path
    assert session.state == (session.current_id or DONE)


def test_random_cases_walk_back_and_edit_consistently(flow) -> None:
    """2,000 random cases: one headline each; back + same answer restores the state; edits never leave answers off the path."""
    rnd = random.Random(SEED)
    headlines = set(flow.model.headlines)
    for n in range(CASES):
        answers = oracle.random_case(rnd)
        session = Session(flow)
        probe_at = rnd.randrange(1, len(answers) + 1)
        steps = 0
        while session.current is not None:
            step(session, answers)
            steps += 1
            assert_consistent(session)
            if steps == probe_at:
                before = snapshot(session)
                assert session.back(), f"case {n}: back refused after {steps} steps"
                assert_consistent(session)
                step(session, answers)
                assert snapshot(session) == before, f"case {n}: back then the same answer changed the state"
        result = session.result()
        assert result.recommendation.headline in headlines
        rule_statements = [s for s in result.recommendation.rationale if s.id.startswith("rule_")]
        assert len(rule_statements) == 1, f"case {n}: {len(rule_statements)} deciding rules"
        assert rule_statements[0].basis == result.recommendation.rule

        # Edit an early answer: whatever branch it opens or closes, no answer is left off the path.
        early = [q for q in session.answered_path[: max(1, len(session.answered_path) // 2)] if q in session.answers]
        question_id = rnd.choice(early)
        dropped = session.edit(question_id, other_value(session, question_id, rnd))
        assert_consistent(session)
        assert not set(dropped) & set(session.answers)
        assert not set(dropped) & set(session.path)
        session.close()


@settings(max_examples=150, deadline=None)
@given(answers=strategies.valid_answers())
def test_valid_answers_replay_to_one_headline(flow, answers: dict[str, Any]) -> None:
    """Any valid answers mapping replays to one known headline, using every answer given and only path questions."""
    outcome = replay(flow, answers)
    result = outcome.result
    assert result.recommendation.headline in flow.model.headlines
    assert outcome.unused == []
    assert set(result.answers) == set(answers) | set(result.defaults_applied)
    assert set(result.path) >= set(answers)
    assert result.recommendation.notice == flow.model.notice


# --- session behaviour ---------------------------------------------------------------------------------


@pytest.fixture
def session(flow) -> Session:
    """A new session on the shipped flow, closed afterwards."""
    s = Session(flow)
    yield s
    s.close()


def record(session: Session) -> list[Event]:
    """Attach a listener and return the list it fills."""
    events: list[Event] = []
    session.listeners.append(lambda _s, e: events.append(e))
    return events


NEURO = [True, True, 14, "C"]  # neuro_deficit, deficit_progressing, hours_since_deficit_onset, frankel


@pytest.mark.parametrize(
    ("answers_before", "bad"),
    [([], "maybe"), ([], 1), ([True, True], -1), ([True, True], 9000), ([True, True, 14], "F"), ([True, True], "x")],
    ids=["bool-word", "bool-int", "hours-negative", "hours-too-many", "frankel-f", "hours-text"],
)
def test_bad_value_leaves_the_session_unchanged(session: Session, answers_before: list[Any], bad: Any) -> None:
    """A refused value raises AnswerError naming the question and changes nothing, not even the event log."""
    for value in answers_before:
        session.answer(value)
    before = snapshot(session)
    events = record(session)
    with pytest.raises(AnswerError) as err:
        session.answer(bad)
    assert err.value.question_id == before["current"]
    assert err.value.allowed
    assert snapshot(session) == before
    assert events == []


def test_skip_is_refused_on_a_required_question(session: Session) -> None:
    """Skipping a required question raises SessionError and leaves the question open."""
    with pytest.raises(SessionError, match="neuro_deficit"):
        session.skip()
    assert session.current_id == "neuro_deficit"
    assert session.skipped == set()


def test_skip_is_allowed_on_an_optional_question(session: Session) -> None:
    """An optional question (ASIA) can be skipped; the interview moves on and records the skip."""
    for value in NEURO:
        session.answer(value)
    assert session.current_id == "asia"
    events = record(session)
    session.skip()
    assert "asia" in session.skipped
    assert session.current_id == "ambulatory"
    assert events == [Event("skip", "asia")]


def test_back_at_the_start_returns_false(session: Session) -> None:
    """Back on the first question changes nothing and says so."""
    before = snapshot(session)
    assert session.back() is False
    assert snapshot(session) == before


def test_back_remembers_the_answer_as_the_proposal(session: Session) -> None:
    """Back reopens the previous question and offers its old answer again."""
    session.answer(True)
    session.answer(False)
    assert session.back() is True
    assert session.current_id == "deficit_progressing"
    assert session.proposed("deficit_progressing") is False


def test_edit_returns_the_dropped_ids(session: Session) -> None:
    """Editing the gate question drops the answers of the branch it closes, in flow order."""
    for value in NEURO:
        session.answer(value)
    session.skip()  # asia
    events = record(session)
    dropped = session.edit("neuro_deficit", False)
    assert dropped == ["deficit_progressing", "hours_since_deficit_onset", "frankel", "asia"]
    assert session.answers == {"neuro_deficit": False}
    assert session.current_id == "radicular_pain"  # asked only when there is no deficit
    assert [e.kind for e in events] == ["edit", "drop", "drop", "drop", "drop"]
    assert events[0] == Event("edit", "neuro_deficit", True, False)
    # Re-opening the branch offers the dropped answers again.
    session.edit("neuro_deficit", True)
    assert session.current_id == "deficit_progressing"
    assert session.proposed("deficit_progressing") is True


def test_edit_off_the_path_is_refused(session: Session) -> None:
    """A question that is not on the case's path cannot be edited."""
    session.answer(False)
    with pytest.raises(SessionError, match="frankel"):
        session.edit("frankel", "A")


def test_events_are_emitted_for_each_change(session: Session) -> None:
    """Answer, back and edit each announce one event with the old and new value."""
    events = record(session)
    session.answer(True)
    session.answer(True)
    session.back()
    session.edit("neuro_deficit", True)
    assert events == [
        Event("answer", "neuro_deficit", None, True),
        Event("answer", "deficit_progressing", None, True),
        Event("back", "deficit_progressing", True, None),
        Event("edit", "neuro_deficit", True, True),
    ]


def test_state_follows_the_current_question(flow, session: Session) -> None:
    """The transitions state is the open question at every step, and `done` at the end."""
    answers = oracle.random_case(random.Random(3))
    while session.current is not None:
        assert session.state == session.current_id
        step(session, answers)
    assert session.state == DONE
    with pytest.raises(SessionError):
        session.answer(True)


def test_result_of_an_open_case_is_refused(session: Session) -> None:
    """result() names the open question instead of deciding an incomplete case."""
    with pytest.raises(SessionError, match="neuro_deficit"):
        session.result()


def test_tomita_growth_is_proposed_from_the_primary(flow) -> None:
    """Reaching Tomita growth proposes the primary's default (kidney: moderate) and the answer may override it."""
    answers = oracle.random_case(random.Random(0))
    answers.update(known_primary=True, primary_tumour="kidney", histology_established=True, staging_done=True,
                   extraspinal_bone_mets=0, vertebral_body_mets=1, visceral_mets="none")
    answers.pop("tomita_growth", None)
    answers.pop("visceral_mets_removable", None)
    answers.pop("visceral_mets_treatable", None)
    answers = {k: v for k, v in answers.items() if k in oracle.FIELDS}
    s = Session(flow)
    while s.current_id != "tomita_growth":
        step(s, {**oracle.complete(answers), **answers})
    assert s.proposed("tomita_growth") == "moderate"
    s.answer("slow")
    assert s.answers["tomita_growth"] == "slow"
    s.close()


def test_one_machine_per_flow(flow) -> None:
    """Two sessions share the flow's single transitions machine, built without auto transitions."""
    a, b = Session(flow), Session(flow)
    try:
        assert a._machine is b._machine is machine_for(flow)
        assert a._machine.machine.auto_transitions is False
        assert not any(name.startswith("to_") for name in a._machine.machine.events)
    finally:
        a.close()
        b.close()
