"""Fixtures of the teaching tests: the session's PostgreSQL server for the lecture room's learning log."""

from __future__ import annotations

from pg_server import pg_server, pg_url  # noqa: F401 - started only by the tests that ask for it
