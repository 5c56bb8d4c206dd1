"""Not known yet in the interview (issue 12, CONTRACT §7): the key and its visible option, the live
provisional picture, open answers first on the review, saved and asked again on resume."""

from __future__ import annotations

from paths import example_answers
from tui_keys import answer_case

from interview.engine.values import NOT_KNOWN
from interview.tui.screens.interview import PICTURE_AFTER_IDLE
from interview.tui.screens.review import ReviewScreen
from interview.tui.widgets.answer import AnswerArea
from interview.tui.widgets.keybar import KeyBar
from interview.tui.widgets.panel import SidePanel

#: Thyroid deposit, SINS alignment and collapse not reported yet (the contract's public example).
PENDING = "pending_mri_items"


def pending() -> dict:
    """The pending example's answers (read when a test runs)."""
    return example_answers(PENDING)


async def _settled(pilot) -> None:
    await pilot.pause(PICTURE_AFTER_IDLE + 0.1)  # the picture is worked out after a pause in the answers
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


class TestTheKey:
    async def test_ctrl_p_answers_not_known_where_the_finding_may_be_pending(self, make_app):
        """On SINS alignment ctrl+p records not_known, the reply says so and the next question is asked."""
        app = make_app()
        async with app.run_test(size=(100, 32)) as pilot:
            await answer_case(pilot, pending(), stop_before="sins_alignment")
            area = app.screen.query_one(AnswerArea)
            assert area.allows_not_known and area.query_one("#not-known-row").display
            assert "ctrl+p" in area.query_one("#not-known-row").render().plain
            assert "Not known yet" in app.screen.query_one(KeyBar).render().plain
            await pilot.press("ctrl+p")
            await pilot.pause()
            assert app.session.answers["sins_alignment"] == NOT_KNOWN
            assert app.session.current_id == "sins_collapse"
            replies = app.screen.query_one("#transcript").replies()
            assert replies["sins_alignment"] == "not known yet"

    async def test_a_needed_answer_cannot_be_left_open(self, make_app):
        """On a question the contract needs now (neuro deficit) ctrl+p records nothing, says why, and the legend leaves it out."""
        app = make_app()
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            area = app.screen.query_one(AnswerArea)
            assert area.question.id == "neuro_deficit" and not area.allows_not_known
            assert not area.query_one("#not-known-row").display
            assert "Not known yet" not in app.screen.query_one(KeyBar).render().plain
            await pilot.press("ctrl+p")
            await pilot.pause()
            assert app.session.answers == {}
            assert "cannot be left as not known" in str(area.query_one("#error").render())

    async def test_the_visible_option_is_clickable(self, make_app):
        """A click on "Not known yet · ctrl+p" answers the same as the key."""
        app = make_app()
        async with app.run_test(size=(100, 32)) as pilot:
            await answer_case(pilot, pending(), stop_before="kps")
            await pilot.click("#not-known-row")
            await pilot.pause()
            assert app.session.answers["kps"] == NOT_KNOWN


class TestLivePicture:
    async def test_panel_shows_possible_headlines_and_the_deciding_open_answers(self, make_app):
        """With two SINS items open, the panel lists the possible headlines and names both as deciding."""
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await answer_case(pilot, pending())
            await _settled(pilot)
            panel = app.interview.query_one(SidePanel)
            text = "\n".join(panel.provisional or [])
            assert "Not known yet:" in text
            for headline in ("Cement augmentation", "SBRT", "Stabilisation"):
                assert headline.lower() in text.lower()
            assert "depends on" in text and "alignment" in text.lower() and "collapse" in text.lower()

    async def test_no_picture_without_open_answers(self, make_app):
        """A case with every answer known shows no provisional block."""
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await answer_case(pilot, example_answers("renal_stable"), stop_before="kps")
            await _settled(pilot)
            assert app.interview.query_one(SidePanel).provisional is None


class TestReviewAndResume:
    async def test_review_lists_open_answers_first(self, make_app):
        """The review opens with the open answers, before the first phase."""
        app = make_app()
        async with app.run_test(size=(100, 32)) as pilot:
            await answer_case(pilot, pending())
            await pilot.pause()
            assert isinstance(app.screen, ReviewScreen)
            ids = [o.id for o in app.screen.query_one("#review-answers").options]
            assert ids[0] == "phase:not-known"
            assert ids[1:3] == ["open:sins_alignment", "open:sins_collapse"]
            assert ids[3].startswith("phase:")

    async def test_resume_asks_the_open_answers_again_first(self, make_app, temp_db):
        """A saved case with open answers, reopened: alignment then collapse are asked again; answering
        them decides the case."""
        first = make_app()
        async with first.run_test(size=(100, 32)) as pilot:
            await answer_case(pilot, pending())
            await pilot.pause()
            case_id = first.keeper.case_id
        assert case_id
        from interview.flow.load import load_flow
        from interview.tui.app import InterviewApp
        from interview.tui.storage import CaseKeeper

        flow = load_flow()
        keeper = CaseKeeper(str(temp_db))
        session, _ = keeper.resume(case_id, flow)
        assert session.answers["sins_alignment"] == NOT_KNOWN  # saved and read back as open
        app = InterviewApp(flow, session=session, keeper=keeper)
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            area = app.screen.query_one(AnswerArea)
            assert area.question.id == "sins_alignment"
            await pilot.press("1")  # normal alignment (a numbered list of words)
            await pilot.pause()
            assert app.session.answers["sins_alignment"] != NOT_KNOWN
            assert app.screen.query_one(AnswerArea).question.id == "sins_collapse"
            await pilot.press("ctrl+p")  # still not known
            await pilot.pause()
            assert isinstance(app.screen, ReviewScreen)
            assert app.session.answers["sins_collapse"] == NOT_KNOWN
            assert app.session.result().recommendation.provisional


class TestQuitting:
    async def test_quitting_a_provisional_case_never_calls_it_complete(self, make_app):
        """q on a case finished on open answers asks about a PROVISIONAL result, not a complete case."""
        from interview.tui.screens.modals import ConfirmScreen

        app = make_app()
        async with app.run_test(size=(100, 32)) as pilot:
            await answer_case(pilot, pending())
            await _settled(pilot)
            assert app.session.done
            app.action_ask_quit()
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)
            question = str(app.screen.question)
            assert "PROVISIONAL" in question and "complete" not in question


class TestFindOutNext:
    async def test_the_recommendation_says_what_each_open_answer_would_change(self, make_app):
        """A provisional recommendation lists each open finding, deciding ones first, with each value → headline."""
        from textual.widgets import Static

        app = make_app()
        async with app.run_test(size=(100, 32)) as pilot:
            await answer_case(pilot, pending())
            await _settled(pilot)
            await pilot.press("r")
            await pilot.pause()
            text = "\n".join(str(s.render()) for s in app.screen.query("#find-out-next Static").results(Static))
            assert text.index("radiographic spinal alignment") < text.index("vertebral body collapse")
            assert "Normal alignment → one of" in text and "→ Stabilisation, then radiotherapy" in text
