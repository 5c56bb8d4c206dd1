"""`spine-interview schema`: valid JSON that describes the shipped flow file (checked structurally)."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import typing
from typing import Any

import pytest
import yaml

from interview.cli import main
from interview.flow import model
from interview.flow.load import flows_dir
from interview.flow.model import Check, Doc, Flow, FlowPart
from interview.flow.schema import SchemaError, validate_flow

SHIPPED = flows_dir() / "spinal_metastases.yaml"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    """The schema as the command prints it."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["schema"]) == 0
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def shipped() -> dict[str, Any]:
    """The shipped flow file as plain data."""
    return yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _check(schema: dict[str, Any], node: dict[str, Any], value: Any, where: str, problems: list[str]) -> None:
    """A minimal structural validator: objects, required keys, no unknown keys, arrays, discriminators."""
    node = _resolve(schema, node)
    if "discriminator" in node:
        prop = node["discriminator"]["propertyName"]
        mapping = node["discriminator"]["mapping"]
        tag = value.get(prop) if isinstance(value, dict) else None
        if tag not in mapping:
            problems.append(f"{where}: {prop}={tag!r} not in the discriminator mapping {sorted(mapping)}")
            return
        _check(schema, {"$ref": mapping[tag]}, value, where, problems)
        return
    if "anyOf" in node:
        # Only simple unions (x | null, int | dict) occur: accept when one branch has no problems.
        for branch in node["anyOf"]:
            trial: list[str] = []
            _check(schema, branch, value, where, trial)
            if not trial:
                return
        problems.append(f"{where}: matches no branch of anyOf")
        return
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        if not isinstance(value, dict):
            problems.append(f"{where}: expected an object")
            return
        for key in node.get("required", []):
            if key not in value:
                problems.append(f"{where}: missing required {key!r}")
        props = node.get("properties", {})
        extra = node.get("additionalProperties", True)
        for key, item in value.items():
            if key in props:
                _check(schema, props[key], item, f"{where}.{key}", problems)
            elif extra is False:
                problems.append(f"{where}: unknown key {key!r}")
            elif isinstance(extra, dict):
                _check(schema, extra, item, f"{where}.{key}", problems)
    elif kind == "array":
        if not isinstance(value, list):
            problems.append(f"{where}: expected an array")
            return
        if len(value) < node.get("minItems", 0):
            problems.append(f"{where}: fewer than {node['minItems']} items")
        for i, item in enumerate(value):
            _check(schema, node.get("items", {}), item, f"{where}[{i}]", problems)
    elif kind == "string" and not isinstance(value, str):
        problems.append(f"{where}: expected a string")
    elif kind == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
        problems.append(f"{where}: expected an integer")
    elif kind == "boolean" and not isinstance(value, bool):
        problems.append(f"{where}: expected a boolean")
    elif kind == "null" and value is not None:
        problems.append(f"{where}: expected null")
    elif "const" in node and value != node["const"]:
        problems.append(f"{where}: expected {node['const']!r}")


def test_schema_is_json_with_questions(schema: dict[str, Any]) -> None:
    """The top level is an object schema with `properties.questions` and the 2020-12 dialect."""
    assert schema["$schema"].endswith("2020-12/schema")
    assert schema["type"] == "object"
    assert "questions" in schema["properties"]
    assert "questions" in schema["required"]


@pytest.mark.parametrize(("section", "tags"), [
    ("questions", {"bool", "choice", "int", "number", "text"}),
    ("scores", {"points", "summary", "value"}),
])
def test_discriminator_mappings(schema: dict[str, Any], section: str, tags: set[str]) -> None:
    """Questions and scores are discriminated by `kind`, and every mapped definition exists."""
    items = schema["properties"][section]["items"]
    assert items["discriminator"]["propertyName"] == "kind"
    mapping = items["discriminator"]["mapping"]
    assert set(mapping) == tags
    for ref in mapping.values():
        assert ref.rsplit("/", 1)[-1] in schema["$defs"]


def test_shipped_flow_validates(schema: dict[str, Any], shipped: dict[str, Any]) -> None:
    """The shipped flow file has every required key and no unknown key, per the schema."""
    problems: list[str] = []
    _check(schema, schema, shipped, "flow", problems)
    assert problems == []


@pytest.mark.parametrize(("mutate", "problem"), [
    (lambda d: d.pop("rules"), "missing required 'rules'"),
    (lambda d: d["questions"][0].update(kind="boolean"), "not in the discriminator mapping"),
    (lambda d: d["questions"][0].update(colour="red"), "unknown key 'colour'"),
    (lambda d: d["questions"][0].pop("prompt"), "missing required 'prompt'"),
])
def test_validator_sees_broken_flows(schema: dict[str, Any], shipped: dict[str, Any], mutate: Any,
                                     problem: str) -> None:
    """The structural check is not vacuous: a broken copy of the flow fails it."""
    data = json.loads(json.dumps(shipped))
    mutate(data)
    problems: list[str] = []
    _check(schema, schema, data, "flow", problems)
    assert any(problem in p for p in problems), problems


def _markers(annotation: Any) -> list[Any]:
    """Every Check and Doc in an annotation, however deeply nested (``list[Id]``, ``Id | None``)."""
    found = [m for m in getattr(annotation, "__metadata__", ()) if isinstance(m, Check | Doc)]
    for arg in typing.get_args(annotation):
        found.extend(_markers(arg))
    return found


#: Where each rule of a Check shows in a JSON Schema.
RULE_KEYS = {"pattern": ["pattern"], "ge": ["minimum"], "le": ["maximum"], "min_length": ["minLength", "minItems"],
             "discriminator": ["discriminator"], "description": ["description"],
             "max_length": ["maxLength", "maxItems"], "gt": ["exclusiveMinimum"]}


def test_every_rule_of_every_field_reaches_the_schema(schema: dict[str, Any]) -> None:
    """Each field's rules (pattern, bounds, lengths, tags) and descriptions are in its schema.

    Guards the way rules are declared: a marker that dropped another (a described field of a
    constrained type) would silently stop validating that field.
    """
    missing = []
    for cls in [Flow, *(c for c in vars(model).values() if isinstance(c, type) and issubclass(c, FlowPart))]:
        if cls is not Flow and cls.__name__ not in schema["$defs"]:
            continue  # a base class (Sourced, _Numeric): its fields are checked in the classes that use it
        node = schema if cls is Flow else schema["$defs"][cls.__name__]
        for name, hint in typing.get_type_hints(cls, include_extras=True).items():
            text = json.dumps(node["properties"][name])
            markers = _markers(hint)
            described = any(isinstance(m, Doc) for m in markers)  # the field's words beat its type's
            for marker in markers:
                rules = {"description": marker.description} if isinstance(marker, Doc) else marker.rules
                for rule, value in rules.items():
                    if rule == "description" and described and not isinstance(marker, Doc):
                        continue
                    shown = [f'"{key}": {json.dumps(value)}' for key in RULE_KEYS[rule]]
                    if rule == "discriminator":
                        shown = [f'"propertyName": "{value}"']
                    if rule == "pattern":  # a mapping's keys: patternProperties, keyed by the pattern
                        shown.append(f"{json.dumps(value)}: ")
                    if not any(s in text for s in shown):
                        missing.append(f"{cls.__name__}.{name}: {rule}={value!r}")
    assert missing == []


def test_a_described_id_field_still_checks_its_pattern(shipped: dict[str, Any]) -> None:
    """An alert's `after` (an Id with its own description) is refused when it is not an id."""
    data = copy.deepcopy(shipped)
    data["alerts"][0]["after"] = "Not An Id!"
    with pytest.raises(SchemaError, match=r"alerts\.0\.after: String should match pattern"):
        validate_flow(data)
