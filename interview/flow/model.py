"""The data format of an interview flow (``flows/*.yaml``), as pydantic models.

These models are pure data: they validate the shape of a flow file and export its JSON Schema
(``spine-interview schema``). Expressions stay strings here; :mod:`interview.flow.load` parses and
binds them once, so that a flow that loads is a flow whose every name resolves.
"""

# No `from __future__ import annotations` here: pydantic would have to evaluate every field's
# annotation from a string when the classes are built, a measurable part of opening the app.
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", description="snake_case identifier")]
ExprText = Annotated[str, Field(min_length=1, description="an expression of the flow condition language")]
Points = Annotated[int, Field(ge=-100, le=100)]


class _Strict(BaseModel):
    """Unknown keys are errors: a typo in a flow file must not pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Reference(_Strict):
    """A published source that a question, score or rule cites."""

    citation: str
    doi: str | None = None
    pmid: str | None = None
    note: str | None = None


class Phase(_Strict):
    """A stage of the interview, shown as progress (e.g. 'Safety screen')."""

    id: Id
    title: str
    purpose: str = Field(description="one line shown to the user: why this phase exists")
    pillar: str | None = Field(None, description="the NOMS pillar this phase feeds (N, O, M, S)")


class Sourced(_Strict):
    """Anything that carries its REFERENCE.md section and reference ids."""

    section: str | None = Field(None, description="REFERENCE.md section, e.g. '§4.1'")
    refs: list[Id] = Field(default_factory=list, description="reference ids from `references`")
    convention: bool = Field(False, description="a project convention rather than a published rule")


class Option(_Strict):
    """One answer of a choice question."""

    value: str
    label: str
    points: Points | dict[Id, Points] | None = Field(
        None, description="points of this option, or points per score id when it feeds several scores"
    )
    hint: str | None = None


class _QuestionBase(Sourced):
    id: Id
    phase: Id
    prompt: str
    why: str = Field(description="'why we ask': shown as help and in teaching mode")
    when: ExprText | None = Field(None, description="asked only when this is true")
    otherwise: Any = Field(None, description="the value that applies when the question is not asked")
    optional: bool = Field(False, description="may be skipped; never needed for a recommendation")
    default: ExprText | None = Field(None, description="a value the app proposes; the user may override it")
    default_note: str | None = Field(None, description="why the proposed value is what it is")
    on_enter: list[Id] = Field(default_factory=list, description="allow-listed engine callbacks")


class ChoiceQuestion(_QuestionBase):
    """Pick one of a list of options."""

    kind: Literal["choice"]
    options: list[Option] = Field(min_length=2)

    @model_validator(mode="after")
    def _unique_values(self) -> "ChoiceQuestion":
        values = [o.value for o in self.options]
        dupes = sorted({v for v in values if values.count(v) > 1})
        if dupes:
            raise ValueError(f"option values repeat: {', '.join(dupes)}")
        return self


class BoolQuestion(_QuestionBase):
    """A yes/no question."""

    kind: Literal["bool"]
    yes_label: str = "Yes"
    no_label: str = "No"


class _Numeric(_QuestionBase):
    unit: str | None = None

    @model_validator(mode="after")
    def _range_ordered(self) -> "_Numeric":
        lo, hi = getattr(self, "min", None), getattr(self, "max", None)
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"min {lo} is greater than max {hi}")
        return self


class IntQuestion(_Numeric):
    """A whole number within a range, optionally on a step (KPS goes in tens)."""

    kind: Literal["int"]
    min: int
    max: int
    step: int = Field(1, ge=1)
    labels: dict[int, str] = Field(
        default_factory=dict, description="what some values mean (KPS 70: 'Looks after self…')"
    )


class NumberQuestion(_Numeric):
    """A decimal number within a range."""

    kind: Literal["number"]
    min: float
    max: float


class TextQuestion(_QuestionBase):
    """Free text (e.g. the index level 'T8')."""

    kind: Literal["text"]
    max_length: int = Field(200, ge=1, le=10_000)
    example: str | None = None


Question = Annotated[
    ChoiceQuestion | BoolQuestion | IntQuestion | NumberQuestion | TextQuestion,
    Field(discriminator="kind"),
]


class ValueCase(_Strict):
    """One branch of a derived value: the first whose `when` holds gives the value."""

    when: ExprText | None = None
    value: ExprText


class Range(_Strict):
    """An inclusive numeric range mapped to a value."""

    min: float
    max: float
    value: Any


class Derived(Sourced):
    """A value derived from answers (ECOG from KPS, `mechanically_unstable`, …)."""

    id: Id
    label: str
    expr: ExprText | None = None
    cases: list[ValueCase] | None = None
    ranges_of: Id | None = Field(None, description="with `ranges`: the name whose value is banded")
    ranges: list[Range] | None = None
    explain: str | None = None

    @model_validator(mode="after")
    def _one_form(self) -> "Derived":
        forms = [self.expr is not None, self.cases is not None, self.ranges is not None]
        if sum(forms) != 1:
            raise ValueError("give exactly one of `expr`, `cases` or `ranges`")
        if (self.ranges is None) != (self.ranges_of is None):
            raise ValueError("`ranges` and `ranges_of` go together")
        return self


class PointsCase(_Strict):
    """One branch of a score item: the first whose `when` holds gives the points."""

    when: ExprText | None = None
    points: Points
    label: str | None = None


class PointsRange(_Strict):
    """An inclusive numeric range of a score item."""

    min: float
    max: float
    points: Points
    label: str | None = None


class ScoreItem(_Strict):
    """One item of a points score. Exactly one way of getting its points is given."""

    id: Id
    label: str
    points_from: Id | None = Field(None, description="a choice question whose option points apply")
    lookup_of: Id | None = Field(None, description="with `lookup`: the name whose value is looked up")
    lookup: dict[str, Points] | None = None
    ranges_of: Id | None = None
    ranges: list[PointsRange] | None = None
    cases: list[PointsCase] | None = None
    needs: list[Id] = Field(
        default_factory=list,
        description="with `cases`: names that must be known (not null) before the item can be scored",
    )

    @model_validator(mode="after")
    def _one_form(self) -> "ScoreItem":
        forms = [self.points_from is not None, self.lookup is not None, self.ranges is not None,
                 self.cases is not None]
        if sum(forms) != 1:
            raise ValueError("give exactly one of `points_from`, `lookup`, `ranges` or `cases`")
        if (self.lookup is None) != (self.lookup_of is None):
            raise ValueError("`lookup` and `lookup_of` go together")
        if (self.ranges is None) != (self.ranges_of is None):
            raise ValueError("`ranges` and `ranges_of` go together")
        return self


class Band(_Strict):
    """A band of a score total, with the keys it adds to the output (`category: stable`)."""

    min: int
    max: int
    label: str
    values: dict[str, Any] = Field(default_factory=dict)
    meaning: str | None = None


class PointsScore(Sourced):
    """A sum of item points with bands (SINS, Tokuhashi, Tomita, modified Bauer, NESMS)."""

    kind: Literal["points"]
    id: Id
    key: str | None = Field(None, description="key in the result's `scores` object (default: the id)")
    title: str
    requires: ExprText | None = Field(None, description="the score is null unless this holds")
    items: list[ScoreItem] = Field(min_length=1)
    ceiling: int | None = Field(None, description="the highest total the score gives (NESMS: 3)")
    bands: list[Band] = Field(min_length=1)
    explain: str | None = None

    @model_validator(mode="after")
    def _bands_ordered(self) -> "PointsScore":
        for a, b in zip(self.bands, self.bands[1:], strict=False):
            if b.min != a.max + 1:
                raise ValueError(f"bands must be contiguous: {a.min}-{a.max} then {b.min}-{b.max}")
        return self


class SummaryScore(Sourced):
    """A named group of values shown with the scores (ESCC grade and class; KPS and ECOG)."""

    kind: Literal["summary"]
    id: Id
    key: str | None = Field(None, description="key in the result's `scores` object (default: the id)")
    title: str
    requires: ExprText | None = None
    fields: dict[str, ExprText]
    explain: str | None = None


class ValueScore(Sourced):
    """A single graded value shown with the scores (Frankel)."""

    kind: Literal["value"]
    id: Id
    key: str | None = Field(None, description="key in the result's `scores` object (default: the id)")
    title: str
    requires: ExprText | None = None
    expr: ExprText
    explain: str | None = None


Score = Annotated[PointsScore | SummaryScore | ValueScore, Field(discriminator="kind")]


class Headline(_Strict):
    """One of the headline recommendations."""

    title: str
    summary: str


class Rule(Sourced):
    """One routing rule: the first that holds decides the headline."""

    id: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")]
    when: ExprText | None = Field(None, description="omitted: always (a catch-all)")
    headline: Id
    because: str


class Flag(Sourced):
    """A flag raised on the recommendation when its condition holds."""

    id: Id
    when: ExprText
    text: str


class UrgencyLevel(Sourced):
    """An urgency level; the first whose condition holds applies."""

    level: Literal["emergency", "urgent", "elective"]
    when: ExprText | None = None
    because: str


Part = Literal[
    "clock", "work_up", "local_treatment", "radiotherapy", "systemic", "supportive", "mdt"
]


class Advice(Sourced):
    """One item of a structured part of the recommendation (REFERENCE §9.3)."""

    id: Id
    part: Part
    when: ExprText | None = None
    text: str


class Alert(Sourced):
    """A notice shown during the interview as soon as its condition holds (the MSCC bundle)."""

    id: Id
    level: Literal["emergency", "warning", "info"]
    after: Id = Field(description="shown once this question has been answered")
    when: ExprText
    title: str
    lines: list[str] = Field(min_length=1)


class Flow(_Strict):
    """A whole interview flow: questions, branches, scores and the rules of the recommendation."""

    id: Id
    version: str
    title: str
    description: str | None = None
    notice: str = Field(description="the decision-support notice shown with every recommendation")
    references: dict[Id, Reference]
    phases: list[Phase] = Field(min_length=1)
    tables: dict[Id, dict[str, dict[str, Any]]] = Field(default_factory=dict)
    questions: list[Question] = Field(min_length=1)
    derived: list[Derived] = Field(default_factory=list)
    scores: list[Score] = Field(default_factory=list)
    headlines: dict[Id, Headline]
    rules: list[Rule] = Field(min_length=1)
    flags: list[Flag] = Field(default_factory=list)
    urgency: list[UrgencyLevel] = Field(min_length=1)
    advice: list[Advice] = Field(default_factory=list)
    alerts: list[Alert] = Field(default_factory=list)
    conventions: list[str] = Field(default_factory=list, description="project conventions, stated")


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a flow file, for editors."""
    schema = Flow.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "spine-interview flow"
    return schema
