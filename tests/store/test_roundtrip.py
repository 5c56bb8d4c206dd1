"""Random cases survive storage and the JSON export unchanged (hypothesis, with the repo's own strategy)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from strategies import valid_answers

from interview.engine.replay import replay
from interview.engine.restore import open_session
from interview.engine.session import Session
from interview.export.json_export import case_json
from interview.store.sqlite import CaseStore, save_result_case

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(answers=valid_answers())
def test_finished_case_round_trips(answers, flow, tmp_path_factory):
    """A replayed case stored and exported as JSON gives back the replay's result, answers and path."""
    outcome = replay(flow, answers)
    db = tmp_path_factory.mktemp("rt") / "cases.sqlite3"
    with CaseStore(db) as store:
        case_id = save_result_case(store, flow, outcome.result)
    with CaseStore(db) as store:  # a fresh connection: nothing comes from memory
        record = store.get_case(case_id)
        resumed, warnings = open_session(store, case_id, flow)
    exported = case_json(record, flow)
    expected = outcome.result.to_json_dict()
    assert {k: exported[k] for k in expected} == expected
    assert record.answers == outcome.result.answers
    assert resumed.answers == outcome.result.answers and resumed.done and warnings == []
    assert resumed.result().to_json_dict() == expected
    assert [e["question"] for e in exported["events"]] == outcome.result.path


@SETTINGS
@given(answers=valid_answers())
def test_case_answered_live_round_trips(answers, flow, tmp_path_factory):
    """A case answered through an attached session, stopped half-way, resumes with the same answers and question."""
    db = tmp_path_factory.mktemp("live") / "cases.sqlite3"
    with CaseStore(db) as store:
        case_id = store.create_case(flow)
        session = Session(flow)
        store.attach(session, case_id)
        steps = 0
        while (q := session.current) is not None and steps < max(1, len(answers) // 2):
            session.answer(answers[q.id]) if q.id in answers else session.skip()
            steps += 1
    with CaseStore(db) as store:
        resumed, _ = open_session(store, case_id, flow)
        exported = case_json(store.get_case(case_id), flow)
    assert resumed.answers == session.answers
    assert resumed.skipped == session.skipped
    assert resumed.current_id == session.current_id == exported["next_question"]
    assert exported["answers"] == session.answers
