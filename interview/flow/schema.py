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

from interview.flow.model import Flow

__all__ = ["SchemaError", "json_schema", "validate_flow"]


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
        return _adapter().validate_python(data)
    except ValidationError as err:
        first = err.errors(include_url=False)[0]
        loc = tuple(first["loc"])
        message = first["msg"]
        if first["type"] == "unexpected_keyword_argument":
            allowed = keys_at(loc[:-1])
            message = f"unknown key '{loc[-1]}'" + (f"; allowed: {', '.join(allowed)}" if allowed else "")
        raise SchemaError(loc, message) from None


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
