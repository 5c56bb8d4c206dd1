"""Opening the app: what the start-up path imports, and garbage collection held until the first frame."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import weakref

import pytest
from paths import ROOT

from interview.tui import heap

_OPEN = """
import sys
from interview.flow.load import load_flow
import interview.tui.app
load_flow()
print(sorted({m.split(".")[0] for m in sys.modules} & {"pydantic", "pydantic_core", "yaml"}))
"""


def test_a_cached_flow_opens_without_pydantic_or_yaml(tmp_path):
    """From the cache, neither the flow's validator (pydantic) nor its parser (PyYAML) is imported."""
    env = dict(os.environ, SPINE_INTERVIEW_CACHE=str(tmp_path / "cache"))
    runs = [subprocess.run([sys.executable, "-c", _OPEN], cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=120, check=True) for _ in range(2)]
    first, second = (run.stdout.strip() for run in runs)
    assert first == "['pydantic', 'pydantic_core', 'yaml']", "the first open validates the flow file"
    assert second == "[]", runs[1].stderr


def test_the_command_draws_its_first_question(tmp_path):
    """`spine-interview` itself (the console entry, not the app class) starts and draws the first question."""
    env = dict(os.environ, SPINE_INTERVIEW_EXIT_AFTER_RENDER="1", SPINE_INTERVIEW_DB=str(tmp_path / "cases.db"))
    run = subprocess.run([sys.executable, "-c", "from interview.cli import main; raise SystemExit(main([]))"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert run.returncode == 0, run.stderr[-800:]
    assert "first-render " in run.stderr


@pytest.fixture
def held_heap():
    """Collection held as `spine-interview` holds it; on again after the test whatever happened."""
    heap.hold()
    yield
    heap.release()
    gc.enable()


async def test_collection_resumes_once_the_first_question_is_drawn(make_app, held_heap):
    """The launcher's hold on garbage collection ends at the first frame, never later."""
    assert heap.held() and not gc.isenabled()
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert not heap.held() and gc.isenabled()


async def test_the_first_screen_is_collected_once_another_case_opens(make_app, held_heap):
    """Nothing made at start-up is kept for good: the first screen goes when a case replaces it."""
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("n", "enter")
        await pilot.pause()
        first = weakref.ref(app.screen)
        app._resume(app.keeper.case_id)
        await pilot.pause()
        assert app.screen is not first()
        gc.collect()
        await pilot.pause()
        gc.collect()
        assert first() is None


def test_the_case_store_opens_when_first_needed(temp_db):
    """Building the keeper touches no file; the store opens on first use (the app: after the first frame)."""
    from interview.tui.storage import CaseKeeper

    keeper = CaseKeeper(str(temp_db))
    assert not temp_db.exists()
    assert keeper.available and keeper.warning is None
    assert temp_db.exists()


async def test_a_damaged_case_database_is_reported_once_the_question_is_drawn(make_app, temp_db):
    """A store that cannot be opened is one warning on screen; the interview still takes answers."""
    temp_db.write_bytes(b"this is not a database\n" * 64)
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert sum("Case storage unavailable" in m for m in messages) == 1, messages
        await pilot.press("n", "enter")
        await pilot.pause()
        assert app.session.answers, "the first answer is kept in memory"
