"""The teaching case library: ``flows/cases/*.yaml`` read, validated and checked against the flow."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError


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
    expected_headline: str
    expected_rule: str | None = None
    learning_points: list[str] = Field(default_factory=list)


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

        if case.expected_headline not in flow.model.headlines:
            known = ", ".join(flow.model.headlines)
            raise LibraryError(f"{path}: expected_headline {case.expected_headline!r} is not a headline (allowed: {known})")
        try:
            check_answers(flow, case.answers)
        except AnswersError as err:
            raise LibraryError(f"{path}: {err.message}") from None
    return LibraryCase(case, path)


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
