"""Editing earlier answers from the transcript, and the reply field's keys while a list is open."""

from __future__ import annotations

from paths import example_answers
from tui_keys import answer_case

from interview.tui.screens.modals import EditScreen, HelpScreen
from interview.tui.widgets.answer import AnswerArea


def stable() -> dict:
    """The stable renal example's answers (read when a test runs)."""
    return example_answers("renal_stable")



def _reply_row(transcript, question_id: str) -> int:
    """The screen row (within the transcript's content) of the latest reply to `question_id`."""
    index = max(i for i, b in enumerate(transcript.blocks) if b.ref == question_id)
    start, _ = transcript._block_rows[index]
    return start - transcript.top_row()


async def test_shift_up_browses_replies_and_enter_edits(make_app):
    """shift+↑ puts the cursor on the latest reply; ↑ moves back; Enter edits that answer."""
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await answer_case(pilot, stable(), stop_before="sins_location")
        transcript = app.screen.query_one("#transcript")
        await pilot.press("shift+up")
        await pilot.pause()
        assert transcript.has_focus
        assert transcript.blocks[transcript.cursor].ref == "contiguous_levels"  # the latest reply
        on_path = [transcript.blocks[i].ref for i in transcript.choosable()]
        steps = len(on_path) - 1 - on_path.index("mri_whole_spine_done")
        await pilot.press(*["up"] * steps)
        assert transcript.blocks[transcript.cursor].ref == "mri_whole_spine_done"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, EditScreen) and app.screen.question_id == "mri_whole_spine_done"
        await pilot.press("n")
        await pilot.pause()
        assert app.session.answers["mri_whole_spine_done"] is False
        assert "escc_grade" not in app.session.answers  # left the path, dropped visibly
        assert "dropped: escc_grade" in " ".join(e.text for e in transcript.entries if e.kind == "info")
        assert not transcript.has_focus  # back to the answer; the newest turn is in view again
        assert transcript.following and transcript.top_row() == transcript.max_scroll_y


async def test_browsing_replies_skips_old_and_dropped_ones(make_app):
    """Only the latest reply of each question still on the path can be chosen."""
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await answer_case(pilot, stable(), stop_before="sins_location")
        await pilot.press("ctrl+z")  # back: escc_grade is asked again
        await pilot.pause()
        await pilot.press("enter")  # the same answer again: a second reply to escc_grade
        await pilot.pause()
        transcript = app.screen.query_one("#transcript")
        refs = [transcript.blocks[i].ref for i in transcript.choosable()]
        assert refs.count("escc_grade") == 1
        assert set(refs) == set(app.session.answered_path)
        app.apply_edit("mri_whole_spine_done", False)  # the ESCC reply leaves the path
        await pilot.pause()
        refs = [transcript.blocks[i].ref for i in transcript.choosable()]
        assert "escc_grade" not in refs and "mri_whole_spine_done" in refs


async def test_clicking_a_reply_edits_it(make_app):
    """A click on a reply in the transcript opens the edit dialog for that question."""
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await answer_case(pilot, stable(), stop_before="sins_location")
        transcript = app.screen.query_one("#transcript")
        row = _reply_row(transcript, "escc_grade")
        await pilot.click("#transcript", offset=(10, row))
        await pilot.pause()
        assert isinstance(app.screen, EditScreen) and app.screen.question_id == "escc_grade"
        await pilot.press("escape")  # cancel: nothing changes
        await pilot.pause()
        assert app.session.answers["escc_grade"] == str(stable()["escc_grade"])


async def test_panel_sits_beside_the_chat(make_app):
    """At 100 columns the side panel is laid out to the right of the chat, full height."""
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        chat, panel = app.screen.query_one("#chat"), app.screen.query_one("#panel")
        assert panel.region.x == chat.region.right
        assert panel.region.right == 100
        assert panel.region.height == chat.region.height > 20


async def test_reply_field_keys_while_a_list_is_open(make_app):
    """With a list open, letters are commands (b, ?), digits answer, and nothing is typed."""
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await answer_case(pilot, stable(), stop_before="sins_location")
        area = app.screen.query_one(AnswerArea)
        entry = area.query_one("#entry")
        assert area.mode == "pick" and entry.has_focus
        await pilot.press("enter")  # nothing highlighted: nothing is recorded
        await pilot.pause()
        assert app.session.current_id == "sins_location"
        assert "1–4" in str(area.query_one("#error").render())
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("x", "z")  # not answers, not commands: ignored, never typed
        await pilot.pause()
        assert entry.value == "" and app.session.current_id == "sins_location"
        await pilot.press("b")  # back
        await pilot.pause()
        assert app.session.current_id == "contiguous_levels"
        await pilot.press("down", "enter")  # arrows move the list's highlight from the field
        await pilot.pause()
        assert app.session.current_id == "sins_location"


async def test_back_to_a_typed_answer_proposes_it_selected(make_app):
    """Back to a number question: the old value is in the field, Enter keeps it, typing replaces it."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await answer_case(pilot, stable() | {"age": 64}, stop_before="sex")
        await pilot.press("b")
        await pilot.pause()
        entry = app.screen.query_one("#entry")
        assert app.session.current_id == "age" and entry.value == "64"
        await pilot.press("7", "1", "enter")
        await pilot.pause()
        assert app.session.answers["age"] == 71


async def test_down_then_enter_takes_the_first_option(make_app):
    """With nothing highlighted, ↓ lands on option 1 (↓ Enter on the first question is 'Yes')."""
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.session.answers["neuro_deficit"] is True


async def test_a_click_in_the_transcript_leaves_the_keys_with_the_answer(make_app):
    """Clicking a question in the transcript does not take the keyboard from the reply field."""
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        await pilot.click("#transcript", offset=(5, 1))  # the first question's line
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.session.answers["radicular_pain"] is True  # the question after "no deficit"


async def test_edit_key_shows_the_chosen_answer_at_80_columns(make_app):
    """Below 100 columns the panel opens on e with the highlighted answer in view."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await answer_case(pilot, stable(), stop_before="sins_location")
        await pilot.press("e")
        await pilot.pause()
        panel = app.screen.query_one("#panel")
        assert panel.has_focus and panel.display
        start, height = panel._block_rows[panel.cursor]
        top = round(panel.scroll_y)
        assert top <= start and start + height <= top + panel.scrollable_content_region.height


async def test_number_list_records_the_highlighted_value(make_app):
    """KPS offered 70 again after back: ↓ to the next value and Enter records that value."""
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await answer_case(pilot, stable(), stop_before="albumin_g_dl")
        assert app.session.answers["kps"] == stable()["kps"]
        await pilot.press("ctrl+z")
        await pilot.pause()
        area = app.screen.query_one(AnswerArea)
        assert app.session.current_id == "kps" and area.mode == "filter"
        highlighted = area.query_one("#choices").highlighted
        below = area.choices[area._shown[highlighted + 1]].value
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.session.answers["kps"] == below != stable()["kps"]


async def test_paste_is_ignored_while_a_list_is_open(make_app):
    """Pasted text never lands in the reply field of a list question."""
    from textual import events

    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        entry = app.screen.query_one("#entry")
        entry.post_message(events.Paste("2"))
        await pilot.pause()
        assert entry.value == "" and app.session.current_id == "neuro_deficit"


async def test_a_long_list_fits_in_the_answer_area_at_80x24(make_app):
    """At 80×24 the primary-tumour list is never cut off by the answer area's bottom edge."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        # no deficit, no radicular pain, walks, 64, male, known cancer
        await pilot.press("n", "n", "y", "6", "4", "enter", "2", "y")
        await pilot.pause()
        area = app.screen.query_one(AnswerArea)
        choices = area.query_one("#choices")
        assert app.session.current_id == "primary_tumour" and choices.option_count > 9
        assert choices.region.bottom <= area.region.bottom and choices.region.height >= 6
        for _ in range(choices.option_count):  # walk the whole list: the highlight is always in view
            await pilot.press("down")
            top = round(choices.scroll_y)
            assert top <= choices.highlighted < top + choices.region.height


async def test_the_skip_caption_skips_an_optional_question(make_app):
    """The visible 'Skip (optional)' under an optional question skips it when clicked."""
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await answer_case(pilot, stable(), stop_before="index_level")
        skip = app.screen.query_one("#skip-row")
        assert skip.display and "Skip" in str(skip.render())
        await pilot.click("#skip-row")
        await pilot.pause()
        assert "index_level" in app.session.skipped


async def test_review_edits_the_chosen_answer_and_keeps_the_cursor(make_app):
    """On the review, ↓ and Enter edit that answer; after the edit the cursor stays on it."""
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await answer_case(pilot, stable())
        await pilot.pause()
        review = app.screen.query_one("#review-answers")
        assert review.has_focus and review.highlighted_option.id == "answer:neuro_deficit"
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, EditScreen) and app.screen.question_id == "radicular_pain"
        await pilot.press("escape")
        await pilot.pause()
        assert review.highlighted_option.id == "answer:radicular_pain"
        await pilot.click("#recommend")
        await pilot.pause()
        assert type(app.screen).__name__ == "RecommendationScreen"
