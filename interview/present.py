"""How values read to a clinician: urgency words, the basis of a statement, the answers behind it.

One module for every screen and report, so that the recommendation screen, the Markdown report and
what comes next say the same thing the same way — never a raw id or a Python dict.
"""

from __future__ import annotations

from typing import Any

from interview.engine.values import display
from interview.flow.load import LoadedFlow

URGENCY_WORDS = {"emergency": "EMERGENCY — now / within 24 h", "urgent": "Urgent — within days",
                 "elective": "Elective"}

#: Longest question text shown as the name of an input, before it is shortened with "…".
_NAME_WIDTH = 60


def urgency_words(level: str) -> str:
    """The urgency level as a clinician reads it ("Urgent — within days")."""
    return URGENCY_WORDS.get(level, level)


def basis_words(flow: LoadedFlow, basis: str) -> str:
    """What a statement rests on, in words: "Rule R3c", "Flag", "SINS (score)", "Urgency rule"."""
    kind, _, name = basis.partition(":")
    if not name:
        return f"Rule {basis}"  # a routing rule's id (R3c)
    if kind == "score":
        score = next((s for s in flow.model.scores if s.id == name), None)
        return f"{score.title if score else name} (score)"
    return {"flag": "Flag", "advice": "Advice item", "urgency": "Urgency rule"}.get(kind, kind)


def value_name(flow: LoadedFlow, name: str) -> str:
    """The clinician's name of a value a condition read: a question, a derived value or a score."""
    if name in flow.by_id:
        prompt = flow.by_id[name].model.prompt.split("?")[0].strip()
        return prompt if len(prompt) <= _NAME_WIDTH else prompt[: _NAME_WIDTH - 1].rstrip() + "…"
    if name in flow.derived:
        return flow.derived[name].label
    score = next((s for s in flow.model.scores if s.id == name), None)
    if score is not None:
        return score.title
    return {"headline": "Headline", "rule": "Rule"}.get(name, name.replace("_", " "))


def value_words(flow: LoadedFlow, name: str, value: Any) -> str:
    """A value as the clinician reads it: option labels, yes/no, a score's total and band."""
    if name in flow.by_id:
        return display(flow.by_id[name].model, value)
    if isinstance(value, dict):
        if "total" in value:
            band = value.get("band_label")
            return f"{value['total']}" + (f" ({band})" if band else "")
        return ", ".join(f"{k.replace('_', ' ')} {value_words(flow, '', v)}" for k, v in value.items())
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if name == "headline" and value in flow.model.headlines:
        return flow.model.headlines[value].title
    return str(value).replace("_", " ")


def short_name(flow: LoadedFlow, name: str) -> str:
    """A value's name without its explanation in brackets (a derived value's label is a definition)."""
    full = value_name(flow, name)
    if name in flow.derived and " (" in full:
        return full.split(" (")[0]
    return full


def flag_words(flow: LoadedFlow, flag_id: str, width: int = _NAME_WIDTH) -> str:
    """A flag by the start of its own text ("Prior radiotherapy at this level…"), never its id."""
    flag = next((f for f in flow.model.flags if f.id == flag_id), None)
    if flag is None:
        return flag_id.replace("_", " ")
    text = " ".join(flag.text.split())
    first = text.split(". ")[0].rstrip(".")
    return first if len(first) <= width else first[: width - 1].rstrip() + "…"


def score_words(result: Any, key: str, sub: str) -> str:
    """One part of a score as read ("9", "Stable (0–6)"), or "not scored" when the path has none."""
    value = result.scores.get(key)
    if value is None:
        return "not scored"
    part = value.get(sub) if isinstance(value, dict) else value
    return "—" if part is None else str(part).replace("_", " ")


def inputs_lines(flow: LoadedFlow, inputs: dict[str, Any]) -> list[str]:
    """The answers and values behind a statement, one "name: value" line each."""
    return [f"{value_name(flow, k)}: {value_words(flow, k, v)}" for k, v in inputs.items()]


__all__ = ["URGENCY_WORDS", "basis_words", "flag_words", "inputs_lines", "score_words", "short_name",
           "urgency_words", "value_name", "value_words"]
