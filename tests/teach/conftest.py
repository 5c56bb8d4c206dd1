"""Fixtures of the teaching tests: the shipped library and its cases, and the session's PostgreSQL server for
the lecture room's learning log."""

from __future__ import annotations

import contextlib

import pytest
from pg_server import pg_server, pg_url  # noqa: F401 - started only by the tests that ask for it

from interview.teach.library import find_case, load_library


@pytest.fixture(scope="module")
def library(flow):
    """The shipped library, validated against the flow."""
    return load_library(flow=flow)


@pytest.fixture(scope="module")
def library_case(library):
    """A case of the shipped library by its id: ``library_case("colon_stable_cebrt")``."""
    return lambda case_id: find_case(library, case_id).case


@pytest.fixture(scope="module")
def colon_case(library_case):
    """A case with every checkpoint (SINS, ESCC, Tokuhashi, Tomita, headline)."""
    return library_case("colon_stable_cebrt")


@pytest.fixture
def quiz_on(flow, tmp_path):
    """Start the quiz app on a case, settled, with its learning log at ``tmp_path / "log.jsonl"``:
    ``async with quiz_on(case, (80, 24)) as (pilot, screen): ...``."""
    from interview.tui.screens.quiz import QuizApp

    @contextlib.asynccontextmanager
    async def start(case, size: tuple[int, int]):
        app = QuizApp(flow, case, log_path=tmp_path / "log.jsonl")
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            yield pilot, app.screen

    return start
