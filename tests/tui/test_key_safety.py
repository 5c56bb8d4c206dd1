"""Choice keys that can never be misread (issue 14, item 1), and letters in typed fields (item 6).

The enumeration takes every list question of the shipped flow (choices, yes/no, a number's labelled
values) and, for every value, every key sequence a clinician would type for it — the key shown beside
the option, the value typed whole, the number its label starts with — and proves that the sequence
records exactly that value, and nothing before it: never another option by position ("3" for grade 1b),
never a value cut short ("1" for grade 0 before "1b"). It drives the real AnswerArea with Pilot, one
small app per question re-asked for each sequence, as the interview re-asks its one area.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from rich.console import Console
from textual.app import App, ComposeResult
from tui_keys import answer_case

from interview.flow.load import load_flow
from interview.flow.model import BoolQuestion, ChoiceQuestion, IntQuestion
from interview.tui.labels import choices, typed_keys
from interview.tui.widgets.answer import AnswerArea, ChoiceList
from interview.tui.widgets.keybar import KeyBar

SKIPPED = object()


def _list_questions() -> list[str]:
    flow = load_flow()
    return [q.id for q in flow.model.questions
            if isinstance(q, ChoiceQuestion | BoolQuestion) or (isinstance(q, IntQuestion) and q.labels)]


class Host(App[None]):
    """The answer area alone; what it submits is recorded."""

    def __init__(self, flow: Any, qid: str) -> None:
        super().__init__()
        self.flow, self.qid = flow, qid
        self.got: list[Any] = []

    def compose(self) -> ComposeResult:
        yield AnswerArea(self.flow, self.qid)

    def on_answer_area_submitted(self, message: AnswerArea.Submitted) -> None:
        self.got.append(message.value)

    def on_answer_area_skip_requested(self, message: AnswerArea.SkipRequested) -> None:
        self.got.append(SKIPPED)


def _shown_key(area: AnswerArea, index: int) -> str:
    """The key printed beside option `index`, read from what the option list draws ('3.' → '3')."""
    block = next(b for b in area.query_one(ChoiceList).blocks if b.ref == f"{area.question.id}:{index}")
    out = io.StringIO()
    Console(file=out, width=70, color_system=None).print(block.renderable)
    return out.getvalue().split()[0].rstrip(".")


def _as_keys(text: str) -> list[str]:
    return [{" ": "space"}.get(ch, ch) for ch in text]


def _sequences(area: AnswerArea, index: int) -> dict[str, list[str]]:
    """What a clinician types for option `index`, by the way they thought of it."""
    option = area.choices[index]
    out = {"its shown key": _as_keys(_shown_key(area, index))}
    if isinstance(area.question, BoolQuestion):
        out["y or n"] = ["y" if option.value else "n"]
    elif area.codes is not None:
        out["the value typed whole"] = _as_keys(str(option.value).lower())
    number = re.match(r"\d+[a-z]?", option.label.lower())
    if number:
        out["its label's number"] = _as_keys(number.group())
    unique: dict[str, list[str]] = {}
    for how, keys in out.items():  # the same keys thought of two ways are typed once
        if keys not in unique.values():
            unique[how] = keys
    return unique


async def _type(pilot: Any, app: Host, keys: list[str]) -> tuple[list[Any], int]:
    """Press keys one at a time, then Enter if nothing was recorded; (recorded, keys pressed)."""
    pressed = 0
    for key in [*keys, "enter"]:
        if key == "enter" and app.got:
            break
        await pilot.press(key)  # waits until the key is handled
        pressed += 1
        if app.got:
            break
    return list(app.got), pressed


@pytest.mark.parametrize("qid", _list_questions())
async def test_every_key_sequence_records_its_own_value(flow, qid: str) -> None:
    """For every option: its shown key, its value typed whole or its label's number record that
    option and no other — from a clean list, and, for a list typed by value, with another value
    proposed (after going back)."""
    app = Host(flow, qid)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        area = app.query_one(AnswerArea)
        options = choices(flow, qid)
        codes = typed_keys(options)
        if codes is not None:
            # Values that are numbers or codes are their own keys, never positions.
            assert [_shown_key(area, i) for i in range(len(options))] == codes
        else:
            assert not any(o.label[:1].isdigit() for o in options), "a label starting with a number " \
                "would be typed as that number, and a number is an option's position here"
        for index, option in enumerate(options):
            area.ask(qid, None)
            await pilot.pause()
            sequences = _sequences(area, index)
            # A proposal (the old answer, after going back) is in the field of a list typed by value:
            # typing must replace it. In a numbered list it is only highlighted, and a digit answers.
            proposals = (None, options[index - 1].value) if codes is not None else (None,)
            for proposed in proposals:
                for how, keys in sequences.items():
                    area.ask(qid, proposed)
                    await pilot.pause()
                    app.got.clear()
                    got, pressed = await _type(pilot, app, keys)
                    assert got == [option.value], (
                        f"{qid}: typing {keys} ({how}) for {option.value!r} recorded {got}")
                    assert pressed >= len(keys), f"{qid}: {keys} recorded {option.value!r} before it was typed whole"


ESCC_CASES = [(["3"], "3"), (["1", "b"], "1b"), (["0"], "0"), (["2"], "2"), (["1", "a"], "1a"), (["1", "c"], "1c")]


@pytest.mark.parametrize(("keys", "value"), ESCC_CASES)
async def test_escc_grade_is_typed_as_its_value(flow, keys: list[str], value: str) -> None:
    """ESCC: "3" records grade 3 (not the third option), "1" "b" records 1b (b does not go back)."""
    app = Host(flow, "escc_grade")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        got, _ = await _type(pilot, app, keys)
        assert got == [value]


async def test_escc_keys_that_are_no_value_record_nothing(flow) -> None:
    """A part value waits ("1" then Enter says what can follow); a digit that is no grade is refused."""
    app = Host(flow, "escc_grade")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        area = app.query_one(AnswerArea)
        entry = area.query_one("#entry")
        await pilot.press("1")
        await pilot.pause()
        assert entry.value == "1" and app.got == []
        assert [area.choices[i].value for i in area._shown] == ["1a", "1b", "1c"]
        await pilot.press("enter")
        await pilot.pause()
        assert app.got == [] and "1a, 1b or 1c" in str(area.query_one("#error").render())
        await pilot.press("x")  # no grade 1x: refused, the part value stays
        await pilot.pause()
        assert app.got == [] and entry.value == "1"
        await pilot.press("escape")  # clears the part value
        await pilot.pause()
        assert entry.value == "" and len(area._shown) == 6
        for key in ("4", "9"):
            await pilot.press(key)
            await pilot.pause()
        assert app.got == [] and "no value '9'" in str(area.query_one("#error").render())
        await pilot.press("1", "backspace", "3")  # a part value corrected
        await pilot.pause()
        assert app.got == ["3"]


async def test_escc_in_the_interview(make_app, flow) -> None:
    """In the app: 3 records grade 3; back, then 1 b records 1b; back, then 0 records 0; an empty
    field's b goes back."""
    from paths import example_answers

    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await answer_case(pilot, example_answers("renal_stable"), stop_before="escc_grade")
        for keys, value in ((["3"], "3"), (["1", "b"], "1b"), (["0"], "0")):
            assert app.session.current_id == "escc_grade"
            await pilot.press(*keys)
            await pilot.pause()
            assert app.session.answers["escc_grade"] == value
            assert app.session.current_id != "escc_grade"
            await pilot.press("ctrl+z")
            await pilot.pause()
        before = app.session.answered_path[-1]
        await pilot.press("b")  # nothing typed: b is back
        await pilot.pause()
        assert app.session.current_id == before


async def test_kps_is_typed_as_its_value_with_enter(make_app) -> None:
    """KPS: the key beside each option is its value; "1" "0" waits for Enter (100 starts so), and
    "1" "0" "0" with Enter records 100."""
    from paths import example_answers

    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await answer_case(pilot, example_answers("renal_stable"), stop_before="kps")
        area = app.screen.query_one(AnswerArea)
        assert [_shown_key(area, i) for i in range(len(area.choices))] == [str(c.value) for c in area.choices]
        await pilot.press("home", "ctrl+k", "1", "0")
        await pilot.pause()
        assert app.session.current_id == "kps"
        assert area.choices[area._shown[area.query_one("#choices").highlighted]].value == 10
        await pilot.press("0", "enter")
        await pilot.pause()
        assert app.session.answers["kps"] == 100


# --- item 6: letters in typed fields, and quitting ---------------------------------------------------


def _legend(app: Any) -> list[str]:
    return str(app.screen.query_one(KeyBar).render()).split("  ")


async def test_s_and_b_are_typed_in_a_text_field(make_app) -> None:
    """In a text field s, b and q are characters; the legend and the Skip caption offer ctrl+s and
    ctrl+z, never a letter; ctrl+s skips."""
    from paths import example_answers

    app = make_app()
    async with app.run_test(size=(120, 32)) as pilot:
        await answer_case(pilot, example_answers("renal_stable"), stop_before="index_level")
        area = app.screen.query_one(AnswerArea)
        entry = area.query_one("#entry")
        await pilot.press("home", "ctrl+k", "s", "b", "q")
        await pilot.pause()
        assert entry.value == "sbq" and app.session.current_id == "index_level"
        assert app.screen is app.interview  # no quit dialog
        legend = _legend(app)
        assert "^s Skip" in legend and "^z Back" in legend
        assert not any(len(pair.split()[0]) == 1 for pair in legend), legend  # no single letters
        assert "ctrl+s" in str(area.query_one("#skip-row").render())
        assert " s " not in str(area.query_one("#hint").render()) + " "
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "index_level" in app.session.skipped


async def test_s_and_b_are_typed_in_a_number_field(make_app) -> None:
    """In a number field s and b are typed (and refused as a number), never skip or back."""
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("n", "n", "y")  # no deficit, no radicular pain, walks: age
        await pilot.pause()
        assert app.session.current_id == "age"
        await pilot.press("s", "b")
        await pilot.pause()
        assert app.screen.query_one("#entry").value == "sb" and app.session.current_id == "age"
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.current_id == "age" and "age" not in app.session.answers
        assert "e Edit" not in _legend(app) and "^z Back" in _legend(app)


async def test_the_legend_offers_letters_while_a_list_is_open(make_app) -> None:
    """With a list open, letters are commands again, and the legend says so; Skip only when optional."""
    app = make_app()
    async with app.run_test(size=(120, 32)) as pilot:
        await pilot.pause()
        legend = _legend(app)
        assert "e Edit" in legend and "t Teaching" in legend and "^s Skip" not in legend


async def test_a_single_q_never_quits(make_app) -> None:
    """q with a list open asks first: n (or Escape) stays, y quits; ctrl+q quits at once."""
    from interview.tui.screens.modals import ConfirmScreen

    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and app.return_code is None
        assert "saved" in str(app.screen.query_one("Static").render())
        await pilot.press("q")  # a second stray q neither quits nor stacks dialogs
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and len(app.screen_stack) == 3
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is app.interview and app.return_code is None
        assert app.session.current_id == "radicular_pain"  # the n closed the dialog, no answer
        await pilot.press("q", "escape")
        await pilot.pause()
        assert app.screen is app.interview and app.return_code is None
        await pilot.press("q", "y")
        await pilot.pause()
        assert app.return_code == 0


async def test_ctrl_q_quits_at_once(make_app) -> None:
    """ctrl+q quits without a dialog: every answer is already saved."""
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("n", "ctrl+q")
        await pilot.pause()
        assert app.return_code == 0


async def test_keys_typed_in_a_burst_keep_their_order(make_app) -> None:
    """Backspace and Enter act in the order typed, however fast: "6 ⌫ 7 1 ⏎" records age 71 (as
    bindings they acted after the characters behind them, and recorded nothing or 712)."""
    from textual import events

    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("n", "n", "y", "6")
        await pilot.pause()
        assert app.session.current_id == "age"
        for key in ("backspace", "7", "1", "enter"):
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        await pilot.pause(0.3)
        assert app.session.answers.get("age") == 71
