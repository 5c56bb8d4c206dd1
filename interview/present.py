"""How values read to a clinician: urgency words, the basis of a statement, the answers behind it.

One module for every screen and report, so that the recommendation screen, the Markdown report and
what comes next say the same thing the same way — never a raw id or a Python dict.
"""

from __future__ import annotations

import re
from typing import Any

from interview.engine.values import display, question_name
from interview.flow.load import LoadedFlow
from interview.flow.model import IntQuestion, NumberQuestion

URGENCY_WORDS = {"emergency": "EMERGENCY — now / within 24 h", "urgent": "Urgent — within days",
                 "elective": "Elective"}

#: Longest question text shown as the name of an input, before it is shortened with "…".
_NAME_WIDTH = 60


def time_words(iso: str | None) -> str:
    """A stored timestamp as a clinician reads it, in local time to the minute ("29 Nov 2026 20:00")."""
    from datetime import datetime

    if not iso:
        return "—"
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso[:16]
    return moment.astimezone().strftime("%d %b %Y %H:%M")


def status_words(status: str) -> str:
    """A case's status in words ("in progress", "complete")."""
    return status.replace("_", " ")


def urgency_words(level: str) -> str:
    """The urgency level as a clinician reads it ("Urgent — within days")."""
    return URGENCY_WORDS.get(level, level)


_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
_RULE_CODE = re.compile(r"^R(\d+)([a-j]?)$")


def is_rule_code(basis: str) -> bool:
    """Whether a statement's basis is a routing rule's code (R3c), the kind a legend explains."""
    return _RULE_CODE.match(basis) is not None


def rule_legend(rule_id: str) -> str:
    """One line that says what a rule code is: "Rule R3c = the third rule of step 3 of the routing …"."""
    m = _RULE_CODE.match(rule_id)
    if m is None:
        return f"Rule {rule_id} = the routing rule that decided the headline; see the rationale."
    step, letter = m.groups()
    which = f"the {_ORDINALS[ord(letter) - ord('a')]} rule of step {step}" if letter else f"step {step}"
    return (f"Rule {rule_id} = {which} of the routing (the steps are tried in order and the first rule "
            "that holds decides); see the rationale.")


#: A section number ("§11.4"); cited bare, it gets the words "clinical reference".
_SECTION = re.compile(r"§(?=\d)")


def source_words(text: str) -> str:
    """A text whose bare section numbers say what they are: "(§11.4)" -> "(clinical reference §11.4)".

    Only the first § of a bracket or sentence gets the words, so "(§11.10; CAFE, §6.4)" reads
    "(clinical reference §11.10; CAFE, §6.4)"; "REFERENCE §4.1" becomes "clinical reference §4.1".
    """
    text = text.replace("REFERENCE.md ", "clinical reference ").replace("REFERENCE ", "clinical reference ")
    out: list[str] = []
    last = 0
    named_until = -1  # a § before this position is in a run already named
    for m in _SECTION.finditer(text):
        start = m.start()
        named = start <= named_until or text[max(0, start - 10):start].lower() == "reference "
        out += [text[last:start], "§" if named else "clinical reference §"]
        last = m.end()
        ends = [i for i in (text.find(")", start), text.find(". ", start)) if i != -1]
        named_until = min(ends, default=len(text))
    out.append(text[last:])
    return "".join(out)


def basis_words(flow: LoadedFlow, basis: str) -> str:
    """What a statement rests on, in words: "Rule R3c", "Flag", "SINS (score)", "Urgency rule"."""
    kind, _, name = basis.partition(":")
    if not name:
        return f"Rule {basis}"  # a routing rule's id (R3c)
    if kind == "score":
        score = next((s for s in flow.model.scores if s.id == name), None)
        return f"{score.title if score else name} (score)"
    return {"flag": "Flag", "advice": "Advice item", "urgency": "Urgency rule",
            "provisional": "Answers not known yet"}.get(kind, kind)


def value_name(flow: LoadedFlow, name: str) -> str:
    """The clinician's name of a value a condition read: a question, a derived value or a score."""
    if name in flow.by_id:
        return question_name(flow.by_id[name].model, _NAME_WIDTH)
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


def brief_name(flow: LoadedFlow, name: str) -> str:
    """A question's name in a few words, for a list on one line ("Serum albumin", "Index level")."""
    full = value_name(flow, name)
    for cut in (" (", " — ", "? "):
        full = full.split(cut)[0]
    return full.rstrip("?").strip()


def _score_short_title(title: str) -> str:
    # "Revised Tokuhashi" -> "Tokuhashi", "ESCC (Bilsky)" -> "ESCC", "Modified Bauer" -> "Bauer"
    return title.split(" (")[0].removeprefix("Revised ").removeprefix("Modified ").removesuffix(" grade")


def scores_line(flow: LoadedFlow, result: Any) -> str:
    """The scores on one line: "SINS 8 potentially unstable · ESCC 2 · Tokuhashi 11 · … · KPS 70/ECOG 1".

    A score the case's path does not compute is left out (the details say "not scored").
    """
    parts: list[str] = []
    for s in flow.model.scores:
        value = result.scores.get(s.key or s.id)
        if value is None:
            continue
        title = _score_short_title(s.title)
        if isinstance(value, dict) and "total" in value:
            if value["total"] is None:  # provisional: the total waits for an answer not known yet
                parts.append(f"{title} pending")
                continue
            word = f" {str(value['category']).replace('_', ' ')}" if value.get("category") else ""
            parts.append(f"{title} {value['total']}{word}")
        elif isinstance(value, dict) and "grade" in value:
            parts.append(f"{title} {value['grade']}")
        elif isinstance(value, dict):  # KPS and ECOG: "KPS 70/ECOG 1"
            parts.append("/".join(f"{k.upper()} {v}" for k, v in value.items() if v is not None))
        else:
            parts.append(f"{title} {str(value).replace('_', ' ')}")
    return " · ".join(parts)


def inputs_lines(flow: LoadedFlow, inputs: dict[str, Any]) -> list[str]:
    """The answers and values behind a statement, one "name: value" line each."""
    return [f"{value_name(flow, k)}: {value_words(flow, k, v)}" for k, v in inputs.items()]


__all__ = ["URGENCY_WORDS", "basis_words", "brief_name", "flag_words", "inputs_lines", "score_words", "scores_line",
           "short_name",
           "urgency_words", "value_name", "value_words"]


def values_words(q: Any, values: list[Any]) -> str:
    """Values of a finding in the clinic's words: option labels, or runs of numbers ("3 to under 6 months")."""
    if not isinstance(q, IntQuestion | NumberQuestion):
        return " or ".join(display(q, v) for v in values)
    words = []
    for first, upper in values:
        if first <= q.min and upper is None:
            words.append("any value")
        elif upper is None:
            words.append(f"{display(q, first)} or more")
        elif isinstance(q, IntQuestion):
            last = upper - q.step
            words.append(display(q, first) if last == first else f"{first}–{display(q, last)}")
        else:
            words.append(f"under {display(q, upper)}" if first <= q.min else f"{first} to under {display(q, upper)}")
    return " or ".join(words)
