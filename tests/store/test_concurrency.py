"""Two processes writing different cases to one database at the same time lose nothing."""

from __future__ import annotations

from interview.store.sqlite import CaseStore
from store.helpers import run_together

EVENTS_PER_PROCESS = 300


def _writer(db: str, start, out) -> None:
    """Create a case and log EVENTS_PER_PROCESS answers to it, one committed transaction each."""
    from interview.engine.session import Event
    from interview.flow.load import load_flow

    flow = load_flow()
    with CaseStore(db) as store:
        case_id = store.create_case(flow)
        start.wait()
        for i in range(EVENTS_PER_PROCESS):
            store.append(case_id, [Event("edit", "age", i - 1 if i else None, i)])
    out.put(case_id)


def test_two_writers_lose_nothing(db_path):
    """Each of two concurrent processes finds all of its events, in order, in its own case."""
    CaseStore(db_path).close()  # create the file first, as the app would
    case_ids = set(run_together(_writer, [(str(db_path),)] * 2, timeout=120))
    assert len(case_ids) == 2
    with CaseStore(db_path) as store:
        for case_id in case_ids:
            events = store.get_case(case_id).events
            assert [e.new for e in events] == list(range(EVENTS_PER_PROCESS))
            assert store.get_case(case_id).answers == {"age": EVENTS_PER_PROCESS - 1}


def test_two_processes_creating_the_database_at_once(tmp_path):
    """Two processes opening a database that does not exist yet both end up with one valid store."""
    db = tmp_path / "fresh.sqlite3"
    run_together(_writer, [(str(db),)] * 2, timeout=120)
    with CaseStore(db) as store:
        assert len(store.list_cases()) == 2
