"""The index level and the SINS location: the level's region proposed, a contradiction warned of."""

from __future__ import annotations

import pytest

from interview.engine.replay import MissingAnswer, replay
from interview.engine.session import Session
from interview.flow.expr import FUNCTIONS


def _region(flow, text):
    return FUNCTIONS["level_region"].impl(flow.model.tables, "spine_level_region", text, "region")


def _regions(flow, text):
    return FUNCTIONS["level_regions"].impl(flow.model.tables, "spine_level_region", text, "region")


@pytest.mark.parametrize(("text", "region"), [
    ("C1", "junctional"), ("occiput", "junctional"), ("C2", "junctional"), ("C3", "mobile"), ("C6", "mobile"),
    ("C7", "junctional"), ("C7-T1", "junctional"), ("T2", "junctional"), ("T3", "semirigid"),
    ("T6", "semirigid"), ("t 6", "semirigid"), ("Th6", "semirigid"), ("T10", "semirigid"),
    ("T11–12", "junctional"), ("L1", "junctional"), ("L2", "mobile"), ("L4", "mobile"), ("L5", "junctional"),
    ("L5/S1", "junctional"), ("S1", "junctional"), ("S2", "rigid"), ("S5", "rigid"),
    ("T8 pathological fracture", "semirigid"),
])
def test_level_to_region_follows_the_sins_table(flow, text, region):
    """Each level falls in its SINS location (junctional O–C2, C7–T2, T11–L1, L5–S1; …)."""
    assert _region(flow, text) == region


@pytest.mark.parametrize("text", ["", "T13", "C9", "thoracic", "x" * 200, None])
def test_no_region_for_what_is_not_a_level(flow, text):
    """Loose or wrong text proposes nothing and checks nothing."""
    assert _region(flow, text) is None and _regions(flow, text) is None


def test_a_span_over_two_regions_proposes_nothing_but_allows_both(flow):
    """T2–T4 spans junctional and semi-rigid: no proposal, either is consistent."""
    assert _region(flow, "T2-T4") is None
    assert _regions(flow, "T2-T4") == ["junctional", "semirigid"]


def _session_at(flow, answers, stop):
    s = Session(flow)
    for _ in range(80):
        qid = s.current_id
        if qid == stop:
            return s
        if qid in answers:
            s.answer(answers[qid])
        else:
            s.skip()
    raise AssertionError(stop)


def test_the_interview_proposes_the_location_from_the_level(flow):
    """Index level T6: the interview pre-selects semi-rigid (the clinician confirms it)."""
    from paths import example_answers

    answers = dict(example_answers("renal_stable"), index_level="T6")
    session = _session_at(flow, answers, "sins_location")
    assert session.suggested("sins_location") == "semirigid"
    assert session.proposed("sins_location") is None  # never filled in for an answers file


def test_answers_files_must_still_give_the_location(flow):
    """An answers file with a level but no location is missing the location (no silent default)."""
    from paths import example_answers

    answers = dict(example_answers("renal_stable"), index_level="T6")
    del answers["sins_location"]
    with pytest.raises(MissingAnswer):
        replay(flow, answers)


def test_a_contradicting_location_warns_in_the_interview_and_the_report(flow):
    """T6 with junctional: accepted, with a warning alert and an MDT check in the report."""
    from paths import example_answers

    from interview.export.markdown import render_markdown

    answers = dict(example_answers("renal_stable"), index_level="T6", sins_location="junctional")
    result = replay(flow, answers).result
    assert result.answers["sins_location"] == "junctional"
    report = render_markdown(result, flow)
    assert "Check the SINS location before the MDT" in report
    session = _session_at(flow, answers, "sins_pain")
    assert "location_contradicts_level" in {a.id for a in session.alerts}


def test_a_matching_location_raises_nothing(flow):
    """T6 with semi-rigid: no warning."""
    from paths import example_answers

    from interview.export.markdown import render_markdown

    answers = dict(example_answers("renal_stable"), index_level="T6")
    assert "Check the SINS location" not in render_markdown(replay(flow, answers).result, flow)
