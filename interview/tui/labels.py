"""Words the interview shows beside answers: option points read from the flow's scores, and choices.

Pure functions over a :class:`LoadedFlow`, so the widgets stay thin and the numbers come from the
same flow the engine scores with (never typed twice).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from interview.engine.values import display
from interview.flow.load import LoadedFlow
from interview.flow.model import BoolQuestion, ChoiceQuestion, IntQuestion, PointsScore, Question


@dataclass(frozen=True)
class Choice:
    """One pickable answer: the stored value and the label the clinician reads."""

    value: Any
    label: str


def option_points(flow: LoadedFlow, question_id: str) -> dict[str, list[str]]:
    """Per option value, the points it gives in each score that reads the question.

    Points come from an option's own ``points`` (one score or per score) and from score items that
    read the question through ``points_from`` or ``lookup_of``.
    """
    q = flow.by_id[question_id].model
    out: dict[str, list[str]] = {}
    if not isinstance(q, ChoiceQuestion):
        return out
    readers = [s for s in flow.model.scores if isinstance(s, PointsScore)]
    many = sum(1 for s in readers for i in s.items
               if question_id in (i.points_from, i.lookup_of)) > 1
    for s in readers:
        for item in s.items:
            if item.points_from == question_id:
                for o in q.options:
                    pts = o.points.get(s.id) if isinstance(o.points, dict) else o.points
                    if pts is not None:
                        out.setdefault(o.value, []).append(_points(pts, s.title if many else None))
            elif item.lookup_of == question_id and item.lookup is not None:
                for o in q.options:
                    if o.value in item.lookup:
                        out.setdefault(o.value, []).append(_points(item.lookup[o.value], s.title))
    return out


def _points(points: int, score_title: str | None) -> str:
    word = "point" if abs(points) == 1 else "points"
    return f"{score_title}: {points} {word}" if score_title else f"{points} {word}"


def choices(flow: LoadedFlow, question_id: str) -> list[Choice]:
    """The pickable answers of a question (options, yes/no, or an int's labelled values)."""
    q = flow.by_id[question_id].model
    if isinstance(q, ChoiceQuestion):
        pts = option_points(flow, question_id)
        return [Choice(o.value, o.label + (f" — {', '.join(pts[o.value])}" if o.value in pts else ""))
                for o in q.options]
    if isinstance(q, BoolQuestion):
        return [Choice(True, q.yes_label), Choice(False, q.no_label)]
    if isinstance(q, IntQuestion) and q.labels:
        unit = f" {q.unit}" if q.unit else ""
        return [Choice(v, f"{v}{unit} — {text}") for v, text in sorted(q.labels.items(), reverse=True)]
    return []


def answer_text(q: Question, value: Any) -> str:
    """An answer as the clinician reads it, with an int's label (KPS 70 — Looks after self…)."""
    text = display(q, value)
    if isinstance(q, IntQuestion) and value in q.labels:
        text += f" — {q.labels[value]}"
    return text


def typed_keys(options: list[Choice]) -> list[str] | None:
    """The keys of a list whose values are numbers or codes that start with a digit, else ``None``.

    Such a list is answered by typing the value itself (ESCC ``0``, ``1a`` … ``3``; KPS ``70``):
    numbering its options 1, 2, 3… would put a key ``3`` beside grade 1b, and a clinician who
    types the grade would record another one. Lists of words keep their option numbers.
    """
    keys = [str(c.value).lower() for c in options if not isinstance(c.value, bool)]
    if keys and any(k.lstrip("-")[:1].isdigit() for k in keys):
        return keys
    return None


def waits_for_enter(key: str, keys: list[str]) -> bool:
    """Whether typing `key` whole still needs Enter: another value starts with it ("1" before "1a")."""
    return any(other != key and other.startswith(key) for other in keys)
