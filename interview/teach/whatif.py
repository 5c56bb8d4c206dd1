"""What-if without a screen: change answers of a case and list what changes in scores and recommendation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from interview.engine.replay import AnswersError, MissingAnswer, replay
from interview.flow.load import LoadedFlow
from interview.result import Result


@dataclass(frozen=True)
class Change:
    """One value that differs: what it was and what it becomes."""

    label: str
    before: str
    after: str


@dataclass
class WhatIf:
    """The outcome of changed answers: the new result, or the question that still needs an answer."""

    before: Result
    after: Result | None
    needs: str | None = None  # a question the change brings onto the path with no answer or default
    error: str | None = None
    changes: list[Change] = field(default_factory=list)


_SCORE_KEYS = (("sins", "total", "SINS total"), ("sins", "category", "SINS category"),
               ("escc", "class", "ESCC class"), ("tokuhashi", "total", "Tokuhashi total"),
               ("tokuhashi", "band", "Tokuhashi band"), ("tomita", "total", "Tomita total"),
               ("tomita", "strategy", "Tomita strategy"), ("modified_bauer", "total", "Modified Bauer total"))


def _score(result: Result, key: str, sub: str) -> str:
    value = result.scores.get(key)
    return "not computed" if value is None else str(value.get(sub))


def diff(before: Result, after: Result) -> list[Change]:
    """Scores, derived routing values and the recommendation that differ between two results."""
    out = [Change(label, _score(before, k, s), _score(after, k, s))
           for k, s, label in _SCORE_KEYS]
    for key in ("mechanically_unstable", "radiosensitivity", "ecog"):
        out.append(Change(key.replace("_", " "), str(before.derived.get(key)), str(after.derived.get(key))))
    b, a = before.recommendation, after.recommendation
    out += [Change("Headline", b.headline_title, a.headline_title), Change("Rule", b.rule, a.rule),
            Change("Urgency", b.urgency, a.urgency),
            Change("Flags", ", ".join(sorted(b.flags)) or "none", ", ".join(sorted(a.flags)) or "none")]
    return [c for c in out if c.before != c.after]


def what_if(flow: LoadedFlow, answers: dict[str, Any], changed: dict[str, Any]) -> WhatIf:
    """Replay a copy of the answers with some changed; the original mapping is never touched.

    A change that brings a new question onto the path without an answer or proposed default is
    reported in ``needs`` (the caller asks for it and calls again with it in ``changed``).
    """
    before = replay(flow, dict(answers)).result
    trial = {**answers, **changed}
    try:
        after = replay(flow, trial).result
    except MissingAnswer as err:
        return WhatIf(before, None, needs=err.question_id)
    except AnswersError as err:
        return WhatIf(before, None, error=err.message)
    return WhatIf(before, after, changes=diff(before, after))
