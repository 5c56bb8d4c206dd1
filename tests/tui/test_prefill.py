"""Opening a case from an answers file (`spine-interview --answers FILE`)."""

from __future__ import annotations

import yaml
from paths import EXAMPLES

from interview.engine.session import Session
from interview.tui.app import InterviewApp, prefill
from interview.tui.screens.review import ReviewScreen


async def test_complete_answers_file_opens_at_the_review(flow, make_app) -> None:
    """A complete answers file opens prefilled at the review screen, every answer kept."""
    answers = yaml.safe_load((EXAMPLES / "renal_stable.answers.yaml").read_text())
    session = Session(flow)
    prefill(flow, answers, session)
    app: InterviewApp = make_app(session=session)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert {k: session.answers[k] for k in answers} == answers


async def test_incomplete_answers_file_stops_at_the_first_missing_question(flow, make_app) -> None:
    """An answers file that lacks a needed answer opens the interview at that question."""
    answers = yaml.safe_load((EXAMPLES / "renal_stable.answers.yaml").read_text())
    del answers["kps"]
    session = Session(flow)
    prefill(flow, answers, session)
    app: InterviewApp = make_app(session=session)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert not isinstance(app.screen, ReviewScreen)
        assert session.current_id == "kps"
