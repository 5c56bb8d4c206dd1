"""Fixtures of the case-store tests: a private database per test, an open store on it, and each backend."""

from __future__ import annotations

import pytest
from pg_server import pg_server, pg_url  # noqa: F401 - the session's PostgreSQL server, for these tests

from store.helpers import db_path_fixture, store_fixture  # noqa: F401 - a private database per test, a store on it


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request, db_path):
    """An open case store of each backend: the contract suite runs once per backend."""
    from interview.store import open_store

    db = str(db_path) if request.param == "sqlite" else request.getfixturevalue("pg_url")
    s = open_store(db, user="dr.registrar")
    yield s
    s.close()
