"""Fixtures of the case-store tests: a private database per test and an open store on it."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def db_path(tmp_path, monkeypatch) -> Path:
    """Every test writes to its own database, never the user's (also through the environment)."""
    path = tmp_path / "cases.sqlite3"
    monkeypatch.setenv("SPINE_INTERVIEW_DB", str(path))
    return path


@pytest.fixture
def store(db_path):
    """An open case store on the test's database."""
    from interview.store.sqlite import CaseStore

    s = CaseStore(db_path)
    yield s
    s.close()


from pg_server import pg_server, pg_url  # noqa: E402,F401 - the session's PostgreSQL server, for these tests


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request, db_path):
    """An open case store of each backend: the contract suite runs once per backend."""
    from interview.store import open_store

    db = str(db_path) if request.param == "sqlite" else request.getfixturevalue("pg_url")
    s = open_store(db, user="dr.registrar")
    yield s
    s.close()
