"""Whole cases driven by keys only: every branch ends in the same headline as replay()."""

from __future__ import annotations

import pytest
from paths import example_answers
from tui_keys import answer_case

from interview.engine.replay import replay
from interview.tui.screens.recommendation import RecommendationScreen
from interview.tui.screens.review import ReviewScreen

CASE_NAMES = ("deficit", "missing_mri", "optional_given", "stable", "unknown_primary", "unstable")


def case(name: str) -> dict:
    """The answers of one case kind, built from the contract examples when a test runs."""
    stable = example_answers("renal_stable")
    cases = {
        "deficit": lambda: example_answers("emergency_breast"),
        "unknown_primary": lambda: example_answers("unknown_primary"),
        "missing_mri": lambda: {k: v for k, v in stable.items() if not k.startswith(("escc", "sins"))}
        | {"mri_whole_spine_done": False},
        "unstable": lambda: stable | {"sins_alignment": "subluxation", "sins_pain": "mechanical",
                                      "sins_collapse": "gt50", "sins_posterolateral": "bilateral",
                                      "posterior_wall_intact": False},
        "stable": lambda: stable,
        "optional_given": lambda: stable | {"age": 64, "sex": "male", "index_level": "T8", "ambulatory": True,
                                            "albumin_g_dl": 3.9, "prior_rt_same_level": False},
    }
    return cases[name]()


async def _finish(pilot) -> str:
    app = pilot.app
    assert isinstance(app.screen, ReviewScreen)
    await pilot.press("r")
    await pilot.pause()
    assert isinstance(app.screen, RecommendationScreen)
    return str(app.screen.query_one("#headline").render())


@pytest.mark.parametrize("name", CASE_NAMES)
async def test_case_headline_matches_replay(name, flow, make_app):
    """Each branch, answered by keys, shows replay()'s headline on the recommendation screen."""
    answers = case(name)
    expected = replay(flow, answers).result.recommendation
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await answer_case(pilot, answers)
        await pilot.pause()
        assert await _finish(pilot) == expected.headline_title
        assert app.screen.result.recommendation.headline == expected.headline
        assert app.session.answers == replay(flow, answers).result.answers


async def test_back_then_edit_keeps_the_rest(flow, make_app):
    """Back undoes the last answer; an edit from the panel drops only the answers off the path."""
    answers = case("stable")
    app = make_app()
    async with app.run_test(size=(110, 40)) as pilot:
        await answer_case(pilot, answers, stop_before="staging_done")
        before = dict(app.session.answers)
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert app.session.current_id == "atypical_features"
        assert "atypical_features" not in app.session.answers
        await pilot.press("enter")  # the remembered answer is pre-selected
        await pilot.pause()
        assert app.session.answers == before
        # Edit MRI to "no" from the panel: the ESCC and SINS answers leave the path.
        await pilot.press("e")
        await pilot.pause()
        panel = app.screen.query_one("#panel")
        on_panel = [panel.blocks[i].ref for i in panel.choosable()]
        assert panel.has_focus and panel.blocks[panel.cursor].ref == on_panel[-1]
        await pilot.press(*["up"] * (len(on_panel) - 1 - on_panel.index("mri_whole_spine_done")))
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert app.session.answers["mri_whole_spine_done"] is False
        assert not any(k.startswith(("escc", "sins")) for k in app.session.answers)
        assert app.session.answers["primary_tumour"] == "kidney"
        notes = " ".join(e.text for e in app.screen.query_one("#transcript").entries if e.kind == "info")
        assert "dropped: escc_grade" in notes
        await answer_case(pilot, answers | {"mri_whole_spine_done": False})
        expected = replay(flow, {k: v for k, v in app.session.answers.items()}).result.recommendation
        assert await _finish(pilot) == expected.headline_title


async def test_review_back_returns_to_last_question(flow, make_app):
    """Escape on the review undoes the last answer and reopens that question."""
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await answer_case(pilot, case("stable"))
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.session.current_id == "expected_survival_months"
        assert not isinstance(app.screen, ReviewScreen)
