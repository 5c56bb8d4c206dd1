"""The tests' own PostgreSQL server: where none can start, one skip line — or a failure when CI requires it."""

from __future__ import annotations

import pg_server
import pytest


def _no_binaries(monkeypatch):
    monkeypatch.setattr(pg_server.glob, "glob", lambda pattern: [])
    monkeypatch.setattr(pg_server.shutil, "which", lambda name: None)


def test_no_server_binaries_is_one_skip_line(monkeypatch):
    """Without the server binaries the PostgreSQL tests skip, saying what is missing."""
    _no_binaries(monkeypatch)
    monkeypatch.delenv(pg_server.REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"^no PostgreSQL server could start here: no PostgreSQL "
                                                    r"server binaries \(apt-get install postgresql\)$"):
        pg_server.start_or_skip()


def test_required_services_turn_the_skip_into_a_failure(monkeypatch):
    """Under SPINE_REQUIRE_SERVICES=1 (.ci/run) the same situation fails the run instead."""
    _no_binaries(monkeypatch)
    monkeypatch.setenv(pg_server.REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match=r"SPINE_REQUIRE_SERVICES=1\)$"):
        pg_server.start_or_skip()
