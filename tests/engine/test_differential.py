"""Differential test: the flow and engine decide like the independent oracle of CONTRACT.md §3–5."""

from __future__ import annotations

import json
import random
from collections import Counter
from typing import Any

import oracle

from interview.engine.replay import replay

CASES = 5_000
SEED = 20_261_126
DERIVED_KEYS = ("ecog", "radiosensitivity", "mechanically_unstable")


def contract_view(result: Any) -> dict[str, Any]:
    """The parts of an engine result that the contract fixes, shaped like ``oracle.decide``."""
    rec = result.recommendation
    return {
        "derived": {k: result.derived[k] for k in DERIVED_KEYS},
        "scores": result.scores,
        "recommendation": {"headline": rec.headline, "rule": rec.rule, "urgency": rec.urgency,
                           "flags": sorted(rec.flags)},
    }


def differences(expected: Any, actual: Any, where: str = "") -> list[str]:
    """Every key of ``expected`` missing from or different in ``actual`` (recursive; extra keys allowed)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected an object, got {actual!r}"]
        out: list[str] = []
        for key, value in expected.items():
            if key not in actual:
                out.append(f"{where}.{key}: missing")
            else:
                out.extend(differences(value, actual[key], f"{where}.{key}"))
        return out
    if where.endswith(".flags"):
        return [] if set(actual) == set(expected) else [f"{where}: {sorted(actual)} != {sorted(expected)}"]
    if actual != expected or type(actual) is not type(expected) and not (
        isinstance(actual, int | float) and isinstance(expected, int | float)
    ):
        return [f"{where}: engine {actual!r} != oracle {expected!r}"]
    return []


def test_engine_agrees_with_oracle_on_random_cases(flow) -> None:
    """On 5,000 seeded random cases the engine's headline, rule, urgency, flags, scores and derived values equal the oracle's."""
    rnd = random.Random(SEED)
    rules: Counter[str] = Counter()
    for n in range(CASES):
        answers = oracle.random_case(rnd)
        expected = oracle.decide(answers)
        actual = contract_view(replay(flow, answers).result)
        diff = differences(expected, actual)
        assert not diff, (
            f"case {n} differs from the oracle:\n  " + "\n  ".join(diff)
            + f"\nanswers:\n{json.dumps(answers, indent=1, sort_keys=True)}"
        )
        rules[actual["recommendation"]["rule"]] += 1
    # The comparison is only as good as its coverage: every rule must have been exercised.
    assert set(rules) == {r.rule for r in oracle.ROUTING}, f"rules never reached: {rules}"


def test_every_flag_is_exercised_by_the_random_cases() -> None:
    """The seeded oracle cases raise every contract flag, so the differential test covers each one."""
    rnd = random.Random(SEED)
    seen: set[str] = set()
    for _ in range(CASES):
        seen.update(oracle.decide(oracle.random_case(rnd))["recommendation"]["flags"])
    assert seen == set(oracle.FLAGS) and len(seen) == 18  # CONTRACT §5
