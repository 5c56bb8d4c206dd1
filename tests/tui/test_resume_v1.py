"""Opening a case saved under contract v1 in the interview: it says so, asks what the current flow needs, keeps the rest."""

from __future__ import annotations

import pytest
from paths import EXAMPLES_V2, example_answers
from store.v1_fixture import FLOW_KINDS, V1_HEADLINES, case_ids, copy_fixture, current_flow
from textual.widgets import OptionList
from tui_keys import answer_case

from interview.engine.reevaluate import EVENT_KIND, reevaluate
from interview.store.sqlite import CaseStore
from interview.tui.app import InterviewApp
from interview.tui.screens.modals import CasePicker
from interview.tui.screens.recommendation import RecommendationScreen
from interview.tui.screens.review import ReviewScreen
from interview.tui.storage import CaseKeeper
from interview.tui.widgets.transcript import Transcript


@pytest.fixture(params=FLOW_KINDS)
def new(request, tmp_path):
    """The shipped flow once past 1.0.0, and the simulated successor (age required)."""
    flow, _ = current_flow(request.param, tmp_path)
    return flow


@pytest.fixture
def v1_db(tmp_path):
    """A copy of the database the v1 code made."""
    return copy_fixture(tmp_path)


def _record(db, case_id):
    with CaseStore(db) as store:
        return store.get_case(case_id)


def _notices(app) -> str:
    transcript = app.interview.query_one(Transcript)
    return "\n".join(e.text for e in transcript.entries if e.kind == "notice")


async def test_resume_asks_what_the_new_flow_needs_then_decides(v1_db, new):
    """`--resume` of a finished v1 case: the statement in the transcript, the missing answers asked, then a new result stored."""
    flow = new
    case_id = case_ids(v1_db)["emergency_breast"]
    before = _record(v1_db, case_id)
    statement = reevaluate(flow, before).statement(refused=False)
    keeper = CaseKeeper(str(v1_db))
    session, notes = keeper.resume(case_id, flow)  # as run_app does for --resume
    assert notes[0] == statement
    app = InterviewApp(flow, session=session, keeper=keeper, notes=notes)
    # The v2 version of the same patient holds every answer the new flow may ask for.
    answers = example_answers("emergency_breast", EXAMPLES_V2) | before.answers
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        assert statement in _notices(app)
        assert not isinstance(app.screen, ReviewScreen)
        first = app.session.current_id
        assert first is not None and first not in before.answers
        assert {q: app.session.answers[q] for q in before.answers} == before.answers
        await answer_case(pilot, answers)
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, RecommendationScreen)
        headline = app.screen.result.recommendation.headline
    after = _record(v1_db, case_id)
    assert (after.status, after.flow_version, after.summary.headline) == ("complete", flow.version, headline)
    kinds = [e.kind for e in after.events[len(before.events):]]
    # The re-evaluation is logged first, then the answers the new flow asked for.
    assert kinds[0] == EVENT_KIND and "answer" in kinds[1:]
    assert after.events[len(before.events)].old["headline_title"] == V1_HEADLINES["emergency_breast"]
    assert {q: after.answers[q] for q in before.answers} == before.answers


async def test_saved_cases_dialog_marks_v1_cases_and_opens_them(v1_db, new):
    """ctrl+o: v1 cases show their state under the current flow (v1 headline only beside it); opening one says so."""
    flow = new
    ids = case_ids(v1_db)
    app = InterviewApp(flow, keeper=CaseKeeper(str(v1_db)))
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, CasePicker)
        options = app.screen.query_one(OptionList)
        prompts = {options.get_option_at_index(i).id: str(options.get_option_at_index(i).prompt)
                   for i in range(options.option_count)}
        assert set(prompts) == set(ids.values())
        for label, headline in V1_HEADLINES.items():
            assert "needs answers: " in prompts[ids[label]] and f"(under 1.0.0: {headline})" in prompts[ids[label]]
        target = ids["renal_stable"]
        options.highlighted = list(prompts).index(target)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert app.keeper.case_id == target
        assert "Decided under contract v1 (flow 1.0.0)" in _notices(app)
        assert app.session.current_id is not None
    assert _record(v1_db, target).events[-1].kind == EVENT_KIND
