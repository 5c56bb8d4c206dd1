"""A seeded monkey: thousands of random keys, after which no answer is lost or corrupted."""

from __future__ import annotations

import asyncio
import os
import random

import pytest
from textual import events

from interview.engine.values import coerce
from interview.tui.labels import answer_text
from interview.tui.screens.interview import InterviewScreen

# Every key the interview uses except those that quit the app or open the OS (ctrl+q, q, ctrl+c).
KEYS = (list("0123456789") * 3 + list("ynsbet?rmxw") + list("abc.,-") +
        ["enter"] * 6 + ["up", "down", "escape", "tab", "shift+tab", "backspace", "home", "ctrl+k",
                         "ctrl+z", "f1", "f2", "ctrl+o", "space"])
PRESSES = int(__import__("os").environ.get("MONKEY_PRESSES", "2000"))


def _check(app) -> None:
    session = app.session
    path = set(session.path)
    for qid, value in session.answers.items():
        assert qid in path, f"{qid} answered but off the path"
        assert coerce(session.flow.by_id[qid].model, value) == value
    interview = app.interview
    shown = interview.query_one("#panel").shown_answers()
    expected = {q: ("skipped" if q in session.skipped else answer_text(session.flow.by_id[q].model,
                                                                        session.answers[q]))
                for q in session.answered_path}
    assert shown == expected, "the side panel does not show the session's answers"


async def _drain(app, rounds: int = 40) -> None:
    """Let the app handle what is queued (no clock involved: a fixed number of loop turns)."""
    for _ in range(rounds):
        await asyncio.sleep(0)
    for _ in range(10_000):
        if not app.is_running or (app._message_queue.empty()
                                  and all(s._message_queue.empty() for s in app.screen_stack)):
            return
        await asyncio.sleep(0)


@pytest.fixture
def no_file_keys(monkeypatch):
    """Writing files is not what the monkeys test: the keys that export or save do nothing."""
    monkeypatch.setattr("interview.tui.app.InterviewApp.export_markdown", lambda self, result: None)
    monkeypatch.setattr("interview.tui.app.InterviewApp.save_transcript", lambda self: None)


async def test_monkey_keeps_every_answer_valid(make_app, no_file_keys):
    """2,000 seeded random keys: no crash, every answer valid and on the path, panel equals session."""
    rng = random.Random(20240611)
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        for n in range(PRESSES):
            key = rng.choice(KEYS)
            char = key if len(key) == 1 else (" " if key == "space" else None)
            app._driver.send_message(events.Key(key, char))  # as fast as a held-down key
            if n % 25 == 24:
                await _drain(app)
                assert app.is_running
                if isinstance(app.screen, InterviewScreen):
                    _check(app)
        await _drain(app)
        assert app.is_running
        _check(app)
        assert app.session.answered_path, "the monkey never answered anything: the keys did not arrive"


async def test_paced_monkey_keeps_every_answer_valid(make_app, no_file_keys):
    """Random keys pressed one at a time (Pilot waits for each): every answer stays valid and shown."""
    rng = random.Random(7)
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        for n in range(int(os.environ.get("PACED_MONKEY_PRESSES", "150"))):
            await pilot.press(rng.choice(KEYS))
            if n % 10 == 9 and isinstance(app.screen, InterviewScreen):
                _check(app)
        assert app.is_running
        _check(app)
