"""What-if without a screen: change answers of a case and list what changes in scores and recommendation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from interview.engine.replay import AnswersError, MissingAnswer, replay
from interview.flow.load import LoadedFlow
from interview.result import Result


@dataclass(frozen=True)
class Change:
    """One value that differs, in a clinician's words: what it was and what it becomes.

    ``kind`` says where it shows: ``"score"``, ``"derived"`` (a value the rules read) or
    ``"recommendation"`` (headline, rule, urgency, flags).
    """

    label: str
    before: str
    after: str
    kind: str = "score"


@dataclass
class WhatIf:
    """The outcome of changed answers: the new result, or the question that still needs an answer."""

    before: Result
    after: Result | None
    needs: str | None = None  # a question the change brings onto the path with no answer or default
    error: str | None = None
    changes: list[Change] = field(default_factory=list)

    @property
    def recommendation_changes(self) -> list[Change]:
        """The changes to the recommendation itself (empty: the advice stays as it was)."""
        return [c for c in self.changes if c.kind == "recommendation"]


def compared(flow: LoadedFlow) -> list[tuple[str, str | None, str]]:
    """The values what-if compares, as the flow's ``what_if:`` lists them: (name, score value, label).

    A score's value has its part (``total``, ``band_label``, …) and reads as its band, never its code; a
    derived value (part ``None``) by its short name. A flow that lists none compares every points
    score's total and band and every derived value.
    """
    from interview.flow.model import PointsScore
    from interview.present import short_name

    declared = flow.model.what_if
    if declared is None:
        out: list[tuple[str, str | None, str]] = []
        for s in flow.model.scores:
            if isinstance(s, PointsScore):
                out += [(s.key or s.id, "total", f"{s.title} total"), (s.key or s.id, "band_label", f"{s.title} band")]
        return out + [(d.id, None, short_name(flow, d.id)) for d in flow.model.derived]
    rows: list[tuple[str, str | None, str]] = []
    for v in declared:
        if v.score is not None:
            s = flow.scores[v.score]
            rows.append((s.key or s.id, v.value, v.label or s.title))
        else:
            assert v.derived is not None  # the model holds it to one of the two
            rows.append((v.derived, None, v.label or short_name(flow, v.derived)))
    return rows


def diff(before: Result, after: Result, flow: LoadedFlow) -> list[Change]:
    """Scores, derived routing values and the recommendation that differ between two results."""
    from interview.present import flag_words, score_words, urgency_words, value_words

    out = []
    for name, part, label in compared(flow):
        if part is None:
            out.append(Change(label, value_words(flow, name, before.derived.get(name)),
                              value_words(flow, name, after.derived.get(name)), "derived"))
        else:
            out.append(Change(label, score_words(before, name, part), score_words(after, name, part)))
    b, a = before.recommendation, after.recommendation

    def flags(rec: Any) -> str:
        return "; ".join(flag_words(flow, f) for f in sorted(rec.flags)) or "none"

    out += [Change("Headline", b.headline_title, a.headline_title, "recommendation"),
            Change("Decision rule", b.rule, a.rule, "recommendation"),
            Change("Urgency", urgency_words(b.urgency), urgency_words(a.urgency), "recommendation"),
            Change("Flags", flags(b), flags(a), "recommendation")]
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
    return WhatIf(before, after, changes=diff(before, after, flow))
