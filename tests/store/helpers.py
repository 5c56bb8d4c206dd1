"""Shared helpers of the store and export tests: a private database per test, the contract examples and
stored cases made from them, and processes started together against one database."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from paths import EXAMPLES, ROOT  # noqa: F401 (re-exported for the tests)

EXAMPLE_NAMES = ("emergency_breast", "renal_stable", "unknown_primary")
#: The tests' fixed "now": clock items (done, due, time left) are computed against it, never the wall clock.
NOW = datetime(2026, 11, 29, 20, 0, tzinfo=UTC)


# --- fixtures (imported by the store and export conftest.py, as pg_server's are; named apart from their
# functions so that a test's `store` argument never shadows an imported name) --------------------------


@pytest.fixture(autouse=True, name="db_path")
def db_path_fixture(tmp_path, monkeypatch) -> Path:
    """Every test writes to its own database, never the user's (also through the environment)."""
    path = tmp_path / "cases.sqlite3"
    monkeypatch.setenv("SPINE_INTERVIEW_DB", str(path))
    return path


@pytest.fixture(name="store")
def store_fixture(db_path):
    """An open case store on the test's database."""
    from interview.store.sqlite import CaseStore

    s = CaseStore(db_path)
    yield s
    s.close()


# --- cases ---------------------------------------------------------------------------------------------


def example_answers(name: str) -> dict[str, Any]:
    """The answers file of a contract example."""
    return yaml.safe_load((EXAMPLES / f"{name}.answers.yaml").read_text(encoding="utf-8"))


def stored_example(store: Any, flow: Any, name: str, **kwargs: Any) -> str:
    """Replay a contract example and store it as a finished case; returns the case id."""
    from interview.engine.replay import replay
    from interview.store.sqlite import save_result_case

    return save_result_case(store, flow, replay(flow, example_answers(name)).result, **kwargs)


# --- processes writing at the same time ----------------------------------------------------------------


def run_together(target: Callable[..., None], args: Iterable[tuple[Any, ...]], *, timeout: float) -> list[Any]:
    """Start one spawned process per ``args`` and let them all go at once; returns what each put on the queue.

    ``target`` is called as ``target(*args, start, out)``: it waits for ``start`` before its writes and
    puts its result on ``out``. Each process must end with exit code 0 within ``timeout`` seconds.
    """
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    workers = [ctx.Process(target=target, args=(*a, start, out)) for a in args]
    for w in workers:
        w.start()
    start.set()
    for w in workers:
        w.join(timeout)
        assert w.exitcode == 0
    return [out.get(timeout=10) for _ in workers]
