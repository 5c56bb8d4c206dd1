"""The PostgreSQL case store on a real server: schema versions, connection settings, many writers, a crash."""

from __future__ import annotations

import threading
import time

import pytest

from interview.engine.session import Event, Session
from interview.store import open_store
from interview.store.postgres import SCHEMA, PostgresStore, migrate
from interview.store.records import CaseChanged, NoDatabase, ServerUnavailable, StoreError
from store.helpers import run_together

PROCESSES = 8
EVENTS_PER_PROCESS = 250


# --- schema and connection --------------------------------------------------------------------------


def test_url_picks_the_backend(pg_url, db_path):
    """A postgresql:// URL opens the server store, a path the SQLite file (through the same call)."""
    from interview.store.sqlite import CaseStore

    with open_store(pg_url) as server, open_store(str(db_path)) as file:
        assert isinstance(server, PostgresStore) and isinstance(file, CaseStore)
        assert server.location.startswith("postgresql://postgres@127.0.0.1:")


def test_migrate_is_idempotent(pg_url):
    """db migrate on a current schema changes nothing and says it was current."""
    assert migrate(pg_url) == (1, 1)


def test_unmigrated_database_says_run_migrate(pg_server):
    """A database without our tables is not written to; the message names the command that creates them."""
    pg_server.psql("postgres", "CREATE DATABASE bare")
    with pytest.raises(StoreError, match=r"run `spine-interview db migrate --db URL` once"):
        PostgresStore(pg_server.url("bare"))
    with pytest.raises(NoDatabase):
        PostgresStore(pg_server.url("bare"), read_only=True)


def test_newer_schema_is_refused(pg_server, pg_url):
    """Tables made by a newer spine-interview are refused by the store and by db migrate, with one line."""
    name = pg_url.rsplit("/", 1)[1].split("?")[0]
    pg_server.psql(name, f"UPDATE {SCHEMA}.schema_version SET version = 99")
    for action in (lambda: PostgresStore(pg_url), lambda: migrate(pg_url)):
        with pytest.raises(StoreError) as caught:
            action()
        assert "newer spine-interview (schema 99, this one reads up to 1)" in caught.value.message
        assert "\n" not in caught.value.message


def test_password_in_the_url_is_refused_and_never_shown(pg_server):
    """A URL with a password is refused pointing to ~/.pgpass; the message does not repeat the password."""
    url = pg_server.url().replace("postgres@", "postgres:s3cret-pw@")
    with pytest.raises(StoreError) as caught:
        open_store(url)
    assert "~/.pgpass" in caught.value.message and "s3cret-pw" not in caught.value.message


def test_pg_environment_fills_what_the_url_leaves_out(pg_server, pg_url, monkeypatch):
    """Host and port from PGHOST/PGPORT (libpq's own variables) when the URL names only the database."""
    name = pg_url.rsplit("/", 1)[1].split("?")[0]
    monkeypatch.setenv("PGHOST", "127.0.0.1")
    monkeypatch.setenv("PGPORT", str(pg_server.port))
    monkeypatch.setenv("PGUSER", "postgres")
    with open_store(f"postgresql:///{name}") as store:
        assert store.list_cases() == []


def test_sslmode_passes_through(pg_url):
    """sslmode reaches libpq: require against a server without TLS fails with its reason, not silently."""
    with pytest.raises(ServerUnavailable, match="SSL"):
        open_store(pg_url.replace("sslmode=disable", "sslmode=require"))


def test_read_only_store_does_not_write(pg_url, flow):
    """Opened read-only (cases list/show/export), the server store refuses a write with one line."""
    with open_store(pg_url) as store:
        case_id = store.create_case(flow)
    with open_store(pg_url, read_only=True) as reader:
        assert reader.case_ids() == [case_id]
        with pytest.raises(StoreError, match="opened read-only; the answer was not saved"):
            reader.append(case_id, [Event("answer", "neuro_deficit", None, False)])


def test_server_down_is_one_line(pg_server, flow):
    """No server at the address: one line naming where, never the URL's secrets or a traceback."""
    url = pg_server.url().replace(str(pg_server.port), "1")
    with pytest.raises(ServerUnavailable, match=r"^postgresql://postgres@127.0.0.1:1/spine: cannot reach"):
        open_store(url)


# --- many writers ---------------------------------------------------------------------------------------


def _writer(url: str, case_id: str | None, number: int, optimistic: bool, start, out) -> None:
    """Append EVENTS_PER_PROCESS events, one committed transaction each, to one case or a case of its own.

    ``optimistic``: each write carries the count this writer last saw, as the interview's do; a
    refused write is tried again on the new count (the conflict path under load).
    """
    from interview.flow.load import load_flow

    conflicts = 0
    with PostgresStore(url, user=f"writer{number}") as store:
        if case_id is None:
            case_id = store.create_case(load_flow())
        seen = store.event_count(case_id)
        start.wait()
        for i in range(EVENTS_PER_PROCESS):
            event = Event("mark", f"w{number}", None, {"i": i})
            while True:
                try:
                    seen = store.append(case_id, [event], expected=seen if optimistic else None)
                    break
                except CaseChanged as err:
                    conflicts += 1
                    seen = err.count
    out.put((case_id, conflicts))


def _run_writers(url: str, case_id: str | None, optimistic: bool = False) -> list[str]:
    results = run_together(_writer, [(url, case_id, n, optimistic) for n in range(PROCESSES)], timeout=300)
    _run_writers.conflicts = sum(c for _, c in results)  # type: ignore[attr-defined]
    return [case_id for case_id, _ in results]


def _check_log(events, writers: list[str]) -> None:
    """Every writer's events present once each, in the order it wrote them, numbered without gaps."""
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    for w in writers:
        mine = [e.new["i"] for e in events if e.question == w]
        assert mine == list(range(EVENTS_PER_PROCESS))


@pytest.mark.parametrize("optimistic", [False, True], ids=["append", "expected-count"])
def test_eight_processes_on_one_case(pg_url, flow, optimistic):
    """8 processes × 250 events on one case: 2000 events, each once, each writer's in its order — also when
    every write carries the count its writer last saw and is refused (then retried) when another got in."""
    with PostgresStore(pg_url) as store:
        case_id = store.create_case(flow)
        _run_writers(pg_url, case_id, optimistic)
        if optimistic:
            assert _run_writers.conflicts > 0  # the refusal path really ran
        events = store.events(case_id)
        assert len(events) == PROCESSES * EVENTS_PER_PROCESS == store.event_count(case_id)
        _check_log(events, [f"w{n}" for n in range(PROCESSES)])
        assert {e.who for e in events} == {f"writer{n}" for n in range(PROCESSES)}


def test_eight_processes_on_separate_cases(pg_url):
    """8 processes × 250 events, each on its own case: every case holds exactly its writer's events."""
    case_ids = _run_writers(pg_url, None)
    assert len(set(case_ids)) == PROCESSES
    with PostgresStore(pg_url) as store:
        for case_id in case_ids:
            events = store.events(case_id)
            writers = {e.question for e in events}
            assert len(events) == EVENTS_PER_PROCESS and len(writers) == 1
            _check_log(events, list(writers))


# --- a crash of the server ----------------------------------------------------------------------------


def test_postmaster_killed_mid_write_loses_nothing_reported_saved(pg_server, pg_url, flow):
    """SIGKILL to the postmaster while a writer appends: it is told, keeps the event, and after the restart
    every event it was told was saved is in the log, once, in order."""
    with PostgresStore(pg_url) as store:
        case_id = store.create_case(flow)
    saved: list[int] = []
    failures: list[str] = []
    stop = threading.Event()

    def write() -> None:
        with PostgresStore(pg_url) as store:
            count, i = 0, 0
            while not stop.is_set() and i < 400:
                event = Event("mark", "tick", None, {"i": i})
                try:
                    count = store.append(case_id, [event], expected=count)
                except ServerUnavailable as err:
                    failures.append(err.message)  # the event is still here: tried again below
                    time.sleep(0.05)
                    continue
                except CaseChanged as err:
                    # The commit was in flight when the server died and did land: it is ours, once.
                    assert [e.new for e in err.events] == [{"i": i}]
                    count = err.count
                saved.append(i)
                i += 1

    writer = threading.Thread(target=write)
    writer.start()
    try:
        deadline = time.monotonic() + 60
        while len(saved) < 50 and time.monotonic() < deadline:
            time.sleep(0.01)
        pg_server.kill()
        time.sleep(0.5)
        while not failures and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        pg_server.start()
    writer.join(120)
    stop.set()
    assert failures, "the writer never noticed the server was gone"
    assert "cannot reach the case server" in failures[0] and failures[0].endswith("the answer was not saved")
    with PostgresStore(pg_url) as store:
        logged = [e.new["i"] for e in store.events(case_id)]
    assert logged == saved == list(range(400))


def test_session_keeps_the_answer_in_memory_while_the_server_is_down(pg_server, pg_url, flow):
    """An answer given while the server is down is refused with the reason; the session is as it was, and the
    same answer goes through once the server is back."""
    with PostgresStore(pg_url) as store:
        case_id = store.create_case(flow)
        session = Session(flow)
        store.attach(session, case_id)
        session.answer(False)
        pg_server.kill()
        try:
            with pytest.raises(ServerUnavailable, match="the answer was not saved"):
                session.answer(False)
            assert session.answers == {"neuro_deficit": False} and session.current_id == "radicular_pain"
        finally:
            pg_server.start()
        session.answer(False)
        assert store.get_case(case_id).answers == session.answers


# --- the GRANTs the README gives ------------------------------------------------------------------------


def test_the_clinicians_role_works_with_the_readme_grants_only(pg_server, pg_url, flow):
    """A role with exactly README's GRANTs creates, answers, finishes, lists and copies cases — and cannot
    change the schema (db migrate as that role is refused with one line)."""
    name = pg_url.rsplit("/", 1)[1].split("?")[0]
    pg_server.psql("postgres", "DO $$ BEGIN CREATE ROLE spine_app LOGIN; EXCEPTION WHEN duplicate_object THEN "
                               "NULL; END $$")
    pg_server.psql(name, pg_server.sql_from_readme("case-role-sql", name))
    app_url = pg_server.url(name, user="spine_app")
    from store.helpers import stored_example

    with open_store(app_url, user="dr.registrar") as store:
        case_id = store.create_case(flow, "bed 3")
        store.append(case_id, [Event("answer", "neuro_deficit", None, False)])
        done = stored_example(store, flow, "renal_stable")
        assert {c.id for c in store.list_cases(pending=True)} == {case_id}
        store.delete_case(done)
    pg_server.psql(name, f"UPDATE {SCHEMA}.schema_version SET version = 0")
    with pytest.raises(StoreError, match="not allowed to create or change the schema spine_cases"):
        migrate(app_url)
