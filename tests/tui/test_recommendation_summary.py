"""Issue 13 on the recommendation screen: the summary first at 80×24, and `c` records a clock event in the log."""

from __future__ import annotations

import pytest
from paths import example_answers
from textual.widgets import Static
from tui_keys import answer_case, to_recommendation

from interview.export.clock import CLOCK_KIND
from interview.flow.load import load_flow
from interview.tui.app import InterviewApp
from interview.tui.storage import CaseKeeper

EMERGENCY = "emergency_breast"
def _app(temp_db) -> InterviewApp:
    return InterviewApp(load_flow(), keeper=CaseKeeper(str(temp_db)))


def _summary(app) -> str:
    return str(app.screen.query_one("#summary", Static).render())


@pytest.mark.parametrize("size", [(80, 24)], ids=["80x24"])
def test_summary_first_at_80x24(snap_compare, temp_db, frozen_clock, size):
    """The recommendation opens on its summary: urgency, headline, why, next actions, scores, all in 80×24."""

    async def run_before(pilot) -> None:
        await answer_case(pilot, example_answers(EMERGENCY))
        await pilot.press("r")
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(_app(temp_db), terminal_size=size, run_before=run_before)


async def test_summary_is_on_screen_without_scrolling(temp_db, frozen_clock):
    """At 80×24 the whole summary and the notice are in view before any scrolling."""
    app = _app(temp_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await to_recommendation(pilot, example_answers(EMERGENCY))
        summary = app.screen.query_one("#summary", Static)
        notice = app.screen.query_one("#notice", Static)
        assert summary.region.bottom <= notice.region.y, "the summary runs under the notice"
        text = _summary(app)
        assert "Surgery — within 48 h of the first symptom: 34 h left" in text
        assert "Dexamethasone 16 mg — now (admitting doctor): due now" in text


async def test_clock_key_records_an_event_in_the_case_log(temp_db, frozen_clock):
    """`c`, pick "dexamethasone given", type 19:30 and a dose: one clock event in the log, the summary says done."""
    app = _app(temp_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await to_recommendation(pilot, example_answers(EMERGENCY))
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("1")  # dexamethasone given; the focus moves to the time
        for key in "19:30":
            await pilot.press(key)
        await pilot.press("tab")
        for key in "16 mg":
            await pilot.press("space" if key == " " else key)
        await pilot.press("enter")
        await pilot.pause()
        assert "Dexamethasone 16 mg — now (admitting doctor): done 19:30 (16 mg)" in _summary(app)
        record = app.keeper.store.get_case(app.keeper.case_id)
        marks = [e for e in record.events if e.kind == CLOCK_KIND]
        assert [(e.question, e.new) for e in marks] == [
            ("dexamethasone_given", {"at": "2026-11-29T19:30:00+00:00", "dose": "16 mg"})]
        assert record.status == "complete", "a clock mark leaves the finished case finished"


async def test_a_future_time_is_refused_and_kept(temp_db, frozen_clock):
    """A time after now is refused under the field; the dialog stays with what was typed."""
    app = _app(temp_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await to_recommendation(pilot, example_answers(EMERGENCY))
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("3")
        for key in "2026-12-01T10:00":
            await pilot.press(key)
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "ClockScreen"
        assert "in the future" in str(app.screen.query_one("#clock-error", Static).render())
        assert app.screen.query_one("#at").value == "2026-12-01T10:00"


async def test_report_is_saved_beside_the_cases_with_its_path_on_screen(temp_db, frozen_clock, tmp_path):
    """`m` writes the report (headed by the case label) beside the case database, never the working directory,
    and its path stays on the screen."""
    import os

    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    os.chdir(workdir)
    app = _app(temp_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await to_recommendation(pilot, example_answers(EMERGENCY))
        await pilot.press("m")
        await pilot.pause()
        written = sorted(temp_db.parent.glob("spine-case-*.md"))
        assert len(written) == 1 and not list(workdir.iterdir())
        assert f"Report saved: {written[0]}" in str(app.screen.query_one("#saved", Static).render())
        text = written[0].read_text(encoding="utf-8")
        assert text.startswith("# case\\-")  # the case label (escaped for Markdown)
        assert "_Report of 29 Nov 2026 20:00" in text


async def test_handover_screen_lists_missing_items_and_records_answers(temp_db, frozen_clock):
    """`h` lists what the coordinator will ask; `u` marks the first unavailable, Enter answers a choice; both logged."""
    app = _app(temp_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await to_recommendation(pilot, example_answers(EMERGENCY))
        await pilot.press("h")
        await pilot.pause()
        assert type(app.screen).__name__ == "HandoverScreen"
        title = str(app.screen.query_one("#missing-title", Static).render())
        assert "Still missing" in title and "(8)" in title
        await pilot.press("u")  # dexamethasone: not given / unavailable … — marked unavailable
        await pilot.pause()
        await pilot.press("down", "down", "enter")  # bladder and bowel → its options
        await pilot.pause()
        assert type(app.screen).__name__ == "HandoverAnswer"
        await pilot.press("enter")  # "Normal"
        await pilot.pause()
        await pilot.pause()
        assert type(app.screen).__name__ == "HandoverScreen"
        assert "(6)" in str(app.screen.query_one("#missing-title", Static).render())
        sbar = str(app.screen.query_one("#sbar", Static).render())
        assert "Bladder and bowel: Normal" in sbar
        logged = [(e.question, e.new) for e in app.keeper.store.events(app.keeper.case_id) if e.kind == "handover"]
        assert logged == [("handover_dexamethasone", "unavailable"), ("handover_bladder_bowel", "normal")]


@pytest.mark.parametrize("size", [(80, 24)], ids=["80x24"])
def test_handover_at_80x24(snap_compare, temp_db, frozen_clock, size):
    """The handover screen: the missing items first, then the SBAR from its Situation, at 80×24."""

    async def run_before(pilot) -> None:
        await to_recommendation(pilot, example_answers(EMERGENCY))
        await pilot.press("h")
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(_app(temp_db), terminal_size=size, run_before=run_before)


async def test_a_mark_keeps_the_session_in_step_with_its_log(temp_db, frozen_clock):
    """After a clock mark the next answer is written as this session's own, never taken for a colleague's change."""
    app = _app(temp_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await to_recommendation(pilot, example_answers(EMERGENCY))
        await pilot.press("c", "2", "enter")  # coordinator contacted, now
        await pilot.pause()
        app.session.edit("age", 59)  # an ordinary change after the mark
        notes = app.keeper._case_log.take_notes()  # noqa: SLF001 - what the autosave would tell the user
        assert notes is None, notes
        kinds = [(e.kind, e.question) for e in app.keeper.store.events(app.keeper.case_id)][-2:]
        assert kinds == [("clock", "coordinator_contacted"), ("edit", "age")]


async def test_provisional_recommendation_says_so_and_what_to_find_out(temp_db, frozen_clock):
    """A result resting on answers not known yet: the summary says PROVISIONAL and lists what to find out next."""
    from interview.engine.replay import replay
    from interview.tui.screens.recommendation import RecommendationScreen

    app = _app(temp_db)
    result = replay(app.flow, example_answers("pending_mri_items")).result
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(RecommendationScreen(app.flow, result))
        await pilot.pause()
        text = _summary(app)
        assert "PROVISIONAL — not known yet: SINS 4/6 — radiographic spinal alignment" in text
        assert "Find out next: SINS 4/6" in text
        summary = app.screen.query_one("#summary", Static)
        assert summary.region.bottom <= app.screen.query_one("#notice", Static).region.y
