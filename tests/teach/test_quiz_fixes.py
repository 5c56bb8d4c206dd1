"""The quiz keeps its answers hidden until committed, recalls the case, takes number keys and fits its lists."""

from __future__ import annotations

import pytest

from interview.teach.quiz import Checkpoint, PhaseStep, Quiz


def _content(screen) -> str:
    return str(screen.query_one("#content").render())


async def _go_to(pilot, screen, step_id: str) -> None:
    """Press n (and commit wrong-or-right numbers) until the step `step_id` is shown."""
    for _ in range(40):
        step = screen.step
        if isinstance(step, Checkpoint) and step.id == step_id or isinstance(step, PhaseStep) and step.phase == step_id:
            return
        if isinstance(step, Checkpoint) and step.id not in screen.quiz.verdicts:
            await pilot.press(*([*step.expected, "enter"] if step.number_range else ["1"]))
            await pilot.pause()
            continue
        await pilot.press("n")
        await pilot.pause()
    raise AssertionError(step_id)


def test_sins_items_and_escc_grade_are_hidden_in_the_imaging_step(flow, colon_case):
    """The imaging step marks every SINS item and the ESCC grade as hidden until its checkpoint."""
    quiz = Quiz(flow, colon_case)
    imaging = next(s for s in quiz.steps if isinstance(s, PhaseStep) and s.phase == "imaging")
    hidden = {imaging.lines[i][0]: cp for i, cp in imaging.hidden.items()}
    prompts = {flow.by_id[q].model.prompt: q for q in flow.by_id}
    hidden_ids = {prompts[p]: cp for p, cp in hidden.items()}
    assert {q for q, cp in hidden_ids.items() if cp == "sins_total"} >= {
        "sins_location", "sins_pain", "sins_bone_lesion", "sins_alignment", "sins_collapse", "sins_posterolateral"}
    assert hidden_ids["escc_grade"] == "escc_class"


async def test_quiz_hides_items_recalls_the_case_and_asks_the_category_before_revealing(colon_case, quiz_on):
    """Items hidden, v shows the case again, the total reveals nothing until the category is committed."""
    async with quiz_on(colon_case, (80, 24)) as (pilot, screen):
        await _go_to(pilot, screen, "imaging")
        text = _content(screen)
        assert "hidden until you commit to the SINS total" in text
        assert "Mechanical pain" not in text and "Lytic" not in text
        await _go_to(pilot, screen, "sins_total")
        await pilot.press("v")
        await pilot.pause()
        vignette = screen.query_one("#vignette")
        assert vignette.has_class("shown") and colon_case.narrative[:40] in str(vignette.render())
        await pilot.press("v")
        assert not vignette.has_class("shown")
        await pilot.press(*str(int(screen.step.expected) + 1), "enter")
        await pilot.pause()
        assert screen.step.id == "sins_category"
        text = _content(screen)
        assert "Working" not in text and "Total" not in text and "Not quite" not in text
        assert "both are revealed" in text
        category = screen.step
        await pilot.press(str([c.value for c in category.choices].index(category.expected) + 1))
        await pilot.pause()
        text = _content(screen)
        assert "Not quite" in text and "Right — SINS category" in text and "Working" in text


async def test_number_keys_answer_quiz_lists(colon_case, quiz_on):
    """A digit picks that option as in the interview; past 9 options, 1 waits for Enter or a second digit."""
    async with quiz_on(colon_case, (100, 32)) as (pilot, screen):
        await _go_to(pilot, screen, "escc_class")
        await pilot.press("2")
        await pilot.pause()
        assert screen.quiz.verdicts["escc_class"].given == screen.step.choices[1].value
        await _go_to(pilot, screen, "headline")
        step = screen.step
        assert len(step.choices) > 9
        await pilot.press("1")
        await pilot.pause()
        assert "headline" not in screen.quiz.verdicts  # 1 could still become 10–13
        await pilot.press("1")
        await pilot.pause()
        assert screen.quiz.verdicts["headline"].given == step.choices[10].value


@pytest.mark.parametrize("size", [(100, 32), (80, 24)])
async def test_the_headline_list_is_never_cut_off(colon_case, quiz_on, size):
    """At 100×32 the whole headline list fits; at 80×24 it scrolls to its last option."""
    from textual.widgets import OptionList

    async with quiz_on(colon_case, size) as (pilot, screen):
        await _go_to(pilot, screen, "headline")
        choices = screen.query_one("#choices", OptionList)
        if size == (100, 32):
            assert choices.virtual_size.height <= choices.scrollable_content_region.height
        await pilot.press(*["down"] * choices.option_count)
        await pilot.pause()
        assert choices.highlighted == choices.option_count - 1
        assert choices.scroll_y == choices.max_scroll_y
