"""Snapshots at 80×24 of the "not known yet" states (issue 12): the key and its option on a pending
finding, the live provisional panel, the review with open answers first, and a reopened case asking
its open answers again."""

from __future__ import annotations

import asyncio

from paths import example_answers
from tui_keys import answer_case

from interview.flow.load import load_flow
from interview.tui.app import InterviewApp
from interview.tui.screens.interview import PICTURE_AFTER_IDLE
from interview.tui.storage import CaseKeeper

SIZE = (80, 24)


def _pending() -> dict:
    """The contract's pending example, with the ESCC grade not known either (three open answers)."""
    answers = example_answers("pending_mri_items")
    answers["escc_grade"] = "not_known"
    return answers


def _app(temp_db, **kwargs) -> InterviewApp:
    return InterviewApp(load_flow(), keeper=CaseKeeper(str(temp_db)), **kwargs)


async def _settle(pilot) -> None:
    await pilot.pause(PICTURE_AFTER_IDLE + 0.1)  # the live picture is worked out after a pause in the answers
    await pilot.app.workers.wait_for_complete()
    pilot.app.clear_notifications()  # toasts expire on a clock: keep them out of the picture
    await pilot.pause()
    await pilot.pause()


def test_pending_finding_offers_not_known(snap_compare, temp_db):
    """SINS alignment: the options, "Not known yet · ctrl+p" under them and ^p in the key legend."""

    async def run_before(pilot) -> None:
        await answer_case(pilot, _pending(), stop_before="sins_alignment")
        await _settle(pilot)

    assert snap_compare(_app(temp_db), terminal_size=SIZE, run_before=run_before)


def test_live_panel_shows_the_provisional_picture(snap_compare, temp_db):
    """Before KPS with three open answers, F2: the panel opens with the possible headlines and what decides them."""

    async def run_before(pilot) -> None:
        await answer_case(pilot, _pending(), stop_before="kps")
        await _settle(pilot)
        await pilot.press("f2")
        await _settle(pilot)

    assert snap_compare(_app(temp_db), terminal_size=SIZE, run_before=run_before)


def test_review_lists_open_answers_first(snap_compare, temp_db):
    """The review of the case opens with its three open answers."""

    async def run_before(pilot) -> None:
        await answer_case(pilot, _pending())
        await _settle(pilot)

    assert snap_compare(_app(temp_db), terminal_size=SIZE, run_before=run_before)


def test_reopened_case_asks_open_answers_again(snap_compare, temp_db):
    """The saved case reopened: the first open answer (ESCC) is asked again, the count of open ones said."""

    async def save_case() -> str:
        app = _app(temp_db)
        async with app.run_test(size=SIZE) as pilot:
            await answer_case(pilot, _pending())
            await pilot.pause()
            return str(app.keeper.case_id)

    case_id = asyncio.run(save_case())
    flow = load_flow()
    keeper = CaseKeeper(str(temp_db))
    session, _ = keeper.resume(case_id, flow)
    app = InterviewApp(flow, session=session, keeper=keeper)
    assert snap_compare(app, terminal_size=SIZE, run_before=_settle)
