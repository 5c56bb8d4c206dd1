"""Pilot tests of the quiz app (right and wrong at each checkpoint, coaching, summary, log) and of what-if."""

from __future__ import annotations

import pytest

from interview.teach.log import export_markdown, read_entries
from interview.teach.quiz import Checkpoint


async def _answer(pilot, screen, cp: Checkpoint, right: bool) -> None:
    if cp.number_range is not None:
        value = cp.expected if right else str(int(cp.expected) + 1)
        await pilot.press(*value, "enter")
    else:
        values = [c.value for c in cp.choices]
        target = values.index(cp.expected) if right else (values.index(cp.expected) + 1) % len(values)
        number = str(target + 1)  # the option's number, as in the interview (two digits and Enter past 9)
        await pilot.press(*number, *(["enter"] if len(values) > 9 and len(number) == 1 and target == 0 else []))
    await pilot.pause()


@pytest.mark.parametrize("right", [True, False], ids=["all_right", "all_wrong"])
async def test_quiz_pilot_each_checkpoint(colon_case, quiz_on, tmp_path, right):
    """Keys alone take the learner through every checkpoint; marks, coaching, summary and log follow."""
    from interview.tui.screens.quiz import QuizScreen

    async with quiz_on(colon_case, (80, 24)) as (pilot, screen):
        assert isinstance(screen, QuizScreen)
        while screen.position < len(screen.quiz.steps):
            step = screen.step
            if isinstance(step, Checkpoint):
                await _answer(pilot, screen, step, right)
                verdict = screen.quiz.verdicts[step.id]
                assert verdict.correct is right
                if step.reveal_with is not None:  # the SINS total: revealed with the category, asked next
                    assert screen.step.id == step.reveal_with
                    assert "Working" not in str(screen.query_one("#content").render())
                    continue
                content = str(screen.query_one("#content").render())
                assert ("Right" if right else "Not quite") in content and "Working" in content
                coaching_shown = screen.query_one("#coaching").has_class("shown")
                assert coaching_shown is (not right and step.id in {"sins_total", "sins_category", "escc_class"})
            await pilot.press("n")
            await pilot.pause()
        summary = str(screen.query_one("#content").render())
        assert f"{6 if right else 0} of 6 right" in summary
        await pilot.pause()
    entries = read_entries(tmp_path / "log.jsonl")
    assert len(entries) == 1 and entries[0]["score"] == (6 if right else 0)
    assert ("✔" if right else "✘") in export_markdown(entries)


async def test_quiz_next_needs_an_answer_and_coaching_on_demand(colon_case, quiz_on):
    """n does not skip a checkpoint; c shows every coaching topic on demand."""
    async with quiz_on(colon_case, (80, 24)) as (pilot, screen):
        await pilot.press("c")
        assert "Bilsky 1c versus 2" in str(screen.query_one("#coaching").render())
        await pilot.press("c")
        assert not screen.query_one("#coaching").has_class("shown")
        for _ in range(4):
            await pilot.press("n")
        at = screen.position
        await pilot.press("tab", "n")  # leave the input so n is a key, not a character
        await pilot.pause()
        assert screen.position == at


async def test_what_if_shows_new_headline_and_keeps_case(flow, colon_case):
    """Changing SINS pain to mechanical shows the new headline as before → after; escape leaves the case as it was."""
    from textual.app import App

    from interview.tui.screens.whatif import WhatIfScreen

    answers = dict(colon_case.answers)
    screen = WhatIfScreen(flow, answers)

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(screen)

    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        picker = screen.query_one("#questions")
        ids = [o.id for o in picker.options]
        await pilot.press(*["down"] * ids.index("sins_pain"), "enter")
        await pilot.pause()
        assert screen.editing == "sins_pain"
        await pilot.press("1")  # option 1: mechanical
        await pilot.pause()
        diff = str(screen.query_one("#diff-text").render())
        assert "Headline: Conventional external beam radiotherapy (cEBRT) → Stabilisation, then radiotherapy" in diff
        assert "SINS total: 7 → 9" in diff
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not screen
    assert answers == dict(colon_case.answers)


async def test_what_if_asks_for_questions_the_change_brings(flow, colon_case):
    """A change that opens new questions asks for them before showing the outcome."""
    from textual.app import App

    from interview.tui.screens.whatif import WhatIfScreen

    screen = WhatIfScreen(flow, dict(colon_case.answers))

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(screen)

    async with Host().run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter", "y")  # neuro_deficit → Yes
        await pilot.pause()
        assert screen.editing == "deficit_progressing"
        await pilot.press("y")  # Yes
        await pilot.pause()
        assert screen.editing == "hours_since_deficit_onset"
        await pilot.press("2", "0", "enter")
        await pilot.pause()
        assert screen.editing == "frankel"
        await pilot.press("4")  # D
        await pilot.pause()
        diff = str(screen.query_one("#diff-text").render())
        assert "Emergency decompression and stabilisation, then radiotherapy" in diff
        assert "Urgency: Elective → EMERGENCY — now / within 24 h" in diff
