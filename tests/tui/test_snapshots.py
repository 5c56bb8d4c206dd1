"""Snapshots at a fixed terminal size: a question, the review and the recommendation."""

from __future__ import annotations

from paths import example_answers
from tui_keys import answer_case

from interview.flow.load import load_flow
from interview.tui.app import InterviewApp
from interview.tui.storage import CaseKeeper

SIZE = (100, 32)


def stable() -> dict:
    """The stable renal example's answers (read when a test runs)."""
    return example_answers("renal_stable")


def _app(temp_db) -> InterviewApp:
    return InterviewApp(load_flow(), keeper=CaseKeeper(str(temp_db)))


def test_question_with_points(snap_compare, temp_db):
    """The SINS location question: numbered options with their points, the panel with partial scores."""

    async def run_before(pilot) -> None:
        await answer_case(pilot, stable(), stop_before="sins_location")
        pilot.app.clear_notifications()  # toasts expire on a clock: keep them out of the picture
        await pilot.pause()

    assert snap_compare(_app(temp_db), terminal_size=SIZE, run_before=run_before)


def test_review(snap_compare, temp_db):
    """The review screen lists every answer by phase."""

    async def run_before(pilot) -> None:
        await answer_case(pilot, stable())
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(_app(temp_db), terminal_size=SIZE, run_before=run_before)


def test_recommendation(snap_compare, temp_db, frozen_clock):
    """The recommendation screen with its docked decision-support notice."""

    async def run_before(pilot) -> None:
        await answer_case(pilot, stable())
        await pilot.press("r")
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(_app(temp_db), terminal_size=SIZE, run_before=run_before)
