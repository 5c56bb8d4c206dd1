"""Driving a session in the tests as a replay does: one step is the given answer, a skip, or the proposal.

Used by the engine's property tests, the report tests and the crash driver (a separate process), so
that "answer a case question by question" is written once.
"""

from __future__ import annotations

from typing import Any


def step(session: Any, answers: dict[str, Any]) -> None:
    """Take the current question the way a replay does: the given answer, a skip, or the proposed default."""
    q = session.current
    assert q is not None
    if q.id in answers:
        session.answer(answers[q.id])
    elif q.model.optional:
        session.skip()
    else:
        session.apply_default()
