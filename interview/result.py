"""The Result and Recommendation models: the contract's JSON shape, read by every consumer.

The TUI, `spine-interview run`, the case store and every export read this one object; nothing
downstream recomputes a score or re-decides a rule.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

NOTICE_FALLBACK = (
    "Decision support for the responsible clinician and the multidisciplinary team (MDT); not an order."
)


class FlowInfo(BaseModel):
    """Which flow, at which version and content hash, produced a result."""

    id: str
    version: str
    sha256: str


class Cited(BaseModel):
    """A reference as printed beside an item."""

    id: str
    citation: str


class Statement(BaseModel):
    """One item of the recommendation, with the rule or table behind it and its sources."""

    id: str
    text: str
    basis: str = Field(description="the rule, score or table that produced the item (e.g. 'R3b', 'score:sins')")
    section: str | None = None
    refs: list[Cited] = Field(default_factory=list)
    convention: bool = False
    inputs: dict[str, Any] = Field(default_factory=dict, description="the answers and values behind it")


PARTS = ("clock", "work_up", "local_treatment", "radiotherapy", "systemic", "supportive", "mdt")
PART_TITLES = {
    "clock": "Urgency and clock items",
    "work_up": "Work-up still needed",
    "local_treatment": "Local treatment",
    "radiotherapy": "Radiotherapy",
    "systemic": "Systemic therapy",
    "supportive": "Supportive care",
    "mdt": "MDT and referrals",
}


class Recommendation(BaseModel):
    """The headline, rule, urgency and flags of the contract, plus the structured parts (§9.3)."""

    headline: str
    headline_title: str
    headline_summary: str
    rule: str
    rule_text: str
    urgency: str
    urgency_text: str
    flags: list[str]
    flag_details: list[Statement] = Field(default_factory=list)
    clock: list[Statement] = Field(default_factory=list)
    work_up: list[Statement] = Field(default_factory=list)
    local_treatment: list[Statement] = Field(default_factory=list)
    radiotherapy: list[Statement] = Field(default_factory=list)
    systemic: list[Statement] = Field(default_factory=list)
    supportive: list[Statement] = Field(default_factory=list)
    mdt: list[Statement] = Field(default_factory=list)
    rationale: list[Statement] = Field(default_factory=list)
    conventions: list[str] = Field(default_factory=list)
    notice: str = NOTICE_FALLBACK

    def part(self, name: str) -> list[Statement]:
        """One structured part by name (see :data:`PARTS`)."""
        return list(getattr(self, name))


class Result(BaseModel):
    """Everything a finished case hands back (CONTRACT.md §2)."""

    flow: FlowInfo
    answers: dict[str, Any]
    path: list[str]
    derived: dict[str, Any]
    scores: dict[str, Any]
    recommendation: Recommendation
    defaults_applied: list[str] = Field(default_factory=list)
    skipped: list[str] = Field(default_factory=list)
    notice: str = NOTICE_FALLBACK

    def to_json_dict(self) -> dict[str, Any]:
        """The JSON object `spine-interview run --format json` prints."""
        return self.model_dump(mode="json")
