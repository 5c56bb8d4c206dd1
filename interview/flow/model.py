"""The data format of an interview flow (``flows/*.yaml``), as plain frozen dataclasses.

These classes are pure data: the engine and the app read them, and :mod:`interview.flow.schema`
validates a flow file against them with pydantic and exports their JSON Schema
(``spine-interview schema``). Expressions stay strings here; :mod:`interview.flow.load` parses and
binds them once, so that a flow that loads is a flow whose every name resolves.

Why dataclasses and not pydantic models: a flow that validated once is served from the cache
(:mod:`interview.flow.cache`), and then nothing needs pydantic. Importing it and building two dozen
model classes was the largest part of opening the app. So the rules a flow file must keep are
written here as :class:`Check` annotations, which pydantic reads only when it validates.
"""

from __future__ import annotations

from dataclasses import MISSING, Field, FrozenInstanceError, dataclass, field, fields
from functools import cache
from typing import Annotated, Any, Literal


class Check:
    """The rules of one field (pydantic ``Field`` arguments), applied when a flow file is validated.

    ``Annotated[str, Check(pattern=...)]`` reads like ``Field(pattern=...)`` but costs nothing until
    :mod:`interview.flow.schema` asks pydantic for a validator; only then is pydantic imported.
    """

    __slots__ = ("rules",)

    def __init__(self, **rules: Any) -> None:
        self.rules = rules

    def __repr__(self) -> str:
        return f"Check({', '.join(f'{k}={v!r}' for k, v in self.rules.items())})"

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        from pydantic import Field

        # Through the handler, not a fresh schema: rules of a constrained type (Id's pattern) that
        # come earlier in the same flattened Annotated are kept, and these are added to them.
        return handler(Annotated[source, Field(**self.rules)])


class Doc:
    """A field's one-line description, for the JSON Schema only: it never changes validation.

    Kept apart from :class:`Check` so that documenting a field of a constrained type
    (``Annotated[Id, Doc(...)]``) cannot drop the type's own rules: nested ``Annotated`` flattens
    into one list of markers, and only this one touches nothing but the description.
    """

    __slots__ = ("description",)

    def __init__(self, description: str) -> None:
        self.description = description

    def __repr__(self) -> str:
        return f"Doc({self.description!r})"

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> Any:
        schema = handler(core_schema)
        schema["description"] = self.description
        return schema


Id = Annotated[str, Check(pattern=r"^[a-z][a-z0-9_]*$", description="snake_case identifier")]
ExprText = Annotated[str, Check(min_length=1, description="an expression of the flow condition language")]
Points = Annotated[int, Check(ge=-100, le=100)]

#: Unknown keys are errors: a typo in a flow file must not pass silently.
STRICT = {"extra": "forbid"}

#: Every flow class is a dataclass (pydantic validates it as one; ``dataclasses.fields`` lists its
#: fields), but the decorator generates no methods: generating ``__init__``, ``__eq__``, ``__repr__``
#: and the frozen ``__setattr__`` for each of the thirty classes took 20 ms of every start. The
#: methods are written once, in :class:`FlowPart`.
flow_data = dataclass(init=False, repr=False, eq=False, kw_only=True)


class FlowPart:
    """The base of every flow class: immutable, built from keywords, equal when its fields are.

    Its pydantic configuration forbids unknown keys. pydantic builds instances without calling
    ``__init__`` and runs ``__post_init__`` (a class's own checks) after it; so does ``__init__``.
    """

    __pydantic_config__ = STRICT

    def __init__(self, **values: Any) -> None:
        state = self.__dict__
        for f in _fields(type(self)):
            if f.name in values:
                state[f.name] = values.pop(f.name)
            elif f.default is not MISSING:
                state[f.name] = f.default
            elif f.default_factory is not MISSING:
                state[f.name] = f.default_factory()
            else:
                raise TypeError(f"{type(self).__name__}() missing keyword argument: '{f.name}'")
        if values:
            raise TypeError(f"{type(self).__name__}() got unexpected keyword arguments: {', '.join(values)}")
        post_init = getattr(self, "__post_init__", None)
        if post_init is not None:
            post_init()

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field '{name}': a flow is read-only")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field '{name}': a flow is read-only")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]  # equal by value, and most hold lists

    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={self.__dict__.get(f.name)!r}" for f in _fields(type(self)))
        return f"{type(self).__name__}({shown})"


@cache
def _fields(cls: type) -> tuple[Field[Any], ...]:
    return fields(cls)


@flow_data
class Reference(FlowPart):
    """A published source that a question, score or rule cites."""

    citation: str
    doi: str | None = None
    pmid: str | None = None
    note: str | None = None


@flow_data
class Phase(FlowPart):
    """A stage of the interview, shown as progress (e.g. 'Safety screen')."""

    id: Id
    title: str
    purpose: Annotated[str, Doc("one line shown to the user: why this phase exists")]
    pillar: Annotated[str | None, Doc("the NOMS pillar this phase feeds (N, O, M, S)")] = None


@flow_data
class Sourced(FlowPart):
    """Anything that carries its REFERENCE.md section and reference ids."""

    section: Annotated[str | None, Doc("REFERENCE.md section, e.g. '§4.1'")] = None
    refs: Annotated[list[Id], Doc("reference ids from `references`")] = field(default_factory=list)
    convention: Annotated[bool, Doc("a project convention rather than a published rule")] = False


@flow_data
class Option(FlowPart):
    """One answer of a choice question."""

    value: str
    label: str
    points: Annotated[
        Points | dict[Id, Points] | None,
        Doc("points of this option, or points per score id when it feeds several scores"),
    ] = None
    hint: str | None = None
    synonyms: Annotated[
        list[str],
        Doc("other words a clinician may type to find this option in a list filter ('rcc', 'nsclc')"),
    ] = field(default_factory=list)


@flow_data
class _QuestionBase(Sourced):
    id: Id
    phase: Id
    prompt: str
    why: Annotated[str, Doc("'why we ask': shown as help and in teaching mode")]
    when: Annotated[ExprText | None, Doc("asked only when this is true")] = None
    otherwise: Annotated[Any, Doc("the value that applies when the question is not asked")] = None
    optional: Annotated[bool, Doc("may be skipped; never needed for a recommendation")] = False
    may_be_not_known: Annotated[
        bool, Doc("a finding that may still be pending: answers files may give `not_known` (CONTRACT §7)")
    ] = False
    default: Annotated[ExprText | None, Doc("a value the app proposes; the user may override it")] = None
    default_note: Annotated[str | None, Doc("why the proposed value is what it is")] = None
    on_enter: Annotated[list[Id], Doc("allow-listed engine callbacks")] = field(default_factory=list)
    proposal: Annotated[
        ExprText | None,
        Doc("a value pre-selected in the interview only, for the clinician to confirm; unlike `default`, "
            "an answers file must still give the answer"),
    ] = None


@flow_data
class ChoiceQuestion(_QuestionBase):
    """Pick one of a list of options."""

    kind: Literal["choice"]
    options: Annotated[list[Option], Check(min_length=2)]

    def __post_init__(self) -> None:
        values = [o.value for o in self.options]
        dupes = sorted({v for v in values if values.count(v) > 1})
        if dupes:
            raise ValueError(f"option values repeat: {', '.join(dupes)}")


@flow_data
class BoolQuestion(_QuestionBase):
    """A yes/no question."""

    kind: Literal["bool"]
    yes_label: str = "Yes"
    no_label: str = "No"


@flow_data
class _Numeric(_QuestionBase):
    unit: str | None = None

    def __post_init__(self) -> None:
        lo, hi = getattr(self, "min", None), getattr(self, "max", None)
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"min {lo} is greater than max {hi}")


@flow_data
class OtherScale(FlowPart):
    """Another scale a clinician may type where this one is asked: "ECOG 1" where KPS is asked.

    Typed text only: the clinician then chooses one of the values it covers (nothing is recorded
    until then); answers files give the question's own value.
    """

    name: Annotated[str, Check(pattern=r"^[A-Za-z][A-Za-z0-9 ]{0,19}$"), Doc("the word typed before the value, 'ECOG'")]
    values: Annotated[
        dict[int, Annotated[list[int], Check(min_length=1)]],
        Doc("each value of the other scale -> the values of this question it covers (ECOG 1: [80, 70])"),
    ]


@flow_data
class OtherUnit(FlowPart):
    """A second unit a clinician may type: albumin in g/L where g/dL is asked (typed text only)."""

    unit: Annotated[str, Check(min_length=1, max_length=20)]
    factor: Annotated[float, Check(gt=0), Doc("a value in this unit times `factor` is the question's unit")]
    above: Annotated[
        float | None, Doc("a bare number above this is read in this unit (it cannot be the question's own)")
    ] = None


@flow_data
class IntQuestion(_Numeric):
    """A whole number within a range, optionally on a step (KPS goes in tens)."""

    kind: Literal["int"]
    min: int
    max: int
    step: Annotated[int, Check(ge=1)] = 1
    labels: Annotated[dict[int, str], Doc("what some values mean (KPS 70: 'Looks after self…')")] = field(
        default_factory=dict
    )
    other_scale: Annotated[OtherScale | None, Doc("another scale typed instead (ECOG where KPS is asked)")] = None


@flow_data
class NumberQuestion(_Numeric):
    """A decimal number within a range."""

    kind: Literal["number"]
    min: float
    max: float
    other_unit: Annotated[OtherUnit | None, Doc("a second unit typed instead (albumin in g/L)")] = None


@flow_data
class TextQuestion(_QuestionBase):
    """Free text (e.g. the index level 'T8')."""

    kind: Literal["text"]
    max_length: Annotated[int, Check(ge=1, le=10_000)] = 200
    example: str | None = None


Question = Annotated[
    ChoiceQuestion | BoolQuestion | IntQuestion | NumberQuestion | TextQuestion,
    Check(discriminator="kind"),
]


@flow_data
class ValueCase(FlowPart):
    """One branch of a derived value: the first whose `when` holds gives the value."""

    when: ExprText | None = None
    value: ExprText


@flow_data
class Range(FlowPart):
    """An inclusive numeric range mapped to a value."""

    min: float
    max: float
    value: Any


@flow_data
class Derived(Sourced):
    """A value derived from answers (ECOG from KPS, `mechanically_unstable`, …)."""

    id: Id
    label: str
    expr: ExprText | None = None
    cases: list[ValueCase] | None = None
    ranges_of: Annotated[Id | None, Doc("with `ranges`: the name whose value is banded")] = None
    ranges: list[Range] | None = None
    explain: str | None = None

    def __post_init__(self) -> None:
        forms = [self.expr is not None, self.cases is not None, self.ranges is not None]
        if sum(forms) != 1:
            raise ValueError("give exactly one of `expr`, `cases` or `ranges`")
        if (self.ranges is None) != (self.ranges_of is None):
            raise ValueError("`ranges` and `ranges_of` go together")


@flow_data
class PointsCase(FlowPart):
    """One branch of a score item: the first whose `when` holds gives the points."""

    when: ExprText | None = None
    points: Points
    label: str | None = None


@flow_data
class PointsRange(FlowPart):
    """An inclusive numeric range of a score item."""

    min: float
    max: float
    points: Points
    label: str | None = None


@flow_data
class ScoreItem(FlowPart):
    """One item of a points score. Exactly one way of getting its points is given."""

    id: Id
    label: str
    points_from: Annotated[Id | None, Doc("a choice question whose option points apply")] = None
    lookup_of: Annotated[Id | None, Doc("with `lookup`: the name whose value is looked up")] = None
    lookup: dict[str, Points] | None = None
    ranges_of: Id | None = None
    ranges: list[PointsRange] | None = None
    cases: list[PointsCase] | None = None
    needs: Annotated[
        list[Id], Doc("with `cases`: names that must be known (not null) before the item can be scored")
    ] = field(default_factory=list)

    def __post_init__(self) -> None:
        forms = [self.points_from is not None, self.lookup is not None, self.ranges is not None,
                 self.cases is not None]
        if sum(forms) != 1:
            raise ValueError("give exactly one of `points_from`, `lookup`, `ranges` or `cases`")
        if (self.lookup is None) != (self.lookup_of is None):
            raise ValueError("`lookup` and `lookup_of` go together")
        if (self.ranges is None) != (self.ranges_of is None):
            raise ValueError("`ranges` and `ranges_of` go together")


@flow_data
class Band(FlowPart):
    """A band of a score total, with the keys it adds to the output (`category: stable`)."""

    min: int
    max: int
    label: str
    values: dict[str, Any] = field(default_factory=dict)
    meaning: str | None = None


@flow_data
class _ScoreBase(Sourced):
    """What every kind of score has: its id and key in the result, its title, when it applies, its note."""

    id: Id
    key: Annotated[str | None, Doc("key in the result's `scores` object (default: the id)")] = None
    title: str
    requires: Annotated[ExprText | None, Doc("the score is null unless this holds")] = None
    explain: str | None = None


@flow_data
class PointsScore(_ScoreBase):
    """A sum of item points with bands (SINS, Tokuhashi, Tomita, modified Bauer, NESMS)."""

    kind: Literal["points"]
    items: Annotated[list[ScoreItem], Check(min_length=1)]
    ceiling: Annotated[int | None, Doc("the highest total the score gives (NESMS: 3)")] = None
    bands: Annotated[list[Band], Check(min_length=1)]

    def __post_init__(self) -> None:
        for a, b in zip(self.bands, self.bands[1:], strict=False):
            if b.min != a.max + 1:
                raise ValueError(f"bands must be contiguous: {a.min}-{a.max} then {b.min}-{b.max}")


@flow_data
class SummaryScore(_ScoreBase):
    """A named group of values shown with the scores (ESCC grade and class; KPS and ECOG)."""

    kind: Literal["summary"]
    fields: dict[str, ExprText]


@flow_data
class ValueScore(_ScoreBase):
    """A single graded value shown with the scores (Frankel)."""

    kind: Literal["value"]
    expr: ExprText


Score = Annotated[PointsScore | SummaryScore | ValueScore, Check(discriminator="kind")]


@flow_data
class Headline(FlowPart):
    """One of the headline recommendations."""

    title: str
    summary: str


@flow_data
class Rule(Sourced):
    """One routing rule: the first that holds decides the headline."""

    id: Annotated[str, Check(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")]
    when: Annotated[ExprText | None, Doc("omitted: always (a catch-all)")] = None
    headline: Id
    because: str


@flow_data
class Flag(Sourced):
    """A flag raised on the recommendation when its condition holds."""

    id: Id
    when: ExprText
    text: str


@flow_data
class UrgencyLevel(Sourced):
    """An urgency level; the first whose condition holds applies."""

    level: Literal["emergency", "urgent", "elective"]
    when: ExprText | None = None
    because: str


@flow_data
class RecommendationPart(FlowPart):
    """A structured part of the recommendation (REFERENCE §9.3): its key in the result and its title."""

    id: Annotated[Id, Doc("the part's key in the result's `recommendation` object")]
    title: Annotated[str, Doc("the heading reports and the recommendation screen give it")]
    with_urgency: Annotated[bool, Doc("shown with the urgency, above the flags and scores")] = False


#: The parts of REFERENCE §9.3, for a flow that declares none (each flow may declare its own).
SECTION_9_3_PARTS = (
    ("clock", "Urgency and clock items"), ("work_up", "Work-up still needed"), ("local_treatment", "Local treatment"),
    ("radiotherapy", "Radiotherapy"), ("systemic", "Systemic therapy"), ("supportive", "Supportive care"),
    ("mdt", "MDT and referrals"),
)


def _default_parts() -> list[RecommendationPart]:
    return [RecommendationPart(id=i, title=t, with_urgency=i == "clock") for i, t in SECTION_9_3_PARTS]


#: The two moments every clock reads from the case itself: when the case was opened (its first
#: event) and the symptom onset (when the clock's `onset_question` was answered, minus its hours).
CASE_MOMENTS = {"presentation": "presentation", "symptom_onset": "onset"}


@flow_data
class ClockEvent(FlowPart):
    """An action a doctor records with its time, as it happens (the clock dialog, `cases mark ID EVENT`)."""

    id: Annotated[Id, Doc("the event's name in the case's log and on the command line")]
    words: Annotated[str, Doc("the event as the dialog and the reports say it ('Dexamethasone given')")]
    moment: Annotated[
        str | None, Doc("its word when a deadline runs from it ('MRI' in 'MRI time missing'); default: none does")
    ] = None


@flow_data
class Clock(FlowPart):
    """The emergency clock: the events a doctor records, and the answer that dates the symptom onset.

    Deadlines (`advice[].timer`) run from a moment (`presentation`, `symptom_onset`, or an event
    with a `moment` word) and are met by an event; the loader checks every name against this list.
    """

    events: Annotated[list[ClockEvent], Check(min_length=1, max_length=9), Doc("in the order they usually happen")]
    onset_question: Annotated[
        Id | None, Doc("the number question 'hours since the first symptom'; without it there is no `symptom_onset`")
    ] = None

    def event_words(self) -> dict[str, str]:
        """Each event's name and its words, in order."""
        return {e.id: e.words for e in self.events}

    def marks(self) -> list[str]:
        """Every name a case's clock may hold: the case's own moments, then the events in order."""
        return [m for m in self.moment_words() if m in CASE_MOMENTS] + list(self.event_words())

    def moment_words(self) -> dict[str, str]:
        """Every moment a deadline may run from, with its word: the case's own, then the events'."""
        own = dict(CASE_MOMENTS) if self.onset_question else {"presentation": CASE_MOMENTS["presentation"]}
        return own | {e.id: e.moment for e in self.events if e.moment}


@flow_data
class ClockTimer(FlowPart):
    """When a clock item is due and which recorded event meets it (NICE NG234 / QS56 times)."""

    hours: Annotated[int, Check(ge=0, le=8760), Doc("due so many hours after `after`; 0 means now")]
    after: Annotated[Id, Doc("the moment the time runs from (see `clock`)")] = "presentation"
    done_by: Annotated[Id, Doc("the clock event that meets it")]


@flow_data
class Advice(Sourced):
    """One item of a structured part of the recommendation (REFERENCE §9.3)."""

    id: Id
    part: Annotated[Id, Doc("the id of one of the flow's `parts`")]
    when: ExprText | None = None
    text: str
    short: Annotated[
        str | None, Doc("the action in a few words for the one-screen summary: what, by whom, by when")
    ] = None
    timer: Annotated[ClockTimer | None, Doc("a clock item's deadline, shown as done (time) or due (time left)")] = None


@flow_data
class HandoverItem(FlowPart):
    """One thing the coordinator will ask, and where the case holds it: a handover question or a clock event."""

    id: Annotated[Id, Doc("the item's key (the handover screen's list and `cases handover`)")]
    words: Annotated[str, Doc("the item as the coordinator says it ('dexamethasone given (time, dose)')")]
    question: Annotated[Id | None, Doc("the handover question that records it")] = None
    event: Annotated[Id | None, Doc("the clock event or moment that records it (`cases mark`)")] = None
    case_answer: Annotated[
        Id | None, Doc("a case question whose answer, when given, holds it already (previous radiotherapy)")
    ] = None
    needs: Annotated[
        Id | None, Doc("asked only when this case answer or derived value is true (default: the question's `when`)")
    ] = None

    def __post_init__(self) -> None:
        if self.question is None and self.event is None:
            raise ValueError("give `question`, `event` or both: where the case records the item")


@flow_data
class HandoverLine(FlowPart):
    """A line of the SBAR handover under the words the coordinator uses ('Previous RT at this level').

    It shows the first the case holds of: the clock ``event``'s time, the case ``question``'s answer,
    the ``handover_answer``. A line with only a case question is left out while it is unanswered; one
    with an event or a handover answer says "missing", so that the gap is seen before the call.
    """

    words: Annotated[str, Doc("its name in the handover ('Previous RT at this level')")]
    question: Annotated[Id | None, Doc("the case question whose answer is shown")] = None
    handover_answer: Annotated[Id | None, Doc("the handover question whose answer is shown")] = None
    event: Annotated[Id | None, Doc("the clock event or moment whose time is shown")] = None
    when: Annotated[
        ExprText | None,
        Doc("shown only while this holds (default: the handover question's `when`, else always)"),
    ] = None

    def __post_init__(self) -> None:
        if self.question is None and self.handover_answer is None and self.event is None:
            raise ValueError("give `question`, `handover_answer` or `event`: what the line shows")


@flow_data
class Handover(FlowPart):
    """The optional MDT handover phase: what the MSCC coordinator will ask that a case may not hold.

    Flow-only questions, asked after the recommendation and never needed for it: they are not on
    the case's path, not in the case contract and not in the result. Each takes an explicit
    `unavailable` value (an option, or the word for a text answer), so that the doctor can say a
    thing is not known rather than leave a gap.
    """

    title: str
    purpose: str
    questions: Annotated[list[Question], Doc("each question's `when` may read answers, derived values, scores, "
                                               "`headline` and `urgency`")] = field(default_factory=list)
    items: Annotated[
        list[HandoverItem], Doc("what the coordinator asks, in the order they ask it (listed while missing)")
    ] = field(default_factory=list)
    situation: Annotated[
        list[HandoverLine], Doc("the SBAR's Situation lines, in order, after the urgency and the headline")
    ] = field(default_factory=list)
    background: Annotated[list[HandoverLine], Doc("the SBAR's Background lines, in order")] = field(
        default_factory=list)
    assessment: Annotated[
        list[HandoverLine], Doc("the SBAR's Assessment lines, in order, before the scores and the flags")
    ] = field(default_factory=list)


@flow_data
class Alert(Sourced):
    """A notice shown during the interview as soon as its condition holds (the MSCC bundle)."""

    id: Id
    level: Literal["emergency", "warning", "info"]
    after: Annotated[Id, Doc("shown once this question has been answered")]
    when: ExprText
    title: str
    lines: Annotated[list[str], Check(min_length=1)]
    summary: Annotated[str | None, Doc("every line in one, for a short terminal (e.g. 80×24)")] = None


@flow_data
class Consistency(FlowPart):
    """A pair the recommendation must never hold together (REFERENCE §11.9): checked, never applied.

    When ``when`` holds for a case (it may read ``headline``, ``rule`` and ``urgency``), none of the
    flags or advice items in ``forbids`` may be on its recommendation. ``spine-interview check`` walks
    sampled cases and reports any case that breaks a pair; the tests walk thousands more.
    """

    id: Id
    when: ExprText
    forbids: Annotated[list[Id], Check(min_length=1), Doc("flag or advice ids")]
    because: str


@flow_data
class QuizChoice(FlowPart):
    """One value a learner may commit to at a checkpoint."""

    value: str
    label: str


@flow_data
class QuizCheckpoint(FlowPart):
    """A score value the learner commits to in quiz mode before it is revealed with its working."""

    id: Annotated[Id, Doc("the checkpoint's id in the learning log and the coaching topics")]
    score: Annotated[Id, Doc("the score whose value is asked")]
    value: Annotated[
        Id, Doc("which value of the score: `total` (a typed whole number), a band's `values` key, or a summary field")
    ]
    prompt: str
    after: Annotated[Id, Doc("the phase whose answers the learner reads first")]
    choices: Annotated[
        list[QuizChoice] | None, Doc("the values offered (default: the score's bands, each by its label)")
    ] = None
    hides: Annotated[
        list[Id], Doc("questions whose answers give this value away: hidden until the learner commits")
    ] = field(default_factory=list)
    reveal_with: Annotated[
        Id | None, Doc("a later checkpoint this one is revealed with (the total would give the band away)")
    ] = None


@flow_data
class PendingCheckpoint(FlowPart):
    """Asked only on a case with answers not known yet: which pending result would change the plan.

    The options are the case's open findings (and "none of them"); the right ones are the provisional
    result's decisive fields (CONTRACT §7), revealed with what each value of each finding would give.
    """

    prompt: str = "Which pending result would change the plan?"
    id: Annotated[Id, Doc("the checkpoint's id in the learning log and the coaching topics")] = "pending_result"


@flow_data
class Teaching(FlowPart):
    """What quiz mode reads and asks of a teaching case: phases to read and checkpoints between them.

    The headline is always the last checkpoint; a score that is null on the case's path is not asked.
    """

    phases: Annotated[list[Id] | None, Doc("the phases read, in order (default: every phase)")] = None
    checkpoints: list[QuizCheckpoint] = field(default_factory=list)
    pending: Annotated[
        PendingCheckpoint | None,
        Doc("asked before the headline on a case with open answers: which pending result would change the plan"),
    ] = None


@flow_data
class WhatIfValue(FlowPart):
    """A value what-if compares before and after a change: a score's value, or a derived value."""

    label: str | None = None
    score: Id | None = None
    value: Annotated[Id | None, Doc("with `score`: `total`, `band_label` or a summary field")] = None
    derived: Id | None = None

    def __post_init__(self) -> None:
        if (self.score is None) == (self.derived is None):
            raise ValueError("give either `score` (with `value` and `label`) or `derived`")
        if self.score is not None and (self.value is None or self.label is None):
            raise ValueError("a score's value needs `value` and `label`")


@flow_data
class Report(FlowPart):
    """How reports name a case of this flow."""

    title: Annotated[str | None, Doc("the report heading of a case with no label (default: the flow's title)")] = None


@flow_data
class Flow(FlowPart):
    """A whole interview flow: questions, branches, scores and the rules of the recommendation."""

    id: Id
    version: str
    title: str
    description: str | None = None
    notice: Annotated[str, Doc("the decision-support notice shown with every recommendation")]
    references: dict[Id, Reference]
    phases: Annotated[list[Phase], Check(min_length=1)]
    tables: dict[Id, dict[str, dict[str, Any]]] = field(default_factory=dict)
    questions: Annotated[list[Question], Check(min_length=1)]
    derived: list[Derived] = field(default_factory=list)
    scores: list[Score] = field(default_factory=list)
    headlines: dict[Id, Headline]
    rules: Annotated[list[Rule], Check(min_length=1)]
    flags: list[Flag] = field(default_factory=list)
    urgency: Annotated[list[UrgencyLevel], Check(min_length=1)]
    advice: list[Advice] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    consistency: list[Consistency] = field(default_factory=list)
    conventions: Annotated[list[str], Doc("project conventions, stated")] = field(default_factory=list)
    parts: Annotated[
        list[RecommendationPart],
        Check(min_length=1),
        Doc("the structured parts of the recommendation, in report order (default: REFERENCE §9.3's seven)"),
    ] = field(default_factory=_default_parts)
    teaching: Annotated[Teaching, Doc("quiz mode: phases read and score checkpoints")] = field(default_factory=Teaching)
    what_if: Annotated[
        list[WhatIfValue] | None,
        Doc("the values what-if compares (default: every points score's total and band, every derived value)"),
    ] = None
    report: Report = field(default_factory=Report)
    handover: Annotated[Handover | None, Doc("the optional MDT handover questions (flow-only)")] = None
    clock: Annotated[Clock | None, Doc("the emergency clock's events (none: the flow has no clock)")] = None
