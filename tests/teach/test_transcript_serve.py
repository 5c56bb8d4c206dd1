"""The plain-text transcript of a session."""

from __future__ import annotations

import pytest

from interview.engine.replay import replay
from interview.engine.session import Session
from interview.teach.transcript import render_transcript


@pytest.fixture(scope="module")
def emergency_answers(library_case):
    """Answers of the emergency case with an unknown primary."""
    return dict(library_case("emergency_unknown_primary").answers)


def test_transcript_of_finished_session(flow, emergency_answers):
    """A finished session lists phases, answers, alerts, the headline, urgency, flags and the notice."""
    session = replay(flow, emergency_answers, keep_session=True).session
    text = render_transcript(session)
    for needle in ("== Safety screen ==", "A: Yes", "[EMERGENCY] MSCC on MRI", "== Recommendation ==",
                   "Headline: Emergency decompression and stabilisation, then radiotherapy",
                   "Urgency: emergency", "send tissue from the operation", "Notice: Decision support"):
        assert needle in text, needle
    session.close()


def test_transcript_shows_set_aside_answers(flow, emergency_answers):
    """Answers that an edit took off the path are listed as set aside."""
    session = replay(flow, emergency_answers, keep_session=True).session
    session.edit("neuro_deficit", False)
    assert session.current_id == "radicular_pain"  # v2 asks it when there is no deficit
    session.answer(False)
    text = render_transcript(session)
    assert "== Answers set aside" in text and "20 h" in text
    assert "Headline: Biopsy and staging first" in text
    session.close()


def test_transcript_of_open_session(flow):
    """An open session says where the interview stands."""
    session = Session(flow)
    session.answer(False)
    text = render_transcript(session)
    assert "Interview in progress; next question:" in text and "not answered yet" in text
    session.close()


# Serving is tested in test_serve_security.py (secret, Origin, cap, no case store, no outside hosts).
