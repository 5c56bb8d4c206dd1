"""The case store: the event log is the answers and the audit trail; cases resume where they stopped."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
import yaml

from interview.engine.restore import open_session
from interview.engine.session import Event, Session
from interview.flow.load import load_flow
from interview.store.sqlite import (
    APPLICATION_ID,
    CaseStore,
    EventRecord,
    StoreError,
    UnknownCase,
    default_db_path,
    fold_events,
    resolve_db_path,
)
from store.helpers import stored_example


@pytest.mark.parametrize(
    ("events", "answers", "skipped"),
    [
        ([Event("answer", "a", None, 1)], {"a": 1}, []),
        ([Event("answer", "a", None, 1), Event("edit", "a", 1, 2)], {"a": 2}, []),
        ([Event("answer", "a", None, 1), Event("back", "a", 1, None)], {}, []),
        ([Event("answer", "a", None, 1), Event("drop", "a", 1, None)], {}, []),
        ([Event("skip", "b")], {}, ["b"]),
        ([Event("skip", "b"), Event("answer", "b", None, True)], {"b": True}, []),
        ([Event("skip", "b"), Event("back", "b")], {}, []),
        ([Event("default", "g", None, "slow")], {"g": "slow"}, []),
        ([Event("answer", "a", None, 1), Event("skip", "b"), Event("edit", "a", 1, 3)], {"a": 3}, ["b"]),
    ],
)
def test_fold_events(events, answers, skipped):
    """Folding the log gives the current answers and skips (answer/edit set, back/drop remove)."""
    assert fold_events(events) == (answers, skipped)


def test_every_change_is_logged_and_committed(store, flow, db_path):
    """Each answer, back and edit is in the database (seen by another connection) when the call returns."""
    case_id = store.create_case(flow)
    session = Session(flow)
    store.attach(session, case_id)
    other = sqlite3.connect(db_path)
    count = lambda: other.execute("SELECT count(*) FROM events WHERE case_id = ?", (case_id,)).fetchone()[0]  # noqa: E731
    session.answer(False)
    assert count() == 1
    session.answer(True)
    assert count() == 2
    session.back()
    assert count() == 3
    session.answer(False)
    session.edit("neuro_deficit", True)  # closes radicular_pain (asked only without a deficit): dropped
    assert count() == 6
    kinds = [r[0] for r in other.execute("SELECT kind FROM events WHERE case_id = ? ORDER BY seq", (case_id,))]
    assert kinds == ["answer", "answer", "back", "answer", "edit", "drop"]
    record = store.get_case(case_id)
    assert record.answers == session.answers
    assert record.events[-2] == EventRecord(5, record.events[-2].time, "edit", "neuro_deficit", False, True,
                                              store.user)
    assert record.events[-1] == EventRecord(6, record.events[-1].time, "drop", "radicular_pain", False, None,
                                              store.user)
    other.close()


def test_open_session_resumes_at_the_same_question(store, flow):
    """A resumed case has the same answers, skips and next question as the session that wrote it."""
    case_id = store.create_case(flow)
    session = Session(flow)
    store.attach(session, case_id)
    # no deficit, no radicular pain, walks, 64, female, known breast cancer with histology, on treatment
    for value in (False, False, True, 64, "female", True, "breast", True, "responding"):
        session.answer(value)
    resumed, warnings = open_session(store, case_id, flow)
    assert warnings == []
    assert resumed.answers == session.answers
    assert resumed.skipped == session.skipped
    assert resumed.current_id == session.current_id == "prior_rt_same_level"
    resumed.answer(False)  # the resumed session is attached: its changes go to the same log
    assert store.get_case(case_id).answers["prior_rt_same_level"] is False


def test_finish_lists_the_case_as_complete(store, flow):
    """A finished case carries its headline and the contract's JSON."""
    case_id = stored_example(store, flow, "renal_stable")
    [summary] = store.list_cases()
    record = store.get_case(case_id)
    assert (summary.id, summary.status) == (case_id, "complete")
    assert summary.headline == record.result["recommendation"]["headline"]
    assert record.result["flow"]["sha256"] == flow.sha256
    assert summary.label == f"case-{case_id[:4]}"


def test_a_change_after_finishing_reopens_the_case(store, flow):
    """Editing a finished case makes it in progress again: its stored result no longer holds."""
    case_id = stored_example(store, flow, "renal_stable")
    session, _ = open_session(store, case_id, flow)
    session.edit("kps", 40)
    record = store.get_case(case_id)
    assert (record.status, record.result, record.summary.headline) == ("in_progress", None, None)


def test_resume_with_another_flow_version_keeps_and_reports_answers(store, flow, tmp_path):
    """A case resumed under a changed flow says so; answers the new flow refuses stay in the record."""
    case_id = store.create_case(flow)
    session = Session(flow)
    store.attach(session, case_id)
    for value in (False, False, True, 90):  # no deficit, no radicular pain, walks, age 90
        session.answer(value)
    data = yaml.safe_load(flow.path.read_text(encoding="utf-8"))
    data["version"] = "1.1.0"
    # The new version only takes ages up to 85: the stored 90 no longer fits.
    next(q for q in data["questions"] if q["id"] == "age")["max"] = 85
    new_path = tmp_path / "spinal_metastases.yaml"
    new_path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    new_flow = load_flow(new_path)
    resumed, warnings = open_session(store, case_id, new_flow)
    assert any(f"(flow {flow.version})" in w and "current flow (1.1.0)" in w for w in warnings)
    assert any("'age'" in w and "out of range" in w for w in warnings)
    assert "age" not in resumed.answers
    assert resumed.current_id == "age"
    assert store.get_case(case_id).answers["age"] == 90  # kept in the record


def test_identifiers_and_labels(store, flow):
    """Identifiers are stored apart; a case can be found by its unique label."""
    case_id = store.create_case(flow, label="Bed 4", identifiers={"mrn": "12345"})
    assert store.get_case(case_id).identifiers == {"mrn": "12345"}
    assert store.resolve("Bed 4") == case_id
    assert store.resolve(case_id.lower()) == case_id


@pytest.mark.parametrize("action", ["get", "delete", "finish", "attach", "resolve"])
def test_unknown_case_is_one_clear_error(store, flow, action):
    """Every operation on an unknown id raises UnknownCase naming the id."""
    calls = {
        "get": lambda: store.get_case("NOPE"),
        "delete": lambda: store.delete_case("NOPE"),
        "finish": lambda: store.finish("NOPE", stored_result(store, flow)),
        "attach": lambda: store.attach(Session(flow), "NOPE"),
        "resolve": lambda: store.resolve("NOPE"),
    }
    with pytest.raises(UnknownCase, match="NOPE"):
        calls[action]()


def stored_result(store, flow):
    """A result to finish cases with."""
    from interview.result import read_result

    return read_result(store.get_case(stored_example(store, flow, "renal_stable")).result)


def test_delete_removes_case_and_log(store, flow, db_path):
    """Deleting a case removes its row and its events."""
    case_id = stored_example(store, flow, "unknown_primary")
    store.delete_case(case_id)
    assert store.list_cases() == []
    with sqlite3.connect(db_path) as db:
        assert db.execute("SELECT count(*) FROM events").fetchone()[0] == 0


def test_database_is_owner_only_wal_and_marked(store, flow, db_path):
    """The file is 0600, in WAL mode, and carries our application id and schema version."""
    store.create_case(flow)
    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600
    for extra in ("-wal", "-shm"):
        side = Path(str(db_path) + extra)
        if side.exists():
            assert stat.S_IMODE(os.stat(side).st_mode) == 0o600
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID


def test_path_resolution(monkeypatch, tmp_path):
    """--db wins over $SPINE_INTERVIEW_DB, which wins over the user data directory."""
    monkeypatch.setenv("SPINE_INTERVIEW_DB", str(tmp_path / "env.db"))
    assert resolve_db_path(tmp_path / "arg.db") == tmp_path / "arg.db"
    assert resolve_db_path(None) == tmp_path / "env.db"
    monkeypatch.delenv("SPINE_INTERVIEW_DB")
    assert resolve_db_path(None) == default_db_path()
    assert default_db_path().name == "cases.sqlite3"


def test_closed_store_says_so(db_path):
    """Using a closed store is a StoreError, not an sqlite3 exception."""
    s = CaseStore(db_path)
    s.close()
    s.close()
    with pytest.raises(StoreError, match="closed"):
        s.list_cases()


def test_proposed_defaults_survive_storage(store, flow):
    """A replayed case that took a proposed default resumes with it still marked as the default."""
    from interview.engine.replay import replay
    from interview.store.sqlite import save_result_case
    from store.helpers import example_answers

    outcome = replay(flow, example_answers("renal_stable"))  # the example leaves tomita_growth to its default
    taken = outcome.result.defaults_applied
    assert taken == ["tomita_growth"]
    case_id = save_result_case(store, flow, outcome.result)
    resumed, _ = open_session(store, case_id, flow)
    assert resumed.result().to_json_dict() == outcome.result.to_json_dict()
    assert [e.kind for e in store.get_case(case_id).events].count("default") == len(taken)
