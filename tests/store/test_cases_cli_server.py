"""The case store's command line with a server: db migrate, cases list filters, cases copy."""

from __future__ import annotations

import json

import pytest

from interview.cli import main
from interview.engine.session import Event
from interview.store import open_store
from store.helpers import stored_example
from store.v1_fixture import copy_fixture


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_db_migrate_creates_then_has_nothing_to_do(pg_server, capsys):
    """db migrate on an empty database creates the tables; a second run says there is nothing to do."""
    pg_server.psql("postgres", "CREATE DATABASE fresh_cli")
    url = pg_server.url("fresh_cli")
    code, out, _ = _run(capsys, "db", "migrate", "--db", url)
    assert code == 0 and out.strip().endswith("case tables created (schema 1)")
    code, out, _ = _run(capsys, "db", "migrate", "--db", url, "--learning-db", url)
    assert code == 0
    assert "at schema 1 already; nothing to do" in out and "learning log created (schema 1)" in out


def test_db_migrate_brings_a_v1_file_up_to_date(tmp_path, capsys):
    """An SQLite file of schema 1 is migrated to 2 (events record who wrote them), its cases kept."""
    db = copy_fixture(tmp_path)
    code, out, _ = _run(capsys, "db", "migrate", "--db", str(db))
    assert code == 0 and out.strip().endswith("case tables migrated from schema 1 to 2")
    with open_store(str(db), read_only=True) as store:
        assert len(store.list_cases()) > 0


def test_list_filters_on_a_server(pg_url, flow, capsys):
    """cases list --user, --pending and --since select on the server as the store does."""
    with open_store(pg_url, user="dr.night") as store:
        night = store.create_case(flow, "night case")
        store.append(night, [Event("answer", "neuro_deficit", None, False)])
    with open_store(pg_url, user="dr.day") as store:
        day = stored_example(store, flow, "renal_stable", label="day case")
    code, out, _ = _run(capsys, "cases", "list", "--db", pg_url, "--user", "dr.night", "--format", "json")
    assert code == 0 and [c["id"] for c in json.loads(out)] == [night]
    code, out, _ = _run(capsys, "cases", "list", "--db", pg_url, "--pending", "--format", "json")
    assert [c["id"] for c in json.loads(out)] == [night]
    code, out, _ = _run(capsys, "cases", "list", "--db", pg_url, "--since", "1h", "--format", "json")
    assert {c["id"] for c in json.loads(out)} == {night, day}
    code, out, _ = _run(capsys, "cases", "list", "--db", pg_url, "--since", "2999-01-01")
    assert code == 0 and out.strip().endswith("match")


@pytest.mark.parametrize("bad", ["yesterday", "2026-13-01", "7w"])
def test_since_names_what_is_allowed(bad, capsys, db_path):
    """A --since the app cannot read is one line naming the forms it takes (exit 2)."""
    code, _, err = _run(capsys, "cases", "list", "--db", str(db_path), "--since", bad)
    assert code == 2 and "expected a date or time (2026-11-29" in err and "Traceback" not in err


def test_copy_file_to_server_twice(tmp_path, pg_url, flow, capsys):
    """cases copy file → server copies every case; the second run copies nothing twice."""
    src = tmp_path / "ward.sqlite3"
    with open_store(str(src)) as store:
        for name in ("renal_stable", "emergency_breast", "unknown_primary"):
            stored_example(store, flow, name)
    code, out, _ = _run(capsys, "cases", "copy", "--from", str(src), "--to", pg_url)
    assert code == 0 and out.strip().endswith("3 copied, 0 brought up to date, 0 already there")
    code, out, _ = _run(capsys, "cases", "copy", "--from", str(src), "--to", pg_url)
    assert code == 0 and out.strip().endswith("0 copied, 0 brought up to date, 3 already there")


def test_copy_refuses_a_password_and_the_same_store(tmp_path, pg_server, capsys):
    """A URL with a password is refused without repeating it; copying a store onto itself is refused."""
    with open_store(str(tmp_path / "a.sqlite3")):
        pass
    url = pg_server.url().replace("postgres@", "postgres:hunter2@")
    code, out, err = _run(capsys, "cases", "copy", "--from", str(tmp_path / "a.sqlite3"), "--to", url)
    assert code != 0 and "hunter2" not in out + err and "~/.pgpass" in err
    code, _, err = _run(capsys, "cases", "copy", "--from", str(tmp_path / "a.sqlite3"), "--to",
                        str(tmp_path / "a.sqlite3"))
    assert code == 2 and "are the same store" in err


def test_show_names_who_wrote_each_event(pg_url, flow, capsys):
    """cases show lists every event with its writer: the audit trail of a case several clinicians share."""
    with open_store(pg_url, user="dr.night") as store:
        case_id = store.create_case(flow)
        store.append(case_id, [Event("answer", "neuro_deficit", None, False)])
    with open_store(pg_url, user="dr.day") as store:
        store.append(case_id, [Event("answer", "radicular_pain", None, False)])
    code, out, _ = _run(capsys, "cases", "show", case_id, "--db", pg_url)
    assert code == 0
    log = [line for line in out.splitlines() if "neuro_deficit" in line or "radicular_pain" in line][-2:]
    assert log[0].endswith("by dr.night") and log[1].endswith("by dr.day")
