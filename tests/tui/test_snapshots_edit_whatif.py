"""Snapshots of the edit dialog and what-if at 80×24 and 120×40, with long option texts."""

from __future__ import annotations

import pytest
from paths import example_answers
from tui_keys import answer_case

from interview.flow.load import load_flow
from interview.tui.app import InterviewApp
from interview.tui.storage import CaseKeeper

SIZES = [(80, 24), (120, 40)]


def _app(temp_db) -> InterviewApp:
    return InterviewApp(load_flow(), keeper=CaseKeeper(str(temp_db)))


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_edit_dialog_long_list(snap_compare, temp_db, size):
    """The edit dialog for the primary tumour: current answer marked ▸ and in view, the list scrolls."""

    async def run_before(pilot) -> None:
        await answer_case(pilot, example_answers("renal_stable"))
        pilot.app.edit_answer("primary_tumour")
        await pilot.pause()
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(_app(temp_db), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_what_if_after_a_change(snap_compare, temp_db, size):
    """What-if after SINS pain → mechanical: the cursor on that question, the change and what it alters."""

    async def run_before(pilot) -> None:
        await answer_case(pilot, example_answers("renal_stable"))
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        refs = [o.id for o in pilot.app.screen.query_one("#questions").options]
        await pilot.press(*["down"] * refs.index("sins_pain"), "enter")
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(_app(temp_db), terminal_size=size, run_before=run_before)
