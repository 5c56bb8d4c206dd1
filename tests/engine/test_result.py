"""The result object: its JSON is pydantic's JSON of the same object, and reading it back restores it."""

from __future__ import annotations

import dataclasses

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from paths import EXAMPLES
from pydantic import TypeAdapter, ValidationError
from strategies import valid_answers

from interview.engine.replay import replay
from interview.result import SECTION_7_ONLY, Result, read_result

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _as_written(rec: dict) -> dict:
    """pydantic's recommendation as the JSON holds it: each part a key of its own (CONTRACT §6), and
    the provisional-only keys left out of a result that is not provisional (CONTRACT §7)."""
    out: dict = {}
    for k, v in rec.items():
        if k == "parts":
            out.update(v)
        elif k not in SECTION_7_ONLY or v is not None:
            out[k] = v
    return out


@SETTINGS
@given(answers=valid_answers())
def test_json_is_what_pydantic_would_write(answers, flow):
    """to_json_dict() equals pydantic's JSON serialisation of the same result, key order included."""
    result = replay(flow, answers).result
    ours, theirs = result.to_json_dict(), TypeAdapter(Result).dump_python(result, mode="json")
    theirs["recommendation"] = _as_written(theirs["recommendation"])
    assert ours == theirs
    assert list(ours) == list(theirs) and list(ours["recommendation"]) == list(theirs["recommendation"])


@SETTINGS
@given(answers=valid_answers())
def test_read_back_from_json_gives_the_same_result(answers, flow):
    """A result stored as its JSON object reads back equal (the store and `cases export` rely on it)."""
    result = replay(flow, answers).result
    assert read_result(result.to_json_dict()).to_json_dict() == result.to_json_dict()


def test_a_damaged_stored_result_is_refused():
    """A stored object that is not a result is a validation error naming the field, not a half-read result."""
    with pytest.raises(ValidationError, match="recommendation"):
        read_result({"flow": {"id": "x", "version": "1", "sha256": "0"}, "answers": {}, "path": [],
                     "derived": {}, "scores": {}})


def test_unusual_values_are_written_as_pydantic_would(flow):
    """Tuples and sets become lists; non-text keys become JSON's words for them."""
    answers = yaml.safe_load((EXAMPLES / "renal_stable.answers.yaml").read_text(encoding="utf-8"))
    result = replay(flow, answers).result
    odd = {"pair": (1, 2), "keys": {True: 1, False: 0, None: 2, 3: "a"}, "one": frozenset({"a"})}
    result = dataclasses.replace(result, derived={**result.derived, **odd})
    theirs = TypeAdapter(Result).dump_python(result, mode="json")
    theirs["recommendation"] = _as_written(theirs["recommendation"])
    assert result.to_json_dict() == theirs
    assert result.to_json_dict()["derived"]["keys"] == {"true": 1, "false": 0, "None": 2, "3": "a"}
