"""The teaching case library: ``flows/cases/*.yaml`` read, validated and checked against the flow."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from interview.engine.values import NOT_KNOWN, open_answers


def cases_dir() -> Path:
    """The shipped library: ``cases/`` beside the shipped flows (checkout or wheel)."""
    from interview.flow.load import flows_dir

    return flows_dir() / "cases"


class LibraryError(ValueError):
    """A case file that cannot be used; the message names the file and what is wrong."""


class TeachingCase(BaseModel):
    """One teaching case: a clinician's narrative, the answers it implies and the headline it leads to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field(min_length=1)
    narrative: str = Field(min_length=1, description="what the patient and the images show, in a clinician's words")
    answers: dict[str, Any] = Field(min_length=1, description="field id → value, as in the case contract")
    expected_headline: str | None = Field(
        default=None, description="the headline; on a case with open answers, only when every completion agrees")
    expected_possible_headlines: list[str] | None = Field(
        default=None, description="a case with open answers whose headline waits for them: the headlines possible")
    expected_rule: str | None = None
    learning_points: list[str] = Field(default_factory=list)

    @property
    def open_answers(self) -> list[str]:
        """The findings the case gives as not known yet."""
        return open_answers(self.answers)

    @model_validator(mode="after")
    def _one_expectation(self) -> TeachingCase:
        if self.expected_possible_headlines is not None:
            if not self.open_answers:
                raise ValueError("expected_possible_headlines is for a case with answers not_known; "
                                 "give expected_headline")
            if self.expected_headline is not None:
                raise ValueError("give expected_headline or expected_possible_headlines, not both")
        elif self.expected_headline is None:
            raise ValueError("expected_headline is missing (a case with answers not_known whose headline waits "
                             "for them gives expected_possible_headlines instead)")
        return self


@dataclass(frozen=True)
class LibraryCase:
    """A validated case and the file it came from."""

    case: TeachingCase
    path: Path

    @property
    def id(self) -> str:
        return self.case.id


def _describe(err: ValidationError) -> str:
    first = err.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "the file"
    return f"{where}: {first['msg']}"


def load_case(path: Path, flow: Any | None = None) -> LibraryCase:
    """Read and validate one case file.

    Args:
        path: the YAML file.
        flow: a loaded flow; when given, the answers and the expected headline are checked against it.

    Raises:
        LibraryError: naming the file and the first problem.
    """
    from interview.files.reading import CASE_LIMIT, ReadError, read_yaml

    try:
        data = read_yaml(path, limit=CASE_LIMIT, kind="teaching case")
    except ReadError as err:
        raise LibraryError(str(err)) from None
    if not isinstance(data, dict):
        raise LibraryError(f"{path}: expected a mapping with title, narrative, answers and expected_headline")
    data.setdefault("id", path.stem)
    try:
        case = TeachingCase.model_validate(data)
    except ValidationError as err:
        raise LibraryError(f"{path}: {_describe(err)}") from None
    if flow is not None:
        from interview.engine.replay import AnswersError, check_answers

        for key, heads in (("expected_headline", [case.expected_headline]),
                           ("expected_possible_headlines", case.expected_possible_headlines or [])):
            for head in heads:
                if head is not None and head not in flow.model.headlines:
                    known = ", ".join(flow.model.headlines)
                    raise LibraryError(f"{path}: {key} {head!r} is not a headline (allowed: {known})")
        try:
            check_answers(flow, case.answers, not_known=True)
        except AnswersError as err:
            raise LibraryError(f"{_where(path, err.field_id)}: {err.message}{_open_hint(flow, err, case)}") from None
    return LibraryCase(case, path)


def _where(path: Path, field_id: str | None) -> str:
    """``path:line`` of an answer in a case file (the path alone when the line cannot be found)."""
    from interview.flow.load import line_of

    try:
        line = line_of(path, ("answers", field_id)) if field_id else None
    except Exception:  # noqa: BLE001 - the file was read once already; a line number is a courtesy
        line = None
    return f"{path}:{line}" if line else str(path)


def _open_hint(flow: Any, err: Any, case: TeachingCase) -> str:
    """After a refused ``not_known``: the findings of the flow that may be given as not known yet."""
    if case.answers.get(err.field_id) != NOT_KNOWN:
        return ""
    allowed = [q.id for q in flow.questions if q.model.may_be_not_known]
    return f"; not_known is allowed for: {', '.join(allowed)}" if allowed else "; this flow allows no not_known answer"


def load_library(directory: Path | None = None, flow: Any | None = None) -> list[LibraryCase]:
    """Every case of a library directory, sorted by id.

    Raises:
        LibraryError: on the first bad file, or when two files share an id.
    """
    directory = directory or cases_dir()
    if not directory.is_dir():
        raise LibraryError(f"{directory}: no such case library directory")
    cases = [load_case(p, flow) for p in sorted(directory.glob("*.yaml"))]
    seen: dict[str, Path] = {}
    for c in cases:
        if c.id in seen:
            raise LibraryError(f"{c.path}: id {c.id!r} is also used by {seen[c.id]}")
        seen[c.id] = c.path
    return sorted(cases, key=lambda c: c.id)


def find_case(cases: list[LibraryCase], case_id: str) -> LibraryCase:
    """The case with this id.

    Raises:
        LibraryError: naming the id and the ids there are.
    """
    for c in cases:
        if c.id == case_id:
            return c
    raise LibraryError(f"no teaching case {case_id!r} (cases: {', '.join(c.id for c in cases)})")
