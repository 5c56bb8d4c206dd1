"""The edit dialog (issue 14, item 3), what-if (item 7), new case and case label, and NO_COLOR markers."""

from __future__ import annotations

import pytest
from paths import example_answers
from textual.widgets import Static
from tui_keys import answer_case, set_label

from interview.tui.screens.modals import ConfirmScreen, EditScreen, LabelScreen
from interview.tui.widgets.answer import AnswerArea, ChoiceList


def stable() -> dict:
    """The stable renal example's answers (read when a test runs)."""
    return example_answers("renal_stable")


def screen_text(app) -> str:
    """What the terminal shows now, as plain text, one line per row."""
    return "\n".join("".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips())


async def _edit(pilot, qid: str) -> EditScreen:
    app = pilot.app
    await answer_case(pilot, stable())
    app.clear_notifications()
    app.edit_answer(qid)
    await pilot.pause()
    await pilot.pause()
    assert isinstance(app.screen, EditScreen)
    return app.screen


def _in_view(app, area: AnswerArea, choices: ChoiceList) -> bool:
    """Whether the highlighted option's first row, with its ▸ and its label, is drawn inside the list."""
    label = area.choices[area._shown[choices.highlighted]].label[:12]
    rows = screen_text(app).splitlines()
    r = choices.region
    return any("▸" in row and label in row for row in (rows[y][r.x:r.right] for y in range(r.y, r.bottom)))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_edit_dialog_reaches_every_primary_and_opens_on_the_current_one(make_app, size):
    """Editing the primary: the current answer is highlighted and in view; ↑ and ↓ reach every option."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        dialog = await _edit(pilot, "primary_tumour")
        area = dialog.query_one(AnswerArea)
        choices = dialog.query_one(ChoiceList)
        assert area.choices[area._shown[choices.highlighted]].value == "kidney" and _in_view(app, area, choices)
        assert choices.region.bottom <= dialog.query_one("#dialog").region.bottom
        assert choices.region.height > 6  # sized to the screen, not the interview's short list
        seen = set()
        for key in ["up"] * len(area.choices) + ["down"] * len(area.choices):
            await pilot.press(key)
            assert _in_view(app, area, choices)
            seen.add(area.choices[area._shown[choices.highlighted]].value)
        assert len(area.choices) > 20 and seen == {c.value for c in area.choices}
        assert "▸" in screen_text(app)  # the highlight has a mark, not only a colour


async def test_edit_dialog_shows_pain_free_lesion_and_enter_keeps_the_answer(make_app):
    """SINS pain at 80×24: all three options are on screen, and Enter keeps the current answer."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _edit(pilot, "sins_pain")
        shown = screen_text(app)
        assert "Pain-free lesion" in shown and "Now: Occasional pain" in shown
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, EditScreen)
        assert app.session.answers["sins_pain"] == stable()["sins_pain"]


async def test_edit_dialog_takes_a_code_by_its_value(make_app):
    """ESCC in the dialog is typed by value like in the interview: "1" "b" records 1b, never grade 3 or back."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _edit(pilot, "escc_grade")
        await pilot.press("1", "b")
        await pilot.pause()
        assert app.session.answers["escc_grade"] == "1b"


async def _what_if(pilot):
    await answer_case(pilot, stable())
    await pilot.press("r")
    await pilot.pause()
    await pilot.press("w")
    await pilot.pause()
    return pilot.app.screen


async def _open(pilot, screen, qid: str) -> None:
    questions = screen.query_one("#questions")
    here = questions.highlighted_option.id
    refs = [o.id for o in questions.options]
    steps = refs.index(qid) - refs.index(here)
    await pilot.press(*(["down"] * steps if steps > 0 else ["up"] * -steps), "enter")
    await pilot.pause()


async def test_what_if_keeps_the_cursor_and_starts_on_the_current_answer(make_app):
    """After a change the cursor stays on that question; the picker opens on the current answer."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _what_if(pilot)
        await _open(pilot, screen, "sins_pain")
        assert screen.editing == "sins_pain"
        area = screen.query_one("#whatif-answer", AnswerArea)
        choices = area.query_one(ChoiceList)
        assert area.choices[area._shown[choices.highlighted]].value == stable()["sins_pain"]
        await pilot.press("1")  # mechanical
        await pilot.pause()
        questions = screen.query_one("#questions")
        assert screen.editing is None and questions.has_focus
        assert questions.highlighted_option.id == "sins_pain"
        assert screen.changed == {"sins_pain": "mechanical"}


async def test_what_if_same_value_is_no_change_and_says_nothing_changes(make_app):
    """Re-picking the current answer is not a change; a change that alters nothing says so in words."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _what_if(pilot)
        await _open(pilot, screen, "sex")
        await pilot.press("enter")  # the current answer, highlighted: kept
        await pilot.pause()
        assert screen.changed == {}
        diff = str(screen.query_one("#diff-text").render())
        assert "is already the answer — nothing changes" in diff
        await _open(pilot, screen, "sex")
        area = screen.query_one("#whatif-answer", AnswerArea)
        other = next(i for i, c in enumerate(area.choices) if c.value != stable()["sex"])
        await pilot.press(str(other + 1))
        await pilot.pause()
        diff = str(screen.query_one("#diff-text").render())
        assert screen.changed and "Nothing changes: the scores and the recommendation stay as they were." in diff
        assert "Changed: Sex → " in diff  # the question in words


async def test_what_if_says_when_only_scores_change(make_app):
    """A change that moves a score but not the advice names the unchanged recommendation."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _what_if(pilot)
        await _open(pilot, screen, "sins_pain")
        await pilot.press("1")
        await pilot.pause()
        diff = str(screen.query_one("#diff-text").render())
        assert "The recommendation does not change: still" in diff and "SINS total: 4 → 6" in diff
        assert "_" not in diff  # no ids


async def test_new_case_says_the_old_one_is_saved(make_app):
    """ctrl+n starts an empty case at the first question; the previous case stays saved and is named."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await answer_case(pilot, stable(), stop_before="sins_location")
        old = app.keeper.case_id
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert not app.session.answers and app.session.current_id == "neuro_deficit"
        assert app.keeper.case_id is None
        assert any("is saved" in n.message for n in app._notifications)
        await pilot.press("n")
        await pilot.pause()
        assert app.keeper.case_id not in (None, old)
        assert len(app.keeper.store.list_cases()) == 2
        assert app.keeper.store.get_case(old).answers["escc_grade"] == str(stable()["escc_grade"])


async def test_new_case_asks_when_the_case_is_not_saved(flow):
    """Without case storage, ctrl+n asks before discarding the answers; n keeps them."""
    from interview.tui.app import InterviewApp
    from interview.tui.storage import CaseKeeper

    keeper = CaseKeeper(None)
    keeper._opened, keeper._warning = True, "no storage in this test"
    app = InterviewApp(flow, keeper=keeper)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n", "n")
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert app.session.answers
        await pilot.press("ctrl+n")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert not app.session.answers


async def test_label_is_set_in_the_app_and_checked(make_app):
    """ctrl+l opens the label dialog; an empty label is refused inline; a good one is stored."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, LabelScreen)
        await pilot.press("ctrl+u", "space", "enter")  # empty (spaces only)
        await pilot.pause()
        assert isinstance(app.screen, LabelScreen)
        assert "cannot be empty" in str(app.screen.query_one("#label-error").render())
        await pilot.press("backspace", *"bed 12 T8", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, LabelScreen)
        assert app.keeper.store.get_case(app.keeper.case_id).summary.label == "bed 12 T8"


async def test_label_before_the_first_answer_is_kept_for_the_case(make_app):
    """A label set before any answer is given to the case its first answer creates."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await set_label(pilot, "ward 3")
        await pilot.press("n")
        await pilot.pause()
        assert app.keeper.store.get_case(app.keeper.case_id).summary.label == "ward 3"


async def test_no_color_shows_every_state_in_text(make_app, monkeypatch):
    """With NO_COLOR set: the proposed option, the selected row, urgency and the emergency banner have text marks."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.no_color
        # The emergency banner: a symbol and a word, not the red alone.
        await pilot.press("y")
        await pilot.pause()
        shown = screen_text(app)
        assert "⚠" in shown and "act now" in shown
        await pilot.press("ctrl+z")
        await pilot.pause()
        # The proposed option (the answer given, after back) is marked ▸ in the list.
        assert "▸" in screen_text(app)
        await answer_case(pilot, stable())
        await pilot.pause()
        # The review's selected row.
        assert "▸" in screen_text(app)
        await pilot.press("r")
        await pilot.pause()
        # Urgency in words: the top line says it (summary first), the details say it again with why.
        assert str(app.screen.query_one("#urgency", Static).render()) == "Elective"
        shown = "\n".join(str(s.render()) for s in app.screen.query(Static).results(Static))
        assert "Urgency: Elective — " in shown
