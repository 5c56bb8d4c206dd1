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


#: (score key, part, label): each part of a score compared, as its band reads, never its code.
_SCORE_KEYS = (("sins", "total", "SINS total"), ("sins", "band_label", "SINS category"),
               ("escc", "class", "ESCC class"), ("tokuhashi", "total", "Tokuhashi total"),
               ("tokuhashi", "band_label", "Tokuhashi band"), ("tomita", "total", "Tomita total"),
               ("tomita", "band_label", "Tomita strategy"), ("modified_bauer", "total", "Modified Bauer total"))
_DERIVED = ("mechanically_unstable", "radiosensitivity", "ecog")


def diff(before: Result, after: Result, flow: LoadedFlow) -> list[Change]:
    """Scores, derived routing values and the recommendation that differ between two results."""
    from interview.present import flag_words, score_words, short_name, urgency_words, value_words

    out = [Change(label, score_words(before, k, s), score_words(after, k, s)) for k, s, label in _SCORE_KEYS]
    for key in _DERIVED:
        out.append(Change(short_name(flow, key), value_words(flow, key, before.derived.get(key)),
                          value_words(flow, key, after.derived.get(key)), "derived"))
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
