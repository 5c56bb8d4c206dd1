"""Nothing by colour alone (issue 14): the clock and handover lists mark their highlighted row with "▸"."""

from __future__ import annotations

import io

from paths import example_answers
from rich.console import Console
from tui_keys import to_recommendation

from interview.flow.load import load_flow
from interview.tui.app import InterviewApp
from interview.tui.storage import CaseKeeper
from interview.tui.widgets.marked import MARK, MarkedOptionList


def _drawn(prompt: object) -> str:
    """An option's prompt as a terminal would print it, without colour."""
    out = io.StringIO()
    Console(file=out, width=60, color_system=None).print(prompt)
    return out.getvalue()


def _marked_rows(option_list: MarkedOptionList) -> list[int]:
    return [i for i in range(option_list.option_count)
            if _drawn(option_list.get_option_at_index(i).prompt).startswith(MARK)]


async def test_the_clock_list_marks_the_highlighted_event_and_the_mark_moves(temp_db, frozen_clock):
    """One row carries ▸ — the highlighted one — and ↓ moves it; what Enter records is the option's id."""
    app = InterviewApp(load_flow(), keeper=CaseKeeper(str(temp_db)))
    async with app.run_test(size=(80, 24)) as pilot:
        await to_recommendation(pilot, example_answers("emergency_breast"))
        await pilot.press("c")
        await pilot.pause()
        events = app.screen.query_one("#event", MarkedOptionList)
        assert _marked_rows(events) == [0]
        await pilot.press("down")
        await pilot.pause()
        assert _marked_rows(events) == [1] == [events.highlighted]


async def test_the_handover_list_marks_its_first_missing_item(temp_db, frozen_clock):
    """The handover's missing items: the highlighted row carries ▸, also after the list is rebuilt."""
    app = InterviewApp(load_flow(), keeper=CaseKeeper(str(temp_db)))
    async with app.run_test(size=(80, 24)) as pilot:
        await to_recommendation(pilot, example_answers("emergency_breast"))
        await pilot.press("h")
        await pilot.pause()
        rows = app.screen.query_one("#missing", MarkedOptionList)
        assert _marked_rows(rows) == [0]
        await pilot.press("u")  # the first item marked unavailable: the list is built again
        await pilot.pause()
        assert _marked_rows(rows) == [rows.highlighted] == [0]
