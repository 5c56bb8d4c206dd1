"""Derived values and scores as functions of the answers: item points, totals, bands and ranges.

:class:`Evaluation` is the one place a number is computed. It is a mapping from every name of the
flow (answers, derived values, scores) to its value, filled lazily so that a name is computed once
per set of answers, in whatever order the expressions ask for it. While an item is unanswered a
score has no total but a ``range``: the lowest and highest totals the open items still allow.
"""

from __future__ import annotations

from typing import Any

from interview.flow.load import LoadedFlow
from interview.flow.model import ChoiceQuestion, Derived, PointsScore, ScoreItem, SummaryScore, ValueScore


class Evaluation(dict[str, Any]):
    """Answers (with `otherwise` values off the path) plus lazily computed derived values and scores."""

    def __init__(self, flow: LoadedFlow, values: dict[str, Any] | None = None) -> None:
        super().__init__(values or {})
        self.flow = flow

    def __missing__(self, name: str) -> Any:
        flow = self.flow
        if name in flow.derived:
            value = derive(flow, flow.derived[name], self)
        elif name in flow.scores:
            value = score(flow, flow.scores[name], self)
        elif name in flow.by_id:
            # Not yet reached on the path: unknown for now.
            return None
        else:
            raise KeyError(name)
        self[name] = value
        return value

    def derived_values(self) -> dict[str, Any]:
        """Every derived value, by id."""
        return {d.id: self[d.id] for d in self.flow.model.derived}

    def score_values(self) -> dict[str, Any]:
        """Every score's output (``None`` where it cannot be computed on the path), by id."""
        return {s.key or s.id: self[s.id] for s in self.flow.model.scores}


def derive(flow: LoadedFlow, d: Derived, env: Evaluation) -> Any:
    """The value of one derived value."""
    if d.expr is not None:
        return flow.cond(d)(env)
    if d.cases is not None:
        for case in d.cases:
            if case.when is None or flow.cond(case)(env):
                return flow.cond(case, "value")(env)
        return None
    source = env[d.ranges_of]  # type: ignore[index]
    if source is None or isinstance(source, bool):
        return None
    for r in d.ranges or []:
        if r.min <= source <= r.max:
            return r.value
    return None


def _option_points(flow: LoadedFlow, score_id: str, question_id: str) -> dict[str, int]:
    q = flow.by_id[question_id].model
    assert isinstance(q, ChoiceQuestion)
    return {o.value: (o.points[score_id] if isinstance(o.points, dict) else o.points) for o in q.options}  # type: ignore[misc]


def item_points(flow: LoadedFlow, score_id: str, item: ScoreItem, env: Evaluation) -> tuple[int | None, Any]:
    """The points of one score item and the value they were read from (``None`` while unknown)."""
    if item.points_from is not None:
        value = env[item.points_from]
        return (None if value is None else _option_points(flow, score_id, item.points_from).get(value)), value
    if item.lookup is not None:
        value = env[item.lookup_of]  # type: ignore[index]
        if value is None:
            return None, None
        key = ("true" if value else "false") if isinstance(value, bool) else str(value)
        return item.lookup.get(key), value
    if item.ranges is not None:
        value = env[item.ranges_of]  # type: ignore[index]
        if value is None or isinstance(value, bool):
            return None, value
        return next((r.points for r in item.ranges if r.min <= value <= r.max), None), value
    if any(env[n] is None for n in item.needs):
        return None, None
    for case in item.cases or []:
        if case.when is None or flow.cond(case)(env):
            return case.points, case.label
    return None, None


def item_bounds(flow: LoadedFlow, score_id: str, item: ScoreItem) -> tuple[int, int]:
    """The lowest and highest points an item can give."""
    if item.points_from is not None:
        pts = list(_option_points(flow, score_id, item.points_from).values())
    elif item.lookup is not None:
        pts = list(item.lookup.values())
    elif item.ranges is not None:
        pts = [r.points for r in item.ranges]
    else:
        pts = [c.points for c in item.cases or []]
    return min(pts), max(pts)


def score(flow: LoadedFlow, s: Any, env: Evaluation) -> dict[str, Any] | Any | None:
    """The output of one score: ``None`` when its `requires` does not hold."""
    if s.requires and not flow.cond(s, "requires")(env):
        return None
    if isinstance(s, SummaryScore):
        return {key: flow.cond(s, key)(env) for key in s.fields}
    if isinstance(s, ValueScore):
        return flow.cond(s, "expr")(env)
    assert isinstance(s, PointsScore)
    return points_score(flow, s, env)


def points_score(flow: LoadedFlow, s: PointsScore, env: Evaluation) -> dict[str, Any]:
    """Items with their points, the total and its band, or the range the open items allow."""
    items: list[dict[str, Any]] = []
    total = 0
    low = high = 0
    complete = True
    for item in s.items:
        points, value = item_points(flow, s.id, item, env)
        items.append({"id": item.id, "label": item.label, "value": value, "points": points})
        if points is None:
            complete = False
            lo, hi = item_bounds(flow, s.id, item)
            low, high = low + lo, high + hi
        else:
            total += points
            low, high = low + points, high + points
    if s.ceiling is not None:
        total, low, high = min(total, s.ceiling), min(low, s.ceiling), min(high, s.ceiling)
    out: dict[str, Any] = {"total": total if complete else None}
    band = band_of(s, total) if complete else None
    if band is not None:
        out.update(band.values)
        out["band_label"] = band.label
    else:
        for key in s.bands[0].values:
            out[key] = None
        out["band_label"] = None
        if not complete:
            out["range"] = [low, high]
            bands = {b.label for b in s.bands if b.max >= low and b.min <= high}
            out["possible_bands"] = [b.label for b in s.bands if b.label in bands]
    out["items"] = items
    return out


def band_of(s: PointsScore, total: int) -> Any:
    """The band a total falls in, or ``None`` outside every band."""
    return next((b for b in s.bands if b.min <= total <= b.max), None)
