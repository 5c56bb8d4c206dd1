"""The independent oracle reproduces the contract's worked examples and always reaches a headline."""

from __future__ import annotations

import json
import random
from typing import Any

import oracle
import pytest
import yaml
from paths import EXAMPLES

EXAMPLES_DIR = EXAMPLES
EXAMPLE_NAMES = sorted(
    path.name.removesuffix(".expected.json") for path in EXAMPLES_DIR.glob("*.expected.json")
)

# The nine headlines of the CONTRACT §4 routing table, typed out again here.
CONTRACT_HEADLINES = {
    "palliative_rt_and_supportive_care",
    "imaging_first",
    "cebrt_alone",
    "emergency_decompression_stabilisation_then_rt",
    "biopsy_and_staging_first",
    "cement_augmentation_then_rt",
    "separation_surgery_then_sbrt",
    "stabilisation_then_rt",
    "sbrt_alone",
}


def load_example(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Read one contract example.

    Args:
        name: The example's name, e.g. ``renal_stable``.

    Returns:
        The answers mapping and the expected output.
    """
    answers = yaml.safe_load((EXAMPLES_DIR / f"{name}.answers.yaml").read_text(encoding="utf-8"))
    expected = json.loads((EXAMPLES_DIR / f"{name}.expected.json").read_text(encoding="utf-8"))
    return answers, expected


def assert_contains(expected: Any, actual: Any, where: str = "") -> None:
    """Assert that every key of ``expected`` is in ``actual`` with the same value, recursively.

    ``flags`` lists are compared as sets.

    Args:
        expected: The expected value.
        actual: The value produced.
        where: The key path, for the failure message.
    """
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{where}.{key}: missing"
            assert_contains(value, actual[key], f"{where}.{key}")
    elif where.endswith(".flags"):
        assert set(actual) == set(expected), f"{where}: {sorted(actual)} != {sorted(expected)}"
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


def test_all_three_examples_are_found() -> None:
    """The shared directory holds the three contract examples (guards against a wrong SPINE_SHARED_DIR)."""
    assert EXAMPLE_NAMES == ["emergency_breast", "renal_stable", "unknown_primary"]


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_oracle_reproduces_example(name: str) -> None:
    """The oracle's decision matches every key of the example's expected.json."""
    answers, expected = load_example(name)
    assert_contains(expected, oracle.decide(answers))


def test_primary_table_covers_every_primary_tumour_value() -> None:
    """The typed-out primary table has exactly the case_fields.yaml values plus `unknown`."""
    assert set(oracle.PRIMARY_TUMOURS) == set(oracle.FIELDS["primary_tumour"]["values"]) | {"unknown"}


def test_random_cases_always_reach_a_contract_headline() -> None:
    """Every random valid case is decided, and its headline is one of the nine of CONTRACT §4."""
    rnd = random.Random(20240611)
    for _ in range(2000):
        decision = oracle.decide(oracle.random_case(rnd))
        assert decision["recommendation"]["headline"] in CONTRACT_HEADLINES
