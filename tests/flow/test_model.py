"""The flow classes: immutable, keyword-built, equal by value, checked the same way as by validation."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest
import yaml

from interview.flow.load import flows_dir
from interview.flow.model import ChoiceQuestion, FlowPart, IntQuestion, Option
from interview.flow.schema import SchemaError, validate_flow

YES = Option(value="yes", label="Yes")
NO = Option(value="no", label="No")


def test_fields_are_read_only():
    """Assigning or deleting a field of a flow object fails: a loaded flow is shared by every case."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        YES.label = "Oui"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del YES.label
    assert YES.label == "Yes"


def test_built_from_keywords_with_defaults():
    """Missing fields take their defaults (a fresh list each time); unknown or absent ones are errors."""
    a = ChoiceQuestion(id="q", phase="p", prompt="?", why=".", kind="choice", options=[YES, NO])
    b = ChoiceQuestion(id="r", phase="p", prompt="?", why=".", kind="choice", options=[YES, NO])
    assert a.refs == [] and a.refs is not b.refs and a.optional is False
    with pytest.raises(TypeError, match="missing keyword argument: 'label'"):
        Option(value="x")
    with pytest.raises(TypeError, match="unexpected keyword arguments: colour"):
        Option(value="x", label="X", colour="red")


def test_a_class_checks_itself_when_built_directly():
    """The checks validation runs (__post_init__) also run when code builds an object."""
    with pytest.raises(ValueError, match="option values repeat: yes"):
        ChoiceQuestion(id="q", phase="p", prompt="?", why=".", kind="choice", options=[YES, YES])
    with pytest.raises(ValueError, match="min 9 is greater than max 1"):
        IntQuestion(id="q", phase="p", prompt="?", why=".", kind="int", min=9, max=1)


def test_equal_by_value_and_survive_pickle_and_copy():
    """Equality compares fields (and class); pickling (the flow cache) and copying keep it."""
    assert Option(value="yes", label="Yes") == YES != NO
    assert YES != {"value": "yes", "label": "Yes"}
    for clone in (pickle.loads(pickle.dumps(YES)), copy.deepcopy(YES)):
        assert clone == YES and clone is not YES and type(clone) is Option
    assert repr(YES) == "Option(value='yes', label='Yes', points=None, hint=None, synonyms=[])"


def test_every_flow_class_is_a_dataclass_pydantic_can_validate():
    """dataclasses.fields lists each class's fields; validation gives instances of the same classes."""
    classes = [c for c in vars(__import__("interview.flow.model", fromlist=["x"])).values()
               if isinstance(c, type) and issubclass(c, FlowPart) and c is not FlowPart]
    assert len(classes) > 20 and all(dataclasses.is_dataclass(c) for c in classes)
    data = yaml.safe_load((flows_dir() / "spinal_metastases.yaml").read_text(encoding="utf-8"))
    flow = validate_flow(data)
    assert type(flow.questions[0]) in classes and flow.questions[0].id == data["questions"][0]["id"]
    data["questions"][0]["colour"] = "red"
    with pytest.raises(SchemaError, match="unknown key 'colour'; allowed: .*prompt"):
        validate_flow(data)


def test_rules_on_a_constrained_type_add_to_its_own():
    """Annotated[Id, Check(...)] keeps Id's pattern and adds the new rule (nested Annotated flattens)."""
    from typing import Annotated

    from pydantic import TypeAdapter, ValidationError

    from interview.flow.model import Check, Id

    longer_id = TypeAdapter(Annotated[Id, Check(min_length=3)])
    assert longer_id.validate_python("abc") == "abc"
    for bad, rule in (("ab", "at least 3 characters"), ("Abc", "should match pattern")):
        with pytest.raises(ValidationError, match=rule):
            longer_id.validate_python(bad)
