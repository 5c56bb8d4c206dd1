"""The interview's autosave on a shared server: a server that goes away, a colleague's change to the case."""

from __future__ import annotations

import pytest

from interview.engine.session import Event, Session, SessionError
from interview.tui.storage import CaseKeeper


def _started(url: str, flow, *values) -> tuple[CaseKeeper, Session]:
    keeper = CaseKeeper(url)
    session = Session(flow)
    assert keeper.ensure_case(session) is None
    for v in values:
        session.answer(v)
    return keeper, session


def test_server_away_keeps_answers_in_memory_and_saves_them_in_order(pg_server, pg_url, flow):
    """Answers given while the server is down stay in the session, are said to be unsaved, and reach the log
    in order with the first answer after the restart."""
    keeper, session = _started(pg_url, flow, False)
    pg_server.kill()
    try:
        session.answer(False)  # radicular pain: no — the session goes on
        session.answer(True)  # walks
        note = keeper.ensure_case(session)
        assert "cannot reach the case server" in note and "the answer was not saved" in note
        assert "2 unsaved change(s)" in note
        assert not keeper.saving  # quitting now asks first
    finally:
        pg_server.start()
    session.answer(64)
    assert keeper.ensure_case(session).startswith("The case server is back: 2 change(s)")
    record = keeper.store.get_case(keeper.case_id)
    assert record.answers == session.answers and [e.question for e in record.events] == [
        "neuro_deficit", "radicular_pain", "ambulatory", "age"]
    assert keeper.saving


def test_colleague_on_another_question_answer_kept(pg_url, flow):
    """A colleague's mark meanwhile: the case is reloaded and this answer is written after it."""
    keeper, session = _started(pg_url, flow, False)
    from interview.store import open_store

    with open_store(pg_url, user="dr.consultant") as other:
        other.append(keeper.case_id, [Event("mark", "mri_done", None, {"at": "07:00"})])
    session.answer(False)
    assert keeper.ensure_case(session).endswith("reloaded, your answer to radicular_pain was kept")
    assert [e.kind for e in keeper.store.events(keeper.case_id)] == ["answer", "mark", "answer"]


def test_colleague_answered_the_same_question_answer_refused(pg_url, flow):
    """A colleague answered the same question meanwhile: this answer is refused with why, theirs stands,
    and the session shows the case as it is now."""
    keeper, session = _started(pg_url, flow, False)
    from interview.store import open_store

    with open_store(pg_url, user="dr.consultant") as other:
        other.append(keeper.case_id, [Event("answer", "radicular_pain", None, True)])
    with pytest.raises(SessionError, match="not applied because dr.consultant answered it meanwhile"):
        session.answer(False)
    assert session.answers == {"neuro_deficit": False, "radicular_pain": True}
    assert keeper.store.get_case(keeper.case_id).answers == session.answers


def test_finish_writes_what_was_kept_in_memory_first(pg_server, pg_url, flow):
    """A case finished after the server came back has every answer in its log before its result."""
    from interview.engine.replay import replay
    from store.helpers import example_answers

    keeper, session = _started(pg_url, flow, False)
    pg_server.kill()
    try:
        session.answer(False)
        assert not keeper.saving  # still away: the change stays in memory, quitting would ask
    finally:
        pg_server.start()
    assert keeper.finish(replay(flow, example_answers("renal_stable")).result) is None
    record = keeper.store.get_case(keeper.case_id)
    assert [e.question for e in record.events] == ["neuro_deficit", "radicular_pain"]
    assert record.status == "complete"
