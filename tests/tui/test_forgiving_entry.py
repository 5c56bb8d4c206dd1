"""Forgiving typed entry with Pilot: 80%, albumin in g/L, ECOG for KPS, empty Enter, synonyms, level → location."""

from __future__ import annotations

from paths import example_answers
from tui_keys import answer_case

from interview.tui.widgets.answer import AnswerArea


def _case(**changes):
    answers = dict(example_answers("renal_stable"))
    answers.update(changes)
    return answers


def _error(app) -> str:
    return str(app.screen.query_one(AnswerArea).query_one("#error").render())


def _transcript(app) -> str:
    from interview.tui.widgets.transcript import Transcript

    return "\n".join(e.text for e in app.screen.query_one(Transcript).entries)


async def _type(pilot, text: str) -> None:
    await pilot.press("home", "ctrl+k", *text, "enter")
    await pilot.pause()


async def test_kps_typed_with_a_percent_sign(make_app) -> None:
    """"80%" is KPS 80."""
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await answer_case(pilot, _case(), stop_before="kps")
        await _type(pilot, "80%")
        assert app.session.answers["kps"] == 80


async def test_ecog_offers_the_two_kps_values_and_records_nothing(make_app) -> None:
    """"ECOG 1" offers KPS 70 or 80 and records nothing until one is chosen."""
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await answer_case(pilot, _case(), stop_before="kps")
        await _type(pilot, "ECOG 1")
        area = app.screen.query_one(AnswerArea)
        assert "kps" not in app.session.answers and app.session.current_id == "kps"
        assert "ECOG 1 → KPS 70 or 80?" in _error(app)
        assert sorted(area.choices[i].value for i in area._shown) == [70, 80]
        await _type(pilot, "70")
        assert app.session.answers["kps"] == 70


async def test_albumin_in_g_per_litre_is_converted_and_said(make_app) -> None:
    """Albumin "35" is read as g/L: 3.5 g/dL is recorded and the reply shows both units."""
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await answer_case(pilot, _case(), stop_before="albumin_g_dl")
        assert app.session.current_id == "albumin_g_dl"
        await _type(pilot, "35")
        assert app.session.answers["albumin_g_dl"] == 3.5
        assert "35 g/L = 3.5 g/dL" in _transcript(app)


async def test_empty_enter_on_a_required_number_says_what_is_allowed(make_app) -> None:
    """Empty Enter on a required number names what is allowed, never "wrong type … ''"."""
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await answer_case(pilot, _case(), stop_before="age")
        await _type(pilot, "")
        error = _error(app)
        assert "wrong type" not in error and "''" not in error
        assert "an answer is needed" in error and "whole number" in error


async def test_synonym_filters_the_primary_list(make_app) -> None:
    """"rcc" in the primary tumour list finds the kidney, and Enter records it."""
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await answer_case(pilot, _case(), stop_before="primary_tumour")
        area = app.screen.query_one(AnswerArea)
        await pilot.press(*"rcc")
        await pilot.pause()
        assert [area.choices[i].value for i in area._shown] == ["kidney"]
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.answers["primary_tumour"] == "kidney"


async def test_index_level_preselects_the_location_and_a_contradiction_warns(make_app) -> None:
    """T6 pre-selects semi-rigid; choosing junctional is accepted with a warning on the question."""
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await answer_case(pilot, _case(index_level="T6"), stop_before="sins_location")
        area = app.screen.query_one(AnswerArea)
        assert area.proposed == "semirigid"
        assert "index level" in str(area.query_one("#note").render())
        await pilot.press("1")  # junctional
        await pilot.pause()
        assert app.session.answers["sins_location"] == "junctional"
        assert "SINS location does not match the index level" in _transcript(app)
