"""Opening the app: what the start-up path imports, and garbage collection held until the first frame."""

from __future__ import annotations

import gc
import os
import subprocess
import sys

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


@pytest.fixture
def held_heap():
    """Collection held as `spine-interview` holds it, and whatever the test froze unfrozen after."""
    heap.hold()
    yield
    heap.release()
    gc.unfreeze()
    gc.enable()


async def test_collection_resumes_once_the_first_question_is_drawn(make_app, held_heap):
    """The launcher's hold on garbage collection ends at the first frame, never later."""
    assert heap.held() and not gc.isenabled()
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert not heap.held() and gc.isenabled()
        assert gc.get_freeze_count() > 0, "the start-up heap is frozen"
