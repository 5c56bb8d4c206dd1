"""Helpers for Pilot tests: the keys a clinician presses to give one answer, and a whole case."""

from __future__ import annotations

from typing import Any

from paths import EXAMPLES, ROOT  # noqa: F401 (re-exported for the tests)

from interview.engine.values import NOT_KNOWN, coerce
from interview.flow.model import BoolQuestion, ChoiceQuestion
from interview.tui.labels import choices, typed_keys, waits_for_enter
from interview.tui.widgets.answer import AnswerArea


def keys_for(app: Any, qid: str, value: Any) -> list[str]:
    """Keys that answer the open question with `value` (None: skip it or take the proposal)."""
    flow = app.flow
    q = flow.by_id[qid].model
    area = app.screen.query_one(AnswerArea)
    if value == NOT_KNOWN:
        return ["ctrl+p"]  # "not known yet" (CONTRACT §7), whatever the kind of question
    if value is None:
        if q.optional:
            return ["s"] if area.mode == "pick" else ["home", "ctrl+k", "enter"]
        return ["enter"]  # the proposed value is pre-selected
    value = coerce(q, value)
    if isinstance(q, BoolQuestion):
        return ["y" if value else "n"]
    if isinstance(q, ChoiceQuestion):
        options = choices(flow, qid)
        codes = typed_keys(options)
        n = next(i for i, c in enumerate(options) if c.value == value) + 1
        if codes is not None:  # typed by value ("1b", "3"), never by position
            code = codes[n - 1]
            return [*code, "enter"] if waits_for_enter(code, codes) else [*code]
        if area.mode == "pick":
            return [str(n)]
        return ["home", "ctrl+k", *str(n), "enter"]
    return ["home", "ctrl+k", *str(value), "enter"]


async def answer_case(pilot: Any, answers: dict[str, Any], *, stop_before: str | None = None) -> None:
    """Answer the open questions from `answers` by keys until the review (or `stop_before`)."""
    app = pilot.app
    for _ in range(80):
        qid = app.session.current_id
        if qid is None or qid == stop_before:
            return
        await pilot.press(*keys_for(app, qid, answers.get(qid)))
        await pilot.pause()
    raise AssertionError(f"the case did not finish; stuck at {app.session.current_id}")


async def to_recommendation(pilot: Any, answers: dict[str, Any]) -> None:
    """Answer a whole case by keys and open its recommendation from the review (`r`)."""
    await answer_case(pilot, answers)
    await pilot.press("r")
    await pilot.pause()


async def set_label(pilot: Any, label: str) -> None:
    """Give the case a label as the clinician does: ctrl+l, clear the field, type it, Enter."""
    await pilot.press("ctrl+l")
    await pilot.pause()
    await pilot.press("ctrl+u", *label, "enter")
    await pilot.pause()
