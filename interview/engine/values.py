"""Checking one answer against its question: type, value set, range and step.

Used by the session (typed or clicked answers) and by answers files alike, so a value is accepted
or refused with the same words everywhere.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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


def open_answers(answers: Mapping[str, Any], order: Iterable[str] | None = None) -> list[str]:
    """The findings answered as not known yet (CONTRACT §7), in ``order`` (default: the answers' own)."""
    return [q for q in (answers if order is None else order) if answers.get(q) == NOT_KNOWN]


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
        not_known: accept :data:`NOT_KNOWN` for a question that may be pending (answers files,
            teaching cases and the interview's 'Not known yet' key all pass it).
    """
    fail = _failer(q, value)
    if value == NOT_KNOWN and not from_text:
        # CONTRACT §7: only a finding that may still be pending may be answered `not_known`.
        if not q.may_be_not_known:
            raise fail("'not_known' is allowed only for findings that may still be pending (CONTRACT §7), "
                       "not for this one")
        if not_known:
            return NOT_KNOWN
        raise fail("'not_known' is not accepted here: give the finding's value")
    if from_text and isinstance(value, str) and not isinstance(q, ChoiceQuestion | BoolQuestion | TextQuestion):
        reading = read_typed(q, value)  # "80%", "35 g/L", "ECOG 1"
        if reading.choose:
            raise fail(reading.question)
        return reading.value
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
                if o.value.lower() == lowered or lowered in (w.lower() for w in o.synonyms):
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
        return _in_range(q, number, fail)
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


@dataclass(frozen=True)
class Reading:
    """What a typed number means: the value to store, and what was assumed to get it.

    ``choose`` holds the values the text may mean when it cannot decide alone ("ECOG 1" covers
    KPS 80 and 70): nothing is stored until the clinician picks one, and ``question`` asks which.
    """

    value: Any = None
    note: str = ""
    choose: tuple[Any, ...] = ()
    question: str = ""


#: A number typed with a unit or a sign after it: "80%", "35 g/L", "3,5 g/dl".
_NUMBER_UNIT = re.compile(r"^\s*([-+]?\d+(?:[.,]\d+)?)\s*([^\d\s].{0,19})?\s*$")


def read_typed(q: Question, text: str) -> Reading:
    """Read a number as a clinician types it, or raise :class:`AnswerError` saying what is allowed.

    Typed text only (answers files stay strict): the question's unit may follow the number ("80%",
    "3.5 g/dL"); a number in the question's second unit is converted and says so ("35 g/L = 3.5 g/dL"),
    and so is a bare number above what the question's own unit allows (albumin 35 is g/L); another
    scale's value ("ECOG 1" where KPS is asked) gives the values it covers to choose from.
    """
    assert isinstance(q, IntQuestion | NumberQuestion)
    fail = _failer(q, text)
    raw = text.strip()
    if not raw:
        raise fail("nothing typed")
    scale = q.other_scale if isinstance(q, IntQuestion) else None
    if scale is not None:
        m = re.fullmatch(rf"{re.escape(scale.name)}\s*:?\s*(\d{{1,2}})", raw, re.IGNORECASE)
        if m:
            # Only values this question can take (a flow whose KPS range is narrower drops the rest).
            covered = [v for v in scale.values.get(int(m.group(1)), []) if _fits(q, v)]
            if not covered:
                raise fail(f"{scale.name} {m.group(1)} has no value here ({scale.name} "
                           f"{_fmt(min(scale.values))}–{_fmt(max(scale.values))} can be typed)")
            values = tuple(sorted(covered))
            name = _question_word(q)
            if len(values) == 1:
                return Reading(values[0], note=f"{scale.name} {m.group(1)} = {name} {_fmt(values[0])}")
            words = ", ".join(_fmt(v) for v in values[:-1]) + f" or {_fmt(values[-1])}"
            return Reading(choose=values, question=f"{scale.name} {m.group(1)} → {name} {words}?")
    m = _NUMBER_UNIT.match(raw)
    if m is None:
        kind = "a whole number" if isinstance(q, IntQuestion) else "a number"
        raise fail(f"wrong type: expected {kind}")
    number_text, unit = m.group(1), (m.group(2) or "").strip()
    other = q.other_unit if isinstance(q, NumberQuestion) else None
    number = _number(number_text, True)
    assert number is not None
    note = ""
    if unit and q.unit and unit.lower() == q.unit.lower():
        pass
    elif unit and other is not None and unit.lower() == other.unit.lower():
        number, note = _converted(q, number, other.factor, other.unit, assumed=False)
    elif unit:
        own = f" ({q.unit})" if q.unit else ""
        raise fail(f"unknown unit {unit!r}{own}")
    elif other is not None and other.above is not None and number > other.above:
        number, note = _converted(q, number, other.factor, other.unit, assumed=True)
    try:
        return Reading(_in_range(q, number, fail), note=note)
    except AnswerError as err:
        if note:
            raise fail(f"{err.reason} ({note})") from None
        raise


def _fits(q: IntQuestion, value: int) -> bool:
    return q.min <= value <= q.max and not (value - q.min) % q.step


def _question_word(q: Question) -> str:
    """A short name of a number question for a message: "KPS" from "… status (KPS) now …"."""
    m = re.search(r"\(([A-Z][A-Za-z0-9-]{1,9})\)", q.prompt)
    return m.group(1) if m else "value"


def _converted(q: NumberQuestion, number: float, factor: float, unit: str, *, assumed: bool) -> tuple[float, str]:
    value = round(number * factor, 6)
    note = f"{_fmt(number)} {unit} = {_fmt(value)} {q.unit or ''}".rstrip()
    return value, (f"read as {unit}: {note}" if assumed else note)


def _in_range(q: Question, number: float | int, fail: Any) -> float | int:
    assert isinstance(q, IntQuestion | NumberQuestion)
    if isinstance(q, IntQuestion):
        if not float(number).is_integer():
            raise fail("not a whole number")
        number = int(number)
    if not q.min <= number <= q.max:
        raise fail("out of range")
    if isinstance(q, IntQuestion) and (number - q.min) % q.step:
        raise fail(f"not on a step of {q.step}")
    return number


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


#: Longest question text used as a question's name, before it is shortened with "…".
NAME_WIDTH = 60


def question_name(q: Question, width: int = NAME_WIDTH) -> str:
    """A question by its own words, for naming it in a sentence ("SINS 4/6 — radiographic spinal alignment")."""
    prompt = q.prompt.split("?")[0].strip()
    return prompt if len(prompt) <= width else prompt[: width - 1].rstrip() + "…"


def display(q: Question, value: Any) -> str:
    """An answer as the clinician reads it (option label, 'Yes', '70 %')."""
    if value is None:
        return "—"
    if value == NOT_KNOWN:
        return "not known yet"
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
