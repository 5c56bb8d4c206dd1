"""Validate a flow file's data against :mod:`interview.flow.model`, and give its JSON Schema.

The only module of the flow that imports pydantic: it runs when a flow file is read afresh (a
changed file, ``spine-interview check``, ``schema``), never when a validated flow comes from the
cache, so opening the app does not pay for pydantic.
"""

from __future__ import annotations

import dataclasses
import typing
from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from interview.flow.model import Flow, PointsScore, Score, SummaryScore

__all__ = ["SchemaError", "check_presentation", "json_schema", "validate_flow"]


class SchemaError(ValueError):
    """The first thing wrong with a flow file's data: where (``loc``) and what (``message``)."""

    def __init__(self, loc: tuple[Any, ...], message: str) -> None:
        self.loc = loc
        self.message = message
        super().__init__(f"{'.'.join(str(p) for p in loc)}: {message}")


@cache
def _adapter() -> TypeAdapter[Flow]:
    return TypeAdapter(Flow)


def validate_flow(data: Any) -> Flow:
    """The flow in ``data`` (parsed YAML), checked against the model; raises :class:`SchemaError`."""
    try:
        flow = _adapter().validate_python(data)
    except ValidationError as err:
        first = err.errors(include_url=False)[0]
        loc = tuple(first["loc"])
        message = first["msg"]
        if first["type"] == "unexpected_keyword_argument":
            allowed = keys_at(loc[:-1])
            message = f"unknown key '{loc[-1]}'" + (f"; allowed: {', '.join(allowed)}" if allowed else "")
        raise SchemaError(loc, message) from None
    check_presentation(flow)
    return flow


def _score_values(score: Score) -> list[str]:
    """The values of a score a checkpoint or what-if may name (its output's keys)."""
    if isinstance(score, PointsScore):
        return ["total", "band_label", *score.bands[0].values]
    if isinstance(score, SummaryScore):
        return list(score.fields)
    return []


def check_presentation(flow: Flow) -> None:
    """The recommendation's parts, the quiz and what-if name only what the flow holds.

    Raises:
        SchemaError: at the first name that is not there, with the names that are.
    """
    parts = [p.id for p in flow.parts]
    _no_repeats(parts, "parts")
    for i, item in enumerate(flow.advice):
        if item.part not in parts:
            raise SchemaError(("advice", i, "part"), f"unknown part {item.part!r} (parts: {', '.join(parts)})")
    phases = [p.id for p in flow.phases]
    scores = {s.id: s for s in flow.scores}
    questions = {q.id for q in flow.questions}
    teaching = flow.teaching
    for i, phase in enumerate(teaching.phases or []):
        if phase not in phases:
            raise SchemaError(("teaching", "phases", i), f"unknown phase {phase!r} (phases: {', '.join(phases)})")
    read = teaching.phases if teaching.phases is not None else phases
    checkpoints = [c.id for c in teaching.checkpoints]
    _no_repeats(checkpoints, "teaching checkpoints")
    for i, cp in enumerate(teaching.checkpoints):
        loc: tuple[Any, ...] = ("teaching", "checkpoints", i)
        if cp.id == "headline":
            raise SchemaError((*loc, "id"), "'headline' is the quiz's own last checkpoint: choose another id")
        if cp.score not in scores:
            raise SchemaError((*loc, "score"), f"unknown score {cp.score!r} (scores: {', '.join(scores)})")
        score = scores[cp.score]
        allowed = _score_values(score)
        if cp.value not in allowed:
            raise SchemaError((*loc, "value"), f"{cp.score} has no value {cp.value!r}"
                              + (f" (values: {', '.join(allowed)})" if allowed else ""))
        if cp.choices is None and not isinstance(score, PointsScore):
            raise SchemaError(loc, f"{cp.score} has no bands to offer: give `choices`")
        if cp.after not in read:
            raise SchemaError((*loc, "after"), f"phase {cp.after!r} is not read in the quiz (read: {', '.join(read)})")
        for j, qid in enumerate(cp.hides):
            if qid not in questions:
                raise SchemaError((*loc, "hides", j), f"unknown question {qid!r}")
        # Of the same score, so that both are asked or neither (a null score has no checkpoint).
        later = [c.id for c in teaching.checkpoints[i + 1:] if c.score == cp.score]
        if cp.reveal_with is not None and cp.reveal_with not in later:
            raise SchemaError((*loc, "reveal_with"), f"{cp.reveal_with!r} is not a later checkpoint of {cp.score}"
                              + (f" ({', '.join(later)})" if later else ""))
    if teaching.pending is not None and teaching.pending.id in ["headline", *checkpoints]:
        raise SchemaError(("teaching", "pending", "id"), f"id {teaching.pending.id!r} is already a checkpoint "
                          "of the quiz: choose another id")
    derived = [d.id for d in flow.derived]
    for i, v in enumerate(flow.what_if or []):
        loc = ("what_if", i)
        if v.derived is not None and v.derived not in derived:
            raise SchemaError((*loc, "derived"), f"unknown derived value {v.derived!r} (derived: {', '.join(derived)})")
        if v.score is not None:
            if v.score not in scores:
                raise SchemaError((*loc, "score"), f"unknown score {v.score!r} (scores: {', '.join(scores)})")
            allowed = _score_values(scores[v.score])
            if v.value not in allowed:
                raise SchemaError((*loc, "value"), f"{v.score} has no value {v.value!r}"
                                  + (f" (values: {', '.join(allowed)})" if allowed else ""))


def _no_repeats(ids: list[str], what: str) -> None:
    for i, name in enumerate(ids):
        if name in ids[:i]:
            section = what.split()[-1]
            loc = ("teaching", "checkpoints", i, "id") if section == "checkpoints" else (section, i, "id")
            raise SchemaError(loc, f"id {name!r} is used twice in the {what}")


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a flow file, for editors."""
    schema = _adapter().json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "spine-interview flow"
    return schema


def keys_at(loc: tuple[Any, ...]) -> list[str]:
    """The keys the flow class at an error location allows (``()`` is the top level).

    Follows the location through fields, list indexes, mapping keys and the discriminator tag
    pydantic puts in it (``questions.4.choice``); an empty list when the place holds no class.
    """
    kind: Any = Flow
    for part in loc:
        kind = _step(kind, part)
        if kind is None:
            return []
    kind = _unwrap(kind)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return [f.name for f in dataclasses.fields(kind)]
    return []


def _unwrap(kind: Any) -> Any:
    """``Annotated[X, …]`` and ``X | None`` down to ``X``."""
    while True:
        origin = typing.get_origin(kind)
        if origin is typing.Annotated:
            kind = typing.get_args(kind)[0]
        elif origin in (typing.Union, _UnionType):
            members = [a for a in typing.get_args(kind) if a is not type(None)]
            if len(members) != 1:
                return kind
            kind = members[0]
        else:
            return kind


_UnionType = type(int | None)


def _step(kind: Any, part: Any) -> Any:
    kind = _unwrap(kind)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind, include_extras=True)
        return hints.get(part)
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if origin is list and isinstance(part, int):
        return args[0]
    if origin is dict:
        return args[1]
    if origin in (typing.Union, _UnionType) and isinstance(part, str):
        # a discriminated union: the tag names the member
        for member in args:
            hints = typing.get_type_hints(member) if dataclasses.is_dataclass(member) else {}
            if typing.get_args(hints.get("kind")) == (part,):
                return member
    return None
