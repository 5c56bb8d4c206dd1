"""A plain-text transcript of any interview session, readable by a screen reader or printed for the notes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from interview.engine.session import Session
from interview.engine.values import display


def render_transcript(session: Session, *, now: datetime | None = None, marks: Mapping[str, Any] | None = None,
                      label: str | None = None) -> str:
    """The summary first (once done), then questions by phase with their answers, alerts, set-aside
    answers and the outcome.

    Args:
        session: a session in any state (open or complete).
        now: the time the summary's clock items are shown against (default: now).
        marks: the case's recorded clock moments (default: those of answers given at ``now``).
        label: the case label for the summary's first line.
    """
    flow = session.flow
    phases = {p.id: p.title for p in flow.model.phases}
    out: list[str] = [f"Transcript — {flow.model.title} (flow {flow.id} {flow.version})"]
    if session.done:  # summary first: what the reader needs, before the questions that led to it
        from interview.export.clock import moments
        from interview.export.summary import build_summary, summary_lines

        now = now or datetime.now(UTC)
        result = session.result()
        if marks is None:
            marks = moments([], flow, answers=result.answers, answered_at=now)
        out += ["", "== Summary ==",
                *summary_lines(build_summary(result, flow, now=now, marks=marks, label=label), notice=False)]
    current_phase: str | None = None
    for qid in session.path:
        q = flow.by_id[qid].model
        if q.phase != current_phase:
            current_phase = q.phase
            out += ["", f"== {phases.get(q.phase, q.phase)} =="]
        if qid in session.answers:
            answer = display(q, session.answers[qid])
            if qid in session.defaults_applied:
                answer += " (proposed default accepted)"
        elif qid in session.skipped:
            answer = "skipped"
        else:
            answer = "not answered yet"
        out += [f"Q: {q.prompt}", f"A: {answer}"]
    alerts = session.alerts
    if alerts:
        out += ["", "== Alerts =="]
        for a in alerts:
            out.append(f"[{a.level.upper()}] {a.title}")
            out += [f"  - {line}" for line in a.lines]
    on_path = set(session.path)
    set_aside = {k: v for k, v in session.proposals.items() if k not in on_path and k in flow.by_id}
    if set_aside:
        out += ["", "== Answers set aside (no longer on this case's path) =="]
        out += [f"- {flow.by_id[k].model.prompt} {display(flow.by_id[k].model, v)}" for k, v in set_aside.items()]
    if session.done:
        out += _outcome(session)
    else:
        current = session.current
        out += ["", f"Interview in progress; next question: {current.model.prompt if current else '—'}"]
    return "\n".join(out).strip() + "\n"


def _outcome(session: Session) -> list[str]:
    result = session.result()
    rec = result.recommendation
    scores: dict[str, Any] = result.scores
    lines = ["", "== Scores =="]
    for s in session.flow.model.scores:
        value = scores.get(s.key or s.id)
        if value is None:
            lines.append(f"{s.title}: not computed on this path")
        elif isinstance(value, dict) and "total" in value:
            lines.append(f"{s.title}: {value['total']} — {value.get('band_label')}")
        elif isinstance(value, dict):
            lines.append(f"{s.title}: " + ", ".join(f"{k} {v}" for k, v in value.items()))
        else:
            lines.append(f"{s.title}: {value}")
    lines += ["", "== Recommendation ==", f"Headline: {rec.headline_title}", rec.headline_summary,
              f"Rule {rec.rule}: {rec.rule_text}", f"Urgency: {rec.urgency} — {rec.urgency_text}"]
    if rec.flag_details:
        lines.append("Flags:")
        lines += [f"  - {f.text}" for f in rec.flag_details]
    else:
        lines.append("Flags: none")
    lines += ["", f"Notice: {rec.notice}"]
    return lines
