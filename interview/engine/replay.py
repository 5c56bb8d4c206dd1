"""Replay a case from an answers mapping (an answers file, a saved case, a teaching case).

Exactly the interview's logic: the same session walks the same path, one answer at a time, so a
file and the TUI give the same result. Errors follow CONTRACT.md §1: a bad value is an
:class:`AnswersError` (exit 2), a needed answer missing is a :class:`MissingAnswer` (exit 3).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from interview.engine.session import Session
from interview.engine.values import NOT_KNOWN, AnswerError, coerce
from interview.files.reading import shorten
from interview.flow.load import LoadedFlow
from interview.result import Result


class AnswersError(ValueError):
    """An answers mapping that names an unknown field or holds a value the field does not take."""

    def __init__(self, field_id: str | None, message: str) -> None:
        self.field_id = field_id
        self.message = message
        super().__init__(message)


class MissingAnswer(LookupError):
    """A question on the case's path that the answers do not give and that has no default."""

    def __init__(self, question_id: str) -> None:
        self.question_id = question_id
        super().__init__(f"missing answer for {question_id!r}, which this case's path needs")


@dataclass
class Replay:
    """The outcome of a replay: the session, its result and the answers it did not use."""

    session: Session
    result: Result
    unused: list[str] = field(default_factory=list)


def check_answers(flow: LoadedFlow, answers: Mapping[str, Any], *, not_known: bool = False) -> dict[str, Any]:
    """Validate every given answer against its question (whether or not it is on the path).

    With ``not_known``, a pending finding may hold ``not_known`` (CONTRACT §7).

    Raises:
        AnswersError: the first unknown field or bad value, with what is allowed.
    """
    checked: dict[str, Any] = {}
    for key, value in answers.items():
        if not isinstance(key, str) or key not in flow.by_id:
            ids = [q.id for q in flow.questions]
            name = str(key) if isinstance(key, str | int | float | bool) else ""
            close = difflib.get_close_matches(name, ids, n=1) if len(name) <= 200 else []
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise AnswersError(shorten(key), f"unknown field {shorten(key)} ({hint}known fields: {', '.join(ids)})")
        if value is None:
            continue  # an explicit null is "not given"
        try:
            checked[key] = coerce(flow.by_id[key].model, value, not_known=not_known)
        except AnswerError as err:
            raise AnswersError(key, f"field {key!r}: {err.reason}: {shorten(value)} (allowed: {err.allowed})") from None
    return checked


def fill(session: Session, given: Mapping[str, Any]) -> str | None:
    """Answer a session from checked answers, in path order, as far as they go.

    Optional questions not given are skipped; a question with a proposed default (Tomita growth)
    takes it when not given.

    Returns:
        The first needed question the answers do not give, or ``None`` when the case is complete.

    Raises:
        AnswersError: when the flow's proposed value for a question is not one it allows.
    """
    while (q := session.current) is not None:
        if q.id in given:
            session.answer(given[q.id], checked=True)
        elif q.model.optional:
            session.skip()
        elif session.proposed(q.id) is not None:
            try:
                session.apply_default()
            except AnswerError as err:
                # A flow whose proposed value is not one of the question's own values.
                raise AnswersError(q.id, (
                    f"field {q.id!r} is not given and the flow's proposed value {shorten(err.value)} is not "
                    f"allowed ({err.allowed}); give {q.id} in the answers file"
                )) from None
        else:
            return q.id
    return None


def replay(flow: LoadedFlow, answers: Mapping[str, Any], *, keep_session: bool = False) -> Replay:
    """Walk a whole case from an answers mapping.

    Optional questions not given are skipped; a question with a proposed default (Tomita growth)
    takes it when not given.

    Raises:
        AnswersError: unknown field or bad value.
        MissingAnswer: a needed question is not answered.
    """
    given = check_answers(flow, answers, not_known=True)
    if NOT_KNOWN in given.values():  # CONTRACT §7: a provisional result over every completion
        from interview.engine.provisional import provisional_result

        result, unused, missing = provisional_result(flow, given)
        if missing is not None:
            raise MissingAnswer(missing)
        if result is not None and result.recommendation.pending:
            session = Session(flow)
            session.close()
            return Replay(session, result, unused)
        answers = {k: v for k, v in given.items() if v != NOT_KNOWN}  # every not_known answer is off the path
        outcome = replay(flow, answers, keep_session=keep_session)
        outcome.unused = [k for k in given if k not in outcome.result.path]
        return outcome
    session = Session(flow)
    try:
        missing = fill(session, given)
        if missing is not None:
            raise MissingAnswer(missing)
        result = session.result()
    finally:
        if not keep_session:
            session.close()
    unused = [k for k in given if k not in result.path]
    return Replay(session, result, unused)
