"""Quiz mode without a screen: the steps of a teaching case, the checkpoints, marking and the summary.

A quiz replays a library case with the interview's own engine, then walks the learner through it
phase by phase. Before each score the flow's ``teaching:`` names, and before the recommendation, the
learner commits to a value; the answer is then revealed with the item-by-item working and the rule and
source that produced it, all read from the flow and the :class:`~interview.result.Result` (nothing is
scored twice, and no score is named here: any flow that declares its checkpoints can be quizzed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from interview.engine.provisional import value_headlines
from interview.engine.replay import replay
from interview.engine.values import display
from interview.flow.load import LoadedFlow
from interview.flow.model import PointsScore, QuizCheckpoint, QuizChoice, SummaryScore
from interview.present import rule_legend, urgency_words, value_name, value_words, values_words
from interview.result import Result
from interview.teach.coaching import CoachingTopic, topics_for
from interview.teach.library import TeachingCase


@dataclass(frozen=True)
class PhaseStep:
    """The answers of one phase, read before the next checkpoint."""

    phase: str
    title: str
    lines: list[tuple[str, str]]  # (question prompt, answer as the clinician reads it)
    #: line index -> the checkpoint it gives away (a SINS item before the SINS total): the answer is
    #: hidden until the learner has committed to that checkpoint, who scores it from the case instead
    hidden: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Checkpoint:
    """A value the learner commits to before it is revealed."""

    id: str
    prompt: str
    expected: str
    #: the values offered, each with its words (a flow's declared choices, or ones made from the case)
    choices: list[QuizChoice] = field(default_factory=list)
    number_range: tuple[int, int] | None = None  # a typed whole number (SINS total) instead of choices
    working: list[str] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    #: the next checkpoint that shares this one's working (SINS total, then category): nothing of this
    #: one is revealed until that one is committed too, or the total would give the category away
    reveal_with: str | None = None
    #: other values that are right too (two pending findings that both decide the headline)
    also_right: tuple[str, ...] = ()

    def label_of(self, value: str) -> str:
        """The words for a value (its choice label, or the value itself)."""
        return next((c.label for c in self.choices if c.value == value), value)

    def accepts(self, value: str) -> bool:
        """Whether a committed value is right."""
        return value == self.expected or value in self.also_right

    def answer_words(self) -> str:
        """The right answer in words: every right value when there are several."""
        return " or ".join(self.label_of(v) for v in (self.expected, *self.also_right))


@dataclass(frozen=True)
class Verdict:
    """The outcome of one committed answer."""

    checkpoint: Checkpoint
    given: str
    correct: bool
    coaching: list[CoachingTopic]

    def why(self) -> str:
        """One line: what was expected and what decided it."""
        cp = self.checkpoint
        head = "Right" if self.correct else f"Not quite: you said {cp.label_of(self.given)}"
        reason = cp.working[-1] if cp.working else ""
        return f"{head}. Answer: {cp.answer_words()}. {reason}".strip()


Step = PhaseStep | Checkpoint


class QuizError(ValueError):
    """A committed value that the checkpoint does not take."""


class Quiz:
    """One learner's pass through one teaching case."""

    def __init__(self, flow: LoadedFlow, case: TeachingCase) -> None:
        self.flow = flow
        self.case = case
        self.result: Result = replay(flow, case.answers).result
        self.steps: list[Step] = build_steps(flow, self.result)
        self.verdicts: dict[str, Verdict] = {}
        self.started = datetime.now(UTC)

    @property
    def checkpoints(self) -> list[Checkpoint]:
        return [s for s in self.steps if isinstance(s, Checkpoint)]

    def submit(self, checkpoint_id: str, value: Any) -> Verdict:
        """Mark a committed value; a checkpoint can be answered once.

        Raises:
            QuizError: unknown checkpoint, already answered, or a value it does not take.
        """
        cp = next((c for c in self.checkpoints if c.id == checkpoint_id), None)
        if cp is None:
            raise QuizError(f"no checkpoint {checkpoint_id!r} in this case")
        if checkpoint_id in self.verdicts:
            raise QuizError(f"{checkpoint_id} has already been answered")
        given = normalise(cp, value)
        correct = cp.accepts(given)
        verdict = Verdict(cp, given, correct, [] if correct else topics_for(cp.id))
        self.verdicts[cp.id] = verdict
        return verdict

    @property
    def finished(self) -> bool:
        return all(c.id in self.verdicts for c in self.checkpoints)

    @property
    def score(self) -> tuple[int, int]:
        """(right, checkpoints in the case)."""
        return sum(v.correct for v in self.verdicts.values()), len(self.checkpoints)

    def summary_lines(self) -> list[str]:
        """What was right, what was wrong and why, checkpoint by checkpoint."""
        right, total = self.score
        lines = [f"{self.case.title}: {right} of {total} right."]
        for cp in self.checkpoints:
            v = self.verdicts.get(cp.id)
            if v is None:
                lines.append(f"- {cp.prompt} — not answered (answer: {cp.answer_words()})")
            else:
                mark = "right" if v.correct else "wrong"
                lines.append(f"- {cp.prompt} — {mark}. {v.why()}")
        lines.extend(f"* {p}" for p in self.case.learning_points)
        return lines

    def record(self) -> dict[str, Any]:
        """The learning-log entry for this session."""
        right, total = self.score
        return {
            "at": self.started.isoformat(timespec="seconds"),
            "case_id": self.case.id,
            "case_title": self.case.title,
            "score": right,
            "out_of": total,
            "checkpoints": [
                {"id": cp.id, "prompt": cp.prompt, "expected": cp.expected,
                 "given": self.verdicts[cp.id].given if cp.id in self.verdicts else None,
                 "correct": self.verdicts[cp.id].correct if cp.id in self.verdicts else False}
                for cp in self.checkpoints
            ],
        }


def normalise(cp: Checkpoint, value: Any) -> str:
    """The committed value as the checkpoint stores it.

    Raises:
        QuizError: naming the value and what is allowed.
    """
    text = str(value).strip()
    if cp.number_range is not None:
        lo, hi = cp.number_range
        if not text.isdigit() or not lo <= int(text) <= hi:
            raise QuizError(f"{text!r} is not a whole number from {lo} to {hi}")
        return str(int(text))
    for c in cp.choices:
        if text in (c.value, c.label):
            return c.value
    raise QuizError(f"{text!r} is not one of: {', '.join(c.value for c in cp.choices)}")


# --- building the steps ----------------------------------------------------------------------------


def _cite(flow: LoadedFlow, section: str | None, refs: list[str]) -> list[str]:
    lines = [f"Clinical reference {section}"] if section else []
    lines += [flow.model.references[r].citation for r in refs if r in flow.model.references]
    return lines


def score_working(flow: LoadedFlow, score_id: str, output: dict[str, Any]) -> list[str]:
    """Item-by-item points of a points score, then the total and its band."""
    lines: list[str] = []
    for item in output["items"]:
        shown = _item_value(flow, score_id, item["id"], item["value"])
        lines.append(f"{item['label']}: {shown} → {item['points']}")
    lines.append(f"Total {output['total']}: {output['band_label']}")
    return lines


def _item_value(flow: LoadedFlow, score_id: str, item_id: str, value: Any) -> str:
    s = flow.scores[score_id]
    item = next(i for i in s.items if i.id == item_id)  # type: ignore[union-attr]
    source = item.points_from or item.lookup_of or item.ranges_of
    if source in flow.by_id and value is not None:
        return display(flow.by_id[source].model, value)
    return "—" if value is None else str(value)


def _band_choices(s: PointsScore, key: str) -> list[QuizChoice]:
    """The bands of a points score as choices, each by its label (``band_label``: the label is the value)."""
    return [QuizChoice(value=b.label if key == "band_label" else str(b.values[key]), label=b.label)
            for b in s.bands]


def _total_range(s: PointsScore) -> tuple[int, int]:
    """The totals a points score can give: from its lowest band to its highest (or its ceiling)."""
    high = s.bands[-1].max if s.ceiling is None else min(s.bands[-1].max, s.ceiling)
    return s.bands[0].min, high


def _score_output(flow: LoadedFlow, result: Result, cp: QuizCheckpoint) -> dict[str, Any] | None:
    """The score a checkpoint asks about, or ``None`` when the case's path gives it no value."""
    model = flow.scores[cp.score]
    out = result.scores.get(model.key or model.id)
    return out if isinstance(out, dict) and out.get(cp.value) is not None else None


def _summary_working(flow: LoadedFlow, s: SummaryScore, out: dict[str, Any], value: str, answer: str) -> list[str]:
    """The other values of a summary score as read (ESCC grade 1b and its words), then what they give."""
    lines = []
    for name, source in s.fields.items():
        if name == value:
            continue
        shown = out.get(name)
        words = display(flow.by_id[source].model, shown) if source in flow.by_id else value_words(flow, name, shown)
        lines.append(f"{name.replace('_', ' ').capitalize()} {shown}: {words}")
    lines.append(f"{s.explain or ''} → {answer}".strip())
    return lines


def _checkpoint(flow: LoadedFlow, cp: QuizCheckpoint, out: dict[str, Any]) -> Checkpoint:
    """One declared checkpoint, with the case's value, the choices and the working that reveals it."""
    model = flow.scores[cp.score]
    source = _cite(flow, model.section, model.refs)
    expected = str(out[cp.value])
    if isinstance(model, PointsScore):
        working = score_working(flow, model.id, out)
        if cp.value == "total" and cp.choices is None:
            return Checkpoint(cp.id, cp.prompt, expected, number_range=_total_range(model), working=working,
                              source=source, reveal_with=cp.reveal_with)
        choices = list(cp.choices) if cp.choices is not None else _band_choices(model, cp.value)
        return Checkpoint(cp.id, cp.prompt, expected, choices=choices, working=working, source=source,
                          reveal_with=cp.reveal_with)
    assert isinstance(model, SummaryScore) and cp.choices is not None  # the schema holds it to that
    choices = list(cp.choices)
    answer = next((c.label for c in choices if c.value == expected), expected)
    return Checkpoint(cp.id, cp.prompt, expected, choices=choices,
                      working=_summary_working(flow, model, out, cp.value, answer), source=source,
                      reveal_with=cp.reveal_with)


def _phase_step(flow: LoadedFlow, result: Result, phase: str, gives_away: dict[str, str]) -> PhaseStep | None:
    title = next(p.title for p in flow.model.phases if p.id == phase)
    lines = []
    hidden: dict[int, str] = {}
    for qid in result.path:
        q = flow.by_id[qid].model
        if q.phase != phase:
            continue
        answer = "skipped" if qid in result.skipped else display(q, result.answers.get(qid))
        if qid in result.defaults_applied:
            answer += " (proposed default)"
        if qid in gives_away and qid not in result.skipped:
            hidden[len(lines)] = gives_away[qid]
        lines.append((q.prompt, answer))
    return PhaseStep(phase, title, lines, hidden) if lines else None


def build_steps(flow: LoadedFlow, result: Result) -> list[Step]:
    """Phases to read and checkpoints to answer, as the flow's ``teaching:`` orders them; the headline last.

    A score that is null on the case's path has no checkpoint, and then hides nothing.
    """
    teaching = flow.model.teaching
    phases = teaching.phases if teaching.phases is not None else [p.id for p in flow.model.phases]
    asked = [(cp, out) for cp in teaching.checkpoints if (out := _score_output(flow, result, cp)) is not None]
    gives_away = {qid: cp.id for cp, _ in asked for qid in cp.hides}
    steps: list[Step | None] = []
    for phase in phases:
        steps.append(_phase_step(flow, result, phase, gives_away))
        steps.extend(_checkpoint(flow, cp, out) for cp, out in asked if cp.after == phase)
    if result.recommendation.provisional and result.recommendation.pending and teaching.pending is not None:
        steps.append(pending_checkpoint(flow, result))
    if result.recommendation.headline is not None:  # a provisional case whose headline waits has none
        steps.append(_headline_checkpoint(flow, result))
    return [s for s in steps if s is not None]


# --- which pending result would change the plan -------------------------------------------------------

#: the choice for a case whose headline is the same whatever its open answers turn out to be
NONE_DECIDES = "none_of_them"


def pending_checkpoint(flow: LoadedFlow, result: Result) -> Checkpoint:
    """The flow's pending checkpoint for a provisional result: the open findings to choose from.

    Right is a finding the result names as ``decisive`` (any of them, when several decide), or "none of
    them" when the headline is the same over every completion. The working gives, for each open finding,
    the headlines each of its values still allows (:func:`value_headlines`).
    """
    declared = flow.model.teaching.pending
    assert declared is not None  # build_steps asks it only when the flow declares it
    rec = result.recommendation
    pending = [q.id for q in flow.questions if q.id in rec.pending]  # flow order, as the case was read
    decisive = [q for q in pending if q in rec.decisive]
    choices = [QuizChoice(value=q, label=value_name(flow, q)) for q in pending]
    choices.append(QuizChoice(value=NONE_DECIDES, label="None of them: the plan is the same whatever they show"))
    outcomes, rules = value_headlines(flow, result.answers)
    titles = flow.model.headlines
    working: list[str] = []
    for qid in pending:
        q = flow.by_id[qid].model
        working.append(f"{value_name(flow, qid)} — {'decides the headline' if qid in decisive else 'does not change it'}:")
        for values, heads in outcomes.get(qid, []):
            shown = [titles[h].title for h in heads]
            words = shown[0] if len(shown) == 1 else "one of " + "; ".join(shown) + " (the other open answers decide)"
            working.append(f"   {values_words(q, values)} → {words}")
    if decisive:
        working.append("Find out first — the headline depends on: " + "; ".join(value_name(flow, q) for q in decisive))
    else:
        working.append(f"Whatever they show, the headline is {titles[rec.headline].title}"
                       if rec.headline in titles else "Whatever they show, the headline is the same.")
    # Clinicians read this: the rules that give the possible headlines, each with its sources.
    source = ["Every way the findings not known yet could turn out, followed through the rules below"]
    for r in flow.model.rules:
        if r.id in rules:
            source += [line for line in _cite(flow, r.section, r.refs) if line not in source]
    expected = decisive[0] if decisive else NONE_DECIDES
    return Checkpoint(declared.id, declared.prompt, expected, choices=choices, working=working, source=source,
                      also_right=tuple(decisive[1:]))


def _headline_checkpoint(flow: LoadedFlow, result: Result) -> Checkpoint:
    rec = result.recommendation
    rule = next(r for r in flow.model.rules if r.id == rec.rule)
    working = [f"Urgency: {urgency_words(rec.urgency)} — {rec.urgency_text}"]
    if rec.flag_details:  # each flag by its own (filled-in) words, never its id
        working.append("Flags: " + "; ".join(s.text.split(". ")[0].rstrip(".") for s in rec.flag_details))
    working += [rule_legend(rec.rule), f"Rule {rec.rule} (first rule that holds): {rec.rule_text}"]
    return Checkpoint(
        "headline", "Headline recommendation", rec.headline,
        choices=[QuizChoice(value=k, label=h.title) for k, h in flow.model.headlines.items()],
        working=working, source=_cite(flow, rule.section, rule.refs))
