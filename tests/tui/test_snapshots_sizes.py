"""Snapshots at 80×24 and 120×40 of the question, review, recommendation (top and an expanded item),
quiz and case-picker screens, with long texts: nothing a clinician reads ends cut off (issue 14)."""

from __future__ import annotations

import pytest
from paths import example_answers
from tui_keys import answer_case

from interview.flow.load import load_flow
from interview.tui.app import InterviewApp
from interview.tui.storage import CaseKeeper

SIZES = [(80, 24), (120, 40)]
IDS = ["80x24", "120x40"]
#: The emergency example: the longest advice texts and a banner.
EMERGENCY = "emergency_breast"


def _app(temp_db) -> InterviewApp:
    return InterviewApp(load_flow(), keeper=CaseKeeper(str(temp_db)))


async def _settle(pilot) -> None:
    pilot.app.clear_notifications()  # toasts expire on a clock: keep them out of the picture
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_question_with_long_labels(snap_compare, temp_db, size):
    """The KPS question after an emergency history: banner, long option labels wrapped under their keys."""

    async def run_before(pilot) -> None:
        await answer_case(pilot, example_answers(EMERGENCY), stop_before="kps")
        await _settle(pilot)

    assert snap_compare(_app(temp_db), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_review_of_an_emergency(snap_compare, temp_db, size):
    """The review of a whole emergency case."""

    async def run_before(pilot) -> None:
        await answer_case(pilot, example_answers(EMERGENCY))
        await _settle(pilot)

    assert snap_compare(_app(temp_db), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_recommendation_top(snap_compare, temp_db, size, frozen_clock):
    """The top of an emergency recommendation: the summary first (urgency, headline, why, next, scores), notice."""

    async def run_before(pilot) -> None:
        await answer_case(pilot, example_answers(EMERGENCY))
        await pilot.press("r")
        await _settle(pilot)

    assert snap_compare(_app(temp_db), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_recommendation_expanded_item(snap_compare, temp_db, size, frozen_clock):
    """The first item expanded: the whole advice, its basis, the answers behind it and its sources."""

    async def run_before(pilot) -> None:
        await answer_case(pilot, example_answers(EMERGENCY))
        await pilot.press("r")
        await pilot.pause()
        from textual.widgets import Collapsible

        first = pilot.app.screen.query(Collapsible).first()
        first.collapsed = False
        first.scroll_visible(animate=False)
        await _settle(pilot)

    assert snap_compare(_app(temp_db), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_case_picker_with_long_labels(snap_compare, temp_db, size, monkeypatch):
    """Saved cases with long labels (and brackets, which are never markup) in the picker, times in words."""
    import time

    from interview.store.sqlite import CaseStore

    monkeypatch.setenv("TZ", "UTC")  # the picker shows local time: fix the zone for the picture
    time.tzset()

    flow = load_flow()
    with CaseStore(temp_db) as store:
        for label in ("Bed 12 [T8] — Mrs A., breast, night pain and new weakness in both legs since Tuesday",
                      "Ward 3 — renal, SINS review before radiotherapy, MDT Thursday", "x[/] odd label"):
            store.create_case(flow, label=label)
    import sqlite3

    with sqlite3.connect(temp_db) as db:  # fixed times, so that the picture does not change with the clock
        for n, label in enumerate(("x[/] odd label", "Ward 3", "Bed 12")):
            db.execute("UPDATE cases SET created = ?, updated = ? WHERE label LIKE ?",
                       (f"2026-11-29T08:3{n}:00+00:00", f"2026-11-29T08:3{n}:00+00:00", f"{label}%"))

    async def run_before(pilot) -> None:
        await pilot.pause()
        await pilot.press("ctrl+o")
        await _settle(pilot)

    assert snap_compare(_app(temp_db), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_quiz_first_checkpoint(snap_compare, tmp_path, size):
    """The quiz on a library case: vignette, the first checkpoint and its choices."""
    from interview.teach.library import find_case, load_library
    from interview.tui.screens.quiz import QuizApp

    flow = load_flow()
    case = find_case(load_library(flow=flow), "colon_stable_cebrt").case

    async def run_before(pilot) -> None:
        await pilot.pause()

    assert snap_compare(QuizApp(flow, case, log_path=tmp_path / "log.jsonl"), terminal_size=size,
                        run_before=run_before)
