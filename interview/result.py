"""The Result and Recommendation models: the contract's JSON shape, read by every consumer.

The TUI, `spine-interview run`, the case store and every export read this one object; nothing
downstream recomputes a score or re-decides a rule.

Plain dataclasses: the engine builds them from a validated flow, so validating them again on every
case would only repeat work, and `spine-interview run` need not import pydantic at all. A result
read back from storage is checked by pydantic (:func:`read_result`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any

NOTICE_FALLBACK = (
    "Decision support for the responsible clinician and the multidisciplinary team (MDT); not an order."
)


@dataclass(kw_only=True)
class FlowInfo:
    """Which flow, at which version and content hash, produced a result."""

    id: str
    version: str
    sha256: str

    @classmethod
    def of(cls, flow: Any) -> FlowInfo:
        """The identity of a loaded flow (anything with its ``id``, ``version`` and ``sha256``)."""
        return cls(id=flow.id, version=flow.version, sha256=flow.sha256)


@dataclass(kw_only=True)
class Cited:
    """A reference as printed beside an item."""

    id: str
    citation: str


@dataclass(kw_only=True)
class Statement:
    """One item of the recommendation, with the rule or table behind it and its sources."""

    id: str
    text: str
    #: the rule, score or table that produced the item (e.g. 'R3b', 'score:sins')
    basis: str
    section: str | None = None
    refs: list[Cited] = field(default_factory=list)
    convention: bool = False
    #: the answers and values behind it
    inputs: dict[str, Any] = field(default_factory=dict)


#: Recommendation keys that exist only in a provisional result (CONTRACT §7: absent otherwise).
SECTION_7_ONLY = frozenset({"possible_headlines", "decisive", "possible_urgencies", "possible_flags", "pending"})
#: Field metadata: the field's mapping is written as keys of the object that holds it (the parts).
_SPREAD = "spread"

@dataclass(kw_only=True)
class Recommendation:
    """The headline, rule, urgency and flags of the contract, plus the structured parts (§9.3)."""

    #: ``None`` only in a provisional result whose completions do not agree (CONTRACT §7)
    headline: str | None
    headline_title: str | None
    headline_summary: str | None
    rule: str | None
    rule_text: str | None
    urgency: str
    urgency_text: str
    flags: list[str]
    #: CONTRACT §7: true when the result rests on answers not known yet.
    provisional: bool = False
    #: CONTRACT §7 keys, present only in a provisional result (left out of the JSON when ``None``)
    possible_headlines: list[str] | None = None
    decisive: list[str] | None = None
    possible_urgencies: list[str] | None = None
    possible_flags: list[str] | None = None
    #: the open answers (``not_known`` on the path of some completion), in flow order
    pending: list[str] | None = None
    flag_details: list[Statement] = field(default_factory=list)
    #: the structured parts the flow declares (its ``parts:``), part id -> items, in the flow's order;
    #: in the JSON each part is a key of the recommendation itself, here (CONTRACT §6)
    parts: dict[str, list[Statement]] = field(default_factory=dict, metadata={_SPREAD: True})
    rationale: list[Statement] = field(default_factory=list)
    conventions: list[str] = field(default_factory=list)
    notice: str = NOTICE_FALLBACK

    def part(self, name: str) -> list[Statement]:
        """One structured part by its id in the flow (empty for a part the flow does not declare)."""
        return list(self.parts.get(name, ()))

    def __getattr__(self, name: str) -> list[Statement]:
        # `rec.clock` reads as the JSON does; only called for a name that is not a field.
        parts = self.__dict__.get("parts")
        if parts is not None and name in parts:
            return parts[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


@dataclass(kw_only=True)
class Result:
    """Everything a finished case hands back (CONTRACT.md §2)."""

    flow: FlowInfo
    answers: dict[str, Any]
    path: list[str]
    derived: dict[str, Any]
    scores: dict[str, Any]
    recommendation: Recommendation
    defaults_applied: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notice: str = NOTICE_FALLBACK

    def to_json_dict(self) -> dict[str, Any]:
        """The JSON object `spine-interview run --format json` prints."""
        return _json(self)


def _json(value: Any) -> Any:
    """A result as JSON values: objects by field order, tuples and sets as lists, keys as text."""
    if isinstance(value, dict):
        return {_json_key(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, set | frozenset):
        return [_json(v) for v in sorted(value, key=repr)]
    if hasattr(value, "__dataclass_fields__"):
        out: dict[str, Any] = {}
        for f in fields(value):
            item = getattr(value, f.name)
            if f.metadata.get(_SPREAD):
                out.update(_json(item))
            elif f.name not in SECTION_7_ONLY or item is not None:
                out[f.name] = _json(item)
        return out
    return value


def _json_key(key: Any) -> str:
    """A mapping key as text, as pydantic wrote it (``True`` -> ``"true"``, ``3`` -> ``"3"``)."""
    if isinstance(key, bool):
        return "true" if key else "false"
    return key if isinstance(key, str) else str(key)


@cache
def _adapter() -> Any:
    from pydantic import TypeAdapter

    return TypeAdapter(Result)


def read_result(data: Any) -> Result:
    """A result's JSON object (as stored) back as a :class:`Result`, checked field by field.

    Raises:
        pydantic.ValidationError: the object is not a result.
    """
    return _adapter().validate_python(_gather_parts(data))


def _gather_parts(data: Any) -> Any:
    """A stored result with its recommendation's parts (the keys that are no field) under ``parts``."""
    if not isinstance(data, dict) or not isinstance(data.get("recommendation"), dict):
        return data
    rec = data["recommendation"]
    if "parts" in rec:
        return data
    known = {f.name for f in fields(Recommendation)}
    parts = {k: v for k, v in rec.items() if k not in known}
    kept = {k: v for k, v in rec.items() if k in known}
    return {**data, "recommendation": {**kept, "parts": parts}}
