"""Checking one answer against its question: type, value set, range and step.

Used by the session (typed or clicked answers) and by answers files alike, so a value is accepted
or refused with the same words everywhere.
"""

from __future__ import annotations

import math
from typing import Any

from interview.flow.model import (
    BoolQuestion,
    ChoiceQuestion,
    IntQuestion,
    NumberQuestion,
    Question,
    TextQuestion,
)

_YES = {"y", "yes", "true", "t", "1"}
_NO = {"n", "no", "false", "f", "0"}


class AnswerError(ValueError):
    """A value a question cannot take; says which question, the value and what is allowed."""

    def __init__(self, question_id: str, value: Any, reason: str, allowed: str) -> None:
        self.question_id = question_id
        self.value = value
        self.reason = reason
        self.allowed = allowed
        from interview.files.reading import shorten  # a value is shown cut to 80 characters, never whole

        super().__init__(f"{question_id}: {reason} (got {shorten(value)}; allowed: {allowed})")


#: The answers-file word for a finding that is not known yet (CONTRACT §7).
NOT_KNOWN = "not_known"


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def allowed(q: Question) -> str:
    """What a question accepts, in words: 'a whole number from 10 to 100 in steps of 10'."""
    if isinstance(q, ChoiceQuestion):
        return "one of " + ", ".join(o.value for o in q.options)
    if isinstance(q, BoolQuestion):
        return "yes or no (true/false)"
    if isinstance(q, IntQuestion):
        step = f" in steps of {q.step}" if q.step != 1 else ""
        return f"a whole number from {q.min} to {q.max}{step}"
    if isinstance(q, NumberQuestion):
        unit = f" {q.unit}" if q.unit else ""
        return f"a number from {_fmt(q.min)} to {_fmt(q.max)}{unit}"
    assert isinstance(q, TextQuestion)
    return f"text of at most {q.max_length} characters"


def coerce(q: Question, value: Any, *, from_text: bool = False, not_known: bool = False) -> Any:
    """Return the value a question stores for an input, or raise :class:`AnswerError`.

    Args:
        q: the question.
        value: a typed value (from an answers file or a widget) or, with ``from_text``, a string.
        from_text: parse strings as the user would type them ("y", "70", "1.5").
        not_known: accept :data:`NOT_KNOWN` for a question that may be pending (answers files; the
            interview itself does not offer it yet).
    """
    fail = _failer(q, value)
    if value == NOT_KNOWN and not from_text:
        # CONTRACT §7: only a finding that may still be pending may be answered `not_known`.
        if not q.may_be_not_known:
            raise fail("'not_known' is allowed only for findings that may still be pending (CONTRACT §7), "
                       "not for this one")
        if not_known:
            return NOT_KNOWN
        raise fail("'not_known' (CONTRACT §7) is taken from answers files only; the interview does not offer it yet")
    if isinstance(q, ChoiceQuestion):
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise fail("wrong type: expected one of the listed values")
        key = value.strip() if isinstance(value, str) else _fmt(value)
        for o in q.options:
            if o.value == key:
                return o.value
        if from_text:
            lowered = key.lower()
            for o in q.options:
                if o.value.lower() == lowered:
                    return o.value
        raise fail("not one of the allowed values")
    if isinstance(q, BoolQuestion):
        if isinstance(value, bool):
            return value
        if from_text and isinstance(value, str):
            word = value.strip().lower()
            if word in _YES:
                return True
            if word in _NO:
                return False
        raise fail("wrong type: expected yes or no")
    if isinstance(q, IntQuestion | NumberQuestion):
        number = _number(value, from_text)
        if number is None:
            kind = "a whole number" if isinstance(q, IntQuestion) else "a number"
            raise fail(f"wrong type: expected {kind}")
        if isinstance(q, IntQuestion):
            if not float(number).is_integer():
                raise fail("not a whole number")
            number = int(number)
        if not q.min <= number <= q.max:
            raise fail("out of range")
        if isinstance(q, IntQuestion) and (number - q.min) % q.step:
            raise fail(f"not on a step of {q.step}")
        return number
    assert isinstance(q, TextQuestion)
    if not isinstance(value, str):
        if from_text or isinstance(value, bool) or not isinstance(value, int | float):
            raise fail("wrong type: expected text")
        value = _fmt(value)
    text = value.strip()
    if not text:
        raise fail("empty text")
    if len(text) > q.max_length:
        raise fail("too long")
    from interview.text import text_problem

    problem = text_problem(text)  # control characters, bidi overrides, non-characters
    if problem:
        raise fail(problem)
    return text


def _number(value: Any, from_text: bool) -> float | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if from_text and isinstance(value, str):
        text = value.strip().replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            return None
        if not math.isfinite(number):
            return None
        return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number
    return None


def _failer(q: Question, value: Any):  # noqa: ANN202 - a tiny closure factory
    def fail(reason: str) -> AnswerError:
        return AnswerError(q.id, value, reason, allowed(q))

    return fail


def display(q: Question, value: Any) -> str:
    """An answer as the clinician reads it (option label, 'Yes', '70 %')."""
    if value is None:
        return "—"
    if isinstance(q, ChoiceQuestion):
        for o in q.options:
            if o.value == value:
                return o.label
        return str(value)
    if isinstance(q, BoolQuestion):
        return q.yes_label if value else q.no_label
    if isinstance(q, IntQuestion | NumberQuestion):
        return f"{_fmt(value)}{' ' + q.unit if q.unit else ''}"
    return str(value)
