"""The MDT handover: an SBAR for the MSCC coordinator or the on-call spinal surgeon, and what it still lacks.

Before the handover the app lists what the coordinator will ask that the case does not hold — the
time of the first symptom and of the loss of walking, dexamethasone (time, dose), the MRI (time, and
where the images are), bladder and bowel, anticoagulants, platelets and INR when surgery is
possible, previous radiotherapy at the level, the patient's wishes and ceiling of care, the
responsible consultant — and the doctor adds each or marks it unavailable. Those are the flow's
optional ``handover`` questions (flow-only: never on the case's path, never needed for the
recommendation); times of dexamethasone and of the MRI are clock events (:mod:`interview.export.clock`),
the one record of them. An answers file may carry both: ``handover_…`` answers, and a ``clock:``
mapping of event to time (``mri_done: 2026-11-29T09:00``, or ``{at: …, dose: 16 mg}``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from interview.errors import OneLineError
from interview.export.clock import (
    ClockError,
    Moment,
    amount_words,
    check_event,
    clock_items,
    event_words,
    parse_time,
)
from interview.export.summary import WIDTH, first_sentence, rule_words, short_flag
from interview.present import scores_line, time_words, urgency_words, value_words

if TYPE_CHECKING:
    from interview.flow.load import LoadedFlow
    from interview.flow.model import HandoverItem, HandoverLine
    from interview.result import Result

#: The key of an answers file that holds clock events (not a question).
CLOCK_KEY = "clock"
UNAVAILABLE = "unavailable"


class HandoverError(OneLineError, ValueError):
    """A handover answer or clock entry of an answers file that cannot be read (``message`` says why)."""


def handover_questions(flow: LoadedFlow) -> dict[str, Any]:
    """The flow's handover questions by id (empty when the flow declares no handover)."""
    return {q.id: q for q in flow.model.handover.questions} if flow.model.handover else {}


def split_answers(flow: LoadedFlow, answers: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """An answers file's case answers, handover answers and clock entries, apart.

    The case answers go to the engine as before (so the result is the same with or without the
    handover); the others are for the handover alone.
    """
    questions = handover_questions(flow)
    case = {k: v for k, v in answers.items() if k not in questions and k != CLOCK_KEY}
    handover = {k: v for k, v in answers.items() if k in questions}
    clock = answers.get(CLOCK_KEY) or {}
    return case, handover, clock if isinstance(clock, Mapping) else {"": clock}


def check_handover_answers(flow: LoadedFlow, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Handover answers checked against their questions (an option, or text; ``unavailable`` always).

    Raises:
        HandoverError: a value the question does not take, with what is allowed.
    """
    from interview.engine.values import AnswerError, coerce

    questions = handover_questions(flow)
    out: dict[str, Any] = {}
    for key, value in answers.items():
        if value is None:
            continue
        q = questions[key]
        if isinstance(value, str) and value.strip().lower() == UNAVAILABLE:
            out[key] = UNAVAILABLE
            continue
        try:
            out[key] = coerce(q, value)
        except AnswerError as err:
            raise HandoverError(f"field {key!r}: {err.reason}: {value!r} (allowed: {err.allowed}, "
                                f"or {UNAVAILABLE})") from None
    return out


def clock_marks(flow: LoadedFlow, entries: Mapping[str, Any], *, now: datetime) -> dict[str, Moment]:
    """The ``clock:`` entries of an answers file as moments (``event: TIME`` or ``event: {at, dose, note}``).

    Raises:
        HandoverError: an unknown event or a time that cannot be read.
    """
    out: dict[str, Moment] = {}
    for name, value in entries.items():
        try:
            event = check_event(flow, str(name))
            entry = value if isinstance(value, Mapping) else {"at": value}
            at = parse_time(None if entry.get("at") is None else str(entry.get("at")), now=now)
        except ClockError as err:
            raise HandoverError(f"clock: {err.message}") from None
        out[event] = Moment(at, entry.get("dose"), entry.get("note"))
    return out


class _Env(dict):  # a condition's names: a name the case does not hold reads as null
    def __missing__(self, key: str) -> None:
        return None


def _env(flow: LoadedFlow, result: Result) -> _Env:
    """The names a handover condition reads, as the engine's conditions read them: answers, derived values,
    scores by their id (the result keys them by `key`: Frankel's is the question's own name), the decision."""
    from interview.engine.values import NOT_KNOWN

    rec = result.recommendation
    env = _Env({k: (None if v == NOT_KNOWN else v) for k, v in result.answers.items()})
    env.update(result.derived)
    env.update({s.id: result.scores.get(s.key or s.id) for s in flow.model.scores})
    env.update(headline=rec.headline, rule=rec.rule, urgency=rec.urgency)
    return env


def _asked(flow: LoadedFlow, q: Any, env: _Env) -> bool:
    """Whether a handover question is asked for this case: it has no `when`, or its `when` holds."""
    return not q.when or bool(flow.cond(q)(env))


def _applies(flow: LoadedFlow, item: HandoverItem, env: _Env, questions: dict[str, Any]) -> bool:
    if item.needs is not None:
        return bool(env[item.needs])
    q = questions.get(item.question or "")
    return q is not None and _asked(flow, q, env)


def missing_items(result: Result, flow: LoadedFlow, answers: Mapping[str, Any],
                  marks: Mapping[str, Moment]) -> list[HandoverItem]:
    """What the coordinator will ask that the case does not hold, in the order the flow lists them."""
    if flow.model.handover is None:
        return []
    questions = handover_questions(flow)
    env = _env(flow, result)
    out = []
    for item in flow.model.handover.items:
        if not _applies(flow, item, env, questions):
            continue
        if item.event and item.event in marks:
            continue
        if item.question and answers.get(item.question) is not None:
            continue
        if item.case_answer and env[item.case_answer] is not None:
            continue
        out.append(item)
    return out


def _answer(flow: LoadedFlow, result: Result, qid: str) -> str | None:
    if qid not in result.answers:
        return None
    return value_words(flow, qid, result.answers[qid])


def _handover_answer(q: Any, answers: Mapping[str, Any]) -> str:
    value = answers.get(q.id)
    if value is None:
        return "missing"
    if value == UNAVAILABLE:
        return UNAVAILABLE
    from interview.engine.values import display

    return display(q, value)


def _line_value(flow: LoadedFlow, spec: HandoverLine, result: Result, answers: Mapping[str, Any],
                marks: Mapping[str, Moment], now: datetime, env: _Env, questions: dict[str, Any]) -> str | None:
    """What an SBAR line shows (see :class:`HandoverLine`), or ``None`` when it is left out."""
    asked = questions.get(spec.handover_answer or "")
    if spec.when:
        if not flow.cond(spec)(env):
            return None
    elif asked is not None and not _asked(flow, asked, env) and answers.get(asked.id) is None:
        return None  # its question is not asked for this case, and was not answered anyway
    if spec.event and spec.event in marks:
        return _moment(marks, spec.event, now)
    if spec.question and spec.question in result.answers:
        return _answer(flow, result, spec.question)
    if spec.handover_answer:
        return _handover_answer(questions[spec.handover_answer], answers)
    return "missing" if spec.event else None


def _moment(marks: Mapping[str, Moment], name: str, now: datetime) -> str:
    m = marks.get(name)
    if m is None:
        return "missing"
    dose = f", {m.dose}" if m.dose else ""
    return f"{time_words(m.at.isoformat())} ({amount_words(now - m.at)} ago{dose})"


def render_handover(result: Result, flow: LoadedFlow, *, now: datetime, marks: Mapping[str, Moment],
                    answers: Mapping[str, Any] | None = None, label: str | None = None, width: int = WIDTH) -> str:
    """The SBAR handover as plain text wrapped to ``width`` (80: read at 80×24), with what is still missing first."""
    from interview.text import for_terminal

    answers = answers or {}
    rec = result.recommendation
    missing = missing_items(result, flow, answers, marks)
    name = for_terminal(label) if label else (flow.model.report.title or flow.model.title)

    def line(words: str, value: str | None) -> list[str]:
        return [f"  {words}: {for_terminal(value)}"] if value is not None else []

    out = [f"MDT handover (SBAR) — {name} · as of {time_words(now.isoformat())}", first_sentence(rec.notice), ""]
    if missing:
        out.append("Still missing — the coordinator will ask (add it, or mark it unavailable):")
        out += [f"  • {i.words}" + (f" ({i.question})" if i.question else f" (clock: {i.event})") for i in missing]
    else:
        out.append("Nothing missing: every item the coordinator asks for is recorded or marked unavailable.")
    env, questions = _env(flow, result), handover_questions(flow)
    shown: set[str] = set()  # the clock events a line has shown already

    def section(name: str) -> list[str]:
        lines: list[str] = []
        for spec in getattr(flow.model.handover, name) if flow.model.handover else ():
            value = _line_value(flow, spec, result, answers, marks, now, env, questions)
            if value is not None:
                lines += line(spec.words, value)
                shown.add(spec.event or "")
        return lines

    out += ["", "S — Situation", f"  {urgency_words(rec.urgency)}: {rec.headline_title or 'not decided yet'}"]
    out += section("situation")
    out += ["", "B — Background", *section("background")]
    out += ["", "A — Assessment", *section("assessment")]
    out += line("Scores", scores_line(flow, result))
    if rec.flags:
        out += line("Flags", "; ".join(short_flag(s.text) for s in rec.flag_details))
    out += ["", "R — Recommendation", f"  {rec.headline_title or 'not decided yet'}", f"  Why: {rule_words(result)}"]
    for item in clock_items(result, flow, marks):
        status = item.status(now) if item.hours is not None else ""
        out.append(f"  • {item.what}" + (f": {status}" if status else ""))
    for event, words in event_words(flow).items():  # every other action recorded, with its time (and dose)
        if event in marks and event not in shown:
            out += line(words, _moment(marks, event, now))
    out += ["", rec.notice.strip()]
    return "\n".join(wrapped for text in out for wrapped in _wrap(text, width)) + "\n"


def _wrap(text: str, width: int = WIDTH) -> list[str]:
    """A line wrapped to 80 columns, its continuation indented under its text (read at 80×24)."""
    import textwrap

    lead = len(text) - len(text.lstrip())
    indent = " " * (lead + 2 if lead else 0)  # an item's continuation under its text; a heading's flush
    return textwrap.wrap(text, width, subsequent_indent=indent, break_on_hyphens=False) or [""]


__all__ = ["CLOCK_KEY", "HandoverError", "check_handover_answers", "clock_marks",
           "handover_questions", "missing_items", "render_handover", "split_answers"]
